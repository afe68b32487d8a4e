"""The conversation object, the requests that create and change one, and list filters."""

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from clarity.core.models import ResourceId, Timestamp
from clarity.core.paging import Position
from clarity.core.versioned import Versioned

# The API reference's descriptions, shared by the object and the requests that write it.
CONTACT_ID = "Unique identifier for the other contact in the conversation."
GROUP_ID = "Unique identifier for the group that the conversation belongs to."
PINNED_MESSAGE_ID = "Unique identifier for the pinned message."
IS_PINNED = "Whether or not the conversation has been pinned."
IS_MUTED = "Whether or not the conversation has been muted."
ARCHIVED_AT = "Timestamp of when the conversation was archived, in unix seconds"
ID_FORMAT = "16 characters of [A-Za-z0-9]"
ONE_OF_TWO = (
    "Give exactly one of contact_id and group_id. A contact or group has one conversation: opening it again "
    "answers 200 with that conversation."
)


class Conversation(BaseModel):
    """The conversation object, exactly the ten fields of the API reference."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Unique identifier for the conversation.")
    contact_id: str | None = Field(description=CONTACT_ID)
    group_id: str | None = Field(description=GROUP_ID)
    pinned_message_id: str | None = Field(description=PINNED_MESSAGE_ID)
    is_pinned: bool = Field(description=IS_PINNED)
    is_muted: bool = Field(description=IS_MUTED)
    last_active_at: int | None = Field(
        description=(
            "Timestamp of when the conversation was last active, in unix seconds: the created_at of its "
            "newest message; null until one is sent."
        )
    )
    last_opened_at: int | None = Field(
        description=(
            "Timestamp of when the conversation was last opened by the authenticated user, in unix "
            "seconds: retrieving it opens it."
        )
    )
    created_at: int = Field(description="Timestamp of when the conversation was created, in unix seconds.")
    archived_at: int | None = Field(description=f"{ARCHIVED_AT}; null when it is not archived.")

    @classmethod
    def started(
        cls, conversation_id: str, created_at: int, contact_id: str | None = None, group_id: str | None = None
    ) -> "Conversation":
        """A conversation as it is created: not pinned, muted, archived or ever opened."""
        return cls(
            id=conversation_id,
            contact_id=contact_id,
            group_id=group_id,
            pinned_message_id=None,
            is_pinned=False,
            is_muted=False,
            last_active_at=None,
            last_opened_at=None,
            created_at=created_at,
            archived_at=None,
        )


VersionedConversation = Versioned[Conversation]


class ConversationList(BaseModel):
    """One page of conversations."""

    has_more: bool = Field(
        description="Whether more conversations lie beyond this page, in the direction you are paging."
    )
    data: list[Conversation] = Field(description="The conversations of this page, newest first.")


class CreateConversationRequest(BaseModel):
    # strict: JSON `"true"` is not a boolean and `"12"` is not a timestamp; form bodies are
    # converted to real types before validation (clarity.http.request_body).
    """Exactly one of contact_id and group_id, naming one of your contacts or groups: a 400 says
    which is missing or wrong.

    The rule is not written as a top-level `anyOf` in the schema: client generators turn such a
    body into an untyped one (`body: Any`)."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"minProperties": 1})
    # The conversation's other fields: a 400 says they cannot be set, not that they are unknown.
    read_only_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "id",
            "pinned_message_id",
            "is_pinned",
            "is_muted",
            "last_active_at",
            "last_opened_at",
            "created_at",
            "archived_at",
        }
    )

    # Absent, not null, when not given: the documented schema says "a string, if present".
    contact_id: Annotated[
        ResourceId, Field(description=f"{CONTACT_ID} {ID_FORMAT}: one of your contacts. {ONE_OF_TWO}")
    ] = None  # type: ignore[assignment]
    group_id: Annotated[ResourceId, Field(description=f"{GROUP_ID} {ID_FORMAT}: one of your groups. {ONE_OF_TWO}")] = (
        None  # type: ignore[assignment]
    )

    @model_validator(mode="after")
    def _needs_contact_or_group(self) -> "CreateConversationRequest":
        if self.contact_id is None and self.group_id is None:
            raise ValueError("contact_id or group_id is required")
        if self.contact_id is not None and self.group_id is not None:
            raise ValueError("give contact_id or group_id, not both: a conversation is with a contact or a group")
        return self


class UpdateConversationRequest(BaseModel):
    """A partial update: only the fields present in the body change; null clears."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"minProperties": 1},
    )
    # Fixed when it is created, or kept by the service: a 400 says they cannot be changed.
    read_only_fields: ClassVar[frozenset[str]] = frozenset(
        {"id", "contact_id", "group_id", "last_active_at", "last_opened_at", "created_at"}
    )

    pinned_message_id: ResourceId | None = Field(
        None, description=f"{PINNED_MESSAGE_ID} It must be one of this conversation's messages; null unpins."
    )
    # Absent means "leave as is"; null is not a value these two can take.
    is_pinned: StrictBool = Field(None, description=IS_PINNED)  # type: ignore[assignment]
    is_muted: StrictBool = Field(None, description=IS_MUTED)  # type: ignore[assignment]
    archived_at: Timestamp | None = Field(None, description=f"{ARCHIVED_AT}, 1970 to 2100; null unarchives it.")

    @model_validator(mode="after")
    def _needs_a_field(self) -> "UpdateConversationRequest":
        if not self.model_fields_set:
            raise ValueError("the body must set at least one of pinned_message_id, is_pinned, is_muted, archived_at")
        for name in ("is_pinned", "is_muted"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} must be true or false, not null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their values (None means clear)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


@dataclass(frozen=True)
class ListFilters:
    muted: bool | None = None
    archived: bool | None = None
    pinned: bool | None = None
    group_id: str | None = None


@dataclass(frozen=True)
class PageRequest:
    """One list page: filters, size, and where it starts."""

    filters: ListFilters
    limit: int
    position: Position = field(default_factory=Position)
