"""The messages' storage. Each message is a child of its conversation, and the owner keeps a
pointer to it by id; sending also moves the conversation's last_active_at, in one transaction."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from clarity.contacts.models import Contact
from clarity.contacts.repository import ContactRepository, to_contact
from clarity.core.clock import TICKS_PER_SECOND, TickBehind
from clarity.core.errors import InvalidRequest, NotFound, PreconditionFailed, ServiceUnavailable
from clarity.core.ids import IdTaken, tick_of
from clarity.core.paging import Page
from clarity.core.versioned import Versioned
from clarity.messages.models import DeletedContact, Message, MessagePageRequest, VersionedMessage
from clarity.store import keys
from clarity.store.dynamodb import (
    ConditionFailed,
    Expression,
    Item,
    Table,
    TransactionCancelled,
    all_of,
    missing_or_stale,
    optional_int,
    scan_forward,
    serialize,
    sorts_after_newest,
    to_page,
    update_expression,
    version_condition,
    with_expressions,
)
from clarity.store.links import MEMBER_IDS

RESOURCE = "message"
# The conversation's attribute naming its newest message: each send must sort after it.
NEWEST_MESSAGE = "newest_message_id"
# A message delete races a PUT that pins it at most a few times in a row; more is a bug.
PIN_RACE_ATTEMPTS = 3


def to_message(item: Mapping[str, Any], contacts: Mapping[str, Contact]) -> Message:
    """A stored message, its sender read from `contacts` (the contacts as they are now)."""
    contact_id = item.get("contact_id")
    sender: Contact | DeletedContact | None = None
    if contact_id:
        sender = contacts.get(str(contact_id)) or DeletedContact(id=str(contact_id), deleted=True)
    return Message(
        id=item["id"],
        conversation_id=item["conversation_id"],
        contact=sender,
        message=item["message"],
        reactions=[{name: list(who) for name, who in reaction.items()} for reaction in item.get("reactions", [])],
        attachments=[],
        read_at=optional_int(item.get("read_at")),
        created_at=int(item["created_at"]),
        updated_at=optional_int(item.get("updated_at")),
    )


def senders_of(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """The contact ids stored messages were received from."""
    return [str(item["contact_id"]) for item in items if item.get("contact_id")]


def _newest_tick(conversation: Mapping[str, Any]) -> int:
    """The tick a new message of this conversation must come after: its newest message's, and
    no earlier than its last_active_at (set before messages recorded their order)."""
    newest = conversation.get(NEWEST_MESSAGE)
    floor = tick_of(str(newest)) if newest else -1
    last_active_at = conversation.get("last_active_at")
    if last_active_at is not None:
        floor = max(floor, int(last_active_at) * TICKS_PER_SECOND - 1)
    return floor


def _to_item(owner: str, message: Message, contact_id: str | None) -> Item:
    fields: Item = {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "message": message.message,
        "created_at": message.created_at,
        "version": 1,
    }
    if contact_id is not None:
        fields["contact_id"] = contact_id
    return {**keys.message_key(owner, message.conversation_id, message.id), **fields}


@dataclass(frozen=True)
class _Sender:
    """Who a send records the message as received from, and what the send checks of them."""

    contact_id: str
    group_id: str | None
    # The contact as read before the send: the answer's sender, its last_active_at moved.
    contact: Item
    # False once the contact was found active later than this message: the send then only
    # checks that the contact exists, as last_active_at never moves backwards.
    moves_last_active: bool = True

    def as_answered(self, message: Message) -> Contact:
        """The sender as the send leaves it, without reading it again."""
        contact = dict(self.contact)
        if self.moves_last_active:
            contact["last_active_at"] = message.created_at
        return to_contact(contact)


def _not_your_conversation(conversation_id: str) -> InvalidRequest:
    return InvalidRequest(f"conversation_id '{conversation_id}' is not one of your conversations", "conversation_id")


def _not_your_contact(contact_id: str) -> InvalidRequest:
    return InvalidRequest(f"contact_id '{contact_id}' is not one of your contacts", "contact_id")


class MessageRepository:
    def __init__(self, table: Table) -> None:
        self._table = table
        self._contacts = ContactRepository(table)

    def _messages(self, owner: str, items: Sequence[Mapping[str, Any]]) -> list[Message]:
        """Stored messages with their senders as they are now: one read for the distinct senders."""
        senders = senders_of(items)
        contacts = self._contacts.by_ids(owner, senders) if senders else {}
        return [to_message(item, contacts) for item in items]

    def _versioned(self, owner: str, item: Mapping[str, Any]) -> VersionedMessage:
        return Versioned(self._messages(owner, [item])[0], int(item["version"]))

    def send(self, owner: str, message: Message, contact_id: str | None = None) -> Message:
        """Store the message, its pointer, and the conversation's last_active_at, all or nothing;
        with a sender, the sender's last_active_at and membership too. The message as sent.

        The conversation must exist (a deleting one does not). A sender must be the contact of
        a contact's conversation, or a current member of a group's (the group's member list,
        checked in the transaction). The message must sort after the conversation's newest
        (NEWEST_MESSAGE), so a conversation's messages list in the order their sends committed,
        whatever each instance's clock said; last_active_at, its second, never moves backwards
        either. A message that would sort before is refused with TickBehind, and the send
        retried with a later tick and id.
        """
        sender = self._sender(owner, message.conversation_id, contact_id) if contact_id else None
        while True:
            try:
                self._table.transact(
                    [
                        self._table.put_action(_to_item(owner, message, contact_id), "attribute_not_exists(PK)"),
                        self._table.put_action(
                            {**keys.message_pointer_key(owner, message.id), "conversation_id": message.conversation_id},
                            "attribute_not_exists(PK)",
                        ),
                        self._conversation_action(owner, message),
                        *self._sender_actions(owner, message, sender),
                    ]
                )
                break
            except TransactionCancelled as cancelled:
                sender = self._refused(message, sender, cancelled)
        if sender is None:
            return message
        return message.model_copy(update={"contact": sender.as_answered(message)})

    def _sender(self, owner: str, conversation_id: str, contact_id: str) -> _Sender:
        """Whom a conversation lets a send name as its sender, read with the contact in one
        BatchGetItem: the conversation's contact and group never change, so the read decides
        which contact it takes; the transaction then checks that the contact (and, in a group's
        conversation, the membership) still holds."""
        conversation_key = keys.conversation_key(owner, conversation_id)
        contact_key = keys.contact_key(owner, contact_id)
        found = {item[keys.SK]: item for item in self._table.get_all([conversation_key, contact_key])}
        conversation, contact = found.get(conversation_key[keys.SK]), found.get(contact_key[keys.SK])
        if conversation is None:
            raise _not_your_conversation(conversation_id)
        if conversation.get("contact_id") not in (None, contact_id):
            raise InvalidRequest(
                f"contact_id '{contact_id}' is not the contact of conversation '{conversation_id}'", "contact_id"
            )
        if contact is None:
            raise _not_your_contact(contact_id)
        group_id = conversation.get("group_id") if conversation.get("contact_id") is None else None
        return _Sender(contact_id, str(group_id) if group_id else None, contact)

    def _sender_actions(self, owner: str, message: Message, sender: _Sender | None) -> list[dict[str, Any]]:
        if sender is None:
            return []
        request = {
            "TableName": self._table.name,
            "Key": serialize(keys.contact_key(owner, sender.contact_id)),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        exists = Expression("attribute_exists(PK)", {}, {})
        if sender.moves_last_active:
            names, values = {"#active": "last_active_at"}, {":active": message.created_at}
            update = Expression("SET #active = :active", names, values)
            newer = Expression("(attribute_not_exists(#active) OR #active <= :active)", names, values)
            actions = [{"Update": with_expressions(request, update=update, condition=all_of(exists, newer))}]
        else:
            actions = [{"ConditionCheck": with_expressions(request, condition=exists)}]
        if sender.group_id is not None:
            member = Expression(
                "contains(#members, :contact)", {"#members": MEMBER_IDS}, {":contact": sender.contact_id}
            )
            group = {"TableName": self._table.name, "Key": serialize(keys.group_key(owner, sender.group_id))}
            actions.append({"ConditionCheck": with_expressions(group, condition=member)})
        return actions

    def _refused(self, message: Message, sender: _Sender | None, cancelled: TransactionCancelled) -> _Sender:
        """Why a send's transaction was refused, as the error to answer, or the sender to retry
        with (its contact was active later than this message)."""
        message_reason, pointer_reason, conversation_reason, *sender_reasons = cancelled.reasons
        if message_reason.failed or pointer_reason.failed:
            raise IdTaken(message.id) from cancelled
        existing = conversation_reason.item
        if conversation_reason.failed and existing is None:
            raise _not_your_conversation(message.conversation_id) from cancelled
        if sender is not None and sender_reasons:
            contact_reason, *group_reason = sender_reasons
            if contact_reason.failed and contact_reason.item is None:  # deleted since it was read
                raise _not_your_contact(sender.contact_id) from cancelled
            if group_reason and group_reason[0].failed:
                raise InvalidRequest(
                    f"contact_id '{sender.contact_id}' is not a member of group '{sender.group_id}'", "contact_id"
                ) from cancelled
            if conversation_reason.failed and existing is not None:
                raise TickBehind(_newest_tick(existing)) from cancelled
            if contact_reason.failed:
                return replace(sender, moves_last_active=False)
        if conversation_reason.failed and existing is not None:
            raise TickBehind(_newest_tick(existing)) from cancelled
        raise ServiceUnavailable("the send was refused for no reason given; retry the request") from cancelled

    def _conversation_action(self, owner: str, message: Message) -> dict[str, Any]:
        conditions = [Expression("attribute_exists(PK)", {}, {}), sorts_after_newest(NEWEST_MESSAGE, message.id)]
        conditions.append(
            Expression(
                "(attribute_not_exists(#active) OR #active <= :active)",
                {"#active": "last_active_at"},
                {":active": message.created_at},
            )
        )
        request = {
            "TableName": self._table.name,
            "Key": serialize(keys.conversation_key(owner, message.conversation_id)),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        update = Expression("SET #active = :active, #newest = :newest", {}, {})
        return {"Update": with_expressions(request, update=update, condition=all_of(*conditions))}

    def conversation_of(self, owner: str, message_id: str) -> str:
        """The conversation a message belongs to, from the owner's pointer; NotFound without one."""
        pointer = self._table.get(keys.message_pointer_key(owner, message_id))
        if pointer is None:
            raise NotFound(RESOURCE, message_id)
        return str(pointer["conversation_id"])

    def retrieve(self, owner: str, message_id: str) -> VersionedMessage:
        conversation_id = self.conversation_of(owner, message_id)
        item = self._table.get(keys.message_key(owner, conversation_id, message_id))
        if item is None:  # deleted since the pointer was read
            raise NotFound(RESOURCE, message_id)
        return self._versioned(owner, item)

    def update(
        self,
        owner: str,
        message_id: str,
        changes: Mapping[str, Any],
        updated_at: int,
        expected_version: int | None = None,
    ) -> VersionedMessage:
        """One conditional UpdateItem of the fields sent; concurrent PUTs of other fields land."""
        conversation_id = self.conversation_of(owner, message_id)
        key = keys.message_key(owner, conversation_id, message_id)
        set_values = {name: value for name, value in changes.items() if value is not None}
        remove = [name for name, value in changes.items() if value is None]
        if {"message", "reactions"} & set(changes):
            set_values["updated_at"] = updated_at
        if not set_values and not remove:
            return self._unchanged(owner, key, message_id, expected_version)
        update, condition = update_expression(set_values, remove, bump_version=True, expected_version=expected_version)
        try:
            return self._versioned(owner, self._table.update(key, update, condition))
        except ConditionFailed as failed:
            raise missing_or_stale(RESOURCE, message_id, failed.item) from failed

    def _unchanged(
        self, owner: str, key: Mapping[str, str], message_id: str, expected_version: int | None
    ) -> VersionedMessage:
        item = self._table.get(key)
        if item is None:
            raise NotFound(RESOURCE, message_id)
        if expected_version is not None and int(item["version"]) != expected_version:
            raise PreconditionFailed(RESOURCE, message_id)
        return self._versioned(owner, item)

    def delete(self, owner: str, message_id: str, expected_version: int | None = None) -> None:
        """Delete the message and its pointer; if it is its conversation's pinned message, unpin
        it in the same transaction.

        The first attempt checks that the conversation does not pin it. Should it (or should a
        PUT pin it meanwhile), the next attempt unpins it on the condition that it still does.
        """
        conversation_id = self.conversation_of(owner, message_id)
        delete_message = with_expressions(
            {
                "TableName": self._table.name,
                "Key": serialize(keys.message_key(owner, conversation_id, message_id)),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
            condition=version_condition(expected_version),
        )
        delete_pointer = {
            "Delete": {"TableName": self._table.name, "Key": serialize(keys.message_pointer_key(owner, message_id))}
        }
        pinned = False
        for _ in range(PIN_RACE_ATTEMPTS):
            conversation = self._pin_action(owner, conversation_id, message_id, pinned=pinned)
            try:
                self._table.transact([{"Delete": delete_message}, delete_pointer, conversation])
                return
            except TransactionCancelled as cancelled:
                message_reason, _, conversation_reason = cancelled.reasons
                if message_reason.failed:
                    raise missing_or_stale(RESOURCE, message_id, message_reason.item) from cancelled
                pinned = conversation_reason.failed and not pinned
        raise PreconditionFailed(RESOURCE, message_id)

    def _pin_action(self, owner: str, conversation_id: str, message_id: str, *, pinned: bool) -> dict[str, Any]:
        request = {"TableName": self._table.name, "Key": serialize(keys.conversation_key(owner, conversation_id))}
        names, values = {"#pinned": "pinned_message_id"}, {":message": message_id}
        if not pinned:
            # Also true when the conversation is gone (being deleted): its messages may still go.
            condition = Expression("attribute_not_exists(#pinned) OR #pinned <> :message", names, values)
            return {"ConditionCheck": with_expressions(request, condition=condition)}
        # Unpinning changes the conversation as a client sees it, so its version (ETag) moves.
        update = Expression("REMOVE #pinned ADD #version :one", {"#version": "version"}, {":one": 1})
        condition = Expression("#pinned = :message", names, values)
        return {"Update": with_expressions(request, update=update, condition=condition)}

    def list_page(self, owner: str, request: MessagePageRequest) -> Page[Message]:
        """One conversation's messages: one Query of at most limit + 1 messages. All the owner's:
        a Query of as many pointers, then one strongly consistent BatchGetItem of the page."""
        if request.conversation_id is not None:
            partition = keys.children_partition(owner, request.conversation_id)
        else:
            partition = keys.owner_partition(owner)
        query: dict[str, Any] = {
            "TableName": self._table.name,
            "KeyConditionExpression": "#pk = :partition AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": keys.PK, "#sk": keys.SK},
            "ExpressionAttributeValues": serialize({":partition": partition, ":prefix": keys.MESSAGE_PREFIX}),
            "ScanIndexForward": scan_forward(request.position),
            "ConsistentRead": True,
        }
        if request.position.cursor is not None:
            query["ExclusiveStartKey"] = serialize(
                {keys.PK: partition, keys.SK: keys.message_sort_key(request.position.cursor)}
            )
        result = self._table.query(query, wanted=request.limit + 1, filtered=False, position=request.position)
        if request.conversation_id is not None:
            page = to_page(result, request.limit, request.position, dict)
            return Page(items=self._messages(owner, page.items), has_more=page.has_more)
        return self._pointed_page(owner, to_page(result, request.limit, request.position, dict))

    def _pointed_page(self, owner: str, pointers: Page[Item]) -> Page[Message]:
        message_keys = [
            keys.message_key(
                owner, str(pointer["conversation_id"]), str(pointer["SK"]).removeprefix(keys.MESSAGE_PREFIX)
            )
            for pointer in pointers.items
        ]
        # A message deleted between the two reads is left out; the order is the pointers'.
        messages = self._messages(owner, self._table.get_in_order(message_keys))
        return Page(items=messages, has_more=pointers.has_more)
