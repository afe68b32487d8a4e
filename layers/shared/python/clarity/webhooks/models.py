"""The webhook object, the request that registers one, and the event types it can subscribe to."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr

from clarity.core.paging import Position
from clarity.webhooks.limits import ALL_EVENTS

MAX_NAME_LENGTH = 100
MAX_URL_LENGTH = 2048


class EventType(StrEnum):
    """What changed: the first part names the payload's resource."""

    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_UPDATED = "conversation.updated"
    CONVERSATION_DELETED = "conversation.deleted"
    MESSAGE_CREATED = "message.created"
    MESSAGE_UPDATED = "message.updated"
    MESSAGE_DELETED = "message.deleted"
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    CONTACT_DELETED = "contact.deleted"
    GROUP_CREATED = "group.created"
    GROUP_UPDATED = "group.updated"
    GROUP_DELETED = "group.deleted"
    ATTACHMENT_CREATED = "attachment.created"
    ATTACHMENT_UPDATED = "attachment.updated"
    ATTACHMENT_DELETED = "attachment.deleted"


EVENT_CHOICES = [ALL_EVENTS, *(event.value for event in EventType)]


def _printable_name(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain more than whitespace")
    if not value.isprintable():
        raise ValueError("must be printable characters")
    return value


def _valid_events(events: list[str]) -> list[str]:
    for event in events:
        if event not in EVENT_CHOICES:
            raise ValueError(f"unknown event type '{event[:64]}'; use one of {', '.join(EVENT_CHOICES)}")
    if len(set(events)) != len(events):
        raise ValueError("lists an event type more than once")
    if ALL_EVENTS in events and len(events) > 1:
        raise ValueError('"*" already means every event type; send it alone')
    return events


WebhookName = Annotated[
    StrictStr,
    Field(min_length=1, max_length=MAX_NAME_LENGTH, description="Your name for it: 1 to 100 printable characters."),
    AfterValidator(_printable_name),
]
WebhookUrl = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description=(
            "Where events are POSTed: an https URL to a public address, with no user or password in it."
            " Local runs take http://127.0.0.1:<port>/... instead."
        ),
        examples=["https://example.com/clarity/events"],
    ),
]
WebhookEvents = Annotated[
    list[Annotated[StrictStr, Field(json_schema_extra={"enum": EVENT_CHOICES})]],
    Field(
        min_length=1,
        max_length=len(EVENT_CHOICES),
        description='The event types to receive, or ["*"] for all of them.',
        examples=[["message.created", "conversation.updated"]],
    ),
    AfterValidator(_valid_events),
]


class Webhook(BaseModel):
    """A registered webhook, as every read returns it: never with its secret."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Unique identifier for the webhook.")
    name: str = Field(description="Your name for the webhook.")
    url: str = Field(description="Where the events are POSTed.")
    events: list[str] = Field(description='The event types it receives; ["*"] means all of them.')
    created_at: int = Field(description="Timestamp of when the webhook was registered, in unix seconds.")


class CreatedWebhook(Webhook):
    """The answer to a registration: the only time the secret is shown."""

    secret: str = Field(description="Keys the x-clarity-signature HMAC. Shown once: store it now.")


class WebhookList(BaseModel):
    """One page of webhooks."""

    has_more: bool = Field(description="Whether more webhooks lie beyond this page, in the direction you are paging.")
    data: list[Webhook] = Field(description="The webhooks of this page, newest first.")


class CreateWebhookRequest(BaseModel):
    # strict, as for the other resources: form bodies are converted to real types first.
    model_config = ConfigDict(extra="forbid", strict=True)
    # The webhook's other fields (secret included: the service makes it): a 400 says they cannot be set.
    read_only_fields: ClassVar[frozenset[str]] = frozenset({"id", "created_at", "secret"})

    name: WebhookName
    url: WebhookUrl
    events: WebhookEvents


@dataclass(frozen=True)
class WebhookPageRequest:
    limit: int
    position: Position = field(default_factory=Position)
