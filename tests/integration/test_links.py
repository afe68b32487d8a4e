"""How contacts and groups tie into conversations and messages: one conversation each, linked in
the transactions that create and delete it; a message's sender; a contact's delete cascading."""

from typing import Any

import pytest

from clarity.store import keys
from clarity.store.dynamodb import deserialize, serialize
from tests.support import TABLE_NAME, ApiClient


def _item(client: Any, key: dict[str, str]) -> dict[str, Any] | None:
    found = client.get_item(TableName=TABLE_NAME, Key=serialize(key), ConsistentRead=True).get("Item")
    return deserialize(found) if found else None


def _open(api: ApiClient, owner: str = "alice", **body: Any) -> Any:
    return api.request("POST", "/v1/conversations", owner=owner, json_body=body)


# --- one conversation per contact and per group ---------------------------------------------


def test_opening_links_the_contact_and_a_repeat_open_answers_200_with_the_same_conversation(
    api: ApiClient,
) -> None:
    contact = api.new_contact()

    first = _open(api, contact_id=contact["id"])
    again = _open(api, contact_id=contact["id"])

    assert (first.status, again.status) == (201, 200)
    assert again.json() == first.json() and again.header("ETag") == first.header("ETag")
    linked = api.request("GET", f"/v1/contacts/{contact['id']}")
    assert linked.json()["conversation_id"] == first.json()["id"]
    # conversation_id is one of the contact's fields: its ETag moved, once.
    assert linked.header("ETag") == '"2"'
    active = api.request("GET", "/v1/contacts", query={"active": "true"}).json()["data"]
    assert [c["id"] for c in active] == [contact["id"]]
    assert api.request("GET", "/v1/conversations").json()["data"] == [first.json()]


def test_a_repeat_open_records_no_open_and_its_idempotent_replay_is_the_same_200(api: ApiClient) -> None:
    contact = api.new_contact()
    opened = _open(api, contact_id=contact["id"]).json()
    key = {"Idempotency-Key": "open-again"}

    again = api.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]}, headers=key)
    replay = api.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]}, headers=key)

    assert (again.status, replay.status) == (200, 200)
    assert again.json() == replay.json() == opened
    assert opened["last_opened_at"] is None


def test_a_new_open_replayed_by_its_idempotency_key_stays_201(api: ApiClient) -> None:
    contact = api.new_contact()
    key = {"Idempotency-Key": "first-open"}

    first = api.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]}, headers=key)
    replay = api.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]}, headers=key)

    assert (first.status, replay.status) == (201, 201)
    assert first.json() == replay.json()


def test_a_groups_conversation_is_the_one_opened_for_it(api: ApiClient) -> None:
    group = api.new_group()

    opened = _open(api, group_id=group["id"])

    assert opened.status == 200 and opened.json()["id"] == group["conversation_id"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"contact_id": "A000000000000000"}, "contact_id"),
        ({"group_id": "A000000000000000"}, "group_id"),
        ({}, "contact_id or group_id"),
    ],
)
def test_a_contact_or_group_that_is_not_yours_is_400_naming_it(
    api: ApiClient, body: dict[str, Any], param: str
) -> None:
    response = _open(api, **body)

    assert response.status == 400
    assert param in response.json()["message"]
    assert api.request("GET", "/v1/conversations").json()["data"] == []


def test_both_a_contact_and_a_group_is_400(api: ApiClient) -> None:
    contact, group = api.new_contact(), api.new_group()

    response = _open(api, contact_id=contact["id"], group_id=group["id"])

    assert response.status == 400 and "not both" in response.json()["message"]
    assert api.request("GET", f"/v1/contacts/{contact['id']}").json()["conversation_id"] is None


def test_another_owners_contact_is_400_and_stays_unlinked(api: ApiClient) -> None:
    theirs = api.new_contact(owner="bob")

    response = _open(api, contact_id=theirs["id"])

    assert response.status == 400 and "contact_id" in response.json()["message"]
    assert api.request("GET", f"/v1/contacts/{theirs['id']}", owner="bob").json()["conversation_id"] is None


def test_deleting_the_conversation_clears_the_link_and_opening_again_makes_a_new_one(api: ApiClient) -> None:
    contact, group = api.new_contact(), api.new_group()
    with_contact = _open(api, contact_id=contact["id"]).json()

    api.request("DELETE", f"/v1/conversations/{with_contact['id']}")
    api.request("DELETE", f"/v1/conversations/{group['conversation_id']}")

    unlinked = api.request("GET", f"/v1/contacts/{contact['id']}")
    group_read = api.request("GET", f"/v1/groups/{group['id']}")
    assert unlinked.json()["conversation_id"] is None and unlinked.header("ETag") == '"3"'
    assert group_read.json()["conversation_id"] is None and group_read.header("ETag") == '"2"'
    assert api.request("GET", "/v1/contacts", query={"active": "false"}).json()["data"] == [unlinked.json()]
    reopened, regrouped = _open(api, contact_id=contact["id"]), _open(api, group_id=group["id"])
    assert (reopened.status, regrouped.status) == (201, 201)
    assert reopened.json()["id"] != with_contact["id"]
    assert api.request("GET", f"/v1/contacts/{contact['id']}").json()["conversation_id"] == reopened.json()["id"]
    assert api.request("GET", f"/v1/groups/{group['id']}").json()["conversation_id"] == regrouped.json()["id"]


# --- messages and their senders --------------------------------------------------------------


def test_a_messages_contact_is_the_contact_as_it_is_now(api: ApiClient) -> None:
    contact = api.new_contact()
    conversation = _open(api, contact_id=contact["id"]).json()
    sent = api.send(conversation["id"], contact_id=contact["id"])
    mine = api.send(conversation["id"])

    api.request("PUT", f"/v1/contacts/{contact['id']}", json_body={"display_name": "UncleFrank"})

    read = api.request("GET", f"/v1/messages/{sent['id']}").json()
    listed = api.request("GET", "/v1/messages", query={"conversation_id": conversation["id"]}).json()["data"]
    assert sent["contact"]["id"] == contact["id"] and sent["contact"]["last_active_at"] == sent["created_at"]
    assert read["contact"] == api.request("GET", f"/v1/contacts/{contact['id']}").json()
    assert read["contact"]["display_name"] == "UncleFrank"
    assert [m["contact"] for m in listed] == [None, read["contact"]]
    assert mine["contact"] is None


def test_sending_moves_the_contacts_last_active_at_but_not_its_etag(api: ApiClient, clock: Any) -> None:
    contact = api.new_contact()
    conversation = _open(api, contact_id=contact["id"]).json()
    clock.tick(60)

    sent = api.send(conversation["id"], contact_id=contact["id"])

    read = api.request("GET", f"/v1/contacts/{contact['id']}")
    assert read.json()["last_active_at"] == sent["created_at"] == clock.now
    assert read.header("ETag") == '"2"'


def test_a_group_conversation_takes_only_current_members_as_senders(api: ApiClient) -> None:
    member, outsider = api.new_contact(), api.new_contact()
    group = api.new_group(members=[member["id"]])

    from_member = api.request(
        "POST",
        "/v1/messages",
        json_body={"conversation_id": group["conversation_id"], "message": "hi", "contact_id": member["id"]},
    )
    from_outsider = api.request(
        "POST",
        "/v1/messages",
        json_body={"conversation_id": group["conversation_id"], "message": "hi", "contact_id": outsider["id"]},
    )
    api.request("PUT", f"/v1/groups/{group['id']}", json_body={"contacts": []})
    from_former = api.request(
        "POST",
        "/v1/messages",
        json_body={"conversation_id": group["conversation_id"], "message": "hi", "contact_id": member["id"]},
    )

    assert from_member.status == 201
    for refused in (from_outsider, from_former):
        assert refused.status == 400 and "contact_id" in refused.json()["message"], refused.text
    assert api.request("GET", f"/v1/contacts/{outsider['id']}").json()["last_active_at"] is None


def test_a_contacts_conversation_takes_only_that_contact(api: ApiClient) -> None:
    contact, other = api.new_contact(), api.new_contact()
    conversation = _open(api, contact_id=contact["id"]).json()

    response = api.request(
        "POST",
        "/v1/messages",
        json_body={"conversation_id": conversation["id"], "message": "hi", "contact_id": other["id"]},
    )

    assert response.status == 400 and "contact_id" in response.json()["message"]
    assert api.request("GET", f"/v1/contacts/{other['id']}").json()["last_active_at"] is None


# --- a contact's delete --------------------------------------------------------------------


def test_deleting_a_contact_removes_its_conversation_and_memberships_and_marks_its_group_messages(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    api, client = api_and_table
    contact, other = api.new_contact(), api.new_contact()
    conversation = _open(api, contact_id=contact["id"]).json()
    direct = api.send(conversation["id"], contact_id=contact["id"])
    group = api.new_group(members=[other["id"], contact["id"]])
    in_group = api.send(group["conversation_id"], contact_id=contact["id"])

    assert api.request("DELETE", f"/v1/contacts/{contact['id']}").status == 204

    assert api.request("GET", f"/v1/conversations/{conversation['id']}").status == 404
    assert api.request("GET", f"/v1/messages/{direct['id']}").status == 404
    group_read = api.request("GET", f"/v1/groups/{group['id']}")
    assert [m["id"] for m in group_read.json()["contacts"]] == [other["id"]]
    assert group_read.header("ETag") == '"2"'
    stored = _item(client, keys.group_key("alice", group["id"]))
    assert stored is not None and stored["member_ids"] == [other["id"]]
    kept = api.request("GET", f"/v1/messages/{in_group['id']}").json()
    assert kept["contact"] == {"id": contact["id"], "deleted": True}
    assert _item(client, keys.removal_mark_key("alice", keys.contact_key("alice", contact["id"]))) is None
    assert _item(client, keys.username_key("alice", contact["username"])) is None


def test_a_contact_with_a_stale_etag_is_not_deleted(api: ApiClient) -> None:
    contact = api.new_contact()
    _open(api, contact_id=contact["id"])

    assert api.request("DELETE", f"/v1/contacts/{contact['id']}", headers={"If-Match": '"1"'}).status == 412
    assert api.request("GET", f"/v1/contacts/{contact['id']}").json()["conversation_id"] is not None
    assert api.request("DELETE", f"/v1/contacts/{contact['id']}", headers={"If-Match": '"2"'}).status == 204


def test_another_owners_contacts_and_groups_are_nothing_to_a_sender(api: ApiClient) -> None:
    alices_contact = api.new_contact()
    alices_group = api.new_group(members=[alices_contact["id"]])
    bobs_group = api.new_group(owner="bob")

    as_sender = api.request(
        "POST",
        "/v1/messages",
        owner="bob",
        json_body={
            "conversation_id": bobs_group["conversation_id"],
            "message": "hi",
            "contact_id": alices_contact["id"],
        },
    )
    into_alices = api.request(
        "POST",
        "/v1/messages",
        owner="bob",
        json_body={"conversation_id": alices_group["conversation_id"], "message": "hi"},
    )
    as_member = api.request(
        "PUT", f"/v1/groups/{bobs_group['id']}", owner="bob", json_body={"contacts": [alices_contact["id"]]}
    )

    assert as_sender.status == 400 and "contact_id" in as_sender.json()["message"]
    assert into_alices.status == 400 and "conversation_id" in into_alices.json()["message"]
    assert as_member.status == 400 and "contacts" in as_member.json()["message"]
    assert api.request("GET", f"/v1/contacts/{alices_contact['id']}").json()["last_active_at"] is None
    assert api.request("GET", "/v1/messages").json()["data"] == []
