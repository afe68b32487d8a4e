"""Warm per-request time of one handler, with DynamoDB answered by botocore's Stubber (no I/O).

Run by bench/run.py as `python -m bench.warm ours|floor|baseline ENDPOINT REQUESTS SAMPLED`, one
process per side, so nothing one side loads slows another. Prints the timings.

As Lambda does, each request gets a fresh X-Ray trace header. SAMPLED is 1 or 0: whether X-Ray
records the request. No side loads the X-Ray SDK any more, so both should cost the same; both are
still measured, to show it.
"""

import contextlib
import importlib
import io
import json
import os
import sys
import time
from typing import Any

import boto3
from botocore.stub import Stubber

from bench import baseline
from bench.cold_start import ROUTES
from devtools.lambda_context import LocalLambdaContext

TABLE = "bench-warm"
OWNER = "bench-owner"
CONVERSATION_ID = "1xWBJaZ0q3Qpet8t"
MESSAGE_ID = "1xWBJbM5s8Gkq2Zd"
WEBHOOK_ID = "1xWBJcQ7t9Hmr2Ze"


def stored_item(conversation_id: str) -> dict[str, Any]:
    """A conversation as DynamoDB holds it, for the stubbed answers."""
    return baseline.new_item(OWNER, conversation_id, 1_795_600_000)


def stored_message(message_id: str) -> dict[str, Any]:
    """A message as DynamoDB holds it, for the stubbed answers."""
    return baseline.new_message_item(OWNER, CONVERSATION_ID, message_id, 1_795_600_000)


def stored_webhook(webhook_id: str) -> dict[str, Any]:
    """A webhook as DynamoDB holds it, secret included."""
    return baseline.new_webhook_item(OWNER, webhook_id, "whsec_bench", 1_795_600_000)


POINTER = ("get_item", {"Item": baseline.pointer_item(OWNER, CONVERSATION_ID, MESSAGE_ID)})


# The DynamoDB answers each request's calls get, in order; every side makes the same calls.
STUBBED_ANSWERS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "list": [("query", {"Items": [stored_item(f"1xWBJaZ0q3Qpe{n:03d}") for n in range(10)]})],
    "create": [("put_item", {})],
    "retrieve": [("update_item", {"Attributes": stored_item(CONVERSATION_ID)})],
    "update": [("update_item", {"Attributes": stored_item(CONVERSATION_ID)})],
    "delete": [("transact_write_items", {}), ("query", {"Items": []}), ("delete_item", {})],
    "list_messages": [("query", {"Items": [stored_message(f"1xWBJbM5s8Gkq{n:03d}") for n in range(10)]})],
    "send": [("transact_write_items", {})],
    "retrieve_message": [POINTER, ("get_item", {"Item": stored_message(MESSAGE_ID)})],
    "update_message": [POINTER, ("update_item", {"Attributes": stored_message(MESSAGE_ID)})],
    "delete_message": [POINTER, ("transact_write_items", {})],
    "list_webhooks": [("query", {"Items": [stored_webhook(f"1xWBJcQ7t9Hmr{n:03d}") for n in range(10)]})],
    "create_webhook": [("transact_write_items", {})],
    "retrieve_webhook": [("get_item", {"Item": stored_webhook(WEBHOOK_ID)})],
    "delete_webhook": [("transact_write_items", {})],
}


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def _handler_serving_from(side: str, module_name: str, client: Any) -> Any:
    """Our function's handler (`ours`) or the required stack alone (`floor`), over the stubbed client."""
    if side == "floor":
        from bench import floor  # noqa: PLC0415 - what it loads is part of the measured side

        floor.use_client(client, TABLE)
        return floor.lambda_handler

    from bench.dynamodb_work import settings_for  # noqa: PLC0415
    from clarity.wiring import build_services, use_services  # noqa: PLC0415

    settings = settings_for(TABLE)
    use_services(build_services(settings, client), settings)
    return importlib.import_module(module_name).lambda_handler


def main() -> None:
    side, endpoint, requests, sampled = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url="http://stubbed.invalid")
    stubber = Stubber(client)
    for _ in range(requests + 1):
        for operation, response in STUBBED_ANSWERS[endpoint]:
            stubber.add_response(operation, response)
    stubber.activate()

    if side == "baseline":

        def serve() -> int:
            answer = baseline.handle(endpoint, client, TABLE, OWNER, CONVERSATION_ID, MESSAGE_ID, WEBHOOK_ID)
            return int(answer["statusCode"])
    else:
        target = ROUTES[endpoint]
        handler = _handler_serving_from(side, target.module_name, client)

        def serve() -> int:
            event = target.event(OWNER, CONVERSATION_ID, MESSAGE_ID, WEBHOOK_ID)
            return int(handler(event, LocalLambdaContext(target.module_name))["statusCode"])

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
                raise RuntimeError(f"{side} {endpoint} answered {status}")
    timings.sort()
    result = {"p50_ms": percentile(timings, 0.5), "p99_ms": percentile(timings, 0.99), "requests": requests}
    sys.stdout.write("\nWARM " + json.dumps(result) + "\n")
    os._exit(0)  # skip interpreter teardown: nothing left to flush


if __name__ == "__main__":
    main()
