"""Warm per-request time of one handler, with DynamoDB and SQS answered by botocore's Stubber
and webhook receivers by a function (no I/O).

Run by bench/run.py as `python -m bench.warm ours|floor|baseline FUNCTION REQUESTS SAMPLED`, one
process per side, so nothing one side loads slows another. Prints the timings.

As Lambda does, each request gets a fresh X-Ray trace header; SAMPLED (1 or 0) says whether X-Ray
records it. No side loads the X-Ray SDK, so it changes nothing; the bench passes 1.
"""

import contextlib
import copy
import importlib
import io
import json
import os
import sys
import time
from typing import Any

import boto3
from botocore.config import Config
from botocore.stub import Stubber

from bench import baseline
from bench.cold_start import FUNCTIONS, WORKERS, Endpoint, Ids, Worker
from devtools.lambda_context import LocalLambdaContext

TABLE = "bench-warm"
OWNER = "bench-owner"
CONVERSATION_ID = "1xWBJaZ0q3Qpet8t"
MESSAGE_ID = "1xWBJbM5s8Gkq2Zd"
WEBHOOK_ID = "1xWBJcQ7t9Hmr2Ze"
CONTACT_ID = baseline.BENCH_CONTACT_ID
GROUP_ID = "1xWBJeT9v1Kot4Ag"
ATTACHMENT_ID = "1xWBJfU1w2Lpu5Bh"
# What every warm request names (one function uses those it needs).
IDS = Ids(OWNER, CONVERSATION_ID, MESSAGE_ID, WEBHOOK_ID, CONTACT_ID, GROUP_ID, ATTACHMENT_ID)
# The attachments' bucket: its links are signed here, with no S3 request.
BUCKET = f"{TABLE}-attachments"


def stored_item(conversation_id: str) -> dict[str, Any]:
    """A conversation as DynamoDB holds it, for the stubbed answers."""
    return baseline.new_item(OWNER, conversation_id, 1_795_600_000)


def stored_message(message_id: str) -> dict[str, Any]:
    """A message as DynamoDB holds it, for the stubbed answers."""
    return baseline.new_message_item(OWNER, CONVERSATION_ID, message_id, 1_795_600_000)


def stored_webhook(webhook_id: str) -> dict[str, Any]:
    """A webhook as DynamoDB holds it, secret included."""
    return baseline.new_webhook_item(OWNER, webhook_id, "whsec_bench", 1_795_600_000)


def stored_contact(contact_id: str) -> dict[str, Any]:
    """A contact as DynamoDB holds it, under the bench's username for it."""
    return baseline.new_contact_item(OWNER, contact_id, baseline.bench_username(contact_id), 1_795_600_000)


def stored_group(group_id: str) -> dict[str, Any]:
    """A group as DynamoDB holds it: the bench's contact its one member, the bench's conversation its own."""
    return baseline.new_group_item(OWNER, group_id, CONVERSATION_ID, [CONTACT_ID], 1_795_600_000)


def stored_attachment(attachment_id: str) -> dict[str, Any]:
    """An uploaded attachment as DynamoDB holds it."""
    return baseline.new_attachment_item(OWNER, attachment_id, 1_795_600_000)


# The bench's contact, as a group read answers it (one BatchGetItem of a group's members).
MEMBERS = ("batch_get_item", {"Responses": {TABLE: [stored_contact(CONTACT_ID)]}})
POINTER = ("get_item", {"Item": baseline.pointer_item(OWNER, CONVERSATION_ID, MESSAGE_ID)})


# The DynamoDB answers each request's calls get, in order; every side makes the same calls.
STUBBED_ANSWERS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "list": [("query", {"Items": [stored_item(f"1xWBJaZ0q3Qpe{n:03d}") for n in range(10)]})],
    "create": [("transact_write_items", {})],
    "retrieve": [("update_item", {"Attributes": stored_item(CONVERSATION_ID)})],
    "update": [("update_item", {"Attributes": stored_item(CONVERSATION_ID)})],
    "delete": [
        ("get_item", {"Item": stored_item(CONVERSATION_ID)}),
        ("transact_write_items", {}),
        ("query", {"Items": []}),
        ("delete_item", {}),
    ],
    "list_messages": [("query", {"Items": [stored_message(f"1xWBJbM5s8Gkq{n:03d}") for n in range(10)]})],
    "send": [("transact_write_items", {})],
    "retrieve_message": [POINTER, ("get_item", {"Item": stored_message(MESSAGE_ID)})],
    "update_message": [POINTER, ("update_item", {"Attributes": stored_message(MESSAGE_ID)})],
    "delete_message": [POINTER, ("transact_write_items", {})],
    "list_webhooks": [("query", {"Items": [stored_webhook(f"1xWBJcQ7t9Hmr{n:03d}") for n in range(10)]})],
    "create_webhook": [("transact_write_items", {})],
    "retrieve_webhook": [("get_item", {"Item": stored_webhook(WEBHOOK_ID)})],
    "delete_webhook": [("transact_write_items", {})],
    "list_contacts": [("query", {"Items": [stored_contact(f"1xWBJdS8u0Jns{n:03d}") for n in range(10)]})],
    "create_contact": [("transact_write_items", {})],
    "retrieve_contact": [("get_item", {"Item": stored_contact(CONTACT_ID)})],
    "update_contact": [("update_item", {"Attributes": stored_contact(CONTACT_ID)})],
    "delete_contact": [
        ("get_item", {"Item": stored_contact(CONTACT_ID)}),
        ("transact_write_items", {}),
        ("delete_item", {}),
    ],
    "list_groups": [("query", {"Items": [stored_group(f"1xWBJeT9v1Kot{n:03d}") for n in range(10)]}), MEMBERS],
    "create_group": [("transact_write_items", {}), MEMBERS],
    "retrieve_group": [("get_item", {"Item": stored_group(GROUP_ID)}), MEMBERS],
    "update_group": [("update_item", {"Attributes": stored_group(GROUP_ID)}), MEMBERS],
    "delete_group": [
        ("get_item", {"Item": stored_group(GROUP_ID)}),
        ("transact_write_items", {}),
        ("query", {"Items": []}),
        ("delete_item", {}),
        ("update_item", {"Attributes": stored_contact(CONTACT_ID)}),
        ("delete_item", {}),
    ],
    "list_attachments": [("query", {"Items": [stored_attachment(f"1xWBJfU1w2Lpu{n:03d}") for n in range(10)]})],
    "retrieve_attachment": [("get_item", {"Item": stored_attachment(ATTACHMENT_ID)})],
    "update_attachment": [("update_item", {"Attributes": stored_attachment(ATTACHMENT_ID)})],
    "create_attachment": [
        ("transact_write_items", {}),
        ("update_item", {"Attributes": stored_attachment(ATTACHMENT_ID)}),
    ],
    "delete_attachment": [
        ("get_item", {"Item": stored_attachment(ATTACHMENT_ID)}),
        ("transact_write_items", {}),
        ("delete_item", {}),
    ],
    "webhook_events": [("query", {"Items": [stored_webhook(WEBHOOK_ID)]})],
    "webhook_delivery": [("get_item", {"Item": stored_webhook(WEBHOOK_ID)})],
    # Nothing to sweep: each of the 20 shards read finds nothing.
    "attachment_sweep": [("query", {"Items": []})] * 20,
}
# The queue's answers: the stream's worker queues one delivery per record (one webhook here).
STUBBED_QUEUE_ANSWERS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "webhook_events": [
        ("send_message_batch", {"Successful": [{"Id": "0", "MessageId": "m-0", "MD5OfMessageBody": "0"}], "Failed": []})
    ],
}
# S3's answers: an upload stores its file, a delete deletes it (a link is signed with no request).
STUBBED_S3_ANSWERS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "create_attachment": [("put_object", {})],
    "delete_attachment": [("delete_objects", {})],
}
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/bench-warm-webhook-deliveries"


def received(*_: Any, **__: Any) -> int:
    """The receiver, with no I/O: every delivery is taken (204)."""
    return 204


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def handler_serving_from(side: str, target: Endpoint | Worker, client: Any, sqs: Any, s3: Any = None) -> Any:
    """Our function's handler (`ours`) or the required stack alone (`floor`), over the stubbed
    clients (S3's by default one that answers nothing: it signs links) and a receiver that takes
    every delivery."""
    s3 = s3 or stubbed("s3", [], 0)[0]
    if side == "floor":
        from bench import floor, floor_sweep, floor_worker  # noqa: PLC0415 - what they load is measured

        floor.use_client(client, TABLE, s3, BUCKET)
        floor_worker.use_clients(client, sqs, TABLE, QUEUE_URL, post=received)
        floor_sweep.use_client(client, TABLE)
        return importlib.import_module(target.floor_module).lambda_handler

    from dataclasses import replace  # noqa: PLC0415

    from bench.dynamodb_work import settings_for  # noqa: PLC0415
    from clarity.wiring import Files, Outbound, build_services, use_services  # noqa: PLC0415

    settings = settings_for(TABLE)
    settings = replace(
        settings,
        webhooks=replace(settings.webhooks, queue_url=QUEUE_URL, dead_letter_queue_url=QUEUE_URL),
        attachments=replace(settings.attachments, bucket=BUCKET),
    )
    outbound = Outbound(settings.webhooks, sqs=sqs, send=received)
    files = Files(settings.attachments, region=settings.region, s3=s3)
    use_services(build_services(settings, client, outbound=outbound, files=files), settings)
    return importlib.import_module(target.module_name).lambda_handler


def stubbed(service: str, answers: list[tuple[str, dict[str, Any]]], times: int) -> tuple[Any, Stubber]:
    """A client of `service` that gives `answers`, in order, `times` over (and its stubber)."""
    # S3 signs links with signature version 4, as ours and the baseline's clients do.
    config = Config(signature_version="s3v4") if service == "s3" else None
    client = boto3.client(service, region_name="us-east-1", endpoint_url="http://stubbed.invalid", config=config)  # type: ignore[call-overload]
    stubber = Stubber(client)
    for _ in range(times):
        for operation, response in answers:
            stubber.add_response(operation, response)
    stubber.activate()
    return client, stubber


def main() -> None:
    side, name, requests, sampled = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    client, _ = stubbed("dynamodb", STUBBED_ANSWERS[name], requests + 1)
    sqs, _ = stubbed("sqs", STUBBED_QUEUE_ANSWERS.get(name, []), requests + 1)
    s3, _ = stubbed("s3", STUBBED_S3_ANSWERS.get(name, []), requests + 1)
    target = FUNCTIONS[name]
    # With DynamoDB stubbed, a contact's create may repeat its username: nothing stored, nothing refused.
    event = target.event(IDS)

    if side == "baseline" and name in WORKERS:

        def serve() -> int:
            answer = baseline.handle_worker(name, event, client, sqs, TABLE, QUEUE_URL, post=received)
            return target.status(answer)
    elif side == "baseline":
        form = target.form() if isinstance(target, Endpoint) else None

        def serve() -> int:
            ids = (CONVERSATION_ID, MESSAGE_ID, WEBHOOK_ID, CONTACT_ID)
            answer = baseline.handle(
                name, client, TABLE, OWNER, *ids, group_id=GROUP_ID, attachment_id=ATTACHMENT_ID, s3=s3, bucket=BUCKET,
                form=form,
            )  # fmt: skip
            return target.status(answer)
    else:
        handler = handler_serving_from(side, target, client, sqs, s3)

        # A fresh copy for each invocation, as Lambda gives, made before the clock starts.
        events = [copy.deepcopy(event) for _ in range(requests + 1)]

        def serve() -> int:
            return target.status(handler(events.pop(), LocalLambdaContext(target.module_name)))

    timings: list[float] = []
    # Logs and metrics go to stdout in Lambda too; here they go nowhere, for both sides alike.
    with contextlib.redirect_stdout(io.StringIO()) as sink:
        serve()  # the first request is the cold one, measured elsewhere
        for request in range(requests):
            # Lambda's runtime sets this before each invocation, outside the handler's time.
            os.environ["_X_AMZN_TRACE_ID"] = f"Root=1-67a0b1c2-{request:024x};Parent=53995c3f42cd8ad8;Sampled={sampled}"
            started = time.perf_counter()
            status = serve()
            timings.append((time.perf_counter() - started) * 1000)
            sink.seek(0)
            sink.truncate()
            if status >= 400:
                raise RuntimeError(f"{side} {name} answered {status}")
    timings.sort()
    result = {"p50_ms": percentile(timings, 0.5), "p99_ms": percentile(timings, 0.99), "requests": requests}
    sys.stdout.write("\nWARM " + json.dumps(result) + "\n")
    os._exit(0)  # skip interpreter teardown: nothing left to flush


if __name__ == "__main__":
    main()
