"""Owner B, armed with everything owner A's responses revealed, reaches none of A's data."""

import itertools

from tests.support import ApiClient, ApiResponse

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
