"""What the workers read of webhooks: where each sends, what it subscribes to and the secret it
signs with. Plain data, apart from the API's pydantic models, so the delivery function's cold
start loads no pydantic (BENCHMARKS.md, section 2)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clarity.core.paging import Position
from clarity.store import keys
from clarity.store.dynamodb import Table, serialize
from clarity.webhooks.limits import ALL_EVENTS, MAX_WEBHOOKS_PER_OWNER


@dataclass(frozen=True)
class StoredWebhook:
    """A webhook as delivery sees it, with what only delivery may see: its owner and secret."""

    owner: str
    id: str
    url: str
    events: tuple[str, ...]
    secret: str

    def wants(self, event_type: str) -> bool:
        return ALL_EVENTS in self.events or event_type in self.events


def to_stored(owner: str, item: Mapping[str, Any]) -> StoredWebhook:
    return StoredWebhook(owner, str(item["id"]), str(item["url"]), tuple(item["events"]), str(item["secret"]))


def owner_webhooks_query(table_name: str, owner: str) -> dict[str, Any]:
    """A strongly consistent Query of an owner's webhooks, in id order: each key starts with the owner."""
    return {
        "TableName": table_name,
        "KeyConditionExpression": "#pk = :partition AND begins_with(#sk, :prefix)",
        "ExpressionAttributeNames": {"#pk": keys.PK, "#sk": keys.SK},
        "ExpressionAttributeValues": serialize(
            {":partition": keys.owner_partition(owner), ":prefix": keys.WEBHOOK_PREFIX}
        ),
        "ConsistentRead": True,
    }


class StoredWebhooks:
    """The workers' reads: one webhook for a delivery, all of an owner's for an event."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, owner: str, webhook_id: str) -> StoredWebhook | None:
        """The webhook with its secret; None once deleted."""
        item = self._table.get(keys.webhook_key(owner, webhook_id))
        return None if item is None else to_stored(owner, item)

    def of_owner(self, owner: str) -> list[StoredWebhook]:
        """Every webhook of an owner (at most MAX_WEBHOOKS_PER_OWNER: one Query)."""
        query = owner_webhooks_query(self._table.name, owner)
        result = self._table.query(query, wanted=MAX_WEBHOOKS_PER_OWNER, filtered=False, position=Position())
        return [to_stored(owner, item) for item in result.items]
