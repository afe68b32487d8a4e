"""The attachments' storage: a record per attachment in its owner's partition (where its file
is, and whether it is there yet), the owner's count of stored bytes, and the files in S3.

A file and its record cannot share a transaction, so every change goes in an order that leaves
nothing unaccounted for should it stop part way:
- An upload writes its record first, its bytes counted against the quota in the same
  transaction, marked not uploaded and due to expire (`expires_at`); then the file; then it marks
  the record uploaded. A record never marked is to be removed with its file when it expires
  (the sweep that does it is a later part of issue 20).
- A delete swaps the record for a removal mark naming the file, and uncounts its bytes, in one
  transaction; then deletes the file; then the mark. A retried delete that finds the mark
  finishes the job (clarity.store.links.remove_with_mark).
"""

from collections.abc import Mapping
from typing import Any

from clarity.attachments.models import AttachmentPageRequest, StoredAttachment
from clarity.core.errors import InvalidRequest, NotFound
from clarity.core.ids import IdTaken
from clarity.core.paging import Page
from clarity.core.settings import AttachmentSettings
from clarity.store import keys
from clarity.store.dynamodb import (
    ConditionFailed,
    Expression,
    Item,
    Table,
    TransactionCancelled,
    missing_or_stale,
    serialize,
    update_expression,
    version_condition,
    with_expressions,
)
from clarity.store.keys import StatusIndex
from clarity.store.links import remove_with_mark
from clarity.store.objects import Bucket, UploadForm
from clarity.store.pages import status_page

RESOURCE = "attachment"
# The record is there and its file not yet: what an upload's last steps change, and only then.
WAITING_FOR_FILE = Expression(
    "attribute_exists(PK) AND #uploaded = :false", {"#uploaded": "uploaded"}, {":false": False}
)
STORED_BYTES = "bytes"
OBJECT_KEY = "object_key"


def to_stored(item: Mapping[str, Any]) -> StoredAttachment:
    return StoredAttachment(
        id=item["id"],
        filename=item["filename"],
        file_type=item["file_type"],
        file_size=int(item["file_size"]),
        object_key=item[OBJECT_KEY],
        created_at=int(item["created_at"]),
        uploaded=bool(item.get("uploaded", False)),
        message_id=item.get("message_id"),
        version=int(item.get("version", 1)),
    )


def to_item(owner: str, stored: StoredAttachment, expires_at: int) -> Item:
    """A new record: not uploaded yet, and due to expire unless its file arrives."""
    return {
        **keys.attachment_key(owner, stored.id),
        "id": stored.id,
        "filename": stored.filename,
        "file_type": stored.file_type,
        "file_size": stored.file_size,
        OBJECT_KEY: stored.object_key,
        "created_at": stored.created_at,
        "uploaded": False,
        "expires_at": expires_at,
        "version": stored.version,
    }


class AttachmentRepository:
    def __init__(self, table: Table, bucket: Bucket, settings: AttachmentSettings) -> None:
        self._table = table
        self._bucket = bucket
        self._settings = settings

    def reserve(self, owner: str, stored: StoredAttachment, expires_at: int) -> None:
        """Write the record and count its bytes, in one transaction, if the owner has room for
        them; otherwise a 400 naming `file` that says how much room is left."""
        quota, size = self._settings.quota_bytes, stored.file_size
        if size > quota:
            raise _no_room(size, quota, quota)
        count = self._count_bytes(owner, size, room=quota - size)
        record = self._table.put_action(to_item(owner, stored, expires_at), "attribute_not_exists(PK)")
        try:
            self._table.transact([record, count])
        except TransactionCancelled as cancelled:
            record_reason, count_reason = cancelled.reasons
            if record_reason.failed:
                raise IdTaken(stored.id) from cancelled
            used = int((count_reason.item or {}).get(STORED_BYTES, 0))
            raise _no_room(size, max(0, quota - used), quota) from cancelled

    def _count_bytes(self, owner: str, size: int, room: int | None = None) -> dict[str, Any]:
        """Add `size` (negative: remove) to the owner's stored bytes; with `room`, only if the
        count is at most `room` before it."""
        update = Expression("ADD #bytes :size", {"#bytes": STORED_BYTES}, {":size": size})
        condition = (
            Expression("attribute_not_exists(#bytes) OR #bytes <= :room", {"#bytes": STORED_BYTES}, {":room": room})
            if room is not None
            else Expression("attribute_exists(PK)", {}, {})
        )
        request = {
            "TableName": self._table.name,
            "Key": serialize(keys.attachment_bytes_key(owner)),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        return {"Update": with_expressions(request, update=update, condition=condition)}

    def upload(self, owner: str, stored: StoredAttachment, body: bytes) -> StoredAttachment:
        """Store the file of a reserved record, then mark the record uploaded. Should the file
        not be stored, the record and its count go (and the error with them). Should the record
        have been deleted while its file was on its way, that delete found no file: this removes it."""
        try:
            self._bucket.put(stored.object_key, body, stored.file_type)
        except Exception:
            self._release(owner, stored)
            raise
        try:
            return self._mark_uploaded(owner, stored)
        except ConditionFailed as failed:
            self._bucket.delete_all([stored.object_key])
            raise NotFound(RESOURCE, stored.id) from failed

    def _mark_uploaded(self, owner: str, stored: StoredAttachment) -> StoredAttachment:
        """The file is there: the record says so, and is no longer due to expire. Only while it
        waits for its file (ConditionFailed otherwise)."""
        names = {"#uploaded": "uploaded", "#expires": "expires_at"}
        update = Expression("SET #uploaded = :true REMOVE #expires", names, {":true": True})
        return to_stored(self._table.update(keys.attachment_key(owner, stored.id), update, WAITING_FOR_FILE))

    def upload_form(self, stored: StoredAttachment) -> UploadForm:
        """The presigned POST that uploads a direct upload's file: exactly its key, type and size."""
        return self._bucket.upload_form(
            stored.object_key, stored.file_type, stored.file_size, self._settings.link_seconds
        )

    def confirm(self, owner: str, stored: StoredAttachment) -> StoredAttachment:
        """A direct upload's record, marked uploaded if its file has arrived (HeadObject). A file of
        another size than declared is refused: the file, the record and its count go, and a 400
        naming `file_size` says so. S3 enforces the form's exact length; this holds even where it
        does not (moto)."""
        size = self._bucket.size_of(stored.object_key)
        if size is None:
            return stored
        if size != stored.file_size:
            self._release(owner, stored)
            raise InvalidRequest(
                f"the file uploaded for attachment '{stored.id}' is {size} bytes, not the file_size"
                f" {stored.file_size} it declared; the attachment and the file are removed: create it again",
                "file_size",
            )
        try:
            return self._mark_uploaded(owner, stored)
        except ConditionFailed:
            return self.get(owner, stored.id)  # confirmed (or deleted) by another request meanwhile

    def _release(self, owner: str, stored: StoredAttachment) -> None:
        """Undo a reservation whose file did not arrive. Any file first (S3 may have stored what
        it reported failing): until the record goes, it names the file for the expiry sweep. Then
        the record and its count together, only while the record still waits for its file: a
        delete that came first has uncounted it already."""
        self._bucket.delete_all([stored.object_key])
        request = {"TableName": self._table.name, "Key": serialize(keys.attachment_key(owner, stored.id))}
        record = {"Delete": with_expressions(request, condition=WAITING_FOR_FILE)}
        try:
            self._table.transact([record, self._count_bytes(owner, -stored.file_size)])
        except TransactionCancelled:
            return  # deleted meanwhile: its delete uncounted it

    def get(self, owner: str, attachment_id: str) -> StoredAttachment:
        item = self._table.get(keys.attachment_key(owner, attachment_id))
        if item is None:
            raise NotFound(RESOURCE, attachment_id)
        return to_stored(item)

    def rename(self, owner: str, attachment_id: str, filename: str, expected_version: int | None) -> StoredAttachment:
        update, condition = update_expression(
            {"filename": filename}, [], bump_version=True, expected_version=expected_version
        )
        try:
            item = self._table.update(keys.attachment_key(owner, attachment_id), update, condition)
        except ConditionFailed as failed:
            raise missing_or_stale(RESOURCE, attachment_id, failed.item) from failed
        return to_stored(item)

    def delete(self, owner: str, attachment_id: str, expected_version: int | None = None) -> None:
        """The record and its count in one transaction, leaving a mark that names the file; then
        the file; then the mark."""
        target = (RESOURCE, attachment_id, keys.attachment_key(owner, attachment_id))

        def plan(item: Item, mark: dict[str, Any]) -> list[dict[str, Any]]:
            mark[OBJECT_KEY] = item[OBJECT_KEY]
            request = {"TableName": self._table.name, "Key": serialize(target[2])}
            unchanged = version_condition(int(item["version"]))
            delete = {"Delete": with_expressions(request, condition=unchanged)}
            return [delete, self._count_bytes(owner, -int(item["file_size"]))]

        def remove_file(mark: Mapping[str, Any]) -> None:
            self._bucket.delete_all([str(mark[OBJECT_KEY])])

        remove_with_mark(self._table, owner, target, expected_version, plan, remove_file)

    def attach_action(self, owner: str, attachment_id: str, message_id: str, conversation_id: str) -> dict[str, Any]:
        """One action of a send's (or a message update's) transaction: the attachment names its
        message, and joins its conversation's partition of GSI1, on the condition that it is the
        owner's, uploaded, and attached to no message yet. So of two sends racing for one
        attachment, exactly one transaction goes through (`attach_refusal` says why the other
        did not)."""
        update = Expression(
            "SET #message = :message, #index = :partition ADD #version :one",
            {
                "#message": "message_id",
                "#index": StatusIndex.ATTACHMENT_CONVERSATION.key_attribute,
                "#version": "version",
            },
            {
                ":message": message_id,
                ":partition": keys.attachments_partition(owner, conversation_id),
                ":one": 1,
            },
        )
        condition = Expression(
            "attribute_exists(PK) AND #uploaded = :true AND attribute_not_exists(#message)",
            {"#uploaded": "uploaded", "#message": "message_id"},
            {":true": True},
        )
        request = {
            "TableName": self._table.name,
            "Key": serialize(keys.attachment_key(owner, attachment_id)),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        return {"Update": with_expressions(request, update=update, condition=condition)}

    def list_page(self, owner: str, request: AttachmentPageRequest) -> Page[StoredAttachment]:
        """Newest first: one conversation's attached files from GSI1 (then read whole), or every
        attachment of the owner's, uploads on their way included. At most limit + 1 entries."""
        conversation = request.conversation_id
        entries = status_page(
            self._table,
            owner,
            prefix=keys.ATTACHMENT_PREFIX,
            sort_key=keys.attachment_sort_key,
            index=StatusIndex.ATTACHMENT_CONVERSATION,
            status=None,
            limit=request.limit,
            position=request.position,
            partition=keys.attachments_partition(owner, conversation) if conversation is not None else None,
        )
        return Page(items=[to_stored(item) for item in entries.items], has_more=entries.has_more)

    def download_url(self, stored: StoredAttachment) -> str:
        return self._bucket.download_url(
            stored.object_key, stored.filename, stored.file_type, self._settings.link_seconds
        )


def _no_room(size: int, room: int, quota: int) -> InvalidRequest:
    return InvalidRequest(
        f"file is {size} bytes, and {room} of your {quota} bytes of attachment storage are left", "file"
    )


def attach_refusal(attachment_id: str, current: Mapping[str, Any] | None) -> InvalidRequest:
    """Why an attachment could not be attached, from the record as the refused transaction found
    it (ReturnValuesOnConditionCheckFailure): a 400 naming `attachments`."""
    if current is None:
        reason = "is not one of your attachments"
    elif current.get("message_id"):
        reason = f"is already attached to message '{current['message_id']}'"
    else:
        reason = "has not been uploaded yet"
    return InvalidRequest(f"attachments lists '{attachment_id}', which {reason}", "attachments")
