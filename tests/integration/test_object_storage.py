"""The S3 mechanics attachments will use (clarity.store.objects), against moto's S3 server on a
loopback port: what a client downloads through a presigned link is exactly what was stored,
under the filename and type the link names; a presigned POST stores a file; deletes and sizes.

Stubber covers what moto's server cannot be made to do: a failed delete of one key, S3 down."""

import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from email.message import Message
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from clarity.core.errors import ServiceUnavailable
from clarity.store.objects import Bucket, attachment_disposition

REGION = "us-east-1"


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - a local-only dependency

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_url: str) -> Bucket:
    client = boto3.client("s3", region_name=REGION, endpoint_url=s3_url)
    name = f"attachments-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return Bucket(client, name)


def _fetch(url: str) -> tuple[bytes, Message]:
    assert url.startswith("http://127.0.0.1:")  # loopback only
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback, asserted above
        return response.read(), response.headers


@pytest.mark.parametrize(
    "body",
    [b"", b"\xff", bytes(range(256)) * 64, b"\x00" * 1000],
    ids=["zero bytes", "0xFF", "every byte value", "NULs"],
)
def test_a_download_link_gives_back_exactly_the_bytes_stored(bucket: Bucket, body: bytes) -> None:
    bucket.put("alice/one", body, "application/octet-stream")

    downloaded, _ = _fetch(bucket.download_url("alice/one", "one.bin", "application/octet-stream", 60))

    assert downloaded == body
    assert bucket.size_of("alice/one") == len(body)


def test_a_download_link_names_the_file_and_its_type_and_never_shows_it_inline(bucket: Bucket) -> None:
    bucket.put("alice/invoice", b"%PDF-1.7", "text/html")  # whatever it was stored as

    _, headers = _fetch(bucket.download_url("alice/invoice", "Invoice 2026.pdf", "application/pdf", 60))

    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith('attachment; filename="Invoice 2026.pdf"')


def test_a_filename_beyond_ascii_is_given_exactly_and_quotes_cannot_break_out() -> None:
    disposition = attachment_disposition('Ré"sumé\\.pdf')

    assert disposition == "attachment; filename=\"R__sum__.pdf\"; filename*=utf-8''R%C3%A9%22sum%C3%A9%5C.pdf"
    # Browsers take filename* over filename (RFC 6266); decoded, it is the name exactly
    charset, encoded = disposition.split("filename*=", 1)[1].split("''", 1)
    assert urllib.parse.unquote(encoded, encoding=charset) == 'Ré"sumé\\.pdf'


def test_a_download_link_expires(bucket: Bucket) -> None:
    url = bucket.download_url("alice/one", "one.bin", "application/octet-stream", 60)

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    # Signature version 4 on S3 by default here: the link carries its own lifetime
    assert query.get("X-Amz-Expires") == ["60"] or "Expires" in query


def test_a_presigned_post_stores_the_file_under_the_key_it_pins(bucket: Bucket) -> None:
    body = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    form = bucket.upload_form("alice/upload", "image/png", len(body), 300)

    assert form.fields["key"] == "alice/upload"
    assert form.fields["Content-Type"] == "image/png"
    _post_form(form.url, form.fields, body)

    assert bucket.size_of("alice/upload") == len(body)
    downloaded, _ = _fetch(bucket.download_url("alice/upload", "a.png", "image/png", 60))
    assert downloaded == body


def _post_form(url: str, fields: dict[str, str], body: bytes) -> None:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    assert url.startswith("http://127.0.0.1:")
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    request = urllib.request.Request(url, data=b"".join(parts), headers=headers)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback, asserted above
        assert response.status in (200, 201, 204)


def test_the_policy_of_a_presigned_post_pins_type_and_exact_length(bucket: Bucket) -> None:
    """moto does not enforce POST policies: the policy itself is what S3 would enforce."""
    import base64  # noqa: PLC0415
    import json  # noqa: PLC0415

    form = bucket.upload_form("alice/upload", "image/png", 1234, 300)

    policy = json.loads(base64.b64decode(form.fields["policy"]))
    assert ["content-length-range", 1234, 1234] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert {"key": "alice/upload"} in policy["conditions"]


def test_size_of_a_missing_object_is_none_and_deleting_one_is_no_error(bucket: Bucket) -> None:
    bucket.put("alice/kept", b"k", "text/plain")
    bucket.put("alice/gone", b"g", "text/plain")

    bucket.delete_all(["alice/gone", "alice/never-stored"])

    assert bucket.size_of("alice/gone") is None
    assert bucket.size_of("alice/never-stored") is None
    assert bucket.size_of("alice/kept") == 1


def test_deletes_go_a_thousand_keys_a_call(bucket: Bucket) -> None:
    calls: list[int] = []
    bucket.client.meta.events.register(
        "provide-client-params.s3.DeleteObjects", lambda params, **_: calls.append(len(params["Delete"]["Objects"]))
    )

    bucket.delete_all([f"alice/{n}" for n in range(2001)])

    assert calls == [1000, 1000, 1]


def _stubbed() -> tuple[Bucket, Stubber]:
    client = boto3.client("s3", region_name=REGION, endpoint_url="http://stubbed.invalid")
    return Bucket(client, "attachments"), Stubber(client)


def test_a_key_s3_could_not_delete_raises_so_its_record_is_kept() -> None:
    bucket, stubber = _stubbed()
    failed: dict[str, Any] = {"Errors": [{"Key": "alice/b", "Code": "InternalError", "Message": "try again"}]}
    stubber.add_response("delete_objects", failed)

    with stubber, pytest.raises(ServiceUnavailable, match="1 of 2"):
        bucket.delete_all(["alice/a", "alice/b"])


def test_s3_failing_after_retries_is_a_503_not_a_500_but_a_missing_object_is_the_callers() -> None:
    bucket, stubber = _stubbed()
    stubber.add_client_error("put_object", "SlowDown", http_status_code=503)
    stubber.add_client_error("head_object", "404", http_status_code=404)

    with stubber:
        with pytest.raises(ServiceUnavailable):
            bucket.put("alice/a", b"a", "text/plain")
        assert bucket.size_of("alice/missing") is None
