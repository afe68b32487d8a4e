"""Webhook events: latency from the write to the receiver as `make run` runs the pipeline, and
what a million events cost on AWS.

Latency: the embedded DynamoDB (moto's server), the pipeline on its threads, a receiver on
127.0.0.1, and conversations created through the create function in process; each event's
latency is from just before its write to its arrival.

Cost: per event with one subscribed webhook, from the calls each function makes (counted here
on moto) and list prices, for a quiet stream (every batch holds one event) and a busy one
(full batches). Stream reads by Lambda are free; the receiver's answer time is an assumption.
"""

import json
import statistics
import time
from typing import Any

import boto3

from devtools.events import jwt_claims
from devtools.local_api import start_moto_server, start_webhook_pipeline
from devtools.loopback_receiver import Delivered, LoopbackReceiver
from devtools.routing import Router, invoke
from devtools.template import create_tables

OWNER = "bench-webhooks"
TABLE = "bench-webhooks"
# Assumed on AWS: a receiver that answers in 100 ms, and 5 ms per DynamoDB or SQS call.
RECEIVER_MS = 100.0
CALL_MS = 5.0
MEMORY_GB = 0.5
STREAM_BATCH = 100  # template.yaml: the stream's BatchSize
QUEUE_BATCH = 5  # template.yaml: the queue's BatchSize
SEND_BATCH = 10  # SendMessageBatch's limit


def _call(router: Router, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    match = router.match(method, path)
    assert match is not None
    result = invoke(
        router,
        match,
        claims=jwt_claims(OWNER),
        headers={"content-type": "application/json"},
        body=json.dumps(body).encode(),
    )
    parsed: dict[str, Any] = json.loads(result["body"])
    return parsed


def latency(events: int, spacing_seconds: float = 0.05) -> dict[str, Any]:
    """p50/p99 from a write to its event's arrival, locally."""
    endpoint_url, stop_dynamodb = start_moto_server()
    create_tables(boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint_url), TABLE)
    pipeline = start_webhook_pipeline(endpoint_url, TABLE)
    arrived_at: dict[str, float] = {}

    def arrival(delivered: Delivered) -> int:
        arrived_at.setdefault(json.loads(delivered.body)["payload"]["id"], time.perf_counter())
        return 200

    receiver = LoopbackReceiver(arrival)
    try:
        router = Router()
        url = receiver.url()
        _call(router, "POST", "/v1/webhooks", {"name": "bench", "url": url, "events": ["conversation.created"]})
        written: dict[str, float] = {}
        for number in range(events):
            # A contact has one conversation: each event opens one with a contact made first.
            contact = _call(
                router, "POST", "/v1/contacts", {"username": f"bench-{number}", "phone_number": "+14155550100"}
            )
            started = time.perf_counter()
            created = _call(router, "POST", "/v1/conversations", {"contact_id": contact["id"]})
            written[created["id"]] = started
            time.sleep(spacing_seconds)
        deadline = time.monotonic() + 30
        while len(arrived_at) < events and time.monotonic() < deadline:
            time.sleep(0.05)
        latencies = sorted((arrived_at[i] - t) * 1000 for i, t in written.items() if i in arrived_at)
    finally:
        pipeline.stop()
        receiver.close()
        stop_dynamodb()
    return {
        "events": events,
        "arrived": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 1) if latencies else None,
    }


def cost(prices: dict[str, float]) -> dict[str, Any]:
    """Dollars per million events delivered once to one webhook, quiet and busy."""
    rows = {}
    for load, stream_batch, queue_batch in (("quiet", 1, 1), ("busy", STREAM_BATCH, QUEUE_BATCH)):
        invocations = 1 / stream_batch + 1 / queue_batch
        # Stream function: one Query (the owner's webhooks) and one SendMessageBatch per event.
        # Delivery function: one GetItem (the webhook) and the POST per event.
        seconds = (2 * CALL_MS + CALL_MS + RECEIVER_MS) / 1000
        sqs_requests = (
            1 / min(SEND_BATCH, stream_batch)  # SendMessageBatch
            + 2 / queue_batch  # ReceiveMessage and DeleteMessageBatch by the event source mapping
        )
        dollars = {
            "lambda_requests": invocations * prices["lambda_request_per_million"],
            "lambda_duration": seconds * MEMORY_GB * prices["lambda_gb_second"] * 1_000_000,
            "dynamodb_reads": 2 * prices["dynamodb_read_unit_per_million"],
            "sqs_requests": sqs_requests * prices["sqs_request_per_million"],
        }
        rows[load] = {
            "stream_batch": stream_batch,
            "queue_batch": queue_batch,
            **{name: round(value, 3) for name, value in dollars.items()},
            "dollars_per_million_events": round(sum(dollars.values()), 2),
        }
    return {"assumptions": {"receiver_ms": RECEIVER_MS, "call_ms": CALL_MS, "memory_gb": MEMORY_GB}, **rows}
