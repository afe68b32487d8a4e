"""Messages through their functions, on moto: the object, each endpoint, and how they tie into
conversations (last_active_at, the pinned message, the conversation's delete)."""

from typing import Any

import pytest

from clarity.store import keys
from tests.integration.conftest import Clock
from tests.support import TABLE_NAME, ApiClient

MESSAGES = "/v1/messages"
FIELDS = ["id", "conversation_id", "contact", "message", "reactions", "attachments", "read_at", "created_at",
          "updated_at"]  # fmt: skip


def _send(api: ApiClient, body: dict[str, Any], owner: str = "alice", **options: Any) -> Any:
    return api.request("POST", MESSAGES, owner=owner, json_body=body, **options)


def test_send_answers_201_with_the_message_location_and_etag(api: ApiClient, clock: Clock) -> None:
    conversation_id = api.create()["id"]
    text = "  You're what the French call 'les incompetents.'\n"

    response = _send(api, {"conversation_id": conversation_id, "message": text})

    assert response.status == 201
    message = response.json()
    assert list(message) == FIELDS
    assert message == {
        "id": message["id"],
        "conversation_id": conversation_id,
        "contact": None,
        "message": text,  # exactly as sent, whitespace included
        "reactions": [],
        "attachments": [],
        "read_at": None,
        "created_at": clock.now,
        "updated_at": None,
    }
    assert response.header("Location") == f"{MESSAGES}/{message['id']}"
    assert response.header("ETag") == '"1"'
    assert api.request("GET", f"{MESSAGES}/{message['id']}").json() == message


def test_send_accepts_the_reference_form_body(api: ApiClient) -> None:
    conversation_id = api.create()["id"]

    response = api.request("POST", MESSAGES, form={"conversation_id": conversation_id, "message": "hi"})

    assert response.status == 201
    assert response.json()["message"] == "hi"


def test_a_message_received_from_the_conversations_contact_carries_it(api: ApiClient) -> None:
    contact_id = api.new_contact()["id"]
    conversation_id = api.create(contact_id=contact_id)["id"]

    message = api.send(conversation_id, contact_id=contact_id)

    assert message["contact"] == api.request("GET", f"/v1/contacts/{contact_id}").json()


def test_a_conversation_with_a_contact_takes_no_other_contact(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    other = api.new_contact()["id"]

    response = _send(api, {"conversation_id": conversation_id, "message": "hi", "contact_id": other})

    assert response.status == 400
    assert "contact_id" in response.json()["message"]
    assert api.request("GET", MESSAGES, query={"conversation_id": conversation_id}).json()["data"] == []


def test_a_group_conversation_takes_its_members(api: ApiClient) -> None:
    member = api.new_contact()["id"]
    conversation_id = api.new_group(members=[member])["conversation_id"]

    assert api.send(conversation_id, contact_id=member)["contact"]["id"] == member


def test_sending_moves_last_active_at_but_not_the_etag(api: ApiClient, clock: Clock) -> None:
    conversation_id = api.create()["id"]
    clock.tick(30)

    sent = api.send(conversation_id)

    conversation = api.request("GET", f"/v1/conversations/{conversation_id}")
    assert conversation.json()["last_active_at"] == sent["created_at"] == clock.now
    assert conversation.header("ETag") == '"1"'


def test_a_clock_stepping_back_never_lists_a_later_send_first(api: ApiClient, clock: Clock) -> None:
    # Given a send at t+100, then the clock stepping back to t+50
    conversation_id = api.create()["id"]
    start = clock.now
    clock.now = start + 100
    first = api.send(conversation_id, "first")
    clock.now = start + 50

    then = api.send(conversation_id, "then")

    # Then the later send lists first, stamped no earlier, and last_active_at never moved backwards
    assert then["created_at"] == first["created_at"] == start + 100
    assert api.request("GET", f"/v1/conversations/{conversation_id}").json()["last_active_at"] == start + 100
    listed = api.request("GET", MESSAGES, query={"conversation_id": conversation_id}).json()["data"]
    assert [m["id"] for m in listed] == [then["id"], first["id"]]


def test_editing_or_deleting_a_message_leaves_last_active_at_alone(api: ApiClient, clock: Clock) -> None:
    conversation_id = api.create()["id"]
    message = api.send(conversation_id)
    clock.tick(60)

    api.request("PUT", f"{MESSAGES}/{message['id']}", json_body={"message": "edited"})
    api.request("DELETE", f"{MESSAGES}/{message['id']}")

    assert api.request("GET", f"/v1/conversations/{conversation_id}").json()["last_active_at"] == message["created_at"]


@pytest.mark.parametrize("owner", ["alice", "bob"])
def test_a_conversation_not_the_callers_reads_the_same_as_none(api: ApiClient, owner: str) -> None:
    alices = api.create()["id"]
    target = alices if owner == "bob" else "Zzzzzzzzzzzzzzzz"

    response = _send(api, {"conversation_id": target, "message": "hi"}, owner=owner)

    assert response.status == 400
    assert response.json()["message"] == f"conversation_id '{target}' is not one of your conversations"


def test_list_is_newest_first_and_strongly_consistent(api: ApiClient, clock: Clock) -> None:
    first, second = api.create()["id"], api.create()["id"]
    sent = []
    for n in range(5):
        clock.tick()
        sent.append(api.send(first if n % 2 else second, f"m{n}")["id"])
        # A message sent is in the very next list of its conversation, and of all messages
        assert (
            api.request("GET", MESSAGES, query={"conversation_id": first if n % 2 else second}).json()["data"][0]["id"]
            == sent[-1]
        )

    everything = api.request("GET", MESSAGES).json()
    only_first = api.request("GET", MESSAGES, query={"conversation_id": first}).json()

    assert [m["id"] for m in everything["data"]] == sent[::-1]
    assert [m["id"] for m in only_first["data"]] == [sent[3], sent[1]]
    assert everything["has_more"] is only_first["has_more"] is False


def test_list_pages_both_ways_with_exact_has_more(api: ApiClient, clock: Clock) -> None:
    conversation_id = api.create()["id"]
    sent = [api.send(conversation_id, f"m{n}")["id"] for n in range(7)]  # same second: ordered by id
    newest_first = sorted(sent, reverse=True)
    for query in ({"conversation_id": conversation_id}, {}):
        pages, cursor = [], None
        while True:
            page = api.request(
                "GET", MESSAGES, query={**query, "limit": "3", **({"starting_after": cursor} if cursor else {})}
            ).json()
            pages.append([m["id"] for m in page["data"]])
            if not page["has_more"]:
                break
            cursor = page["data"][-1]["id"]
        assert pages == [newest_first[:3], newest_first[3:6], newest_first[6:]]

        back = api.request("GET", MESSAGES, query={**query, "limit": "3", "ending_before": newest_first[6]}).json()
        assert [m["id"] for m in back["data"]] == newest_first[3:6]
        assert back["has_more"] is True
        first = api.request("GET", MESSAGES, query={**query, "limit": "3", "ending_before": newest_first[3]}).json()
        assert ([m["id"] for m in first["data"]], first["has_more"]) == (newest_first[:3], False)


def test_an_unknown_conversation_lists_an_empty_page(api: ApiClient) -> None:
    api.send(api.create()["id"])

    for conversation_id in ("Zzzzzzzzzzzzzzzz",):
        assert api.request("GET", MESSAGES, query={"conversation_id": conversation_id}).json() == {
            "has_more": False,
            "data": [],
        }
    assert api.request("GET", MESSAGES, owner="bob").json()["data"] == []


def test_update_is_partial_and_updated_at_follows_text_and_reactions(api: ApiClient, clock: Clock) -> None:
    message = api.send(api.create()["id"])
    path = f"{MESSAGES}/{message['id']}"
    clock.tick(10)

    read = api.request("PUT", path, json_body={"read_at": 705103200})
    clock.tick(10)
    edited = api.request("PUT", path, json_body={"message": "edited"})
    clock.tick(10)
    unread = api.request("PUT", path, json_body={"read_at": None, "attachments": []})

    assert (read.json()["read_at"], read.json()["updated_at"]) == (705103200, None)  # reading is no edit
    assert (edited.json()["message"], edited.json()["read_at"], edited.json()["updated_at"]) == (
        "edited",
        705103200,
        clock.now - 10,
    )
    assert (unread.json()["read_at"], unread.json()["updated_at"], unread.json()["message"]) == (
        None,
        clock.now - 10,
        "edited",
    )
    assert [read.header("ETag"), edited.header("ETag"), unread.header("ETag")] == ['"2"', '"3"', '"4"']


@pytest.mark.parametrize(
    ("body", "form"),
    [
        ({"reactions": [{"red_angry_face": ["KateMcCallister"]}, {"+1": ["Kevin", "Buzz"]}]}, None),
        ({"reactions": {"red_angry_face": ["KateMcCallister"], "+1": ["Kevin", "Buzz"]}}, None),
        (None, [("reactions[red_angry_face][]", "KateMcCallister"), ("reactions[+1][]", "Kevin"),
                ("reactions[+1][]", "Buzz")]),
    ],
    ids=["list of one-key objects", "mapping (client libraries)", "form brackets (reference curl)"],
)  # fmt: skip
def test_reactions_in_every_accepted_shape_replace_the_list(
    api: ApiClient, body: dict[str, Any] | None, form: list[tuple[str, str]] | None
) -> None:
    message = api.send(api.create()["id"])
    path = f"{MESSAGES}/{message['id']}"
    api.request("PUT", path, json_body={"reactions": [{"old": ["someone"]}]})

    if form is not None:
        from urllib.parse import urlencode  # noqa: PLC0415

        response = api.request(
            "PUT", path, body=urlencode(form).encode(), headers={"content-type": "application/x-www-form-urlencoded"}
        )
    else:
        response = api.request("PUT", path, json_body=body)

    assert response.status == 200, response.text
    expected = [{"red_angry_face": ["KateMcCallister"]}, {"+1": ["Kevin", "Buzz"]}]
    assert response.json()["reactions"] == expected
    assert api.request("GET", path).json()["reactions"] == expected


def test_if_match_guards_message_updates_and_deletes(api: ApiClient) -> None:
    message = api.send(api.create()["id"])
    path = f"{MESSAGES}/{message['id']}"
    api.request("PUT", path, json_body={"message": "v2"})

    stale = api.request("PUT", path, json_body={"message": "v3"}, headers={"If-Match": '"1"'})
    stale_delete = api.request("DELETE", path, headers={"If-Match": '"1"'})
    current = api.request("PUT", path, json_body={"message": "v3"}, headers={"If-Match": '"2"'})

    assert (stale.status, stale_delete.status, current.status) == (412, 412, 200)
    assert api.request("DELETE", path, headers={"If-Match": '"3"'}).status == 204


def test_delete_is_204_then_404_and_the_message_is_gone_everywhere(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    message = api.send(conversation_id)
    path = f"{MESSAGES}/{message['id']}"

    assert api.request("DELETE", path).status == 204
    assert api.request("DELETE", path).status == 404
    assert api.request("GET", path).status == 404
    assert api.request("GET", MESSAGES).json()["data"] == []
    assert api.request("GET", MESSAGES, query={"conversation_id": conversation_id}).json()["data"] == []


def test_pinning_needs_a_message_of_that_conversation(api: ApiClient) -> None:
    conversation_id, other = api.create()["id"], api.create()["id"]
    elsewhere = api.send(other)
    path = f"/v1/conversations/{conversation_id}"

    for message_id in (elsewhere["id"], "Zzzzzzzzzzzzzzzz"):
        response = api.request("PUT", path, json_body={"pinned_message_id": message_id, "is_muted": True})
        assert response.status == 400
        assert "pinned_message_id" in response.json()["message"]
    # Nothing of the refused update landed
    assert api.request("GET", path).json()["is_muted"] is False


def test_deleting_the_pinned_message_unpins_it_and_moves_the_etag(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    message = api.send(conversation_id)
    path = f"/v1/conversations/{conversation_id}"
    pinned = api.request("PUT", path, json_body={"pinned_message_id": message["id"]})

    api.request("DELETE", f"{MESSAGES}/{message['id']}")

    after = api.request("GET", path)
    assert after.json()["pinned_message_id"] is None
    assert int(after.header("ETag").strip('"')) == int(pinned.header("ETag").strip('"')) + 1  # type: ignore[union-attr]


def test_deleting_another_message_leaves_the_pin(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    pinned, other = api.send(conversation_id), api.send(conversation_id)
    api.request("PUT", f"/v1/conversations/{conversation_id}", json_body={"pinned_message_id": pinned["id"]})

    api.request("DELETE", f"{MESSAGES}/{other['id']}")

    assert api.request("GET", f"/v1/conversations/{conversation_id}").json()["pinned_message_id"] == pinned["id"]


def test_deleting_a_conversation_removes_its_messages_and_their_pointers(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    api, table = api_and_table
    doomed, kept = api.create()["id"], api.create()["id"]
    doomed_messages = [api.send(doomed, f"m{n}")["id"] for n in range(30)]
    kept_message = api.send(kept)["id"]

    assert api.request("DELETE", f"/v1/conversations/{doomed}").status == 204

    assert [m["id"] for m in api.request("GET", MESSAGES, query={"limit": "100"}).json()["data"]] == [kept_message]
    for message_id in doomed_messages:
        assert api.request("GET", f"{MESSAGES}/{message_id}").status == 404
    items = table.scan(TableName=TABLE_NAME)["Items"]
    message_items = [item for item in items if item["SK"]["S"].startswith(keys.MESSAGE_PREFIX)]
    assert len(message_items) == 2  # the kept message and its pointer, nothing of the deleted ones
    assert _send(api, {"conversation_id": doomed, "message": "late"}).status == 400
