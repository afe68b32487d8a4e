"""One list page of an owner's items of one kind, newest first, optionally only those with a
status that an index partitions by: the read every "list, with a yes/no filter" shares."""

from collections.abc import Callable
from typing import Any

from clarity.core.paging import Page, Position
from clarity.store import keys
from clarity.store.dynamodb import Item, Table, scan_forward, serialize, to_page
from clarity.store.keys import StatusIndex


def status_page(
    table: Table,
    owner: str,
    *,
    prefix: str,
    sort_key: Callable[[str], str],
    index: StatusIndex | None,
    status: bool | None,
    limit: int,
    position: Position,
    partition: str | None = None,
) -> Page[Item]:
    """The owner's items whose sort keys start with `prefix`, from the table (strongly
    consistent); or, with `status`, from `index`'s partition for it, or from the `partition` of
    `index` given, then read whole. Either way a page reads at most limit + 1 entries."""
    index_partition = partition
    if index is not None and index_partition is None and status is not None:
        index_partition = keys.flag_partition(owner, index, status)
    query: dict[str, Any] = {"TableName": table.name, "ScanIndexForward": scan_forward(position)}
    start_key: dict[str, str] | None = None
    if position.cursor is not None:
        start_key = {keys.PK: keys.owner_partition(owner), keys.SK: sort_key(position.cursor)}
    if index is None or index_partition is None:
        query["KeyConditionExpression"] = "#pk = :partition AND begins_with(#sk, :prefix)"
        query["ExpressionAttributeNames"] = {"#pk": keys.PK, "#sk": keys.SK}
        values = {":partition": keys.owner_partition(owner), ":prefix": prefix}
        query["ConsistentRead"] = True
    else:
        query["IndexName"] = index.index_name
        query["KeyConditionExpression"] = "#pk = :partition"
        query["ExpressionAttributeNames"] = {"#pk": index.key_attribute}
        values = {":partition": index_partition}
        if start_key is not None:
            start_key[index.key_attribute] = index_partition
    query["ExpressionAttributeValues"] = serialize(values)
    if start_key is not None:
        query["ExclusiveStartKey"] = serialize(start_key)
    result = table.query(query, wanted=limit + 1, filtered=False, position=position)
    entries = to_page(result, limit, position, dict)
    if index is None or index_partition is None:
        return entries
    return table.whole_items(entries, {index.key_attribute: values[":partition"]})
