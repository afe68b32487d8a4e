"""Contacts and groups stored straight through their repositories, for tests below the HTTP
layer: a conversation's contact or group must exist before the conversation opens."""

import itertools

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
