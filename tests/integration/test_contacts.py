"""Contacts: the five endpoints, every rule of their fields, paging both ways, isolation, and the
transaction paths moto cannot take (Stubber)."""

from typing import Any

import pytest
from botocore.stub import Stubber

from clarity.contacts.models import Contact
from clarity.contacts.repository import ContactRepository
from clarity.contacts.service import ContactService
from clarity.core.clock import Clock
from clarity.core.errors import Conflict, InvalidRequest, NotFound, PreconditionFailed
from clarity.core.ids import IdTaken
from clarity.store.dynamodb import Table, serialize
from tests.integration.conftest import Clock as FakeClock
from tests.support import NO_REASON, ApiClient, cancel_transaction, failed_check

CONTACTS = "/v1/contacts"
FRANK = {
    "username": "FrankMcCallister",
    "phone_number": "1-800-759-3000",
    "avatar_url": "https://assets.clarityapp.ai/avatars/frank.jpg",
}
FIELDS = {
    "id",
    "username",
    "phone_number",
    "avatar_url",
    "display_name",
    "conversation_id",
    "last_active_at",
    "created_at",
}


def _add(api: ApiClient, owner: str = "alice", **fields: Any) -> dict[str, Any]:
    response = api.request("POST", CONTACTS, owner=owner, json_body={**FRANK, **fields})
    assert response.status == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _error(response: Any, status: int) -> str:
    assert response.status == status, response.text
    message: str = response.json()["message"]
    return message


def test_the_references_create_example_answers_201_with_the_eight_fields(api: ApiClient, clock: FakeClock) -> None:
    # curl .../v1/contacts -d username="FrankMcCallister" -d phone_number="1-800-759-3000" -d avatar_url=...
    response = api.request("POST", CONTACTS, form=FRANK)

    assert response.status == 201, response.text
    created = response.json()
    assert set(created) == FIELDS
    assert created == {
        **FRANK,
        "id": created["id"],
        "display_name": None,
        "conversation_id": None,
        "last_active_at": None,
        "created_at": clock.now,
    }
    assert response.header("Location") == f"{CONTACTS}/{created['id']}"
    assert response.header("ETag") == '"1"'
    assert api.request("GET", f"{CONTACTS}/{created['id']}").json() == created


@pytest.mark.parametrize(
    "number", ["1-800-759-3000", "(212) 555-0100", "+44 20 7946 0958", "+1 800 759 3000 ext. 5", "1-800-FLOWERS"]
)
def test_a_possible_phone_number_is_kept_exactly_as_sent(api: ApiClient, number: str) -> None:
    assert _add(api, username="u", phone_number=number)["phone_number"] == number


@pytest.mark.parametrize("number", ["12", "abc", "+999 1234", "+1 800", "020 7946 0958 0958 0958", " ", "1\n800"])
def test_anything_else_is_a_400_naming_phone_number(api: ApiClient, number: str) -> None:
    response = api.request("POST", CONTACTS, json_body={**FRANK, "phone_number": number})

    assert "phone_number" in _error(response, 400)
    assert api.request("GET", CONTACTS).json()["data"] == []


def test_a_number_without_a_plus_is_read_in_the_configured_region(api_and_table: tuple[ApiClient, Any]) -> None:
    # A London number written as Londoners write it: possible in GB, not in the US.
    _, client = api_and_table
    table = Table(client, "conversations-test")
    in_gb = ContactService(ContactRepository(table), Clock(), phone_region="GB")
    in_us = ContactService(ContactRepository(table), Clock(), phone_region="US")
    london = {"username": "london", "phone_number": "020 7946 0958"}

    from clarity.contacts.models import CreateContactRequest  # noqa: PLC0415

    assert in_gb.create("alice", CreateContactRequest(**london)).resource.phone_number == "020 7946 0958"
    with pytest.raises(InvalidRequest) as refused:
        in_us.create("bob", CreateContactRequest(**london))
    assert refused.value.param == "phone_number"


@pytest.mark.parametrize("username", ["", "a" * 65, "frank mc", "frank@home", "frånk", "frank\n"])
def test_a_username_outside_its_alphabet_or_length_is_a_400_naming_it(api: ApiClient, username: str) -> None:
    response = api.request("POST", CONTACTS, json_body={**FRANK, "username": username})

    assert "username" in _error(response, 400)


def test_a_username_of_64_allowed_characters_is_taken(api: ApiClient) -> None:
    username = ("Ab9_.-" * 11)[:64]
    assert _add(api, username=username)["username"] == username


def test_a_second_contact_with_the_same_username_in_any_case_is_a_409_naming_the_first(api: ApiClient) -> None:
    first = _add(api)

    response = api.request("POST", CONTACTS, json_body={**FRANK, "username": "frankmccallister"})

    message = _error(response, 409)
    assert "username" in message
    assert first["id"] in message
    assert [c["id"] for c in api.request("GET", CONTACTS).json()["data"]] == [first["id"]]


def test_another_owner_may_use_the_same_username(api: ApiClient) -> None:
    mine, theirs = _add(api), _add(api, owner="bob")

    assert mine["username"] == theirs["username"]
    assert api.request("GET", f"{CONTACTS}/{mine['id']}", owner="bob").status == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("avatar_url", "ftp://assets.example/frank.jpg"),
        ("avatar_url", "/avatars/frank.jpg"),
        ("avatar_url", "https://"),
        ("avatar_url", "https://example.com/" + "a" * 2030),
        ("avatar_url", "https://example.com/a b"),
        ("display_name", ""),
        ("display_name", "x" * 101),
        ("username", None),
        ("phone_number", 18007593000),
    ],
)
def test_bad_fields_are_400s_naming_them(api: ApiClient, field: str, value: Any) -> None:
    response = api.request("POST", CONTACTS, json_body={**FRANK, field: value})

    assert field in _error(response, 400)


def test_an_avatar_url_of_2048_characters_and_a_display_name_are_kept(api: ApiClient) -> None:
    url = "https://example.com/" + "a" * (2048 - len("https://example.com/"))
    created = _add(api, avatar_url=url, display_name="Uncle Frank")

    assert (created["avatar_url"], created["display_name"]) == (url, "Uncle Frank")


def test_display_name_is_the_one_field_an_update_changes_and_null_resets_it(api: ApiClient) -> None:
    contact = _add(api)
    path = f"{CONTACTS}/{contact['id']}"

    # curl -X PUT .../v1/contacts/WAz8eIbvDR60rouK -d display_name="UncleFrank"
    renamed = api.request("PUT", path, form={"display_name": "UncleFrank"})
    assert renamed.status == 200, renamed.text
    assert renamed.json() == {**contact, "display_name": "UncleFrank"}
    assert renamed.header("ETag") == '"2"'

    reset = api.request("PUT", path, json_body={"display_name": None}, headers={"If-Match": '"2"'})
    assert (reset.status, reset.json()["display_name"], reset.header("ETag")) == (200, None, '"3"')


@pytest.mark.parametrize("field", ["username", "phone_number", "avatar_url", "conversation_id", "id", "created_at"])
def test_an_update_of_any_other_field_is_a_400_naming_it(api: ApiClient, field: str) -> None:
    contact = _add(api)
    path = f"{CONTACTS}/{contact['id']}"

    response = api.request("PUT", path, json_body={field: "x"})

    assert _error(response, 400) == f"{field} cannot be changed"
    assert api.request("GET", path).json() == contact


def test_an_empty_update_a_stale_if_match_and_a_missing_contact(api: ApiClient) -> None:
    contact = _add(api)
    path = f"{CONTACTS}/{contact['id']}"

    assert "display_name" in _error(api.request("PUT", path, json_body={}), 400)
    stale = api.request("PUT", path, json_body={"display_name": "x"}, headers={"If-Match": '"5"'})
    assert "has changed" in _error(stale, 412)
    missing = api.request("PUT", f"{CONTACTS}/A000000000000000", json_body={"display_name": "x"})
    _error(missing, 404)
    assert api.request("GET", path).json() == contact


def test_delete_answers_204_then_404_and_frees_the_username(api: ApiClient) -> None:
    contact = _add(api)
    path = f"{CONTACTS}/{contact['id']}"

    assert "has changed" in _error(api.request("DELETE", path, headers={"If-Match": '"2"'}), 412)
    assert api.request("DELETE", path, headers={"If-Match": '"1"'}).status == 204
    _error(api.request("GET", path), 404)
    _error(api.request("DELETE", path), 404)
    assert _add(api)["id"] != contact["id"]


def test_the_list_pages_newest_first_both_ways_with_exact_has_more(api: ApiClient, clock: FakeClock) -> None:
    ids = []
    for number in range(7):
        ids.append(_add(api, username=f"c{number}")["id"])
        if number % 2:
            clock.tick()
    newest_first = ids[::-1]

    def page(**query: Any) -> tuple[list[str], bool]:
        body = api.request("GET", CONTACTS, query=query).json()
        return [c["id"] for c in body["data"]], body["has_more"]

    assert page() == (newest_first, False)
    assert page(limit=3) == (newest_first[:3], True)
    assert page(limit=3, starting_after=newest_first[2]) == (newest_first[3:6], True)
    assert page(limit=3, starting_after=newest_first[5]) == (newest_first[6:], False)
    assert page(limit=3, ending_before=newest_first[3]) == (newest_first[:3], False)
    assert page(limit=2, ending_before=newest_first[4]) == (newest_first[2:4], True)
    # active=false is every contact, until conversations name them; active=true none
    assert page(active="false", limit=3, starting_after=newest_first[2]) == (newest_first[3:6], True)
    assert page(active="true") == ([], False)


@pytest.mark.parametrize("query", [{"active": "TRUE"}, {"active": "yes"}, {"limit": "0"}, {"actve": "true"}])
def test_bad_list_parameters_are_400s(api: ApiClient, query: dict[str, str]) -> None:
    _error(api.request("GET", CONTACTS, query=query), 400)


def test_contacts_are_isolated_by_owner(api: ApiClient) -> None:
    contact = _add(api)
    path = f"{CONTACTS}/{contact['id']}"

    for method, body in (("GET", None), ("PUT", {"display_name": "x"}), ("DELETE", None)):
        assert api.request(method, path, owner="bob", json_body=body).status == 404
    assert api.request("GET", CONTACTS, owner="bob").json()["data"] == []
    cursor = api.request("GET", CONTACTS, owner="bob", query={"starting_after": contact["id"]})
    assert cursor.json()["data"] == []
    assert api.request("GET", path).json() == contact


# The transaction paths moto cannot take.


FRANK_CONTACT = Contact(
    id="C000000000000001",
    username="Frank",
    phone_number="1-800-759-3000",
    avatar_url=None,
    display_name=None,
    conversation_id=None,
    last_active_at=None,
    created_at=1_800_000_000,
)


def test_a_taken_username_names_the_contact_that_holds_it(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    cancel_transaction(
        stubber,
        NO_REASON,
        failed_check({"PK": "OWNER#alice", "SK": "USERNAME#frank", "contact_id": "C000000000000009"}),
    )

    with pytest.raises(Conflict, match="C000000000000009"):
        ContactRepository(table).create("alice", FRANK_CONTACT)


def test_a_taken_contact_id_is_reported_for_a_fresh_draw(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    cancel_transaction(stubber, failed_check(), NO_REASON)

    with pytest.raises(IdTaken):
        ContactRepository(table).create("alice", FRANK_CONTACT)


@pytest.mark.parametrize("meanwhile", ["renamed", "deleted"])
def test_a_delete_tells_a_stale_version_from_a_contact_deleted_meanwhile(
    stubbed: tuple[Table, Stubber], meanwhile: str
) -> None:
    # Read at version 1; the transaction is refused; read again, the contact is at version 2 or gone.
    table, stubber = stubbed
    stored = {"PK": "OWNER#alice", "SK": "CONTACT#C000000000000001", "version": 1, **FRANK_CONTACT.model_dump()}
    stored = {name: value for name, value in stored.items() if value is not None}
    stubber.add_response("get_item", {"Item": serialize(stored)})
    cancel_transaction(stubber, failed_check(), NO_REASON, NO_REASON)
    if meanwhile == "renamed":
        stubber.add_response("get_item", {"Item": serialize({**stored, "version": 2})})
    else:
        stubber.add_response("get_item", {})  # the contact
        stubber.add_response("get_item", {})  # no removal mark: nobody is part way through its delete

    with pytest.raises(PreconditionFailed if meanwhile == "renamed" else NotFound):
        ContactRepository(table).delete("alice", FRANK_CONTACT.id, expected_version=1)
