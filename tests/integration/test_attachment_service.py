"""Attachments below HTTP (issue 20, part 1): an upload stores exactly its bytes with its record
counted against the quota; renames, deletes and lists; the order of writes that leaves nothing
behind when a step fails. DynamoDB and S3 are moto's, in process; Stubber and injected faults
reach what moto cannot."""

import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from clarity.attachments.models import StoredAttachment, UpdateAttachmentRequest
from clarity.attachments.repository import AttachmentRepository, attach_refusal
from clarity.attachments.service import AttachmentService
from clarity.core.errors import InvalidRequest, NotFound, PayloadTooLarge, PreconditionFailed, ServiceUnavailable
from clarity.core.settings import AttachmentSettings, Settings
from clarity.store import keys
from clarity.store.dynamodb import TransactionCancelled, deserialize, serialize
from clarity.store.objects import Bucket
from clarity.wiring import Files, Services, build_services
from devtools.template import create_tables
from tests.support import cancel_transaction, failed_check

TABLE = "attachments-test"
BUCKET = "attachments-test-files"


@dataclass
class World:
    services: Services
    dynamodb: Any
    s3: Any

    @property
    def attachments(self) -> AttachmentService:
        return self.services.attachments

    def stored_bytes(self, owner: str) -> int:
        item = self.dynamodb.get_item(TableName=TABLE, Key=serialize(keys.attachment_bytes_key(owner)))
        return int(item.get("Item", {}).get("bytes", {"N": "0"})["N"])

    def objects(self) -> list[str]:
        return [entry["Key"] for entry in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]

    def record(self, owner: str, attachment_id: str) -> dict[str, Any] | None:
        item = self.dynamodb.get_item(TableName=TABLE, Key=serialize(keys.attachment_key(owner, attachment_id)))
        return deserialize(item["Item"]) if "Item" in item else None


def _world(settings: AttachmentSettings) -> Iterator[World]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(dynamodb, TABLE, stream=False)
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        files = Files(replace(settings, bucket=BUCKET), s3=s3)
        yield World(build_services(Settings.for_table(TABLE), dynamodb, files=files), dynamodb, s3)


@pytest.fixture
def world() -> Iterator[World]:
    yield from _world(AttachmentSettings(max_upload_bytes=1000, quota_bytes=2500))


def _stored_body(world: World, attachment_id: str, owner: str = "alice") -> bytes:
    record = world.record(owner, attachment_id)
    assert record is not None
    body: bytes = world.s3.get_object(Bucket=BUCKET, Key=record["object_key"])["Body"].read()
    return body


@pytest.mark.parametrize("body", [b"", b"\xff", bytes(range(256)) * 3 + b"\x00" * 232], ids=["empty", "0xFF", "1000"])
def test_an_upload_stores_exactly_the_bytes_sent_and_answers_the_object(world: World, body: bytes) -> None:
    created = world.attachments.upload("alice", "Invoice.pdf", "application/pdf", body)

    attachment = created.resource
    assert (attachment.filename, attachment.file_type, attachment.file_size) == (
        "Invoice.pdf",
        "application/pdf",
        len(body),
    )
    assert attachment.message_id is None and created.version == 1
    assert attachment.file_url is not None
    assert _stored_body(world, attachment.id) == body
    assert world.stored_bytes("alice") == len(body)


def test_the_largest_upload_allowed_passes_and_one_byte_more_is_a_413_pointing_at_the_direct_upload(
    world: World,
) -> None:
    world.attachments.upload("alice", "max.bin", None, b"\xab" * 1000)

    with pytest.raises(PayloadTooLarge, match="JSON body"):
        world.attachments.upload("alice", "over.bin", None, b"\xab" * 1001)
    assert world.stored_bytes("alice") == 1000  # nothing counted for the refused one
    assert len(world.objects()) == 1


def test_a_path_is_cut_to_its_last_segment_and_a_bad_name_is_a_400_naming_file(world: World) -> None:
    for sent, kept in (("../Invoice.pdf", "Invoice.pdf"), ("C:\\docs\\a b.pdf", "a b.pdf"), ("/etc/passwd", "passwd")):
        assert world.attachments.upload("alice", sent, None, b"x").resource.filename == kept
    for bad in ("dir/", "..", "a\x00b", "x" * 256, "a\u202egpj.exe", "tab\there"):
        with pytest.raises(InvalidRequest) as refused:
            world.attachments.upload("alice", bad, None, b"x")
        assert refused.value.param == "file"


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        ("application/pdf", "application/pdf"),
        ("IMAGE/PNG", "image/png"),
        ("text/plain; charset=utf-8", "text/plain"),
        ("nonsense", "application/octet-stream"),
        ("text/html\r\nX-Evil: 1", "application/octet-stream"),
        (None, "application/octet-stream"),
        ("", "application/octet-stream"),
    ],
)
def test_the_declared_type_is_kept_when_well_formed(world: World, declared: str | None, kept: str) -> None:
    assert world.attachments.upload("alice", "f", declared, b"x").resource.file_type == kept


def test_the_quota_counts_every_owner_apart_and_says_how_much_room_is_left(world: World) -> None:
    world.attachments.upload("alice", "a", None, b"a" * 1000)
    world.attachments.upload("alice", "b", None, b"b" * 1000)

    with pytest.raises(InvalidRequest, match="500 of your 2500 bytes") as refused:
        world.attachments.upload("alice", "c", None, b"c" * 501)
    assert refused.value.param == "file"
    world.attachments.upload("alice", "d", None, b"d" * 500)  # exactly the room left
    world.attachments.upload("bob", "e", None, b"e" * 1000)  # bob's quota is his own
    assert (world.stored_bytes("alice"), world.stored_bytes("bob")) == (2500, 1000)


def test_a_delete_frees_its_room_and_its_file(world: World) -> None:
    kept = world.attachments.upload("alice", "kept", None, b"k" * 1000).resource
    gone = world.attachments.upload("alice", "gone", None, b"g" * 1000).resource

    world.attachments.delete("alice", gone.id)

    assert world.stored_bytes("alice") == 1000
    assert len(world.objects()) == 1 and _stored_body(world, kept.id) == b"k" * 1000
    with pytest.raises(NotFound):
        world.attachments.retrieve("alice", gone.id)
    with pytest.raises(NotFound):
        world.attachments.delete("alice", gone.id)


def test_a_rename_changes_the_name_downloads_use_and_the_version(world: World) -> None:
    created = world.attachments.upload("alice", "Invoice.pdf", "application/pdf", b"%PDF")

    renamed = world.attachments.update("alice", created.resource.id, UpdateAttachmentRequest(filename="Paid.pdf"))

    assert renamed.resource.filename == "Paid.pdf" and renamed.version == 2
    url = renamed.resource.file_url
    assert url is not None
    disposition = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["response-content-disposition"][0]
    assert 'filename="Paid.pdf"' in disposition
    with pytest.raises(PreconditionFailed):
        world.attachments.update(
            "alice", created.resource.id, UpdateAttachmentRequest(filename="x"), expected_version=1
        )
    with pytest.raises(InvalidRequest) as refused:
        world.attachments.update("alice", created.resource.id, UpdateAttachmentRequest(filename="../x"))
    assert refused.value.param == "filename"


def test_a_delete_with_a_stale_etag_changes_nothing(world: World) -> None:
    created = world.attachments.upload("alice", "a", None, b"a")
    world.attachments.update("alice", created.resource.id, UpdateAttachmentRequest(filename="b"))

    with pytest.raises(PreconditionFailed):
        world.attachments.delete("alice", created.resource.id, expected_version=1)
    assert world.attachments.retrieve("alice", created.resource.id).resource.filename == "b"
    assert len(world.objects()) == 1


def test_another_owner_sees_nothing_of_yours(world: World) -> None:
    created = world.attachments.upload("alice", "a", None, b"a").resource

    for attempt in (
        lambda: world.attachments.retrieve("bob", created.id),
        lambda: world.attachments.update("bob", created.id, UpdateAttachmentRequest(filename="mine")),
        lambda: world.attachments.delete("bob", created.id),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert world.attachments.list("bob", limit=10).items == []
    assert world.attachments.retrieve("alice", created.id).resource.filename == "a"


def test_keys_start_with_the_owner_and_cannot_be_told_from_the_id(world: World) -> None:
    first = world.attachments.upload("a/b#c", "f", None, b"1").resource

    record = world.record("a/b#c", first.id)
    assert record is not None
    key = record["object_key"]
    owner_segment, named_id, random_part = key.split("/")
    assert (urllib.parse.unquote(owner_segment), named_id) == ("a/b#c", first.id)
    assert len(random_part) >= 24  # 18 random bytes, base64url


def test_a_list_pages_newest_first_with_both_cursors(world: World) -> None:
    made = [world.attachments.upload("alice", f"f{n}", None, b"x").resource.id for n in range(5)]

    first = world.attachments.list("alice", limit=2)
    second = world.attachments.list("alice", limit=2, starting_after=first.items[-1].id)
    back = world.attachments.list("alice", limit=2, ending_before=second.items[0].id)

    assert [a.id for a in first.items] == made[::-1][:2] and first.has_more
    assert [a.id for a in second.items] == made[::-1][2:4] and second.has_more
    assert [a.id for a in back.items] == [a.id for a in first.items]
    assert all(a.file_url for a in first.items)


def test_a_file_that_does_not_reach_storage_leaves_no_record_and_no_count(world: World) -> None:
    def storage_down(**_: Any) -> Any:
        raise ServiceUnavailable("file storage is unavailable right now")

    bucket = world.services.attachments._repository._bucket
    failing = replace_method(bucket.client, "put_object", storage_down)
    with failing, pytest.raises(ServiceUnavailable):
        world.attachments.upload("alice", "a", None, b"abc")

    assert world.stored_bytes("alice") == 0
    assert world.attachments.list("alice", limit=10).items == []
    assert world.objects() == []


def test_a_delete_that_dies_before_the_file_is_gone_is_finished_by_its_retry(world: World) -> None:
    created = world.attachments.upload("alice", "a", None, b"abc").resource
    bucket = world.services.attachments._repository._bucket

    def storage_down(**_: Any) -> Any:
        raise ServiceUnavailable("file storage is unavailable right now")

    with replace_method(bucket.client, "delete_objects", storage_down), pytest.raises(ServiceUnavailable):
        world.attachments.delete("alice", created.id)
    # The record is gone and its bytes uncounted; the mark still names the file
    assert world.record("alice", created.id) is None and world.stored_bytes("alice") == 0
    assert len(world.objects()) == 1

    world.attachments.delete("alice", created.id)  # the client retries

    assert world.objects() == []
    mark = world.dynamodb.get_item(
        TableName=TABLE, Key={"PK": {"S": "OWNER#alice"}, "SK": {"S": f"DELETING#ATTACH#{created.id}"}}
    )
    assert "Item" not in mark
    with pytest.raises(NotFound):
        world.attachments.delete("alice", created.id)


def _put_during(world: World, before_put: Any, *, then_store: bool, then_fail: bool) -> Any:
    """A put_object that first lets `before_put(key)` run (a racing request), then stores the file
    or not, then reports success or failure: what S3 can do to an upload in flight."""
    bucket = world.services.attachments._repository._bucket
    real_put = bucket.client.put_object

    def put(**request: Any) -> Any:
        before_put(request["Key"])
        answer: Any = real_put(**request) if then_store else {}
        if then_fail:
            raise ServiceUnavailable("file storage is unavailable right now")
        return answer

    return replace_method(bucket.client, "put_object", put)


def _delete_the_one_listed(world: World) -> Any:
    def delete(_: str) -> None:
        (waiting,) = world.attachments.list("alice", limit=10).items
        assert waiting.file_url is None  # listed while its file is on its way
        world.attachments.delete("alice", waiting.id)

    return delete


def test_a_delete_while_the_file_is_on_its_way_leaves_no_file_behind(world: World) -> None:
    with _put_during(world, _delete_the_one_listed(world), then_store=True, then_fail=False), pytest.raises(NotFound):
        world.attachments.upload("alice", "a", None, b"abc")

    assert world.objects() == []
    assert world.stored_bytes("alice") == 0
    assert world.attachments.list("alice", limit=10).items == []


def test_a_failed_upload_after_a_racing_delete_uncounts_its_bytes_once(world: World) -> None:
    world.attachments.upload("alice", "kept", None, b"k" * 1000)

    def delete_the_new_one(_: str) -> None:
        newest = world.attachments.list("alice", limit=1).items[0]
        world.attachments.delete("alice", newest.id)

    with _put_during(world, delete_the_new_one, then_store=False, then_fail=True), pytest.raises(ServiceUnavailable):
        world.attachments.upload("alice", "gone", None, b"g" * 700)

    assert world.stored_bytes("alice") == 1000  # not 300: the delete had uncounted it already
    assert len(world.objects()) == 1


def test_a_put_reported_failed_that_did_store_leaves_no_file_and_no_count(world: World) -> None:
    with _put_during(world, lambda _: None, then_store=True, then_fail=True), pytest.raises(ServiceUnavailable):
        world.attachments.upload("alice", "a", None, b"abc")

    assert world.objects() == []
    assert world.stored_bytes("alice") == 0
    assert world.attachments.list("alice", limit=10).items == []


class replace_method:  # noqa: N801 - used as a context manager, like unittest.mock.patch
    """Swap one method of a boto3 client for the duration of a `with`."""

    def __init__(self, client: Any, name: str, replacement: Any) -> None:
        self._client, self._name, self._replacement = client, name, replacement

    def __enter__(self) -> None:
        setattr(self._client, self._name, self._replacement)

    def __exit__(self, *_: object) -> None:
        delattr(self._client, self._name)


def test_the_count_of_stored_bytes_is_its_own_item_under_the_owner() -> None:
    assert keys.attachment_bytes_key("alice") == {"PK": "OWNER#alice", "SK": "ATTACHMENT_BYTES"}


# Attaching (issue 20: the send's transaction will carry this action; below HTTP, a transaction of
# its own stands in for the send's other items).


def _attach(world: World, owner: str, attachment_id: str, message_id: str, conversation_id: str) -> None:
    repository = world.services.attachments._repository
    world.services.attachments._repository._table.transact(
        [repository.attach_action(owner, attachment_id, message_id, conversation_id)]
    )


CONVERSATION = "1xWBJaZ0q3Qpet8t"
OTHER_CONVERSATION = "1xWBJaZ0q3Qpet9u"


def test_an_attached_file_names_its_message_and_lists_under_its_conversation_newest_first(world: World) -> None:
    first = world.attachments.upload("alice", "a.pdf", None, b"a").resource
    second = world.attachments.upload("alice", "b.pdf", None, b"b").resource
    elsewhere = world.attachments.upload("alice", "c.pdf", None, b"c").resource
    loose = world.attachments.upload("alice", "d.pdf", None, b"d").resource

    _attach(world, "alice", first.id, "1xWBJbM5s8Gkq2Zd", CONVERSATION)
    _attach(world, "alice", second.id, "1xWBJbM5s8Gkq2Ze", CONVERSATION)
    _attach(world, "alice", elsewhere.id, "1xWBJbM5s8Gkq2Zf", OTHER_CONVERSATION)

    listed = world.attachments.list("alice", limit=10, conversation_id=CONVERSATION)
    assert [a.id for a in listed.items] == [second.id, first.id] and not listed.has_more
    assert [a.message_id for a in listed.items] == ["1xWBJbM5s8Gkq2Ze", "1xWBJbM5s8Gkq2Zd"]
    page = world.attachments.list("alice", limit=1, conversation_id=CONVERSATION)
    assert [a.id for a in page.items] == [second.id] and page.has_more
    rest = world.attachments.list("alice", limit=1, conversation_id=CONVERSATION, starting_after=second.id)
    assert [a.id for a in rest.items] == [first.id]
    assert len(world.attachments.list("alice", limit=10).items) == 4  # the unfiltered list has them all
    assert world.attachments.retrieve("alice", loose.id).resource.message_id is None
    assert world.attachments.retrieve("alice", first.id).version == 2  # message_id moved its ETag
    assert world.attachments.list("bob", limit=10, conversation_id=CONVERSATION).items == []


def test_one_attachment_sent_twice_lands_on_exactly_one_message(world: World) -> None:
    """Two sends racing for one attachment: DynamoDB applies their transactions one after the
    other, and the second's condition finds the first's message_id."""
    created = world.attachments.upload("alice", "a.pdf", None, b"a").resource
    _attach(world, "alice", created.id, "1xWBJbM5s8Gkq2Zd", CONVERSATION)

    with pytest.raises(TransactionCancelled) as cancelled:
        _attach(world, "alice", created.id, "1xWBJbM5s8Gkq2Ze", OTHER_CONVERSATION)

    refusal = attach_refusal(created.id, cancelled.value.reasons[0].item)
    assert refusal.param == "attachments"
    assert "already attached to message '1xWBJbM5s8Gkq2Zd'" in str(refusal)
    assert world.attachments.retrieve("alice", created.id).resource.message_id == "1xWBJbM5s8Gkq2Zd"
    assert world.attachments.list("alice", limit=10, conversation_id=OTHER_CONVERSATION).items == []


def test_only_your_uploaded_attachments_can_be_attached(world: World) -> None:
    theirs = world.attachments.upload("bob", "b.pdf", None, b"b").resource
    repository = world.services.attachments._repository
    pending = StoredAttachment("1xWBJfU0w2Lpu5Bh", "p.pdf", "application/pdf", 1, "alice/p/x", 1_795_600_000)
    repository.reserve("alice", pending, expires_at=1_795_690_000)

    for attachment_id, reason in ((theirs.id, "is not one of your attachments"), (pending.id, "not been uploaded")):
        with pytest.raises(TransactionCancelled) as cancelled:
            _attach(world, "alice", attachment_id, "1xWBJbM5s8Gkq2Zd", CONVERSATION)
        assert reason in str(attach_refusal(attachment_id, cancelled.value.reasons[0].item))
    assert world.attachments.retrieve("bob", theirs.id).resource.message_id is None


def test_the_refusal_is_read_from_dynamodbs_own_cancellation_reasons(stubbed: tuple[Any, Any]) -> None:
    """What real DynamoDB answers a refused attach with (moto's shape may differ): the record as it
    was, in the reason's Item."""
    table, stubber = stubbed
    cancel_transaction(stubber, failed_check({"id": "1xWBJfU0w2Lpu5Bh", "message_id": "1xWBJbM5s8Gkq2Zd"}))
    files = Bucket(boto3.client("s3", region_name="us-east-1", endpoint_url="http://stubbed.invalid"), BUCKET)
    repository = AttachmentRepository(table, lambda: files, AttachmentSettings())

    with pytest.raises(TransactionCancelled) as cancelled:
        table.transact([repository.attach_action("alice", "1xWBJfU0w2Lpu5Bh", "1xWBJbM5s8Gkq2Ze", CONVERSATION)])

    refusal = attach_refusal("1xWBJfU0w2Lpu5Bh", cancelled.value.reasons[0].item)
    assert "already attached to message '1xWBJbM5s8Gkq2Zd'" in str(refusal)
