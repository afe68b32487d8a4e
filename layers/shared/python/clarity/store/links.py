"""The links between items of different resources, written once here for every resource that
writes them: a contact's or group's one conversation, a contact's groups, a group's members.

    contact.conversation_id, group.conversation_id  set in the transaction that creates the
                                                     conversation, removed in the one deleting it
    group.member_ids                                 the members, in the order given: the truth
                                                     a send's membership check reads
    contact.group_ids                                every group that lists the contact (it may
                                                     name a few more, for a moment): what a
                                                     contact's delete unlinks itself from
    contact.group_joins                              counts joins, so a contact's delete notices
                                                     one it did not read
    message.attachment_ids                           its files, in the order attached: what
                                                     deleting its conversation deletes with it

Each function returns one action of a TransactWriteItems, or does one bounded chore.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from clarity.core.errors import NotFound, PreconditionFailed, ServiceUnavailable
from clarity.core.settings import MissingSetting
from clarity.store import keys
from clarity.store.dynamodb import (
    ConditionFailed,
    Expression,
    Item,
    Table,
    TransactionCancelled,
    serialize,
    with_expressions,
)

LINKED_CONVERSATION = "conversation_id"
MEMBER_IDS = "member_ids"
GROUP_IDS = "group_ids"
GROUP_JOINS = "group_joins"
MESSAGE_FILES = "attachment_ids"
# One member's removal races other member changes of the same group only a few times in a row.
DROP_MEMBER_ATTEMPTS = 5
# A delete reads its item, then writes on the condition it is unchanged: a change in between
# makes it read again, a few times at most.
REMOVAL_ATTEMPTS = 4

# Deletes an owner's attachments of these ids, records and files (clarity.attachments does).
RemoveFiles = Callable[[str, Sequence[str]], None]


def refuse_files(owner: str, attachment_ids: Sequence[str]) -> None:
    """The RemoveFiles of a repository built without file storage: it must not leave files behind."""
    if attachment_ids:
        raise MissingSetting("ATTACHMENTS_BUCKET")


def _action(table: Table, key: Mapping[str, str], update: Expression | None, condition: Expression) -> dict[str, Any]:
    request = {"TableName": table.name, "Key": serialize(key), "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    action: dict[str, Any] = with_expressions(request, update=update, condition=condition)
    return action


def _link_expression(
    conversation_id: str, index_keys: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, Any], list[str]]:
    """The names, values and index-key assignments a link's or unlink's update shares: the
    contact's or group's version moves, and its index keys (a contact's `active`) follow."""
    names = {"#conversation": LINKED_CONVERSATION, "#version": "version"}
    values: dict[str, Any] = {":conversation": conversation_id, ":one": 1}
    assignments = []
    for i, (name, value) in enumerate(index_keys.items()):
        names[f"#k{i}"], values[f":k{i}"] = name, value
        assignments.append(f"#k{i} = :k{i}")
    return names, values, assignments


def link_conversation(
    table: Table, party_key: Mapping[str, str], conversation_id: str, index_keys: Mapping[str, str]
) -> dict[str, Any]:
    """Point a contact or group at its new conversation, if it exists and has none yet. Its
    version (ETag) moves, since conversation_id is one of its fields. On failure, the party as
    it is tells the caller why: missing, or already linked (the item names the conversation)."""
    names, values, assignments = _link_expression(conversation_id, index_keys)
    assignments.insert(0, "#conversation = :conversation")
    update = Expression(f"SET {', '.join(assignments)} ADD #version :one", names, values)
    condition = Expression("attribute_exists(PK) AND attribute_not_exists(#conversation)", {}, {})
    return {"Update": _action(table, party_key, update, condition)}


def unlink_conversation(
    table: Table, party_key: Mapping[str, str], conversation_id: str, index_keys: Mapping[str, str]
) -> dict[str, Any]:
    """Clear a contact's or group's link to this conversation (and only to this one)."""
    names, values, assignments = _link_expression(conversation_id, index_keys)
    set_clause = f"SET {', '.join(assignments)} " if assignments else ""
    update = Expression(f"{set_clause}REMOVE #conversation ADD #version :one", names, values)
    condition = Expression("#conversation = :conversation", {}, {})
    return {"Update": _action(table, party_key, update, condition)}


def join_group(table: Table, owner: str, contact_id: str, group_id: str) -> dict[str, Any]:
    """Record on a contact that a group lists it; refused (item None) when the contact is gone."""
    update = Expression(
        "ADD #groups :group, #joins :one",
        {"#groups": GROUP_IDS, "#joins": GROUP_JOINS},
        {":group": {group_id}, ":one": 1},
    )
    condition = Expression("attribute_exists(PK)", {}, {})
    return {"Update": _action(table, keys.contact_key(owner, contact_id), update, condition)}


def leave_group(table: Table, owner: str, contact_id: str, group_id: str) -> None:
    """Forget on a contact that a group listed it: after the group stopped listing it. A contact
    deleted meanwhile has nothing left to forget."""
    update = Expression("DELETE #groups :group", {"#groups": GROUP_IDS}, {":group": {group_id}})
    try:
        table.update(keys.contact_key(owner, contact_id), update, Expression("attribute_exists(PK)", {}, {}))
    except ConditionFailed:
        return


def drop_member(table: Table, owner: str, group_id: str, contact_id: str) -> None:
    """Take a deleted contact off a group's member list. That changes the group as a client sees
    it, so its version (ETag) moves. The list position is read first and checked by the write:
    a member change landing in between makes it read again."""
    group_key = keys.group_key(owner, group_id)
    for _ in range(DROP_MEMBER_ATTEMPTS):
        group = table.get(group_key)
        members = list(group.get(MEMBER_IDS, [])) if group else []
        if contact_id not in members:
            return
        position = members.index(contact_id)
        update = Expression(
            f"REMOVE #members[{position}] ADD #version :one",
            {"#members": MEMBER_IDS, "#version": "version"},
            {":one": 1},
        )
        condition = Expression(f"#members[{position}] = :contact", {"#members": MEMBER_IDS}, {":contact": contact_id})
        try:
            table.update(group_key, update, condition)
            return
        except ConditionFailed:
            continue
    raise ServiceUnavailable("the group's members kept changing; retry the request")


def remove_conversation_actions(
    table: Table, owner: str, conversation_id: str, condition: Expression | None = None
) -> list[dict[str, Any]]:
    """Swap a conversation for its deletion mark, in one transaction: its own delete's (with
    `condition`: it exists, at the version If-Match gave) or its contact's or group's."""
    key = keys.conversation_key(owner, conversation_id)
    delete = (
        {"TableName": table.name, "Key": serialize(key)} if condition is None else _action(table, key, None, condition)
    )
    return [{"Delete": delete}, table.put_action(keys.deletion_mark_key(owner, conversation_id))]


def remove_children(table: Table, owner: str, conversation_id: str, remove_files: RemoveFiles) -> None:
    """Delete a marked conversation's messages (and their pointers), each page's files first,
    then its mark. Idempotent: a retry after a crash finishes what is left."""
    for page in table.keys_in_partition(keys.children_partition(owner, conversation_id), also=(MESSAGE_FILES,)):
        remove_files(owner, [str(file_id) for child in page for file_id in child.get(MESSAGE_FILES, [])])
        table.delete_all([key for child in page for key in keys.with_companions(owner, child)])
    table.delete(keys.deletion_mark_key(owner, conversation_id))


def remove_with_mark(
    table: Table,
    owner: str,
    target: tuple[str, str, dict[str, str]],
    expected_version: int | None,
    plan: Callable[[Item, dict[str, Any]], list[dict[str, Any]]],
    unlink: Callable[[Mapping[str, Any]], None],
    remove_files: RemoveFiles = refuse_files,
) -> None:
    """A contact's or group's delete: read the item, then one transaction of `plan(item, mark)`'s
    actions, which leave `mark` (what is still to unlink); then the conversation's messages, then
    `unlink(mark)`, then the mark. Should it die part way, a retried delete finds the mark and
    finishes the job. `target` is (resource, id, key); `plan` conditions the item's delete on it
    being as read, so a change in between makes it read again."""
    resource, resource_id, key = target
    mark_key = keys.removal_mark_key(owner, key)
    for _ in range(REMOVAL_ATTEMPTS):
        item = table.get(key)
        if item is None:
            mark = table.get(mark_key)
            if mark is None:
                raise NotFound(resource, resource_id)
            break
        if expected_version is not None and int(item["version"]) != expected_version:
            raise PreconditionFailed(resource, resource_id)
        mark = {**mark_key}
        conversation_id = item.get(LINKED_CONVERSATION)
        if conversation_id:
            mark[LINKED_CONVERSATION] = conversation_id
        actions = plan(item, mark)
        actions.append(table.put_action(mark))
        if conversation_id:
            actions.extend(remove_conversation_actions(table, owner, str(conversation_id)))
        try:
            table.transact(actions)
        except TransactionCancelled:
            continue  # changed since read: read it again
        break
    else:
        raise ServiceUnavailable(f"the {resource} kept changing while being deleted; retry the request")
    if mark.get(LINKED_CONVERSATION):
        remove_children(table, owner, str(mark[LINKED_CONVERSATION]), remove_files)
    unlink(mark)
    table.delete(mark_key)
