"""Change events, made from the table's stream records (DynamoDB Streams, new and old images).

Events come from the stream, not from the request handlers: a function that dies after its
write still gets its event out, and no write path can forget one.

Which write is which event:
- a conversation, message or contact item inserted: `*.created`;
- modified with a new version (the ETag a client sees changed): `*.updated`. Recording an
  open, or a message moving `last_active_at`, leaves the version, so neither fires one;
- removed: `*.deleted`, with the object as it was last. Messages deleted with their
  conversation fire `message.deleted` too.
Pointers, deletion marks, username claims, webhooks and counts are bookkeeping and fire nothing.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from clarity.contacts.repository import to_contact
from clarity.conversations.repository import to_conversation
from clarity.core.ids import derived_id
from clarity.messages.repository import to_message
from clarity.store import keys
from clarity.store.dynamodb import deserialize, versioned
from clarity.webhooks.models import EventType


class MalformedRecord(ValueError):
    """A stream record this code cannot read: reported as the batch's one failure."""


@dataclass(frozen=True)
class ChangeEvent:
    owner: str
    id: str
    type: EventType
    created_at: int
    payload: dict[str, Any]
    # The object's ETag as the API gives it (for "deleted", its last): receivers order by it.
    etag: str

    def body(self) -> str:
        """The envelope as sent: every attempt of every delivery sends these same bytes."""
        envelope = {"id": self.id, "type": self.type.value, "created_at": self.created_at, "payload": self.payload}
        return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)


_KINDS: list[tuple[Callable[[Mapping[str, str]], bool], Callable[[Mapping[str, Any]], BaseModel], str]] = [
    (keys.is_conversation, to_conversation, "conversation"),
    (keys.is_message, to_message, "message"),
    (keys.is_contact, to_contact, "contact"),
]
_ACTIONS = {"INSERT": "created", "MODIFY": "updated", "REMOVE": "deleted"}


def event_from_record(record: Mapping[str, Any]) -> ChangeEvent | None:
    """The event a stream record stands for, None when it stands for none, or MalformedRecord."""
    try:
        change = record["dynamodb"]
        key = {name: str(value) for name, value in deserialize(change["Keys"]).items()}
        action = _ACTIONS[record["eventName"]]
        new = deserialize(change.get("NewImage") or {})
        old = deserialize(change.get("OldImage") or {})
        for applies, convert, resource in _KINDS:
            if not applies(key):
                continue
            if action == "updated" and new.get("version") == old.get("version"):
                return None  # not a change a client made: an open, or last_active_at
            image = old if action == "deleted" else new
            created_at = int(change["ApproximateCreationDateTime"])
            stored = versioned(image, convert)
            return ChangeEvent(
                owner=keys.owner_of_partition(key[keys.PK]),
                id=derived_id(created_at, str(record["eventID"])),
                type=EventType(f"{resource}.{action}"),
                created_at=created_at,
                payload=stored.resource.model_dump(mode="json"),
                etag=stored.etag,
            )
        return None
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedRecord(f"cannot read stream record {record.get('eventID', '?')}: {error!r}") from error
