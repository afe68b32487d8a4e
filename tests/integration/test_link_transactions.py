"""The links' transaction paths moto cannot take, driven with botocore's Stubber: cancellation
reasons that come together, or carry no failed condition."""

from typing import Any

import pytest
from botocore.stub import Stubber

from clarity.contacts.repository import ContactRepository
from clarity.conversations.models import Conversation
from clarity.conversations.repository import ConversationRepository
from clarity.core.clock import TickBehind
from clarity.core.errors import InvalidRequest, ServiceUnavailable
from clarity.groups.models import StoredGroup
from clarity.groups.repository import GroupRepository
from clarity.messages.repository import MessageRepository
from clarity.store import keys
from clarity.store.dynamodb import TRANSACTION_CONFLICT_ATTEMPTS, Table, serialize
from tests.integration.test_message_transactions import CONVERSATION, _message
from tests.support import NO_REASON, cancel_transaction, failed_check

OWNER = "alice"
CONTACT = "Contact000000001"
GROUP = "Group00000000001"
CONFLICT = {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}


def _contact_item(**fields: Any) -> dict[str, Any]:
    return {
        **keys.contact_key(OWNER, CONTACT),
        "id": CONTACT,
        "username": "kevin",
        "phone_number": "+14155550100",
        "created_at": 1,
        "version": 1,
        **fields,
    }


def test_an_open_that_loses_to_a_conflict_is_503_not_a_client_error(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    for _ in range(TRANSACTION_CONFLICT_ATTEMPTS):  # each attempt conflicts
        cancel_transaction(stubber, NO_REASON, CONFLICT)

    with pytest.raises(ServiceUnavailable):
        ConversationRepository(table).open(OWNER, Conversation.started(CONVERSATION, 100, contact_id=CONTACT))


def test_a_group_whose_third_member_is_missing_is_400_naming_that_contact(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    members = ["Member0000000001", "Member0000000002", "Member0000000003"]
    cancel_transaction(stubber, NO_REASON, NO_REASON, NO_REASON, NO_REASON, failed_check())
    group = StoredGroup(GROUP, "g", None, None, CONVERSATION, members, 100, None)

    with pytest.raises(InvalidRequest) as raised:
        GroupRepository(table).create(OWNER, group, Conversation.started(CONVERSATION, 100, group_id=GROUP))

    assert raised.value.param == "contacts" and "Member0000000003" in str(raised.value)


def test_a_send_behind_both_the_newest_message_and_the_contact_takes_a_later_tick(
    stubbed: tuple[Table, Stubber],
) -> None:
    table, stubber = stubbed
    conversation = {**keys.conversation_key(OWNER, CONVERSATION), "id": CONVERSATION, "contact_id": CONTACT}
    read = [serialize(conversation), serialize(_contact_item())]
    stubber.add_response("batch_get_item", {"Responses": {"stubbed": read}})
    newest = {**conversation, "newest_message_id": "zzzzzzzz00000000", "version": 1}
    cancel_transaction(
        stubber, NO_REASON, NO_REASON, failed_check(newest), failed_check(_contact_item(last_active_at=999))
    )

    with pytest.raises(TickBehind):
        MessageRepository(table).send(OWNER, _message(), contact_id=CONTACT)


def test_a_send_from_a_contact_deleted_meanwhile_is_400_naming_contact_id(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    group_conversation = {**keys.conversation_key(OWNER, CONVERSATION), "id": CONVERSATION, "group_id": GROUP}
    # Read with the conversation, then deleted before the transaction.
    read = [serialize(group_conversation), serialize(_contact_item())]
    stubber.add_response("batch_get_item", {"Responses": {"stubbed": read}})
    cancel_transaction(stubber, NO_REASON, NO_REASON, NO_REASON, failed_check(), failed_check())

    with pytest.raises(InvalidRequest) as raised:
        MessageRepository(table).send(OWNER, _message(), contact_id=CONTACT)

    assert raised.value.param == "contact_id" and "not one of your contacts" in str(raised.value)


def test_a_contact_delete_that_keeps_conflicting_gives_up_with_503(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    for _ in range(4):
        stubber.add_response("get_item", {"Item": serialize(_contact_item())})
        cancel_transaction(stubber, failed_check(_contact_item(version=2)), NO_REASON, NO_REASON)

    with pytest.raises(ServiceUnavailable):
        ContactRepository(table).delete(OWNER, CONTACT)
