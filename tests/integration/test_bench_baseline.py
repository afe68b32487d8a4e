"""The bench's baseline makes exactly our DynamoDB requests, so its ratios compare handlers, not requests."""

import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from typing import Any

import pytest

from bench import baseline
from bench.cold_start import FUNCTIONS, WORKERS
from bench.warm import (
    CONVERSATION_ID,
    MESSAGE_ID,
    OWNER,
    QUEUE_URL,
    STUBBED_ANSWERS,
    STUBBED_QUEUE_ANSWERS,
    TABLE,
    WEBHOOK_ID,
    handler_serving_from,
    stubbed,
)
from clarity.wiring import use_services
from devtools.lambda_context import LocalLambdaContext

Request = tuple[str, dict[str, Any]]


def _without_clock(value: Any) -> Any:
    """The request with every epoch-seconds number and webhook secret replaced, since the two
    sides read the clock apart and draw their own secrets."""
    if isinstance(value, dict):
        if set(value) == {"N"} and len(value["N"]) == 10 and value["N"].isdigit():
            return {"N": "<now>"}
        if "secret" in value:
            value = {**value, "secret": {"S": "<secret>"}}
        return {name: _without_clock(inner) for name, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_without_clock(inner) for inner in value]
    return value


@pytest.fixture(autouse=True)
def no_services_left_behind() -> Iterator[None]:
    yield
    use_services(None)


def _recording(client: Any, service: str) -> list[Request]:
    """Every request the client makes from now on, as (operation, parameters)."""
    made: list[Request] = []
    client.meta.events.register(
        f"provide-client-params.{service}.*", lambda params, model, **_: made.append((model.name, dict(params)))
    )
    return made


@pytest.fixture
def clients(name: str) -> Iterator[tuple[Any, Any]]:
    """DynamoDB and SQS, each answering one call of `name` as the warm bench does; every
    answer must have been asked for."""
    client, dynamodb_stubber = stubbed("dynamodb", STUBBED_ANSWERS[name], 1)
    sqs, sqs_stubber = stubbed("sqs", STUBBED_QUEUE_ANSWERS.get(name, []), 1)
    yield client, sqs
    dynamodb_stubber.assert_no_pending_responses()
    sqs_stubber.assert_no_pending_responses()


def _our_requests(name: str, client: Any, sqs: Any) -> tuple[list[Request], list[Request]]:
    made, queued = _recording(client, "dynamodb"), _recording(sqs, "sqs")
    target = FUNCTIONS[name]
    handler = handler_serving_from("ours", target, client, sqs)
    with redirect_stdout(io.StringIO()):
        event = target.event(OWNER, CONVERSATION_ID, MESSAGE_ID, WEBHOOK_ID)
        status = target.status(handler(event, LocalLambdaContext(target.module_name)))
    assert status < 300
    return made, queued


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_the_baseline_makes_exactly_our_requests(name: str, clients: tuple[Any, Any]) -> None:
    ours, our_queue_calls = _our_requests(name, *clients)
    # Creates draw their ids server-side; the baseline is handed the same one.
    conversation_id = ours[0][1]["Item"]["id"]["S"] if name == "create" else CONVERSATION_ID
    put_id = ours[0][1]["TransactItems"][0]["Put"]["Item"]["id"]["S"] if name in ("send", "create_webhook") else ""
    message_id = put_id if name == "send" else MESSAGE_ID
    webhook_id = put_id if name == "create_webhook" else WEBHOOK_ID

    if name in WORKERS:
        theirs = baseline.worker_requests(name, TABLE, OWNER, webhook_id)
    else:
        theirs = baseline.requests(
            name, TABLE, OWNER, conversation_id, now=1_795_600_000, message_id=message_id, webhook_id=webhook_id
        )

    assert _without_clock(theirs) == _without_clock(ours)
    # The stream's worker queues its deliveries in one call, as the baseline does (bodies differ).
    expected_queue_calls = ["SendMessageBatch"] if name == "webhook_events" else []
    assert [operation for operation, _ in our_queue_calls] == expected_queue_calls


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_the_baseline_answers_like_the_function(name: str, clients: tuple[Any, Any]) -> None:
    client, sqs = clients
    queued, posted = _recording(sqs, "sqs"), []
    target = FUNCTIONS[name]

    if name in WORKERS:
        event = target.event(OWNER, CONVERSATION_ID, MESSAGE_ID, WEBHOOK_ID)
        answer = baseline.handle_worker(name, event, client, sqs, TABLE, QUEUE_URL, post=lambda *a: posted.append(a))
    else:
        answer = baseline.handle(name, client, TABLE, OWNER, CONVERSATION_ID, MESSAGE_ID, WEBHOOK_ID)

    expected = 204 if name.startswith("delete") else 200
    assert target.status(answer) == expected
    assert len(queued) == (1 if name == "webhook_events" else 0)
    assert len(posted) == (1 if name == "webhook_delivery" else 0)
