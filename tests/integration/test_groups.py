"""Groups through the API: the object, its members, its conversation, its list and its delete."""

from typing import Any
from urllib.parse import urlencode

import pytest

from clarity.store import keys
from clarity.store.dynamodb import deserialize, serialize
from tests.support import TABLE_NAME, ApiClient

GROUP_FIELDS = {"id", "name", "description", "avatar_url", "conversation_id", "contacts", "created_at", "archived_at"}


def _item(client: Any, key: dict[str, str]) -> dict[str, Any] | None:
    found = client.get_item(TableName=TABLE_NAME, Key=serialize(key), ConsistentRead=True).get("Item")
    return deserialize(found) if found else None


def _groups_of(client: Any, contact_id: str, owner: str = "alice") -> set[str]:
    contact = _item(client, keys.contact_key(owner, contact_id))
    assert contact is not None
    return set(contact.get("group_ids", set()))


def test_a_group_is_created_with_its_conversation_and_its_members_in_order(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    api, client = api_and_table
    first, second = api.new_contact(), api.new_contact()

    response = api.request(
        "POST", "/v1/groups", json_body={"name": "Plaza Hotel", "contacts": [second["id"], first["id"]]}
    )

    assert response.status == 201, response.text
    group = response.json()
    assert set(group) == GROUP_FIELDS
    assert response.header("Location") == f"/v1/groups/{group['id']}"
    assert response.header("ETag") == '"1"'
    assert [member["id"] for member in group["contacts"]] == [second["id"], first["id"]]
    assert group["contacts"][0] == api.request("GET", f"/v1/contacts/{second['id']}").json()
    assert (group["description"], group["avatar_url"], group["archived_at"]) == (None, None, None)
    conversation = api.request("GET", f"/v1/conversations/{group['conversation_id']}").json()
    assert (conversation["group_id"], conversation["contact_id"]) == (group["id"], None)
    assert _groups_of(client, first["id"]) == _groups_of(client, second["id"]) == {group["id"]}


def test_a_form_body_lists_members_as_repeated_brackets(api: ApiClient) -> None:
    first, second = api.new_contact(), api.new_contact()

    response = api.request(
        "POST",
        "/v1/groups",
        body=urlencode([("name", "Plaza Hotel"), ("contacts[]", first["id"]), ("contacts[]", second["id"])]).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status == 201, response.text
    assert [member["id"] for member in response.json()["contacts"]] == [first["id"], second["id"]]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "description": "x" * 1001}, "description"),
        ({"name": "ok", "avatar_url": "ftp://example.com/a.png"}, "avatar_url"),
        ({"name": "ok", "contacts": ["not-an-id"]}, "contacts"),
        ({"name": "ok", "contacts": "WAz8eIbvDR60rouK"}, "contacts"),
        ({"name": "ok", "contacts": ["A000000000000000"]}, "contacts"),
        ({"name": "ok", "conversation_id": "A000000000000000"}, "conversation_id"),
        ({"name": "ok", "archived_at": 1}, "archived_at"),
        ({"name": "ok", "members": []}, "members"),
    ],
)
def test_a_bad_create_is_400_naming_the_field(api: ApiClient, body: dict[str, Any], says: str) -> None:
    response = api.request("POST", "/v1/groups", json_body=body)

    assert response.status == 400, response.text
    assert says in response.json()["message"]
    assert api.request("GET", "/v1/groups").json()["data"] == []


def test_members_must_be_the_callers_contacts_without_repeats_and_at_most_100(api: ApiClient) -> None:
    mine, theirs = api.new_contact(), api.new_contact(owner="bob")

    repeated = api.request("POST", "/v1/groups", json_body={"name": "g", "contacts": [mine["id"], mine["id"]]})
    foreign = api.request("POST", "/v1/groups", json_body={"name": "g", "contacts": [mine["id"], theirs["id"]]})
    too_many = api.request("POST", "/v1/groups", json_body={"name": "g", "contacts": [mine["id"]] * 101})

    for response in (repeated, foreign, too_many):
        assert response.status == 400, response.text
        assert "contacts" in response.json()["message"]
    assert theirs["id"] in foreign.json()["message"]
    assert api.request("GET", "/v1/groups").json()["data"] == []
    assert api.request("GET", f"/v1/contacts/{mine['id']}").header("ETag") == '"1"'


def test_a_group_of_100_members_links_every_one(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    members = [api.new_contact()["id"] for _ in range(100)]

    group = api.new_group(members=members)

    assert [member["id"] for member in group["contacts"]] == members
    # Members 99 and 100 join in a second transaction: they are linked all the same.
    assert all(_groups_of(client, member) == {group["id"]} for member in members)


def test_a_members_rename_shows_at_once_and_leaves_the_groups_etag(api: ApiClient) -> None:
    member = api.new_contact()
    group = api.new_group(members=[member["id"]])

    api.request("PUT", f"/v1/contacts/{member['id']}", json_body={"display_name": "UncleFrank"})
    read = api.request("GET", f"/v1/groups/{group['id']}")

    assert read.json()["contacts"][0]["display_name"] == "UncleFrank"
    assert read.header("ETag") == '"1"'


def test_update_changes_only_what_is_sent_and_null_clears(api: ApiClient) -> None:
    group = api.new_group(description="Fancy", avatar_url="https://example.com/plaza.png")
    path = f"/v1/groups/{group['id']}"

    renamed = api.request("PUT", path, json_body={"name": "The Plaza"})
    cleared = api.request("PUT", path, json_body={"description": None, "avatar_url": None})
    archived = api.request("PUT", path, form={"archived_at": "705103200"})

    assert renamed.json()["name"] == "The Plaza" and renamed.json()["description"] == "Fancy"
    assert (cleared.json()["description"], cleared.json()["avatar_url"]) == (None, None)
    assert archived.json()["archived_at"] == 705103200
    assert [r.header("ETag") for r in (renamed, cleared, archived)] == ['"2"', '"3"', '"4"']
    for body, says in (
        ({"conversation_id": "A000000000000000"}, "conversation_id cannot be changed"),
        ({"name": None}, "name"),
        ({"contacts": None}, "contacts"),
        ({}, "at least one"),
    ):
        response = api.request("PUT", path, json_body=body)
        assert response.status == 400 and says in response.json()["message"], response.text


def test_replacing_the_members_links_the_added_and_unlinks_the_removed(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    api, client = api_and_table
    kept, removed, added = api.new_contact(), api.new_contact(), api.new_contact()
    group = api.new_group(members=[kept["id"], removed["id"]])

    response = api.request("PUT", f"/v1/groups/{group['id']}", json_body={"contacts": [added["id"], kept["id"]]})

    assert response.status == 200, response.text
    assert [member["id"] for member in response.json()["contacts"]] == [added["id"], kept["id"]]
    assert response.header("ETag") == '"2"'
    assert _groups_of(client, kept["id"]) == _groups_of(client, added["id"]) == {group["id"]}
    assert _groups_of(client, removed["id"]) == set()


def test_a_member_list_with_a_missing_contact_changes_nothing(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    member, other = api.new_contact(), api.new_contact()
    group = api.new_group(members=[member["id"]])

    response = api.request(
        "PUT", f"/v1/groups/{group['id']}", json_body={"contacts": [other["id"], "A000000000000000"]}
    )

    assert response.status == 400 and "A000000000000000" in response.json()["message"]
    read = api.request("GET", f"/v1/groups/{group['id']}")
    assert [m["id"] for m in read.json()["contacts"]] == [member["id"]] and read.header("ETag") == '"1"'
    assert _groups_of(client, other["id"]) == set()


def test_if_match_guards_updates_and_deletes(api: ApiClient) -> None:
    member = api.new_contact()
    group = api.new_group()
    path = f"/v1/groups/{group['id']}"
    api.request("PUT", path, json_body={"name": "moved on"})

    stale_rename = api.request("PUT", path, json_body={"name": "x"}, headers={"If-Match": '"1"'})
    stale_members = api.request("PUT", path, json_body={"contacts": [member["id"]]}, headers={"If-Match": '"1"'})
    stale_delete = api.request("DELETE", path, headers={"If-Match": '"1"'})

    assert [r.status for r in (stale_rename, stale_members, stale_delete)] == [412, 412, 412]
    assert api.request("GET", path).json()["contacts"] == []
    assert api.request("DELETE", path, headers={"If-Match": '"2"'}).status == 204


def test_list_is_newest_first_and_archived_is_a_key(api: ApiClient, clock: Any) -> None:
    created = []
    for _ in range(5):
        created.append(api.new_group()["id"])
        clock.tick()
    for group_id in created[1::2]:
        api.request("PUT", f"/v1/groups/{group_id}", json_body={"archived_at": 705103200})

    every = api.request("GET", "/v1/groups", query={"limit": "100"}).json()
    archived = api.request("GET", "/v1/groups", query={"archived": "true"}).json()
    others = api.request("GET", "/v1/groups", query={"archived": "false"}).json()

    assert [g["id"] for g in every["data"]] == created[::-1]
    assert [g["id"] for g in archived["data"]] == created[1::2][::-1]
    assert [g["id"] for g in others["data"]] == created[0::2][::-1]
    for query in ({"archived": "yes"}, {"limit": "0"}, {"members": "1"}):
        assert api.request("GET", "/v1/groups", query=query).status == 400


@pytest.mark.parametrize("archived", [None, "true"])
def test_pages_walk_both_ways_across_exact_boundaries(api: ApiClient, archived: str | None) -> None:
    created = [api.new_group()["id"] for _ in range(6)]
    if archived:
        for group_id in created:
            api.request("PUT", f"/v1/groups/{group_id}", json_body={"archived_at": 705103200})
    newest_first = created[::-1]
    filters = {"archived": archived} if archived else {}

    pages, cursor = [], None
    while True:
        query = {"limit": "3", **filters, **({"starting_after": cursor} if cursor else {})}
        page = api.request("GET", "/v1/groups", query=query).json()
        pages.append([g["id"] for g in page["data"]])
        if not page["has_more"]:
            break
        cursor = page["data"][-1]["id"]
    back = api.request("GET", "/v1/groups", query={"limit": "3", **filters, "ending_before": newest_first[3]}).json()

    assert pages == [newest_first[:3], newest_first[3:]]
    assert [g["id"] for g in back["data"]] == newest_first[:3] and back["has_more"] is False


def test_delete_removes_the_group_its_conversation_and_messages_and_keeps_the_members(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    api, client = api_and_table
    member = api.new_contact()
    group = api.new_group(members=[member["id"]])
    sent = api.send(group["conversation_id"], contact_id=member["id"])

    assert api.request("DELETE", f"/v1/groups/{group['id']}").status == 204

    assert api.request("GET", f"/v1/groups/{group['id']}").status == 404
    assert api.request("GET", f"/v1/conversations/{group['conversation_id']}").status == 404
    assert api.request("GET", f"/v1/messages/{sent['id']}").status == 404
    assert api.request("GET", f"/v1/contacts/{member['id']}").status == 200
    assert _groups_of(client, member["id"]) == set()
    assert api.request("DELETE", f"/v1/groups/{group['id']}").status == 404
    leftovers = client.scan(TableName=TABLE_NAME)["Items"]
    assert {deserialize(item)["SK"].split("#")[0] for item in leftovers} == {"CONTACT", "USERNAME"}


def test_another_owner_sees_no_group_and_cannot_use_one(api: ApiClient) -> None:
    member = api.new_contact()
    group = api.new_group(members=[member["id"]])
    path = f"/v1/groups/{group['id']}"

    assert api.request("GET", path, owner="bob").status == 404
    assert api.request("PUT", path, owner="bob", json_body={"name": "mine"}).status == 404
    assert api.request("DELETE", path, owner="bob").status == 404
    assert api.request("GET", "/v1/groups", owner="bob").json()["data"] == []
    opened = api.request("POST", "/v1/conversations", owner="bob", json_body={"group_id": group["id"]})
    assert opened.status == 400 and "group_id" in opened.json()["message"]
    cursor = api.request("GET", "/v1/groups", owner="bob", query={"starting_after": group["id"]})
    assert cursor.status == 200 and cursor.json()["data"] == []
    assert api.request("GET", path).json()["name"] == group["name"]
