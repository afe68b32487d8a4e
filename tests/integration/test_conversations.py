"""Create, retrieve, update and delete through the functions, on a moto table."""

import re

import pytest

from tests.integration.conftest import Clock
from tests.support import ApiClient


def test_create_with_group_only(api: ApiClient) -> None:
    group = api.new_group()
    # A group is created with its conversation: deleted, the group can open a new one.
    api.request("DELETE", f"/v1/conversations/{group['conversation_id']}")

    body = api.create(group_id=group["id"])

    assert body["group_id"] == group["id"]
    assert body["contact_id"] is None


def test_created_ids_are_16_alphanumerics_and_distinct(api: ApiClient) -> None:
    ids = {api.create()["id"] for _ in range(20)}

    assert len(ids) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9]{16}", conversation_id) for conversation_id in ids)


def test_created_at_is_the_clock_in_unix_seconds(api: ApiClient, clock: Clock) -> None:
    assert api.create()["created_at"] == clock.now


def test_retrieve_records_the_open(api: ApiClient, clock: Clock) -> None:
    created = api.create()
    clock.tick(60)

    opened = api.request("GET", f"/v1/conversations/{created['id']}").json()

    assert opened["last_opened_at"] == clock.now
    assert opened["created_at"] == clock.now - 60


def test_update_sets_each_field(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    message_id = api.send(conversation_id)["id"]

    body = api.request(
        "PUT",
        f"/v1/conversations/{conversation_id}",
        json_body={"pinned_message_id": message_id, "is_pinned": True, "is_muted": True, "archived_at": 705103200},
    ).json()

    assert body["pinned_message_id"] == message_id
    assert body["is_pinned"] is True
    assert body["is_muted"] is True
    assert body["archived_at"] == 705103200


def test_update_is_partial(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    api.request("PUT", f"/v1/conversations/{conversation_id}", json_body={"is_muted": True})

    body = api.request("PUT", f"/v1/conversations/{conversation_id}", json_body={"is_pinned": True}).json()

    assert body["is_muted"] is True
    assert body["is_pinned"] is True


def test_update_null_unpins_and_unarchives(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    path = f"/v1/conversations/{conversation_id}"
    message_id = api.send(conversation_id)["id"]
    assert api.request("PUT", path, json_body={"pinned_message_id": message_id, "archived_at": 705103200}).status == 200

    body = api.request("PUT", path, json_body={"pinned_message_id": None, "archived_at": None}).json()

    assert body["pinned_message_id"] is None
    assert body["archived_at"] is None


def test_update_form_null_literal_clears(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    path = f"/v1/conversations/{conversation_id}"
    api.request("PUT", path, form={"archived_at": "705103200"})

    body = api.request("PUT", path, form={"archived_at": "null"}).json()

    assert body["archived_at"] is None


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("false", False), ("0", False)])
def test_update_form_booleans(api: ApiClient, raw: str, expected: bool) -> None:
    conversation_id = api.create()["id"]

    body = api.request("PUT", f"/v1/conversations/{conversation_id}", form={"is_pinned": raw}).json()

    assert body["is_pinned"] is expected


def test_update_is_visible_to_retrieve(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    api.request("PUT", f"/v1/conversations/{conversation_id}", json_body={"is_muted": True})

    assert api.request("GET", f"/v1/conversations/{conversation_id}").json()["is_muted"] is True


def test_second_delete_is_404(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    assert api.request("DELETE", f"/v1/conversations/{conversation_id}").status == 204

    response = api.request("DELETE", f"/v1/conversations/{conversation_id}")

    assert response.status == 404
    assert response.json()["type"] == "invalid_request"


def test_deleted_conversation_leaves_every_list(api: ApiClient) -> None:
    group = api.new_group()
    conversation_id = group["conversation_id"]
    api.request("PUT", f"/v1/conversations/{conversation_id}", json_body={"is_muted": True})

    api.request("DELETE", f"/v1/conversations/{conversation_id}")

    for query in ({}, {"group_id": group["id"]}, {"muted": "true"}, {"pinned": "false"}, {"archived": "false"}):
        assert api.request("GET", "/v1/conversations", query=query).json()["data"] == [], query


def test_update_of_a_deleted_conversation_is_404(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    api.request("DELETE", f"/v1/conversations/{conversation_id}")

    assert api.request("PUT", f"/v1/conversations/{conversation_id}", json_body={"is_muted": True}).status == 404
