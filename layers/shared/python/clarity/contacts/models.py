"""The contact object, the requests that create and change one, and the list filter."""

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from clarity.core.models import WebUrl
from clarity.core.paging import Position
from clarity.core.versioned import Versioned

# The API reference's descriptions, shared by the object and the requests that write it.
USERNAME = "The contact's username: 1 to 64 letters, digits, `_`, `.` or `-`, unique among your contacts."
PHONE_NUMBER = (
    "The contact's phone number, stored exactly as sent (`1-800-759-3000`). It must be a possible number;"
    " one without a leading `+` is read in the service's default region (US unless configured)."
)
AVATAR_URL = "URL of the contact's avatar image: absolute http or https, at most 2,048 characters; never fetched."
DISPLAY_NAME = "How the contact appears in your list, 1 to 100 characters; null shows the username."
USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"

Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN)]
# A phone number is checked by the service (clarity.contacts.phone_numbers), in its region.
PhoneNumberText = Annotated[str, StringConstraints(min_length=1, max_length=64)]
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class Contact(BaseModel):
    """The contact object, exactly the eight fields of the API reference."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Unique identifier for the contact.")
    username: str = Field(description=USERNAME)
    phone_number: str = Field(description=PHONE_NUMBER)
    avatar_url: str | None = Field(description=f"{AVATAR_URL} Null when none was given.")
    display_name: str | None = Field(description=DISPLAY_NAME)
    conversation_id: str | None = Field(
        description="Unique identifier for the conversation between you and this contact; null when there is none."
    )
    last_active_at: int | None = Field(
        description=(
            "Timestamp of when the contact was last active, in unix seconds: the created_at of the newest message"
            " recorded as sent by them; null until one is."
        )
    )
    created_at: int = Field(description="Timestamp of when the contact was added, in unix seconds.")


VersionedContact = Versioned[Contact]


class ContactList(BaseModel):
    """One page of contacts."""

    has_more: bool = Field(description="Whether more contacts lie beyond this page, in the direction you are paging.")
    data: list[Contact] = Field(description="The contacts of this page, newest first.")


class CreateContactRequest(BaseModel):
    # strict, as for the other resources: form bodies are converted to real types first.
    model_config = ConfigDict(extra="forbid", strict=True)
    # The contact's other fields: a 400 says they cannot be set, not that they are unknown.
    read_only_fields: ClassVar[frozenset[str]] = frozenset({"id", "conversation_id", "last_active_at", "created_at"})

    username: Username = Field(description=USERNAME)
    phone_number: PhoneNumberText = Field(description=PHONE_NUMBER)
    avatar_url: WebUrl | None = Field(None, description=AVATAR_URL)
    display_name: DisplayName | None = Field(None, description=DISPLAY_NAME)


class UpdateContactRequest(BaseModel):
    """Only display_name can change; null resets it to showing the username."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"required": ["display_name"]})
    read_only_fields: ClassVar[frozenset[str]] = frozenset(
        {"id", "username", "phone_number", "avatar_url", "conversation_id", "last_active_at", "created_at"}
    )

    display_name: DisplayName | None = Field(None, description=DISPLAY_NAME)

    @model_validator(mode="after")
    def _needs_display_name(self) -> "UpdateContactRequest":
        if "display_name" not in self.model_fields_set:
            raise ValueError("the body must set display_name (null resets it)")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


@dataclass(frozen=True)
class ContactPageRequest:
    """One list page: `active` (a conversation with you, or not), size, and where it starts."""

    limit: int
    active: bool | None = None
    position: Position = field(default_factory=Position)
