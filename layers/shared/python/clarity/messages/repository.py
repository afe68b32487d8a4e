"""The messages' storage. Each message is a child of its conversation, and the owner keeps a
pointer to it by id; sending also moves the conversation's last_active_at, in one transaction."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from clarity.attachments.models import Attachment
from clarity.attachments.repository import AttachmentRepository, attach_refusal
from clarity.contacts.models import Contact
from clarity.contacts.repository import ContactRepository, to_contact
from clarity.core.clock import TICKS_PER_SECOND, TickBehind
from clarity.core.errors import InvalidRequest, NotFound, PreconditionFailed, ServiceUnavailable
from clarity.core.ids import IdTaken, tick_of
from clarity.core.paging import Page
from clarity.core.settings import AttachmentSettings, MissingSetting
from clarity.core.versioned import Versioned
from clarity.messages.models import DeletedContact, Message, MessagePageRequest, VersionedMessage
from clarity.store import keys
from clarity.store.dynamodb import (
    CancellationReason,
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
from clarity.store.links import MEMBER_IDS, MESSAGE_FILES

RESOURCE = "message"
# The conversation's attribute naming its newest message: each send must sort after it.
NEWEST_MESSAGE = "newest_message_id"
# A message delete races a PUT that pins it at most a few times in a row; more is a bug.
PIN_RACE_ATTEMPTS = 3
# A message delete or an update adding files races other changes of the message at most this often.
CHANGE_RACE_ATTEMPTS = 3
# The message item's ids of its files, in the order they were attached (a link: see links.py).
ATTACHMENT_IDS = MESSAGE_FILES


def to_message(
    item: Mapping[str, Any], contacts: Mapping[str, Contact], files: Mapping[str, Attachment] | None = None
) -> Message:
    """A stored message, its sender read from `contacts` (the contacts as they are now), its
    attachments from `files` in the order they were attached (one deleted since is left out)."""
    contact_id = item.get("contact_id")
    found = files or {}
    sender: Contact | DeletedContact | None = None
    if contact_id:
        sender = contacts.get(str(contact_id)) or DeletedContact(id=str(contact_id), deleted=True)
    return Message(
        id=item["id"],
        conversation_id=item["conversation_id"],
        contact=sender,
        message=item["message"],
        reactions=[{name: list(who) for name, who in reaction.items()} for reaction in item.get("reactions", [])],
        attachments=[found[attachment_id] for attachment_id in attachment_ids_of([item]) if attachment_id in found],
        read_at=optional_int(item.get("read_at")),
        created_at=int(item["created_at"]),
        updated_at=optional_int(item.get("updated_at")),
    )


def attachment_ids_of(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ids of the files stored messages name, in order."""
    return [str(attachment_id) for item in items for attachment_id in item.get(ATTACHMENT_IDS, [])]


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


def _to_item(owner: str, message: Message, contact_id: str | None, attachment_ids: Sequence[str] = ()) -> Item:
    fields: Item = {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "message": message.message,
        "created_at": message.created_at,
        "version": 1,
    }
    if contact_id is not None:
        fields["contact_id"] = contact_id
    if attachment_ids:
        fields[ATTACHMENT_IDS] = list(attachment_ids)
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


@dataclass(frozen=True)
class _Change:
    """An update of a message's fields: where, which, and to what (`remove`: cleared)."""

    key: Mapping[str, str]
    message_id: str
    set_values: dict[str, Any]
    remove: list[str]


def _no_bucket() -> Any:
    raise MissingSetting("ATTACHMENTS_BUCKET")


def _refuse_attachments(
    attachment_ids: Sequence[str], reasons: Sequence[CancellationReason], cancelled: TransactionCancelled
) -> None:
    """A 400 naming `attachments` if one of the files could not be attached, saying why."""
    for attachment_id, reason in zip(attachment_ids, reasons, strict=True):
        if reason.failed:
            raise attach_refusal(attachment_id, reason.item) from cancelled


class MessageRepository:
    def __init__(self, table: Table, attachments: AttachmentRepository | None = None) -> None:
        self._table = table
        self._contacts = ContactRepository(table)
        self._attachments = attachments or AttachmentRepository(table, _no_bucket, AttachmentSettings())

    def _messages(self, owner: str, items: Sequence[Mapping[str, Any]]) -> list[Message]:
        """Stored messages with their senders and files as they are now: one read for the
        distinct senders, one for the files (only when a message has some)."""
        senders = senders_of(items)
        contacts = self._contacts.by_ids(owner, senders) if senders else {}
        files = attachment_ids_of(items)
        answers = self._attachments.answers(owner, files) if files else {}
        return [to_message(item, contacts, answers) for item in items]

    def _versioned(self, owner: str, item: Mapping[str, Any]) -> VersionedMessage:
        return Versioned(self._messages(owner, [item])[0], int(item["version"]))

    def send(
        self, owner: str, message: Message, contact_id: str | None = None, attachment_ids: Sequence[str] = ()
    ) -> Message:
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
        # Each file names the message in the send's own transaction: of two sends racing for
        # one, exactly one goes through.
        attach = [
            self._attachments.attach_action(owner, attachment_id, message.id, message.conversation_id)
            for attachment_id in attachment_ids
        ]
        confirmed = False  # direct uploads the send found waiting were checked for their file
        while True:
            sender_actions = self._sender_actions(owner, message, sender)
            try:
                self._table.transact(
                    [
                        self._table.put_action(
                            _to_item(owner, message, contact_id, attachment_ids), "attribute_not_exists(PK)"
                        ),
                        self._table.put_action(
                            {**keys.message_pointer_key(owner, message.id), "conversation_id": message.conversation_id},
                            "attribute_not_exists(PK)",
                        ),
                        self._conversation_action(owner, message),
                        *sender_actions,
                        *attach,
                    ]
                )
                break
            except TransactionCancelled as cancelled:
                reasons = cancelled.reasons
                split = 3 + len(sender_actions)
                if not confirmed and self._files_arrived(owner, reasons[split:]):
                    confirmed = True
                    continue
                _refuse_attachments(attachment_ids, reasons[split:], cancelled)
                sender = self._refused(message, sender, reasons[:split], cancelled)
        files = self._attachments.answers(owner, attachment_ids) if attachment_ids else {}
        sent = message.model_copy(update={"attachments": [files[a] for a in attachment_ids if a in files]})
        if sender is None:
            return sent
        return sent.model_copy(update={"contact": sender.as_answered(message)})

    def _files_arrived(self, owner: str, reasons: Sequence[CancellationReason]) -> bool:
        """Whether a direct upload a refused transaction found waiting for its file has it now
        (HeadObject): then the transaction is worth another try."""
        # Every waiting one is checked (a list, not any()'s shortcut), so one retry serves them all.
        arrived = [self._attachments.arrived(owner, reason.item) for reason in reasons if reason.failed]
        return any(arrived)

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

    def _refused(
        self,
        message: Message,
        sender: _Sender | None,
        reasons: Sequence[CancellationReason],
        cancelled: TransactionCancelled,
    ) -> _Sender:
        """Why a send's transaction was refused (the reasons of its message, pointer, conversation
        and sender actions), as the error to answer, or the sender to retry with (its contact was
        active later than this message)."""
        message_reason, pointer_reason, conversation_reason, *sender_reasons = reasons
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
        attachment_ids: Sequence[str] | None = None,
    ) -> VersionedMessage:
        """One conditional UpdateItem of the fields sent; concurrent PUTs of other fields land.
        New files (`attachment_ids` lists them after the message's own) join in one transaction
        with the message's change instead."""
        conversation_id = self.conversation_of(owner, message_id)
        key = keys.message_key(owner, conversation_id, message_id)
        set_values = {name: value for name, value in changes.items() if value is not None}
        remove = [name for name, value in changes.items() if value is None]
        if {"message", "reactions"} & set(changes):
            set_values["updated_at"] = updated_at
        change = _Change(key, message_id, set_values, remove)
        if attachment_ids is not None:
            return self._update_with_files(owner, change, expected_version, attachment_ids)
        if not set_values and not remove:
            return self._unchanged(owner, key, message_id, expected_version)
        return self._update_fields(owner, change, expected_version)

    def _update_fields(self, owner: str, change: "_Change", expected_version: int | None) -> VersionedMessage:
        update, condition = update_expression(
            change.set_values, change.remove, bump_version=True, expected_version=expected_version
        )
        try:
            return self._versioned(owner, self._table.update(change.key, update, condition))
        except ConditionFailed as failed:
            raise missing_or_stale(RESOURCE, change.message_id, failed.item) from failed

    def _update_with_files(
        self, owner: str, change: "_Change", expected_version: int | None, attachment_ids: Sequence[str]
    ) -> VersionedMessage:
        """Read the message and its files; the list sent must name every file it has (removing
        one is DELETE /v1/attachments/:id). The new ones are attached in one transaction with
        the message's change, on the condition that the message is still the version read."""
        key, message_id = change.key, change.message_id
        for _ in range(CHANGE_RACE_ATTEMPTS):
            item = self._table.get(key)
            if item is None:
                raise NotFound(RESOURCE, message_id)
            version = int(item["version"])
            if expected_version is not None and version != expected_version:
                raise PreconditionFailed(RESOURCE, message_id)
            files = self._attachments.answers(owner, attachment_ids_of([item]))
            has = [a for a in attachment_ids_of([item]) if a in files]
            missing = [a for a in has if a not in attachment_ids]
            if missing:
                raise InvalidRequest(
                    f"attachments must list every file the message has: '{missing[0]}' is missing"
                    f" (to remove it, DELETE /v1/attachments/{missing[0]})",
                    "attachments",
                )
            added = [a for a in attachment_ids if a not in has]
            if not added:
                if not change.set_values and not change.remove:
                    return self._versioned(owner, item)
                return self._update_fields(owner, change, expected_version)
            values = {**change.set_values, ATTACHMENT_IDS: [*has, *added]}
            update, condition = update_expression(values, change.remove, bump_version=True, expected_version=version)
            request = {
                "TableName": self._table.name,
                "Key": serialize(key),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
            conversation_id = str(item["conversation_id"])
            attach = [self._attachments.attach_action(owner, a, message_id, conversation_id) for a in added]
            try:
                self._table.transact(
                    [{"Update": with_expressions(request, update=update, condition=condition)}, *attach]
                )
            except TransactionCancelled as cancelled:
                message_reason, *file_reasons = cancelled.reasons
                if self._files_arrived(owner, file_reasons):
                    continue
                _refuse_attachments(added, file_reasons, cancelled)
                if message_reason.failed and message_reason.item is None:
                    raise NotFound(RESOURCE, message_id) from cancelled
                continue  # the message changed since it was read: read it again
            return self.retrieve(owner, message_id)
        raise PreconditionFailed(RESOURCE, message_id)

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
        # A message with files: they go first (each record, its count and its file), then the
        # message, on the condition that it is still the version read, so a file added meanwhile
        # is found in the next round. Should the delete stop part way, the message is still
        # there, naming the files left, and a retried DELETE finishes the job.
        without_files = Expression("attribute_not_exists(#files)", {"#files": ATTACHMENT_IDS}, {})
        condition = all_of(version_condition(expected_version), without_files)
        for _ in range(CHANGE_RACE_ATTEMPTS):
            try:
                self._delete_message(owner, conversation_id, message_id, condition)
                return
            except ConditionFailed as failed:
                if failed.item is None or ATTACHMENT_IDS not in failed.item:
                    raise missing_or_stale(RESOURCE, message_id, failed.item) from failed
                version = int(failed.item["version"])
                if expected_version is not None and version != expected_version:
                    raise PreconditionFailed(RESOURCE, message_id) from failed
                for attachment_id in attachment_ids_of([failed.item]):
                    self._attachments.delete_quietly(owner, attachment_id)
                condition = version_condition(version)
        raise PreconditionFailed(RESOURCE, message_id)

    def _delete_message(self, owner: str, conversation_id: str, message_id: str, condition: Expression) -> None:
        """The message and its pointer in one transaction, if `condition` holds of the message
        (ConditionFailed with it as it is, otherwise)."""
        delete_message = with_expressions(
            {
                "TableName": self._table.name,
                "Key": serialize(keys.message_key(owner, conversation_id, message_id)),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
            condition=condition,
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
                    raise ConditionFailed(message_reason.item) from cancelled
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
