"""Where links between contacts, groups and conversations can break: racing requests, a delete
that dies part way, a contact deleted between two transactions, clocks that disagree. Each is
forced with threads on a serialized client or with a call injected at the exact point."""

import threading
from collections.abc import Callable
from typing import Any

from clarity.contacts.models import UpdateContactRequest
from clarity.conversations.models import CreateConversationRequest
from clarity.core.errors import ServiceUnavailable
from clarity.groups.models import CreateGroupRequest, UpdateGroupRequest
from clarity.messages.models import CreateMessageRequest
from clarity.store import keys
from clarity.store.dynamodb import deserialize, serialize
from clarity.wiring import Services, build_services
from tests.support import SETTINGS, TABLE_NAME, ApiClient, serialized

OWNER = "alice"


class Interleaved:
    """A client that runs `before()` just ahead of the `nth` call of `operation` (or of every one
    from the `nth` on, with `every`): another request lands exactly between two steps of this
    one, or the function dies there."""

    def __init__(
        self, client: Any, operation: str, nth: int, before: Callable[[], object], every: bool = False
    ) -> None:
        self._client, self._operation, self._nth, self._before, self._every = client, operation, nth, before, every
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name != self._operation:
            return attribute

        def call(**kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self._nth or (self._every and self.calls > self._nth):
                self._before()
            return attribute(**kwargs)

        return call


def _dies() -> None:
    raise RuntimeError("the function died here")


def _services(client: Any) -> Services:
    return build_services(SETTINGS, client, sleep=lambda _: None)


def _item(client: Any, key: dict[str, str]) -> dict[str, Any] | None:
    found = client.get_item(TableName=TABLE_NAME, Key=serialize(key), ConsistentRead=True).get("Item")
    return deserialize(found) if found else None


def _partition_size(client: Any, partition: str) -> int:
    return int(
        client.query(
            TableName=TABLE_NAME,
            KeyConditionExpression="PK = :p",
            ExpressionAttributeValues={":p": {"S": partition}},
            Select="COUNT",
        )["Count"]
    )


def _in_parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            results[index] = calls[index]()
        except Exception as error:  # the test inspects what each call ended with
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twelve_racing_opens_for_one_contact_make_one_conversation(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    contact = api.new_contact()
    conversations = _services(serialized(client)).conversations
    request = CreateConversationRequest(contact_id=contact["id"])

    opened = _in_parallel([lambda: conversations.create(OWNER, request) for _ in range(12)])

    assert not [result for result in opened if isinstance(result, Exception)]
    assert sum(result.is_new for result in opened) == 1
    assert len({result.resource.id for result in opened}) == 1
    assert len(api.request("GET", "/v1/conversations").json()["data"]) == 1
    assert api.request("GET", f"/v1/contacts/{contact['id']}").json()["conversation_id"] == opened[0].resource.id


def test_a_contact_delete_racing_sends_and_a_group_update_leaves_nothing_behind(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    api, client = api_and_table
    contact, other = api.new_contact(), api.new_contact()
    conversation = api.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]}).json()
    group = api.new_group(members=[other["id"]])
    services = _services(serialized(client))
    direct = CreateMessageRequest(conversation_id=conversation["id"], message="hi", contact_id=contact["id"])
    grouped = CreateMessageRequest(conversation_id=group["conversation_id"], message="hi", contact_id=contact["id"])
    add_contact = UpdateGroupRequest(contacts=[other["id"], contact["id"]])

    calls: list[Callable[[], Any]] = [lambda: services.contacts.delete(OWNER, contact["id"])]
    calls += [lambda: services.messages.send(OWNER, direct) for _ in range(8)]
    calls += [lambda: services.groups.update(OWNER, group["id"], add_contact) for _ in range(2)]
    calls += [lambda: services.messages.send(OWNER, grouped) for _ in range(8)]
    results = _in_parallel(calls)

    assert results[0] is None, results[0]
    assert _partition_size(client, keys.children_partition(OWNER, conversation["id"])) == 0
    assert _item(client, keys.conversation_key(OWNER, conversation["id"])) is None
    stored_group = _item(client, keys.group_key(OWNER, group["id"]))
    assert stored_group is not None and contact["id"] not in stored_group["member_ids"]
    assert [m["id"] for m in api.request("GET", f"/v1/groups/{group['id']}").json()["contacts"]] == [other["id"]]
    pointers = client.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="PK = :p AND begins_with(SK, :m)",
        ExpressionAttributeValues={":p": {"S": keys.owner_partition(OWNER)}, ":m": {"S": keys.MESSAGE_PREFIX}},
    )["Items"]
    # Every pointer left names a message that exists: none of the deleted conversation's.
    for pointer in map(deserialize, pointers):
        assert pointer["conversation_id"] == group["conversation_id"]


def test_a_group_delete_racing_sends_leaves_no_message_behind(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    member = api.new_contact()
    group = api.new_group(members=[member["id"]])
    services = _services(serialized(client))
    request = CreateMessageRequest(conversation_id=group["conversation_id"], message="hi", contact_id=member["id"])

    results = _in_parallel(
        [lambda: services.messages.send(OWNER, request) for _ in range(6)]
        + [lambda: services.groups.delete(OWNER, group["id"])]
        + [lambda: services.messages.send(OWNER, request) for _ in range(6)]
    )

    assert results[6] is None, results[6]
    assert _partition_size(client, keys.children_partition(OWNER, group["conversation_id"])) == 0
    assert api.request("GET", "/v1/messages").json()["data"] == []
    assert _item(client, keys.contact_key(OWNER, member["id"])).get("group_ids", set()) == set()  # type: ignore[union-attr]


def test_a_group_join_landing_inside_a_contact_delete_is_seen_by_it(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    contact = api.new_contact()
    group = api.new_group()
    join = _services(client).groups

    # The delete has read the contact; the group adds it before the delete's transaction.
    deleting = _services(
        Interleaved(
            client,
            "transact_write_items",
            1,
            lambda: join.update(OWNER, group["id"], UpdateGroupRequest(contacts=[contact["id"]])),
        )
    ).contacts
    deleting.delete(OWNER, contact["id"])

    assert _item(client, keys.group_key(OWNER, group["id"]))["member_ids"] == []  # type: ignore[index]
    assert api.request("GET", f"/v1/groups/{group['id']}").header("ETag") == '"3"'


def test_a_contact_deleted_between_a_groups_two_transactions_is_taken_off_its_list(
    api_and_table: tuple[ApiClient, Any],
) -> None:
    api, client = api_and_table
    members = [api.new_contact()["id"] for _ in range(100)]
    last = members[-1]
    deleter = _services(client).contacts

    # Members 99 and 100 are checked, the first transaction commits, then the 100th is deleted.
    creating = _services(Interleaved(client, "transact_write_items", 2, lambda: deleter.delete(OWNER, last))).groups
    created = creating.create(OWNER, CreateGroupRequest(name="big", contacts=members))

    stored = _item(client, keys.group_key(OWNER, created.resource.id))
    assert stored is not None and stored["member_ids"] == members[:-1]
    assert [c.id for c in created.resource.contacts] == members[:-1]
    assert deleter.retrieve(OWNER, members[-2]).resource.id == members[-2]
    assert created.resource.id in (_item(client, keys.contact_key(OWNER, members[-2])) or {})["group_ids"]


def test_a_contact_delete_that_dies_part_way_is_finished_by_a_retry(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    contact = api.new_contact()
    conversation = api.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]}).json()
    for _ in range(3):
        api.send(conversation["id"], contact_id=contact["id"])
    group = api.new_group(members=[contact["id"]])

    dying = _services(Interleaved(client, "batch_write_item", 1, _dies)).contacts
    try:
        dying.delete(OWNER, contact["id"])
    except RuntimeError:
        pass
    else:
        raise AssertionError("the delete should have died")

    assert api.request("GET", f"/v1/contacts/{contact['id']}").status == 404
    assert _partition_size(client, keys.children_partition(OWNER, conversation["id"])) == 3
    assert api.request("DELETE", f"/v1/contacts/{contact['id']}").status == 204
    assert _partition_size(client, keys.children_partition(OWNER, conversation["id"])) == 0
    assert api.request("GET", f"/v1/groups/{group['id']}").json()["contacts"] == []
    assert _item(client, keys.removal_mark_key(OWNER, keys.contact_key(OWNER, contact["id"]))) is None
    assert api.request("DELETE", f"/v1/contacts/{contact['id']}").status == 404


def test_a_group_delete_that_dies_part_way_is_finished_by_a_retry(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    member = api.new_contact()
    group = api.new_group(members=[member["id"]])
    api.send(group["conversation_id"], contact_id=member["id"])

    dying = _services(Interleaved(client, "update_item", 1, _dies)).groups
    try:
        dying.delete(OWNER, group["id"])
    except RuntimeError:
        pass
    else:
        raise AssertionError("the delete should have died")

    assert api.request("GET", f"/v1/groups/{group['id']}").status == 404
    assert member["id"] and group["id"] in _item(client, keys.contact_key(OWNER, member["id"]))["group_ids"]  # type: ignore[index]
    assert api.request("DELETE", f"/v1/groups/{group['id']}").status == 204
    assert _item(client, keys.contact_key(OWNER, member["id"])).get("group_ids", set()) == set()  # type: ignore[union-attr]
    assert _item(client, keys.removal_mark_key(OWNER, keys.group_key(OWNER, group["id"]))) is None


def test_a_contact_active_later_elsewhere_keeps_its_last_active_at(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    contact = api.new_contact()
    conversation = api.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]}).json()
    later = 4_000_000_000
    # Another instance, its clock ahead, recorded a later message from this contact.
    client.update_item(
        TableName=TABLE_NAME,
        Key=serialize(keys.contact_key(OWNER, contact["id"])),
        UpdateExpression="SET last_active_at = :t",
        ExpressionAttributeValues={":t": {"N": str(later)}},
    )

    sent = api.send(conversation["id"], contact_id=contact["id"])

    assert sent["contact"]["last_active_at"] == later
    assert api.request("GET", f"/v1/contacts/{contact['id']}").json()["last_active_at"] == later


def test_a_link_to_a_conversation_that_stays_missing_is_503(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    contact = api.new_contact()
    client.update_item(
        TableName=TABLE_NAME,
        Key=serialize(keys.contact_key(OWNER, contact["id"])),
        UpdateExpression="SET conversation_id = :c",
        ExpressionAttributeValues={":c": {"S": "A000000000000000"}},
    )

    response = api.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]})

    assert response.status == 503 and response.header("Retry-After") == "1"


def test_a_conversation_stored_before_links_can_still_be_deleted(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    made_up = "WAz8eIbvDR60rouK"
    conversation = {
        **keys.conversation_key(OWNER, "A000000000000001"),
        "id": "A000000000000001",
        "contact_id": made_up,
        "is_pinned": False,
        "is_muted": False,
        "created_at": 1_600_000_000,
        "version": 1,
    }
    client.put_item(TableName=TABLE_NAME, Item=serialize(conversation))

    assert api.request("DELETE", "/v1/conversations/A000000000000001").status == 204
    assert _item(client, keys.contact_key(OWNER, made_up)) is None


def test_a_rename_does_not_stop_a_contact_delete(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    contact = api.new_contact()
    renamer = _services(client).contacts
    rename = UpdateContactRequest(display_name="Buzz")

    deleting = _services(
        Interleaved(client, "transact_write_items", 1, lambda: renamer.update(OWNER, contact["id"], rename))
    ).contacts
    deleting.delete(OWNER, contact["id"])

    assert api.request("GET", f"/v1/contacts/{contact['id']}").status == 404


def test_a_contact_that_keeps_changing_is_503_not_half_deleted(api_and_table: tuple[ApiClient, Any]) -> None:
    api, client = api_and_table
    contact = api.new_contact()
    renamer = _services(client).contacts

    renames = iter(range(100))

    def rename() -> None:
        renamer.update(OWNER, contact["id"], UpdateContactRequest(display_name=f"n{next(renames)}"))

    deleting = _services(Interleaved(client, "transact_write_items", 1, rename, every=True)).contacts
    try:
        deleting.delete(OWNER, contact["id"])
    except ServiceUnavailable:
        pass
    else:
        raise AssertionError("the delete should have given up")

    assert api.request("GET", f"/v1/contacts/{contact['id']}").status == 200
    assert _item(client, keys.removal_mark_key(OWNER, keys.contact_key(OWNER, contact["id"]))) is None
