"""From a stream record to the deliveries of its event: one per webhook of the owner that
subscribes to the event's type. Owner B's webhooks are never read for A's events: the
lookup is a Query of A's own partition."""

from collections.abc import Mapping
from typing import Any

from clarity.webhooks.events import ChangeEvent, PayloadSource, event_from_record
from clarity.webhooks.queue import Delivery, DeliveryQueue
from clarity.webhooks.stored import StoredWebhooks


class EventFanout:
    def __init__(self, webhooks: StoredWebhooks, queue: DeliveryQueue, payloads: PayloadSource) -> None:
        self._webhooks = webhooks
        self._queue = queue
        self._payloads = payloads

    def publish_record(self, record: Mapping[str, Any]) -> ChangeEvent | None:
        """Queue the record's event for its subscribers; the event (None if it stands for none)."""
        event = event_from_record(record)
        if event is None:
            return None
        subscribers = [stored.id for stored in self._webhooks.of_owner(event.owner) if stored.wants(event.type)]
        if subscribers:
            # Made once, after the subscribers are known: no payload reads for an event nobody wants.
            body = event.body(self._payloads)
            self._queue.enqueue(
                [Delivery(event.owner, webhook_id, event.id, body, event.etag) for webhook_id in subscribers]
            )
        return event
