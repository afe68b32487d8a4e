"""Two owners: for each endpoint, the other owner's conversations do not exist."""

from tests.support import ApiClient

GROUP = "GRP0000000000001"


def test_owners_see_only_their_own_conversations(api: ApiClient) -> None:
    alices = {api.create(owner="alice", group_id=GROUP)["id"] for _ in range(3)}
    bobs = {api.create(owner="bob", group_id=GROUP)["id"] for _ in range(2)}

    alice_list = api.request("GET", "/v1/conversations", owner="alice", query={"limit": "100"}).json()["data"]
    bob_list = api.request("GET", "/v1/conversations", owner="bob", query={"group_id": GROUP}).json()["data"]

    assert {c["id"] for c in alice_list} == alices
    assert {c["id"] for c in bob_list} == bobs


def test_another_owners_id_is_404_for_retrieve_update_and_delete(api: ApiClient) -> None:
    conversation_id = api.create(owner="alice")["id"]
    path = f"/v1/conversations/{conversation_id}"

    assert api.request("GET", path, owner="bob").status == 404
    assert api.request("PUT", path, owner="bob", json_body={"is_muted": True}).status == 404
    assert api.request("DELETE", path, owner="bob").status == 404

    untouched = api.request("GET", path, owner="alice").json()
    assert untouched["is_muted"] is False
    assert untouched["last_opened_at"] is not None


def test_another_owners_cursor_yields_only_the_callers_data(api: ApiClient) -> None:
    alice_ids = [api.create(owner="alice")["id"] for _ in range(3)]
    bob_id = api.create(owner="bob")["id"]

    for cursor_name in ("starting_after", "ending_before"):
        for cursor in alice_ids:
            page = api.request("GET", "/v1/conversations", owner="bob", query={cursor_name: cursor}).json()
            assert {c["id"] for c in page["data"]} <= {bob_id}


def test_an_owner_whose_sub_spells_another_key_cannot_reach_it(api: ApiClient) -> None:
    victim = api.create(owner="alice", group_id=GROUP)["id"]

    for sneaky in ("alice#GROUP#" + GROUP, "alice%23", "alice#CONV#" + victim, "alice "):
        listed = api.request("GET", "/v1/conversations", owner=sneaky, query={"limit": "100"}).json()["data"]
        assert listed == [], sneaky
        assert api.request("GET", f"/v1/conversations/{victim}", owner=sneaky).status == 404
