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
- A direct upload's form stays usable for an hour whatever happens to its record. So every
  removal of one also leaves a removed-upload mark, in the same transaction, that names the file
  until the form has expired; then the sweep deletes the file again, should the form have stored
  one meanwhile, and the mark. No object outlives its record for longer than that.
- Only a direct upload is confirmed by looking for its file (HeadObject): an upload through the
  API marks its own record, and one still on its way is not the reader's to mark.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from clarity.attachments.models import Attachment, AttachmentPageRequest, StoredAttachment
from clarity.core.clock import TICKS_PER_SECOND
from clarity.core.errors import InvalidRequest, NotFound, ServiceUnavailable
from clarity.core.ids import IdTaken, tick_prefix
from clarity.core.paging import Page
from clarity.core.settings import AttachmentSettings
from clarity.store import keys
from clarity.store.dynamodb import (
    BATCH_GET_LIMIT,
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


@dataclass(frozen=True)
class SweepResult:
    removed: int  # uploads whose files never came (or came of another size): records and files
    confirmed: int  # direct uploads whose files came but no one had read them: now uploaded
    removed_files: int  # files of removed direct uploads, deleted once their forms expired


# The record is there and its file not yet: what an upload's last steps change, and only then.
WAITING_FOR_FILE = Expression(
    "attribute_exists(PK) AND #uploaded = :false", {"#uploaded": "uploaded"}, {":false": False}
)
STORED_BYTES = "bytes"
# A transaction holds 100 actions: this many record deletes, as many removed-upload marks at
# most, and the owner's byte count.
RECORDS_PER_REMOVAL = 49
REMOVAL_ATTEMPTS = 4
OBJECT_KEY = "object_key"
# A removed direct upload's mark outlives its form by this much: S3 checks a form's expiry when
# the upload starts, and a large one may still be arriving after it.
FORM_GRACE_SECONDS = 900
REMOVE_AT = "remove_at"


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
        # A record written before `direct` was stored: confirm it by its file, as all were then (a
        # multipart upload marks its own record within seconds, so a waiting one is a direct upload).
        direct=bool(item.get("direct", True)),
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
        keys.WAITING_ATTACHMENTS_KEY: keys.waiting_attachments_partition(stored.id),
        "version": stored.version,
        "direct": stored.direct,
    }


def stored_attachments(table: Table, owner: str, attachment_ids: Sequence[str]) -> dict[str, StoredAttachment]:
    """The owner's attachments of these ids, by id (one BatchGetItem per 100); missing ones left out."""
    if not attachment_ids:
        return {}
    items = table.get_all([keys.attachment_key(owner, attachment_id) for attachment_id in attachment_ids])
    return {str(item["id"]): to_stored(item) for item in items}


class AttachmentRepository:
    def __init__(self, table: Table, bucket: Callable[[], Bucket], settings: AttachmentSettings) -> None:
        self._table = table
        # Made on first use: a message function reaches S3 only for a message with files.
        self._bucket_of = bucket
        self._settings = settings

    @cached_property
    def _bucket(self) -> Bucket:
        return self._bucket_of()

    def answers(self, owner: str, attachment_ids: Sequence[str]) -> dict[str, Attachment]:
        """The objects of the owner's attachments of these ids, each with a download link made
        now; ids of attachments deleted since are left out."""
        found = stored_attachments(self._table, owner, attachment_ids)
        return {
            attachment_id: stored.answer(self.download_url(stored) if stored.uploaded else None)
            for attachment_id, stored in found.items()
        }

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
            if failed.item is not None:  # marked by someone else meanwhile: the file is theirs too
                return to_stored(failed.item)
            self._bucket.delete_all([stored.object_key])
            raise NotFound(RESOURCE, stored.id) from failed

    def _mark_uploaded(self, owner: str, stored: StoredAttachment) -> StoredAttachment:
        """The file is there: the record says so, and is no longer due to expire. Only while it
        waits for its file (ConditionFailed otherwise)."""
        names = {"#uploaded": "uploaded", "#expires": "expires_at", "#waiting": keys.WAITING_ATTACHMENTS_KEY}
        update = Expression("SET #uploaded = :true REMOVE #expires, #waiting", names, {":true": True})
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

    def _release(self, owner: str, stored: StoredAttachment) -> bool:
        """Undo a reservation whose file did not arrive. Any file first (S3 may have stored what
        it reported failing): until the record goes, it names the file for the expiry sweep. Then
        the record and its count together, only while the record still waits for its file: a
        delete that came first has uncounted it already."""
        self._bucket.delete_all([stored.object_key])
        request = {"TableName": self._table.name, "Key": serialize(keys.attachment_key(owner, stored.id))}
        record = {"Delete": with_expressions(request, condition=WAITING_FOR_FILE)}
        removed = self._removed_upload_marks(owner, [stored])
        try:
            self._table.transact([record, self._count_bytes(owner, -stored.file_size), *removed])
        except TransactionCancelled:
            return False  # deleted (or confirmed) meanwhile: its delete uncounted it
        return True

    def _removed_upload_marks(self, owner: str, removed: Sequence[StoredAttachment]) -> list[dict[str, Any]]:
        """For the transaction that removes these records: a mark for each direct upload, naming
        its file until its form has expired (the sweep then deletes both)."""
        return [
            self._table.put_action(
                {
                    **keys.removed_attachment_key(owner, stored.id),
                    OBJECT_KEY: stored.object_key,
                    REMOVE_AT: stored.created_at + self._settings.link_seconds + FORM_GRACE_SECONDS,
                    keys.WAITING_ATTACHMENTS_KEY: keys.removed_attachments_partition(stored.id),
                }
            )
            for stored in removed
            if stored.direct
        ]

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
            removed = self._removed_upload_marks(owner, [to_stored(item)])
            return [delete, self._count_bytes(owner, -int(item["file_size"])), *removed]

        def remove_file(mark: Mapping[str, Any]) -> None:
            self._bucket.delete_all([str(mark[OBJECT_KEY])])

        remove_with_mark(self._table, owner, target, expected_version, plan, remove_file)

    def arrived(self, owner: str, current: Mapping[str, Any] | None) -> bool:
        """Whether an attachment a send found waiting for its file (its record as the refused
        transaction saw it) has its file now: a direct upload confirmed on the spot."""
        if current is None or current.get("uploaded") or current.get("message_id"):
            return False
        stored = to_stored(current)
        return stored.direct and self.confirm(owner, stored).uploaded

    def sweep(self, now: int) -> SweepResult:
        """The hourly sweep, across owners: the direct uploads whose forms have expired, and
        uploads of any kind still waiting for their files at their `expires_at`."""
        removed_files = self._sweep_removed_uploads(now)
        confirmed, removed = self._sweep_waiting(now)
        return SweepResult(removed=removed, confirmed=confirmed, removed_files=removed_files)

    def _sweep_waiting(self, now: int) -> tuple[int, int]:
        """Each upload still waiting at its `expires_at`: a direct upload whose file is there, of
        its size, is confirmed (no one read it yet); any other goes with its file and its count
        (only while it still waits). How many were confirmed, and how many removed."""
        # Every id made in a second up to now - waiting sorts before the first tick of the next.
        created_before = tick_prefix((now - self._settings.waiting_seconds + 1) * TICKS_PER_SECOND)
        confirmed = removed = 0
        for shard in range(keys.WAITING_ATTACHMENT_SHARDS):
            partition = keys.waiting_attachments_shard(shard)
            for entries in self._sweep_index(partition, keys.attachment_sort_key(created_before)):
                found = self._table.get_all([{keys.PK: e[keys.PK], keys.SK: e[keys.SK]} for e in entries])
                for item in found:
                    if item.get("uploaded") or int(item.get("expires_at", now + 1)) > now:
                        continue
                    owner, stored = keys.owner_of_partition(str(item[keys.PK])), to_stored(item)
                    # The form expired long ago: what S3 holds now is all that will ever come.
                    if stored.direct and self._bucket.size_of(stored.object_key) == stored.file_size:
                        confirmed += self._confirmed(owner, stored)
                    else:
                        removed += self._release(owner, stored)
        return confirmed, removed

    def _confirmed(self, owner: str, stored: StoredAttachment) -> bool:
        try:
            self._mark_uploaded(owner, stored)
        except ConditionFailed:
            return False  # confirmed (or deleted) by a request meanwhile
        return True

    def _sweep_removed_uploads(self, now: int) -> int:
        """Delete what the forms of removed direct uploads stored after their records went, once
        the forms have expired; then their marks. How many files were deleted (absent ones too)."""
        deleted = 0
        for shard in range(keys.WAITING_ATTACHMENT_SHARDS):
            partition = keys.removed_attachments_shard(shard)
            for entries in self._sweep_index(partition, None):
                marks = self._table.get_all([{keys.PK: e[keys.PK], keys.SK: e[keys.SK]} for e in entries])
                due = [mark for mark in marks if int(mark[REMOVE_AT]) <= now]
                self._bucket.delete_all([str(entry[OBJECT_KEY]) for entry in due])
                self._table.delete_all([{keys.PK: e[keys.PK], keys.SK: e[keys.SK]} for e in due])
                deleted += len(due)
        return deleted

    def _sweep_index(self, partition: str, before: str | None) -> Iterator[list[Item]]:
        """The keys in one of GSI2's sweep partitions (below a sort key, if given), a page at a
        time. The index holds only keys: the caller reads the items themselves, strongly
        consistent, and so sees any change the index has not caught up with."""
        condition = "#partition = :partition" + (" AND #sk < :before" if before is not None else "")
        values = {":partition": partition, **({":before": before} if before is not None else {})}
        query: dict[str, Any] = {
            "TableName": self._table.name,
            "IndexName": keys.WAITING_ATTACHMENTS_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {
                "#partition": keys.WAITING_ATTACHMENTS_KEY,
                **({"#sk": keys.SK} if before is not None else {}),
            },
            "ExpressionAttributeValues": serialize(values),
            "Limit": BATCH_GET_LIMIT,
        }
        yield from self._table.pages(query)

    def remove_all(self, owner: str, attachment_ids: Sequence[str]) -> None:
        """Delete these attachments for a conversation's delete: their files first (until its
        record goes, each names its file), then up to 99 records in one transaction with their
        bytes uncounted, each on the condition that it is still there, so that a retry after a
        crash never uncounts a file twice."""
        for start in range(0, len(attachment_ids), RECORDS_PER_REMOVAL):
            chunk = attachment_ids[start : start + RECORDS_PER_REMOVAL]
            for _ in range(REMOVAL_ATTEMPTS):
                found = list(stored_attachments(self._table, owner, chunk).values())
                if not found:
                    break
                self._bucket.delete_all([stored.object_key for stored in found])
                there = Expression("attribute_exists(PK)", {}, {})
                deletes = [
                    {
                        "Delete": with_expressions(
                            {"TableName": self._table.name, "Key": serialize(keys.attachment_key(owner, stored.id))},
                            condition=there,
                        )
                    }
                    for stored in found
                ]
                removed = self._removed_upload_marks(owner, found)
                try:
                    self._table.transact(
                        [*deletes, self._count_bytes(owner, -sum(s.file_size for s in found)), *removed]
                    )
                    break
                except TransactionCancelled:
                    continue  # one went meanwhile (its own delete): read the rest again
            else:
                raise ServiceUnavailable("attachments kept changing while being deleted; retry the request")

    def delete_quietly(self, owner: str, attachment_id: str) -> None:
        """Delete an attachment as its message's delete does: one already gone is no error."""
        try:
            self.delete(owner, attachment_id)
        except NotFound:
            return

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
    if size > quota:
        return InvalidRequest(f"file is {size} bytes, more than all {quota} bytes of your attachment storage", "file")
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
