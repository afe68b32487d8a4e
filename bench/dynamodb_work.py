"""DynamoDB work per request, counted on moto: calls, items read, items returned, read and
write units.

Units follow DynamoDB's rules, computed here from item sizes (moto's own consumed-capacity
figures are fixed values):
- A Query costs ceil(total size of the items it read / 4 KB) units, halved when eventually
  consistent (every GSI read). Items a FilterExpression drops are read and paid for too; their
  size is taken as the owner's mean item size. GetItem and BatchGetItem: ceil(size / 4 KB) each.
- A write costs ceil(size / 1 KB) units for the larger of the item before and after it. Each
  GSI copies the item when it enters or leaves the index, or when an attribute the index
  projects changes: ceil(size of the projected part / 1 KB) units, twice when the item moves
  between two partitions of one index. The indexes project only the four status keys
  (template.yaml: INCLUDE), so a write that changes no status costs no index write. Each row also
  gives what the same writes cost when every index projects every attribute (the design before,
  `*_all_projected`): then every write to an indexed item rewrites each of its index copies.
  Inside a transaction the table's units count double, and a ConditionCheck costs 2 units (a
  transactional read of the item). Index writes are not doubled.
"""

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bench.cold_start import WEBHOOK_BODY
from clarity.attachments.models import UpdateAttachmentRequest
from clarity.contacts import repository as contacts_repository
from clarity.contacts.models import Contact, CreateContactRequest, UpdateContactRequest
from clarity.conversations.models import (
    Conversation,
    CreateConversationRequest,
    ListFilters,
    UpdateConversationRequest,
)
from clarity.conversations.repository import to_item
from clarity.conversations.service import ConversationService
from clarity.core.clock import tick_at
from clarity.core.ids import new_id
from clarity.core.settings import Settings, WebhookSettings
from clarity.groups.models import CreateGroupRequest, UpdateGroupRequest
from clarity.messages.models import CreateMessageRequest, UpdateMessageRequest
from clarity.store import keys
from clarity.store.dynamodb import serialize
from clarity.webhooks.models import CreateWebhookRequest
from clarity.wiring import Services, build_services
from devtools.template import attachments_bucket_name

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024
INDEX_KEYS = ("GSI1PK", "GSI2PK", "GSI3PK", "GSI4PK")
WRITE_OPERATIONS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
GROUP_COUNT = 20


def settings_for(table: str) -> Settings:
    """The bench's settings: one table, its attachments' bucket, and webhooks to this machine
    only, as in local runs."""
    settings = Settings.for_table(table)
    return replace(
        settings,
        webhooks=WebhookSettings(destinations="loopback"),
        attachments=replace(settings.attachments, bucket=attachments_bucket_name(table)),
    )


def attribute_size(name: str, value: dict[str, Any]) -> int:
    """DynamoDB's item-size rules for the types this table stores."""
    (kind, raw), *_ = value.items()
    if kind == "S":
        return len(name.encode()) + len(raw.encode())
    if kind == "N":
        return len(name.encode()) + math.ceil(len(raw.lstrip("-").replace(".", "")) / 2) + 1
    if kind == "L":  # 3 bytes, then each element and 1 byte for it
        return len(name.encode()) + 3 + sum(attribute_size("", element) + 1 for element in raw)
    if kind == "M":
        return len(name.encode()) + 3 + sum(attribute_size(key, element) + 1 for key, element in raw.items())
    return len(name.encode()) + 1  # BOOL, NULL


def item_size(item: dict[str, Any]) -> int:
    return sum(attribute_size(name, value) for name, value in item.items())


def _units(*items: dict[str, Any]) -> int:
    return max(1, math.ceil(max(item_size(item) for item in items) / WRITE_UNIT_BYTES))


def _projected(item: dict[str, Any]) -> dict[str, Any]:
    """What an index holds of an item: the table's keys and the four status keys."""
    return {name: value for name, value in item.items() if name in ("PK", "SK", *INDEX_KEYS)}


def write_units(
    before: dict[str, Any] | None, after: dict[str, Any] | None, *, transactional: bool, all_projected: bool = False
) -> float:
    """What one item's write costs: the table's copy, then each index copy it touches."""
    old_item, new_item = before or {}, after or {}
    units: float = _units(old_item, new_item) * (2 if transactional else 1)
    for index_key in INDEX_KEYS:
        old, new = old_item.get(index_key), new_item.get(index_key)
        if old is None and new is None:
            continue  # not in this index before or after
        if all_projected:
            copy, changed = _units(old_item, new_item), True
        else:
            old_entry, new_entry = _projected(old_item), _projected(new_item)
            copy, changed = _units(old_entry, new_entry), old_entry != new_entry
        if old is not None and new is not None and old != new:
            units += 2 * copy  # out of one index partition and into another
        elif old is None or new is None or changed:
            units += copy
    return units


def _key_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"PK": item["PK"], "SK": item["SK"]}


def _written(operation: str, kwargs: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """The keys a write touches, each with whether it is inside a transaction."""
    if operation == "PutItem":
        return [(_key_of(kwargs["Item"]), False)]
    if operation in ("UpdateItem", "DeleteItem"):
        return [(kwargs["Key"], False)]
    if operation == "BatchWriteItem":
        requests = next(iter(kwargs["RequestItems"].values()))
        return [
            (_key_of(r["PutRequest"]["Item"]) if "PutRequest" in r else r["DeleteRequest"]["Key"], False)
            for r in requests
        ]
    written = []
    for action in kwargs["TransactItems"]:
        (kind, request), *_ = action.items()
        if kind != "ConditionCheck":
            written.append((_key_of(request["Item"]) if kind == "Put" else request["Key"], True))
    return written


@dataclass
class Work:
    calls: int = 0
    items_read: int = 0
    items_returned: int = 0
    read_units: float = 0.0
    write_units: float = 0.0
    # The same requests with every index projecting every attribute (the design before).
    read_units_all_projected: float = 0.0
    write_units_all_projected: float = 0.0
    operations: list[str] = field(default_factory=list)


class CountingClient:
    """Wraps a DynamoDB client and adds up the work of each call."""

    def __init__(self, client: Any, mean_item_size: float = 300.0) -> None:
        self._client = client
        self.mean_item_size = mean_item_size
        self.work = Work()
        self._read_from_index = False  # this request read a page from an index

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        operation = self._client.meta.method_to_api_mapping.get(name)
        if operation is None:
            return attribute

        def counted(**kwargs: Any) -> Any:
            if operation in WRITE_OPERATIONS:
                return self._counted_write(attribute, operation, kwargs)
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
                units = max(1, math.ceil(size / READ_UNIT_BYTES)) * consistency
                self.work.read_units += units
                if "IndexName" in kwargs:
                    # Whole items from the index, and no BatchGetItem after it.
                    self._read_from_index = True
                    whole = max(1, math.ceil(scanned * self.mean_item_size / READ_UNIT_BYTES)) * consistency
                    self.work.read_units_all_projected += whole
                else:
                    self.work.read_units_all_projected += units
            elif operation == "GetItem" and response.get("Item"):
                self.work.items_read += 1
                units = max(1, math.ceil(item_size(response["Item"]) / READ_UNIT_BYTES))
                self.work.read_units += units
                self.work.read_units_all_projected += units
            elif operation == "BatchGetItem":
                consistency = 1.0 if next(iter(kwargs["RequestItems"].values())).get("ConsistentRead") else 0.5
                for items in response.get("Responses", {}).values():
                    self.work.items_read += len(items)
                    units = sum(max(1, math.ceil(item_size(i) / READ_UNIT_BYTES)) * consistency for i in items)
                    self.work.read_units += units
                    if not self._read_from_index:
                        self.work.read_units_all_projected += units
            return response

        return counted

    def _counted_write(self, call: Any, operation: str, kwargs: dict[str, Any]) -> Any:
        table = kwargs.get("TableName") or next(iter(kwargs.get("RequestItems", {"": None})), "")
        if operation == "TransactWriteItems":
            table = next(iter(kwargs["TransactItems"][0].values()))["TableName"]
        touched = _written(operation, kwargs)
        before = [self._client.get_item(TableName=table, Key=key).get("Item") for key, _ in touched]
        try:
            response = call(**kwargs)
        finally:
            self.work.calls += 1
            self.work.operations.append(operation)
        checks = [a for a in kwargs.get("TransactItems", []) if "ConditionCheck" in a]
        self.work.write_units += 2 * len(checks)
        self.work.write_units_all_projected += 2 * len(checks)
        for (key, transactional), old in zip(touched, before, strict=True):
            new = self._client.get_item(TableName=table, Key=key).get("Item")
            self.work.write_units += write_units(old, new, transactional=transactional)
            self.work.write_units_all_projected += write_units(
                old, new, transactional=transactional, all_projected=True
            )
        if operation == "UpdateItem" and response.get("Attributes"):
            self.work.items_read += 1
        return response

    def take(self) -> Work:
        work, self.work = self.work, Work()
        self._read_from_index = False
        return work


def statuses(number: int) -> dict[str, Any]:
    """The `number`th seeded conversation's statuses: 2% pinned, 10% muted, ~30% archived.

    They are independent of each other (different moduli), as a real inbox's would be."""
    changes: dict[str, Any] = {}
    if number % 50 == 0:
        changes["is_pinned"] = True
    if number % 10 == 1:
        changes["is_muted"] = True
    if number % 7 in (2, 5):
        changes["archived_at"] = 1_700_000_000
    return changes


def seed(client: Any, table: str, owner: str, count: int) -> list[str]:
    """`count` conversations in GROUP_COUNT groups, one creation second apart, with `statuses`;
    their ids, newest first. Each item is the repository's own (`to_item`), written 25 a call:
    100,000 in well under a minute on moto, where one service call each took minutes, and in an
    order that does not depend on the clock."""
    started = 1_700_000_000
    conversations = [
        Conversation.started(
            new_id(tick_at(started + number)), started + number, "WAz8eIbvDR60rouK", f"GROUP{number % GROUP_COUNT:011d}"
        ).model_copy(update=statuses(number))
        for number in range(count)
    ]
    for start in range(0, count, 25):
        batch = conversations[start : start + 25]
        pending = {table: [{"PutRequest": {"Item": serialize(to_item(owner, c))}} for c in batch]}
        while pending:  # DynamoDB may hand some back; moto never does
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return [conversation.id for conversation in reversed(conversations)]


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


def _new_contact(services: Services, counter: CountingClient, owner: str) -> str:
    """A contact of its own (not counted): a conversation is with one, and a contact has one."""
    username = f"bench-{new_id(tick_at(1_700_000_000))}"
    created = services.contacts.create(owner, CreateContactRequest(username=username, phone_number="1-800-759-3000"))
    counter.take()
    return created.resource.id


def measure_writes(
    services: Services, counter: CountingClient, owner: str, client: Any, table: str
) -> list[dict[str, Any]]:
    rows = []
    service = services.conversations
    contact_id = _new_contact(services, counter, owner)
    created = service.create(owner, CreateConversationRequest(contact_id=contact_id)).resource
    rows.append({"request": "create", **asdict(counter.take())})
    service.create(owner, CreateConversationRequest(contact_id=contact_id))
    rows.append({"request": "create, a repeat open (200)", **asdict(counter.take())})
    service.retrieve(owner, created.id)
    rows.append({"request": "retrieve", **asdict(counter.take())})
    service.update(owner, created.id, UpdateConversationRequest(is_muted=True))
    rows.append({"request": "update", **asdict(counter.take())})
    service.delete(owner, created.id)
    rows.append({"request": "delete", **asdict(counter.take())})

    contact_id = _new_contact(services, counter, owner)
    with_children = service.create(owner, CreateConversationRequest(contact_id=contact_id)).resource
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


def measure_messages(services: Services, counter: CountingClient, owner: str) -> list[dict[str, Any]]:
    """Each message request, in a grouped conversation (in all four indexes) and a contact's (three)."""
    conversations, messages = services.conversations, services.messages
    rows = []
    sender = _new_contact(services, counter, owner)
    member = _new_contact(services, counter, owner)
    grouped = services.groups.create(
        owner, CreateGroupRequest(name="bench", contacts=[member])
    ).resource.conversation_id
    assert grouped is not None
    direct = conversations.create(owner, CreateConversationRequest(contact_id=sender)).resource.id
    for _ in range(30):
        messages.send(owner, CreateMessageRequest(conversation_id=grouped, message="seed " * 20))
    counter.take()
    for label, conversation_id in (("send, contact's conversation", direct), ("send, group conversation", grouped)):
        sent = messages.send(owner, CreateMessageRequest(conversation_id=conversation_id, message="hi " * 30))
        rows.append({"request": label, **asdict(counter.take())})
    # A message received from a contact also moves the contact's last_active_at, in the same
    # transaction (in a group's conversation, with a check of the group's member list).
    for label, conversation_id, contact_id in (
        ("send from the contact, contact's conversation", direct, sender),
        ("send from a member, group conversation", grouped, member),
    ):
        from_contact = CreateMessageRequest(conversation_id=conversation_id, message="hi " * 30, contact_id=contact_id)
        messages.send(owner, from_contact)
        rows.append({"request": label, **asdict(counter.take())})
    message_id = sent.resource.id
    messages.list(owner, grouped, limit=10)
    rows.append({"request": "list messages of a conversation", **asdict(counter.take())})
    messages.list(owner, None, limit=10)
    rows.append({"request": "list all messages", **asdict(counter.take())})
    messages.retrieve(owner, message_id)
    rows.append({"request": "retrieve message", **asdict(counter.take())})
    messages.update(owner, message_id, UpdateMessageRequest.model_validate({"reactions": {"+1": ["kevin"]}}))
    rows.append({"request": "update message (reactions)", **asdict(counter.take())})
    messages.update(owner, message_id, UpdateMessageRequest(read_at=1_700_000_000))
    rows.append({"request": "update message (read_at)", **asdict(counter.take())})
    messages.delete(owner, message_id)
    rows.append({"request": "delete message", **asdict(counter.take())})
    pinned = messages.send(owner, CreateMessageRequest(conversation_id=grouped, message="pin me")).resource.id
    counter.take()
    conversations.update(owner, grouped, UpdateConversationRequest(pinned_message_id=pinned))
    rows.append({"request": "update conversation (pin a message)", **asdict(counter.take())})
    messages.delete(owner, pinned)
    rows.append({"request": "delete the pinned message", **asdict(counter.take())})
    return rows


def measure_webhooks(services: Services, counter: CountingClient, owner: str) -> list[dict[str, Any]]:
    """Each webhook request, with three webhooks registered already."""
    webhooks = services.webhooks
    register = CreateWebhookRequest.model_validate_json(WEBHOOK_BODY)
    for _ in range(3):
        webhooks.create(owner, register)
    counter.take()
    created = webhooks.create(owner, register).resource
    rows = [{"request": "create webhook", **asdict(counter.take())}]
    webhooks.list(owner, limit=10)
    rows.append({"request": "list webhooks", **asdict(counter.take())})
    webhooks.retrieve(owner, created.id)
    rows.append({"request": "retrieve webhook", **asdict(counter.take())})
    webhooks.delete(owner, created.id)
    rows.append({"request": "delete webhook", **asdict(counter.take())})
    return rows


CONTACT_COUNT = 40


def seed_contacts(client: Any, table: str, owner: str, count: int) -> None:
    """`count` contacts, one creation second apart, a third of them with a conversation (in GSI1's
    partition of active contacts), written as the repository stores them, 25 a call. No endpoint
    gives a contact its conversation yet: these are what `active=true` will list."""
    started = 1_700_000_000
    contacts = [
        Contact(
            id=new_id(tick_at(started + number)),
            username=f"seed{number}",
            phone_number="1-800-759-3000",
            avatar_url="https://assets.clarityapp.ai/avatars/frank.jpg",
            display_name=None,
            conversation_id=new_id(tick_at(started + number)) if number % 3 == 0 else None,
            last_active_at=None,
            created_at=started + number,
        )
        for number in range(count)
    ]
    for start in range(0, count, 25):
        batch = [
            {"PutRequest": {"Item": serialize(contacts_repository.to_item(owner, contact))}}
            for contact in contacts[start : start + 25]
        ]
        client.batch_write_item(RequestItems={table: batch})


def measure_contacts(services: Services, counter: CountingClient, owner: str) -> list[dict[str, Any]]:
    """Each contact request, with CONTACT_COUNT contacts stored already (`seed_contacts`): a create
    is a transaction of the contact and the claim on its username, a delete reads the contact for
    its username and then removes both in one transaction."""
    contacts = services.contacts
    created = contacts.create(
        owner,
        CreateContactRequest(
            username="FrankMcCallister",
            phone_number="1-800-759-3000",
            avatar_url="https://assets.clarityapp.ai/avatars/frank.jpg",
        ),
    ).resource
    rows = [{"request": "create contact", **asdict(counter.take())}]
    for label, active in (("", None), (" active=true", True), (" active=false", False)):
        contacts.list(owner, limit=10, active=active)
        rows.append({"request": f"list contacts{label}", **asdict(counter.take())})
    contacts.retrieve(owner, created.id)
    rows.append({"request": "retrieve contact", **asdict(counter.take())})
    contacts.update(owner, created.id, UpdateContactRequest(display_name="UncleFrank"))
    rows.append({"request": "update contact", **asdict(counter.take())})
    contacts.delete(owner, created.id)
    rows.append({"request": "delete contact", **asdict(counter.take())})
    # A contact's delete cascades: its conversation (10 messages) and its place in a group.
    doomed = _new_contact(services, counter, owner)
    conversation = services.conversations.create(owner, CreateConversationRequest(contact_id=doomed)).resource.id
    for _ in range(10):
        services.messages.send(
            owner, CreateMessageRequest(conversation_id=conversation, message="hi", contact_id=doomed)
        )
    services.groups.create(owner, CreateGroupRequest(name="bench", contacts=[doomed]))
    counter.take()
    contacts.delete(owner, doomed)
    rows.append({"request": "delete contact with a conversation of 10 messages and a group", **asdict(counter.take())})
    return rows


def measure_groups(services: Services, counter: CountingClient, owner: str) -> list[dict[str, Any]]:
    """Each group request: a create with no members and with 100 (two transactions: the group,
    its conversation and 98 members, then the last 2), a rename, a member list replaced (50 of
    the 100 kept, 50 new), a retrieve and a list (the members read), and a delete."""
    groups = services.groups
    crowd = [_new_contact(services, counter, owner) for _ in range(150)]
    rows = []
    empty = groups.create(owner, CreateGroupRequest(name="empty")).resource
    rows.append({"request": "create group, 0 members", **asdict(counter.take())})
    full = groups.create(owner, CreateGroupRequest(name="full", contacts=crowd[:100])).resource
    rows.append({"request": "create group, 100 members", **asdict(counter.take())})
    groups.update(owner, empty.id, UpdateGroupRequest(name="renamed"))
    rows.append({"request": "update group (name)", **asdict(counter.take())})
    groups.update(owner, full.id, UpdateGroupRequest(contacts=crowd[50:150]))
    rows.append({"request": "update group (100 members: 50 removed, 50 added)", **asdict(counter.take())})
    groups.retrieve(owner, full.id)
    rows.append({"request": "retrieve group, 100 members", **asdict(counter.take())})
    groups.list(owner, limit=10)
    rows.append({"request": "list groups", **asdict(counter.take())})
    groups.delete(owner, full.id)
    rows.append({"request": "delete group, 100 members", **asdict(counter.take())})
    groups.delete(owner, empty.id)
    rows.append({"request": "delete group, 0 members", **asdict(counter.take())})
    return rows


def measure_bench_groups(services: Services, counter: CountingClient, owner: str) -> list[dict[str, Any]]:
    """Each group request in the shape `make bench` times it (bench/cold_start.py): groups of one
    member, the same contact, so a page of ten reads one contact. An owner of its own, so the page
    holds these groups only."""
    groups = services.groups
    member = _new_contact(services, counter, owner)
    made = CreateGroupRequest(name="Plaza Hotel", contacts=[member])
    for _ in range(9):
        groups.create(owner, made)
    counter.take()
    group = groups.create(owner, made).resource
    rows = [{"request": "create group, 1 member", **asdict(counter.take())}]
    groups.list(owner, limit=10)
    rows.append({"request": "list groups, 10 of 1 member", **asdict(counter.take())})
    groups.retrieve(owner, group.id)
    rows.append({"request": "retrieve group, 1 member", **asdict(counter.take())})
    groups.update(owner, group.id, UpdateGroupRequest(name="The Plaza"))
    rows.append({"request": "update group (name), 1 member", **asdict(counter.take())})
    groups.delete(owner, group.id)
    rows.append({"request": "delete group, 1 member", **asdict(counter.take())})
    return rows


def measure_attachments(services: Services, counter: CountingClient, owner: str) -> list[dict[str, Any]]:
    """Each attachment request `make bench` times (bench/cold_start.py), on uploaded files of 1
    KiB (their S3 requests are not counted): the list's page holds ten. An owner of its own, so
    the page holds these attachments only."""
    attachments = services.attachments
    for _ in range(9):
        attachments.upload(owner, "invoice.pdf", "application/pdf", b"%PDF" * 256)
    counter.take()
    attachment = attachments.upload(owner, "invoice.pdf", "application/pdf", b"%PDF" * 256).resource
    rows = [{"request": "create attachment (upload of 1 KiB)", **asdict(counter.take())}]
    attachments.list(owner, limit=10)
    rows.append({"request": "list attachments, 10 uploaded", **asdict(counter.take())})
    attachments.retrieve(owner, attachment.id)
    rows.append({"request": "retrieve attachment", **asdict(counter.take())})
    attachments.update(owner, attachment.id, UpdateAttachmentRequest(filename="invoice-2.pdf"))
    rows.append({"request": "update attachment (rename)", **asdict(counter.take())})
    attachments.delete(owner, attachment.id)
    rows.append({"request": "delete attachment", **asdict(counter.take())})
    return rows


def measure(client: Any, table: str, owner: str, count: int, message_table: str) -> dict[str, Any]:
    """Seed `count` conversations for `owner`, then count each request's DynamoDB work.

    Messages, webhooks, contacts, groups and attachments are measured in `message_table`, a table of their own: their
    requests touch the same items however many conversations the owner has, and moto copies a
    whole table for each item of a transaction (minutes with 10,000 conversations in it)."""
    # Seeded on the plain client: counting every write would only slow the seeding down.
    ids = seed(client, table, owner, count)
    counter = CountingClient(client)
    services = build_services(settings_for(table), counter)  # type: ignore[arg-type]
    service = services.conversations
    sample = client.query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.owner_partition(owner)}},
        Limit=200,
    )["Items"]
    counter.mean_item_size = sum(item_size(item) for item in sample) / max(1, len(sample))
    counter.take()
    rows = measure_lists(service, counter, owner, cursor=ids[len(ids) // 2])
    rows += measure_writes(services, counter, owner, client, table)
    apart = build_services(settings_for(message_table), counter)  # type: ignore[arg-type]
    rows += measure_messages(apart, counter, owner)
    rows += measure_webhooks(apart, counter, owner)
    seed_contacts(client, message_table, owner, CONTACT_COUNT)
    rows += measure_contacts(apart, counter, owner)
    rows += measure_groups(apart, counter, owner)
    rows += measure_bench_groups(apart, counter, f"{owner}-groups")
    rows += measure_attachments(apart, counter, f"{owner}-attachments")
    for row in rows:
        row["operation_names"] = sorted(set(row.pop("operations")))
    return {"conversations": count, "mean_item_bytes": round(counter.mean_item_size), "requests": rows}
