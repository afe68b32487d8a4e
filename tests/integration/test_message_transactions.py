"""The transaction paths moto cannot take, driven with botocore's Stubber: the cancellation
reasons DynamoDB gives tell a missing conversation, another contact, a newer message, a
taken id, a stale If-Match and a missing pinned message apart."""

from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from clarity.conversations.repository import ConversationRepository
from clarity.core.clock import Clock, TickBehind, tick_at
from clarity.core.errors import InvalidRequest, NotFound, PreconditionFailed, ServiceUnavailable
from clarity.core.ids import ORDER_ATTEMPTS, IdTaken, new_id, tick_of
from clarity.messages.models import CreateMessageRequest, Message, MessagePageRequest
from clarity.messages.repository import MessageRepository
from clarity.messages.service import MessageService
from clarity.store import keys
from clarity.store.dynamodb import TRANSACTION_CONFLICT_ATTEMPTS, Table, serialize
from tests.support import NO_REASON, cancel_transaction, failed_check

OWNER = "alice"
CONVERSATION = "C000000000000001"
MESSAGE = "M000000000000001"
TABLE = "stubbed"


def _message(created_at: int = 100) -> Message:
    return Message(
        id=MESSAGE,
        conversation_id=CONVERSATION,
        contact=None,
        message="hi",
        reactions=[],
        attachments=[],
        read_at=None,
        created_at=created_at,
        updated_at=None,
    )


def _conversation_item(**fields: Any) -> dict[str, Any]:
    return {**keys.conversation_key(OWNER, CONVERSATION), "id": CONVERSATION, "version": 3, **fields}


def test_a_send_to_a_missing_conversation_is_400_naming_it(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    cancel_transaction(stubber, NO_REASON, NO_REASON, failed_check())

    with pytest.raises(InvalidRequest) as raised:
        MessageRepository(table).send(OWNER, _message())

    assert raised.value.param == "conversation_id"


def test_a_send_from_another_contact_is_400_naming_contact_id(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    # The conversation's contact never changes: read (with the sender) before the transaction, it decides.
    conversation = serialize(_conversation_item(contact_id="Contact000000001"))
    stubber.add_response("batch_get_item", {"Responses": {TABLE: [conversation]}})

    with pytest.raises(InvalidRequest) as raised:
        MessageRepository(table).send(OWNER, _message(), contact_id="Someone000000002")

    assert raised.value.param == "contact_id"


def _sent_transactions(table: Table) -> list[dict[str, Any]]:
    """Every TransactWriteItems request the table's client makes from now on."""
    sent: list[dict[str, Any]] = []
    table.client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems", lambda params, **_: sent.append(params)
    )
    return sent


def _stored_message_id(transaction: dict[str, Any]) -> str:
    return str(transaction["TransactItems"][0]["Put"]["Item"]["id"]["S"])


def test_a_message_that_would_sort_before_the_conversations_newest_is_refused_with_its_tick(
    stubbed: tuple[Table, Stubber],
) -> None:
    # Given a conversation whose newest message was made at a later tick than this one
    table, stubber = stubbed
    newest = new_id(tick_at(1_800_000_000.5))
    cancel_transaction(
        stubber,
        NO_REASON,
        NO_REASON,
        failed_check(_conversation_item(newest_message_id=newest, last_active_at=1_800_000_000)),
    )

    with pytest.raises(TickBehind) as raised:
        MessageRepository(table).send(OWNER, _message())

    assert raised.value.floor == tick_of(newest)


def test_a_send_behind_the_newest_message_is_retried_after_it(stubbed: tuple[Table, Stubber]) -> None:
    # Given an instance whose clock is 2 s behind the one that sent the conversation's newest message
    table, stubber = stubbed
    newest = new_id(tick_at(1_800_000_002.25))
    cancel_transaction(
        stubber,
        NO_REASON,
        NO_REASON,
        failed_check(_conversation_item(newest_message_id=newest, last_active_at=1_800_000_002)),
    )
    stubber.add_response("transact_write_items", {}, {"TransactItems": ANY})
    sent = _sent_transactions(table)
    service = MessageService(MessageRepository(table), Clock(lambda: 1_800_000_000.0))

    message = service.send(OWNER, CreateMessageRequest(conversation_id=CONVERSATION, message="hi")).resource

    # Then the retry stores it one tick after the newest: listed after it, in the same second
    assert [_stored_message_id(transaction) for transaction in sent] == [
        sent[0]["TransactItems"][0]["Put"]["Item"]["id"]["S"],
        message.id,
    ]
    assert tick_of(message.id) == tick_of(newest) + 1
    assert message.id > newest
    assert message.created_at == 1_800_000_002


def test_a_send_to_a_conversation_active_before_ids_had_ticks_keeps_last_active_at(
    stubbed: tuple[Table, Stubber],
) -> None:
    # Given a conversation with no newest_message_id yet, last active later than this clock
    table, stubber = stubbed
    cancel_transaction(stubber, NO_REASON, NO_REASON, failed_check(_conversation_item(last_active_at=1_800_000_200)))
    stubber.add_response("transact_write_items", {}, {"TransactItems": ANY})
    service = MessageService(MessageRepository(table), Clock(lambda: 1_800_000_100.0))

    message = service.send(OWNER, CreateMessageRequest(conversation_id=CONVERSATION, message="hi")).resource

    # Then the message takes the first tick of that second: last_active_at does not move backwards
    assert message.created_at == 1_800_000_200
    assert tick_of(message.id) == tick_at(1_800_000_200)


def test_a_send_that_keeps_losing_the_race_is_503_after_a_bounded_number_of_tries(
    stubbed: tuple[Table, Stubber],
) -> None:
    # Given a conversation that always has a newer message by the time the send commits
    table, stubber = stubbed
    for attempt in range(ORDER_ATTEMPTS):
        newest = new_id(tick_at(1_800_000_000) + 100 * (attempt + 1))
        cancel_transaction(stubber, NO_REASON, NO_REASON, failed_check(_conversation_item(newest_message_id=newest)))
    service = MessageService(MessageRepository(table), Clock(lambda: 1_800_000_000.0))

    # Then the client is told to retry, without a message stored
    with pytest.raises(ServiceUnavailable):
        service.send(OWNER, CreateMessageRequest(conversation_id=CONVERSATION, message="hi"))


def test_a_taken_message_id_is_reported_for_a_fresh_draw(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    cancel_transaction(stubber, failed_check(), NO_REASON, NO_REASON)

    with pytest.raises(IdTaken):
        MessageRepository(table).send(OWNER, _message())


def test_a_transaction_conflict_is_503_not_a_client_error(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    for _ in range(TRANSACTION_CONFLICT_ATTEMPTS):  # each attempt conflicts
        cancel_transaction(stubber, NO_REASON, NO_REASON, {"Code": "TransactionConflict", "Message": "conflict"})

    with pytest.raises(ServiceUnavailable):
        MessageRepository(table).send(OWNER, _message())


@pytest.mark.parametrize(
    ("reasons", "raised", "param"),
    [
        ((failed_check(_conversation_item()), NO_REASON), PreconditionFailed, None),
        ((failed_check(), NO_REASON), NotFound, None),
        ((NO_REASON, failed_check()), InvalidRequest, "pinned_message_id"),
        ((failed_check(), failed_check()), NotFound, None),
    ],
    ids=["stale If-Match", "missing conversation", "missing message", "both missing"],
)
def test_pinning_tells_its_failures_apart(
    stubbed: tuple[Table, Stubber], reasons: tuple[dict[str, Any], ...], raised: type[Exception], param: str | None
) -> None:
    table, stubber = stubbed
    cancel_transaction(stubber, *reasons)

    with pytest.raises(raised) as error:
        ConversationRepository(table).update(OWNER, CONVERSATION, {"pinned_message_id": MESSAGE}, expected_version=2)

    assert getattr(error.value, "param", None) == param


def _pointer(stubber: Stubber) -> None:
    pointer = {**keys.message_pointer_key(OWNER, MESSAGE), "conversation_id": CONVERSATION}
    stubber.add_response("get_item", {"Item": serialize(pointer)})


@pytest.mark.parametrize(
    ("message_reason", "raised"),
    [(failed_check({"id": MESSAGE, "version": 5}), PreconditionFailed), (failed_check(), NotFound)],
    ids=["stale If-Match", "deleted meanwhile"],
)
def test_a_message_delete_tells_stale_from_missing(
    stubbed: tuple[Table, Stubber], message_reason: dict[str, Any], raised: type[Exception]
) -> None:
    table, stubber = stubbed
    _pointer(stubber)
    cancel_transaction(stubber, message_reason, NO_REASON, NO_REASON)

    with pytest.raises(raised):
        MessageRepository(table).delete(OWNER, MESSAGE, expected_version=4)


def test_deleting_a_message_pinned_meanwhile_unpins_it_in_the_retry(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    _pointer(stubber)
    cancel_transaction(stubber, NO_REASON, NO_REASON, failed_check(_conversation_item(pinned_message_id=MESSAGE)))
    stubber.add_response("transact_write_items", {}, {"TransactItems": ANY})
    sent: list[dict[str, Any]] = []
    table.client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems", lambda params, **_: sent.append(params)
    )

    MessageRepository(table).delete(OWNER, MESSAGE)

    first, retry = (params["TransactItems"][2] for params in sent)
    assert "ConditionCheck" in first
    assert retry["Update"]["UpdateExpression"] == "REMOVE #pinned ADD #version :one"
    assert retry["Update"]["ConditionExpression"] == "#pinned = :message"


def test_listing_all_messages_retries_unprocessed_keys(stubbed: tuple[Table, Stubber]) -> None:
    # Given two pointers, and a BatchGetItem that hands one key back the first time
    table, stubber = stubbed
    ids = ["M000000000000002", "M000000000000001"]
    pointers = [{**keys.message_pointer_key(OWNER, i), "conversation_id": CONVERSATION} for i in ids]
    stubber.add_response("query", {"Items": [serialize(p) for p in pointers]})
    stored = [
        {**keys.message_key(OWNER, CONVERSATION, i), "id": i, "conversation_id": CONVERSATION, "message": i,
         "created_at": 1, "version": 1}
        for i in ids
    ]  # fmt: skip
    unprocessed = {TABLE: {"Keys": [serialize(keys.message_key(OWNER, CONVERSATION, ids[0]))], "ConsistentRead": True}}
    stubber.add_response(
        "batch_get_item", {"Responses": {TABLE: [serialize(stored[1])]}, "UnprocessedKeys": unprocessed}
    )
    stubber.add_response(
        "batch_get_item", {"Responses": {TABLE: [serialize(stored[0])]}}, {"RequestItems": unprocessed}
    )

    page = MessageRepository(table).list_page(OWNER, MessagePageRequest(conversation_id=None, limit=10))

    # Then both come back, in the pointers' (newest first) order
    assert [m.id for m in page.items] == ids
    assert page.has_more is False


def test_unprocessed_keys_that_never_clear_are_503(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    pointer = {**keys.message_pointer_key(OWNER, MESSAGE), "conversation_id": CONVERSATION}
    stubber.add_response("query", {"Items": [serialize(pointer)]})
    unprocessed = {TABLE: {"Keys": [serialize(keys.message_key(OWNER, CONVERSATION, MESSAGE))], "ConsistentRead": True}}
    for _ in range(9):
        stubber.add_response("batch_get_item", {"Responses": {TABLE: []}, "UnprocessedKeys": unprocessed})

    with pytest.raises(ServiceUnavailable):
        MessageRepository(table).list_page(OWNER, MessagePageRequest(conversation_id=None, limit=10))


def test_a_message_page_keyed_by_conversation_reads_at_most_limit_plus_one(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    expected = {
        "TableName": TABLE,
        "KeyConditionExpression": "#pk = :partition AND begins_with(#sk, :prefix)",
        "ExpressionAttributeNames": ANY,
        "ExpressionAttributeValues": {
            ":partition": {"S": keys.children_partition(OWNER, CONVERSATION)},
            ":prefix": {"S": keys.MESSAGE_PREFIX},
        },
        "ScanIndexForward": False,
        "ConsistentRead": True,
        "Limit": 11,
    }
    stubber.add_response("query", {"Items": []}, expected)

    MessageRepository(table).list_page(OWNER, MessagePageRequest(conversation_id=CONVERSATION, limit=10))


def test_a_transaction_that_lost_a_conflict_is_tried_again_and_lands(stubbed: tuple[Table, Stubber]) -> None:
    table, stubber = stubbed
    cancel_transaction(stubber, NO_REASON, NO_REASON, {"Code": "TransactionConflict", "Message": "conflict"})
    stubber.add_response("transact_write_items", {})

    MessageRepository(table).send(OWNER, _message())  # no 503: the second attempt went through
