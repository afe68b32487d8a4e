"""The message object, the requests that send and change one, and the reaction rules."""

import re
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    WithJsonSchema,
    model_validator,
)

from clarity.attachments.models import Attachment
from clarity.contacts.models import Contact
from clarity.core.models import ResourceId, Timestamp
from clarity.core.paging import Position
from clarity.core.versioned import Versioned

# The API reference's descriptions, shared by the object and the requests that write it.
CONVERSATION_ID = "Unique identifier for the conversation the message belongs to."
READ_AT = "Timestamp of when the message was read, in unix seconds"

MAX_MESSAGE_LENGTH = 4000
MAX_REACTION_NAMES = 50
MAX_REACTORS_PER_NAME = 100
REACTION_NAME_PATTERN = r"^[a-z0-9_+-]{1,64}$"
_REACTION_NAME = re.compile(REACTION_NAME_PATTERN)
MAX_REACTOR_LENGTH = 64


def _encodable(value: str) -> str:
    # JSON may carry lone surrogates ("\ud800"); they are no text and cannot be stored as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("must be valid Unicode text") from error
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain more than whitespace")
    return value


MessageText = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_MESSAGE_LENGTH,
        description="The content, 1 to 4,000 characters, not only whitespace; stored exactly as sent.",
    ),
    AfterValidator(_encodable),
    AfterValidator(_not_blank),
]


def _printable(value: str) -> str:
    if not value.isprintable():
        raise ValueError("must be printable characters")
    return value


Reactor = Annotated[
    StrictStr,
    Field(min_length=1, max_length=MAX_REACTOR_LENGTH, description="Who reacted: 1 to 64 printable characters."),
    AfterValidator(_encodable),
    AfterValidator(_printable),
]


def _reactions_as_list(value: Any) -> Any:
    """The reference's client libraries send a mapping {name: [who]}; its objects carry a list
    of one-key objects. Both mean the same list, in the order given."""
    if isinstance(value, dict):
        return [{name: who} for name, who in value.items()]
    return value


def _valid_reactions(reactions: list[dict[str, list[str]]]) -> list[dict[str, list[str]]]:
    if len(reactions) > MAX_REACTION_NAMES:
        raise ValueError(f"at most {MAX_REACTION_NAMES} reaction names per message")
    seen: set[str] = set()
    for reaction in reactions:
        if len(reaction) != 1:
            raise ValueError('each reaction is an object with one key, the reaction\'s name: {"name": ["who"]}')
        ((name, who),) = reaction.items()
        if not _REACTION_NAME.fullmatch(name):
            raise ValueError(f"reaction name '{name[:64]}' must be 1 to 64 of [a-z0-9_+-]")
        if name in seen:
            raise ValueError(f"reaction '{name}' is listed more than once")
        seen.add(name)
        if not 1 <= len(who) <= MAX_REACTORS_PER_NAME:
            raise ValueError(f"reaction '{name}' must list 1 to {MAX_REACTORS_PER_NAME} who reacted")
        if len(set(who)) != len(who):
            raise ValueError(f"reaction '{name}' lists someone more than once")
    return reactions


_REACTORS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_REACTORS_PER_NAME,
    "uniqueItems": True,
    "items": {"type": "string", "minLength": 1, "maxLength": MAX_REACTOR_LENGTH},
}
_NAMED_REACTORS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"pattern": REACTION_NAME_PATTERN},
    "additionalProperties": _REACTORS_SCHEMA,
}

Reactions = Annotated[
    list[dict[str, list[Reactor]]],
    BeforeValidator(_reactions_as_list),
    AfterValidator(_valid_reactions),
    # Both shapes the API accepts: the list of one-key objects, and the mapping.
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "array",
                    "maxItems": MAX_REACTION_NAMES,
                    "items": {**_NAMED_REACTORS_SCHEMA, "minProperties": 1, "maxProperties": 1},
                },
                {**_NAMED_REACTORS_SCHEMA, "maxProperties": MAX_REACTION_NAMES},
            ]
        }
    ),
    Field(
        description=(
            'The whole list of reactions, replacing the one stored: [{"name": ["who", ...]}, ...], or the '
            'mapping {"name": ["who", ...]}. Names are 1 to 64 of [a-z0-9_+-]; at most 50 names, 100 each.'
        ),
        examples=[[{"red_angry_face": ["KateMcCallister"]}]],
    ),
]


# At most this many files in one message.
MAX_ATTACHMENTS = 10


def _distinct(value: list[str]) -> list[str]:
    repeated = sorted({attachment_id for attachment_id in value if value.count(attachment_id) > 1})
    if repeated:
        raise ValueError(f"lists '{repeated[0]}' more than once")
    return value


AttachmentIds = Annotated[
    list[ResourceId],
    Field(max_length=MAX_ATTACHMENTS),
    AfterValidator(_distinct),
    Field(
        description=(
            f"Attachment ids, at most {MAX_ATTACHMENTS}, no repeats: each one yours, uploaded, and not in another"
            " message. In a form, attachments[]=<id> once per file."
        )
    ),
]


class DeletedContact(BaseModel):
    """A contact deleted since it sent the message: its id, and `deleted` (Stripe's convention
    for a deleted object)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Unique identifier for the contact, deleted since.")
    deleted: Literal[True] = Field(description="Always true: the contact has been deleted.")


class Message(BaseModel):
    """The message object, exactly the nine fields of the API reference."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Unique identifier for the message.")
    conversation_id: str = Field(description=CONVERSATION_ID)
    contact: Contact | DeletedContact | None = Field(
        description=(
            "The contact who sent the message, as GET /v1/contacts/:id returns it now; "
            '{"id": ..., "deleted": true} once that contact is deleted; null for a message you sent yourself.'
        )
    )
    message: str = Field(description="The message content.")
    reactions: list[dict[str, list[str]]] = Field(
        description=(
            "The reactions to the message: objects with one key, the reaction's name, whose value "
            'lists who reacted, e.g. [{"red_angry_face": ["KateMcCallister"]}].'
        )
    )
    attachments: list[Attachment] = Field(
        description=(
            "The files attached to the message, in the order they were attached, each as"
            " GET /v1/attachments/:id returns it."
        )
    )
    read_at: int | None = Field(description=f"{READ_AT}; null while it is unread.")
    created_at: int = Field(description="Timestamp of when the message was created, in unix seconds.")
    updated_at: int | None = Field(
        description=(
            "Timestamp of when the message was last updated, in unix seconds: its text or reactions "
            "changed. null until then."
        )
    )


VersionedMessage = Versioned[Message]


class MessageList(BaseModel):
    """One page of messages."""

    has_more: bool = Field(description="Whether more messages lie beyond this page, in the direction you are paging.")
    data: list[Message] = Field(description="The messages of this page, newest first.")


class CreateMessageRequest(BaseModel):
    # strict, as for conversations: form bodies are converted to real types before validation.
    model_config = ConfigDict(extra="forbid", strict=True)
    # The message's other fields: a 400 says they cannot be set, not that they are unknown.
    # The sender is given as contact_id; reactions and read_at are changed with an update.
    read_only_fields: ClassVar[frozenset[str]] = frozenset(
        {"id", "contact", "reactions", "read_at", "created_at", "updated_at"}
    )

    conversation_id: Annotated[
        ResourceId, Field(description=f"{CONVERSATION_ID} It must be one of your conversations.")
    ]
    message: MessageText
    # Absent, not null, when not given: the message was sent by the caller.
    contact_id: Annotated[
        ResourceId,
        Field(
            description=(
                "Records the message as received from this contact rather than sent by you: in a "
                "conversation with a contact, that contact; in a group's conversation, one of the group's "
                "current members. Anything else is a 400 naming contact_id."
            )
        ),
    ] = None  # type: ignore[assignment]
    attachments: AttachmentIds = Field(default_factory=list)


class UpdateMessageRequest(BaseModel):
    """A partial update: only the fields present in the body change."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"minProperties": 1})
    # Fixed when it is sent (contact_id is how the send names the sender), or kept by the
    # service: a 400 says they cannot be changed.
    read_only_fields: ClassVar[frozenset[str]] = frozenset(
        {"id", "conversation_id", "contact", "contact_id", "created_at", "updated_at"}
    )

    # Absent means "leave as is"; null is not a value these three can take.
    message: MessageText = None  # type: ignore[assignment]
    reactions: Reactions = None  # type: ignore[assignment]
    # Every attachment the message has, in order, then the ones to add (removing is a DELETE).
    attachments: AttachmentIds = None  # type: ignore[assignment]
    read_at: Timestamp | None = Field(None, description=f"{READ_AT}, 1970 to 2100; null marks it unread.")

    @model_validator(mode="after")
    def _needs_a_field(self) -> "UpdateMessageRequest":
        if not self.model_fields_set:
            raise ValueError("the body must set at least one of message, reactions, read_at, attachments")
        for name in ("message", "reactions", "attachments"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The stored fields the client sent, with their values (None means clear); not
        `attachments`, which the message keeps as ids and changes with its attachments."""
        return {name: getattr(self, name) for name in self.model_fields_set if name != "attachments"}


@dataclass(frozen=True)
class MessagePageRequest:
    """One list page: one conversation's messages or all the owner's, size, and where it starts."""

    conversation_id: str | None
    limit: int
    position: Position = field(default_factory=Position)
