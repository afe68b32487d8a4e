"""Every DynamoDB key of the table is built here, and nowhere else.

Layout (see the access-patterns table in docs/architecture.md):

    conversation     PK=OWNER#<owner>                  SK=CONV#<id>
    deletion mark    PK=OWNER#<owner>                  SK=DELETING#<id>
    message          PK=OWNER#<owner>#CONV#<conv id>   SK=MSG#<id>    (a child of its conversation)
    message pointer  PK=OWNER#<owner>                  SK=MSG#<id>    (conversation_id: finds it by id)
    webhook          PK=OWNER#<owner>                  SK=HOOK#<id>
    webhook count    PK=OWNER#<owner>                  SK=HOOKS       (how many the owner has: at most 16; its newest)
    contact          PK=OWNER#<owner>                  SK=CONTACT#<id>
    username claim   PK=OWNER#<owner>                  SK=USERNAME#<lower case>  (contact_id: unique per owner)
    group            PK=OWNER#<owner>                  SK=GROUP#<id>  (member_ids: its members, in order)
    removal mark     PK=OWNER#<owner>                  SK=DELETING#CONTACT#<id> or DELETING#GROUP#<id>
                     (what a contact's or group's delete still has to unlink, should it die part way)
    attachment       PK=OWNER#<owner>                  SK=ATTACH#<id> (object_key: its file in S3)
    attachment bytes PK=OWNER#<owner>                  SK=ATTACHMENT_BYTES (bytes: what the owner stores)
    file removal     PK=OWNER#<owner>                  SK=DELETING#ATTACH#<id> (object_key: a file still to delete)
    removed upload   PK=OWNER#<owner>                  SK=REMOVED#ATTACH#<id> (object_key, remove_at: a removed
                     direct upload's form may store a file until then; the sweep deletes it after)

    GSI1 (group, sparse)  GSI1PK=OWNER#<owner>#GROUP#<group_id>   sort key SK
    GSI2 (pinned)         GSI2PK=OWNER#<owner>#PINNED#<0|1>       sort key SK
    GSI3 (muted)          GSI3PK=OWNER#<owner>#MUTED#<0|1>        sort key SK
    GSI4 (archived)       GSI4PK=OWNER#<owner>#ARCHIVED#<0|1>     sort key SK

    GSI1 also serves contacts (overloaded: contacts have no group):
                          GSI1PK=OWNER#<owner>#CONTACTS#ACTIVE#<0|1>   (a conversation with you, or not)
    GSI4 also serves groups (overloaded: the same status, another resource):
                          GSI4PK=OWNER#<owner>#GROUPS#ARCHIVED#<0|1>
    GSI1 also serves attachments once attached (overloaded: an attachment has no group):
                          GSI1PK=OWNER#<owner>#ATTACHMENTS#CONV#<conversation_id>
    GSI2 also serves the attachment sweep, across owners (overloaded: an attachment is never pinned):
                          GSI2PK=WAITING#ATTACHMENTS#<0-9>   (records waiting for their files)
                          GSI2PK=REMOVED#ATTACHMENTS#<0-9>   (removed uploads' marks)

Links between items of different resources (clarity.store.links writes them):
    contact.conversation_id, group.conversation_id   the one conversation with it, or absent
    contact.group_ids                                the groups it is a member of (a set)
    group.member_ids                                 its members, in the order given

Every partition key a request queries starts with the owner, so no request can reach another owner's
items; only the sweep reads GSI2's shared partitions.
"""

import zlib
from collections.abc import Mapping
from enum import Enum
from typing import Any

PK = "PK"
SK = "SK"
OWNER_PREFIX = "OWNER#"
CONVERSATION_PREFIX = "CONV#"
MESSAGE_PREFIX = "MSG#"
WEBHOOK_PREFIX = "HOOK#"
CONTACT_PREFIX = "CONTACT#"
USERNAME_PREFIX = "USERNAME#"
GROUP_PREFIX = "GROUP#"
ATTACHMENT_PREFIX = "ATTACH#"
DELETING_PREFIX = "DELETING#"
REMOVED_ATTACHMENT_PREFIX = "REMOVED#ATTACH#"
CHILDREN_SEGMENT = "#CONV#"


class StatusIndex(Enum):
    """A filterable status and the index that serves it."""

    GROUP = ("GSI1", "GSI1PK", "GROUP")
    PINNED = ("GSI2", "GSI2PK", "PINNED")
    MUTED = ("GSI3", "GSI3PK", "MUTED")
    ARCHIVED = ("GSI4", "GSI4PK", "ARCHIVED")
    CONTACT_ACTIVE = ("GSI1", "GSI1PK", "CONTACTS#ACTIVE")
    GROUP_ARCHIVED = ("GSI4", "GSI4PK", "GROUPS#ARCHIVED")
    ATTACHMENT_CONVERSATION = ("GSI1", "GSI1PK", "ATTACHMENTS#CONV")

    def __init__(self, index_name: str, key_attribute: str, label: str) -> None:
        self.index_name = index_name
        self.key_attribute = key_attribute
        self.label = label


def _owner_segment(owner: str) -> str:
    # Owners come from a token's `sub`; escaping `#` keeps one owner's keys from spelling another's.
    return owner.replace("%", "%25").replace("#", "%23")


def owner_partition(owner: str) -> str:
    return f"{OWNER_PREFIX}{_owner_segment(owner)}"


def owner_of_partition(partition: str) -> str:
    """The owner a partition key belongs to: the inverse of the escaping above."""
    segment = partition.removeprefix(OWNER_PREFIX).split("#", 1)[0]
    return segment.replace("%23", "#").replace("%25", "%")


def conversation_sort_key(conversation_id: str) -> str:
    return f"{CONVERSATION_PREFIX}{conversation_id}"


def conversation_key(owner: str, conversation_id: str) -> dict[str, str]:
    return {PK: owner_partition(owner), SK: conversation_sort_key(conversation_id)}


def deletion_mark_key(owner: str, conversation_id: str) -> dict[str, str]:
    return {PK: owner_partition(owner), SK: f"{DELETING_PREFIX}{conversation_id}"}


def removal_mark_key(owner: str, item_key: Mapping[str, str]) -> dict[str, str]:
    """The mark a contact's or a group's delete leaves until it has unlinked everything."""
    return {PK: owner_partition(owner), SK: f"{DELETING_PREFIX}{item_key[SK]}"}


def children_partition(owner: str, conversation_id: str) -> str:
    return f"{owner_partition(owner)}{CHILDREN_SEGMENT}{conversation_id}"


def is_conversation(key: Mapping[str, str]) -> bool:
    return CHILDREN_SEGMENT not in key[PK] and key[SK].startswith(CONVERSATION_PREFIX)


def is_message(key: Mapping[str, str]) -> bool:
    """The message itself (in its conversation's partition), not the owner's pointer to it."""
    return CHILDREN_SEGMENT in key[PK] and key[SK].startswith(MESSAGE_PREFIX)


def group_partition(owner: str, group_id: str) -> str:
    return f"{owner_partition(owner)}#{StatusIndex.GROUP.label}#{group_id}"


def flag_partition(owner: str, index: StatusIndex, value: bool) -> str:
    return f"{owner_partition(owner)}#{index.label}#{int(value)}"


def index_keys(owner: str, group_id: str | None, *, pinned: bool, muted: bool, archived: bool) -> dict[str, str]:
    """The GSI key attributes an item with these values must carry."""
    keys = {
        StatusIndex.PINNED.key_attribute: flag_partition(owner, StatusIndex.PINNED, pinned),
        StatusIndex.MUTED.key_attribute: flag_partition(owner, StatusIndex.MUTED, muted),
        StatusIndex.ARCHIVED.key_attribute: flag_partition(owner, StatusIndex.ARCHIVED, archived),
    }
    if group_id is not None:
        keys[StatusIndex.GROUP.key_attribute] = group_partition(owner, group_id)
    return keys


def message_sort_key(message_id: str) -> str:
    return f"{MESSAGE_PREFIX}{message_id}"


def message_key(owner: str, conversation_id: str, message_id: str) -> dict[str, str]:
    """The message itself, among its conversation's children: a page of them is one Query."""
    return {PK: children_partition(owner, conversation_id), SK: message_sort_key(message_id)}


def message_pointer_key(owner: str, message_id: str) -> dict[str, str]:
    """The owner's pointer to a message: GET /v1/messages/<id> knows no conversation, and the
    pointer names it, strongly consistent (a GSI would lag)."""
    return {PK: owner_partition(owner), SK: message_sort_key(message_id)}


def with_companions(owner: str, child: Mapping[str, Any]) -> list[dict[str, str]]:
    """A child item's key, and the keys of the items that exist only because it does."""
    own = {PK: str(child[PK]), SK: str(child[SK])}
    if own[SK].startswith(MESSAGE_PREFIX):
        return [own, message_pointer_key(owner, own[SK].removeprefix(MESSAGE_PREFIX))]
    return [own]


def webhook_sort_key(webhook_id: str) -> str:
    return f"{WEBHOOK_PREFIX}{webhook_id}"


def webhook_key(owner: str, webhook_id: str) -> dict[str, str]:
    return {PK: owner_partition(owner), SK: webhook_sort_key(webhook_id)}


def webhook_count_key(owner: str) -> dict[str, str]:
    return {PK: owner_partition(owner), SK: "HOOKS"}


def contact_sort_key(contact_id: str) -> str:
    return f"{CONTACT_PREFIX}{contact_id}"


def contact_key(owner: str, contact_id: str) -> dict[str, str]:
    return {PK: owner_partition(owner), SK: contact_sort_key(contact_id)}


def is_contact(key: Mapping[str, str]) -> bool:
    return CHILDREN_SEGMENT not in key[PK] and key[SK].startswith(CONTACT_PREFIX)


def username_key(owner: str, username: str) -> dict[str, str]:
    """The claim that makes a username unique among an owner's contacts, compared without case
    (usernames are ASCII letters, digits, `_`, `.` and `-`)."""
    return {PK: owner_partition(owner), SK: f"{USERNAME_PREFIX}{username.lower()}"}


def contact_index_keys(owner: str, *, active: bool) -> dict[str, str]:
    """The index key a contact carries: in GSI1's partition of active contacts, or of the others."""
    return {StatusIndex.CONTACT_ACTIVE.key_attribute: flag_partition(owner, StatusIndex.CONTACT_ACTIVE, active)}


def group_sort_key(group_id: str) -> str:
    return f"{GROUP_PREFIX}{group_id}"


def group_key(owner: str, group_id: str) -> dict[str, str]:
    return {PK: owner_partition(owner), SK: group_sort_key(group_id)}


def is_attachment(key: Mapping[str, str]) -> bool:
    return CHILDREN_SEGMENT not in key[PK] and key[SK].startswith(ATTACHMENT_PREFIX)


def is_group(key: Mapping[str, str]) -> bool:
    return CHILDREN_SEGMENT not in key[PK] and key[SK].startswith(GROUP_PREFIX)


def group_index_keys(owner: str, *, archived: bool) -> dict[str, str]:
    """The index key a group carries: in GSI4's partition of archived groups, or of the others."""
    return {StatusIndex.GROUP_ARCHIVED.key_attribute: flag_partition(owner, StatusIndex.GROUP_ARCHIVED, archived)}


def attachment_sort_key(attachment_id: str) -> str:
    return f"{ATTACHMENT_PREFIX}{attachment_id}"


def attachment_key(owner: str, attachment_id: str) -> dict[str, str]:
    return {PK: owner_partition(owner), SK: attachment_sort_key(attachment_id)}


def attachment_bytes_key(owner: str) -> dict[str, str]:
    """The owner's count of stored bytes, which the upload quota is checked against."""
    return {PK: owner_partition(owner), SK: "ATTACHMENT_BYTES"}


# Direct uploads waiting for their files, of every owner, spread over this many GSI2 partitions
# (each takes about 1,000 writes a second): what the expiry sweep reads.
WAITING_ATTACHMENT_SHARDS = 10
WAITING_ATTACHMENTS_INDEX = "GSI2"
WAITING_ATTACHMENTS_KEY = "GSI2PK"


def waiting_attachments_partition(attachment_id: str) -> str:
    """The GSI2 partition of an attachment waiting for its file (GSI2 overloaded: an attachment
    is never pinned). Not under an owner: the sweep reads every owner's."""
    return waiting_attachments_shard(_attachment_shard(attachment_id))


def waiting_attachments_shard(shard: int) -> str:
    return f"WAITING#ATTACHMENTS#{shard}"


def _attachment_shard(attachment_id: str) -> int:
    return zlib.crc32(attachment_id.encode()) % WAITING_ATTACHMENT_SHARDS


def removed_attachment_key(owner: str, attachment_id: str) -> dict[str, str]:
    """The mark a removed direct upload leaves while its upload form may still be used: the sweep
    deletes whatever that form stores once it has expired."""
    return {PK: owner_partition(owner), SK: f"{REMOVED_ATTACHMENT_PREFIX}{attachment_id}"}


def removed_attachments_partition(attachment_id: str) -> str:
    """The GSI2 partition of a removed direct upload's mark (GSI2 overloaded, as for waiting)."""
    return removed_attachments_shard(_attachment_shard(attachment_id))


def removed_attachments_shard(shard: int) -> str:
    return f"REMOVED#ATTACHMENTS#{shard}"


def attachments_partition(owner: str, conversation_id: str) -> str:
    """GSI1's partition of one conversation's attached files."""
    return f"{owner_partition(owner)}#{StatusIndex.ATTACHMENT_CONVERSATION.label}#{conversation_id}"
