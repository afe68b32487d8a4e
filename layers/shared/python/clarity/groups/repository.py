"""The groups' storage: one item per group in its owner's partition, its members listed on it
in order (at most 100), and each member contact naming the group back (clarity.store.links).

A transaction holds at most 100 items. Creating a group writes the group, its conversation and
one item per member; a member list change writes the group and one item per contact added. Up to
98 (or 99) members that is one transaction. Members beyond are joined right after, in another;
a contact deleted in between is then taken off the list, as its delete would have done.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from clarity.contacts.repository import ContactRepository
from clarity.conversations.models import Conversation
from clarity.conversations.repository import to_item as conversation_item
from clarity.core.errors import InvalidRequest, NotFound, PreconditionFailed, ServiceUnavailable
from clarity.core.ids import IdTaken
from clarity.core.paging import Page
from clarity.core.versioned import Versioned
from clarity.groups.models import Group, GroupPageRequest, StoredGroup, VersionedGroup
from clarity.store import keys
from clarity.store.dynamodb import (
    ConditionFailed,
    Expression,
    Item,
    Table,
    TransactionCancelled,
    missing_or_stale,
    optional_int,
    serialize,
    update_expression,
    with_expressions,
)
from clarity.store.keys import StatusIndex
from clarity.store.links import (
    LINKED_CONVERSATION,
    MEMBER_IDS,
    RemoveFiles,
    drop_member,
    join_group,
    leave_group,
    refuse_files,
    remove_with_mark,
)
from clarity.store.pages import status_page

RESOURCE = "group"
MAX_TRANSACTION_ITEMS = 100
# A member list change reads the group, then writes on the condition it is unchanged.
WRITE_ATTEMPTS = 4


def to_stored_group(item: Mapping[str, Any]) -> StoredGroup:
    return StoredGroup(
        id=item["id"],
        name=item["name"],
        description=item.get("description"),
        avatar_url=item.get("avatar_url"),
        conversation_id=item.get(LINKED_CONVERSATION),
        member_ids=[str(member) for member in item.get(MEMBER_IDS, [])],
        created_at=int(item["created_at"]),
        archived_at=optional_int(item.get("archived_at")),
        version=int(item.get("version", 1)),
    )


def to_item(owner: str, group: StoredGroup) -> Item:
    fields = {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "avatar_url": group.avatar_url,
        LINKED_CONVERSATION: group.conversation_id,
        MEMBER_IDS: group.member_ids,
        "created_at": group.created_at,
        "archived_at": group.archived_at,
    }
    return {
        **keys.group_key(owner, group.id),
        **keys.group_index_keys(owner, archived=group.archived_at is not None),
        # Nulls are not stored, as for the other resources.
        **{name: value for name, value in fields.items() if value is not None},
        "version": group.version,
    }


def _not_a_contact(contact_id: str) -> InvalidRequest:
    return InvalidRequest(f"contacts lists '{contact_id}', which is not one of your contacts", "contacts")


class GroupRepository:
    def __init__(self, table: Table, remove_files: RemoveFiles = refuse_files) -> None:
        self._table = table
        # Deleting it deletes its conversation, and so its messages' files.
        self._remove_files = remove_files
        self._contacts = ContactRepository(table)

    def answer(self, owner: str, groups: Sequence[StoredGroup]) -> list[Group]:
        """Groups as the API answers them: members read now, in one read for the distinct ones."""
        members = self._contacts.by_ids(owner, [member for group in groups for member in group.member_ids])
        return [group.with_members(members) for group in groups]

    def _answered(self, owner: str, group: StoredGroup) -> VersionedGroup:
        return Versioned(self.answer(owner, [group])[0], group.version)

    def create(self, owner: str, group: StoredGroup, conversation: Conversation) -> VersionedGroup:
        """The group, its conversation, and its members' links to it, in one transaction; members
        past what one transaction holds join right after (their existence checked first)."""
        room = MAX_TRANSACTION_ITEMS - 2
        first, rest = group.member_ids[:room], group.member_ids[room:]
        self._check_contacts(owner, rest)
        actions = [
            self._table.put_action(to_item(owner, group), "attribute_not_exists(PK)"),
            self._table.put_action(conversation_item(owner, conversation), "attribute_not_exists(PK)"),
            *(join_group(self._table, owner, contact_id, group.id) for contact_id in first),
        ]
        try:
            self._table.transact(actions)
        except TransactionCancelled as cancelled:
            group_reason, conversation_reason, *member_reasons = cancelled.reasons
            if group_reason.failed or conversation_reason.failed:
                raise IdTaken(group.id) from cancelled
            raise _not_a_contact(_first_refused(first, member_reasons)) from cancelled
        if not rest:
            return self._answered(owner, group)  # as its transaction wrote it, as every create answers
        self._join_later(owner, group.id, rest)
        # A member deleted between the two transactions is off the list now: read it back.
        return self.retrieve(owner, group.id)

    def _check_contacts(self, owner: str, contact_ids: Sequence[str]) -> None:
        if not contact_ids:
            return
        found = self._contacts.by_ids(owner, contact_ids)
        missing = [contact_id for contact_id in contact_ids if contact_id not in found]
        if missing:
            raise _not_a_contact(missing[0])

    def _join_later(self, owner: str, group_id: str, contact_ids: Sequence[str]) -> None:
        """Link members the group already lists, while the group exists. A contact deleted since
        it was checked is taken off the list, as its own delete would have done."""
        room = MAX_TRANSACTION_ITEMS - 1
        pending = list(contact_ids)
        while pending:
            batch, pending = pending[:room], pending[room:]
            group_exists = {
                "ConditionCheck": with_expressions(
                    {"TableName": self._table.name, "Key": serialize(keys.group_key(owner, group_id))},
                    condition=Expression("attribute_exists(PK)", {}, {}),
                )
            }
            try:
                self._table.transact([group_exists, *(join_group(self._table, owner, c, group_id) for c in batch)])
            except TransactionCancelled as cancelled:
                group_reason, *member_reasons = cancelled.reasons
                if group_reason.failed:
                    return  # deleted meanwhile: its delete unlinks the members it listed
                gone = [c for c, reason in zip(batch, member_reasons, strict=True) if reason.failed]
                for contact_id in gone:
                    drop_member(self._table, owner, group_id, contact_id)
                pending = [c for c in batch if c not in gone] + pending

    def _stored(self, owner: str, group_id: str) -> StoredGroup:
        item = self._table.get(keys.group_key(owner, group_id))
        if item is None:
            raise NotFound(RESOURCE, group_id)
        return to_stored_group(item)

    def retrieve(self, owner: str, group_id: str) -> VersionedGroup:
        return self._answered(owner, self._stored(owner, group_id))

    def update(
        self, owner: str, group_id: str, changes: Mapping[str, Any], expected_version: int | None = None
    ) -> VersionedGroup:
        """The fields sent, in one conditional UpdateItem; a new member list also links the
        contacts added in the same transaction, and unlinks the ones removed after it."""
        if MEMBER_IDS_FIELD not in changes:
            update, condition = self._update_expression(owner, changes, expected_version)
            try:
                item = self._table.update(keys.group_key(owner, group_id), update, condition)
            except ConditionFailed as failed:
                raise missing_or_stale(RESOURCE, group_id, failed.item) from failed
            return self._answered(owner, to_stored_group(item))
        for _ in range(WRITE_ATTEMPTS):
            current = self._stored(owner, group_id)
            if expected_version is not None and current.version != expected_version:
                raise PreconditionFailed(RESOURCE, group_id)
            if self._replace_members(owner, current, changes):
                return self.retrieve(owner, group_id)
        raise ServiceUnavailable("the group kept changing while being updated; retry the request")

    def _update_expression(
        self, owner: str, changes: Mapping[str, Any], expected_version: int | None
    ) -> tuple[Expression, Expression]:
        stored = {MEMBER_IDS if name == MEMBER_IDS_FIELD else name: value for name, value in changes.items()}
        set_values = {name: value for name, value in stored.items() if value is not None}
        if "archived_at" in changes:
            archived = keys.group_index_keys(owner, archived=changes["archived_at"] is not None)
            set_values.update(archived)
        remove = [name for name, value in stored.items() if value is None]
        return update_expression(set_values, remove, bump_version=True, expected_version=expected_version)

    def _replace_members(self, owner: str, current: StoredGroup, changes: Mapping[str, Any]) -> bool:
        """One attempt: False when the group changed since it was read."""
        wanted: list[str] = list(changes[MEMBER_IDS_FIELD])
        added = [contact_id for contact_id in wanted if contact_id not in current.member_ids]
        removed = [contact_id for contact_id in current.member_ids if contact_id not in wanted]
        room = MAX_TRANSACTION_ITEMS - 1
        first, rest = added[:room], added[room:]
        self._check_contacts(owner, rest)
        update, condition = self._update_expression(owner, changes, current.version)
        request = {
            "TableName": self._table.name,
            "Key": serialize(keys.group_key(owner, current.id)),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        actions = [
            {"Update": with_expressions(request, update=update, condition=condition)},
            *(join_group(self._table, owner, contact_id, current.id) for contact_id in first),
        ]
        try:
            self._table.transact(actions)
        except TransactionCancelled as cancelled:
            group_reason, *member_reasons = cancelled.reasons
            if group_reason.failed:
                if group_reason.item is None:
                    raise NotFound(RESOURCE, current.id) from cancelled
                return False
            raise _not_a_contact(_first_refused(first, member_reasons)) from cancelled
        self._join_later(owner, current.id, rest)
        for contact_id in removed:
            leave_group(self._table, owner, contact_id, current.id)
        return True

    def delete(self, owner: str, group_id: str, expected_version: int | None = None) -> None:
        """Delete the group and its conversation in one transaction, leaving a removal mark; then
        the conversation's messages and the members' links to the group, then the mark. A
        retried delete finds the mark and finishes the job. The member contacts stay."""
        target = (RESOURCE, group_id, keys.group_key(owner, group_id))

        def plan(item: Item, mark: dict[str, Any]) -> list[dict[str, Any]]:
            mark[MEMBER_IDS] = list(item.get(MEMBER_IDS, []))
            unchanged = Expression("#version = :version", {"#version": "version"}, {":version": item["version"]})
            request = {"TableName": self._table.name, "Key": serialize(target[2])}
            return [{"Delete": with_expressions(request, condition=unchanged)}]

        def unlink(mark: Mapping[str, Any]) -> None:
            for contact_id in mark.get(MEMBER_IDS, []):
                leave_group(self._table, owner, str(contact_id), group_id)

        remove_with_mark(self._table, owner, target, expected_version, plan, unlink, self._remove_files)

    def list_page(self, owner: str, request: GroupPageRequest) -> Page[Group]:
        """Newest first: the owner's groups from the table, or, with `archived`, from GSI4's
        partition of archived (or other) groups, then read whole. At most limit + 1 entries."""
        entries = status_page(
            self._table,
            owner,
            prefix=keys.GROUP_PREFIX,
            sort_key=keys.group_sort_key,
            index=StatusIndex.GROUP_ARCHIVED,
            status=request.archived,
            limit=request.limit,
            position=request.position,
        )
        groups = [to_stored_group(item) for item in entries.items]
        return Page(items=self.answer(owner, groups), has_more=entries.has_more)


# The request's name for the member list; stored as MEMBER_IDS.
MEMBER_IDS_FIELD = "contacts"


def _first_refused(contact_ids: Iterable[str], reasons: Iterable[Any]) -> str:
    """The first contact whose join a cancelled transaction refused: it does not exist."""
    for contact_id, reason in zip(contact_ids, reasons, strict=False):
        if reason.failed:
            return contact_id
    raise ServiceUnavailable("the transaction was refused for no reason given; retry the request")
