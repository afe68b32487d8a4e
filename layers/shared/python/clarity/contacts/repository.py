"""The contacts' storage: one item per contact in its owner's partition, and a claim per
username that keeps usernames unique among an owner's contacts whatever the concurrency."""

from collections.abc import Mapping
from typing import Any

from clarity.contacts.models import Contact, ContactPageRequest, VersionedContact
from clarity.core.errors import Conflict, NotFound
from clarity.core.ids import IdTaken
from clarity.core.paging import Page
from clarity.store import keys
from clarity.store.dynamodb import (
    ConditionFailed,
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
    def __init__(self, table: Table) -> None:
        self._table = table

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

    def delete(self, owner: str, contact_id: str, expected_version: int | None = None) -> None:
        """Delete the contact and release its username, in one transaction."""
        existing = self.retrieve(owner, contact_id).resource
        delete_contact = with_expressions(
            {
                "TableName": self._table.name,
                "Key": serialize(keys.contact_key(owner, contact_id)),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
            condition=version_condition(expected_version),
        )
        release_username = {
            "TableName": self._table.name,
            "Key": serialize(keys.username_key(owner, existing.username)),
            "ConditionExpression": "#contact = :contact",
            "ExpressionAttributeNames": {"#contact": "contact_id"},
            "ExpressionAttributeValues": serialize({":contact": contact_id}),
        }
        try:
            self._table.transact([{"Delete": delete_contact}, {"Delete": release_username}])
        except TransactionCancelled as cancelled:
            # Deleted meanwhile (its claim with it), or changed since the ETag given.
            raise missing_or_stale(RESOURCE, contact_id, cancelled.reasons[0].item) from cancelled

    def list_page(self, owner: str, request: ContactPageRequest) -> Page[Contact]:
        """Newest first: the owner's contacts from the table, or, with `active`, from GSI1's
        partition of active (or other) contacts, then read whole. At most limit + 1 entries."""
        index = StatusIndex.CONTACT_ACTIVE
        query: dict[str, Any] = {"TableName": self._table.name, "ScanIndexForward": scan_forward(request.position)}
        start_key: dict[str, str] | None = None
        if request.position.cursor is not None:
            start_key = keys.contact_key(owner, request.position.cursor)
        if request.active is None:
            query["KeyConditionExpression"] = "#pk = :partition AND begins_with(#sk, :prefix)"
            query["ExpressionAttributeNames"] = {"#pk": keys.PK, "#sk": keys.SK}
            values = {":partition": keys.owner_partition(owner), ":prefix": keys.CONTACT_PREFIX}
            query["ConsistentRead"] = True
        else:
            partition = keys.flag_partition(owner, index, request.active)
            query["IndexName"] = index.index_name
            query["KeyConditionExpression"] = "#pk = :partition"
            query["ExpressionAttributeNames"] = {"#pk": index.key_attribute}
            values = {":partition": partition}
            if start_key is not None:
                start_key[index.key_attribute] = partition
        query["ExpressionAttributeValues"] = serialize(values)
        if start_key is not None:
            query["ExclusiveStartKey"] = serialize(start_key)
        result = self._table.query(query, wanted=request.limit + 1, filtered=False, position=request.position)
        if request.active is None:
            return to_page(result, request.limit, request.position, to_contact)
        entries = to_page(result, request.limit, request.position, dict)
        whole = self._table.whole_items(entries, {index.key_attribute: values[":partition"]})
        return Page(items=[to_contact(item) for item in whole.items], has_more=whole.has_more)
