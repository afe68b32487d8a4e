"""`make run` serves S3 too (moto's server on a loopback port, issue 20): its banner says where,
the attachments bucket exists there, and a link presigned against it downloads with a plain HTTP
client, as curl would. No AWS account, no Docker."""

import re
import urllib.request

import boto3

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
