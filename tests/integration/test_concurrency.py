"""ETag and If-Match: stale writes are refused (412); concurrent updates of different fields all land."""

import random
import threading
import time
from typing import Any

from clarity.wiring import build_services
from tests.support import SETTINGS, ApiClient, serialized


def test_responses_carry_an_etag_that_changes_with_each_update(api: ApiClient) -> None:
    created = api.request("POST", "/v1/conversations", json_body={"contact_id": api.new_contact()["id"]})
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
    api, client = api_and_table
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
    # The service and repository are shared by the threads, as a container's would be; each
    # DynamoDB request is atomic, as on AWS (moto's transactions are not, against other threads).
    from clarity.conversations.models import UpdateConversationRequest  # noqa: PLC0415

    service = build_services(SETTINGS, serialized(client)).conversations
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


def _committed_message_ids(client: Any) -> list[str]:
    """The ids of the messages whose send transactions `client` committed, in commit order (its
    calls run one at a time: SerializedClient)."""
    committed: list[str] = []
    asked: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems", lambda params, **_: asked.append(params)
    )

    def record(parsed: dict[str, Any], **_: Any) -> None:
        put = asked.pop()["TransactItems"][0].get("Put", {})
        if "Error" not in parsed and "MSG#" in put.get("Item", {}).get("SK", {}).get("S", ""):
            committed.append(put["Item"]["id"]["S"])

    client.meta.events.register("after-call.dynamodb.TransactWriteItems", record)
    return committed


def test_50_concurrent_sends_from_instances_with_skewed_clocks_list_in_commit_order(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    # Given 50 sends racing to one conversation from 50 instances whose clocks disagree by up to 49 s
    from clarity.core.errors import ServiceUnavailable  # noqa: PLC0415
    from clarity.messages.models import CreateMessageRequest  # noqa: PLC0415
    from tests.support import SETTINGS  # noqa: PLC0415

    api, client = api_and_table
    conversation_id = api.create()["id"]
    stamps = list(range(1_800_000_000, 1_800_000_050))
    random.Random(7).shuffle(stamps)  # noqa: S311 - an order to race in, not a secret
    one_at_a_time = serialized(client)
    committed = _committed_message_ids(client)
    created: dict[str, int] = {}
    failures: list[Exception] = []

    def send(n: int) -> None:
        instance = build_services(SETTINGS, one_at_a_time, clock=lambda: stamps[n]).messages
        request = CreateMessageRequest(conversation_id=conversation_id, message=f"m{n}")
        for _ in range(5):  # a conflict between transactions is a 503 the client retries
            try:
                message = instance.send("alice", request).resource
                created[message.id] = message.created_at
                assert message.created_at >= stamps[n]
                return
            except ServiceUnavailable:
                continue
            except Exception as error:
                failures.append(error)
                return

    threads = [threading.Thread(target=send, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then all 50 are listed in the order they committed, newest first, with created_at never
    # rising down the list and none stamped before its own instance's clock; last_active_at is
    # the newest created_at
    listed = api.request("GET", "/v1/messages", query={"conversation_id": conversation_id, "limit": "100"}).json()
    assert failures == []
    assert len(created) == 50
    assert [m["id"] for m in listed["data"]] == committed[::-1]
    assert {m["id"]: m["created_at"] for m in listed["data"]} == created
    stamped = [m["created_at"] for m in listed["data"]]
    assert stamped == sorted(stamped, reverse=True)
    assert stamped[0] == 1_800_000_049
    assert api.request("GET", f"/v1/conversations/{conversation_id}").json()["last_active_at"] == stamped[0]


def test_a_delete_racing_sends_leaves_no_message_behind(api_and_table: tuple[ApiClient, Any]) -> None:
    from clarity.core.errors import InvalidRequest, ServiceUnavailable  # noqa: PLC0415
    from clarity.messages.models import CreateMessageRequest  # noqa: PLC0415
    from clarity.store import keys  # noqa: PLC0415
    from tests.support import SETTINGS, TABLE_NAME  # noqa: PLC0415

    api, client = api_and_table
    services = build_services(SETTINGS, serialized(client))
    conversation_id = api.create()["id"]
    outcomes: list[str] = []
    started = threading.Event()

    def keep_sending() -> None:
        request = CreateMessageRequest(conversation_id=conversation_id, message="racing")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                services.messages.send("alice", request)
                outcomes.append("sent")
                started.set()
            except InvalidRequest:
                outcomes.append("refused")
                return
            except ServiceUnavailable:
                outcomes.append("conflict")

    senders = [threading.Thread(target=keep_sending) for _ in range(4)]
    for sender in senders:
        sender.start()
    assert started.wait(timeout=10)
    services.conversations.delete("alice", conversation_id)
    for sender in senders:
        sender.join()

    # Some sends landed before the mark, and every sender was refused after it
    assert "sent" in outcomes
    assert outcomes.count("refused") == 4
    items = client.scan(TableName=TABLE_NAME)["Items"]
    left = [
        i for i in items if conversation_id in i["PK"]["S"] or i.get("conversation_id", {}).get("S") == conversation_id
    ]
    assert left == []
    assert not [i for i in items if i["SK"]["S"].startswith(keys.MESSAGE_PREFIX)]
