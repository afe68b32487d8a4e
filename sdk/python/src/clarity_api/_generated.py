"""Generated from openapi.json by `make sdk` (datamodel-code-generator). Do not edit."""

from dataclasses import dataclass
from typing import Literal, Optional, Union


@dataclass
class Attachment:
    created_at: int
    file_size: int
    file_type: str
    file_url: Optional[str]
    filename: str
    id: str
    message_id: Optional[str]


@dataclass
class AttachmentCreatedEvent:
    created_at: int
    id: str
    payload: Attachment
    type: Literal["attachment.created"]


@dataclass
class AttachmentDeletedEvent:
    created_at: int
    id: str
    payload: Attachment
    type: Literal["attachment.deleted"]


@dataclass
class AttachmentList:
    data: list[Attachment]
    has_more: bool


@dataclass
class AttachmentUpdatedEvent:
    created_at: int
    id: str
    payload: Attachment
    type: Literal["attachment.updated"]


@dataclass
class Contact:
    avatar_url: Optional[str]
    conversation_id: Optional[str]
    created_at: int
    display_name: Optional[str]
    id: str
    last_active_at: Optional[int]
    phone_number: str
    username: str


@dataclass
class ContactCreatedEvent:
    created_at: int
    id: str
    payload: Contact
    type: Literal["contact.created"]


@dataclass
class ContactDeletedEvent:
    created_at: int
    id: str
    payload: Contact
    type: Literal["contact.deleted"]


@dataclass
class ContactList:
    data: list[Contact]
    has_more: bool


@dataclass
class ContactUpdatedEvent:
    created_at: int
    id: str
    payload: Contact
    type: Literal["contact.updated"]


@dataclass
class Conversation:
    archived_at: Optional[int]
    contact_id: Optional[str]
    created_at: int
    group_id: Optional[str]
    id: str
    is_muted: bool
    is_pinned: bool
    last_active_at: Optional[int]
    last_opened_at: Optional[int]
    pinned_message_id: Optional[str]


@dataclass
class ConversationCreatedEvent:
    created_at: int
    id: str
    payload: Conversation
    type: Literal["conversation.created"]


@dataclass
class ConversationDeletedEvent:
    created_at: int
    id: str
    payload: Conversation
    type: Literal["conversation.deleted"]


@dataclass
class ConversationList:
    data: list[Conversation]
    has_more: bool


@dataclass
class ConversationUpdatedEvent:
    created_at: int
    id: str
    payload: Conversation
    type: Literal["conversation.updated"]


@dataclass
class CreateAttachmentForm:
    file_size: int
    filename: str
    file_type: Optional[str] = None


@dataclass
class CreateAttachmentRequest:
    file_size: int
    filename: str
    file_type: Optional[str] = None


@dataclass
class CreateContactForm:
    phone_number: str
    username: str
    avatar_url: Optional[str] = None
    display_name: Optional[str] = None


@dataclass
class CreateContactRequest:
    phone_number: str
    username: str
    avatar_url: Optional[str] = None
    display_name: Optional[str] = None


@dataclass
class CreateConversationForm:
    contact_id: Optional[str] = None
    group_id: Optional[str] = None


@dataclass
class CreateConversationRequest:
    contact_id: Optional[str] = None
    group_id: Optional[str] = None


Contact1 = str


@dataclass
class CreateGroupForm:
    name: str
    avatar_url: Optional[str] = None
    contacts: Optional[list[Contact1]] = None
    description: Optional[str] = None


@dataclass
class CreateGroupRequest:
    name: str
    avatar_url: Optional[str] = None
    contacts: Optional[list[Contact1]] = None
    description: Optional[str] = None


Attachment1 = str


@dataclass
class CreateMessageForm:
    conversation_id: str
    message: str
    attachments: Optional[list[Attachment1]] = None
    contact_id: Optional[str] = None


@dataclass
class CreateMessageRequest:
    conversation_id: str
    message: str
    attachments: Optional[list[Attachment1]] = None
    contact_id: Optional[str] = None


@dataclass
class CreateWebhookForm:
    events: list[
        Literal[
            "*",
            "conversation.created",
            "conversation.updated",
            "conversation.deleted",
            "message.created",
            "message.updated",
            "message.deleted",
            "contact.created",
            "contact.updated",
            "contact.deleted",
            "group.created",
            "group.updated",
            "group.deleted",
            "attachment.created",
            "attachment.updated",
            "attachment.deleted",
        ]
    ]
    name: str
    url: str


@dataclass
class CreateWebhookRequest:
    events: list[
        Literal[
            "*",
            "conversation.created",
            "conversation.updated",
            "conversation.deleted",
            "message.created",
            "message.updated",
            "message.deleted",
            "contact.created",
            "contact.updated",
            "contact.deleted",
            "group.created",
            "group.updated",
            "group.deleted",
            "attachment.created",
            "attachment.updated",
            "attachment.deleted",
        ]
    ]
    name: str
    url: str


@dataclass
class CreatedWebhook:
    created_at: int
    events: list[str]
    id: str
    name: str
    secret: str
    url: str


@dataclass
class DeletedContact:
    deleted: Literal[True]
    id: str


@dataclass
class DirectUpload:
    expires_at: int
    fields: dict[str, str]
    url: str


@dataclass
class ErrorBody:
    documentation_url: str
    message: str
    type: Literal["invalid_request", "api_error"]


@dataclass
class GatewayMessage:
    message: str


@dataclass
class Group:
    archived_at: Optional[int]
    avatar_url: Optional[str]
    contacts: list[Contact]
    conversation_id: Optional[str]
    created_at: int
    description: Optional[str]
    id: str
    name: str


@dataclass
class GroupCreatedEvent:
    created_at: int
    id: str
    payload: Group
    type: Literal["group.created"]


@dataclass
class GroupDeletedEvent:
    created_at: int
    id: str
    payload: Group
    type: Literal["group.deleted"]


@dataclass
class GroupList:
    data: list[Group]
    has_more: bool


@dataclass
class GroupUpdatedEvent:
    created_at: int
    id: str
    payload: Group
    type: Literal["group.updated"]


@dataclass
class Message:
    attachments: list[Attachment]
    contact: Optional[Union[Contact, DeletedContact]]
    conversation_id: str
    created_at: int
    id: str
    message: str
    reactions: list[dict[str, list[str]]]
    read_at: Optional[int]
    updated_at: Optional[int]


@dataclass
class MessageCreatedEvent:
    created_at: int
    id: str
    payload: Message
    type: Literal["message.created"]


@dataclass
class MessageDeletedEvent:
    created_at: int
    id: str
    payload: Message
    type: Literal["message.deleted"]


@dataclass
class MessageList:
    data: list[Message]
    has_more: bool


@dataclass
class MessageUpdatedEvent:
    created_at: int
    id: str
    payload: Message
    type: Literal["message.updated"]


@dataclass
class UpdateAttachmentForm:
    filename: str


@dataclass
class UpdateAttachmentRequest:
    filename: str


@dataclass
class UpdateContactForm:
    display_name: Optional[str]


@dataclass
class UpdateContactRequest:
    display_name: Optional[str]


@dataclass
class UpdateConversationForm:
    archived_at: Optional[int] = None
    is_muted: Optional[bool] = None
    is_pinned: Optional[bool] = None
    pinned_message_id: Optional[str] = None


@dataclass
class UpdateConversationRequest:
    archived_at: Optional[int] = None
    is_muted: Optional[bool] = None
    is_pinned: Optional[bool] = None
    pinned_message_id: Optional[str] = None


@dataclass
class UpdateGroupForm:
    archived_at: Optional[int] = None
    avatar_url: Optional[str] = None
    contacts: Optional[list[Contact1]] = None
    description: Optional[str] = None
    name: Optional[str] = None


@dataclass
class UpdateGroupRequest:
    archived_at: Optional[int] = None
    avatar_url: Optional[str] = None
    contacts: Optional[list[Contact1]] = None
    description: Optional[str] = None
    name: Optional[str] = None


Reaction = str


@dataclass
class UpdateMessageForm:
    attachments: Optional[list[Attachment1]] = None
    message: Optional[str] = None
    reactions: Optional[Union[list[dict[str, list[Reaction]]], dict[str, list[Reaction]]]] = None
    read_at: Optional[int] = None


@dataclass
class UpdateMessageRequest:
    attachments: Optional[list[Attachment1]] = None
    message: Optional[str] = None
    reactions: Optional[Union[list[dict[str, list[Reaction]]], dict[str, list[Reaction]]]] = None
    read_at: Optional[int] = None


@dataclass
class Webhook:
    created_at: int
    events: list[str]
    id: str
    name: str
    url: str


@dataclass
class WebhookList:
    data: list[Webhook]
    has_more: bool


@dataclass
class CreatedAttachment:
    created_at: int
    file_size: int
    file_type: str
    file_url: Optional[str]
    filename: str
    id: str
    message_id: Optional[str]
    upload: DirectUpload
