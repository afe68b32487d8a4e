"""Listing: order, limit, filters, and cursors both ways over more than two pages."""

from typing import Any

import pytest

from tests.integration.conftest import Clock
from tests.support import ApiClient

# Placeholders in FILTERS for the groups of the seed's second and fourth conversations.
GROUP_A = "first-group"
GROUP_B = "second-group"


def _seed(api: ApiClient, clock: Clock, count: int) -> list[dict[str, Any]]:
    """`count` conversations, with every third pinned, every fourth muted, every fifth archived,
    alternately with a contact and a group (a group's is made with it). Returned newest first,
    as the API lists them."""
    created = []
    for number in range(count):
        if number % 2:
            group_id = api.new_group()["id"]
            conversation = api.request("POST", "/v1/conversations", json_body={"group_id": group_id}).json()
        else:
            conversation = api.create()
        changes: dict[str, object] = {}
        if number % 3 == 0:
            changes["is_pinned"] = True
        if number % 4 == 0:
            changes["is_muted"] = True
        if number % 5 == 0:
            changes["archived_at"] = clock.now
        if changes:
            conversation = api.request("PUT", f"/v1/conversations/{conversation['id']}", json_body=changes).json()
        created.append(conversation)
        # Two conversations share each second, so ties on created_at are exercised too.
        if number % 2:
            clock.tick()
    return list(reversed(sorted(created, key=lambda c: (c["created_at"], c["id"]))))


def _walk_forward(api: ApiClient, query: dict[str, str], limit: int) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        params = {**query, "limit": str(limit), **({"starting_after": cursor} if cursor else {})}
        body = api.request("GET", "/v1/conversations", query=params).json()
        pages.append(body["data"])
        if not body["has_more"]:
            return pages
        cursor = body["data"][-1]["id"]


def _walk_backward(api: ApiClient, query: dict[str, str], limit: int, from_id: str) -> list[list[dict[str, Any]]]:
    pages, cursor = [], from_id
    while True:
        params = {**query, "limit": str(limit), "ending_before": cursor}
        body = api.request("GET", "/v1/conversations", query=params).json()
        pages.append(body["data"])
        if not body["has_more"]:
            return pages
        cursor = body["data"][0]["id"]


def _matches(conversation: dict[str, Any], query: dict[str, str]) -> bool:
    flags = {"pinned": "is_pinned", "muted": "is_muted"}
    for name, value in query.items():
        wanted = value == "true"
        if name in flags and conversation[flags[name]] is not wanted:
            return False
        if name == "archived" and (conversation["archived_at"] is not None) is not wanted:
            return False
        if name == "group_id" and conversation["group_id"] != value:
            return False
    return True


def test_default_page_is_ten_newest_first(api: ApiClient, clock: Clock) -> None:
    expected = _seed(api, clock, 12)

    body = api.request("GET", "/v1/conversations").json()

    assert [c["id"] for c in body["data"]] == [c["id"] for c in expected[:10]]
    assert body["has_more"] is True


def test_has_more_is_false_at_an_exact_page_boundary(api: ApiClient, clock: Clock) -> None:
    _seed(api, clock, 10)

    body = api.request("GET", "/v1/conversations", query={"limit": "10"}).json()

    assert len(body["data"]) == 10
    assert body["has_more"] is False


def test_a_new_conversation_is_in_the_very_next_list(api: ApiClient) -> None:
    created = api.create()

    assert api.request("GET", "/v1/conversations").json()["data"][0]["id"] == created["id"]


FILTERS = [
    {},
    {"pinned": "true"},
    {"pinned": "false"},
    {"muted": "true"},
    {"muted": "false"},
    {"archived": "true"},
    {"archived": "false"},
    {"group_id": GROUP_A},
    {"muted": "false", "archived": "false"},
    {"group_id": GROUP_B, "pinned": "true"},
    {"pinned": "false", "muted": "true", "archived": "false"},
]


@pytest.mark.parametrize("query", FILTERS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "none")
def test_pagination_forward_and_backward_covers_exactly_the_matches(
    api: ApiClient, clock: Clock, query: dict[str, str]
) -> None:
    everything = _seed(api, clock, 27)
    groups = [c["group_id"] for c in reversed(everything) if c["group_id"]]
    query = {name: {GROUP_A: groups[0], GROUP_B: groups[1]}.get(value, value) for name, value in query.items()}
    expected_ids = [c["id"] for c in everything if _matches(c, query)]

    forward = _walk_forward(api, query, limit=4)
    forward_ids = [c["id"] for page in forward for c in page]

    assert forward_ids == expected_ids
    assert all(len(page) <= 4 for page in forward)
    if expected_ids:
        backward = _walk_backward(api, query, limit=4, from_id=expected_ids[-1])
        backward_ids = [c["id"] for page in reversed(backward) for c in page]
        assert backward_ids == expected_ids[:-1]


def test_boolean_filters_accept_1_and_0(api: ApiClient, clock: Clock) -> None:
    everything = _seed(api, clock, 9)

    ones = api.request("GET", "/v1/conversations", query={"pinned": "1", "limit": "100"}).json()["data"]
    zeros = api.request("GET", "/v1/conversations", query={"pinned": "0", "limit": "100"}).json()["data"]

    assert len(ones) == sum(c["is_pinned"] for c in everything)
    assert len(zeros) == sum(not c["is_pinned"] for c in everything)


def test_ending_before_pages_are_newest_first_and_adjacent(api: ApiClient, clock: Clock) -> None:
    everything = _seed(api, clock, 8)

    body = api.request("GET", "/v1/conversations", query={"ending_before": everything[5]["id"], "limit": "2"}).json()

    assert [c["id"] for c in body["data"]] == [everything[3]["id"], everything[4]["id"]]
    assert body["has_more"] is True


def test_limit_bounds(api: ApiClient, clock: Clock) -> None:
    _seed(api, clock, 3)

    assert len(api.request("GET", "/v1/conversations", query={"limit": "1"}).json()["data"]) == 1
    assert api.request("GET", "/v1/conversations", query={"limit": "100"}).status == 200
