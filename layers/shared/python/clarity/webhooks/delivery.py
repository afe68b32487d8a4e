"""Delivering one event to one webhook, and what happens when that fails.

A 2xx within the timeout is delivered. Anything else (another status, a timeout, a refused
connection, an address that is now forbidden) is retried with jittered exponential backoff
until the attempts run out; the last failure goes to the dead-letter queue, logged and counted.
A webhook deleted meanwhile gets nothing more: its queued retries are dropped here.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from clarity.webhooks.destinations import (
    DestinationPolicy,
    ForbiddenDestination,
    Resolver,
    allowed_addresses,
    parse_url,
)
from clarity.webhooks.queue import Delivery, DeliveryQueue
from clarity.webhooks.signing import (
    ATTEMPT_HEADER,
    EVENT_ID_HEADER,
    OBJECT_ETAG_HEADER,
    SIGNATURE_HEADER,
    signature,
)
from clarity.webhooks.stored import StoredWebhooks
from clarity.webhooks.transport import Transport

USER_AGENT = "Clarity-Webhooks/1"


@dataclass(frozen=True)
class RetrySchedule:
    """Attempt n waits about base * factor**(n-1) seconds after failing (capped), with "equal
    jitter": half of it fixed, half random, so retries of many deliveries spread out.

    AWS: 60 s, x4, capped at 11 h, 8 attempts: 13.8 to 27.7 hours from the first attempt to
    the last (20.8 on average). Local runs compress it to seconds."""

    base_seconds: float = 60
    factor: float = 4
    cap_seconds: float = 11 * 60 * 60
    max_attempts: int = 8

    def delay_after(self, attempt: int, draw: Callable[[], float] = random.random) -> int:
        ceiling = min(self.cap_seconds, self.base_seconds * self.factor ** (attempt - 1))
        return max(1, round(ceiling / 2 + draw() * ceiling / 2))


class Outcome(Enum):
    DELIVERED = "delivered"
    DROPPED = "dropped"  # the webhook is gone
    RETRY = "retry"
    EXHAUSTED = "exhausted"  # dead-lettered


@dataclass(frozen=True)
class AttemptResult:
    outcome: Outcome
    status: int | None = None
    error: str = ""
    retry_in_seconds: int | None = None


class WebhookSender:
    """One attempt of one delivery: look the webhook up, check where it points now, sign, POST."""

    def __init__(
        self,
        webhooks: StoredWebhooks,
        policy: DestinationPolicy,
        resolve: Resolver,
        transport: Transport,
        schedule: RetrySchedule,
        timeout_seconds: float = 10,
    ) -> None:
        self._webhooks = webhooks
        self._policy = policy
        self._resolve = resolve
        self._transport = transport
        self.schedule = schedule
        self._timeout = timeout_seconds

    def attempt(self, delivery: Delivery, attempt: int) -> AttemptResult:
        stored = self._webhooks.get(delivery.owner, delivery.webhook_id)
        if stored is None:
            return AttemptResult(Outcome.DROPPED, error="the webhook was deleted")
        body = delivery.body.encode("utf-8")
        try:
            destination = parse_url(stored.url, self._policy)
            address = allowed_addresses(destination, self._policy, self._resolve)[0]
            status = self._transport(
                destination,
                address,
                body,
                {
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    SIGNATURE_HEADER: signature(stored.secret, body),
                    EVENT_ID_HEADER: delivery.event_id,
                    ATTEMPT_HEADER: str(attempt),
                    OBJECT_ETAG_HEADER: delivery.etag,
                },
                self._timeout,
            )
        except ForbiddenDestination as refused:
            return self._failed(attempt, error=f"refused: {refused}")
        except Exception as error:  # any transport failure (timeout, refused, TLS) is a failed attempt
            return self._failed(attempt, error=f"{type(error).__name__}: {error}"[:500])
        if 200 <= status < 300:
            return AttemptResult(Outcome.DELIVERED, status=status)
        return self._failed(attempt, status=status, error=f"answered {status}")

    def _failed(self, attempt: int, *, error: str, status: int | None = None) -> AttemptResult:
        if attempt >= self.schedule.max_attempts:
            return AttemptResult(Outcome.EXHAUSTED, status=status, error=error)
        return AttemptResult(
            Outcome.RETRY, status=status, error=error, retry_in_seconds=self.schedule.delay_after(attempt)
        )


class DeliveryWorker:
    """What the delivery function does with one queued delivery: attempt it, then let SQS
    retry it later, or dead-letter it when the attempts have run out."""

    def __init__(self, sender: WebhookSender, queue: DeliveryQueue) -> None:
        self._sender = sender
        self._queue = queue

    def handle(self, delivery: Delivery, attempt: int, receipt_handle: str) -> AttemptResult:
        result = self._sender.attempt(delivery, attempt)
        if result.outcome is Outcome.RETRY and result.retry_in_seconds is not None:
            self._queue.retry_later(receipt_handle, result.retry_in_seconds)
        elif result.outcome is Outcome.EXHAUSTED:
            self._queue.dead_letter(delivery, attempt, result.error)
        return result
