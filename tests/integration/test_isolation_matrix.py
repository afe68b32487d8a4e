"""Owner B, armed with everything owner A's responses revealed, reaches none of A's data."""

import itertools
from typing import Any

from clarity.contacts.models import Contact
from clarity.contacts.repository import ContactRepository
from clarity.store.dynamodb import Table
from tests.support import TABLE_NAME, ApiClient, ApiResponse

GROUP = "GRP0000000000001"
FILTERS = [
    {},
    {"group_id": GROUP},
    *({name: value} for name in ("pinned", "muted", "archived") for value in ("true", "false")),
    {"group_id": GROUP, "muted": "true", "archived": "false"},
]


STATES = list(itertools.product((True, False), repeat=3))


def _create_with_key(api: ApiClient, owner: str, key: str) -> ApiResponse:
    return api.request(
        "POST", "/v1/conversations", owner=owner, json_body={"group_id": GROUP}, headers={"Idempotency-Key": key}
    )


def test_every_endpoint_with_a_foreign_id_cursor_filter_or_key(api: ApiClient) -> None:
    # Given owner A's conversations in every state (each made with an idempotency key), and one of B's own
    alice_ids = []
    for pinned, muted, archived in STATES:
        conversation = _create_with_key(api, "alice", f"a{pinned}{muted}{archived}").json()
        body = {"is_pinned": pinned, "is_muted": muted, "archived_at": 705103200 if archived else None}
        api.request("PUT", f"/v1/conversations/{conversation['id']}", owner="alice", json_body=body)
        alice_ids.append(conversation["id"])
    bob_id = api.create(owner="bob", group_id=GROUP)["id"]
    responses = []

    # When B uses A's ids on every single-conversation endpoint
    for conversation_id in alice_ids:
        path = f"/v1/conversations/{conversation_id}"
        requests: list[tuple[str, dict[str, object] | None]] = [
            ("GET", None),
            ("PUT", {"is_muted": True}),
            ("DELETE", None),
        ]
        for method, payload in requests:
            response = api.request(method, path, owner="bob", json_body=payload)
            # The same answer as for an id that exists nowhere: no oracle for A's ids
            unknown = api.request(method, "/v1/conversations/Zzzzzzzzzzzzzzzz", owner="bob", json_body=payload)
            assert response.status == unknown.status == 404, (method, path)
            assert response.text == unknown.text.replace("Zzzzzzzzzzzzzzzz", conversation_id)
        conditional = api.request("PUT", path, owner="bob", json_body={"is_muted": True}, headers={"If-Match": '"2"'})
        assert conditional.status == 404
    # ... A's ids as cursors, with every filter
    for query, cursor_name, cursor in itertools.product(FILTERS, ("starting_after", "ending_before", None), alice_ids):
        params = {**query, **({cursor_name: cursor} if cursor_name else {}), "limit": "100"}
        response = api.request("GET", "/v1/conversations", owner="bob", query=params)
        assert response.status == 200
        assert {c["id"] for c in response.json()["data"]} <= {bob_id}, params
        responses.append(response.text)
    # ... and A's idempotency keys
    for pinned, muted, archived in STATES:
        response = _create_with_key(api, "bob", f"a{pinned}{muted}{archived}")
        assert response.status == 201
        assert response.json()["id"] not in alice_ids
        responses.append(response.text)

    # Then no response carries any of A's ids, and A's data is as A left it
    assert not any(conversation_id in text for text in responses for conversation_id in alice_ids)
    alice_list = api.request("GET", "/v1/conversations", owner="alice", query={"limit": "100"}).json()["data"]
    assert sorted(c["id"] for c in alice_list) == sorted(alice_ids)
    assert sum(c["is_muted"] for c in alice_list) == 4


CONTACTS = "/v1/contacts"
USERNAMES = ["FrankMcCallister", "KateMcCallister", "kevin.m", "Buzz_M-1"]


def _add_contact(api: ApiClient, owner: str, username: str, key: str) -> ApiResponse:
    body = {"username": username, "phone_number": "1-800-759-3000"}
    return api.request("POST", CONTACTS, owner=owner, json_body=body, headers={"Idempotency-Key": key})


def test_every_contact_endpoint_with_a_foreign_id_cursor_username_or_key(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    # Given A's contacts (each added with an idempotency key, one renamed), one with a conversation
    # (active; stored through the repository, as no endpoint links one yet), and one of B's own
    api, client = api_and_table
    alice_ids = [_add_contact(api, "alice", name, f"k{n}").json()["id"] for n, name in enumerate(USERNAMES)]
    api.request("PUT", f"{CONTACTS}/{alice_ids[0]}", owner="alice", json_body={"display_name": "Uncle Frank"})
    conversation_id = api.create(owner="alice")["id"]
    active = Contact(
        id="A0000000000000a1",
        username="Marley",
        phone_number="1-800-759-3000",
        avatar_url=None,
        display_name=None,
        conversation_id=conversation_id,
        last_active_at=None,
        created_at=1_700_000_000,
    )
    ContactRepository(Table(client, TABLE_NAME)).create("alice", active)
    alice_ids.append(active.id)
    alice_before = api.request("GET", CONTACTS, owner="alice", query={"limit": "100"}).json()["data"]
    etags_before = [api.request("GET", f"{CONTACTS}/{c}", owner="alice").header("ETag") for c in alice_ids]
    bob_ids = {_add_contact(api, "bob", "bobs.own", "bob").json()["id"]}
    texts = []

    # When B uses A's contact ids in every path, with and without If-Match
    for contact_id, (method, body) in itertools.product(
        alice_ids, [("GET", None), ("PUT", {"display_name": "mine now"}), ("PUT", {"display_name": None}),
                    ("DELETE", None)]
    ):  # fmt: skip
        for headers in ({}, {"If-Match": '"1"'}, {"If-Match": '"2"'}):
            response = api.request(method, f"{CONTACTS}/{contact_id}", owner="bob", json_body=body, headers=headers)
            unknown = api.request(method, f"{CONTACTS}/Zzzzzzzzzzzzzzzz", owner="bob", json_body=body, headers=headers)
            # The same answer as for an id that exists nowhere: no oracle for A's ids
            assert response.status == unknown.status == 404, (method, contact_id, headers)
            assert response.text == unknown.text.replace("Zzzzzzzzzzzzzzzz", contact_id)
    # ... A's ids as cursors, with and without `active`
    for active_flag, cursor_name, cursor in itertools.product(
        (None, "true", "false"), ("starting_after", "ending_before"), alice_ids
    ):
        query = {cursor_name: cursor, "limit": "100", **({"active": active_flag} if active_flag else {})}
        response = api.request("GET", CONTACTS, owner="bob", query=query)
        assert response.status == 200, (query, response.text)
        assert {c["id"] for c in response.json()["data"]} <= bob_ids, query
        texts.append(response.text)
    # ... and A's usernames (as A wrote them, or in another case) with A's idempotency keys: no 409
    for n, name in enumerate([*USERNAMES, "Marley"]):
        response = _add_contact(api, "bob", name if n % 2 else name.swapcase(), f"k{n}")
        assert response.status == 201, response.text
        assert response.json()["id"] not in alice_ids
        texts.append(response.text)
        bob_ids.add(response.json()["id"])
    # ... where B's own rule still holds, naming B's contact
    duplicate = _add_contact(api, "bob", "FRANKMCCALLISTER", "bob-again")
    assert duplicate.status == 409
    assert any(contact_id in duplicate.json()["message"] for contact_id in bob_ids)
    texts.append(duplicate.text)
    # ... then deletes every contact B has, freeing B's usernames
    for contact_id in bob_ids:
        assert api.request("DELETE", f"{CONTACTS}/{contact_id}", owner="bob").status == 204

    # Then no response B had names any of A's contacts, and A's contacts are as A left them (at
    # the same versions, in the same lists), every username still A's
    assert not any(contact_id in text for text in texts for contact_id in alice_ids)
    assert api.request("GET", CONTACTS, owner="alice", query={"limit": "100"}).json()["data"] == alice_before
    assert [api.request("GET", f"{CONTACTS}/{c}", owner="alice").header("ETag") for c in alice_ids] == etags_before
    inactive = [c["id"] for c in alice_before if c["id"] != active.id]
    for active_flag, expected in (("true", [active.id]), ("false", inactive)):
        listed = api.request("GET", CONTACTS, owner="alice", query={"active": active_flag, "limit": "100"}).json()
        assert [c["id"] for c in listed["data"]] == expected
    for contact_id, username in zip(alice_ids, [*USERNAMES, "Marley"], strict=True):
        taken = _add_contact(api, "alice", username.upper(), f"again-{contact_id}")
        assert taken.status == 409
        assert contact_id in taken.json()["message"]
