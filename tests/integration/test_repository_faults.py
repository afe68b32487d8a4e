"""Paths moto never takes: page boundaries, UnprocessedItems, throttling, a delete that dies part way."""

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from clarity.conversations.models import Conversation, ListFilters, PageRequest
from clarity.core.errors import InvalidRequest, NotFound, ServiceUnavailable
from clarity.core.paging import Direction, Position
from clarity.store import keys
from clarity.store.dynamodb import MAX_FILTERED_ITEMS, Table
from tests.people import a_contact
from tests.support import TABLE_NAME, moto_table, repository_on

OWNER = "alice"
CONTACT = "WAz8eIbvDR60rouK"


def _conversation(conversation_id: str) -> Conversation:
    return Conversation.started(conversation_id, 1_700_000_000, contact_id=CONTACT)


def _stored(conversation_id: str) -> dict[str, Any]:
    return {
        "PK": {"S": keys.owner_partition(OWNER)},
        "SK": {"S": keys.conversation_sort_key(conversation_id)},
        "id": {"S": conversation_id},
        "is_pinned": {"BOOL": False},
        "is_muted": {"BOOL": False},
        "created_at": {"N": "1700000000"},
    }


@pytest.fixture
def table() -> Iterator[Any]:
    with moto_table() as client:
        yield client


class FaultyClient:
    """Wraps a real (moto) client; batch_write_item processes only some requests, or fails."""

    def __init__(
        self,
        client: Any,
        *,
        process_at_most: int = 25,
        fail_on_call: int | None = None,
        failure: Exception | None = None,
    ) -> None:
        self._client = client
        self._process_at_most = process_at_most
        self._fail_on_call = fail_on_call
        self._failure = failure or RuntimeError("the function died here")
        self.batch_calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:  # noqa: N803
        self.batch_calls += 1
        if self._fail_on_call is not None and self.batch_calls == self._fail_on_call:
            raise self._failure
        (table_name, requests), *_ = RequestItems.items()
        done, left = requests[: self._process_at_most], requests[self._process_at_most :]
        self._client.batch_write_item(RequestItems={table_name: done})
        return {"UnprocessedItems": {table_name: left} if left else {}}


def _add_children(client: Any, conversation_id: str, count: int) -> None:
    partition = keys.children_partition(OWNER, conversation_id)
    for start in range(0, count, 25):
        client.batch_write_item(
            RequestItems={
                TABLE_NAME: [
                    {"PutRequest": {"Item": {"PK": {"S": partition}, "SK": {"S": f"MSG#{n:06d}"}}}}
                    for n in range(start, min(start + 25, count))
                ]
            }
        )


def _children_left(client: Any, conversation_id: str) -> int:
    response = client.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.children_partition(OWNER, conversation_id)}},
        Select="COUNT",
    )
    return int(response["Count"])


def test_has_more_is_false_when_dynamodb_returns_a_last_key_at_the_boundary(table: Any) -> None:
    repository = repository_on(table)
    stubber = Stubber(table)
    # Given DynamoDB returns exactly `limit` items and a LastEvaluatedKey, then nothing more
    stubber.add_response(
        "query",
        {
            "Items": [_stored("A000000000000002"), _stored("A000000000000001")],
            "LastEvaluatedKey": _stored("A000000000000001"),
        },
        {
            "TableName": TABLE_NAME,
            "KeyConditionExpression": ANY,
            "ExpressionAttributeNames": ANY,
            "ExpressionAttributeValues": ANY,
            "ScanIndexForward": False,
            "ConsistentRead": True,
            "Limit": 3,
        },
    )
    stubber.add_response("query", {"Items": []}, None)
    with stubber:
        # When a page of two is asked for
        page = repository.list_page(OWNER, PageRequest(filters=ListFilters(), limit=2))
    # Then it has both items and knows nothing follows
    assert [c.id for c in page.items] == ["A000000000000002", "A000000000000001"]
    assert page.has_more is False
    stubber.assert_no_pending_responses()


def test_filtered_page_stops_after_its_read_budget(table: Any) -> None:
    repository = repository_on(table)
    stubber = Stubber(table)
    # Given every Query reads as many items as it may and none matches
    limits = [11, 22, 44, 88, 176, 352, 704, 1000, 1000, 1000, 603]
    assert sum(limits) == MAX_FILTERED_ITEMS
    for call, limit in enumerate(limits):
        expected = {"TableName": TABLE_NAME, "IndexName": "GSI2", "KeyConditionExpression": ANY,
                    "FilterExpression": ANY, "ExpressionAttributeNames": ANY, "ExpressionAttributeValues": ANY,
                    "ScanIndexForward": False, "Limit": limit}  # fmt: skip
        if call:
            expected["ExclusiveStartKey"] = ANY
        stubber.add_response(
            "query",
            {"Items": [], "ScannedCount": limit, "Count": 0, "LastEvaluatedKey": _stored("A000000000000001")},
            expected,
        )
    with stubber:
        page = repository.list_page(OWNER, PageRequest(filters=ListFilters(pinned=True, muted=True), limit=10))
    assert page.items == []
    assert page.has_more is True
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "raised"),
    [
        ("ThrottlingException", ServiceUnavailable),  # outlived the retries: the client may retry
        ("ProvisionedThroughputExceededException", ServiceUnavailable),
        ("ValidationException", ClientError),  # a bug of ours is not hidden as "unavailable"
    ],
)
def test_dynamodb_errors_map_to_what_the_client_can_do(table: Any, code: str, raised: type[Exception]) -> None:
    repository = repository_on(table)
    stubber = Stubber(table)
    stubber.add_client_error("update_item", service_error_code=code, http_status_code=400)
    with stubber, pytest.raises(raised):
        repository.record_open(OWNER, "A000000000000001", 1)


def test_delete_removes_1000_children_despite_unprocessed_items(table: Any) -> None:
    faulty = FaultyClient(table, process_at_most=7)
    repository = repository_on(faulty)
    a_contact(Table(table, TABLE_NAME), OWNER, CONTACT)
    repository.open(OWNER, _conversation("A000000000000001"))
    _add_children(table, "A000000000000001", 1000)

    repository.delete(OWNER, "A000000000000001")

    assert _children_left(table, "A000000000000001") == 0
    assert "Item" not in table.get_item(
        TableName=TABLE_NAME, Key={k: {"S": v} for k, v in keys.deletion_mark_key(OWNER, "A000000000000001").items()}
    )
    assert faulty.batch_calls > 40  # 1000 / 25 batches, plus the retries of unprocessed items


THROTTLED = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "BatchWriteItem")


@pytest.mark.parametrize(
    ("failure", "seen_as"),
    [(RuntimeError("the function died here"), RuntimeError), (THROTTLED, ServiceUnavailable)],
    ids=["function dies", "throttled past the retries"],
)
def test_a_delete_that_stops_part_way_is_finished_by_a_retry(
    table: Any, failure: Exception, seen_as: type[Exception]
) -> None:
    dying = FaultyClient(table, fail_on_call=5, failure=failure)
    repository = repository_on(dying)
    a_contact(Table(table, TABLE_NAME), OWNER, CONTACT)
    repository.open(OWNER, _conversation("A000000000000001"))
    _add_children(table, "A000000000000001", 300)

    with pytest.raises(seen_as):
        repository.delete(OWNER, "A000000000000001")

    # The conversation is gone for readers at once, though children remain
    with pytest.raises(NotFound):
        repository.record_open(OWNER, "A000000000000001", 1)
    assert 0 < _children_left(table, "A000000000000001") < 300

    healthy = repository_on(table)
    healthy.delete(OWNER, "A000000000000001")
    assert _children_left(table, "A000000000000001") == 0
    with pytest.raises(NotFound):
        healthy.delete(OWNER, "A000000000000001")


def test_unprocessed_items_that_never_clear_leave_the_delete_resumable(table: Any) -> None:
    stuck = FaultyClient(table, process_at_most=0)
    repository = repository_on(stuck)
    a_contact(Table(table, TABLE_NAME), OWNER, CONTACT)
    repository.open(OWNER, _conversation("A000000000000001"))
    _add_children(table, "A000000000000001", 30)

    with pytest.raises(ServiceUnavailable):
        repository.delete(OWNER, "A000000000000001")

    repository_on(table).delete(OWNER, "A000000000000001")
    assert _children_left(table, "A000000000000001") == 0


def test_a_start_key_dynamodb_refuses_is_a_400_naming_the_cursor(table: Any) -> None:
    repository = repository_on(table)
    stubber = Stubber(table)
    stubber.add_client_error(
        "query", service_error_code="ValidationException", service_message="The provided starting key is invalid"
    )
    request = PageRequest(ListFilters(), limit=10, position=Position("A000000000000001", Direction.BEFORE_CURSOR))

    with stubber, pytest.raises(InvalidRequest) as raised:
        repository.list_page(OWNER, request)

    assert raised.value.param == "ending_before"


def test_a_validation_error_without_a_cursor_is_not_blamed_on_the_client(table: Any) -> None:
    repository = repository_on(table)
    stubber = Stubber(table)
    stubber.add_client_error("query", service_error_code="ValidationException")

    with stubber, pytest.raises(ClientError):
        repository.list_page(OWNER, PageRequest(filters=ListFilters(), limit=10))


def _index_entry(conversation_id: str, muted: bool) -> dict[str, Any]:
    """What GSI3 holds of a conversation: keys and status keys only (INCLUDE projection)."""
    return {
        "PK": {"S": keys.owner_partition(OWNER)},
        "SK": {"S": keys.conversation_sort_key(conversation_id)},
        "GSI3PK": {"S": keys.flag_partition(OWNER, keys.StatusIndex.MUTED, muted)},
    }


def test_an_index_page_reads_its_items_whole_and_drops_what_changed_since(table: Any) -> None:
    """GSIs lag on AWS (moto's never do): an entry whose item was unmuted or deleted since the
    index was read is left off the page, and the order is the index's."""
    repository = repository_on(table)
    stubber = Stubber(table)
    entries = [_index_entry(f"A00000000000000{n}", muted=True) for n in (3, 2, 1)]
    stubber.add_response("query", {"Items": entries}, None)
    still_muted = {**_stored("A000000000000001"), "is_muted": {"BOOL": True}, **_index_entry("A000000000000001", True)}
    unmuted_since = {**_stored("A000000000000003"), **_index_entry("A000000000000003", False)}
    stubber.add_response(
        "batch_get_item",
        {"Responses": {TABLE_NAME: [unmuted_since, still_muted]}},  # A2 was deleted since
        {
            "RequestItems": {
                TABLE_NAME: {
                    "Keys": [{"PK": e["PK"], "SK": e["SK"]} for e in entries],
                    "ConsistentRead": False,  # the index was eventually consistent already
                }
            }
        },
    )
    with stubber:
        page = repository.list_page(OWNER, PageRequest(filters=ListFilters(muted=True), limit=10))
    assert [c.id for c in page.items] == ["A000000000000001"]
    assert page.items[0].is_muted is True
    assert page.has_more is False
    stubber.assert_no_pending_responses()
