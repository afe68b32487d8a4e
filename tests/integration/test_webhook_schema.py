"""The webhooks section of openapi.json is what a receiver really gets: real deliveries of every
event type, made by the pipeline, validate against their event's documented body and headers."""

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator

from clarity.webhooks.models import EventType
from devtools.loopback_receiver import Delivered
from devtools.template import ROOT
from tests.webhook_support import WebhookWorld, receiver, webhook_world

DOCUMENT: dict[str, Any] = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))


def _closed(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every object schema closed: a field sent but not documented fails too."""
    closed = copy.deepcopy(document)
    stack: list[Any] = [closed]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                node.setdefault("additionalProperties", False)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return closed


CLOSED = _closed(DOCUMENT)


def _body_errors(event_type: str, body: Any) -> list[str]:
    operation = CLOSED["webhooks"][event_type]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    # The document is the root, so "#/components/schemas/..." resolves inside it.
    validator = OAS31Validator({**schema, "components": CLOSED["components"]})
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(body)]


def _header_errors(event_type: str, request: Delivered) -> list[str]:
    parameters = DOCUMENT["webhooks"][event_type]["post"]["parameters"]
    documented = {parameter["name"].lower() for parameter in parameters}
    errors = [f"{name} is sent but not documented" for name in request.headers if name.startswith("x-clarity-")]
    errors = [error for error in errors if error.split()[0] not in documented]
    for parameter in parameters:
        value = request.headers.get(parameter["name"].lower())
        if value is None:
            if parameter["required"]:
                errors.append(f"{parameter['name']} is documented but not sent")
            continue
        errors += [f"{parameter['name']}: {e.message}" for e in OAS31Validator(parameter["schema"]).iter_errors(value)]
    return errors


@pytest.fixture
def world() -> Iterator[WebhookWorld]:
    with webhook_world() as started:
        yield started


def test_every_event_type_delivered_matches_its_documented_body_and_headers(world: WebhookWorld) -> None:
    # Given a receiver of every event type
    with receiver() as target:
        world.register(target.url, events=["*"])
        api = world.api

        # When a client creates, changes and deletes a conversation and a message
        conversation = api.create()
        path = f"/v1/conversations/{conversation['id']}"
        assert api.request("PUT", path, json_body={"is_muted": True, "archived_at": 705103200}).status == 200
        message = api.send(conversation["id"], "first", contact_id=conversation["contact_id"])
        reactions = {"reactions": [{"smile": ["KateMcCallister"]}], "read_at": 705103200}
        assert api.request("PUT", f"/v1/messages/{message['id']}", json_body=reactions).status == 200
        assert api.request("PUT", path, json_body={"pinned_message_id": message["id"]}).status == 200
        assert api.request("DELETE", path).status == 204
        # ... and a contact
        contact = api.request("POST", "/v1/contacts", json_body={"username": "frank", "phone_number": "1-800-759-3000"})
        contact_path = f"/v1/contacts/{contact.json()['id']}"
        assert api.request("PUT", contact_path, json_body={"display_name": "UncleFrank"}).status == 200
        assert api.request("DELETE", contact_path).status == 204
        # ... and a group, its members changed, and a member deleted (a message's sender gone)
        member = api.new_contact()
        group = api.new_group(members=[member["id"]])
        api.send(group["conversation_id"], "from a member", contact_id=member["id"])
        assert api.request("PUT", f"/v1/groups/{group['id']}", json_body={"contacts": []}).status == 200
        assert api.request("DELETE", f"/v1/groups/{group['id']}").status == 204
        # ... and an attachment: uploaded, renamed, sent in a message (its payload's files) and deleted
        attachment = api.upload(b"%PDF").json()
        path = f"/v1/attachments/{attachment['id']}"
        assert api.request("PUT", path, json_body={"filename": "renamed.pdf"}).status == 200
        api.send(api.create()["id"], "with a file", attachments=[attachment["id"]])
        assert api.request("DELETE", path).status == 204
        world.settle()

    # Then each request is its event's documented body, with its documented headers
    received = [(json.loads(request.body), request) for request in target.requests]
    assert {body["type"] for body, _ in received} == {event.value for event in EventType}
    for body, request in received:
        assert _body_errors(body["type"], body) == [], body
        assert _header_errors(body["type"], request) == [], request.headers


def test_a_body_that_differs_from_the_document_is_caught() -> None:
    # The checks above can fail: an extra field, a missing one, a wrong type.
    payload: dict[str, Any] = {
        "id": "1xXXRW8OPC9u4Ahm",
        "conversation_id": "1xXXRW7KpsJhDNis",
        "contact": None,
        "message": "Hi!",
        "reactions": [],
        "attachments": [],
        "read_at": None,
        "created_at": 1795930038,
        "updated_at": None,
    }
    envelope = {"id": "1xXXRWb8wd46UsO6", "type": "message.deleted", "created_at": 1795930038, "payload": payload}
    assert _body_errors("message.deleted", envelope) == []
    assert _body_errors("message.created", envelope) != []
    assert _body_errors("message.deleted", {**envelope, "data": {}}) != []
    assert _body_errors("message.deleted", {**envelope, "payload": {**payload, "pinned": True}}) != []
    without_read_at = {key: value for key, value in payload.items() if key != "read_at"}
    assert _body_errors("message.deleted", {**envelope, "payload": without_read_at}) != []
    assert _body_errors("message.deleted", {**envelope, "created_at": "now"}) != []
