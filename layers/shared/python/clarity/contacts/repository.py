"""The contacts' storage: one item per contact in its owner's partition, and a claim per
username that keeps usernames unique among an owner's contacts whatever the concurrency."""

from collections.abc import Iterable, Mapping
from typing import Any

from clarity.contacts.models import Contact, ContactPageRequest, VersionedContact
from clarity.core.errors import Conflict, NotFound
from clarity.core.ids import IdTaken
from clarity.core.paging import Page
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
    versioned,
    with_expressions,
)
from clarity.store.keys import StatusIndex
from clarity.store.links import GROUP_IDS, GROUP_JOINS, RemoveFiles, drop_member, refuse_files, remove_with_mark
from clarity.store.pages import status_page

RESOURCE = "contact"


def to_contact(item: Mapping[str, Any]) -> Contact:
    return Contact(
        id=item["id"],
        username=item["username"],
        phone_number=item["phone_number"],
        avatar_url=item.get("avatar_url"),
        display_name=item.get("display_name"),
        conversation_id=item.get("conversation_id"),
        last_active_at=optional_int(item.get("last_active_at")),
        created_at=int(item["created_at"]),
    )


def to_item(owner: str, contact: Contact) -> Item:
    """The item a contact is stored as, its index key included."""
    # Nulls are not stored, as for conversations: absent attributes keep items small.
    fields = {name: value for name, value in contact.model_dump().items() if value is not None}
    return {
        **keys.contact_key(owner, contact.id),
        **keys.contact_index_keys(owner, active=contact.conversation_id is not None),
        **fields,
        "version": 1,
    }


class ContactRepository:
    def __init__(self, table: Table, remove_files: RemoveFiles = refuse_files) -> None:
        self._table = table
        # Deleting it deletes its conversation, and so its messages' files.
        self._remove_files = remove_files

    def create(self, owner: str, contact: Contact) -> None:
        """Store the contact and claim its username, in one transaction: a second contact with
        the same username (in any case) is refused, also when the two creates race."""
        claim = {**keys.username_key(owner, contact.username), "contact_id": contact.id}
        claim_action = self._table.put_action(claim, "attribute_not_exists(PK)")
        claim_action["Put"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            self._table.transact(
                [self._table.put_action(to_item(owner, contact), "attribute_not_exists(PK)"), claim_action]
            )
        except TransactionCancelled as cancelled:
            contact_reason, claim_reason = cancelled.reasons
            if contact_reason.failed:
                raise IdTaken(contact.id) from cancelled
            holder = (claim_reason.item or {}).get("contact_id", "?")
            raise Conflict(
                f"username '{contact.username}' is already the username of your contact '{holder}'"
            ) from cancelled

    def retrieve(self, owner: str, contact_id: str) -> VersionedContact:
        item = self._table.get(keys.contact_key(owner, contact_id))
        if item is None:
            raise NotFound(RESOURCE, contact_id)
        return versioned(item, to_contact)

    def update(
        self, owner: str, contact_id: str, changes: Mapping[str, Any], expected_version: int | None = None
    ) -> VersionedContact:
        """One conditional UpdateItem of the fields sent (null removes); with If-Match, only
        that version is changed."""
        set_values = {name: value for name, value in changes.items() if value is not None}
        remove = [name for name, value in changes.items() if value is None]
        update, condition = update_expression(set_values, remove, bump_version=True, expected_version=expected_version)
        try:
            item = self._table.update(keys.contact_key(owner, contact_id), update, condition)
        except ConditionFailed as failed:
            raise missing_or_stale(RESOURCE, contact_id, failed.item) from failed
        return versioned(item, to_contact)

    def by_ids(self, owner: str, contact_ids: Iterable[str]) -> dict[str, Contact]:
        """The contacts of these ids that exist, by id, as GET /v1/contacts/:id would return
        them now (one strongly consistent BatchGetItem per 100)."""
        wanted = list(dict.fromkeys(contact_ids))
        items = self._table.get_all([keys.contact_key(owner, contact_id) for contact_id in wanted])
        return {str(item["id"]): to_contact(item) for item in items}

    def delete(self, owner: str, contact_id: str, expected_version: int | None = None) -> None:
        """Delete the contact, release its username, and remove its conversation, in one
        transaction; then the conversation's messages, and the contact from every group.

        The transaction leaves a removal mark naming the groups and the conversation: should this
        die part way, a retried delete finds the mark and finishes the job. A group that adds the
        contact meanwhile counts a join (links.GROUP_JOINS), which the transaction checks.
        """
        target = (RESOURCE, contact_id, keys.contact_key(owner, contact_id))

        def unlink(mark: Mapping[str, Any]) -> None:
            for group_id in mark.get(GROUP_IDS, []):
                drop_member(self._table, owner, str(group_id), contact_id)

        def plan(item: Item, mark: dict[str, Any]) -> list[dict[str, Any]]:
            return self._removal_actions(owner, item, mark)

        remove_with_mark(self._table, owner, target, expected_version, plan, unlink, self._remove_files)

    def _removal_actions(self, owner: str, item: Item, mark: dict[str, Any]) -> list[dict[str, Any]]:
        """The contact, unchanged since read, and its username's claim; the mark names its groups."""
        mark[GROUP_IDS] = sorted(item.get(GROUP_IDS, set()))
        unchanged = Expression(
            "#version = :version AND (attribute_not_exists(#joins) OR #joins = :joins)",
            {"#version": "version", "#joins": GROUP_JOINS},
            {":version": item["version"], ":joins": item.get(GROUP_JOINS, 0)},
        )
        delete_contact = with_expressions(
            {"TableName": self._table.name, "Key": serialize(keys.contact_key(owner, str(item["id"])))},
            condition=unchanged,
        )
        release_username = {
            "TableName": self._table.name,
            "Key": serialize(keys.username_key(owner, str(item["username"]))),
            "ConditionExpression": "attribute_not_exists(PK) OR #contact = :contact",
            "ExpressionAttributeNames": {"#contact": "contact_id"},
            "ExpressionAttributeValues": serialize({":contact": item["id"]}),
        }
        return [{"Delete": delete_contact}, {"Delete": release_username}]

    def list_page(self, owner: str, request: ContactPageRequest) -> Page[Contact]:
        """Newest first: the owner's contacts from the table, or, with `active`, from GSI1's
        partition of active (or other) contacts, then read whole. At most limit + 1 entries."""
        entries = status_page(
            self._table,
            owner,
            prefix=keys.CONTACT_PREFIX,
            sort_key=keys.contact_sort_key,
            index=StatusIndex.CONTACT_ACTIVE,
            status=request.active,
            limit=request.limit,
            position=request.position,
        )
        return Page(items=[to_contact(item) for item in entries.items], has_more=entries.has_more)
