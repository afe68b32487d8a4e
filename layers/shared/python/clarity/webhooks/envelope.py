"""What a webhook receives, as models with descriptions: the OpenAPI document's `webhooks` section is
made from them (devtools/openapi_webhooks.py).

They describe, they do not build: clarity.webhooks.events writes the body and
clarity.webhooks.delivery the headers, and a test validates real deliveries against the document.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from clarity.attachments.models import Attachment
from clarity.contacts.models import Contact
from clarity.conversations.models import Conversation
from clarity.core.ids import ID_PATTERN
from clarity.groups.models import Group
from clarity.messages.models import Message
from clarity.webhooks.delivery import USER_AGENT
from clarity.webhooks.models import EventType
from clarity.webhooks.signing import ATTEMPT_HEADER, EVENT_ID_HEADER, OBJECT_ETAG_HEADER, SIGNATURE_HEADER

FIRES_WHEN: dict[EventType, str] = {
    EventType.CONVERSATION_CREATED: "A conversation is created: by POST /v1/conversations, or with its group.",
    EventType.CONVERSATION_UPDATED: (
        "A PUT /v1/conversations/{id} changes the conversation, or its pinned message is deleted (which "
        "unpins it): its ETag moved. Retrieving it (which records last_opened_at) and a send moving its "
        "last_active_at fire nothing."
    ),
    EventType.CONVERSATION_DELETED: (
        "A conversation is deleted: by DELETE /v1/conversations/{id}, or with its contact or group. Each "
        "of its messages fires message.deleted too, in no set order."
    ),
    EventType.MESSAGE_CREATED: "A message is sent.",
    EventType.MESSAGE_UPDATED: "A PUT /v1/messages/{id} changes the message: its text, reactions or read_at.",
    EventType.MESSAGE_DELETED: "A message is deleted: by DELETE /v1/messages/{id}, or with its conversation.",
    EventType.CONTACT_CREATED: "A contact is added.",
    EventType.CONTACT_UPDATED: (
        "The contact's ETag moved: a PUT /v1/contacts/{id} changed its display_name, or its conversation_id "
        "was set (a conversation opened with it) or cleared (that conversation deleted). A send moving its "
        "last_active_at fires nothing."
    ),
    EventType.CONTACT_DELETED: (
        "A contact is deleted. Its conversation fires conversation.deleted, and each group it was in group.updated."
    ),
    EventType.GROUP_CREATED: "A group is created (its conversation fires conversation.created).",
    EventType.GROUP_UPDATED: (
        "The group's ETag moved: a PUT /v1/groups/{id} changed it or its members, a member contact was deleted, "
        "or its conversation_id was set or cleared. A member's rename fires nothing here."
    ),
    EventType.GROUP_DELETED: "A group is deleted, with its conversation (which fires conversation.deleted).",
    EventType.ATTACHMENT_CREATED: (
        "An attachment's file is there: an upload through POST /v1/attachments finished, or a direct upload "
        "was confirmed (when it is next retrieved or sent, or by the hourly sweep a day after its create). A direct "
        "upload still waiting fires nothing."
    ),
    EventType.ATTACHMENT_UPDATED: "The attachment's ETag moved: it was renamed, or sent in a message (message_id set).",
    EventType.ATTACHMENT_DELETED: (
        "An attachment is deleted: by DELETE /v1/attachments/{id}, or with its message, conversation, contact or "
        "group. A direct upload removed unconfirmed fires nothing."
    ),
}
PAYLOAD_AS = {
    "created": "as created",
    "updated": "after the change",
    "deleted": "as it was last",
}
# A download link expires in an hour: none belongs in a queued event.
_LINKS = {
    "attachment": ", but with file_url null (retrieve the attachment for a link)",
    "message": ", but with each attachment's file_url null (retrieve the attachment for a link)",
}
_RESOURCES: dict[str, type[BaseModel]] = {
    "attachment": Attachment,
    "conversation": Conversation,
    "message": Message,
    "contact": Contact,
    "group": Group,
}


class EventEnvelope(BaseModel):
    """The body of every webhook request: one change to one of your objects, as compact JSON."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(
        pattern=ID_PATTERN,
        description="Unique identifier for the event: the same on every attempt. Drop duplicates by it.",
    )
    type: str = Field(description="The event type; its first part names the payload's resource.")
    created_at: int = Field(
        description=(
            "Timestamp of when the change was written, in unix seconds: the same on every attempt. "
            "Refuse events older than your replay window (longer than two days, which retries can take)."
        )
    )


def _envelope(event: EventType) -> type[EventEnvelope]:
    resource, action = event.value.split(".")
    payload = _RESOURCES[resource]
    links = _LINKS.get(resource, "")
    fields: dict[str, Any] = {
        "type": (Literal[event.value], Field(description=f"Always {event.value}.")),
        "payload": (
            payload,
            Field(description=f"The {resource} {PAYLOAD_AS[action]}, exactly as the API returns it{links}."),
        ),
    }
    return create_model(
        f"{resource.capitalize()}{action.capitalize()}Event",
        __base__=EventEnvelope,
        __doc__=f"The body of a {event.value} event. {FIRES_WHEN[event]}",
        **fields,
    )


ENVELOPES: dict[EventType, type[EventEnvelope]] = {event: _envelope(event) for event in EventType}


class DeliveryHeaders(BaseModel):
    """The headers of every webhook request, beside Content-Type: application/json."""

    user_agent: str = Field(alias="User-Agent", description="Who is calling.", json_schema_extra={"const": USER_AGENT})
    signature: str = Field(
        alias=SIGNATURE_HEADER,
        pattern=r"^[0-9a-f]{64}$",
        description=(
            "The hex HMAC-SHA256 of the raw request body, keyed with the webhook's secret (the whole "
            "string, whsec_ included, as UTF-8). Recompute it over the bytes received, before parsing "
            "them, and compare in constant time; refuse the request if it differs."
        ),
    )
    event_id: str = Field(
        alias=EVENT_ID_HEADER, pattern=ID_PATTERN, description="The envelope's id, for logging: unsigned."
    )
    object_etag: str = Field(
        alias=OBJECT_ETAG_HEADER,
        pattern=r'^"[0-9]+"$',
        description=(
            'The ETag of the object in the payload, as GET would give it (e.g. "3"); for a deleted event, '
            "its last. It grows with every change a client makes: order one object's events by it, not "
            "by arrival. Not signed: trust it only on a request whose signature checked out."
        ),
    )
    attempt: str = Field(
        alias=ATTEMPT_HEADER,
        pattern=r"^[1-9][0-9]*$",
        description=("1 for the first attempt, then 2, 3, ... up to 8 (on AWS it can skip a number after a crash)."),
    )
