"""The bench's baseline makes exactly our DynamoDB requests, so its ratios compare handlers, not requests."""

import importlib
import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from bench import baseline
from bench.cold_start import ROUTES
from bench.dynamodb_work import settings_for
from bench.warm import CONVERSATION_ID, MESSAGE_ID, OWNER, STUBBED_ANSWERS, TABLE, WEBHOOK_ID
from clarity.wiring import build_services, use_services
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


@pytest.fixture
def stubbed_client() -> Iterator[Any]:
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url="http://stubbed.invalid")
    with Stubber(client) as stubber:
        yield client, stubber
    use_services(None)


def _our_requests(endpoint: str, client: Any, stubber: Stubber) -> list[Request]:
    made: list[Request] = []
    client.meta.events.register(
        "provide-client-params.dynamodb.*", lambda params, model, **_: made.append((model.name, dict(params)))
    )
    for operation, answer in STUBBED_ANSWERS[endpoint]:
        stubber.add_response(operation, answer)
    settings = settings_for(TABLE)
    use_services(build_services(settings, client), settings)
    route = ROUTES[endpoint]
    handler = importlib.import_module(route.module_name).lambda_handler
    with redirect_stdout(io.StringIO()):
        event = route.event(OWNER, CONVERSATION_ID, MESSAGE_ID, WEBHOOK_ID)
        status = handler(event, LocalLambdaContext(route.module_name))["statusCode"]
    assert status < 300
    stubber.assert_no_pending_responses()
    return made


@pytest.mark.parametrize("endpoint", list(ROUTES))
def test_the_baseline_makes_exactly_our_requests(endpoint: str, stubbed_client: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed_client
    ours = _our_requests(endpoint, client, stubber)
    # Creates draw their ids server-side; the baseline is handed the same one.
    conversation_id = ours[0][1]["Item"]["id"]["S"] if endpoint == "create" else CONVERSATION_ID
    put_id = ours[0][1]["TransactItems"][0]["Put"]["Item"]["id"]["S"] if endpoint in ("send", "create_webhook") else ""
    message_id = put_id if endpoint == "send" else MESSAGE_ID
    webhook_id = put_id if endpoint == "create_webhook" else WEBHOOK_ID

    theirs = baseline.requests(
        endpoint, TABLE, OWNER, conversation_id, now=1_795_600_000, message_id=message_id, webhook_id=webhook_id
    )

    assert _without_clock(theirs) == _without_clock(ours)


@pytest.mark.parametrize("endpoint", list(ROUTES))
def test_the_baseline_answers_like_an_endpoint(endpoint: str, stubbed_client: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed_client
    for operation, answer in STUBBED_ANSWERS[endpoint]:
        stubber.add_response(operation, answer)

    answer = baseline.handle(endpoint, client, TABLE, OWNER, CONVERSATION_ID, MESSAGE_ID, WEBHOOK_ID)

    assert answer["statusCode"] == (204 if endpoint.startswith("delete") else 200)
    stubber.assert_no_pending_responses()
