"""Every request example of the API reference, with the shape of its documented response."""

from tests.support import ApiClient

SEED_FIELDS = {
    "id",
    "contact_id",
    "group_id",
    "pinned_message_id",
    "is_pinned",
    "is_muted",
    "last_active_at",
    "last_opened_at",
    "created_at",
    "archived_at",
}


def test_create_example_form_body_returns_the_documented_object(api: ApiClient) -> None:
    # curl .../v1/conversations -d 'contact_id'="WAz8eIbvDR60rouK", with a real contact's id for it
    contact_id = api.new_contact()["id"]
    response = api.request("POST", "/v1/conversations", form={"contact_id": contact_id})

    assert response.status == 201
    body = response.json()
    assert set(body) == SEED_FIELDS
    assert body["contact_id"] == contact_id
    assert body["group_id"] is None
    assert body["pinned_message_id"] is None
    assert body["is_pinned"] is False
    assert body["is_muted"] is False
    assert body["last_active_at"] is None
    assert body["last_opened_at"] is None
    assert isinstance(body["created_at"], int)
    assert body["archived_at"] is None
    assert response.header("Location") == f"/v1/conversations/{body['id']}"


def test_list_example_returns_has_more_and_data(api: ApiClient) -> None:
    api.create()
    api.create()
    # curl -G .../v1/conversations -d limit=10
    response = api.request("GET", "/v1/conversations", query={"limit": "10"})

    assert response.status == 200
    body = response.json()
    assert set(body) == {"has_more", "data"}
    assert body["has_more"] is False
    assert len(body["data"]) == 2
    assert all(set(item) == SEED_FIELDS for item in body["data"])


def test_retrieve_example_returns_the_object(api: ApiClient) -> None:
    created = api.create()

    response = api.request("GET", f"/v1/conversations/{created['id']}")

    assert response.status == 200
    assert set(response.json()) == SEED_FIELDS
    assert response.json()["id"] == created["id"]


def test_update_example_mutes_with_a_form_body(api: ApiClient) -> None:
    created = api.create()
    # curl -X PUT .../v1/conversations/:id -d 'is_muted'=true
    response = api.request("PUT", f"/v1/conversations/{created['id']}", form={"is_muted": "true"})

    assert response.status == 200
    body = response.json()
    assert set(body) == SEED_FIELDS
    assert body["is_muted"] is True
    assert body["is_pinned"] is False


def test_delete_example_returns_204_and_the_conversation_is_gone(api: ApiClient) -> None:
    created = api.create()

    response = api.request("DELETE", f"/v1/conversations/{created['id']}")

    assert response.status == 204
    assert response.text == ""
    assert api.request("GET", f"/v1/conversations/{created['id']}").status == 404
