"""The conversations' storage: their items and keys. It takes and returns domain objects."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clarity.conversations.models import Conversation, ListFilters, PageRequest, VersionedConversation
from clarity.core.errors import InvalidRequest, NotFound, ServiceUnavailable
from clarity.core.ids import IdTaken
from clarity.core.paging import Page
from clarity.core.versioned import Versioned
from clarity.store import keys
from clarity.store.dynamodb import (
    ConditionFailed,
    Expression,
    Item,
    Table,
    TransactionCancelled,
    missing_or_stale,
    optional_int,
    scan_forward,
    serialize,
    to_page,
    update_expression,
    version_condition,
    versioned,
    with_expressions,
)
from clarity.store.keys import StatusIndex
from clarity.store.links import (
    LINKED_CONVERSATION,
    RemoveFiles,
    link_conversation,
    refuse_files,
    remove_children,
    remove_conversation_actions,
    unlink_conversation,
)

RESOURCE = "conversation"
# A repeat open finds the linked conversation gone only while a delete is finishing.
OPEN_ATTEMPTS = 3


@dataclass(frozen=True)
class _Party:
    """Whom a conversation is with: the item that links it, and how to name it in an error."""

    key: dict[str, str]
    param: str
    party_id: str
    resource: str

    def index_keys(self, owner: str, *, linked: bool) -> dict[str, str]:
        # A contact's `active` list filter is its link: the index key moves with it.
        if self.param == "contact_id":
            return keys.contact_index_keys(owner, active=linked)
        return {}


def _party_of(owner: str, conversation: Conversation) -> _Party:
    if conversation.contact_id is not None:
        return _Party(
            keys.contact_key(owner, conversation.contact_id), "contact_id", conversation.contact_id, "contacts"
        )
    if conversation.group_id is None:
        raise ValueError("a conversation is with a contact or a group")
    return _Party(keys.group_key(owner, conversation.group_id), "group_id", conversation.group_id, "groups")


@dataclass(frozen=True)
class _QueryPlan:
    """Which index a list page reads, which key it asks for, and what it must filter."""

    index: StatusIndex | None
    partition_value: str
    filters: dict[str, str]


def to_conversation(item: Mapping[str, Any]) -> Conversation:
    return Conversation(
        id=item["id"],
        contact_id=item.get("contact_id"),
        group_id=item.get("group_id"),
        pinned_message_id=item.get("pinned_message_id"),
        is_pinned=bool(item["is_pinned"]),
        is_muted=bool(item["is_muted"]),
        last_active_at=optional_int(item.get("last_active_at")),
        last_opened_at=optional_int(item.get("last_opened_at")),
        created_at=int(item["created_at"]),
        archived_at=optional_int(item.get("archived_at")),
    )


def to_item(owner: str, conversation: Conversation) -> Item:
    """The item a conversation is stored as, index keys included."""
    # Nulls are not stored: absent attributes keep items small and indexes sparse.
    fields = {name: value for name, value in conversation.model_dump().items() if value is not None}
    return {
        **keys.conversation_key(owner, conversation.id),
        **keys.index_keys(
            owner,
            conversation.group_id,
            pinned=conversation.is_pinned,
            muted=conversation.is_muted,
            archived=conversation.archived_at is not None,
        ),
        **fields,
        "version": 1,
    }


def _plan_query(owner: str, filters: ListFilters) -> _QueryPlan:
    """Serve the most selective filter from its index; the others become a FilterExpression."""
    wanted: list[tuple[StatusIndex, str]] = []
    if filters.group_id is not None:
        wanted.append((StatusIndex.GROUP, keys.group_partition(owner, filters.group_id)))
    flags = {
        StatusIndex.PINNED: filters.pinned,
        StatusIndex.MUTED: filters.muted,
        StatusIndex.ARCHIVED: filters.archived,
    }
    # Expected selectivity, rarest first: few conversations are pinned, muted or archived.
    for index, value in (
        (StatusIndex.PINNED, True),
        (StatusIndex.MUTED, True),
        (StatusIndex.ARCHIVED, True),
        (StatusIndex.ARCHIVED, False),
        (StatusIndex.MUTED, False),
        (StatusIndex.PINNED, False),
    ):
        if flags[index] is value:
            wanted.append((index, keys.flag_partition(owner, index, value)))
    if not wanted:
        return _QueryPlan(index=None, partition_value=keys.owner_partition(owner), filters={})
    (key_index, key_value), *rest = wanted
    return _QueryPlan(
        index=key_index,
        partition_value=key_value,
        filters={index.key_attribute: value for index, value in rest},
    )


def index_key_changes(owner: str, changes: Mapping[str, Any]) -> dict[str, str]:
    """Toggling a status moves the item between that status's index partitions in the same write."""
    moved: dict[str, str] = {}
    if "is_pinned" in changes:
        moved[StatusIndex.PINNED.key_attribute] = keys.flag_partition(
            owner, StatusIndex.PINNED, bool(changes["is_pinned"])
        )
    if "is_muted" in changes:
        moved[StatusIndex.MUTED.key_attribute] = keys.flag_partition(
            owner, StatusIndex.MUTED, bool(changes["is_muted"])
        )
    if "archived_at" in changes:
        moved[StatusIndex.ARCHIVED.key_attribute] = keys.flag_partition(
            owner, StatusIndex.ARCHIVED, changes["archived_at"] is not None
        )
    return moved


class ConversationRepository:
    def __init__(self, table: Table, remove_files: RemoveFiles = refuse_files) -> None:
        self._table = table
        # A conversation's delete deletes its messages' files too.
        self._remove_files = remove_files

    def open(self, owner: str, conversation: Conversation) -> VersionedConversation:
        """Store the conversation and link its contact or group to it, in one transaction; or,
        when that contact or group has one already, return that one (`is_new` False) and change
        nothing. Racing opens for one contact create one conversation: the link decides."""
        party = _party_of(owner, conversation)
        for _ in range(OPEN_ATTEMPTS):
            try:
                self._table.transact(
                    [
                        self._table.put_action(to_item(owner, conversation), "attribute_not_exists(PK)"),
                        link_conversation(
                            self._table, party.key, conversation.id, party.index_keys(owner, linked=True)
                        ),
                    ]
                )
                return Versioned(conversation, version=1)
            except TransactionCancelled as cancelled:
                conversation_reason, party_reason = cancelled.reasons
                if conversation_reason.failed:
                    raise IdTaken(conversation.id) from cancelled
                if party_reason.item is None:
                    raise InvalidRequest(
                        f"{party.param} '{party.party_id}' is not one of your {party.resource}", party.param
                    ) from cancelled
                linked = party_reason.item.get(LINKED_CONVERSATION)
                existing = self._table.get(keys.conversation_key(owner, str(linked))) if linked else None
                if existing is not None:
                    opened = versioned(existing, to_conversation)
                    return Versioned(opened.resource, opened.version, is_new=False)
        raise ServiceUnavailable("the conversation is being deleted; retry the request")

    def record_open(self, owner: str, conversation_id: str, opened_at: int) -> VersionedConversation:
        # Opening changes no field a client edits, so the version (the ETag) stays.
        update, condition = update_expression({"last_opened_at": opened_at})
        return self._update(owner, conversation_id, update, condition)

    def update(
        self,
        owner: str,
        conversation_id: str,
        changes: Mapping[str, Any],
        expected_version: int | None = None,
    ) -> VersionedConversation:
        """Apply a partial update in one conditional UpdateItem (never read-modify-write).

        With `expected_version` (from If-Match) the write happens only if nobody changed the
        conversation since; concurrent updates of different fields without it all land.
        """
        set_values = {name: value for name, value in changes.items() if value is not None}
        set_values.update(index_key_changes(owner, changes))
        remove = [name for name, value in changes.items() if value is None]
        update, condition = update_expression(set_values, remove, bump_version=True, expected_version=expected_version)
        pinned_message_id = changes.get("pinned_message_id")
        if pinned_message_id is None:
            return self._update(owner, conversation_id, update, condition)
        return self._update_pinning(owner, conversation_id, pinned_message_id, update, condition)

    def _update_pinning(
        self, owner: str, conversation_id: str, message_id: str, update: Expression, condition: Expression
    ) -> VersionedConversation:
        """The update, in one transaction with the check that the message is one of this
        conversation's: a message deleted meanwhile is never left pinned."""
        key = keys.conversation_key(owner, conversation_id)
        update_conversation = with_expressions(
            {"TableName": self._table.name, "Key": serialize(key), "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
            update=update,
            condition=condition,
        )
        message_exists = {
            "TableName": self._table.name,
            "Key": serialize(keys.message_key(owner, conversation_id, message_id)),
            "ConditionExpression": "attribute_exists(PK)",
        }
        try:
            self._table.transact([{"Update": update_conversation}, {"ConditionCheck": message_exists}])
        except TransactionCancelled as cancelled:
            conversation_reason, _ = cancelled.reasons
            if conversation_reason.failed:
                raise missing_or_stale(RESOURCE, conversation_id, conversation_reason.item) from cancelled
            raise InvalidRequest(
                f"pinned_message_id '{message_id}' is not a message of conversation '{conversation_id}'",
                "pinned_message_id",
            ) from cancelled
        # A transaction returns no item: read it back, strongly consistent.
        item = self._table.get(key)
        if item is None:
            raise NotFound(RESOURCE, conversation_id)
        return versioned(item, to_conversation)

    def _update(
        self, owner: str, conversation_id: str, update: Expression, condition: Expression
    ) -> VersionedConversation:
        try:
            item = self._table.update(keys.conversation_key(owner, conversation_id), update, condition)
        except ConditionFailed as failed:
            raise missing_or_stale(RESOURCE, conversation_id, failed.item) from failed
        return versioned(item, to_conversation)

    def list_page(self, owner: str, request: PageRequest) -> Page[Conversation]:
        """Read one page, at most limit + 1 items when every filter is a key."""
        plan = _plan_query(owner, request.filters)
        result = self._table.query(
            self._query_arguments(owner, plan, request),
            wanted=request.limit + 1,
            filtered=bool(plan.filters),
            position=request.position,
        )
        if plan.index is None:
            return to_page(result, request.limit, request.position, to_conversation)
        entries = to_page(result, request.limit, request.position, dict)
        whole = self._table.whole_items(entries, {plan.index.key_attribute: plan.partition_value, **plan.filters})
        return Page(items=[to_conversation(item) for item in whole.items], has_more=whole.has_more)

    def _query_arguments(self, owner: str, plan: _QueryPlan, request: PageRequest) -> dict[str, Any]:
        names: dict[str, str] = {}
        values: dict[str, Any] = {":partition": plan.partition_value}
        query: dict[str, Any] = {
            "TableName": self._table.name,
            "ScanIndexForward": scan_forward(request.position),
        }
        if plan.index is None:
            # Unfiltered lists read the base table, strongly consistent: a new conversation shows at once.
            names.update({"#pk": keys.PK, "#sk": keys.SK})
            values[":prefix"] = keys.CONVERSATION_PREFIX
            query["KeyConditionExpression"] = "#pk = :partition AND begins_with(#sk, :prefix)"
            query["ConsistentRead"] = True
        else:
            names["#pk"] = plan.index.key_attribute
            query["IndexName"] = plan.index.index_name
            query["KeyConditionExpression"] = "#pk = :partition"
        if plan.filters:
            conditions = []
            for i, (attribute, value) in enumerate(plan.filters.items()):
                names[f"#f{i}"] = attribute
                values[f":f{i}"] = value
                conditions.append(f"#f{i} = :f{i}")
            query["FilterExpression"] = " AND ".join(conditions)
        if request.position.cursor is not None:
            start_key = keys.conversation_key(owner, request.position.cursor)
            if plan.index is not None:
                start_key[plan.index.key_attribute] = plan.partition_value
            query["ExclusiveStartKey"] = serialize(start_key)
        query["ExpressionAttributeNames"] = names
        query["ExpressionAttributeValues"] = serialize(values)
        return query

    def delete(self, owner: str, conversation_id: str, expected_version: int | None = None) -> None:
        """Delete a conversation and everything that belongs to it.

        The conversation item is swapped for a deletion mark, and its contact's or group's link
        cleared, in one transaction, so it vanishes from every read at once. Its children are
        then removed, then the mark. If this dies part way, the mark remains and a retried
        delete finishes the job.
        """
        mark_key = keys.deletion_mark_key(owner, conversation_id)
        item = self._table.get(keys.conversation_key(owner, conversation_id))
        if item is not None:
            self._swap_for_mark(owner, to_conversation(item), expected_version)
        elif self._table.get(mark_key) is None:
            raise NotFound(RESOURCE, conversation_id)
        remove_children(self._table, owner, conversation_id, self._remove_files)

    def _swap_for_mark(self, owner: str, conversation: Conversation, expected_version: int | None) -> None:
        actions = remove_conversation_actions(self._table, owner, conversation.id, version_condition(expected_version))
        party = _party_of(owner, conversation)
        unlink = unlink_conversation(self._table, party.key, conversation.id, party.index_keys(owner, linked=False))
        try:
            self._table.transact([*actions, unlink])
        except TransactionCancelled as cancelled:
            conversation_reason = cancelled.reasons[0]
            if conversation_reason.failed:
                raise missing_or_stale(RESOURCE, conversation.id, conversation_reason.item) from cancelled
            # Its contact or group does not link it: a conversation stored before links existed
            # (its contact_id named nothing). Nothing to unlink.
            try:
                self._table.transact(actions)
            except TransactionCancelled as again:
                raise missing_or_stale(RESOURCE, conversation.id, again.reasons[0].item) from again
