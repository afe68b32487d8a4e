"""The group object, the requests that create and change one, and the list filter."""

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from clarity.contacts.models import Contact
from clarity.core.models import ResourceId, Timestamp, WebUrl
from clarity.core.paging import Position
from clarity.core.versioned import Versioned

# A group's members and its item, its conversation's, all fit in one transaction up to this
# many joins; the README's "Groups" section says how the rest are added.
MAX_MEMBERS = 100

NAME = "The group's name, 1 to 100 characters."
DESCRIPTION = "What the group is about, at most 1,000 characters."
AVATAR_URL = "URL of the group's avatar image: absolute http or https, at most 2,048 characters; never fetched."
ARCHIVED_AT = "Timestamp of when the group was archived, in unix seconds"
CONTACTS = (
    "The group's members: ids of your contacts, at most 100, no repeats, in the order they are listed. "
    "In a form, repeat `contacts[]=<id>`."
)

GroupName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Description = Annotated[str, StringConstraints(max_length=1000)]


def _no_repeats(contact_ids: list[str]) -> list[str]:
    repeated = sorted({contact_id for contact_id in contact_ids if contact_ids.count(contact_id) > 1})
    if repeated:
        raise ValueError(f"lists '{repeated[0]}' more than once")
    return contact_ids


MemberIds = Annotated[list[ResourceId], Field(max_length=MAX_MEMBERS), AfterValidator(_no_repeats)]


class Group(BaseModel):
    """The group object, exactly the eight fields of the API reference."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Unique identifier for the group.")
    name: str = Field(description=NAME)
    description: str | None = Field(description=f"{DESCRIPTION} Null when none was given.")
    avatar_url: str | None = Field(description=f"{AVATAR_URL} Null when none was given.")
    conversation_id: str | None = Field(
        description=(
            "Unique identifier for the group's conversation, created with the group; null once that "
            "conversation is deleted, until it is opened again."
        )
    )
    contacts: list[Contact] = Field(
        description="The members, in the order given, each as GET /v1/contacts/:id returns it now."
    )
    created_at: int = Field(description="Timestamp of when the group was created, in unix seconds.")
    archived_at: int | None = Field(description=f"{ARCHIVED_AT}; null when it is not archived.")


VersionedGroup = Versioned[Group]


@dataclass(frozen=True)
class StoredGroup:
    """A group as stored: its members as ids, read as contacts when it is answered."""

    id: str
    name: str
    description: str | None
    avatar_url: str | None
    conversation_id: str | None
    member_ids: list[str]
    created_at: int
    archived_at: int | None
    version: int = 1

    def with_members(self, contacts: dict[str, Contact]) -> Group:
        """The group as the API answers it; a member deleted a moment ago is left out."""
        return Group(
            id=self.id,
            name=self.name,
            description=self.description,
            avatar_url=self.avatar_url,
            conversation_id=self.conversation_id,
            contacts=[contacts[member] for member in self.member_ids if member in contacts],
            created_at=self.created_at,
            archived_at=self.archived_at,
        )


class GroupList(BaseModel):
    """One page of groups."""

    has_more: bool = Field(description="Whether more groups lie beyond this page, in the direction you are paging.")
    data: list[Group] = Field(description="The groups of this page, newest first.")


class CreateGroupRequest(BaseModel):
    # strict, as for the other resources: form bodies are converted to real types first.
    model_config = ConfigDict(extra="forbid", strict=True)
    # The group's other fields: a 400 says they cannot be set, not that they are unknown.
    read_only_fields: ClassVar[frozenset[str]] = frozenset({"id", "conversation_id", "created_at", "archived_at"})

    name: GroupName = Field(description=NAME)
    description: Description | None = Field(None, description=DESCRIPTION)
    avatar_url: WebUrl | None = Field(None, description=AVATAR_URL)
    contacts: MemberIds = Field(default_factory=list, description=CONTACTS)


class UpdateGroupRequest(BaseModel):
    """A partial update: only the fields present in the body change; null clears."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"minProperties": 1})
    read_only_fields: ClassVar[frozenset[str]] = frozenset({"id", "conversation_id", "created_at"})

    # Absent means "leave as is"; a group always has a name, and a member list (maybe empty).
    name: GroupName = Field(None, description=NAME)  # type: ignore[assignment]
    description: Description | None = Field(None, description=f"{DESCRIPTION} Null clears it.")
    avatar_url: WebUrl | None = Field(None, description=f"{AVATAR_URL} Null clears it.")
    contacts: MemberIds = Field(None, description=f"{CONTACTS} Replaces the whole list.")  # type: ignore[arg-type]
    archived_at: Timestamp | None = Field(None, description=f"{ARCHIVED_AT}, 1970 to 2100; null unarchives it.")

    @model_validator(mode="after")
    def _needs_a_field(self) -> "UpdateGroupRequest":
        if not self.model_fields_set:
            raise ValueError("the body must set at least one of name, description, avatar_url, contacts, archived_at")
        for name in ("name", "contacts"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their values (None means clear)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


@dataclass(frozen=True)
class GroupPageRequest:
    """One list page: `archived`, size, and where it starts."""

    limit: int
    archived: bool | None = None
    position: Position = field(default_factory=Position)
