"""The repository against two DynamoDB implementations: moto, and dynalite (npm's).

moto passes things real DynamoDB rejects; dynalite validates start keys as AWS does and returns
LastEvaluatedKey at exact page boundaries. dynalite implements neither TransactWriteItems nor
ReturnValuesOnConditionCheckFailure, so deletes and 412s are proved on moto and with Stubber only.
"""

import functools
import itertools
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import boto3
import pytest

from clarity.contacts.models import Contact
from clarity.contacts.repository import to_item
from clarity.conversations.models import Conversation, ListFilters, UpdateConversationRequest
from clarity.conversations.repository import to_item as conversation_item
from clarity.conversations.service import ConversationService
from clarity.core.clock import tick_at
from clarity.core.errors import NotFound
from clarity.core.ids import new_id
from clarity.groups.models import StoredGroup
from clarity.groups.repository import to_item as group_item
from clarity.messages.models import UpdateMessageRequest
from clarity.store import keys
from clarity.store.dynamodb import serialize
from clarity.wiring import Services, build_services
from devtools.template import create_tables
from tests.support import SETTINGS, TABLE_NAME, moto_table

DYNALITE_VERSION = "4.0.0"
GROUP = "GRP0000000000001"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def dynalite_endpoint() -> Iterator[str]:
    npx = shutil.which("npx")
    if npx is None:
        pytest.fail("npx (Node.js) is needed to run dynalite")
    port = _free_port()
    process = subprocess.Popen(
        [npx, "--yes", f"dynalite@{DYNALITE_VERSION}", "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # npx runs dynalite as a child of its own: stop the whole group, not just npx.
        start_new_session=True,
    )
    deadline = time.monotonic() + 180  # the first run downloads dynalite
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("dynalite did not start")
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@dataclass(frozen=True)
class Engine:
    name: str
    client: Any
    table: str

    @property
    def services(self) -> Services:
        return build_services(replace(SETTINGS, table_name=self.table, idempotency_table_name=None), self.client)


@pytest.fixture(params=["moto", "dynalite"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "moto":
        with moto_table() as client:
            yield Engine("moto", client, TABLE_NAME)
        return
    endpoint = request.getfixturevalue("dynalite_endpoint")
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)
    table = f"contract-{uuid.uuid4().hex[:12]}"
    create_tables(client, table)
    yield Engine("dynalite", client, table)


@pytest.fixture
def backend(engine: Engine) -> tuple[Engine, ConversationService]:
    return engine, engine.services.conversations


def _seed(engine: Engine, service: ConversationService, owner: str, count: int) -> list[str]:
    """`count` conversations of GROUP in creation order, every third muted. Written item by item
    (dynalite has no TransactWriteItems, which opening one takes), as the open writes them. A
    group has one conversation; the list does not know that, and these pages need many."""
    ids = []
    for number in range(count):
        conversation = Conversation.started(new_id(tick_at(1_700_000_000) + number), 1_700_000_000, group_id=GROUP)
        engine.client.put_item(TableName=engine.table, Item=serialize(conversation_item(owner, conversation)))
        if number % 3 == 0:
            service.update(owner, conversation.id, UpdateConversationRequest(is_muted=True))
        ids.append(conversation.id)
    return ids


def _newest_first(ids: list[str]) -> list[str]:
    # Ids sort by creation second, then by their random part: the API's order.
    return sorted(ids, reverse=True)


def _walk(service: ConversationService, owner: str, filters: ListFilters, limit: int) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = service.list(owner, filters, limit=limit, starting_after=cursor)
        pages += 1
        seen.extend(c.id for c in page.items)
        if not page.has_more:
            return seen, pages
        cursor = page.items[-1].id


@pytest.mark.parametrize(
    ("filters", "matches"),
    [
        (ListFilters(), lambda i: True),
        (ListFilters(group_id=GROUP), lambda i: True),
        (ListFilters(muted=True), lambda i: i % 3 == 0),
        (ListFilters(muted=False), lambda i: i % 3 != 0),
        (ListFilters(muted=False, archived=False), lambda i: i % 3 != 0),
    ],
)
def test_pages_cover_every_match_once_with_exact_has_more(
    backend: tuple[Engine, ConversationService], filters: ListFilters, matches: Any
) -> None:
    engine, service = backend
    ids = _seed(engine, service, "alice", 25)
    expected = _newest_first([conversation_id for i, conversation_id in enumerate(ids) if matches(i)])

    seen, pages = _walk(service, "alice", filters, limit=5)

    assert seen == expected
    assert pages == max(1, -(-len(expected) // 5))  # exact: no empty last page at a boundary


def test_backward_pages_from_the_oldest(backend: tuple[Engine, ConversationService]) -> None:
    engine, service = backend
    ids = _newest_first(_seed(engine, service, "alice", 12))
    page = service.list("alice", ListFilters(), limit=5, ending_before=ids[-1])

    assert [c.id for c in page.items] == ids[-6:-1]
    assert page.has_more is True


def test_a_cursor_from_another_owner_positions_only_in_the_callers_partition(
    backend: tuple[Engine, ConversationService],
) -> None:
    engine, service = backend
    alice_ids = _seed(engine, service, "alice", 4)
    bob_ids = _seed(engine, service, "bob", 3)

    for cursor in alice_ids:
        page = service.list("bob", ListFilters(muted=False), limit=10, starting_after=cursor)
        assert {c.id for c in page.items} <= set(bob_ids)


def test_updates_are_partial_and_missing_ids_are_not_found(backend: tuple[Engine, ConversationService]) -> None:
    engine, service = backend
    (conversation_id,) = _seed(engine, service, "alice", 1)
    service.update("alice", conversation_id, UpdateConversationRequest(is_muted=False))

    service.update("alice", conversation_id, UpdateConversationRequest(is_pinned=True))
    updated = service.update("alice", conversation_id, UpdateConversationRequest(archived_at=705103200))
    opened = service.retrieve("alice", conversation_id)

    assert (updated.resource.is_pinned, updated.resource.archived_at, updated.version) == (True, 705103200, 5)
    assert opened.version == 5
    assert opened.resource.last_opened_at is not None
    assert service.list("alice", ListFilters(archived=True, pinned=True), limit=10).items[0].id == conversation_id
    with pytest.raises(NotFound):
        service.update("alice", "A000000000000000", UpdateConversationRequest(is_muted=True))
    with pytest.raises(NotFound):
        service.retrieve("bob", conversation_id)


def _seed_messages(engine: Engine, owner: str, conversation_id: str, count: int, second: int) -> list[str]:
    """`count` messages of one second, written as the send transaction writes them (message and
    pointer), item by item: dynalite has no TransactWriteItems."""
    ids = []
    for _ in range(count):
        message_id = new_id(tick_at(second))
        message = {"id": message_id, "conversation_id": conversation_id, "message": "m", "created_at": second,
                   "version": 1}  # fmt: skip
        pointer = {**keys.message_pointer_key(owner, message_id), "conversation_id": conversation_id}
        for item in ({**keys.message_key(owner, conversation_id, message_id), **message}, pointer):
            engine.client.put_item(TableName=engine.table, Item=serialize(item))
        ids.append(message_id)
    return ids


@pytest.mark.parametrize("by_conversation", [True, False], ids=["one conversation", "all messages"])
def test_message_pages_both_ways_across_exact_boundaries(engine: Engine, by_conversation: bool) -> None:
    # Given 15 messages in one conversation and 5 in another, over three seconds
    service = engine.services.messages
    ids = [
        *_seed_messages(engine, "alice", "C000000000000001", 10, 1_700_000_000),
        *_seed_messages(engine, "alice", "C000000000000002", 5, 1_700_000_001),
        *_seed_messages(engine, "alice", "C000000000000001", 5, 1_700_000_002),
    ]
    in_first = set(ids[:10] + ids[15:])
    expected = _newest_first([i for i in ids if i in in_first] if by_conversation else ids)
    conversation = "C000000000000001" if by_conversation else None

    # When paging forwards, 5 at a time: exactly len / 5 pages, the last one saying nothing follows
    forward, cursor = [], None
    while True:
        page = service.list("alice", conversation, limit=5, starting_after=cursor)
        forward.append([m.id for m in page.items])
        if not page.has_more:
            break
        cursor = page.items[-1].id
    # ... and back from the oldest
    backward, cursor = [], expected[-1]
    while True:
        page = service.list("alice", conversation, limit=5, ending_before=cursor)
        backward.append([m.id for m in page.items])
        if not page.has_more:
            break
        cursor = page.items[0].id

    assert [i for page in forward for i in page] == expected
    assert len(forward) == len(expected) // 5
    assert [i for page in reversed(backward) for i in page] == expected[:-1]
    assert backward[-1] == expected[: len(backward[-1])]


def test_message_cursors_from_another_owner_stay_in_the_callers_partition(engine: Engine) -> None:
    service = engine.services.messages
    alice = _seed_messages(engine, "alice", "C000000000000001", 4, 1_700_000_000)
    bob = _seed_messages(engine, "bob", "C000000000000009", 3, 1_700_000_000)

    for cursor, conversation in itertools.product(alice, (None, "C000000000000001", "C000000000000009")):
        page = service.list("bob", conversation, limit=10, starting_after=cursor)
        assert {m.id for m in page.items} <= set(bob)


def test_message_edits_and_reads_on_both_engines(engine: Engine) -> None:
    service = engine.services.messages
    (message_id,) = _seed_messages(engine, "alice", "C000000000000001", 1, 1_700_000_000)

    service.update("alice", message_id, UpdateMessageRequest.model_validate({"reactions": {"smile": ["kate"]}}))
    updated = service.update("alice", message_id, UpdateMessageRequest(read_at=705103200))

    assert (updated.resource.reactions, updated.resource.read_at, updated.version) == (
        [{"smile": ["kate"]}],
        705103200,
        3,
    )
    assert service.retrieve("alice", message_id) == updated
    with pytest.raises(NotFound):
        service.retrieve("bob", message_id)


def _seed_contacts(engine: Engine, owner: str, count: int, second: int, active_every: int = 4) -> list[Contact]:
    """`count` contacts of one second, every `active_every`th with a conversation (active), written
    as the create transaction writes them (contact and username claim), item by item: dynalite has
    no TransactWriteItems."""
    contacts = []
    for number in range(count):
        contact_id = new_id(tick_at(second))
        contact = Contact(
            id=contact_id,
            username=f"u{number}-{contact_id}",
            phone_number="1-800-759-3000",
            avatar_url=None,
            display_name=None,
            conversation_id="C000000000000001" if number % active_every == 0 else None,
            last_active_at=None,
            created_at=second,
        )
        claim = {**keys.username_key(owner, contact.username), "contact_id": contact_id}
        for item in (to_item(owner, contact), claim):
            engine.client.put_item(TableName=engine.table, Item=serialize(item))
        contacts.append(contact)
    return contacts


def _assert_pages_both_ways(list_page: Callable[..., Any], expected: list[str]) -> None:
    """Pages of 5 walked forwards from the newest, back from the oldest, and back from the last
    page's first: each walk covers what lies that way once, every page but the last says more
    follow, and a walk that ends at a page boundary ends with a full page, no empty one after."""
    full = len(expected) // 5
    assert len(expected) == 5 * full

    def walk(**cursor: str) -> list[tuple[list[str], bool]]:
        pages = []
        while True:
            page = list_page(limit=5, **cursor)
            pages.append(([item.id for item in page.items], page.has_more))
            assert {item.created_at for item in page.items} <= {1_700_000_000}
            if not page.has_more:
                return pages
            if "ending_before" in cursor:
                cursor = {"ending_before": page.items[0].id}
            else:
                cursor = {"starting_after": page.items[-1].id}

    forward = walk()
    from_oldest = walk(ending_before=expected[-1])
    from_last_page = walk(ending_before=expected[-5])

    assert [i for page, _ in forward for i in page] == expected
    assert forward == [(expected[n : n + 5], n + 5 < len(expected)) for n in range(0, len(expected), 5)]
    assert [i for page, _ in reversed(from_oldest) for i in page] == expected[:-1]
    assert [(len(page), has_more) for page, has_more in from_oldest] == [(5, True)] * (full - 1) + [(4, False)]
    assert [i for page, _ in reversed(from_last_page) for i in page] == expected[:-5]
    assert [(len(page), has_more) for page, has_more in from_last_page] == [(5, True)] * (full - 2) + [(5, False)]


@pytest.mark.parametrize("active", [None, False, True], ids=["all contacts", "active=false", "active=true"])
def test_contact_pages_both_ways_across_exact_boundaries(engine: Engine, active: bool | None) -> None:
    # Given 30 contacts of one second, 10 of them active: 6, 4 and 2 pages of 5
    service = engine.services.contacts
    contacts = _seed_contacts(engine, "alice", 30, 1_700_000_000, active_every=3)
    expected = _newest_first([c.id for c in contacts if active is None or (c.conversation_id is not None) == active])

    _assert_pages_both_ways(functools.partial(service.list, "alice", active=active), expected)


def _seed_groups(engine: Engine, owner: str, count: int, second: int, archived_every: int) -> list[StoredGroup]:
    """`count` groups of one second, every `archived_every`th archived, written as their create
    writes the group item (dynalite has no TransactWriteItems); no members."""
    groups = []
    for number in range(count):
        group_id = new_id(tick_at(second) + number)
        archived_at = 705103200 if number % archived_every == 0 else None
        group = StoredGroup(group_id, f"g{number}", None, None, None, [], second, archived_at)
        engine.client.put_item(TableName=engine.table, Item=serialize(group_item(owner, group)))
        groups.append(group)
    return groups


@pytest.mark.parametrize("archived", [None, False, True], ids=["all groups", "archived=false", "archived=true"])
def test_group_pages_both_ways_across_exact_boundaries(engine: Engine, archived: bool | None) -> None:
    # Given 30 groups of one second, 10 of them archived: 6, 4 and 2 pages of 5
    service = engine.services.groups
    groups = _seed_groups(engine, "alice", 30, 1_700_000_000, archived_every=3)
    expected = _newest_first([g.id for g in groups if archived is None or (g.archived_at is not None) == archived])

    _assert_pages_both_ways(functools.partial(service.list, "alice", archived=archived), expected)


def test_group_cursors_from_another_owner_stay_in_the_callers_partition(engine: Engine) -> None:
    service = engine.services.groups
    alice = [g.id for g in _seed_groups(engine, "alice", 4, 1_700_000_000, archived_every=2)]
    bob = {g.id for g in _seed_groups(engine, "bob", 3, 1_700_000_000, archived_every=2)}

    for cursor_name, cursor, archived in itertools.product(
        ("starting_after", "ending_before"), alice, (None, True, False)
    ):
        page = service.list("bob", limit=10, archived=archived, **{cursor_name: cursor})
        assert {g.id for g in page.items} <= bob


def test_contact_cursors_from_another_owner_stay_in_the_callers_partition(engine: Engine) -> None:
    service = engine.services.contacts
    alice = [c.id for c in _seed_contacts(engine, "alice", 4, 1_700_000_000, active_every=2)]
    bob = {c.id for c in _seed_contacts(engine, "bob", 3, 1_700_000_000, active_every=2)}

    for cursor_name, cursor, active in itertools.product(
        ("starting_after", "ending_before"), alice, (None, True, False)
    ):
        page = service.list("bob", limit=10, active=active, **{cursor_name: cursor})
        assert {c.id for c in page.items} <= bob
