"""Owner B, armed with everything owner A's responses revealed, reaches none of A's data."""

import itertools
from typing import Any

from tests.support import ApiClient, ApiResponse


def _filters(group_id: str) -> list[dict[str, str]]:
    return [
        {},
        {"group_id": group_id},
        *({name: value} for name in ("pinned", "muted", "archived") for value in ("true", "false")),
        {"group_id": group_id, "muted": "true", "archived": "false"},
    ]


STATES = list(itertools.product((True, False), repeat=3))


def _create_with_key(api: ApiClient, owner: str, key: str) -> ApiResponse:
    """A conversation with a new contact of `owner`'s, opened with an idempotency key."""
    body = {"contact_id": api.new_contact(owner=owner)["id"]}
    return api.request("POST", "/v1/conversations", owner=owner, json_body=body, headers={"Idempotency-Key": key})


def test_every_endpoint_with_a_foreign_id_cursor_filter_or_key(api: ApiClient) -> None:
    # Given owner A's conversations in every state (each made with an idempotency key), one of a
    # group, and one of B's own
    alice_ids = []
    for pinned, muted, archived in STATES:
        conversation = _create_with_key(api, "alice", f"a{pinned}{muted}{archived}").json()
        body = {"is_pinned": pinned, "is_muted": muted, "archived_at": 705103200 if archived else None}
        api.request("PUT", f"/v1/conversations/{conversation['id']}", owner="alice", json_body=body)
        alice_ids.append(conversation["id"])
    alices_group = api.new_group(owner="alice")
    alice_ids.append(alices_group["conversation_id"])
    bob_id = api.create(owner="bob")["id"]
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
    filters = _filters(alices_group["id"])
    for query, cursor_name, cursor in itertools.product(filters, ("starting_after", "ending_before", None), alice_ids):
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
    # ... and A's group is not B's to open a conversation with
    opened = api.request("POST", "/v1/conversations", owner="bob", json_body={"group_id": alices_group["id"]})
    assert opened.status == 400 and alices_group["conversation_id"] not in opened.text


CONTACTS = "/v1/contacts"
USERNAMES = ["FrankMcCallister", "KateMcCallister", "kevin.m", "Buzz_M-1"]


def _add_contact(api: ApiClient, owner: str, username: str, key: str) -> ApiResponse:
    body = {"username": username, "phone_number": "1-800-759-3000"}
    return api.request("POST", CONTACTS, owner=owner, json_body=body, headers={"Idempotency-Key": key})


def test_every_contact_endpoint_with_a_foreign_id_cursor_username_or_key(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    # Given A's contacts (each added with an idempotency key, one renamed), one with a conversation
    # (active), and one of B's own
    api, _ = api_and_table
    alice_ids = [_add_contact(api, "alice", name, f"k{n}").json()["id"] for n, name in enumerate(USERNAMES)]
    api.request("PUT", f"{CONTACTS}/{alice_ids[0]}", owner="alice", json_body={"display_name": "Uncle Frank"})
    active = _add_contact(api, "alice", "Marley", "k-marley").json()
    api.create(owner="alice", contact_id=active["id"])
    alice_ids.append(active["id"])
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
    for n, (name, key) in enumerate(
        zip([*USERNAMES, "Marley"], [*(f"k{n}" for n in range(4)), "k-marley"], strict=True)
    ):
        response = _add_contact(api, "bob", name if n % 2 else name.swapcase(), key)
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
    inactive = [c["id"] for c in alice_before if c["id"] != active["id"]]
    for active_flag, expected in (("true", [active["id"]]), ("false", inactive)):
        listed = api.request("GET", CONTACTS, owner="alice", query={"active": active_flag, "limit": "100"}).json()
        assert [c["id"] for c in listed["data"]] == expected
    for contact_id, username in zip(alice_ids, [*USERNAMES, "Marley"], strict=True):
        taken = _add_contact(api, "alice", username.upper(), f"again-{contact_id}")
        assert taken.status == 409
        assert contact_id in taken.json()["message"]


GROUPS = "/v1/groups"


def test_every_group_endpoint_with_a_foreign_id_cursor_member_sender_or_key(api: ApiClient) -> None:
    # Given A's groups (made with idempotency keys), with A's contacts as members, one archived,
    # and B's own group and contact
    alice_members = [api.new_contact(owner="alice")["id"] for _ in range(3)]
    alice_groups = []
    for n in range(3):
        body = {"name": f"Plaza {n}", "contacts": alice_members[: n + 1]}
        created = api.request("POST", GROUPS, owner="alice", json_body=body, headers={"Idempotency-Key": f"g{n}"})
        alice_groups.append(created.json())
    api.request("PUT", f"{GROUPS}/{alice_groups[0]['id']}", owner="alice", json_body={"archived_at": 705103200})
    alice_ids = [g["id"] for g in alice_groups] + [g["conversation_id"] for g in alice_groups] + alice_members
    before = [api.request("GET", f"{GROUPS}/{g['id']}", owner="alice") for g in alice_groups]
    bobs_group = api.new_group(owner="bob")
    texts = []
    requests: list[tuple[str, dict[str, Any] | None]] = [
        ("GET", None),
        ("PUT", {"name": "mine now"}),
        ("PUT", {"contacts": []}),
        ("DELETE", None),
    ]

    # When B uses A's group ids in every path, with and without If-Match
    for group, (method, body) in itertools.product(alice_groups, requests):
        for headers in ({}, {"If-Match": '"1"'}):
            response = api.request(method, f"{GROUPS}/{group['id']}", owner="bob", json_body=body, headers=headers)
            unknown = api.request(method, f"{GROUPS}/Zzzzzzzzzzzzzzzz", owner="bob", json_body=body, headers=headers)
            assert response.status == unknown.status == 404, (method, headers)
            assert response.text == unknown.text.replace("Zzzzzzzzzzzzzzzz", group["id"])
    # ... as cursors, with and without `archived`
    for archived, cursor_name, group in itertools.product(
        (None, "true", "false"), ("starting_after", "ending_before"), alice_groups
    ):
        query = {cursor_name: group["id"], **({"archived": archived} if archived else {})}
        response = api.request("GET", GROUPS, owner="bob", query=query)
        assert response.status == 200 and {g["id"] for g in response.json()["data"]} <= {bobs_group["id"]}
        texts.append(response.text)
    # ... as a conversation's group, A's contacts as members of B's group and senders in its conversation
    for group in alice_groups:
        opened = api.request("POST", "/v1/conversations", owner="bob", json_body={"group_id": group["id"]})
        assert opened.status == 400
        texts.append(opened.text.replace(group["id"], ""))
    for member in alice_members:
        as_member = api.request("PUT", f"{GROUPS}/{bobs_group['id']}", owner="bob", json_body={"contacts": [member]})
        as_sender = api.request(
            "POST",
            "/v1/messages",
            owner="bob",
            json_body={"conversation_id": bobs_group["conversation_id"], "message": "hi", "contact_id": member},
        )
        assert (as_member.status, as_sender.status) == (400, 400)
        texts.extend(text.replace(member, "") for text in (as_member.text, as_sender.text))
    # ... and A's idempotency keys
    for n in range(3):
        response = api.request(
            "POST", GROUPS, owner="bob", json_body={"name": "mine"}, headers={"Idempotency-Key": f"g{n}"}
        )
        assert response.status == 201
        texts.append(response.text)

    # Then no response B had names A's groups, conversations or contacts beyond what B sent,
    # and A's groups are as A left them, at the same versions
    assert not any(alice_id in text for text in texts for alice_id in alice_ids)
    after = [api.request("GET", f"{GROUPS}/{g['id']}", owner="alice") for g in alice_groups]
    assert [(r.json(), r.header("ETag")) for r in after] == [(r.json(), r.header("ETag")) for r in before]
    assert api.request("GET", f"{GROUPS}/{bobs_group['id']}", owner="bob").json()["contacts"] == []
