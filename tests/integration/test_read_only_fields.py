"""A body that names a field the request cannot write is a 400 saying so, by name: `<field> cannot be
changed` on an update, `<field> cannot be set on create` on a create. Nothing is written. A name
that is no field at all is still an unknown parameter."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.test_errors import assert_error
from tests.support import ApiClient

ID = "WAz8eIbvDR60rouK"
URL = "http://127.0.0.1:9/hooks"
REACTIONS = {"smile": ["KateMcCallister"]}

# (resource, field, a value of the field's type): what each update refuses.
UPDATE_READ_ONLY = [
    ("conversation", "id", ID),
    ("conversation", "contact_id", ID),
    ("conversation", "group_id", ID),
    ("conversation", "last_active_at", 705103200),
    ("conversation", "last_opened_at", 705103200),
    ("conversation", "created_at", 692233200),
    ("message", "id", ID),
    ("message", "conversation_id", ID),
    ("message", "contact", {"id": ID}),
    ("message", "contact_id", ID),
    ("message", "created_at", 692233200),
    ("message", "updated_at", 705103200),
    ("group", "id", ID),
    ("group", "conversation_id", ID),
    ("group", "created_at", 692233200),
]
# What each create refuses. Webhooks have no update.
CREATE_READ_ONLY = [
    ("conversation", "id", ID),
    ("conversation", "pinned_message_id", ID),
    ("conversation", "is_pinned", True),
    ("conversation", "is_muted", True),
    ("conversation", "last_active_at", 705103200),
    ("conversation", "last_opened_at", 705103200),
    ("conversation", "created_at", 692233200),
    ("conversation", "archived_at", 705103200),
    ("message", "id", ID),
    ("message", "contact", {"id": ID}),
    ("message", "reactions", REACTIONS),
    ("message", "read_at", 705103200),
    ("message", "created_at", 692233200),
    ("message", "updated_at", 705103200),
    ("webhook", "id", ID),
    ("webhook", "created_at", 692233200),
    ("webhook", "secret", "whsec_mine"),
    ("group", "id", ID),
    ("group", "conversation_id", ID),
    ("group", "created_at", 692233200),
    ("group", "archived_at", 705103200),
]
# A field each resource's update can change.
WRITABLE: dict[str, dict[str, Any]] = {
    "conversation": {"is_muted": True},
    "message": {"message": "edited"},
    "group": {"name": "The Plaza"},
}
ENCODINGS = ["json", "form"]


def _form(fields: dict[str, Any]) -> dict[str, str]:
    """The fields as the reference's curl would send them: lists and reactions in brackets; an
    object, which a form cannot carry, as its id. One item per list is enough here."""
    form: dict[str, str] = {}
    for name, value in fields.items():
        if isinstance(value, dict):
            key, inner = next(iter(value.items()))
            if isinstance(inner, list):
                form[f"{name}[{key}][]"] = inner[0]
            else:
                form[name] = inner
        elif isinstance(value, list):
            form[f"{name}[]"] = value[0]
        elif isinstance(value, bool):
            form[name] = str(value).lower()
        else:
            form[name] = str(value)
    return form


def _send(api: ApiClient, method: str, path: str, fields: dict[str, Any], encoding: str) -> Any:
    if encoding == "json":
        return api.request(method, path, json_body=fields)
    return api.request(method, path, form=_form(fields))


def _conversation_as_listed(api: ApiClient, conversation_id: str) -> Any:
    # Listed, not retrieved: a retrieve records an open, which changes last_opened_at.
    listed = api.request("GET", "/v1/conversations").json()["data"]
    return next(c for c in listed if c["id"] == conversation_id)


def _message_as_stored(api: ApiClient, message_id: str) -> tuple[Any, str | None]:
    response = api.request("GET", f"/v1/messages/{message_id}")
    return response.json(), response.header("ETag")


@pytest.fixture
def conversation_id(api: ApiClient) -> str:
    return str(api.create()["id"])


def _existing(api: ApiClient, resource: str, conversation_id: str) -> tuple[str, Callable[[], Any]]:
    """An object of `resource` to update: its path, and how to read it without changing it."""
    if resource == "conversation":
        return f"/v1/conversations/{conversation_id}", lambda: _conversation_as_listed(api, conversation_id)
    if resource == "group":
        path = f"/v1/groups/{api.new_group()['id']}"
        return path, lambda: (api.request("GET", path).json(), api.request("GET", path).header("ETag"))
    message_id = str(api.send(conversation_id)["id"])
    return f"/v1/messages/{message_id}", lambda: _message_as_stored(api, message_id)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(("resource", "field", "value"), UPDATE_READ_ONLY)
def test_an_update_says_a_read_only_field_cannot_be_changed(
    api: ApiClient, conversation_id: str, resource: str, field: str, value: Any, encoding: str
) -> None:
    # Given an object, as it is stored
    path, read = _existing(api, resource, conversation_id)
    before = read()

    # When an update sends one of its read-only fields, beside a field it can change
    response = _send(api, "PUT", path, {**WRITABLE[resource], field: value}, encoding)

    # Then it is a 400 naming the field, and nothing changed
    assert_error(response, 400)
    assert response.json()["message"] == f"{field} cannot be changed"
    assert read() == before


def _create_body(api: ApiClient, resource: str, conversation_id: str) -> tuple[str, dict[str, Any]]:
    if resource == "conversation":
        return "/v1/conversations", {"contact_id": api.new_contact()["id"]}
    if resource == "group":
        return "/v1/groups", {"name": "Plaza Hotel"}
    if resource == "message":
        return "/v1/messages", {"conversation_id": conversation_id, "message": "hi"}
    return "/v1/webhooks", {"name": "app", "url": URL, "events": ["*"]}


def _all_listed(api: ApiClient) -> dict[str, Any]:
    paths = ("/v1/conversations", "/v1/messages", "/v1/webhooks", "/v1/groups")
    return {path: api.request("GET", path).json() for path in paths}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(("resource", "field", "value"), CREATE_READ_ONLY)
def test_a_create_says_a_read_only_field_cannot_be_set(
    api: ApiClient, conversation_id: str, resource: str, field: str, value: Any, encoding: str
) -> None:
    # Given a body that would create the object
    path, body = _create_body(api, resource, conversation_id)
    before = _all_listed(api)

    # When it also sends a field of the object the client cannot set
    response = _send(api, "POST", path, {**body, field: value}, encoding)

    # Then it is a 400 naming the field, and nothing was created
    assert_error(response, 400)
    assert response.json()["message"] == f"{field} cannot be set on create"
    assert _all_listed(api) == before


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("resource", ["conversation", "message", "webhook", "group"])
def test_a_create_still_calls_a_name_that_is_no_field_unknown(
    api: ApiClient, conversation_id: str, resource: str, encoding: str
) -> None:
    path, body = _create_body(api, resource, conversation_id)
    before = _all_listed(api)

    response = _send(api, "POST", path, {**body, "colour": "red"}, encoding)

    assert_error(response, 400)
    assert response.json()["message"] == "Received unknown parameter: colour"
    assert _all_listed(api) == before


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("resource", ["conversation", "message", "group"])
def test_an_update_still_calls_a_name_that_is_no_field_unknown(
    api: ApiClient, conversation_id: str, resource: str, encoding: str
) -> None:
    path, read = _existing(api, resource, conversation_id)
    before = read()

    response = _send(api, "PUT", path, {**WRITABLE[resource], "colour": "red"}, encoding)

    assert_error(response, 400)
    assert response.json()["message"] == "Received unknown parameter: colour"
    assert read() == before


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("resource", ["conversation", "message", "webhook", "group"])
def test_the_bodies_above_alone_are_accepted(
    api: ApiClient, conversation_id: str, resource: str, encoding: str
) -> None:
    # So the 400s above come from the read-only field, and nothing else in the body.
    path, body = _create_body(api, resource, conversation_id)
    assert _send(api, "POST", path, body, encoding).status == 201
    if resource != "webhook":
        path, _ = _existing(api, resource, conversation_id)
        assert _send(api, "PUT", path, WRITABLE[resource], encoding).status == 200
