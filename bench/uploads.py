"""How long an upload through the API takes, by file size: `make bench-uploads`.

The create function runs in process, as Lambda calls it, on moto's DynamoDB and on moto's S3
server on loopback (so the file really crosses a socket). For each size it sends the multipart
event API Gateway would send (base64-encoded), RUNS times, and reports the median and the
slowest of the whole request and of its parts: reading the form (the multipart library) and
storing the file (S3 PutObject). Not AWS's latencies: what this code adds per byte.
"""

import base64
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto.server import ThreadedMotoServer
from urllib3.filepost import encode_multipart_formdata

from clarity.core.settings import AttachmentSettings, Settings
from clarity.http import multipart
from clarity.store.objects import Bucket
from clarity.wiring import Files, build_services, use_services
from devtools.events import http_api_event, jwt_claims
from devtools.lambda_context import LocalLambdaContext
from devtools.template import create_tables, import_function

# The function's environment, quiet: no metrics or info logs on stdout between the rows.
os.environ.update(
    {
        "POWERTOOLS_SERVICE_NAME": "conversations",
        "POWERTOOLS_METRICS_NAMESPACE": "ClarityBench",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)

SIZES = {"1 KiB": 1024, "1 MiB": 1024**2, "4 MiB": 4 * 1024**2}
RUNS = 15
TABLE = "bench-uploads"
BUCKET = "bench-uploads-files"


def _event(size: int) -> dict[str, Any]:
    content = bytes(range(256)) * (size // 256)
    body, form_type = encode_multipart_formdata({"file": ("photo.bin", content, "application/octet-stream")})
    event = http_api_event(
        "POST",
        "/v1/attachments",
        route_key="POST /v1/attachments",
        claims=jwt_claims("bench-owner"),
        headers={"content-type": form_type},
    )
    # As API Gateway hands a multipart body to Lambda: base64.
    return {**event, "body": base64.b64encode(body).decode("ascii"), "isBase64Encoded": True}


@contextmanager
def _timed(into: list[float], target: Any, name: str) -> Iterator[None]:
    """Time every call of `target.name` into `into` (milliseconds) while the block runs."""
    original: Callable[..., Any] = getattr(target, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into.append((time.perf_counter() - started) * 1000)

    setattr(target, name, timed)
    try:
        yield
    finally:
        setattr(target, name, original)


def measure() -> dict[str, dict[str, float]]:
    # DynamoDB and S3 both on moto's server: requests cross a socket, as they would to AWS.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request between the rows
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint)
        s3.create_bucket(Bucket=BUCKET)
        dynamodb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)
        create_tables(dynamodb, TABLE, stream=False)
        settings = Settings.for_table(TABLE)
        quota = AttachmentSettings(bucket=BUCKET, quota_bytes=10 * 1024**3)
        use_services(build_services(settings, dynamodb, files=Files(quota, s3=s3)), settings)
        handler = import_function("CreateAttachmentFunction")
        results = {}
        for label, size in SIZES.items():
            event = _event(size)
            totals: list[float] = []
            parsing: list[float] = []
            storing: list[float] = []
            with _timed(parsing, multipart, "uploaded_file"), _timed(storing, Bucket, "put"):
                for _ in range(RUNS):
                    started = time.perf_counter()
                    result = handler(event, LocalLambdaContext("CreateAttachmentFunction"))
                    totals.append((time.perf_counter() - started) * 1000)
                    assert result["statusCode"] == 201, result
            results[label] = {
                "event_bytes": float(len(json.dumps(event))),
                "total_p50_ms": statistics.median(totals),
                "total_max_ms": max(totals),
                "read_form_p50_ms": statistics.median(parsing),
                "put_object_p50_ms": statistics.median(storing),
            }
        use_services(None)
        return results
    finally:
        server.stop()


def main() -> None:
    results = measure()
    out = sys.stdout
    out.write(f"Uploads through POST /v1/attachments, in process, {RUNS} each (ms)\n")
    out.write("| File | Event | Request p50 | Request max | Reading the form p50 | PutObject p50 |\n")
    out.write("|---|---|---|---|---|---|\n")
    for label, row in results.items():
        event_kib = row["event_bytes"] / 1024
        out.write(f"| {label} | {event_kib:,.0f} KiB | {row['total_p50_ms']:.1f} | {row['total_max_ms']:.1f} ")
        out.write(f"| {row['read_form_p50_ms']:.1f} | {row['put_object_p50_ms']:.1f} |\n")


if __name__ == "__main__":
    main()
