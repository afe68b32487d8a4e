"""`make run` serves S3 too (moto's server on a loopback port, issue 20): its banner says where,
the attachments bucket exists there, and a link presigned against it downloads with a plain HTTP
client, as curl would. No AWS account, no Docker."""

import json
import re
import urllib.error
import urllib.request

import boto3
from urllib3.filepost import encode_multipart_formdata

from clarity.core.settings import AttachmentSettings
from clarity.store.objects import Bucket
from tests.http.conftest import LocalServer

BANNER = re.compile(
    r"Attachments' files: S3 \(moto, in memory\) at (?P<url>http://127\.0\.0\.1:\d+), bucket (?P<bucket>\S+)"
)


def test_make_run_serves_the_attachments_bucket_on_loopback(server: LocalServer) -> None:
    found = BANNER.search(server.wait_for_output("Attachments' files:"))
    assert found is not None
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=found["url"])
    bucket = Bucket(client, found["bucket"])
    bucket.put("alice/hello", b"\x00hello\xff", "application/octet-stream")

    url = bucket.download_url("alice/hello", "hello.bin", "application/octet-stream", 60)
    assert url.startswith(found["url"] + "/")  # path-style, on the same loopback port
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback, asserted above
        assert response.read() == b"\x00hello\xff"

    assert found["bucket"] == "conversations-local-attachments"  # the default table's


def _upload(server: LocalServer, content: bytes) -> tuple[int, dict[str, object]]:
    body, form_type = encode_multipart_formdata({"file": ("photo.bin", content, "application/octet-stream")})
    request = urllib.request.Request(  # noqa: S310 - the local server, on loopback
        f"{server.url}/v1/attachments",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {server.token('uploader')}", "Content-Type": form_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_largest_upload_passes_one_byte_more_is_the_apis_413_and_a_far_larger_one_the_platforms(
    server: LocalServer,
) -> None:
    limit = AttachmentSettings().max_upload_bytes
    largest = bytes(range(256)) * (limit // 256)

    status, created = _upload(server, largest)
    assert status == 201, created
    with urllib.request.urlopen(str(created["file_url"]), timeout=60) as response:  # noqa: S310 - loopback
        assert response.read() == largest

    status, refused = _upload(server, largest + b"\xff")
    assert (status, refused["type"]) == (413, "invalid_request")
    assert "file_size" in str(refused["message"])  # it points at the direct upload

    # Base64 in the event, 5 MiB of bytes is over Lambda's 6 MB: the function never sees it. A
    # multipart body is base64-encoded whatever its file holds, as on AWS: plain text too.
    for content in (b"\xff", b"a"):
        status, refused = _upload(server, content * (5 * 1024 * 1024))
        assert (status, refused) == (413, {"message": "Request Entity Too Large"})
