"""events/ holds one real event per function, which `sam local invoke -e` can use: for the API's
functions an API Gateway event of the function's route, for the webhook workers a batch from
their event source (the table's stream, the delivery queue). Each succeeds in process against
the seeded example data, and the two worker events agree: the delivery queued for the stream's
record is the one the delivery event carries."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from clarity.webhooks.queue import Delivery
from clarity.webhooks.signing import (
    ATTEMPT_HEADER,
    EVENT_ID_HEADER,
    OBJECT_ETAG_HEADER,
    SIGNATURE_HEADER,
    is_signed_by,
)
from devtools.lambda_context import LocalLambdaContext
from devtools.routing import Router
from devtools.sam_local import (
    EVENTS_DIRECTORY,
    committed_event,
    event_owner,
    is_api_event,
    is_scheduled_event,
    with_owner,
)
from devtools.template import function_routes, import_function, load_template
from tests.support import (
    EXAMPLE_CONVERSATION_ID,
    EXAMPLE_WEBHOOK_ID,
    EXAMPLE_WEBHOOK_SECRET,
    Queues,
    installed_services_with_queues,
    local_settings,
    moto_table_and_queues,
    seed_examples,
)

ROUTES = {route.logical_id: route for route in function_routes()}
# Every function of the template, the webhook workers included: logical id -> its event's name.
FUNCTIONS = {
    logical_id: Path(resource["Properties"]["CodeUri"]).name
    for logical_id, resource in load_template()["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
}
WORKERS = sorted(set(FUNCTIONS) - set(ROUTES))


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that answers 200 and keeps what it got."""

    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/clarity"


@dataclass
class World:
    client: Any
    queues: Queues
    receiver: Receiver

    def seed(self, event: dict[str, Any]) -> None:
        """The example data, owned by whom the event names; the example webhook posts to the receiver."""
        seed_examples(self.client, event_owner(event), webhook_url=self.receiver.url)

    def queued(self) -> list[str]:
        messages = self.queues.sqs.receive_message(QueueUrl=self.queues.delivery_url, MaxNumberOfMessages=10)
        return [message["Body"] for message in messages.get("Messages", [])]


@pytest.fixture
def world() -> Iterator[World]:
    """moto's table and queues, with settings as local runs have them (webhooks to loopback)."""
    receiver = Receiver()
    try:
        with (
            moto_table_and_queues() as (client, queues),
            installed_services_with_queues(client, local_settings(queues), queues.sqs),
        ):
            yield World(client, queues, receiver)
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def run(function: str, event: dict[str, Any]) -> dict[str, Any]:
    """The function's handler, in process, as Lambda calls it."""
    handler = Router().handler(ROUTES[function]) if function in ROUTES else import_function(function)
    result: dict[str, Any] = handler(event, LocalLambdaContext(function))
    return result


def test_every_event_belongs_to_a_function() -> None:
    assert {path.stem for path in EVENTS_DIRECTORY.glob("*.json")} == set(FUNCTIONS.values())
    assert WORKERS == ["AttachmentSweepFunction", "WebhookDeliveryFunction", "WebhookEventsFunction"]


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_functions_event_succeeds_in_process(world: World, function: str) -> None:
    event = committed_event(FUNCTIONS[function])
    world.seed(event)

    result = run(function, event)

    if function in ROUTES:
        route = ROUTES[function]
        assert is_api_event(event)
        assert event["routeKey"] == f"{route.method} {route.path}"
        assert 200 <= result["statusCode"] < 300, result
    elif is_scheduled_event(event):
        assert result == {"removed": 0, "confirmed": 0, "removed_files": 0}  # no direct upload waiting
    else:
        assert not is_api_event(event)
        assert result == {"batchItemFailures": []}


def test_the_stream_event_queues_the_delivery_that_the_delivery_event_carries(world: World) -> None:
    event = committed_event(FUNCTIONS["WebhookEventsFunction"])
    world.seed(event)

    assert run("WebhookEventsFunction", event) == {"batchItemFailures": []}

    queued = world.queued()
    assert queued == [record["body"] for record in committed_event(FUNCTIONS["WebhookDeliveryFunction"])["Records"]]
    delivery = Delivery.from_message(queued[0])
    assert (delivery.webhook_id, delivery.event_type) == (EXAMPLE_WEBHOOK_ID, "conversation.created")


def test_the_delivery_event_posts_the_signed_envelope_to_the_example_webhook(world: World) -> None:
    event = committed_event(FUNCTIONS["WebhookDeliveryFunction"])
    world.seed(event)
    delivery = Delivery.from_message(event["Records"][0]["body"])

    assert run("WebhookDeliveryFunction", event) == {"batchItemFailures": []}

    [(headers, body)] = world.receiver.requests
    assert body == delivery.body.encode("utf-8")
    assert is_signed_by(EXAMPLE_WEBHOOK_SECRET, body, headers[SIGNATURE_HEADER])
    assert (headers[EVENT_ID_HEADER], headers[ATTEMPT_HEADER]) == (delivery.event_id, "1")
    assert headers[OBJECT_ETAG_HEADER] == delivery.etag == '"1"'  # a conversation just created
    envelope = json.loads(body)
    assert (envelope["type"], envelope["payload"]["id"]) == ("conversation.created", EXAMPLE_CONVERSATION_ID)
    dead_letters = world.queues.sqs.receive_message(QueueUrl=world.queues.dead_letter_url)
    assert dead_letters.get("Messages", []) == []


def test_the_worker_events_move_whole_to_another_owner() -> None:
    stream = committed_event(FUNCTIONS["WebhookEventsFunction"])
    queue = committed_event(FUNCTIONS["WebhookDeliveryFunction"])

    moved_stream, moved_queue = with_owner(stream, "bob"), with_owner(queue, "bob")

    assert (event_owner(stream), event_owner(moved_stream), event_owner(moved_queue)) == ("alice", "bob", "bob")
    change = moved_stream["Records"][0]["dynamodb"]
    partitions = [change["Keys"]["PK"], *(v for k, v in change["NewImage"].items() if k.endswith("PK"))]
    assert len(partitions) == 5  # the key, the item's own and its three index keys
    assert all(value["S"].startswith("OWNER#bob") for value in partitions)
    assert change["Keys"]["SK"] == stream["Records"][0]["dynamodb"]["Keys"]["SK"]
    assert "alice" not in json.dumps(moved_stream) + json.dumps(moved_queue)
    [record], [moved] = queue["Records"], moved_queue["Records"]
    assert Delivery.from_message(moved["body"]) == replace(Delivery.from_message(record["body"]), owner="bob")
