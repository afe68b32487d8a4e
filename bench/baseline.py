"""The simplest handler that could do each endpoint's job: boto3, the same DynamoDB requests, JSON out.

No validation, no logging, no tracing, no metrics: the floor our handlers are compared with. Its
requests are ours, parameter for parameter (tests/integration/test_bench_baseline.py holds them
equal), so the comparison measures what our handler adds around DynamoDB, not a cheaper request.
"""

import json
import secrets
import time
from typing import Any

Request = tuple[str, dict[str, Any]]


def make_client(endpoint_url: str | None, service: str = "dynamodb") -> Any:
    import boto3  # noqa: PLC0415 - importing boto3 is part of what the baseline's cold start pays

    if service == "sqs":
        return boto3.client("sqs", region_name="us-east-1", endpoint_url=endpoint_url)
    if service == "s3":
        from botocore.config import Config  # noqa: PLC0415

        # Download links are signature version 4, as ours are (the only one S3 takes everywhere).
        return boto3.client(
            "s3", region_name="us-east-1", endpoint_url=endpoint_url, config=Config(signature_version="s3v4")
        )
    return boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint_url)


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_last_tick = -1


def new_id() -> str:
    """A fresh 16-character id made as ours are (conversations, messages and webhooks alike): the
    second and millisecond in 8 base-62 characters, never twice the same in this process, then
    8 random ones. Sends must sort after the conversation's newest message, as ours do."""
    global _last_tick  # noqa: PLW0603 - one process, one order
    now = time.time()
    _last_tick = max(int(now) * 62**2 + int(now % 1 * 1000), _last_tick + 1)
    tick, digits = _last_tick, ""
    for _ in range(8):
        tick, digit = divmod(tick, 62)
        digits = ALPHABET[digit] + digits
    return digits + "".join(secrets.choice(ALPHABET) for _ in range(8))


# The contact the bench's conversations are with (each bench owner has it; a contact has one
# conversation, so a create measures an open of its first).
BENCH_CONTACT_ID = "1xWBJdS8u0Jns3Zf"


def new_item(owner: str, conversation_id: str, now: int, contact_id: str = BENCH_CONTACT_ID) -> dict[str, Any]:
    """The item a created conversation is stored as (a contact, no group), index keys included."""
    return {
        "PK": {"S": f"OWNER#{owner}"},
        "SK": {"S": f"CONV#{conversation_id}"},
        "GSI2PK": {"S": f"OWNER#{owner}#PINNED#0"},
        "GSI3PK": {"S": f"OWNER#{owner}#MUTED#0"},
        "GSI4PK": {"S": f"OWNER#{owner}#ARCHIVED#0"},
        "id": {"S": conversation_id},
        "contact_id": {"S": contact_id},
        "is_pinned": {"BOOL": False},
        "is_muted": {"BOOL": False},
        "created_at": {"N": str(now)},
        "version": {"N": "1"},
    }


# The name the bench's groups are made with, and the one an update renames them to.
GROUP_NAME = "Plaza Hotel"
GROUP_RENAMED = "The Plaza"


def new_group_item(owner: str, group_id: str, conversation_id: str, members: list[str], now: int) -> dict[str, Any]:
    """The item a created group is stored as: its conversation and its members named on it."""
    return {
        "PK": {"S": f"OWNER#{owner}"},
        "SK": {"S": f"GROUP#{group_id}"},
        "GSI4PK": {"S": f"OWNER#{owner}#GROUPS#ARCHIVED#0"},
        "id": {"S": group_id},
        "name": {"S": GROUP_NAME},
        "conversation_id": {"S": conversation_id},
        "member_ids": {"L": [{"S": member} for member in members]},
        "created_at": {"N": str(now)},
        "version": {"N": "1"},
    }


def new_group_conversation_item(owner: str, conversation_id: str, group_id: str, now: int) -> dict[str, Any]:
    """The item a group's conversation is stored as: in GSI1's partition of its group too."""
    item = new_item(owner, conversation_id, now)
    del item["contact_id"]
    return {**item, "GSI1PK": {"S": f"OWNER#{owner}#GROUP#{group_id}"}, "group_id": {"S": group_id}}


def new_message_item(owner: str, conversation_id: str, message_id: str, now: int) -> dict[str, Any]:
    """The item a sent message is stored as: among its conversation's children."""
    return {
        "PK": {"S": f"OWNER#{owner}#CONV#{conversation_id}"},
        "SK": {"S": f"MSG#{message_id}"},
        "id": {"S": message_id},
        "conversation_id": {"S": conversation_id},
        "message": {"S": "hi"},
        "created_at": {"N": str(now)},
        "version": {"N": "1"},
    }


def new_webhook_item(owner: str, webhook_id: str, secret: str, now: int) -> dict[str, Any]:
    """The item a registered webhook is stored as, in its owner's partition."""
    return {
        "PK": {"S": f"OWNER#{owner}"},
        "SK": {"S": f"HOOK#{webhook_id}"},
        "id": {"S": webhook_id},
        "name": {"S": "bench"},
        "url": {"S": "http://127.0.0.1:9/hook"},
        "events": {"L": [{"S": "*"}]},
        "created_at": {"N": str(now)},
        "secret": {"S": secret},
        "version": {"N": "1"},
    }


# What a contact's create sends besides its username (the reference's example number, read in the
# US), and the display name its update sets.
CONTACT_PHONE_NUMBER = "1-800-759-3000"
CONTACT_DISPLAY_NAME = "Uncle Frank"


def bench_username(contact_id: str) -> str:
    """The username of the contact the bench creates with `contact_id`: unique per create, since
    usernames are unique per owner and the cold benches create many contacts on one table."""
    return f"bench-{contact_id}"


def new_contact_item(owner: str, contact_id: str, username: str, now: int) -> dict[str, Any]:
    """The item a created contact is stored as: no conversation yet, so in GSI1's partition of
    inactive contacts."""
    return {
        "PK": {"S": f"OWNER#{owner}"},
        "SK": {"S": f"CONTACT#{contact_id}"},
        "GSI1PK": {"S": f"OWNER#{owner}#CONTACTS#ACTIVE#0"},
        "id": {"S": contact_id},
        "username": {"S": username},
        "phone_number": {"S": CONTACT_PHONE_NUMBER},
        "created_at": {"N": str(now)},
        "version": {"N": "1"},
    }


def username_claim_item(owner: str, contact_id: str, username: str) -> dict[str, Any]:
    """The claim that keeps a username unique among its owner's contacts, without case."""
    return {
        "PK": {"S": f"OWNER#{owner}"},
        "SK": {"S": f"USERNAME#{username.lower()}"},
        "contact_id": {"S": contact_id},
    }


def pointer_item(owner: str, conversation_id: str, message_id: str) -> dict[str, Any]:
    """The owner's pointer to a message, which names its conversation."""
    return {"PK": {"S": f"OWNER#{owner}"}, "SK": {"S": f"MSG#{message_id}"}, "conversation_id": {"S": conversation_id}}


# Message endpoints that first read the message's pointer for its conversation.
POINTED = frozenset({"retrieve_message", "update_message", "delete_message"})


def newest_first(table: str, partition: str, prefix: str) -> Request:
    """One page of a partition's items whose sort keys start with `prefix`, newest first, strongly
    consistent, limit + 1 of them: how every unfiltered list reads."""
    return ("Query", {
        "TableName": table,
        "ScanIndexForward": False,
        "KeyConditionExpression": "#pk = :partition AND begins_with(#sk, :prefix)",
        "ConsistentRead": True,
        "ExpressionAttributeNames": {"#pk": "PK", "#sk": "SK"},
        "ExpressionAttributeValues": {":partition": {"S": partition}, ":prefix": {"S": prefix}},
        "Limit": 11,
    })  # fmt: skip


def children_keys(table: str, owner: str, conversation_id: str) -> Request:
    """The keys of a deleted conversation's items (its messages), read to delete them."""
    return ("Query", {
        "TableName": table,
        "KeyConditionExpression": "#pk = :partition",
        "ExpressionAttributeNames": {"#pk": "PK", "#sk": "SK", "#a0": "attachment_ids"},
        "ExpressionAttributeValues": {":partition": {"S": f"OWNER#{owner}#CONV#{conversation_id}"}},
        "ProjectionExpression": "#pk, #sk, #a0",
        "ConsistentRead": True,
    })  # fmt: skip


def requests(
    endpoint: str,
    table: str,
    owner: str,
    conversation_id: str,
    now: int,
    message_id: str = "",
    webhook_id: str = "",
    contact_id: str = "",
    username: str | None = None,
    active: bool | None = None,
    page_keys: list[dict[str, Any]] | None = None,
    group_id: str = "",
    read: dict[str, Any] | None = None,
    attachment_id: str = "",
) -> list[Request]:
    """The DynamoDB requests one call of `endpoint` makes, in order, as (operation, parameters).
    A contact's requests take its `username`, and a list of contacts `active` and `page_keys`
    (`contact_requests`). A group's take `read`, what its first request answered, when it names
    the members and conversation the others act on (`group_requests`)."""
    if endpoint in GROUP_ENDPOINTS:
        return group_requests(endpoint, table, owner, group_id, conversation_id, contact_id, now, read)
    if endpoint in ATTACHMENT_ENDPOINTS:
        return attachment_requests(endpoint, table, owner, attachment_id, read)
    if endpoint in MESSAGE_ENDPOINTS:
        return message_requests(endpoint, table, owner, conversation_id, message_id, now)
    if endpoint in WEBHOOK_ENDPOINTS:
        return webhook_requests(endpoint, table, owner, webhook_id, now)
    if endpoint in CONTACT_ENDPOINTS:
        return contact_requests(endpoint, table, owner, contact_id, now, username, active, page_keys)
    return conversation_requests(endpoint, table, owner, conversation_id, now, contact_id or BENCH_CONTACT_ID)


def conversation_requests(
    endpoint: str, table: str, owner: str, conversation_id: str, now: int, contact_id: str = BENCH_CONTACT_ID
) -> list[Request]:
    """The requests of the conversation endpoints; a create or delete links or unlinks `contact_id`."""
    partition = {"S": f"OWNER#{owner}"}
    key = {"PK": partition, "SK": {"S": f"CONV#{conversation_id}"}}

    def update_existing(expression: str, names: dict[str, str], values: dict[str, Any]) -> list[Request]:
        """One UpdateItem that applies only to an existing conversation and answers with it."""
        return [
            ("UpdateItem", {
                "TableName": table,
                "Key": key,
                "UpdateExpression": expression,
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
                "ReturnValues": "ALL_NEW",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }),
        ]  # fmt: skip

    if endpoint == "list":
        return [newest_first(table, f"OWNER#{owner}", "CONV#")]
    contact_key = {"PK": partition, "SK": {"S": f"CONTACT#{contact_id}"}}
    link_names = {"#conversation": "conversation_id", "#version": "version", "#k0": "GSI1PK"}
    if endpoint == "create":
        # One transaction: the conversation, and its contact's link to it (the contact moves to
        # the active contacts' index partition).
        item = new_item(owner, conversation_id, now, contact_id)
        return [
            ("TransactWriteItems", {"TransactItems": [
                {"Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Update": {
                    "TableName": table,
                    "Key": contact_key,
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    "UpdateExpression": "SET #conversation = :conversation, #k0 = :k0 ADD #version :one",
                    "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(#conversation)",
                    "ExpressionAttributeNames": link_names,
                    "ExpressionAttributeValues": {
                        ":conversation": {"S": conversation_id},
                        ":one": {"N": "1"},
                        ":k0": {"S": f"OWNER#{owner}#CONTACTS#ACTIVE#1"},
                    },
                }},
            ]}),
        ]  # fmt: skip
    if endpoint == "retrieve":
        return update_existing("SET #s0 = :s0", {"#s0": "last_opened_at"}, {":s0": {"N": str(now)}})
    if endpoint == "update":
        return update_existing(
            "SET #s0 = :s0, #s1 = :s1 ADD #version :one",
            {"#s0": "is_muted", "#s1": "GSI3PK", "#version": "version"},
            {":s0": {"BOOL": True}, ":s1": {"S": f"OWNER#{owner}#MUTED#1"}, ":one": {"N": "1"}},
        )
    # delete: read it (its contact); the conversation swapped for a deletion mark and its contact's
    # link cleared; its items' keys read, then the mark removed
    mark = {"PK": partition, "SK": {"S": f"DELETING#{conversation_id}"}}
    return [
        ("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}),
        ("TransactWriteItems", {
            "TransactItems": [
                {"Delete": {
                    "TableName": table,
                    "Key": key,
                    "ConditionExpression": "attribute_exists(PK)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }},
                {"Put": {"TableName": table, "Item": mark}},
                {"Update": {
                    "TableName": table,
                    "Key": contact_key,
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    "UpdateExpression": "SET #k0 = :k0 REMOVE #conversation ADD #version :one",
                    "ConditionExpression": "#conversation = :conversation",
                    "ExpressionAttributeNames": link_names,
                    "ExpressionAttributeValues": {
                        ":conversation": {"S": conversation_id},
                        ":one": {"N": "1"},
                        ":k0": {"S": f"OWNER#{owner}#CONTACTS#ACTIVE#0"},
                    },
                }},
            ],
        }),
        children_keys(table, owner, conversation_id),
        ("DeleteItem", {"TableName": table, "Key": mark}),
    ]  # fmt: skip


def message_requests(
    endpoint: str, table: str, owner: str, conversation_id: str, message_id: str, now: int
) -> list[Request]:
    """The requests of the message endpoints."""
    conversation_key = {"PK": {"S": f"OWNER#{owner}"}, "SK": {"S": f"CONV#{conversation_id}"}}
    message = new_message_item(owner, conversation_id, message_id, now)
    message_key = {"PK": message["PK"], "SK": message["SK"]}
    pointer_key = {"PK": {"S": f"OWNER#{owner}"}, "SK": {"S": f"MSG#{message_id}"}}
    read_pointer: Request = ("GetItem", {"TableName": table, "Key": pointer_key, "ConsistentRead": True})
    if endpoint == "list_messages":
        return [newest_first(table, f"OWNER#{owner}#CONV#{conversation_id}", "MSG#")]
    if endpoint == "send":
        return [
            ("TransactWriteItems", {"TransactItems": [
                {"Put": {"TableName": table, "Item": message, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Put": {
                    "TableName": table,
                    "Item": pointer_item(owner, conversation_id, message_id),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }},
                {"Update": {
                    "TableName": table,
                    "Key": conversation_key,
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    "UpdateExpression": "SET #active = :active, #newest = :newest",
                    "ConditionExpression": "attribute_exists(PK)"
                        " AND (attribute_not_exists(#newest) OR #newest < :newest)"
                        " AND (attribute_not_exists(#active) OR #active <= :active)",
                    "ExpressionAttributeNames": {"#newest": "newest_message_id", "#active": "last_active_at"},
                    "ExpressionAttributeValues": {":newest": {"S": message_id}, ":active": {"N": str(now)}},
                }},
            ]}),
        ]  # fmt: skip
    if endpoint == "retrieve_message":
        return [read_pointer, ("GetItem", {"TableName": table, "Key": message_key, "ConsistentRead": True})]
    if endpoint == "update_message":
        return [
            read_pointer,
            ("UpdateItem", {
                "TableName": table,
                "Key": message_key,
                "ReturnValues": "ALL_NEW",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                "UpdateExpression": "SET #s0 = :s0, #s1 = :s1 ADD #version :one",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeNames": {"#s0": "reactions", "#s1": "updated_at", "#version": "version"},
                "ExpressionAttributeValues": {
                    ":s0": {"L": [{"M": {"+1": {"L": [{"S": "kevin"}]}}}]}, ":s1": {"N": str(now)}, ":one": {"N": "1"},
                },
            }),
        ]  # fmt: skip
    # delete_message: the message (one without files) and its pointer, on the check that the
    # conversation does not pin it
    return [
        read_pointer,
        ("TransactWriteItems", {"TransactItems": [
            {"Delete": {
                "TableName": table,
                "Key": message_key,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(#files)",
                "ExpressionAttributeNames": {"#files": "attachment_ids"},
            }},
            {"Delete": {"TableName": table, "Key": pointer_key}},
            {"ConditionCheck": {
                "TableName": table,
                "Key": conversation_key,
                "ExpressionAttributeNames": {"#pinned": "pinned_message_id"},
                "ExpressionAttributeValues": {":message": {"S": message_id}},
                "ConditionExpression": "attribute_not_exists(#pinned) OR #pinned <> :message",
            }},
        ]}),
    ]  # fmt: skip


MESSAGE_ENDPOINTS = frozenset({"list_messages", "send", *POINTED})


def webhook_requests(endpoint: str, table: str, owner: str, webhook_id: str, now: int) -> list[Request]:
    """The requests of the webhook endpoints: the webhook's item, and its owner's count of them."""
    partition = {"S": f"OWNER#{owner}"}
    webhook_key = {"PK": partition, "SK": {"S": f"HOOK#{webhook_id}"}}
    count_key = {"PK": partition, "SK": {"S": "HOOKS"}}
    if endpoint == "list_webhooks":
        shown = ("id", "name", "url", "events", "created_at")
        return [
            ("Query", {
                "TableName": table,
                "KeyConditionExpression": "#pk = :partition AND begins_with(#sk, :prefix)",
                "ExpressionAttributeNames": {"#pk": "PK", "#sk": "SK", **{f"#{name}": name for name in shown}},
                "ExpressionAttributeValues": {":partition": partition, ":prefix": {"S": "HOOK#"}},
                "ConsistentRead": True,
                "ScanIndexForward": False,
                "ProjectionExpression": ", ".join(f"#{name}" for name in shown),
                "Limit": 11,
            }),
        ]  # fmt: skip
    if endpoint == "retrieve_webhook":
        return [("GetItem", {"TableName": table, "Key": webhook_key, "ConsistentRead": True})]
    if endpoint == "create_webhook":
        item = new_webhook_item(owner, webhook_id, "whsec_" + secrets.token_urlsafe(32), now)
        return [
            ("TransactWriteItems", {"TransactItems": [
                {"Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Update": {
                    "TableName": table,
                    "Key": count_key,
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    "UpdateExpression": "ADD #count :one SET #newest = :newest",
                    "ConditionExpression": "(attribute_not_exists(#count) OR #count < :limit)"
                        " AND (attribute_not_exists(#newest) OR #newest < :newest)",
                    "ExpressionAttributeNames": {"#count": "count", "#newest": "newest_webhook_id"},
                    "ExpressionAttributeValues": {
                        ":one": {"N": "1"}, ":limit": {"N": "16"}, ":newest": {"S": webhook_id},
                    },
                }},
            ]}),
        ]  # fmt: skip
    # delete_webhook
    return [
        ("TransactWriteItems", {"TransactItems": [
            {"Delete": {
                "TableName": table,
                "Key": webhook_key,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                "ConditionExpression": "attribute_exists(PK)",
            }},
            {"Update": {
                "TableName": table,
                "Key": count_key,
                "UpdateExpression": "ADD #count :minus_one",
                "ConditionExpression": "#count > :zero",
                "ExpressionAttributeNames": {"#count": "count"},
                "ExpressionAttributeValues": {":minus_one": {"N": "-1"}, ":zero": {"N": "0"}},
            }},
        ]}),
    ]  # fmt: skip


WEBHOOK_ENDPOINTS = frozenset({"list_webhooks", "create_webhook", "retrieve_webhook", "delete_webhook"})


def contact_list_requests(
    table: str, owner: str, active: bool | None, page_keys: list[dict[str, Any]] | None = None
) -> list[Request]:
    """A page of contacts: from the owner's partition, or with `active`, from GSI1's partition of
    active (or other) contacts, whose entries name the page's items, `page_keys`, read whole after."""
    if active is None:
        return [newest_first(table, f"OWNER#{owner}", "CONTACT#")]
    listed: list[Request] = [
        ("Query", {
            "TableName": table,
            "ScanIndexForward": False,
            "IndexName": "GSI1",
            "KeyConditionExpression": "#pk = :partition",
            "ExpressionAttributeNames": {"#pk": "GSI1PK"},
            "ExpressionAttributeValues": {":partition": {"S": f"OWNER#{owner}#CONTACTS#ACTIVE#{int(active)}"}},
            "Limit": 11,
        }),
    ]  # fmt: skip
    if page_keys:  # the page's items (at most `limit`), eventually consistent as the index is
        listed.append(("BatchGetItem", {"RequestItems": {table: {"Keys": page_keys[:10], "ConsistentRead": False}}}))
    return listed


def contact_requests(
    endpoint: str,
    table: str,
    owner: str,
    contact_id: str,
    now: int,
    username: str | None = None,
    active: bool | None = None,
    page_keys: list[dict[str, Any]] | None = None,
) -> list[Request]:
    """The requests of the contact endpoints: the contact's item, and the claim on its username.

    `username` is the contact's (by default the bench's own for `contact_id`); a delete learns it
    from its read. `active` and `page_keys` are a list's (`contact_list_requests`)."""
    partition = {"S": f"OWNER#{owner}"}
    contact_key = {"PK": partition, "SK": {"S": f"CONTACT#{contact_id}"}}
    username = bench_username(contact_id) if username is None else username
    if endpoint == "list_contacts":
        return contact_list_requests(table, owner, active, page_keys)
    if endpoint == "create_contact":
        claim = username_claim_item(owner, contact_id, username)
        return [
            ("TransactWriteItems", {"TransactItems": [
                {"Put": {
                    "TableName": table,
                    "Item": new_contact_item(owner, contact_id, username, now),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }},
                {"Put": {
                    "TableName": table,
                    "Item": claim,
                    "ConditionExpression": "attribute_not_exists(PK)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }},
            ]}),
        ]  # fmt: skip
    read: Request = ("GetItem", {"TableName": table, "Key": contact_key, "ConsistentRead": True})
    if endpoint == "retrieve_contact":
        return [read]
    if endpoint == "update_contact":
        return [
            ("UpdateItem", {
                "TableName": table,
                "Key": contact_key,
                "ReturnValues": "ALL_NEW",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                "UpdateExpression": "SET #s0 = :s0 ADD #version :one",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeNames": {"#s0": "display_name", "#version": "version"},
                "ExpressionAttributeValues": {":s0": {"S": CONTACT_DISPLAY_NAME}, ":one": {"N": "1"}},
            }),
        ]  # fmt: skip
    # delete_contact: read it (its username, version, groups and conversation: none here), then
    # in one transaction the contact (unchanged since read), its claim and a removal mark; then
    # the mark, as no group or conversation is left to unlink
    claim_key = {"PK": partition, "SK": {"S": f"USERNAME#{username.lower()}"}}
    mark_key = {"PK": partition, "SK": {"S": f"DELETING#CONTACT#{contact_id}"}}
    return [
        read,
        ("TransactWriteItems", {"TransactItems": [
            {"Delete": {
                "TableName": table,
                "Key": contact_key,
                "ConditionExpression": "#version = :version AND (attribute_not_exists(#joins) OR #joins = :joins)",
                "ExpressionAttributeNames": {"#version": "version", "#joins": "group_joins"},
                "ExpressionAttributeValues": {":version": {"N": "1"}, ":joins": {"N": "0"}},
            }},
            {"Delete": {
                "TableName": table,
                "Key": claim_key,
                "ConditionExpression": "attribute_not_exists(PK) OR #contact = :contact",
                "ExpressionAttributeNames": {"#contact": "contact_id"},
                "ExpressionAttributeValues": {":contact": {"S": contact_id}},
            }},
            {"Put": {"TableName": table, "Item": {**mark_key, "group_ids": {"L": []}}}},
        ]}),
        ("DeleteItem", {"TableName": table, "Key": mark_key}),
    ]  # fmt: skip


CONTACT_ENDPOINTS = frozenset(
    {"list_contacts", "create_contact", "retrieve_contact", "update_contact", "delete_contact"}
)


GROUP_ENDPOINTS = frozenset({"list_groups", "create_group", "retrieve_group", "update_group", "delete_group"})


def read_members(table: str, owner: str, member_ids: list[str]) -> list[Request]:
    """The one strongly consistent read of the distinct members of the groups answered (none
    when they have none): a group's `contacts` are the contacts as they are now."""
    distinct = list(dict.fromkeys(member_ids))
    if not distinct:
        return []
    keys = [{"PK": {"S": f"OWNER#{owner}"}, "SK": {"S": f"CONTACT#{member}"}} for member in distinct]
    return [("BatchGetItem", {"RequestItems": {table: {"Keys": keys, "ConsistentRead": True}}})]


def members_of(group: dict[str, Any]) -> list[str]:
    """The member ids a stored group lists, in order."""
    return [member["S"] for member in group.get("member_ids", {"L": []})["L"]]


def group_requests(
    endpoint: str,
    table: str,
    owner: str,
    group_id: str,
    conversation_id: str,
    contact_id: str,
    now: int,
    read: dict[str, Any] | None = None,
) -> list[Request]:
    """The requests of the group endpoints. The bench's groups have one member, `contact_id`, and
    the conversation `conversation_id`; `read`, the answer of a request's first call, names the
    groups' real members (a list, a retrieve, an update) and the version and conversation a
    delete removes."""
    partition = {"S": f"OWNER#{owner}"}
    group_key = {"PK": partition, "SK": {"S": f"GROUP#{group_id}"}}
    read_group: Request = ("GetItem", {"TableName": table, "Key": group_key, "ConsistentRead": True})
    if read is None:
        stored = new_group_item(owner, group_id, conversation_id, [contact_id] if contact_id else [], now)
        read = {"Items": [stored], "Item": stored, "Attributes": stored}
    if endpoint == "list_groups":
        page = read["Items"][:10]
        return [
            newest_first(table, f"OWNER#{owner}", "GROUP#"),
            *read_members(table, owner, [member for group in page for member in members_of(group)]),
        ]  # fmt: skip
    if endpoint == "create_group":
        # One transaction: the group, its conversation, and its member's link to it; then the
        # member read, as every read of a group does.
        members = [contact_id] if contact_id else []
        joins = [
            {"Update": {
                "TableName": table,
                "Key": {"PK": partition, "SK": {"S": f"CONTACT#{member}"}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                "UpdateExpression": "ADD #groups :group, #joins :one",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeNames": {"#groups": "group_ids", "#joins": "group_joins"},
                "ExpressionAttributeValues": {":group": {"SS": [group_id]}, ":one": {"N": "1"}},
            }}
            for member in members
        ]  # fmt: skip
        group = new_group_item(owner, group_id, conversation_id, members, now)
        conversation = new_group_conversation_item(owner, conversation_id, group_id, now)
        return [
            ("TransactWriteItems", {"TransactItems": [
                {"Put": {"TableName": table, "Item": group, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Put": {"TableName": table, "Item": conversation, "ConditionExpression": "attribute_not_exists(PK)"}},
                *joins,
            ]}),
            *read_members(table, owner, members),
        ]  # fmt: skip
    if endpoint == "retrieve_group":
        return [read_group, *read_members(table, owner, members_of(read["Item"]))]
    if endpoint == "update_group":
        rename: Request = ("UpdateItem", {
            "TableName": table,
            "Key": group_key,
            "ReturnValues": "ALL_NEW",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            "UpdateExpression": "SET #s0 = :s0 ADD #version :one",
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": {"#s0": "name", "#version": "version"},
            "ExpressionAttributeValues": {":s0": {"S": GROUP_RENAMED}, ":one": {"N": "1"}},
        })  # fmt: skip
        return [rename, *read_members(table, owner, members_of(read["Attributes"]))]
    # delete_group: read it; in one transaction the group (unchanged since), a removal mark naming
    # its members and conversation, and the conversation swapped for its deletion mark; then the
    # conversation's children (none) and its mark, each member's link to the group, the mark.
    group = read["Item"]
    conversation = group["conversation_id"]
    mark_key = {"PK": partition, "SK": {"S": f"DELETING#GROUP#{group_id}"}}
    conversation_mark = {"PK": partition, "SK": {"S": f"DELETING#{conversation['S']}"}}
    leaves: list[Request] = [
        ("UpdateItem", {
            "TableName": table,
            "Key": {"PK": partition, "SK": {"S": f"CONTACT#{member}"}},
            "ReturnValues": "ALL_NEW",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            "UpdateExpression": "DELETE #groups :group",
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": {"#groups": "group_ids"},
            "ExpressionAttributeValues": {":group": {"SS": [group_id]}},
        })
        for member in members_of(group)
    ]  # fmt: skip
    return [
        read_group,
        ("TransactWriteItems", {"TransactItems": [
            {"Delete": {
                "TableName": table,
                "Key": group_key,
                "ConditionExpression": "#version = :version",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":version": group["version"]},
            }},
            {"Put": {
                "TableName": table,
                "Item": {**mark_key, "conversation_id": conversation, "member_ids": group["member_ids"]},
            }},
            {"Delete": {"TableName": table, "Key": {"PK": partition, "SK": {"S": f"CONV#{conversation['S']}"}}}},
            {"Put": {"TableName": table, "Item": conversation_mark}},
        ]}),
        children_keys(table, owner, conversation["S"]),
        ("DeleteItem", {"TableName": table, "Key": conversation_mark}),
        *leaves,
        ("DeleteItem", {"TableName": table, "Key": mark_key}),
    ]  # fmt: skip


ATTACHMENT_ENDPOINTS = frozenset(
    {"create_attachment", "list_attachments", "retrieve_attachment", "update_attachment", "delete_attachment"}
)
# The bench's attachment: uploaded, so every answer carries a download link (valid this long).
ATTACHMENT_FILENAME = "invoice.pdf"
ATTACHMENT_RENAMED = "invoice-2.pdf"
ATTACHMENT_TYPE = "application/pdf"
# The file the bench uploads (bench/cold_start.py's form sends it): 1 KiB.
UPLOAD_CONTENT = b"%PDF" * 256
LINK_SECONDS = 3600


def new_attachment_item(owner: str, attachment_id: str, now: int) -> dict[str, Any]:
    """The item an uploaded attachment is stored as (its file arrived: no longer waiting for it)."""
    return {
        "PK": {"S": f"OWNER#{owner}"},
        "SK": {"S": f"ATTACH#{attachment_id}"},
        "id": {"S": attachment_id},
        "filename": {"S": ATTACHMENT_FILENAME},
        "file_type": {"S": ATTACHMENT_TYPE},
        "file_size": {"N": "1024"},
        "object_key": {"S": f"{owner}/{attachment_id}"},
        "created_at": {"N": str(now)},
        "uploaded": {"BOOL": True},
        "version": {"N": "1"},
        "direct": {"BOOL": False},
    }


# A day's wait for a file, an owner's storage, and the waiting records' shards (ours' defaults).
WAITING_SECONDS = 24 * 60 * 60
QUOTA_BYTES = 1024**3
WAITING_SHARDS = 10


def new_upload_item(
    owner: str, attachment_id: str, object_key: str, filename: str, file_type: str, size: int, now: int
) -> dict[str, Any]:
    """The record an upload writes before its file: not uploaded yet, due to expire, and in its
    shard of the index the sweep reads."""
    import zlib  # noqa: PLC0415 - only an upload needs it

    return {
        "PK": {"S": f"OWNER#{owner}"},
        "SK": {"S": f"ATTACH#{attachment_id}"},
        "id": {"S": attachment_id},
        "filename": {"S": filename},
        "file_type": {"S": file_type},
        "file_size": {"N": str(size)},
        "object_key": {"S": object_key},
        "created_at": {"N": str(now)},
        "uploaded": {"BOOL": False},
        "expires_at": {"N": str(now + WAITING_SECONDS)},
        "GSI2PK": {"S": f"WAITING#ATTACHMENTS#{zlib.crc32(attachment_id.encode()) % WAITING_SHARDS}"},
        "version": {"N": "1"},
        "direct": {"BOOL": False},
    }


def put_file(bucket: str, object_key: str, body: bytes, file_type: str) -> Request:
    """The S3 request that stores an upload's file, exactly as sent."""
    return ("PutObject", {"Bucket": bucket, "Key": object_key, "Body": body, "ContentType": file_type})


def attachment_requests(
    endpoint: str, table: str, owner: str, attachment_id: str, read: dict[str, Any] | None = None
) -> list[Request]:
    """The DynamoDB requests of the attachment endpoints (a download link is signed here, with no
    request). A delete's depend on `read`, the record its first request answered; an upload's
    `read` is the record it writes (`new_upload_item`), its file stored between the two."""
    partition = {"S": f"OWNER#{owner}"}
    key = {"PK": partition, "SK": {"S": f"ATTACH#{attachment_id}"}}
    read_record: Request = ("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
    if endpoint == "create_attachment":
        record = read or new_upload_item(owner, attachment_id, "", ATTACHMENT_FILENAME, ATTACHMENT_TYPE, 1024, 0)
        size = int(record["file_size"]["N"])
        return [
            ("TransactWriteItems", {"TransactItems": [
                {"Put": {"TableName": table, "Item": record, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Update": {
                    "TableName": table,
                    "Key": {"PK": partition, "SK": {"S": "ATTACHMENT_BYTES"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    "UpdateExpression": "ADD #bytes :size",
                    "ConditionExpression": "attribute_not_exists(#bytes) OR #bytes <= :room",
                    "ExpressionAttributeNames": {"#bytes": "bytes"},
                    "ExpressionAttributeValues": {":size": {"N": str(size)}, ":room": {"N": str(QUOTA_BYTES - size)}},
                }},
            ]}),
            ("UpdateItem", {
                "TableName": table,
                "Key": key,
                "ReturnValues": "ALL_NEW",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                "UpdateExpression": "SET #uploaded = :true REMOVE #expires, #waiting",
                "ConditionExpression": "attribute_exists(PK) AND #uploaded = :false",
                "ExpressionAttributeNames": {"#uploaded": "uploaded", "#expires": "expires_at", "#waiting": "GSI2PK"},
                "ExpressionAttributeValues": {":true": {"BOOL": True}, ":false": {"BOOL": False}},
            }),
        ]  # fmt: skip
    if endpoint == "list_attachments":
        return [newest_first(table, f"OWNER#{owner}", "ATTACH#")]
    if endpoint == "retrieve_attachment":
        return [read_record]
    if endpoint == "delete_attachment":
        # Read it; in one transaction the record (unchanged since), its bytes uncounted and a
        # mark naming its file; then the file goes (`delete_file`), then the mark.
        record = read or new_attachment_item(owner, attachment_id, 0)
        mark_key = {"PK": partition, "SK": {"S": f"DELETING#ATTACH#{attachment_id}"}}
        return [
            read_record,
            ("TransactWriteItems", {"TransactItems": [
                {"Delete": {
                    "TableName": table,
                    "Key": key,
                    "ConditionExpression": "attribute_exists(PK) AND #version = :expected",
                    "ExpressionAttributeNames": {"#version": "version"},
                    "ExpressionAttributeValues": {":expected": record["version"]},
                }},
                {"Update": {
                    "TableName": table,
                    "Key": {"PK": partition, "SK": {"S": "ATTACHMENT_BYTES"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    "UpdateExpression": "ADD #bytes :size",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeNames": {"#bytes": "bytes"},
                    "ExpressionAttributeValues": {":size": {"N": f"-{record['file_size']['N']}"}},
                }},
                {"Put": {"TableName": table, "Item": {**mark_key, "object_key": record["object_key"]}}},
            ]}),
            ("DeleteItem", {"TableName": table, "Key": mark_key}),
        ]  # fmt: skip
    return [
        ("UpdateItem", {
            "TableName": table,
            "Key": key,
            "ReturnValues": "ALL_NEW",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            "UpdateExpression": "SET #s0 = :s0 ADD #version :one",
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": {"#s0": "filename", "#version": "version"},
            "ExpressionAttributeValues": {":s0": {"S": ATTACHMENT_RENAMED}, ":one": {"N": "1"}},
        }),
    ]  # fmt: skip


def signed_get(bucket: str, item: dict[str, Any]) -> Request:
    """The GET a download link signs: the file, downloaded under its name and type, as ours sign it."""
    from email.utils import encode_rfc2231  # noqa: PLC0415 - the stdlib's RFC 2231 encoder

    filename = item["filename"]["S"]
    disposition = f'attachment; filename="{filename}"; filename*={encode_rfc2231(filename, "utf-8")}'
    return ("GetObject", {
        "Bucket": bucket,
        "Key": item["object_key"]["S"],
        "ResponseContentDisposition": disposition,
        "ResponseContentType": item["file_type"]["S"],
    })  # fmt: skip


def download_url(s3: Any, bucket: str, item: dict[str, Any]) -> str:
    """A presigned download link, valid as long as ours."""
    parameters = signed_get(bucket, item)[1]
    return str(s3.generate_presigned_url("get_object", Params=parameters, ExpiresIn=LINK_SECONDS))


def delete_file(bucket: str, object_key: str) -> Request:
    """The S3 request that deletes an attachment's file, as ours deletes files (in a batch of one)."""
    return ("DeleteObjects", {"Bucket": bucket, "Delete": {"Objects": [{"Key": object_key}], "Quiet": True}})


def read_upload(form: tuple[bytes, str]) -> tuple[str, str, bytes]:
    """The file of a multipart form (its body, its Content-Type), with the `multipart` library as
    ours reads it: its name, its declared type and its bytes."""
    import io  # noqa: PLC0415 - only an upload needs these

    from multipart import MultipartParser, parse_options_header  # noqa: PLC0415

    body, content_type = form
    boundary = parse_options_header(content_type)[1]["boundary"]
    part = next(iter(MultipartParser(io.BytesIO(body), boundary, content_length=len(body), strict=True)))
    return part.filename, part.headers.get("Content-Type") or "application/octet-stream", part.raw


def _upload(
    client: Any, s3: Any, bucket: str, table: str, owner: str, form: tuple[bytes, str], attachment_id: str
) -> dict[str, Any]:
    """Store an upload: the record and its count, the file, the record marked uploaded; answer it
    with its download link."""
    import secrets  # noqa: PLC0415
    from urllib.parse import quote  # noqa: PLC0415

    filename, file_type, content = read_upload(form)
    object_key = f"{quote(owner, safe='')}/{attachment_id}/{secrets.token_urlsafe(18)}"
    record = new_upload_item(owner, attachment_id, object_key, filename, file_type, len(content), int(time.time()))
    reserve, mark = attachment_requests("create_attachment", table, owner, attachment_id, record)
    client.transact_write_items(**reserve[1])
    s3.put_object(**put_file(bucket, object_key, content, file_type)[1])
    stored = client.update_item(**mark[1])["Attributes"]
    plain = _as_json_object({name: value for name, value in stored.items() if name != "object_key"})
    return {"statusCode": 200, "body": json.dumps({**plain, "file_url": download_url(s3, bucket, stored)})}


def _handle_attachment(
    endpoint: str,
    client: Any,
    s3: Any,
    bucket: str,
    table: str,
    owner: str,
    attachment_id: str,
    form: tuple[bytes, str] | None = None,
) -> dict[str, Any]:
    """An attachment request: its DynamoDB calls (a delete's file between its last two), then a
    download link for each uploaded file. An upload (`form`: the body and its Content-Type) is
    stored under `attachment_id`."""
    from botocore import xform_name  # noqa: PLC0415

    if endpoint == "create_attachment" and form is not None:
        return _upload(client, s3, bucket, table, owner, form, attachment_id)
    planned = attachment_requests(endpoint, table, owner, attachment_id)
    operation, parameters = planned[0]
    response = getattr(client, xform_name(operation))(**parameters)
    if endpoint == "delete_attachment":
        record = response["Item"]
        transaction, unmark = attachment_requests(endpoint, table, owner, attachment_id, record)[1:]
        client.transact_write_items(**transaction[1])
        s3.delete_objects(**delete_file(bucket, record["object_key"]["S"])[1])
        client.delete_item(**unmark[1])
        return {"statusCode": 204, "body": ""}

    def shown(item: dict[str, Any]) -> dict[str, Any]:
        link = download_url(s3, bucket, item) if item.get("uploaded", {}).get("BOOL") else None
        plain = _as_json_object({name: value for name, value in item.items() if name != "object_key"})
        return {**plain, "file_url": link}

    if endpoint == "list_attachments":
        items = response["Items"]
        body: Any = {"has_more": len(items) > 10, "data": [shown(item) for item in items[:10]]}
    else:
        body = shown(response.get("Item") or response["Attributes"])
    return {"statusCode": 200, "body": json.dumps(body)}


def tick_prefix(unix_seconds: int) -> str:
    """What every id made in that second starts with (`new_id`'s first 8 characters, at its
    first millisecond): ids made earlier sort before it."""
    tick, digits = unix_seconds * 62**2, ""
    for _ in range(8):
        tick, digit = divmod(tick, 62)
        digits = ALPHABET[digit] + digits
    return digits


def sweep_requests(table: str, now: int) -> list[Request]:
    """The hourly sweep's requests with nothing to sweep: each shard of the removed uploads'
    marks, then each shard of the uploads waiting for their files since a day ago (GSI2's
    keys; a page found would be read whole, then settled)."""

    def shard(partition: str, before: str | None) -> Request:
        condition = "#partition = :partition" + (" AND #sk < :before" if before else "")
        values = {":partition": {"S": partition}, **({":before": {"S": before}} if before else {})}
        return ("Query", {
            "TableName": table,
            "IndexName": "GSI2",
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#partition": "GSI2PK", **({"#sk": "SK"} if before else {})},
            "ExpressionAttributeValues": values,
            "Limit": 100,
        })  # fmt: skip

    created_before = "ATTACH#" + tick_prefix(now - WAITING_SECONDS + 1)
    removed = [shard(f"REMOVED#ATTACHMENTS#{number}", None) for number in range(WAITING_SHARDS)]
    return removed + [shard(f"WAITING#ATTACHMENTS#{number}", created_before) for number in range(WAITING_SHARDS)]


def sweep(client: Any, table: str) -> dict[str, int]:
    """The hourly sweep, as a bare handler would make it: every shard read. The bench's
    finds nothing to settle (nothing waits a day), so it settles nothing."""
    from botocore import xform_name  # noqa: PLC0415

    found = 0
    for operation, parameters in sweep_requests(table, int(time.time())):
        found += len(getattr(client, xform_name(operation))(**parameters)["Items"])
    return {"removed": 0, "confirmed": 0, "removed_files": 0, "found": found}


def worker_requests(worker: str, table: str, owner: str, webhook_id: str) -> list[Request]:
    """The DynamoDB requests of the workers, for one record: the owner's webhooks (the stream's
    worker), or the one webhook a delivery is for (the queue's)."""
    partition = {"S": f"OWNER#{owner}"}
    if worker == "webhook_events":
        return [
            ("Query", {
                "TableName": table,
                "KeyConditionExpression": "#pk = :partition AND begins_with(#sk, :prefix)",
                "ExpressionAttributeNames": {"#pk": "PK", "#sk": "SK"},
                "ExpressionAttributeValues": {":partition": partition, ":prefix": {"S": "HOOK#"}},
                "ConsistentRead": True,
                "Limit": 16,
            }),
        ]  # fmt: skip
    key = {"PK": partition, "SK": {"S": f"HOOK#{webhook_id}"}}
    return [("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})]


def post_delivery(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST a delivery, as a bare handler would: urllib3, no retries, a 10 s timeout."""
    import urllib3  # noqa: PLC0415 - botocore has loaded it already

    return int(urllib3.request("POST", url, body=body, headers=headers, timeout=10.0, retries=False).status)


def handle_worker(
    worker: str, event: dict[str, Any], client: Any, sqs: Any, table: str, queue_url: str, post: Any = post_delivery
) -> dict[str, Any]:
    """Serve one batch: for each stream record, queue one message per webhook of its owner; for
    each queued delivery, read its webhook, sign the body and POST it. No failures reported.
    The attachments' sweep, fed by the schedule, sweeps."""
    if worker == "attachment_sweep":
        return sweep(client, table)
    import hashlib  # noqa: PLC0415 - the stdlib modules a delivery needs
    import hmac  # noqa: PLC0415

    from botocore import xform_name  # noqa: PLC0415

    for record in event["Records"]:
        if worker == "webhook_events":
            image = record["dynamodb"].get("NewImage") or record["dynamodb"]["OldImage"]
            owner = image["PK"]["S"].split("#")[1]
            operation, parameters = worker_requests(worker, table, owner, "")[0]
            webhooks = getattr(client, xform_name(operation))(**parameters)["Items"]
            body = json.dumps({"type": record["eventName"], "payload": _as_json_object(image)})
            entries = [
                {"Id": str(number), "MessageBody": json.dumps({"webhook_id": webhook["id"]["S"], "body": body})}
                for number, webhook in enumerate(webhooks)
            ]
            if entries:
                sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        else:
            delivery = json.loads(record["body"])
            operation, parameters = worker_requests(worker, table, delivery["owner"], delivery["webhook_id"])[0]
            webhook = getattr(client, xform_name(operation))(**parameters)["Item"]
            body = delivery["body"].encode()
            signature = hmac.new(webhook["secret"]["S"].encode(), body, hashlib.sha256).hexdigest()
            post(webhook["url"]["S"], body, {"content-type": "application/json", "x-clarity-signature": signature})
    return {"batchItemFailures": []}


def _as_json_object(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain JSON values, key attributes left out."""
    plain: dict[str, Any] = {}
    for name, typed in item.items():
        if name.endswith(("PK", "SK")):
            continue
        kind, value = next(iter(typed.items()))
        plain[name] = int(value) if kind == "N" else value
    return plain


def handle(
    endpoint: str,
    client: Any,
    table: str,
    owner: str,
    conversation_id: str,
    message_id: str = "",
    webhook_id: str = "",
    contact_id: str = "",
    username: str | None = None,
    group_id: str = "",
    attachment_id: str = "",
    s3: Any = None,
    bucket: str = "",
    form: tuple[bytes, str] | None = None,
) -> dict[str, Any]:
    """Serve one request: make the endpoint's DynamoDB requests, answer with their data as JSON.
    A contact's create stores `username` (by default the bench's own for `contact_id`); a group's
    create lists `contact_id` as its one member. Attachments sign their links with `s3`, for `bucket`;
    an upload stores the file of `form` (the body and its Content-Type) under `attachment_id`."""
    from botocore import xform_name  # noqa: PLC0415 - loaded by boto3 already; "PutItem" -> "put_item"

    now = int(time.time())
    if endpoint in ATTACHMENT_ENDPOINTS:
        return _handle_attachment(endpoint, client, s3, bucket, table, owner, attachment_id, form)
    if endpoint in GROUP_ENDPOINTS:
        return _handle_group(endpoint, client, table, owner, group_id, conversation_id, contact_id, now)
    planned = requests(endpoint, table, owner, conversation_id, now, message_id, webhook_id, contact_id, username)
    response: dict[str, Any] = {}
    parameters: dict[str, Any] = {}
    for step in range(len(planned)):
        operation, parameters = planned[step]
        response = getattr(client, xform_name(operation))(**parameters)
        if endpoint in POINTED and step == 0:
            # The pointer names the message's conversation, as it does for ours.
            pointed_to = response["Item"]["conversation_id"]["S"]
            planned = requests(endpoint, table, owner, pointed_to, now, message_id)
        elif endpoint == "delete" and step == 0:
            # The conversation names its contact, whose link goes with it.
            linked = response["Item"]["contact_id"]["S"]
            planned = requests(endpoint, table, owner, conversation_id, now, contact_id=linked)
        elif endpoint == "delete_contact" and step == 0:
            # The contact names its username, whose claim goes with it.
            username = response["Item"]["username"]["S"]
            planned = requests(endpoint, table, owner, "", now, contact_id=contact_id, username=username)
    if endpoint in ("list", "list_messages", "list_webhooks", "list_contacts"):
        items = response["Items"]
        body: Any = {"has_more": len(items) > 10, "data": [_as_json_object(item) for item in items[:10]]}
    elif endpoint in ("create", "send", "create_webhook", "create_contact"):
        body = _as_json_object(parameters["TransactItems"][0]["Put"]["Item"])
    elif endpoint in ("retrieve_message", "retrieve_webhook", "retrieve_contact"):
        body = _as_json_object(response["Item"])
    elif endpoint in ("retrieve", "update", "update_message", "update_contact"):
        body = _as_json_object(response["Attributes"])
    else:
        return {"statusCode": 204, "body": ""}
    return {"statusCode": 200, "body": json.dumps(body)}


def _handle_group(
    endpoint: str, client: Any, table: str, owner: str, group_id: str, conversation_id: str, contact_id: str, now: int
) -> dict[str, Any]:
    """A group request: its first call's answer names what the others act on (`group_requests`);
    groups answer with their members as read."""
    from botocore import xform_name  # noqa: PLC0415

    planned = group_requests(endpoint, table, owner, group_id, conversation_id, contact_id, now)
    answers: list[dict[str, Any]] = []
    while len(answers) < len(planned):  # the plan may grow with the first answer
        operation, parameters = planned[len(answers)]
        answers.append(getattr(client, xform_name(operation))(**parameters))
        if len(answers) == 1 and endpoint != "create_group":
            planned = group_requests(endpoint, table, owner, group_id, conversation_id, contact_id, now, answers[0])
    if endpoint == "delete_group":
        return {"statusCode": 204, "body": ""}
    members = {
        item["id"]["S"]: _as_json_object(item)
        for answer in answers[1:]
        for item in answer.get("Responses", {}).get(table, [])
    }

    def shown(group: dict[str, Any]) -> dict[str, Any]:
        plain = _as_json_object({name: value for name, value in group.items() if name != "member_ids"})
        return {**plain, "contacts": [members[member] for member in members_of(group) if member in members]}

    first = answers[0]
    if endpoint == "list_groups":
        items = first["Items"]
        body: Any = {"has_more": len(items) > 10, "data": [shown(item) for item in items[:10]]}
    elif endpoint == "create_group":
        body = shown(planned[0][1]["TransactItems"][0]["Put"]["Item"])
    else:
        body = shown(first.get("Item") or first["Attributes"])
    return {"statusCode": 200, "body": json.dumps(body)}
