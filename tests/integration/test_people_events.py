"""Contacts' and groups' change events, and what links and cascades fire: each payload is the
object as the API returns it when the event is made, and a change that moves no ETag fires
nothing."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.webhook_support import Receiver, WebhookWorld, receiver, webhook_world


@pytest.fixture
def world() -> Iterator[WebhookWorld]:
    with webhook_world() as started:
        yield started


def _events(target: Receiver) -> list[tuple[str, dict[str, Any], str]]:
    return [
        (
            json.loads(request.body)["type"],
            json.loads(request.body)["payload"],
            request.headers["x-clarity-object-etag"],
        )
        for request in target.requests
    ]


def test_a_contacts_life_fires_its_events_and_its_links_move_its_etag(world: WebhookWorld) -> None:
    api = world.api
    with receiver() as target:
        world.register(target.url, events=["*"])
        contact = api.new_contact()
        opened = api.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]}).json()
        api.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]})  # a repeat: nothing
        sent = api.send(opened["id"], contact_id=contact["id"])  # moves last_active_at: no contact event
        linked = api.request("GET", f"/v1/contacts/{contact['id']}").json()
        # Events are made from the stream, reading senders as they are then: before the delete here.
        world.settle()
        api.request("DELETE", f"/v1/contacts/{contact['id']}")
        world.settle()

    events = _events(target)
    assert [(kind, etag) for kind, _, etag in events] == [
        ("contact.created", '"1"'),
        ("conversation.created", '"1"'),
        ("contact.updated", '"2"'),
        ("message.created", '"1"'),
        ("contact.deleted", '"2"'),
        ("conversation.deleted", '"1"'),
        ("message.deleted", '"1"'),
    ]
    payloads = {kind: payload for kind, payload, _ in events}
    assert payloads["contact.created"] == contact
    assert payloads["contact.updated"]["conversation_id"] == opened["id"]
    assert payloads["message.created"] == sent and sent["contact"]["id"] == contact["id"]
    assert payloads["contact.deleted"] == linked
    # By the time the cascade's message event is made, its sender is gone.
    assert payloads["message.deleted"]["contact"] == {"id": contact["id"], "deleted": True}


def test_a_groups_life_fires_its_events_and_a_members_rename_fires_none_for_it(world: WebhookWorld) -> None:
    api = world.api
    first, second = api.new_contact(), api.new_contact()
    world.settle()  # their events go before any webhook exists
    with receiver() as target:
        world.register(target.url, events=["*"])
        group = api.new_group(members=[first["id"]])
        path = f"/v1/groups/{group['id']}"
        members = api.request("PUT", path, json_body={"contacts": [first["id"], second["id"]]}).json()
        world.settle()  # members are read when the event is made: before the delete here
        api.request("PUT", f"/v1/contacts/{first['id']}", json_body={"display_name": "UncleFrank"})
        api.request("DELETE", f"/v1/contacts/{second['id']}")
        after_delete = api.request("GET", path).json()
        api.request("DELETE", path)
        world.settle()

    events = _events(target)
    kinds = [(kind, etag) for kind, _, etag in events]
    assert kinds == [
        ("group.created", '"1"'),
        ("conversation.created", '"1"'),
        ("group.updated", '"2"'),
        ("contact.updated", '"2"'),
        ("contact.deleted", '"1"'),
        ("group.updated", '"3"'),
        ("group.deleted", '"3"'),
        ("conversation.deleted", '"1"'),
    ]
    payloads = [payload for _, payload, _ in events]
    assert payloads[0]["id"] == group["id"] and payloads[0]["conversation_id"] == group["conversation_id"]
    assert [c["id"] for c in payloads[2]["contacts"]] == [c["id"] for c in members["contacts"]]
    assert payloads[5]["contacts"] == after_delete["contacts"]
    assert [c["id"] for c in after_delete["contacts"]] == [first["id"]]
