"""Contacts and groups stored straight through their repositories, for tests below the HTTP
layer: a conversation's contact or group must exist before the conversation opens."""

import itertools
from collections.abc import Sequence
from typing import Any

from clarity.contacts.models import Contact
from clarity.contacts.repository import ContactRepository
from clarity.store.dynamodb import Table

_numbers = itertools.count(1)


def a_contact(table: Table, owner: str, contact_id: str | None = None, created_at: int = 1_600_000_000) -> Contact:
    """A new contact of `owner`, under `contact_id` or a fresh one, with a username of its own."""
    number = next(_numbers)
    contact = Contact(
        id=contact_id or f"Contact{number:09d}",
        username=f"contact-{number}",
        phone_number="+14155550100",
        avatar_url=None,
        display_name=None,
        conversation_id=None,
        last_active_at=None,
        created_at=created_at,
    )
    ContactRepository(table).create(owner, contact)
    return contact


def new_contact(api: Any, owner: str = "alice", **fields: Any) -> dict[str, Any]:
    """A contact of `owner` made through the API, with a username of its own."""
    body = {"username": f"person-{next(_numbers)}", "phone_number": "+14155550100", **fields}
    response = api.request("POST", "/v1/contacts", owner=owner, json_body=body)
    assert response.status == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def new_group(api: Any, owner: str = "alice", members: Sequence[str] = (), **fields: Any) -> dict[str, Any]:
    """A group of `owner` made through the API, with these member contact ids."""
    body = {"name": f"group {next(_numbers)}", "contacts": list(members), **fields}
    response = api.request("POST", "/v1/groups", owner=owner, json_body=body)
    assert response.status == 201, response.text
    created: dict[str, Any] = response.json()
    return created
