"""The API's objects, with attribute access. Each is the generated model (`_generated.py`, from
openapi.json) plus `etag`: the response's ETag, for `update(..., if_match=obj.etag)`. An object read
from a list page or an event has no ETag of its own (None): `get` it for one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from clarity_api import _generated
from clarity_api._generated import (
    AttachmentCreatedEvent,
    AttachmentDeletedEvent,
    AttachmentUpdatedEvent,
    ContactCreatedEvent,
    ContactDeletedEvent,
    ContactUpdatedEvent,
    ConversationCreatedEvent,
    ConversationDeletedEvent,
    ConversationUpdatedEvent,
    DeletedContact,
    DirectUpload,
    GroupCreatedEvent,
    GroupDeletedEvent,
    GroupUpdatedEvent,
    MessageCreatedEvent,
    MessageDeletedEvent,
    MessageUpdatedEvent,
)


@dataclass
class Conversation(_generated.Conversation):
    etag: Optional[str] = None


@dataclass
class Message(_generated.Message):
    etag: Optional[str] = None


@dataclass
class Contact(_generated.Contact):
    etag: Optional[str] = None


@dataclass
class Group(_generated.Group):
    etag: Optional[str] = None


@dataclass
class Attachment(_generated.Attachment):
    etag: Optional[str] = None


@dataclass
class CreatedAttachment(_generated.CreatedAttachment):
    """A direct upload's create: the attachment and `upload`, the presigned S3 POST."""

    etag: Optional[str] = None


@dataclass
class Webhook(_generated.Webhook):
    etag: Optional[str] = None


@dataclass
class CreatedWebhook(_generated.CreatedWebhook):
    """A webhook as created: with its `secret`, shown this once."""

    etag: Optional[str] = None


Event = Union[
    ConversationCreatedEvent,
    ConversationUpdatedEvent,
    ConversationDeletedEvent,
    MessageCreatedEvent,
    MessageUpdatedEvent,
    MessageDeletedEvent,
    ContactCreatedEvent,
    ContactUpdatedEvent,
    ContactDeletedEvent,
    GroupCreatedEvent,
    GroupUpdatedEvent,
    GroupDeletedEvent,
    AttachmentCreatedEvent,
    AttachmentUpdatedEvent,
    AttachmentDeletedEvent,
]

__all__ = [
    "Attachment",
    "AttachmentCreatedEvent",
    "AttachmentDeletedEvent",
    "AttachmentUpdatedEvent",
    "Contact",
    "ContactCreatedEvent",
    "ContactDeletedEvent",
    "ContactUpdatedEvent",
    "Conversation",
    "ConversationCreatedEvent",
    "ConversationDeletedEvent",
    "ConversationUpdatedEvent",
    "CreatedAttachment",
    "CreatedWebhook",
    "DeletedContact",
    "DirectUpload",
    "Event",
    "Group",
    "GroupCreatedEvent",
    "GroupDeletedEvent",
    "GroupUpdatedEvent",
    "Message",
    "MessageCreatedEvent",
    "MessageDeletedEvent",
    "MessageUpdatedEvent",
    "Webhook",
]
