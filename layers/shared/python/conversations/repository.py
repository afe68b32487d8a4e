"""The only module that talks to DynamoDB. It takes and returns domain objects, never raw items."""

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from conversations import keys
from conversations.errors import ConversationNotFound, InvalidRequest, PreconditionFailed, ServiceUnavailable
from conversations.keys import StatusIndex
from conversations.models import Conversation, Direction, ListFilters, Page, PageRequest, VersionedConversation

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# When a list filter is not a key, the first Query reads a page's worth of items and each next
# one twice as many (up to MAX_FILTERED_BATCH), so dense matches cost little and rare ones few
# calls. A page stops after MAX_FILTERED_ITEMS items read (README.md: it may then come back
# short, with has_more).
MAX_FILTERED_BATCH = 1000
MAX_FILTERED_ITEMS = 5000
# BatchWriteItem takes at most 25 requests, and may hand some back as UnprocessedItems.
BATCH_WRITE_LIMIT = 25
UNPROCESSED_RETRY_ATTEMPTS = 8

RETRYABLE_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
    }
)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Item = dict[str, Any]


class ConversationIdTaken(Exception):
    """The freshly drawn id already exists; the caller draws another."""


@dataclass(frozen=True)
class _QueryPlan:
    """Which index a list page reads, which key it asks for, and what it must filter."""

    index: StatusIndex | None
    partition_value: str
    filters: dict[str, str]


def _serialize(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _deserialize(item: Mapping[str, Any]) -> Item:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _to_conversation(raw_item: Mapping[str, Any]) -> Conversation:
    item = _deserialize(raw_item)
    return Conversation(
        id=item["id"],
        contact_id=item.get("contact_id"),
        group_id=item.get("group_id"),
        pinned_message_id=item.get("pinned_message_id"),
        is_pinned=bool(item["is_pinned"]),
        is_muted=bool(item["is_muted"]),
        last_active_at=_optional_int(item.get("last_active_at")),
        last_opened_at=_optional_int(item.get("last_opened_at")),
        created_at=int(item["created_at"]),
        archived_at=_optional_int(item.get("archived_at")),
    )


def _to_versioned(raw_item: Mapping[str, Any]) -> VersionedConversation:
    return VersionedConversation(_to_conversation(raw_item), int(raw_item["version"]["N"]))


def _to_item(owner: str, conversation: Conversation) -> dict[str, Any]:
    # Nulls are not stored: absent attributes keep items small and indexes sparse.
    fields = {name: value for name, value in conversation.model_dump().items() if value is not None}
    stored = {
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
    return _serialize(stored)


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


@contextmanager
def _dynamodb_errors() -> Iterator[None]:
    """Failures that outlived botocore's retries become ServiceUnavailable; the rest propagate."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in RETRYABLE_ERROR_CODES:
            raise ServiceUnavailable("DynamoDB is unavailable right now") from error
        raise
    except BotoCoreError as error:
        raise ServiceUnavailable("DynamoDB could not be reached") from error


def _is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class ConversationRepository:
    def __init__(
        self,
        client: "DynamoDBClient",
        table_name: str,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._table_name = table_name
        self._sleep = sleep

    def create(self, owner: str, conversation: Conversation) -> None:
        try:
            with _dynamodb_errors():
                self._client.put_item(
                    TableName=self._table_name,
                    Item=_to_item(owner, conversation),
                    ConditionExpression="attribute_not_exists(PK)",
                )
        except ClientError as error:
            if _is_condition_failure(error):
                raise ConversationIdTaken(conversation.id) from error
            raise

    def record_open(self, owner: str, conversation_id: str, opened_at: int) -> VersionedConversation:
        # Opening changes no field a client edits, so the version (the ETag) stays.
        return self._update(
            owner,
            conversation_id,
            set_values={"last_opened_at": opened_at},
            remove=[],
            bump_version=False,
        )

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
        remove = [name for name, value in changes.items() if value is None]
        if "is_pinned" in changes:
            set_values[StatusIndex.PINNED.key_attribute] = keys.flag_partition(
                owner, StatusIndex.PINNED, bool(changes["is_pinned"])
            )
        if "is_muted" in changes:
            set_values[StatusIndex.MUTED.key_attribute] = keys.flag_partition(
                owner, StatusIndex.MUTED, bool(changes["is_muted"])
            )
        if "archived_at" in changes:
            set_values[StatusIndex.ARCHIVED.key_attribute] = keys.flag_partition(
                owner, StatusIndex.ARCHIVED, changes["archived_at"] is not None
            )
        return self._update(
            owner,
            conversation_id,
            set_values=set_values,
            remove=remove,
            bump_version=True,
            expected_version=expected_version,
        )

    def _update(
        self,
        owner: str,
        conversation_id: str,
        *,
        set_values: Mapping[str, Any],
        remove: list[str],
        bump_version: bool,
        expected_version: int | None = None,
    ) -> VersionedConversation:
        names = {f"#s{i}": name for i, name in enumerate(set_values)}
        values = {f":s{i}": value for i, value in enumerate(set_values.values())}
        clauses = [f"SET {', '.join(f'#s{i} = :s{i}' for i in range(len(set_values)))}"] if set_values else []
        if remove:
            names.update({f"#r{i}": name for i, name in enumerate(remove)})
            clauses.append(f"REMOVE {', '.join(f'#r{i}' for i in range(len(remove)))}")
        condition = "attribute_exists(PK)"
        if bump_version or expected_version is not None:
            names["#version"] = "version"
        if bump_version:
            values[":one"] = 1
            clauses.append("ADD #version :one")
        if expected_version is not None:
            values[":expected"] = expected_version
            condition += " AND #version = :expected"
        try:
            with _dynamodb_errors():
                response = self._client.update_item(
                    TableName=self._table_name,
                    Key=_serialize(keys.conversation_key(owner, conversation_id)),
                    UpdateExpression=" ".join(clauses),
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=_serialize(values),
                    ReturnValues="ALL_NEW",
                    # One call tells "missing" (no item) from "stale" (the item as it is).
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
        except ClientError as error:
            if not _is_condition_failure(error):
                raise
            if error.response.get("Item"):
                raise PreconditionFailed(conversation_id) from error
            raise ConversationNotFound(conversation_id) from error
        return _to_versioned(response["Attributes"])

    def list_page(self, owner: str, request: PageRequest) -> Page:
        """Read one page, at most limit + 1 items when every filter is a key.

        `has_more` comes from that extra item, never from LastEvaluatedKey, which DynamoDB
        may return even when nothing follows.
        """
        plan = _plan_query(owner, request.filters)
        wanted = request.limit + 1
        query = self._query_arguments(owner, plan, request)
        found: list[Conversation] = []
        items_read = 0
        batch = wanted
        budget_spent = False
        while len(found) < wanted:
            query["Limit"] = min(batch, MAX_FILTERED_ITEMS - items_read) if plan.filters else wanted - len(found)
            response = self._query_page(query, request)
            items_read += int(response.get("ScannedCount", 0))
            found.extend(_to_conversation(item) for item in response.get("Items", []))
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                break
            query["ExclusiveStartKey"] = last_key
            if plan.filters and items_read >= MAX_FILTERED_ITEMS:
                budget_spent = True
                break
            batch = min(batch * 2, MAX_FILTERED_BATCH)
        page = found[: request.limit]
        has_more = len(found) > request.limit or budget_spent
        if request.direction is Direction.BEFORE_CURSOR:
            page.reverse()
        return Page(conversations=page, has_more=has_more)

    def _query_page(self, query: dict[str, Any], request: PageRequest) -> Any:
        try:
            with _dynamodb_errors():
                return self._client.query(**query)
        except ClientError as error:
            # DynamoDB refuses a start key it cannot place ("The provided starting key is
            # invalid"): with a cursor that is the client's input, so a 400 that names it.
            if request.cursor is not None and error.response.get("Error", {}).get("Code") == "ValidationException":
                param = "ending_before" if request.direction is Direction.BEFORE_CURSOR else "starting_after"
                raise InvalidRequest(f"{param} is not a valid cursor for this list", param) from error
            raise

    def _query_arguments(self, owner: str, plan: _QueryPlan, request: PageRequest) -> dict[str, Any]:
        names: dict[str, str] = {}
        values: dict[str, Any] = {":partition": plan.partition_value}
        query: dict[str, Any] = {
            "TableName": self._table_name,
            "ScanIndexForward": request.direction is Direction.BEFORE_CURSOR,
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
        if request.cursor is not None:
            start_key = keys.conversation_key(owner, request.cursor)
            if plan.index is not None:
                start_key[plan.index.key_attribute] = plan.partition_value
            query["ExclusiveStartKey"] = _serialize(start_key)
        query["ExpressionAttributeNames"] = names
        query["ExpressionAttributeValues"] = _serialize(values)
        return query

    def delete(self, owner: str, conversation_id: str, expected_version: int | None = None) -> None:
        """Delete a conversation and everything that belongs to it.

        The conversation item is swapped for a deletion mark in one transaction, so it vanishes
        from every read at once. Its children are then removed, then the mark. If this dies
        part way, the mark remains and a retried delete finishes the job.
        """
        conversation_key = _serialize(keys.conversation_key(owner, conversation_id))
        mark_key = keys.deletion_mark_key(owner, conversation_id)
        delete: dict[str, Any] = {
            "TableName": self._table_name,
            "Key": conversation_key,
            "ConditionExpression": "attribute_exists(PK)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if expected_version is not None:
            delete["ConditionExpression"] += " AND #version = :expected"
            delete["ExpressionAttributeNames"] = {"#version": "version"}
            delete["ExpressionAttributeValues"] = _serialize({":expected": expected_version})
        try:
            with _dynamodb_errors():
                self._client.transact_write_items(
                    TransactItems=[
                        {"Delete": delete},  # type: ignore[typeddict-item]
                        {"Put": {"TableName": self._table_name, "Item": _serialize(mark_key)}},
                    ]
                )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons") or [{}]
            if reasons[0].get("Item"):
                raise PreconditionFailed(conversation_id) from error
            if not self._deletion_pending(mark_key):
                raise ConversationNotFound(conversation_id) from error
        self._delete_children(keys.children_partition(owner, conversation_id))
        with _dynamodb_errors():
            self._client.delete_item(TableName=self._table_name, Key=_serialize(mark_key))

    def _deletion_pending(self, mark_key: dict[str, str]) -> bool:
        with _dynamodb_errors():
            response = self._client.get_item(TableName=self._table_name, Key=_serialize(mark_key), ConsistentRead=True)
        return "Item" in response

    def _delete_children(self, partition: str) -> None:
        query: dict[str, Any] = {
            "TableName": self._table_name,
            "KeyConditionExpression": "#pk = :partition",
            "ExpressionAttributeNames": {"#pk": keys.PK, "#sk": keys.SK},
            "ExpressionAttributeValues": _serialize({":partition": partition}),
            "ProjectionExpression": "#pk, #sk",
            "ConsistentRead": True,
        }
        while True:
            with _dynamodb_errors():
                response = self._client.query(**query)
            child_keys = response.get("Items", [])
            for start in range(0, len(child_keys), BATCH_WRITE_LIMIT):
                self._batch_delete(child_keys[start : start + BATCH_WRITE_LIMIT])
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            query["ExclusiveStartKey"] = last_key

    def _batch_delete(self, item_keys: list[dict[str, Any]]) -> None:
        requests: list[Any] = [{"DeleteRequest": {"Key": key}} for key in item_keys]
        for attempt in range(UNPROCESSED_RETRY_ATTEMPTS):
            with _dynamodb_errors():
                response = self._client.batch_write_item(RequestItems={self._table_name: requests})
            requests = list(response.get("UnprocessedItems", {}).get(self._table_name, []))
            if not requests:
                return
            # Exponential backoff with a cap, as DynamoDB asks for unprocessed items.
            self._sleep(min(0.05 * 2**attempt, 1.0))
        raise ServiceUnavailable("DynamoDB did not finish deleting the conversation; retry the delete")
