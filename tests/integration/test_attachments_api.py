"""The five attachment endpoints through their functions, as API Gateway calls them: a multipart
upload stores exactly the bytes sent, and every answer is the seven-field object with a fresh link.
DynamoDB and S3 are moto's, in process."""

import base64
import json
import urllib.parse
from typing import Any

import boto3
import pytest

from clarity.attachments.repository import AttachmentRepository
from clarity.store.objects import Bucket
from devtools.lambda_context import LocalLambdaContext
from devtools.template import import_function
from tests.support import BUCKET_NAME, SETTINGS, TABLE_NAME, ApiClient

LIMIT = SETTINGS.attachments.max_upload_bytes
FIELDS = {"id", "message_id", "filename", "file_url", "file_type", "file_size", "created_at"}


def _created(api: ApiClient, content: bytes = b"%PDF-1.7", **options: Any) -> dict[str, Any]:
    response = api.upload(content, **options)
    assert response.status == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _download(file_url: str) -> tuple[bytes, dict[str, str]]:
    """The object a presigned GET names, read with moto's S3, and the link's response overrides."""
    url = urllib.parse.urlsplit(file_url)
    query = dict(urllib.parse.parse_qsl(url.query))
    key = urllib.parse.unquote(url.path.split(f"/{BUCKET_NAME}/", 1)[-1] if BUCKET_NAME in url.path else url.path[1:])
    body: bytes = boto3.client("s3", region_name="us-east-1").get_object(Bucket=BUCKET_NAME, Key=key)["Body"].read()
    return body, query


def _objects() -> list[str]:
    listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=BUCKET_NAME)
    return [entry["Key"] for entry in listed.get("Contents", [])]


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff", bytes(range(256)) * (LIMIT // 256)],
    ids=["empty", "0xFF", "largest allowed"],
)
def test_an_upload_answers_the_object_and_stores_exactly_the_bytes_sent(api: ApiClient, content: bytes) -> None:
    response = api.upload(content, filename="../reports/Invoice.pdf", content_type="Application/PDF; charset=x")

    assert response.status == 201, response.text
    created = response.json()
    assert set(created) == FIELDS
    assert created["message_id"] is None
    assert (created["filename"], created["file_type"], created["file_size"]) == (
        "Invoice.pdf",
        "application/pdf",
        len(content),
    )
    assert response.header("Location") == f"/v1/attachments/{created['id']}"
    assert response.header("ETag") == '"1"'
    stored, query = _download(created["file_url"])
    assert stored == content
    assert query["response-content-type"] == "application/pdf"
    assert query["response-content-disposition"].startswith('attachment; filename="Invoice.pdf"')


def test_one_byte_over_the_limit_is_a_413_that_points_at_the_direct_upload(api: ApiClient) -> None:
    response = api.upload(b"x" * (LIMIT + 1))

    assert response.status == 413, response.text
    assert response.json()["type"] == "invalid_request"
    assert "file_size" in response.json()["message"]
    assert _objects() == []


@pytest.mark.parametrize(
    ("headers", "body", "status", "message"),
    [
        # The reference's own example sends a path as text: no file.
        ({}, b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\n../Invoice.pdf\r\n--b--\r\n', 400, "file"),
        ({}, b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--b--\r\n', 400, "note"),
        ({}, b"--b--\r\n", 400, "no file"),
        ({}, b"not multipart at all", 400, "malformed"),
    ],
    ids=["text in place of a file", "another field", "no part", "malformed"],
)
def test_a_form_without_a_file_in_file_is_a_400_naming_file(
    api: ApiClient, headers: dict[str, str], body: bytes, status: int, message: str
) -> None:
    response = api.request(
        "POST", "/v1/attachments", body=body, headers={"content-type": "multipart/form-data; boundary=b", **headers}
    )

    assert response.status == status, response.text
    assert message in response.json()["message"]
    assert "file" in response.json()["message"]


def test_a_body_neither_multipart_nor_json_is_a_415(api: ApiClient) -> None:
    response = api.request("POST", "/v1/attachments", body=b"hello", headers={"content-type": "text/plain"})

    assert response.status == 415, response.text


def test_the_same_idempotency_key_and_file_upload_once(api: ApiClient) -> None:
    first = api.upload(b"same", headers={"Idempotency-Key": "u1"})
    again = api.upload(b"same", headers={"Idempotency-Key": "u1"})
    other_file = api.upload(b"different", headers={"Idempotency-Key": "u1"})

    assert (first.status, again.status) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert other_file.status == 409, other_file.text
    assert len(_objects()) == 1


def test_a_replayed_upload_answers_the_attachment_as_it_is_now_with_a_fresh_link(api: ApiClient) -> None:
    first = api.upload(b"same", filename="a.pdf", headers={"Idempotency-Key": "u1"}).json()
    path = f"/v1/attachments/{first['id']}"
    assert api.request("PUT", path, json_body={"filename": "renamed.pdf"}).status == 200

    again = api.upload(b"same", filename="a.pdf", headers={"Idempotency-Key": "u1"})

    assert again.status == 201, again.text
    assert (again.json()["id"], again.json()["filename"], again.header("ETag")) == (first["id"], "renamed.pdf", '"2"')
    assert 'filename="renamed.pdf"' in _download(again.json()["file_url"])[1]["response-content-disposition"]
    assert api.request("DELETE", path).status == 204
    gone = api.upload(b"same", filename="a.pdf", headers={"Idempotency-Key": "u1"})
    assert gone.status == 404, gone.text  # what the key made is gone: no stale object, no new one
    assert _objects() == []


def test_a_replayed_direct_upload_answers_its_confirmed_file_and_the_same_form(api: ApiClient) -> None:
    first = api.request("POST", "/v1/attachments", json_body=DECLARED, headers={"Idempotency-Key": "d1"}).json()
    _put_as_the_form_would(first, b"0123456789A")
    assert api.request("GET", f"/v1/attachments/{first['id']}").json()["file_url"]  # confirms it

    again = api.request("POST", "/v1/attachments", json_body=DECLARED, headers={"Idempotency-Key": "d1"}).json()

    assert again["upload"] == first["upload"]  # a fresh form would outlive the first's removal mark
    assert _download(again["file_url"])[0] == b"0123456789A"
    assert {k: v for k, v in again.items() if k not in {"file_url", "upload"}} == {
        k: v for k, v in first.items() if k not in {"file_url", "upload"}
    }


def test_an_upload_racing_a_read_keeps_its_file(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A multipart upload is listed (file_url null) while its file is on its way: a read then
    must not mark it, or the upload's own mark fails and it deletes its file."""
    seen: list[dict[str, Any]] = []
    put = Bucket.put

    def put_then_read(bucket: Bucket, key: str, body: bytes, content_type: str) -> None:
        put(bucket, key, body, content_type)
        listed = api.request("GET", "/v1/attachments").json()["data"]
        seen.extend(api.request("GET", f"/v1/attachments/{a['id']}").json() for a in listed)

    monkeypatch.setattr(Bucket, "put", put_then_read)
    response = api.upload(b"racing")

    assert response.status == 201, response.text
    assert [(a["id"], a["file_url"]) for a in seen] == [(response.json()["id"], None)]
    assert _download(response.json()["file_url"])[0] == b"racing"
    assert len(_objects()) == 1


def test_retrieve_rename_and_delete_one_attachment(api: ApiClient) -> None:
    created = _created(api, b"hello", filename="a.txt", content_type="text/plain")
    path = f"/v1/attachments/{created['id']}"

    retrieved = api.request("GET", path)
    assert retrieved.status == 200
    assert {k: v for k, v in retrieved.json().items() if k != "file_url"} == {
        k: v for k, v in created.items() if k != "file_url"
    }
    renamed = api.request("PUT", path, json_body={"filename": "b.txt"}, headers={"If-Match": '"1"'})
    assert renamed.status == 200, renamed.text
    assert renamed.json()["filename"] == "b.txt"
    assert renamed.header("ETag") == '"2"'
    assert _download(renamed.json()["file_url"])[1]["response-content-disposition"].startswith(
        'attachment; filename="b.txt"'
    )
    assert api.request("DELETE", path, headers={"If-Match": '"1"'}).status == 412
    assert api.request("DELETE", path).status == 204
    assert api.request("GET", path).status == 404
    assert api.request("DELETE", path).status == 404
    assert _objects() == []


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"file_size": 3}, "file_size"),
        ({"filename": "a/b.txt"}, "filename"),
        ({"filename": ""}, "filename"),
        ({"filename": "x" * 256}, "filename"),
        ({"filename": "ok.txt", "colour": "red"}, "colour"),
    ],
)
def test_an_update_takes_only_a_valid_filename(api: ApiClient, body: dict[str, Any], param: str) -> None:
    created = _created(api)

    response = api.request("PUT", f"/v1/attachments/{created['id']}", json_body=body)

    assert response.status == 400, response.text
    assert param in response.json()["message"]


def test_another_owner_sees_none_of_them(api: ApiClient) -> None:
    created = _created(api)
    path = f"/v1/attachments/{created['id']}"

    assert api.request("GET", path, owner="bob").status == 404
    assert api.request("PUT", path, owner="bob", json_body={"filename": "mine.pdf"}).status == 404
    assert api.request("DELETE", path, owner="bob").status == 404
    assert api.request("GET", "/v1/attachments", owner="bob").json() == {"has_more": False, "data": []}
    assert api.request("GET", path).json()["filename"] == "invoice.pdf"


def test_the_list_is_newest_first_and_pages_both_ways(api: ApiClient) -> None:
    ids = [_created(api, bytes([n]), filename=f"{n}.bin")["id"] for n in range(5)]

    first = api.request("GET", "/v1/attachments", query={"limit": 2}).json()
    assert [a["id"] for a in first["data"]] == ids[::-1][:2]
    assert first["has_more"] is True
    second = api.request("GET", "/v1/attachments", query={"limit": 2, "starting_after": first["data"][-1]["id"]})
    assert [a["id"] for a in second.json()["data"]] == ids[::-1][2:4]
    back = api.request("GET", "/v1/attachments", query={"limit": 2, "ending_before": ids[2]})
    assert [a["id"] for a in back.json()["data"]] == ids[::-1][:2]
    assert all(a["file_url"] for a in first["data"])


def test_a_conversation_without_files_lists_none(api: ApiClient) -> None:
    _created(api)
    conversation = api.create()

    response = api.request("GET", "/v1/attachments", query={"conversation_id": conversation["id"]})

    assert response.json() == {"has_more": False, "data": []}


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"limit": "0"}, "limit"),
        ({"conversation_id": "nope"}, "conversation_id"),
        ({"conversatoin_id": "x"}, "conversatoin_id"),
    ],
)
def test_a_bad_list_parameter_is_a_400_naming_it(api: ApiClient, query: dict[str, str], param: str) -> None:
    response = api.request("GET", "/v1/attachments", query=query)

    assert response.status == 400, response.text
    assert param in response.json()["message"]


def test_an_upload_over_the_quota_is_a_400_that_says_how_much_room_is_left(api: ApiClient) -> None:
    quota = SETTINGS.attachments.quota_bytes
    for _ in range(quota // LIMIT):
        _created(api, b"q" * LIMIT)

    response = api.upload(b"one more")

    assert response.status == 400, response.text
    assert f"0 of your {quota} bytes" in response.json()["message"]
    assert json.loads(response.text)["type"] == "invalid_request"


# The direct upload: JSON declares the file; its form uploads it straight to S3.

DECLARED = {"filename": "video.mp4", "file_type": "video/mp4", "file_size": 11}


def _declared(api: ApiClient, **fields: Any) -> dict[str, Any]:
    response = api.request("POST", "/v1/attachments", json_body={**DECLARED, **fields})
    assert response.status == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _put_as_the_form_would(created: dict[str, Any], content: bytes) -> None:
    """What a client's POST of the form stores (moto's in-process S3 takes no form POST)."""
    key = created["upload"]["fields"]["key"]
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=BUCKET_NAME, Key=key, Body=content)


def test_a_direct_upload_answers_the_attachment_and_a_form_pinned_to_the_file(api: ApiClient) -> None:
    created = _declared(api)

    assert set(created) == FIELDS | {"upload"}
    assert (created["filename"], created["file_type"], created["file_size"], created["file_url"]) == (
        "video.mp4",
        "video/mp4",
        11,
        None,
    )
    upload = created["upload"]
    assert upload["fields"]["Content-Type"] == "video/mp4"
    assert upload["fields"]["key"].startswith("alice/")
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    assert ["content-length-range", 11, 11] in policy["conditions"]
    assert upload["expires_at"] == created["created_at"] + SETTINGS.attachments.link_seconds
    listed = api.request("GET", "/v1/attachments").json()["data"]
    assert [(a["id"], a["file_url"]) for a in listed] == [(created["id"], None)]


def test_retrieving_a_direct_upload_confirms_its_file_once_it_is_there(api: ApiClient) -> None:
    created = _declared(api)
    path = f"/v1/attachments/{created['id']}"

    assert api.request("GET", path).json()["file_url"] is None
    _put_as_the_form_would(created, b"0123456789A")
    confirmed = api.request("GET", path).json()

    assert set(confirmed) == FIELDS
    assert _download(confirmed["file_url"])[0] == b"0123456789A"
    assert api.request("GET", "/v1/attachments").json()["data"][0]["file_url"] is not None


def test_a_file_of_another_size_than_declared_is_refused_and_removed(api: ApiClient) -> None:
    created = _declared(api)
    _put_as_the_form_would(created, b"twelve bytes")

    refused = api.request("GET", f"/v1/attachments/{created['id']}")

    assert refused.status == 400, refused.text
    assert "12 bytes, not the file_size 11" in refused.json()["message"]
    assert api.request("GET", f"/v1/attachments/{created['id']}").status == 404
    assert _objects() == []
    # Its bytes no longer count: the whole quota is there again.
    quota = SETTINGS.attachments.quota_bytes
    assert api.request("POST", "/v1/attachments", json_body={**DECLARED, "file_size": quota}).status == 201


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"file_size": SETTINGS.attachments.max_direct_upload_bytes + 1}, "file_size"),
        ({"file_size": -1}, "file_size"),
        ({"file_size": "11"}, "file_size"),
        ({"file_type": "vidéo/mp4"}, "file_type"),
        ({"file_type": "not a type"}, "file_type"),
        ({"filename": "dir/video.mp4"}, "filename"),
        ({"filename": "a\u200bb.mp4"}, "filename"),
        ({"id": "A000000000000000"}, "id"),
        ({"size": 3}, "size"),
    ],
)
def test_a_bad_declaration_is_a_400_naming_the_field(api: ApiClient, fields: dict[str, Any], param: str) -> None:
    response = api.request("POST", "/v1/attachments", json_body={**DECLARED, **fields})

    assert response.status == 400, response.text
    assert param in response.json()["message"]
    assert api.request("GET", "/v1/attachments").json()["data"] == []


def test_a_declaration_over_the_quota_is_a_400_that_says_how_much_room_is_left(api: ApiClient) -> None:
    quota = SETTINGS.attachments.quota_bytes
    response = api.request("POST", "/v1/attachments", json_body={**DECLARED, "file_size": quota + 1})

    assert response.status == 400, response.text
    assert f"more than all {quota} bytes" in response.json()["message"]


def test_an_idempotency_key_answers_its_first_create_and_refuses_another_kind(api: ApiClient) -> None:
    first = api.request("POST", "/v1/attachments", json_body=DECLARED, headers={"Idempotency-Key": "d1"})
    again = api.request("POST", "/v1/attachments", json_body=DECLARED, headers={"Idempotency-Key": "d1"})
    as_file = api.upload(b"0123456789A", headers={"Idempotency-Key": "d1"})

    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    assert as_file.status == 409, as_file.text


# In messages: attached in the send's transaction, answered as objects in the order attached.


def _message_with(api: ApiClient, attachment_ids: list[str], **fields: Any) -> Any:
    conversation = api.create()
    body = {"conversation_id": conversation["id"], "message": "see attached", "attachments": attachment_ids, **fields}
    return api.request("POST", "/v1/messages", json_body=body)


def test_a_replayed_send_with_files_answers_the_message_as_it_is_now(api: ApiClient) -> None:
    kept, deleted = (_created(api, bytes([n]), filename=f"{n}.pdf")["id"] for n in range(2))
    conversation = api.create()["id"]
    body = {"conversation_id": conversation, "message": "see attached", "attachments": [kept, deleted]}
    first = api.request("POST", "/v1/messages", json_body=body, headers={"Idempotency-Key": "m1"})
    assert first.status == 201, first.text
    assert api.request("PUT", f"/v1/attachments/{kept}", json_body={"filename": "renamed.pdf"}).status == 200
    assert api.request("DELETE", f"/v1/attachments/{deleted}").status == 204

    again = api.request("POST", "/v1/messages", json_body=body, headers={"Idempotency-Key": "m1"})

    assert again.status == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert [(a["id"], a["filename"]) for a in again.json()["attachments"]] == [(kept, "renamed.pdf")]


def test_a_message_sent_with_files_answers_them_in_order_and_they_name_it(api: ApiClient) -> None:
    first, second = (_created(api, bytes([n]), filename=f"{n}.pdf")["id"] for n in range(2))

    sent = _message_with(api, [second, first])

    assert sent.status == 201, sent.text
    message = sent.json()
    assert [a["id"] for a in message["attachments"]] == [second, first]
    assert all(set(a) == FIELDS and a["message_id"] == message["id"] for a in message["attachments"])
    assert _download(message["attachments"][0]["file_url"])[0] == b"\x01"
    retrieved = api.request("GET", f"/v1/messages/{message['id']}").json()
    assert [a["id"] for a in retrieved["attachments"]] == [second, first]
    in_conversation = api.request("GET", "/v1/attachments", query={"conversation_id": message["conversation_id"]})
    assert {a["id"] for a in in_conversation.json()["data"]} == {first, second}
    assert api.request("GET", f"/v1/attachments/{first}").json()["message_id"] == message["id"]


def test_a_form_sends_files_as_attachments_brackets(api: ApiClient) -> None:
    attachment_id = _created(api)["id"]
    conversation = api.create()

    sent = api.request(
        "POST",
        "/v1/messages",
        form={"conversation_id": conversation["id"], "message": "hi", "attachments[]": attachment_id},
    )

    assert sent.status == 201, sent.text
    assert [a["id"] for a in sent.json()["attachments"]] == [attachment_id]


def test_a_file_that_cannot_be_attached_refuses_the_whole_send(api: ApiClient) -> None:
    mine = _created(api)["id"]
    theirs = _created(api, owner="bob")["id"]
    waiting = _declared(api)["id"]
    taken = _created(api)["id"]
    assert _message_with(api, [taken]).status == 201
    cases = {
        "is not one of your attachments": [mine, theirs],
        "has not been uploaded yet": [waiting],
        "is already attached to message": [mine, taken],
        "more than once": [mine, mine],
        "at most 10": [mine] * 11,
        "nope": ["nope"],
    }
    for words, attachment_ids in cases.items():
        refused = _message_with(api, attachment_ids)
        assert refused.status == 400, (words, refused.text)
        assert "attachments" in refused.json()["message"], refused.text
        assert words in refused.json()["message"] or words in ("at most 10", "nope"), refused.text
    assert api.request("GET", f"/v1/attachments/{mine}").json()["message_id"] is None
    assert len(api.request("GET", "/v1/messages").json()["data"]) == 1


def test_an_update_adds_files_after_the_ones_the_message_has(api: ApiClient) -> None:
    first, second, third = (_created(api)["id"] for _ in range(3))
    message = _message_with(api, [first]).json()
    path = f"/v1/messages/{message['id']}"

    added = api.request("PUT", path, json_body={"attachments": [third, first, second]})
    assert added.status == 200, added.text
    assert [a["id"] for a in added.json()["attachments"]] == [first, third, second]
    assert added.header("ETag") == '"2"'

    dropped = api.request("PUT", path, json_body={"attachments": [first, second]})
    assert dropped.status == 400, dropped.text
    assert f"'{third}' is missing" in dropped.json()["message"]
    assert f"DELETE /v1/attachments/{third}" in dropped.json()["message"]

    same = api.request("PUT", path, json_body={"attachments": [first, third, second], "message": "edited"})
    assert same.status == 200, same.text
    assert (same.json()["message"], len(same.json()["attachments"])) == ("edited", 3)
    assert api.request("PUT", path, json_body={"attachments": [first]}, headers={"If-Match": '"1"'}).status == 412


def test_deleting_a_file_takes_it_out_of_its_message(api: ApiClient) -> None:
    kept, deleted = (_created(api)["id"] for _ in range(2))
    message = _message_with(api, [kept, deleted]).json()

    assert api.request("DELETE", f"/v1/attachments/{deleted}").status == 204

    path = f"/v1/messages/{message['id']}"
    assert [a["id"] for a in api.request("GET", path).json()["attachments"]] == [kept]
    assert api.request("PUT", path, json_body={"attachments": [kept]}).status == 200


def test_deleting_a_message_deletes_its_files_and_frees_their_bytes(api: ApiClient) -> None:
    quota = SETTINGS.attachments.quota_bytes
    ids = [_created(api, b"q" * LIMIT)["id"] for _ in range(quota // LIMIT)]
    message = _message_with(api, ids).json()
    assert api.upload(b"more").status == 400  # the quota is used up

    assert api.request("DELETE", f"/v1/messages/{message['id']}").status == 204

    assert all(api.request("GET", f"/v1/attachments/{a}").status == 404 for a in ids)
    assert _objects() == []
    assert api.upload(b"more").status == 201


def test_a_file_added_while_its_message_is_deleted_is_deleted_too(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, late = (_created(api)["id"] for _ in range(2))
    message = _message_with(api, [first]).json()
    path = f"/v1/messages/{message['id']}"
    delete_quietly = AttachmentRepository.delete_quietly
    interleaved: list[int] = []

    def add_a_file_meanwhile(repository: AttachmentRepository, owner: str, attachment_id: str) -> None:
        if not interleaved:  # a PUT that lands between the files' deletes and the message's
            interleaved.append(api.request("PUT", path, json_body={"attachments": [first, late]}).status)
        delete_quietly(repository, owner, attachment_id)

    monkeypatch.setattr(AttachmentRepository, "delete_quietly", add_a_file_meanwhile)

    assert api.request("DELETE", path).status == 204

    assert interleaved == [200]
    assert api.request("GET", f"/v1/attachments/{late}").status == 404
    assert _objects() == []


def test_sending_a_direct_upload_whose_file_has_arrived_confirms_it_on_the_spot(api: ApiClient) -> None:
    arrived, refused = _declared(api), _declared(api)
    _put_as_the_form_would(arrived, b"0123456789A")
    _put_as_the_form_would(refused, b"not eleven bytes")

    sent = _message_with(api, [arrived["id"]])
    wrong_size = _message_with(api, [refused["id"]])

    assert sent.status == 201, sent.text
    assert sent.json()["attachments"][0]["file_url"] is not None
    assert wrong_size.status == 400, wrong_size.text
    assert "not the file_size 11" in wrong_size.json()["message"]
    assert api.request("GET", f"/v1/attachments/{refused['id']}").status == 404


# Cascades: deleting a conversation, or the contact or group it is with, deletes its files.


@pytest.mark.parametrize("deleted", ["conversation", "contact", "group"])
def test_deleting_a_conversation_its_contact_or_its_group_deletes_its_files(api: ApiClient, deleted: str) -> None:
    if deleted == "group":
        member = api.new_contact()["id"]
        group = api.new_group(members=[member])
        conversation_id, path = group["conversation_id"], f"/v1/groups/{group['id']}"
    else:
        conversation = api.create()
        conversation_id = conversation["id"]
        path = {"conversation": f"/v1/conversations/{conversation_id}"}.get(
            deleted, f"/v1/contacts/{conversation['contact_id']}"
        )
    sent = [_created(api, bytes([n]))["id"] for n in range(3)]
    for attachment_id in sent:
        body = {"conversation_id": conversation_id, "message": "file", "attachments": [attachment_id]}
        assert api.request("POST", "/v1/messages", json_body=body).status == 201
    kept = _created(api)["id"]  # not sent: it stays

    assert api.request("DELETE", path).status == 204

    assert [api.request("GET", f"/v1/attachments/{a}").status for a in sent] == [404, 404, 404]
    assert [a["id"] for a in api.request("GET", "/v1/attachments").json()["data"]] == [kept]
    assert len(_objects()) == 1
    quota = SETTINGS.attachments.quota_bytes
    room = api.request("POST", "/v1/attachments", json_body={**DECLARED, "file_size": quota - 8})
    assert room.status == 201, room.text  # only the kept file's bytes still count


def test_a_cascade_that_stopped_part_way_finishes_on_the_retry_without_uncounting_twice(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = api.create()
    sent = [_created(api, b"1234")["id"] for _ in range(2)]
    body = {"conversation_id": conversation["id"], "message": "files", "attachments": sent}
    assert api.request("POST", "/v1/messages", json_body=body).status == 201
    remove_all = AttachmentRepository.remove_all
    crashes = iter([True])

    def crash_once_after_the_files(repository: AttachmentRepository, owner: str, ids: Any) -> None:
        remove_all(repository, owner, ids[:1])  # one record and file went, then the function died
        if next(crashes, False):
            raise RuntimeError("the function died")
        remove_all(repository, owner, ids)

    monkeypatch.setattr(AttachmentRepository, "remove_all", crash_once_after_the_files)
    path = f"/v1/conversations/{conversation['id']}"
    assert api.request("DELETE", path).status == 500
    assert api.request("DELETE", path).status == 204

    assert _objects() == []
    quota = SETTINGS.attachments.quota_bytes
    assert api.request("POST", "/v1/attachments", json_body={**DECLARED, "file_size": quota}).status == 201
    assert api.request("POST", "/v1/attachments", json_body={**DECLARED, "file_size": 1}).status == 400


# The sweep: a day after its create, an upload still waiting is settled. A direct upload whose
# file came is confirmed (no one had read it); any other goes, with any file and its count.


def _sweep() -> dict[str, int]:
    swept: dict[str, int] = import_function("AttachmentSweepFunction")(
        {}, LocalLambdaContext("AttachmentSweepFunction")
    )
    return swept


def test_the_hourly_sweep_settles_the_uploads_that_waited_a_day(api: ApiClient, clock: Any) -> None:
    never, unread, wrong_size = _declared(api), _declared(api), _declared(api)
    _put_as_the_form_would(unread, b"0123456789A")  # it came, but no one read it since
    _put_as_the_form_would(wrong_size, b"0123")
    confirmed = _declared(api)
    _put_as_the_form_would(confirmed, b"0123456789A")
    assert api.request("GET", f"/v1/attachments/{confirmed['id']}").json()["file_url"]
    clock.tick(SETTINGS.attachments.waiting_seconds // 2)
    recent = _declared(api)

    clock.tick(SETTINGS.attachments.waiting_seconds // 2 - 1)
    assert _sweep() == {"removed": 0, "confirmed": 0, "removed_files": 0}  # a second early
    clock.tick(1)
    assert _sweep() == {"removed": 2, "confirmed": 1, "removed_files": 0}

    answers = {a["id"]: api.request("GET", f"/v1/attachments/{a['id']}") for a in (never, unread, wrong_size, recent)}
    assert {id_: answer.status for id_, answer in answers.items()} == {
        never["id"]: 404,
        unread["id"]: 200,
        wrong_size["id"]: 404,
        recent["id"]: 200,
    }
    assert _download(answers[unread["id"]].json()["file_url"])[0] == b"0123456789A"
    assert len(_objects()) == 2
    # The removed ones' bytes no longer count: the quota holds the three left (11 bytes each).
    quota = SETTINGS.attachments.quota_bytes
    assert api.request("POST", "/v1/attachments", json_body={**DECLARED, "file_size": quota - 33}).status == 201
    assert api.request("POST", "/v1/attachments", json_body={**DECLARED, "file_size": 1}).status == 400


def test_a_form_used_after_its_attachment_was_deleted_stores_a_file_the_sweep_deletes_once_it_expires(
    api: ApiClient, clock: Any
) -> None:
    deleted, refused = _declared(api), _declared(api)
    assert api.request("DELETE", f"/v1/attachments/{deleted['id']}").status == 204
    _put_as_the_form_would(refused, b"0123")  # of another size: refused, the record goes
    assert api.request("GET", f"/v1/attachments/{refused['id']}").status == 400
    # Each form is still usable for the rest of its hour: the client posts it anyway.
    _put_as_the_form_would(deleted, b"0123456789A")
    _put_as_the_form_would(refused, b"0123456789A")
    assert len(_objects()) == 2

    clock.tick(SETTINGS.attachments.link_seconds)
    assert _sweep()["removed_files"] == 0  # the forms may have uploads still arriving
    clock.tick(15 * 60)
    assert _sweep()["removed_files"] == 2
    assert _objects() == []
    assert _sweep()["removed_files"] == 0  # and their marks are gone


def test_a_file_sent_in_a_message_and_deleted_with_it_is_swept_again_after_its_form_expires(
    api: ApiClient, clock: Any
) -> None:
    declared = _declared(api)
    _put_as_the_form_would(declared, b"0123456789A")
    sent = _message_with(api, [declared["id"]])
    assert sent.status == 201, sent.text
    assert api.request("DELETE", f"/v1/conversations/{sent.json()['conversation_id']}").status == 204
    assert _objects() == []
    _put_as_the_form_would(declared, b"0123456789A")  # the form, once more

    clock.tick(SETTINGS.attachments.link_seconds + 15 * 60)
    assert _sweep()["removed_files"] == 1
    assert _objects() == []


def test_a_direct_upload_recorded_before_the_direct_flag_existed_is_still_confirmed_by_its_file(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    api, client = api_and_table
    declared = _declared(api)
    key = {"PK": {"S": "OWNER#alice"}, "SK": {"S": f"ATTACH#{declared['id']}"}}
    client.update_item(TableName=TABLE_NAME, Key=key, UpdateExpression="REMOVE direct")
    _put_as_the_form_would(declared, b"0123456789A")

    confirmed = api.request("GET", f"/v1/attachments/{declared['id']}").json()

    assert _download(confirmed["file_url"])[0] == b"0123456789A"
