"""The delivery queue (SQS): one message per (event, webhook), retried with SQS's own
visibility timeout, and its dead-letter queue for what ran out of attempts."""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SEND_BATCH_LIMIT = 10  # SendMessageBatch takes at most 10 entries
# SQS hides a received message for at most 12 hours; retry delays stay below it.
MAX_VISIBILITY_SECONDS = 12 * 60 * 60 - 1


class EnqueueFailed(Exception):
    """SQS refused some deliveries; the stream record is retried (its deliveries may repeat,
    with the same event id, which receivers drop)."""


@dataclass(frozen=True)
class Delivery:
    """One event for one webhook. The body is fixed here, so every attempt sends the same bytes."""

    owner: str
    webhook_id: str
    event_id: str
    body: str
    # The object's ETag ("" in deliveries queued before it was carried).
    etag: str = ""

    def to_message(self) -> str:
        return json.dumps(
            {
                "owner": self.owner,
                "webhook_id": self.webhook_id,
                "event_id": self.event_id,
                "body": self.body,
                "etag": self.etag,
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @property
    def event_type(self) -> str:
        """The event's type, as its envelope names it."""
        return str(json.loads(self.body)["type"])

    @classmethod
    def from_message(cls, message: str) -> "Delivery":
        fields: dict[str, Any] = json.loads(message)
        return cls(
            owner=str(fields["owner"]),
            webhook_id=str(fields["webhook_id"]),
            event_id=str(fields["event_id"]),
            body=str(fields["body"]),
            etag=str(fields.get("etag", "")),
        )


class DeliveryQueue:
    def __init__(self, client: "SQSClient", queue_url: str, dead_letter_queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url
        self._dead_letter_queue_url = dead_letter_queue_url

    def enqueue(self, deliveries: list[Delivery]) -> None:
        for start in range(0, len(deliveries), SEND_BATCH_LIMIT):
            batch = deliveries[start : start + SEND_BATCH_LIMIT]
            response = self._client.send_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(number), "MessageBody": d.to_message()} for number, d in enumerate(batch)],
            )
            failed = response.get("Failed") or []
            if failed:
                reasons = ", ".join(f"{entry.get('Code')}: {entry.get('Message', '')}" for entry in failed)
                raise EnqueueFailed(f"SQS refused {len(failed)} of {len(batch)} deliveries ({reasons})")

    def retry_later(self, receipt_handle: str, delay_seconds: int) -> None:
        """Hide the received message until its next attempt is due; SQS then hands it out again."""
        self._client.change_message_visibility(
            QueueUrl=self._queue_url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=max(1, min(delay_seconds, MAX_VISIBILITY_SECONDS)),
        )

    def dead_letter(self, delivery: Delivery, attempts: int, last_error: str) -> None:
        self._client.send_message(
            QueueUrl=self._dead_letter_queue_url,
            MessageBody=delivery.to_message(),
            MessageAttributes={
                "attempts": {"DataType": "Number", "StringValue": str(attempts)},
                "last_error": {"DataType": "String", "StringValue": last_error[:1000] or "unknown"},
            },
        )
