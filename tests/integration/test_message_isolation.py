"""Owner B, armed with A's message ids, conversation ids and cursors, reaches none of A's messages."""

import itertools

from tests.support import ApiClient

MESSAGES = "/v1/messages"


def test_every_message_endpoint_with_a_foreign_id_conversation_or_cursor(api: ApiClient) -> None:
    # Given A's conversations with messages (one pinned, one read), and one of B's own
    alice_conversations = [api.create()["id"] for _ in range(3)]
    alice_messages = [api.send(c, f"secret {n}")["id"] for n, c in enumerate(alice_conversations * 2)]
    api.request(
        "PUT", f"/v1/conversations/{alice_conversations[0]}", json_body={"pinned_message_id": alice_messages[0]}
    )
    api.request("PUT", f"{MESSAGES}/{alice_messages[1]}", json_body={"read_at": 705103200})
    bob_conversation = api.create(owner="bob")["id"]
    bob_message = api.send(bob_conversation, "bob's own", owner="bob")["id"]
    texts = []

    # When B uses A's message ids in every path, with and without If-Match
    for message_id, (method, body) in itertools.product(
        alice_messages, [("GET", None), ("PUT", {"message": "mine now"}), ("PUT", {"reactions": {"x": ["b"]}}),
                         ("DELETE", None)]
    ):  # fmt: skip
        for headers in ({}, {"If-Match": '"1"'}):
            response = api.request(method, f"{MESSAGES}/{message_id}", owner="bob", json_body=body, headers=headers)
            unknown = api.request(method, f"{MESSAGES}/Zzzzzzzzzzzzzzzz", owner="bob", json_body=body, headers=headers)
            # The same answer as for an id that exists nowhere: no oracle for A's ids
            assert response.status == unknown.status == 404
            assert response.text == unknown.text.replace("Zzzzzzzzzzzzzzzz", message_id)
    # ... A's conversation ids to send into, as B's contact, and as a filter
    for conversation_id in alice_conversations:
        for body in ({"message": "intrusion"}, {"message": "intrusion", "contact_id": "WAz8eIbvDR60rouK"}):
            sent = api.request("POST", MESSAGES, owner="bob", json_body={"conversation_id": conversation_id, **body})
            never = api.request(
                "POST", MESSAGES, owner="bob", json_body={"conversation_id": "Zzzzzzzzzzzzzzzz", **body}
            )
            assert sent.status == never.status == 400
            assert sent.text == never.text.replace("Zzzzzzzzzzzzzzzz", conversation_id)
        listed = api.request("GET", MESSAGES, owner="bob", query={"conversation_id": conversation_id})
        assert listed.json() == {"has_more": False, "data": []}
        # ... and pinning A's message in B's own conversation
        pinned = api.request(
            "PUT",
            f"/v1/conversations/{bob_conversation}",
            owner="bob",
            json_body={"pinned_message_id": alice_messages[0]},
        )
        assert pinned.status == 400
    # ... and A's ids as cursors, with and without a conversation
    for cursor_name, cursor, conversation in itertools.product(
        ("starting_after", "ending_before"), alice_messages, (None, bob_conversation, alice_conversations[0])
    ):
        query = {cursor_name: cursor, "limit": "100", **({"conversation_id": conversation} if conversation else {})}
        response = api.request("GET", MESSAGES, owner="bob", query=query)
        assert response.status == 200
        assert {m["id"] for m in response.json()["data"]} <= {bob_message}
        texts.append(response.text)

    # Then no page B listed names A's messages, and A's messages are as A left them
    assert not any(message_id in text for text in texts for message_id in alice_messages)
    mine = api.request("GET", MESSAGES, query={"limit": "100"}).json()["data"]
    assert sorted(m["id"] for m in mine) == sorted(alice_messages)
    assert {m["message"] for m in mine} == {f"secret {n}" for n in range(6)}
    assert all(m["reactions"] == [] for m in mine)
    assert (
        api.request("GET", f"/v1/conversations/{alice_conversations[0]}").json()["pinned_message_id"]
        == alice_messages[0]
    )
