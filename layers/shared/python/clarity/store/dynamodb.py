"""DynamoDB mechanics every repository shares, once: (de)serialisation, error translation,
conditional writes that tell "missing" from "stale", transactions, the page query loop, and
batched reads and deletes that retry what DynamoDB hands back.

Repositories build keys (clarity.store.keys) and turn items into domain objects; this module
knows nothing of any resource.
"""

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from clarity.core.errors import ApiError, InvalidRequest, NotFound, PreconditionFailed, ServiceUnavailable
from clarity.core.paging import Direction, Page, Position
from clarity.core.versioned import Versioned
from clarity.store.keys import PK, SK

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# When a list filter is not a key, the first Query reads a page's worth of items and each next
# one twice as many (up to MAX_FILTERED_BATCH), so dense matches cost little and rare ones few
# calls. A page stops after MAX_FILTERED_ITEMS items read (docs/architecture.md: it may come back
# short, with has_more).
MAX_FILTERED_BATCH = 1000
MAX_FILTERED_ITEMS = 5000
# BatchWriteItem takes at most 25 requests and BatchGetItem 100; both may hand some back.
BATCH_WRITE_LIMIT = 25
BATCH_GET_LIMIT = 100
UNPROCESSED_RETRY_ATTEMPTS = 8
# A transaction cancelled by a conflict is tried this many times in all, pausing up to 20, 40 ms.
TRANSACTION_CONFLICT_ATTEMPTS = 3
TRANSACTION_CONFLICT_PAUSE = 0.02

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
T = TypeVar("T")


def serialize(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def deserialize(item: Mapping[str, Any]) -> Item:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def versioned(item: Mapping[str, Any], convert: Callable[[Mapping[str, Any]], T]) -> Versioned[T]:
    """A stored item as its resource, with the version every client change increments."""
    return Versioned(convert(item), int(item["version"]))


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def dynamodb_errors() -> Iterator[None]:
    """Failures that outlived botocore's retries become ServiceUnavailable; the rest propagate."""
    try:
        yield
    except ClientError as error:
        if error_code(error) in RETRYABLE_ERROR_CODES:
            raise ServiceUnavailable("DynamoDB is unavailable right now") from error
        raise
    except BotoCoreError as error:
        raise ServiceUnavailable("DynamoDB could not be reached") from error


def missing_or_stale(resource: str, resource_id: str, existing: Item | None) -> ApiError:
    """Why a conditional write on a versioned item failed: with the item there (as
    ReturnValuesOnConditionCheckFailure gives it), its version was not the one expected (412);
    without one, there is no such item (404)."""
    if existing is not None:
        return PreconditionFailed(resource, resource_id)
    return NotFound(resource, resource_id)


class ItemExists(Exception):
    """A create's `attribute_not_exists` condition failed: the key is taken."""


class ConditionFailed(Exception):
    """A conditional write was refused. `item` is the item as it is, or None if there is none."""

    def __init__(self, item: Item | None) -> None:
        super().__init__("the condition of a write failed")
        self.item = item


@dataclass(frozen=True)
class CancellationReason:
    """Why one action of a cancelled transaction failed ("None" when it did not)."""

    code: str
    item: Item | None

    @property
    def failed(self) -> bool:
        return self.code == "ConditionalCheckFailed"


class TransactionCancelled(Exception):
    """A transaction's condition failed; one reason per action, in the order they were sent."""

    def __init__(self, reasons: list[CancellationReason]) -> None:
        super().__init__("the transaction was cancelled: " + ", ".join(r.code for r in reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Expression:
    """One expression's text and the placeholder names and values it uses."""

    text: str
    names: dict[str, str]
    values: dict[str, Any]


def update_expression(
    set_values: Mapping[str, Any],
    remove: Sequence[str] = (),
    *,
    bump_version: bool = False,
    expected_version: int | None = None,
) -> tuple[Expression, Expression]:
    """The update and condition of one conditional UpdateItem on an existing versioned item.

    Only the named attributes change (never read-modify-write), so concurrent updates of other
    attributes all land; with `expected_version` (If-Match), only that version is changed.
    """
    names = {f"#s{i}": name for i, name in enumerate(set_values)}
    values = {f":s{i}": value for i, value in enumerate(set_values.values())}
    clauses = [f"SET {', '.join(f'#s{i} = :s{i}' for i in range(len(set_values)))}"] if set_values else []
    if remove:
        names.update({f"#r{i}": name for i, name in enumerate(remove)})
        clauses.append(f"REMOVE {', '.join(f'#r{i}' for i in range(len(remove)))}")
    if bump_version:
        names["#version"] = "version"
        values[":one"] = 1
        clauses.append("ADD #version :one")
    return Expression(" ".join(clauses), names, values), version_condition(expected_version)


def version_condition(expected_version: int | None) -> Expression:
    """The item exists, and with If-Match, is at the version expected: for updates and deletes."""
    if expected_version is None:
        return Expression("attribute_exists(PK)", {}, {})
    return Expression(
        "attribute_exists(PK) AND #version = :expected", {"#version": "version"}, {":expected": expected_version}
    )


def sorts_after_newest(attribute: str, resource_id: str) -> Expression:
    """The condition that `resource_id` sorts after the newest id recorded in `attribute` (the
    write also sets it there). Creates conditioned so commit in the order their ids sort,
    whichever instance's clock made them; the loser of a race finds the winner's id in the item
    (clarity.core.ids.stored_under_fresh_id takes a later tick)."""
    return Expression(
        "(attribute_not_exists(#newest) OR #newest < :newest)", {"#newest": attribute}, {":newest": resource_id}
    )


def all_of(*conditions: Expression) -> Expression:
    """Conditions joined by AND."""
    return Expression(
        " AND ".join(condition.text for condition in conditions),
        {name: value for condition in conditions for name, value in condition.names.items()},
        {name: value for condition in conditions for name, value in condition.values.items()},
    )


def with_expressions(request: dict[str, Any], *, update: Expression | None = None, condition: Expression) -> Any:
    """A request (UpdateItem, DeleteItem or a transaction's action) with its expressions set."""
    names = {**(update.names if update else {}), **condition.names}
    values = {**(update.values if update else {}), **condition.values}
    if update is not None:
        request["UpdateExpression"] = update.text
    request["ConditionExpression"] = condition.text
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = serialize(values)
    return request


@dataclass(frozen=True)
class QueryResult:
    items: list[Item]
    # A filtered query stopped at its read budget before the page was full.
    budget_spent: bool


def to_page(result: QueryResult, limit: int, position: Position, convert: Callable[[Item], T]) -> Page[T]:
    """The page a query read: `has_more` from the extra item read, never from LastEvaluatedKey,
    which DynamoDB may return even when nothing follows."""
    page = [convert(item) for item in result.items[:limit]]
    if position.direction is Direction.BEFORE_CURSOR:
        page.reverse()
    return Page(items=page, has_more=len(result.items) > limit or result.budget_spent)


def scan_forward(position: Position) -> bool:
    """ScanIndexForward for a page: newest first (descending), except when paging back towards
    newer items."""
    return position.direction is Direction.BEFORE_CURSOR


class Table:
    """One DynamoDB table through an injected client: production's, moto's, a Stubber's or a
    fault-injecting wrapper. `sleep` is the backoff between retries of unprocessed items."""

    def __init__(
        self,
        client: "DynamoDBClient",
        name: str,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.name = name
        self._sleep = sleep

    def put_new(self, item: Mapping[str, Any]) -> None:
        try:
            with dynamodb_errors():
                self.client.put_item(
                    TableName=self.name, Item=serialize(item), ConditionExpression="attribute_not_exists(PK)"
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise ItemExists from error
            raise

    def get(self, key: Mapping[str, str]) -> Item | None:
        with dynamodb_errors():
            response = self.client.get_item(TableName=self.name, Key=serialize(key), ConsistentRead=True)
        return deserialize(response["Item"]) if "Item" in response else None

    def update(self, key: Mapping[str, str], update: Expression, condition: Expression) -> Item:
        """One conditional UpdateItem; the item as it is after it, or ConditionFailed."""
        request = with_expressions(
            {
                "TableName": self.name,
                "Key": serialize(key),
                "ReturnValues": "ALL_NEW",
                # One call tells "missing" (no item) from "stale" (the item as it is).
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
            update=update,
            condition=condition,
        )
        try:
            with dynamodb_errors():
                response = self.client.update_item(**request)
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            existing: Any = error.response.get("Item")
            raise ConditionFailed(deserialize(existing) if existing else None) from error
        return deserialize(response["Attributes"])

    def delete(self, key: Mapping[str, str]) -> None:
        with dynamodb_errors():
            self.client.delete_item(TableName=self.name, Key=serialize(key))

    def transact(self, actions: list[dict[str, Any]]) -> None:
        """TransactWriteItems; TransactionCancelled with one reason per action when a condition
        fails. One cancelled by a conflict with another transaction on one of its items (two
        uploads of one owner both count bytes) applied nothing: it is tried again after a short
        random pause, a few times, then a 503."""
        for attempt in range(TRANSACTION_CONFLICT_ATTEMPTS):
            try:
                with dynamodb_errors():
                    self.client.transact_write_items(TransactItems=actions)  # type: ignore[arg-type]
                return
            except ClientError as error:
                if error_code(error) != "TransactionCanceledException":
                    raise
                raw_reasons = error.response.get("CancellationReasons") or []
                reasons = [
                    CancellationReason(
                        code=str(reason.get("Code", "None")),
                        item=deserialize(reason["Item"]) if reason.get("Item") else None,
                    )
                    for reason in raw_reasons
                ]
                if any(reason.failed for reason in reasons):
                    raise TransactionCancelled(reasons) from error
                conflicted = any(reason.code == "TransactionConflict" for reason in reasons)
                if not conflicted or attempt + 1 == TRANSACTION_CONFLICT_ATTEMPTS:
                    raise ServiceUnavailable("DynamoDB cancelled the transaction; retry the request") from error
                # Full jitter: racing transactions should not collide again in step.
                self._sleep(random.uniform(0, TRANSACTION_CONFLICT_PAUSE * 2**attempt))  # noqa: S311

    def put_action(self, item: Mapping[str, Any], condition: str | None = None) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self.name, "Item": serialize(item)}
        if condition is not None:
            put["ConditionExpression"] = condition
        return {"Put": put}

    def query(self, query: dict[str, Any], *, wanted: int, filtered: bool, position: Position) -> QueryResult:
        """Read until `wanted` items are found or the data ends.

        An unfiltered query asks for exactly what it still needs. A filtered one reads growing
        batches until the page is full, within MAX_FILTERED_ITEMS items read.
        """
        found: list[Item] = []
        items_read = 0
        batch = wanted
        budget_spent = False
        while len(found) < wanted:
            query["Limit"] = min(batch, MAX_FILTERED_ITEMS - items_read) if filtered else wanted - len(found)
            response = self._query_once(query, position)
            items_read += int(response.get("ScannedCount", 0))
            found.extend(deserialize(item) for item in response.get("Items", []))
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                break
            query["ExclusiveStartKey"] = last_key
            if filtered and items_read >= MAX_FILTERED_ITEMS:
                budget_spent = True
                break
            batch = min(batch * 2, MAX_FILTERED_BATCH)
        return QueryResult(found, budget_spent)

    def _query_once(self, query: dict[str, Any], position: Position) -> Any:
        try:
            with dynamodb_errors():
                return self.client.query(**query)
        except ClientError as error:
            # DynamoDB refuses a start key it cannot place ("The provided starting key is
            # invalid"): with a cursor that is the client's input, so a 400 that names it.
            if position.cursor is not None and error_code(error) == "ValidationException":
                param = position.cursor_param
                raise InvalidRequest(f"{param} is not a valid cursor for this list", param) from error
            raise

    def pages(self, query: dict[str, Any]) -> Iterator[list[Item]]:
        """Every page of a Query as it is given, one page at a time."""
        while True:
            with dynamodb_errors():
                response = self.client.query(**query)
            yield [deserialize(item) for item in response.get("Items", [])]
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            query["ExclusiveStartKey"] = last_key

    def keys_in_partition(self, partition: str, also: Sequence[str] = ()) -> Iterator[list[Item]]:
        """The keys of every item in a partition (and the attributes `also` names), one Query
        page at a time, strongly consistent."""
        names = {"#pk": "PK", "#sk": "SK", **{f"#a{i}": name for i, name in enumerate(also)}}
        query: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": "#pk = :partition",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": serialize({":partition": partition}),
            "ProjectionExpression": ", ".join(names),
            "ConsistentRead": True,
        }
        yield from self.pages(query)

    def delete_all(self, item_keys: Sequence[Mapping[str, Any]]) -> None:
        """Delete these items in batches of 25, retrying UnprocessedItems with capped backoff."""
        for start in range(0, len(item_keys), BATCH_WRITE_LIMIT):
            self._batch_delete([serialize(key) for key in item_keys[start : start + BATCH_WRITE_LIMIT]])

    def _batch_delete(self, item_keys: list[dict[str, Any]]) -> None:
        requests: list[Any] = [{"DeleteRequest": {"Key": key}} for key in item_keys]
        for attempt in range(UNPROCESSED_RETRY_ATTEMPTS):
            with dynamodb_errors():
                response = self.client.batch_write_item(RequestItems={self.name: requests})
            requests = list(response.get("UnprocessedItems", {}).get(self.name, []))
            if not requests:
                return
            # Exponential backoff with a cap, as DynamoDB asks for unprocessed items.
            self._sleep(min(0.05 * 2**attempt, 1.0))
        raise ServiceUnavailable("DynamoDB did not finish deleting; retry the request")

    def whole_items(self, entries: Page[Item], expected: Mapping[str, str]) -> Page[Item]:
        """The items of a page read from an index, read whole in one BatchGetItem, in its order.

        The indexes hold only keys and statuses (template.yaml: INCLUDE projection), so a write
        that changes neither costs no index write; reading the page's items back costs less than
        those writes did. An item deleted since the index was read, or whose `expected` index
        keys changed since, is not on the page."""
        wanted = [{PK: str(entry[PK]), SK: str(entry[SK])} for entry in entries.items]
        items = [
            item
            for item in self.get_in_order(wanted, consistent=False)
            if all(item.get(name) == value for name, value in expected.items())
        ]
        return Page(items=items, has_more=entries.has_more)

    def get_in_order(self, item_keys: Sequence[Mapping[str, Any]], *, consistent: bool = True) -> list[Item]:
        """The items of these keys, in the keys' order (a page's order), leaving out any missing."""
        found = {(item[PK], item[SK]): item for item in self.get_all(item_keys, consistent=consistent)}
        return [found[key[PK], key[SK]] for key in item_keys if (key[PK], key[SK]) in found]

    def get_all(self, item_keys: Sequence[Mapping[str, Any]], *, consistent: bool = True) -> list[Item]:
        """BatchGetItem of these keys (strongly consistent unless told), retrying UnprocessedKeys
        with backoff. Items come back in no particular order; missing ones are left out."""
        found: list[Item] = []
        for start in range(0, len(item_keys), BATCH_GET_LIMIT):
            pending: Any = {
                self.name: {
                    "Keys": [serialize(key) for key in item_keys[start : start + BATCH_GET_LIMIT]],
                    "ConsistentRead": consistent,
                }
            }
            for attempt in range(UNPROCESSED_RETRY_ATTEMPTS + 1):
                with dynamodb_errors():
                    response = self.client.batch_get_item(RequestItems=pending)
                found.extend(deserialize(item) for item in response.get("Responses", {}).get(self.name, []))
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                if attempt == UNPROCESSED_RETRY_ATTEMPTS:
                    raise ServiceUnavailable("DynamoDB did not finish reading; retry the request")
                self._sleep(min(0.05 * 2**attempt, 1.0))
        return found
