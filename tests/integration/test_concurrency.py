"""ETag and If-Match: stale writes are refused (412); concurrent updates of different fields all land."""

import threading
from typing import Any

from tests.support import ApiClient


def test_responses_carry_an_etag_that_changes_with_each_update(api: ApiClient) -> None:
    created = api.request("POST", "/v1/conversations", json_body={"contact_id": "WAz8eIbvDR60rouK"})
    path = f"/v1/conversations/{created.json()['id']}"

    retrieved = api.request("GET", path)
    updated = api.request("PUT", path, json_body={"is_muted": True})

    assert created.header("ETag") == retrieved.header("ETag") == '"1"'
    assert updated.header("ETag") == '"2"'


def test_put_with_a_current_etag_applies(api: ApiClient) -> None:
    path = f"/v1/conversations/{api.create()['id']}"

    response = api.request("PUT", path, json_body={"is_pinned": True}, headers={"If-Match": '"1"'})

    assert response.status == 200
    assert response.json()["is_pinned"] is True


def test_put_with_a_stale_etag_is_412_and_changes_nothing(api: ApiClient) -> None:
    path = f"/v1/conversations/{api.create()['id']}"
    api.request("PUT", path, json_body={"is_muted": True})

    response = api.request("PUT", path, json_body={"is_pinned": True}, headers={"If-Match": '"1"'})

    assert response.status == 412
    assert response.json()["type"] == "invalid_request"
    assert api.request("GET", path).json()["is_pinned"] is False


def test_delete_with_a_stale_etag_is_412_and_keeps_the_conversation(api: ApiClient) -> None:
    path = f"/v1/conversations/{api.create()['id']}"
    api.request("PUT", path, json_body={"is_muted": True})

    assert api.request("DELETE", path, headers={"If-Match": '"1"'}).status == 412
    assert api.request("GET", path).status == 200
    assert api.request("DELETE", path, headers={"If-Match": '"2"'}).status == 204


def test_if_match_on_a_missing_conversation_is_404(api: ApiClient) -> None:
    headers = {"If-Match": '"1"'}

    assert (
        api.request("PUT", "/v1/conversations/A000000000000000", json_body={"is_muted": True}, headers=headers).status
        == 404
    )
    assert api.request("DELETE", "/v1/conversations/A000000000000000", headers=headers).status == 404


def test_if_match_star_and_malformed_values(api: ApiClient) -> None:
    path = f"/v1/conversations/{api.create()['id']}"

    assert api.request("PUT", path, json_body={"is_muted": True}, headers={"If-Match": "*"}).status == 200
    for bad in ("1", 'W/"1"', '"1", "2"', '"x"', "null", ""):
        response = api.request("PUT", path, json_body={"is_muted": True}, headers={"If-Match": bad})
        assert response.status == 400, bad
        assert "If-Match" in response.json()["message"]


def test_concurrent_updates_of_different_fields_all_land(api_and_table: tuple[ApiClient, Any]) -> None:
    api, _ = api_and_table
    path = f"/v1/conversations/{api.create()['id']}"
    # A pinned message must be one of the conversation's own.
    sent = api.request("POST", "/v1/messages", json_body={"conversation_id": path.rsplit("/", 1)[1], "message": "hi"})
    pinned_message = sent.json()["id"]
    bodies = [
        {"is_pinned": True},
        {"is_muted": True},
        {"archived_at": 705103200},
        {"pinned_message_id": pinned_message},
    ]
    errors: list[int] = []
    # The service and repository are shared by the threads, as a container's would be.
    from clarity.conversations.models import UpdateConversationRequest  # noqa: PLC0415
    from clarity.wiring import conversation_service  # noqa: PLC0415

    service = conversation_service()
    conversation_id = path.rsplit("/", 1)[1]

    def update(body: dict[str, Any]) -> None:
        try:
            service.update("alice", conversation_id, UpdateConversationRequest(**body))
        except Exception:
            errors.append(1)

    threads = [threading.Thread(target=update, args=(bodies[n % 4],)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    final = api.request("GET", path).json()
    assert errors == []
    assert (final["is_pinned"], final["is_muted"], final["archived_at"], final["pinned_message_id"]) == (
        True,
        True,
        705103200,
        pinned_message,
    )
    assert api.request("GET", path).header("ETag") == '"51"'
