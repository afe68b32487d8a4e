"""An event's payload is the object as the API returns it: a message with its sender and a group
with its members, as they are when the event is made (one read for them)."""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from clarity.attachments.repository import stored_attachments, to_stored
from clarity.contacts.repository import ContactRepository, to_contact
from clarity.conversations.repository import to_conversation
from clarity.groups.repository import GroupRepository, to_stored_group
from clarity.messages.repository import attachment_ids_of, senders_of, to_message
from clarity.store.dynamodb import Table


class Payloads:
    def __init__(self, table: Table) -> None:
        self._table = table
        self._contacts = ContactRepository(table)
        self._groups = GroupRepository(table)

    def resource(self, kind: str, owner: str, image: Mapping[str, Any]) -> BaseModel:
        """The object a stored item (a stream image) is, as the API answers it."""
        if kind == "conversation":
            return to_conversation(image)
        if kind == "contact":
            return to_contact(image)
        if kind == "message":
            senders = senders_of([image])
            # Without links: one that expires in an hour does not belong in a queued event.
            files = stored_attachments(self._table, owner, attachment_ids_of([image]))
            answers = {attachment_id: stored.answer(None) for attachment_id, stored in files.items()}
            return to_message(image, self._contacts.by_ids(owner, senders) if senders else {}, answers)
        if kind == "group":
            return self._groups.answer(owner, [to_stored_group(image)])[0]
        if kind == "attachment":
            return to_stored(image).answer(None)  # no link: it would expire in the queue
        raise ValueError(f"no payload for {kind}")
