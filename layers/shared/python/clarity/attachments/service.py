"""The rules of attachments, independent of HTTP and of DynamoDB's and S3's wire formats."""

from typing import TYPE_CHECKING

from clarity.attachments.models import (
    Attachment,
    AttachmentPageRequest,
    CreateAttachmentRequest,
    CreatedAttachment,
    DirectUpload,
    FileUpload,
    StoredAttachment,
    UpdateAttachmentRequest,
    VersionedAttachment,
)
from clarity.attachments.repository import AttachmentRepository, SweepResult
from clarity.attachments.rules import (
    checked_file_type,
    checked_filename,
    file_type_of,
    new_object_key,
    uploaded_filename,
)
from clarity.core.clock import Clock
from clarity.core.errors import InvalidRequest, PayloadTooLarge
from clarity.core.ids import checked_id, existing_id, stored_under_fresh_id
from clarity.core.paging import Page, position
from clarity.core.retry_safe import RetrySafeCreate
from clarity.core.settings import AttachmentSettings
from clarity.core.versioned import Versioned

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

RESOURCE = "attachment"


class AttachmentService:
    def __init__(
        self,
        repository: AttachmentRepository,
        clock: Clock,
        settings: AttachmentSettings,
        idempotency_store: "BasePersistenceLayer | None" = None,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._settings = settings
        # One operation for both: a key used for an upload and then a direct upload is a 409. A
        # replay answers the attachment as it is now: a stored link would have expired.
        self.upload_idempotently = RetrySafeCreate(
            "createAttachment", self.upload_file, Attachment, idempotency_store, self._replayed_upload
        )
        self.create_direct_idempotently = RetrySafeCreate(
            "createAttachment", self.create_direct, CreatedAttachment, idempotency_store, self._replayed_direct
        )

    def upload_file(self, owner: str, upload: FileUpload) -> VersionedAttachment:
        return self.upload(owner, upload.filename, upload.content_type, upload.content)

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
        reserved = self._reserve(owner, name, file_type_of(declared_type), len(body))
        return self._answered(self._repository.upload(owner, reserved, body))

    def create_direct(self, owner: str, request: CreateAttachmentRequest) -> Versioned[CreatedAttachment]:
        """A direct upload: the record, counted against the quota, and a form that uploads exactly
        the file declared straight to S3. The file is confirmed when the attachment is next read."""
        name = checked_filename(request.filename)
        file_type = checked_file_type(request.file_type)
        limit = self._settings.max_direct_upload_bytes
        if request.file_size > limit:
            raise InvalidRequest(f"file_size is {request.file_size} bytes; a file may be at most {limit}", "file_size")
        reserved = self._reserve(owner, name, file_type, request.file_size, direct=True)
        form = self._repository.upload_form(reserved)
        expires_at = reserved.created_at + self._settings.link_seconds
        upload = DirectUpload(url=form.url, fields=form.fields, expires_at=expires_at)
        created = CreatedAttachment(**reserved.answer(None).model_dump(), upload=upload)
        return Versioned(created, reserved.version)

    def _reserve(self, owner: str, filename: str, file_type: str, size: int, direct: bool = False) -> StoredAttachment:
        """A new record under a fresh id, its bytes counted, waiting for its file."""

        def reserve(attachment_id: str, created_at: int) -> StoredAttachment:
            stored = StoredAttachment(
                id=attachment_id,
                filename=filename,
                file_type=file_type,
                file_size=size,
                object_key=new_object_key(owner, attachment_id),
                created_at=created_at,
                direct=direct,
            )
            self._repository.reserve(owner, stored, expires_at=created_at + self._settings.waiting_seconds)
            return stored

        return stored_under_fresh_id(self._clock, reserve, RESOURCE)

    def sweep(self) -> SweepResult:
        """Settle the uploads that waited a day (confirm the files that came, remove the rest),
        and delete what removed direct uploads' expired forms stored."""
        return self._repository.sweep(self._clock.now())

    def retrieve(self, owner: str, attachment_id: str) -> VersionedAttachment:
        return self._answered(self._current(owner, existing_id(RESOURCE, attachment_id)))

    def _current(self, owner: str, attachment_id: str) -> StoredAttachment:
        """The attachment's record; a direct upload still waiting for its file is checked for it first."""
        stored = self._repository.get(owner, attachment_id)
        if stored.direct and not stored.uploaded:
            stored = self._repository.confirm(owner, stored)
        return stored

    def _replayed_upload(self, owner: str, first: VersionedAttachment) -> VersionedAttachment:
        """A retried upload: the attachment it made, as it is now (404 if deleted since)."""
        return self._answered(self._repository.get(owner, first.resource.id))

    def _replayed_direct(self, owner: str, first: Versioned[CreatedAttachment]) -> Versioned[CreatedAttachment]:
        """A retried direct upload: the attachment as it is now (a retrieve confirms its file, not
        this), and the form the first answer gave (a new one would outlive the removed-upload mark
        that bounds the first's use)."""
        stored = self._repository.get(owner, first.resource.id)
        answer = CreatedAttachment(**self._answer(stored).model_dump(), upload=first.resource.upload)
        return Versioned(answer, stored.version)

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
