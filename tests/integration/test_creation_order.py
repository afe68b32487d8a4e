"""Two Lambda instances whose clocks disagree: a create made after another's response still
lists after it where the write is conditioned on the newest one stored (a conversation's
messages, an owner's webhooks). Each instance is a service build of its own, with its own clock,
on one moto table."""

from collections.abc import Iterator
from typing import Any

import pytest

from devtools.routing import Router
from tests.support import ApiClient, installed_services, moto_table

AHEAD = 1_800_000_030.75
BEHIND = 1_800_000_000.25


@pytest.fixture
def table() -> Iterator[Any]:
    with moto_table() as client:
        yield client


def _on_instance(client: Any, moment: float) -> Any:
    """The functions as one instance runs them: its own services and clock, on the shared table."""
    return installed_services(client, clock=lambda: moment)


def _register(api: ApiClient, number: int) -> Any:
    return api.request(
        "POST",
        "/v1/webhooks",
        json_body={"name": f"hook {number}", "url": f"http://127.0.0.1:9/{number}", "events": ["*"]},
    )


def test_a_send_from_an_instance_whose_clock_is_behind_lists_after_the_one_before(table: Any) -> None:
    api = ApiClient(Router())
    with _on_instance(table, AHEAD):
        conversation_id = api.create()["id"]
        first = api.send(conversation_id, "first")

    with _on_instance(table, BEHIND):
        then = api.send(conversation_id, "then")
        listed = api.request("GET", "/v1/messages", query={"conversation_id": conversation_id}).json()["data"]
        everywhere = api.request("GET", "/v1/messages").json()["data"]
        conversation = api.request("GET", f"/v1/conversations/{conversation_id}").json()

    assert [m["id"] for m in listed] == [m["id"] for m in everywhere] == [then["id"], first["id"]]
    assert then["created_at"] == first["created_at"] == conversation["last_active_at"] == 1_800_000_030


def test_a_webhook_from_an_instance_whose_clock_is_behind_lists_after_the_one_before(table: Any) -> None:
    api = ApiClient(Router())
    with _on_instance(table, AHEAD):
        first = _register(api, 1).json()

    with _on_instance(table, BEHIND):
        then = _register(api, 2).json()
        listed = api.request("GET", "/v1/webhooks").json()["data"]

    assert [hook["id"] for hook in listed] == [then["id"], first["id"]]
    assert then["created_at"] == 1_800_000_030


def test_the_17th_webhook_is_refused_even_from_an_instance_whose_clock_is_behind(table: Any) -> None:
    api = ApiClient(Router())
    with _on_instance(table, AHEAD):
        for number in range(16):
            assert _register(api, number).status == 201

    with _on_instance(table, BEHIND):
        refused = _register(api, 16)

    assert refused.status == 400
    assert "16 webhooks" in refused.json()["message"]
