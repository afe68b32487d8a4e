"""The repository against two DynamoDB implementations: moto, and dynalite (npm's).

moto passes things real DynamoDB rejects; dynalite validates start keys as AWS does and returns
LastEvaluatedKey at exact page boundaries. dynalite implements neither TransactWriteItems nor
ReturnValuesOnConditionCheckFailure, so deletes and 412s are proved on moto and with Stubber only.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import boto3
import pytest

from clarity.conversations.models import CreateConversationRequest, ListFilters, UpdateConversationRequest
from clarity.conversations.service import ConversationService
from clarity.core.errors import NotFound
from clarity.wiring import build_services
from devtools.template import create_tables
from tests.support import SETTINGS, moto_table

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


@pytest.fixture(params=["moto", "dynalite"])
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[str, ConversationService]]:
    if request.param == "moto":
        with moto_table() as client:
            yield "moto", build_services(SETTINGS, client).conversations
        return
    endpoint = request.getfixturevalue("dynalite_endpoint")
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint)
    table = f"contract-{uuid.uuid4().hex[:12]}"
    create_tables(client, table)
    yield (
        "dynalite",
        build_services(replace(SETTINGS, table_name=table, idempotency_table_name=None), client).conversations,
    )


def _seed(service: ConversationService, owner: str, count: int) -> list[str]:
    """`count` conversations in creation order, every third muted."""
    ids = []
    for number in range(count):
        created = service.create(owner, CreateConversationRequest(contact_id="WAz8eIbvDR60rouK", group_id=GROUP))
        if number % 3 == 0:
            service.update(owner, created.resource.id, UpdateConversationRequest(is_muted=True))
        ids.append(created.resource.id)
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
    backend: tuple[str, ConversationService], filters: ListFilters, matches: Any
) -> None:
    _, service = backend
    ids = _seed(service, "alice", 25)
    expected = _newest_first([conversation_id for i, conversation_id in enumerate(ids) if matches(i)])

    seen, pages = _walk(service, "alice", filters, limit=5)

    assert seen == expected
    assert pages == max(1, -(-len(expected) // 5))  # exact: no empty last page at a boundary


def test_backward_pages_from_the_oldest(backend: tuple[str, ConversationService]) -> None:
    _, service = backend
    ids = _newest_first(_seed(service, "alice", 12))
    page = service.list("alice", ListFilters(), limit=5, ending_before=ids[-1])

    assert [c.id for c in page.items] == ids[-6:-1]
    assert page.has_more is True


def test_a_cursor_from_another_owner_positions_only_in_the_callers_partition(
    backend: tuple[str, ConversationService],
) -> None:
    _, service = backend
    alice_ids = _seed(service, "alice", 4)
    bob_ids = _seed(service, "bob", 3)

    for cursor in alice_ids:
        page = service.list("bob", ListFilters(muted=False), limit=10, starting_after=cursor)
        assert {c.id for c in page.items} <= set(bob_ids)


def test_updates_are_partial_and_missing_ids_are_not_found(backend: tuple[str, ConversationService]) -> None:
    _, service = backend
    conversation_id = service.create("alice", CreateConversationRequest(group_id=GROUP)).resource.id

    service.update("alice", conversation_id, UpdateConversationRequest(is_pinned=True))
    updated = service.update("alice", conversation_id, UpdateConversationRequest(archived_at=705103200))
    opened = service.retrieve("alice", conversation_id)

    assert (updated.resource.is_pinned, updated.resource.archived_at, updated.version) == (True, 705103200, 3)
    assert opened.version == 3
    assert opened.resource.last_opened_at is not None
    assert service.list("alice", ListFilters(archived=True, pinned=True), limit=10).items[0].id == conversation_id
    with pytest.raises(NotFound):
        service.update("alice", "A000000000000000", UpdateConversationRequest(is_muted=True))
    with pytest.raises(NotFound):
        service.retrieve("bob", conversation_id)
