"""Change events, made from the table's stream records (DynamoDB Streams, new and old images).

Events come from the stream, not from the request handlers: a function that dies after its
write still gets its event out, and no write path can forget one.

Which write is which event:
- a conversation, message, contact or group item inserted: `*.created`;
- modified with a new version (the ETag a client sees changed): `*.updated`. Recording an
  open, or a message moving `last_active_at`, leaves the version, so neither fires one;
- removed: `*.deleted`, with the object as it was last. Messages deleted with their
  conversation fire `message.deleted` too.
Pointers, deletion and removal marks, username claims, webhooks and counts are bookkeeping and
fire nothing. Nor do a contact's group links: they move no version.

An attachment exists for clients once its file is there: `attachment.created` fires when its
record is marked uploaded (an upload's last step, or a direct upload's confirmation), not when the
record waiting for its file is written; `attachment.deleted` only for one that was uploaded (a
direct upload removed unconfirmed never existed). Being sent in a message moves its version:
`attachment.updated`, as a rename does.

A message's sender and a group's members are read when the body is made (PayloadSource), only
for an event some webhook wants: the payload is the object as GET would answer it then.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from clarity.core.ids import derived_id
from clarity.core.versioned import etag_of
from clarity.store import keys
from clarity.store.dynamodb import deserialize
from clarity.webhooks.models import EventType


class PayloadSource(Protocol):
    """Makes the object a stored item is, as the API answers it (clarity.webhooks.payloads)."""

    def resource(self, kind: str, owner: str, image: Mapping[str, Any]) -> BaseModel: ...


class MalformedRecord(ValueError):
    """A stream record this code cannot read: reported as the batch's one failure."""


@dataclass(frozen=True)
class ChangeEvent:
    owner: str
    id: str
    type: EventType
    created_at: int
    # The object's ETag as the API gives it (for "deleted", its last): receivers order by it.
    etag: str
    # The stored item the payload is made from, when a webhook wants the event.
    image: dict[str, Any]

    @property
    def resource(self) -> str:
        return self.type.value.split(".")[0]

    def body(self, payloads: PayloadSource) -> str:
        """The envelope as sent: made once, every attempt of every delivery sends these bytes."""
        payload = payloads.resource(self.resource, self.owner, self.image).model_dump(mode="json")
        envelope = {"id": self.id, "type": self.type.value, "created_at": self.created_at, "payload": payload}
        return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)


_KINDS: list[tuple[Callable[[Mapping[str, str]], bool], str]] = [
    (keys.is_conversation, "conversation"),
    (keys.is_message, "message"),
    (keys.is_contact, "contact"),
    (keys.is_group, "group"),
    (keys.is_attachment, "attachment"),
]
_ACTIONS = {"INSERT": "created", "MODIFY": "updated", "REMOVE": "deleted"}


def _action_seen(resource: str, action: str, new: Mapping[str, Any], old: Mapping[str, Any]) -> str | None:
    """The event a write is for clients, or None: an update must move the version (the ETag),
    and an attachment is there only once uploaded."""
    if resource == "attachment":
        if action == "created":
            return None  # waiting for its file
        if action == "deleted":
            return action if old.get("uploaded") else None
        if new.get("uploaded") and not old.get("uploaded"):
            return "created"
    if action == "updated" and new.get("version") == old.get("version"):
        return None  # not a change a client made: an open, or last_active_at
    return action


def event_from_record(record: Mapping[str, Any]) -> ChangeEvent | None:
    """The event a stream record stands for, None when it stands for none, or MalformedRecord."""
    try:
        change = record["dynamodb"]
        key = {name: str(value) for name, value in deserialize(change["Keys"]).items()}
        action = _ACTIONS[record["eventName"]]
        new = deserialize(change.get("NewImage") or {})
        old = deserialize(change.get("OldImage") or {})
        for applies, resource in _KINDS:
            if not applies(key):
                continue
            seen = _action_seen(resource, action, new, old)
            if seen is None:
                return None
            action = seen
            image = old if action == "deleted" else new
            created_at = int(change["ApproximateCreationDateTime"])
            owner = keys.owner_of_partition(key[keys.PK])
            return ChangeEvent(
                owner=owner,
                id=derived_id(created_at, str(record["eventID"])),
                type=EventType(f"{resource}.{action}"),
                created_at=created_at,
                etag=etag_of(int(image["version"])),
                image=image,
            )
        return None
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedRecord(f"cannot read stream record {record.get('eventID', '?')}: {error!r}") from error
