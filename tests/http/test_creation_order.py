"""Creates made one after another list in that order, newest first, over real HTTP: within one
second and one millisecond of the clock (real, or frozen with LOCAL_FROZEN_CLOCK), through every
page size and both cursors."""

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.http.conftest import LocalServer, start_local_server, stop_local_server

COUNT = 30
PAGE_SIZES = (1, 7, 100)
# Inside one second (at its 0.25) and inside one millisecond (at 0.5000001 s of it).
FROZEN_MOMENTS = {"one-second": "1800000000.25", "one-millisecond": "1800000000.5000001"}


def _fresh_owner() -> str:
    return f"order-{uuid.uuid4().hex[:12]}"


def _list_all(server: LocalServer, owner: str, path: str, limit: int, query: str = "") -> list[str]:
    """Walk every page from the newest with starting_after; the ids in the order listed."""
    ids: list[str] = []
    cursor = ""
    while True:
        status, _, page = server.request("GET", f"{path}?limit={limit}{query}{cursor}", owner=owner)
        assert status == 200, page
        ids.extend(item["id"] for item in page["data"])
        if not page["has_more"]:
            return ids
        cursor = f"&starting_after={ids[-1]}"


def _list_back(server: LocalServer, owner: str, path: str, limit: int, oldest: str, query: str = "") -> list[str]:
    """Walk every page from the oldest towards the newest with ending_before; the ids as one
    newest-first list (each page is itself newest first)."""
    pages: list[list[str]] = []
    cursor = oldest
    while True:
        status, _, page = server.request("GET", f"{path}?limit={limit}{query}&ending_before={cursor}", owner=owner)
        assert status == 200, page
        ids = [item["id"] for item in page["data"]]
        pages.append(ids)
        if not page["has_more"]:
            break
        cursor = ids[0]
    return [item for page in reversed(pages) for item in page] + [oldest]


def _created_one_after_another(server: LocalServer, owner: str, create: Callable[[int], dict[str, Any]]) -> list[str]:
    """COUNT creates, each sent once the one before has answered; their ids, newest first."""
    return [create(number)["id"] for number in range(COUNT)][::-1]


def _assert_listed_in_order(
    server: LocalServer, owner: str, path: str, newest_first: list[str], query: str = ""
) -> None:
    for limit in PAGE_SIZES:
        assert _list_all(server, owner, path, limit, query) == newest_first, f"limit={limit}, starting_after"
        assert _list_back(server, owner, path, limit, newest_first[-1], query) == newest_first, (
            f"limit={limit}, ending_before"
        )


def _conversation(server: LocalServer, owner: str) -> Callable[[int], dict[str, Any]]:
    def create(number: int) -> dict[str, Any]:
        status, _, body = server.request(
            "POST", "/v1/conversations", owner=owner, json_body=server.conversation_body(owner)
        )
        assert status == 201, body
        return dict(body)

    return create


def _message(server: LocalServer, owner: str, conversation_id: str) -> Callable[[int], dict[str, Any]]:
    def send(number: int) -> dict[str, Any]:
        status, _, body = server.request(
            "POST",
            "/v1/messages",
            owner=owner,
            json_body={"conversation_id": conversation_id, "message": f"msg {number + 1}"},
        )
        assert status == 201, body
        return dict(body)

    return send


def _check_every_order(server: LocalServer) -> None:
    """Conversations, then one conversation's messages, then messages spread over conversations
    listed without conversation_id, then webhooks (at most 16 an owner)."""
    owner = _fresh_owner()
    conversations = _created_one_after_another(server, owner, _conversation(server, owner))
    _assert_listed_in_order(server, owner, "/v1/conversations", conversations)

    messages = _created_one_after_another(server, owner, _message(server, owner, conversations[0]))
    _assert_listed_in_order(server, owner, "/v1/messages", messages, f"&conversation_id={conversations[0]}")
    _assert_listed_in_order(server, owner, "/v1/messages", messages)

    elsewhere = _fresh_owner()
    spread = _created_one_after_another(server, elsewhere, _conversation(server, elsewhere))
    senders = [_message(server, elsewhere, conversation_id) for conversation_id in spread]
    across = [senders[number % 3](number)["id"] for number in range(COUNT)][::-1]
    _assert_listed_in_order(server, elsewhere, "/v1/messages", across)

    hooks = []
    for number in range(16):
        status, _, body = server.request(
            "POST",
            "/v1/webhooks",
            owner=owner,
            json_body={"name": f"hook {number}", "url": f"http://127.0.0.1:9/hooks/{number}", "events": ["*"]},
        )
        assert status == 201, body
        hooks.append(body["id"])
    for limit in PAGE_SIZES:
        assert _list_all(server, owner, "/v1/webhooks", limit) == hooks[::-1], f"limit={limit}"
        assert _list_back(server, owner, "/v1/webhooks", limit, hooks[0]) == hooks[::-1], f"limit={limit}"


def test_creates_one_after_another_list_in_that_order(server: LocalServer) -> None:
    _check_every_order(server)


@pytest.fixture(scope="module", params=sorted(FROZEN_MOMENTS))
def frozen_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    keys: Path = tmp_path_factory.mktemp("frozen-keys")
    local = start_local_server(keys, {"LOCAL_FROZEN_CLOCK": FROZEN_MOMENTS[request.param]})
    yield local
    stop_local_server(local)


def test_creates_one_after_another_list_in_that_order_with_the_clock_frozen(frozen_server: LocalServer) -> None:
    # Given a clock that stands still inside one second, or inside one millisecond
    owner = _fresh_owner()
    _, _, first = frozen_server.request(
        "POST", "/v1/conversations", owner=owner, json_body=frozen_server.conversation_body(owner)
    )
    assert first["created_at"] == 1_800_000_000

    # Then every order holds all the same, and created_at stays in that second
    _check_every_order(frozen_server)
    _, _, page = frozen_server.request("GET", "/v1/conversations?limit=100", owner=owner)
    assert {conversation["created_at"] for conversation in page["data"]} == {1_800_000_000}
