"""Every status openapi.json declares for an operation, that operation answers: one case per
(operation, status), each made to happen through the functions as API Gateway calls them.

A status declared but never answered would be a promise a generated client codes against for
nothing; a new status in the document fails here until a case shows how it happens."""

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devtools.routing import Router
from devtools.template import ROOT
from tests.support import ApiClient, ApiResponse, installed_services, moto_table

DOCUMENT = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
OPERATIONS = {
    operation["operationId"]: (method.upper(), path, operation)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
}
CASES = [
    (operation_id, status)
    for operation_id, (_, _, operation) in OPERATIONS.items()
    for status in sorted(operation["responses"])
]
NO_SUCH_ID = "0000000000000000"
URL = "http://127.0.0.1:9/hooks"


@dataclass
class World:
    """The API on moto, with one of each resource to name in paths and bodies."""

    api: ApiClient
    client: Any
    conversation_id: str
    message_id: str
    webhook_id: str
    contact_id: str
    group_id: str
    attachment_id: str
    usernames: Iterator[str] = field(default_factory=lambda: (f"user{n}" for n in itertools.count()))

    def path(self, template: str, resource_id: str | None = None) -> str:
        ids = {
            "{conversation_id}": self.conversation_id,
            "{message_id}": self.message_id,
            "{webhook_id}": self.webhook_id,
            "{contact_id}": self.contact_id,
            "{group_id}": self.group_id,
            "{attachment_id}": self.attachment_id,
        }
        for placeholder, own_id in ids.items():
            template = template.replace(placeholder, resource_id or own_id)
        return template

    def valid_body(self, operation_id: str) -> Any:
        if operation_id == "createConversation":
            # A contact has one conversation: each create opens one with another contact.
            return {"contact_id": self.api.new_contact()["id"]}
        return {
            "updateConversation": {"is_muted": True},
            "createMessage": {"conversation_id": self.conversation_id, "message": "hi"},
            "updateMessage": {"message": "edited"},
            "createWebhook": {"name": "app", "url": URL, "events": ["*"]},
            # A contact's username is unique: each create names another.
            "createContact": {"username": next(self.usernames), "phone_number": "1-800-759-3000"},
            "updateContact": {"display_name": "UncleFrank"},
            "createGroup": {"name": "Plaza Hotel", "contacts": [self.contact_id]},
            "updateGroup": {"description": "The finest in New York."},
            # A direct upload: JSON, as every other create (a multipart one: test_attachments_api).
            "createAttachment": {"filename": "invoice.pdf", "file_size": 3},
            "updateAttachment": {"filename": "renamed.pdf"},
        }.get(operation_id)

    def call(self, operation_id: str, **changes: Any) -> ApiResponse:
        """The operation as a client would call it successfully, with `changes` applied."""
        method, template, _ = OPERATIONS[operation_id]
        arguments: dict[str, Any] = dict(changes)
        if "json_body" not in arguments:
            arguments["json_body"] = self.valid_body(operation_id)
        path = self.path(template, arguments.pop("resource_id", None))
        return self.api.request(method, path, **arguments)


class FailingClient:
    """A DynamoDB client every API call of which fails with `error`."""

    def __init__(self, client: Any, code: str) -> None:
        self._client = client
        self._code = code

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in self._client.meta.method_to_api_mapping:
            return attribute

        def fail(**_: Any) -> Any:
            raise ClientError({"Error": {"Code": self._code, "Message": "injected"}}, name)

        return fail


@pytest.fixture
def world() -> Iterator[World]:
    with moto_table() as client, installed_services(client):
        api = ApiClient(Router())
        conversation_id = api.create()["id"]
        message_id = api.send(conversation_id)["id"]
        webhook = api.request("POST", "/v1/webhooks", json_body={"name": "app", "url": URL, "events": ["*"]})
        contact = api.request(
            "POST", "/v1/contacts", json_body={"username": "frank", "phone_number": "+1 800 759 3000"}
        )
        group = api.new_group(members=[contact.json()["id"]])
        attachment = api.upload(b"%PDF")
        yield World(
            api,
            client,
            conversation_id,
            message_id,
            webhook.json()["id"],
            contact.json()["id"],
            group["id"],
            attachment.json()["id"],
        )


def _failing(world: World, code: str) -> Callable[[str], ApiResponse]:
    def call(operation_id: str) -> ApiResponse:
        body = world.valid_body(operation_id)  # made while DynamoDB still answers
        with installed_services(FailingClient(world.client, code)):
            return world.call(operation_id, json_body=body)

    return call


def _conflicting_retry(world: World, operation_id: str) -> ApiResponse:
    first = world.call(operation_id, headers={"Idempotency-Key": "k-1"})
    assert first.status == 201, first.text
    other_body = {**world.valid_body(operation_id)}
    other_body[next(iter(other_body))] = {
        "createConversation": "Another00Contact",
        "createMessage": world.conversation_id,
        "createWebhook": "another name",
        "createContact": "another",
        "createGroup": "another name",
        "createAttachment": "another.pdf",
    }[operation_id]
    if operation_id == "createMessage":
        other_body["message"] = "another text"
    return world.call(operation_id, json_body=other_body, headers={"Idempotency-Key": "k-1"})


def _succeeded(world: World, operation_id: str) -> ApiResponse:
    """200 from a create is a repeat open: the contact's conversation is there already."""
    if operation_id == "createConversation":
        opened = world.call(operation_id)
        return world.call(operation_id, json_body={"contact_id": opened.json()["contact_id"]})
    return world.call(operation_id)


RECIPES: dict[str, Callable[[World, str], ApiResponse]] = {
    "200": _succeeded,
    "201": lambda world, operation_id: world.call(operation_id),
    "204": lambda world, operation_id: world.call(operation_id),
    "400": lambda world, operation_id: world.call(operation_id, query={"unknown_parameter": "1"}),
    "401": lambda world, operation_id: world.call(operation_id, owner=None),
    "404": lambda world, operation_id: world.call(operation_id, resource_id=NO_SUCH_ID),
    "409": _conflicting_retry,
    "412": lambda world, operation_id: world.call(operation_id, headers={"If-Match": '"99"'}),
    "413": lambda world, operation_id: world.call(
        operation_id, json_body=None, body=json.dumps({"message": "x" * 70_000}).encode()
    ),
    "415": lambda world, operation_id: world.call(
        operation_id, json_body=None, body=b"hi", headers={"Content-Type": "text/plain"}
    ),
    "500": lambda world, operation_id: _failing(world, "AccessDeniedException")(operation_id),
    "503": lambda world, operation_id: _failing(world, "ThrottlingException")(operation_id),
}


@pytest.mark.parametrize(("operation_id", "status"), CASES, ids=[f"{op}-{status}" for op, status in CASES])
def test_every_declared_status_can_be_produced(world: World, operation_id: str, status: str) -> None:
    assert status in RECIPES, f"{operation_id} declares {status}: add a case that produces it"

    response = RECIPES[status](world, operation_id)

    assert response.status == int(status), response.text
    if int(status) >= 400 and status != "401":
        assert set(response.json()) >= {"type", "message", "documentation_url"}


def test_every_operation_is_covered() -> None:
    assert len(OPERATIONS) == 29
    assert len(CASES) >= 29 * 5
