"""DynamoDB work per request, counted on moto: calls, items read, items returned, read units.

Read units follow DynamoDB's rules, computed here from item sizes (moto's own consumed-capacity
figures are fixed values): a Query costs ceil(total size of the items it read / 4 KB) units,
halved when eventually consistent (every GSI read). Items a FilterExpression drops are read and
paid for too; their size is taken as the owner's mean item size.
"""

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from clarity.conversations.models import CreateConversationRequest, ListFilters, UpdateConversationRequest
from clarity.conversations.service import ConversationService
from clarity.core.settings import Settings
from clarity.store import keys
from clarity.wiring import build_services

READ_UNIT_BYTES = 4096
GROUP_COUNT = 20


def attribute_size(name: str, value: dict[str, Any]) -> int:
    """DynamoDB's item-size rules for the types this table stores."""
    (kind, raw), *_ = value.items()
    if kind == "S":
        return len(name.encode()) + len(raw.encode())
    if kind == "N":
        return len(name.encode()) + math.ceil(len(raw.lstrip("-").replace(".", "")) / 2) + 1
    return len(name.encode()) + 1  # BOOL, NULL


def item_size(item: dict[str, Any]) -> int:
    return sum(attribute_size(name, value) for name, value in item.items())


@dataclass
class Work:
    calls: int = 0
    items_read: int = 0
    items_returned: int = 0
    read_units: float = 0.0
    operations: list[str] = field(default_factory=list)


class CountingClient:
    """Wraps a DynamoDB client and adds up the work of each call."""

    def __init__(self, client: Any, mean_item_size: float = 300.0) -> None:
        self._client = client
        self.mean_item_size = mean_item_size
        self.work = Work()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        operation = self._client.meta.method_to_api_mapping.get(name)
        if operation is None:
            return attribute

        def counted(**kwargs: Any) -> Any:
            response = attribute(**kwargs)
            self.work.calls += 1
            self.work.operations.append(operation)
            if operation == "Query":
                returned = response.get("Items", [])
                scanned = int(response.get("ScannedCount", len(returned)))
                dropped = scanned - len(returned)
                size = sum(item_size(item) for item in returned) + dropped * self.mean_item_size
                consistency = 1.0 if kwargs.get("ConsistentRead") else 0.5
                self.work.items_read += scanned
                self.work.items_returned += len(returned)
                self.work.read_units += max(1, math.ceil(size / READ_UNIT_BYTES)) * consistency
            elif operation in ("GetItem", "UpdateItem"):
                item = response.get("Attributes") or response.get("Item")
                if item:
                    self.work.items_read += 1
                    self.work.read_units += max(1, math.ceil(item_size(item) / READ_UNIT_BYTES))
            return response

        return counted

    def take(self) -> Work:
        work, self.work = self.work, Work()
        return work


def seed(service: ConversationService, owner: str, count: int) -> list[str]:
    """`count` conversations: 2% pinned, 10% muted, ~30% archived, in 20 groups. Newest first.

    The statuses are independent of each other (different moduli), as a real inbox's would be."""
    ids = []
    for number in range(count):
        group = f"GROUP{number % GROUP_COUNT:011d}"
        conversation = service.create(
            owner, CreateConversationRequest(contact_id="WAz8eIbvDR60rouK", group_id=group)
        ).resource
        changes: dict[str, Any] = {}
        if number % 50 == 0:
            changes["is_pinned"] = True
        if number % 10 == 1:
            changes["is_muted"] = True
        if number % 7 in (2, 5):
            changes["archived_at"] = 1_700_000_000
        if changes:
            service.update(owner, conversation.id, UpdateConversationRequest(**changes))
        ids.append(conversation.id)
    return list(reversed(ids))


def list_variants(group_id: str) -> dict[str, ListFilters]:
    return {
        "no filter": ListFilters(),
        "group": ListFilters(group_id=group_id),
        "pinned=true": ListFilters(pinned=True),
        "pinned=false": ListFilters(pinned=False),
        "muted=true": ListFilters(muted=True),
        "muted=false": ListFilters(muted=False),
        "archived=true": ListFilters(archived=True),
        "archived=false": ListFilters(archived=False),
        "muted=false&archived=false": ListFilters(muted=False, archived=False),
        "group&pinned=true": ListFilters(group_id=group_id, pinned=True),
        "muted=true&archived=true": ListFilters(muted=True, archived=True),
    }


def measure_lists(
    service: ConversationService, counter: CountingClient, owner: str, cursor: str
) -> list[dict[str, Any]]:
    rows = []
    for name, filters in list_variants(f"GROUP{0:011d}").items():
        for label, starting_after in (("", None), (" +cursor", cursor)):
            service.list(owner, filters, limit=10, starting_after=starting_after)
            rows.append({"request": f"list {name}{label}", **asdict(counter.take())})
    return rows


def measure_writes(
    service: ConversationService, counter: CountingClient, owner: str, client: Any, table: str
) -> list[dict[str, Any]]:
    rows = []
    created = service.create(owner, CreateConversationRequest(contact_id="WAz8eIbvDR60rouK")).resource
    rows.append({"request": "create", **asdict(counter.take())})
    service.retrieve(owner, created.id)
    rows.append({"request": "retrieve", **asdict(counter.take())})
    service.update(owner, created.id, UpdateConversationRequest(is_muted=True))
    rows.append({"request": "update", **asdict(counter.take())})
    service.delete(owner, created.id)
    rows.append({"request": "delete", **asdict(counter.take())})

    with_children = service.create(owner, CreateConversationRequest(contact_id="WAz8eIbvDR60rouK")).resource
    partition = keys.children_partition(owner, with_children.id)
    for start in range(0, 1000, 25):
        client.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"PK": {"S": partition}, "SK": {"S": f"MSG#{n:06d}"}}}}
                    for n in range(start, start + 25)
                ]
            }
        )
    counter.take()
    service.delete(owner, with_children.id)
    rows.append({"request": "delete with 1,000 items", **asdict(counter.take())})
    return rows


def measure(client: Any, table: str, owner: str, count: int) -> dict[str, Any]:
    """Seed `count` conversations for `owner`, then count each request's DynamoDB work."""
    counter = CountingClient(client)
    service = build_services(Settings.for_table(table), counter).conversations  # type: ignore[arg-type]
    ids = seed(service, owner, count)
    sample = client.query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.owner_partition(owner)}},
        Limit=200,
    )["Items"]
    counter.mean_item_size = sum(item_size(item) for item in sample) / max(1, len(sample))
    counter.take()
    rows = measure_lists(service, counter, owner, cursor=ids[len(ids) // 2])
    rows += measure_writes(service, counter, owner, client, table)
    for row in rows:
        row.pop("operations")
    return {"conversations": count, "mean_item_bytes": round(counter.mean_item_size), "requests": rows}
