"""Two owners: for each endpoint, the other owner's conversations and contacts do not exist."""

import itertools

from tests.support import ApiClient


def test_owners_see_only_their_own_conversations(api: ApiClient) -> None:
    alices_groups = [api.new_group(owner="alice") for _ in range(3)]
    bobs_groups = [api.new_group(owner="bob") for _ in range(2)]

    alice_list = api.request("GET", "/v1/conversations", owner="alice", query={"limit": "100"}).json()["data"]
    bob_list = api.request("GET", "/v1/conversations", owner="bob", query={"limit": "100"}).json()["data"]
    in_group = {"group_id": bobs_groups[0]["id"]}
    bob_in_his_group = api.request("GET", "/v1/conversations", owner="bob", query=in_group).json()["data"]
    in_alices = {"group_id": alices_groups[0]["id"]}
    bob_in_alices_group = api.request("GET", "/v1/conversations", owner="bob", query=in_alices).json()["data"]

    assert {c["id"] for c in alice_list} == {g["conversation_id"] for g in alices_groups}
    assert {c["id"] for c in bob_list} == {g["conversation_id"] for g in bobs_groups}
    assert [c["id"] for c in bob_in_his_group] == [bobs_groups[0]["conversation_id"]]
    assert bob_in_alices_group == []


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
    group = api.new_group(owner="alice")
    victim = group["conversation_id"]

    for sneaky in ("alice#GROUP#" + group["id"], "alice%23", "alice#CONV#" + victim, "alice#GROUPS", "alice "):
        listed = api.request("GET", "/v1/conversations", owner=sneaky, query={"limit": "100"}).json()["data"]
        assert listed == [], sneaky
        assert api.request("GET", f"/v1/conversations/{victim}", owner=sneaky).status == 404


CONTACTS = "/v1/contacts"


def _add_contact(api: ApiClient, owner: str, username: str) -> str:
    response = api.request(
        "POST", CONTACTS, owner=owner, json_body={"username": username, "phone_number": "1-800-759-3000"}
    )
    assert response.status == 201, response.text
    contact_id: str = response.json()["id"]
    return contact_id


def _listed(api: ApiClient, owner: str, **query: str) -> list[str]:
    return [c["id"] for c in api.request("GET", CONTACTS, owner=owner, query={"limit": "100", **query}).json()["data"]]


def test_owners_see_only_their_own_contacts(api: ApiClient) -> None:
    alices = {_add_contact(api, "alice", f"a{n}") for n in range(3)}
    bobs = {_add_contact(api, "bob", f"b{n}") for n in range(2)}

    assert set(_listed(api, "alice")) == set(_listed(api, "alice", active="false")) == alices
    assert set(_listed(api, "bob")) == set(_listed(api, "bob", active="false")) == bobs
    assert _listed(api, "bob", active="true") == []


def test_another_owners_contact_id_is_404_for_retrieve_update_and_delete(api: ApiClient) -> None:
    contact_id = _add_contact(api, "alice", "FrankMcCallister")
    path = f"{CONTACTS}/{contact_id}"

    assert api.request("GET", path, owner="bob").status == 404
    assert api.request("PUT", path, owner="bob", json_body={"display_name": "Mine"}).status == 404
    assert api.request("DELETE", path, owner="bob").status == 404

    untouched = api.request("GET", path, owner="alice")
    assert (untouched.json()["display_name"], untouched.header("ETag")) == (None, '"1"')


def test_another_owners_contact_cursor_yields_only_the_callers_contacts(api: ApiClient) -> None:
    alice_ids = [_add_contact(api, "alice", f"a{n}") for n in range(3)]
    bob_id = _add_contact(api, "bob", "b")

    for cursor_name, cursor, active in itertools.product(
        ("starting_after", "ending_before"), alice_ids, ({}, {"active": "false"}, {"active": "true"})
    ):
        assert set(_listed(api, "bob", **{cursor_name: cursor}, **active)) <= {bob_id}


def test_another_owner_may_take_a_username_and_release_it_without_touching_the_first(api: ApiClient) -> None:
    alices = _add_contact(api, "alice", "FrankMcCallister")

    bobs = _add_contact(api, "bob", "frankmccallister")
    assert api.request("DELETE", f"{CONTACTS}/{bobs}", owner="bob").status == 204

    assert api.request("GET", f"{CONTACTS}/{alices}", owner="alice").json()["username"] == "FrankMcCallister"
    again = api.request(
        "POST", CONTACTS, owner="alice", json_body={"username": "FRANKMCCALLISTER", "phone_number": "1-800-759-3000"}
    )
    assert again.status == 409
    assert alices in again.json()["message"]


def test_an_owner_whose_sub_spells_another_contact_key_cannot_reach_it(api: ApiClient) -> None:
    victim = _add_contact(api, "alice", "FrankMcCallister")

    for sneaky in ("alice#CONTACTS#ACTIVE#0", "alice%23", "alice#CONTACT#" + victim, "alice "):
        for active in ({}, {"active": "false"}, {"active": "true"}):
            assert _listed(api, sneaky, **active) == [], (sneaky, active)
        assert api.request("GET", f"{CONTACTS}/{victim}", owner=sneaky).status == 404
        assert _add_contact(api, sneaky, "FrankMcCallister") not in _listed(api, "alice")
    assert _listed(api, "alice") == [victim]
