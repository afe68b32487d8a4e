"""Webhook test helpers: the whole pipeline on moto (table, stream, queues, both functions),
and receivers on 127.0.0.1 that answer as a test tells them to.

Nothing here connects anywhere but loopback: tests of public addresses inject a resolver and a
transport (`FakeDns`, `RecordingTransport`) instead of using DNS and the network.
"""

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from clarity.webhooks.destinations import Destination
from clarity.webhooks.models import EventType
from clarity.webhooks.transport import Transport
from devtools.loopback_receiver import Delivered, LoopbackReceiver
from devtools.routing import Router
from devtools.webhook_pipeline import LocalPipeline, moto_stream_trimmer
from tests.support import (
    TABLE_NAME,
    ApiClient,
    installed_services_with_queues,
    local_settings,
    moto_table_and_queues,
    stream_client,
)

HANG = "hang"


class Receiver:
    """A receiver on 127.0.0.1 that keeps what it gets. `answers` are used in turn (then 200):
    a status, or HANG to hold the request until the receiver closes."""

    def __init__(self, answers: Sequence[int | str] = ()) -> None:
        self.requests: list[Delivered] = []
        self._answers = list(answers)
        self._server = LoopbackReceiver(self._answer)

    def _answer(self, delivered: Delivered) -> int | None:
        self.requests.append(delivered)
        answer = self._answers.pop(0) if self._answers else 200
        return None if answer == HANG else int(answer)

    @property
    def url(self) -> str:
        return self._server.url("/hooks/clarity")

    def close(self) -> None:
        self._server.close()


@contextmanager
def receiver(answers: Sequence[int | str] = ()) -> Iterator[Receiver]:
    started = Receiver(answers)
    try:
        yield started
    finally:
        started.close()


class FakeDns:
    """A resolver from a table a test controls; a name it lacks does not resolve."""

    def __init__(self, names: Mapping[str, list[str]] | None = None) -> None:
        self.names = dict(names or {})
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.names:
            raise OSError(f"{host} does not resolve")
        return self.names[host]


@dataclass
class RecordingTransport:
    """A transport that connects nowhere: it records each attempt and answers `status`."""

    status: int = 200
    attempts: list[tuple[Destination, str, bytes, dict[str, str]]] = field(default_factory=list)

    def __call__(
        self, destination: Destination, address: str, body: bytes, headers: Mapping[str, str], timeout: float
    ) -> int:
        self.attempts.append((destination, address, body, dict(headers)))
        return self.status


CONVERSATION_AND_MESSAGE_EVENTS = [
    event.value for event in EventType if event.value.split(".")[0] in ("conversation", "message")
]


@dataclass
class WebhookWorld:
    api: ApiClient
    pipeline: LocalPipeline
    sqs: Any
    streams: Any
    queue_url: str
    dead_letter_url: str
    seen_dead_letters: list[dict[str, Any]] = field(default_factory=list)

    def register(self, url: str, events: list[str] | None = None, owner: str = "alice") -> dict[str, Any]:
        """A webhook of `owner` for these event types; by default the conversations' and messages'
        (opening a conversation also adds a contact and links it: tests/integration/test_people_events)."""
        response = self.api.request(
            "POST",
            "/v1/webhooks",
            owner=owner,
            json_body={"name": "test receiver", "url": url, "events": events or CONVERSATION_AND_MESSAGE_EVENTS},
        )
        assert response.status == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def run_until(self, done: Callable[[], bool], timeout: float = 15) -> None:
        """Move the pipeline until `done()` holds; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, "the pipeline did not get there in time"
            if not self.pipeline.pump():
                time.sleep(0.05)

    def settle(self, quiet_seconds: float = 0.3) -> None:
        """Move the pipeline until nothing has moved for `quiet_seconds` and no delivery is in flight."""
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < quiet_seconds or self.in_flight():
            if self.pipeline.pump():
                quiet_since = time.monotonic()
            else:
                time.sleep(0.05)

    def in_flight(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def dead_letters(self) -> list[dict[str, Any]]:
        """What the dead-letter queue holds (read once: it stays hidden afterwards)."""
        messages: list[dict[str, Any]] = self.sqs.receive_message(
            QueueUrl=self.dead_letter_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        self.seen_dead_letters.extend(messages)
        return messages

    def dead_letters_seen(self) -> list[dict[str, Any]]:
        self.dead_letters()
        return self.seen_dead_letters


@contextmanager
def webhook_world(
    *,
    destinations: str = "loopback",
    max_attempts: int = 3,
    timeout_seconds: float = 2,
    resolve: Callable[[str, int], Sequence[str]] | None = None,
    send: Transport | None = None,
    clock: Callable[[], int] | None = None,
) -> Iterator[WebhookWorld]:
    """The API and the webhook pipeline on moto, with retries one second apart."""
    with moto_table_and_queues() as (dynamodb, queues):
        settings = local_settings(
            queues,
            destinations=destinations,
            retry_base_seconds=1,
            retry_cap_seconds=1,
            max_attempts=max_attempts,
            timeout_seconds=timeout_seconds,
        )
        streams = stream_client()
        with installed_services_with_queues(dynamodb, settings, queues.sqs, send=send, resolve=resolve, clock=clock):
            pipeline = LocalPipeline(
                dynamodb=dynamodb,
                streams=streams,
                sqs=queues.sqs,
                table_name=TABLE_NAME,
                queue_url=queues.delivery_url,
                trim=moto_stream_trimmer(TABLE_NAME),
            )
            yield WebhookWorld(
                ApiClient(Router()), pipeline, queues.sqs, streams, queues.delivery_url, queues.dead_letter_url
            )
