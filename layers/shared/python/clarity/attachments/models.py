"""The attachment object, the stored record behind it, and the request that renames one."""

import hashlib
from dataclasses import dataclass
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field

from clarity.core.paging import Position
from clarity.core.versioned import Versioned

FILENAME = "The file's name, 1 to 255 characters, no path separators or control characters; downloads use it."
FILE_URL = (
    "A link that downloads the file (as an attachment, under its current filename), valid for an hour and made"
    " fresh on every response. Null until the file is uploaded. Webhook payloads carry null."
)

Filename = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class Attachment(BaseModel):
    """The attachment object, exactly the seven fields of the API reference."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Unique identifier for the attachment.")
    message_id: str | None = Field(description="The message it is attached to; null until it is sent in one.")
    filename: str = Field(description=FILENAME)
    file_url: str | None = Field(description=FILE_URL)
    file_type: str = Field(
        description="Its MIME type, as the upload declared it (lowercased, no parameters), or application/octet-stream."
    )
    file_size: int = Field(description="Its size in bytes.")
    created_at: int = Field(description="Timestamp of when it was uploaded, in unix seconds.")


VersionedAttachment = Versioned[Attachment]


class DirectUpload(BaseModel):
    """Where to send a direct upload's file: a presigned S3 POST."""

    model_config = ConfigDict(frozen=True)

    url: str = Field(description="POST the form here.")
    fields: dict[str, str] = Field(
        description="Send these form fields first, as they are, then the file in the field `file`."
    )
    expires_at: int = Field(description="The form is refused after this time, in unix seconds.")


class CreatedAttachment(Attachment):
    """The answer to a direct upload's create: the attachment, and the form to upload its file with."""

    upload: DirectUpload = Field(
        description=(
            "The presigned S3 POST that uploads the file: its policy takes exactly this key, file_type and "
            "file_size. Only on this answer."
        )
    )


class CreateAttachmentRequest(BaseModel):
    """A direct upload: the file's name, type and size. The file itself goes straight to storage."""

    model_config = ConfigDict(extra="forbid", strict=True)
    read_only_fields: ClassVar[frozenset[str]] = frozenset({"id", "message_id", "file_url", "created_at"})

    filename: Filename = Field(description=FILENAME)
    file_type: str | None = Field(
        default=None, description="Its media type, such as application/pdf; application/octet-stream if absent."
    )
    file_size: int = Field(ge=0, description="Its exact size in bytes; the upload must have exactly this many.")


class AttachmentList(BaseModel):
    """One page of attachments."""

    has_more: bool = Field(
        description="Whether more attachments lie beyond this page, in the direction you are paging."
    )
    data: list[Attachment] = Field(description="The attachments of this page, newest first.")


class UpdateAttachmentRequest(BaseModel):
    """Only filename can change."""

    model_config = ConfigDict(extra="forbid", strict=True)
    read_only_fields: ClassVar[frozenset[str]] = frozenset(
        {"id", "message_id", "file_url", "file_type", "file_size", "created_at"}
    )

    filename: Filename = Field(description=FILENAME)


class FileUpload(BaseModel):
    """A file sent through the API, as the create receives it from the form. A retry that reuses
    an Idempotency-Key must send the same file: compared by digest, the bytes are not kept."""

    model_config = ConfigDict(frozen=True)

    filename: str
    content_type: str | None
    content: bytes = Field(exclude=True, repr=False)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class StoredAttachment:
    """An attachment as its record holds it: where its file is, and whether it is there yet."""

    id: str
    filename: str
    file_type: str
    file_size: int
    object_key: str
    created_at: int
    # False while the file is on its way (its record is made first, so that the quota holds).
    uploaded: bool = False
    message_id: str | None = None
    version: int = 1
    # A direct upload: its file comes through a presigned form, which only a HeadObject confirms.
    direct: bool = False

    def answer(self, file_url: str | None) -> Attachment:
        """The API's object, with a download link made for this response (None: not uploaded)."""
        return Attachment(
            id=self.id,
            message_id=self.message_id,
            filename=self.filename,
            file_url=file_url if self.uploaded else None,
            file_type=self.file_type,
            file_size=self.file_size,
            created_at=self.created_at,
        )


@dataclass(frozen=True)
class AttachmentPageRequest:
    limit: int
    position: Position
    # One conversation's attached files (key-mapped on GSI1), or every attachment of the owner's.
    conversation_id: str | None = None
