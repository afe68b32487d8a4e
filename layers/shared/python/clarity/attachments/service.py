"""The rules of attachments, independent of HTTP and of DynamoDB's and S3's wire formats."""

from clarity.attachments.models import (
    Attachment,
    AttachmentPageRequest,
    StoredAttachment,
    UpdateAttachmentRequest,
    VersionedAttachment,
)
from clarity.attachments.repository import AttachmentRepository
from clarity.attachments.rules import checked_filename, file_type_of, new_object_key, uploaded_filename
from clarity.core.clock import Clock
from clarity.core.errors import PayloadTooLarge
from clarity.core.ids import checked_id, existing_id, stored_under_fresh_id
from clarity.core.paging import Page, position
from clarity.core.settings import AttachmentSettings
from clarity.core.versioned import Versioned

RESOURCE = "attachment"
# An upload's record waits this long for its file; past it, both are removed.
PENDING_SECONDS = 24 * 60 * 60


class AttachmentService:
    def __init__(self, repository: AttachmentRepository, clock: Clock, settings: AttachmentSettings) -> None:
        self._repository = repository
        self._clock = clock
        self._settings = settings

    def upload(self, owner: str, filename: str, declared_type: str | None, body: bytes) -> VersionedAttachment:
        """Store a file sent through the API: its record (counted against the quota), then its
        bytes, exactly as sent."""
        name = uploaded_filename(filename)
        limit = self._settings.max_upload_bytes
        if len(body) > limit:
            raise PayloadTooLarge(
                f"file is {len(body)} bytes; an upload through this request takes at most {limit} bytes."
                " For a larger file, create the attachment with a JSON body {filename, file_type, file_size}"
                " and upload the file straight to storage with the form it answers"
            )
        file_type = file_type_of(declared_type)

        def reserve(attachment_id: str, created_at: int) -> StoredAttachment:
            stored = StoredAttachment(
                id=attachment_id,
                filename=name,
                file_type=file_type,
                file_size=len(body),
                object_key=new_object_key(owner, attachment_id),
                created_at=created_at,
            )
            self._repository.reserve(owner, stored, expires_at=created_at + PENDING_SECONDS)
            return stored

        reserved = stored_under_fresh_id(self._clock, reserve, RESOURCE)
        return self._answered(self._repository.upload(owner, reserved, body))

    def retrieve(self, owner: str, attachment_id: str) -> VersionedAttachment:
        return self._answered(self._repository.get(owner, existing_id(RESOURCE, attachment_id)))

    def update(
        self, owner: str, attachment_id: str, request: UpdateAttachmentRequest, expected_version: int | None = None
    ) -> VersionedAttachment:
        name = checked_filename(request.filename)
        renamed = self._repository.rename(owner, existing_id(RESOURCE, attachment_id), name, expected_version)
        return self._answered(renamed)

    def delete(self, owner: str, attachment_id: str, expected_version: int | None = None) -> None:
        self._repository.delete(owner, existing_id(RESOURCE, attachment_id), expected_version)

    def list(
        self,
        owner: str,
        limit: int,
        conversation_id: str | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
    ) -> Page[Attachment]:
        """Newest first: one conversation's attached files, or all of the owner's attachments."""
        conversation = checked_id(conversation_id, "conversation_id") if conversation_id is not None else None
        request = AttachmentPageRequest(limit, position(starting_after, ending_before), conversation)
        page = self._repository.list_page(owner, request)
        return Page(items=[self._answer(stored) for stored in page.items], has_more=page.has_more)

    def _answer(self, stored: StoredAttachment) -> Attachment:
        """The object with a download link made now: links expire, so none is ever stored."""
        return stored.answer(self._repository.download_url(stored) if stored.uploaded else None)

    def _answered(self, stored: StoredAttachment) -> VersionedAttachment:
        return Versioned(self._answer(stored), stored.version)
