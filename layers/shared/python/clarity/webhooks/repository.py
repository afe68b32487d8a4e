"""The webhooks' storage: one item per webhook in its owner's partition, and a count that keeps
each owner within MAX_WEBHOOKS_PER_OWNER whatever the concurrency."""

from collections.abc import Mapping
from typing import Any

from clarity.core.clock import TickBehind
from clarity.core.errors import InvalidRequest, NotFound
from clarity.core.ids import IdTaken, tick_of
from clarity.core.paging import Page
from clarity.core.versioned import Versioned
from clarity.store import keys
from clarity.store.dynamodb import (
    Expression,
    Table,
    TransactionCancelled,
    all_of,
    missing_or_stale,
    scan_forward,
    serialize,
    sorts_after_newest,
    to_page,
    version_condition,
    with_expressions,
)
from clarity.webhooks.limits import MAX_WEBHOOKS_PER_OWNER
from clarity.webhooks.models import Webhook, WebhookPageRequest
from clarity.webhooks.stored import owner_webhooks_query

RESOURCE = "webhook"
# The owner's webhook count item names the newest webhook: each registration must sort after it.
NEWEST_WEBHOOK = "newest_webhook_id"
# A webhook never changes after it is registered: it stays at its first version.
FIRST_VERSION = 1


def to_webhook(item: Mapping[str, Any]) -> Webhook:
    return Webhook(
        id=item["id"],
        name=item["name"],
        url=item["url"],
        events=list(item["events"]),
        created_at=int(item["created_at"]),
    )


def _webhook_version_condition(expected_version: int | None) -> Expression:
    """As for every resource; a webhook registered before webhooks had versions is at the first."""
    if expected_version != FIRST_VERSION:
        return version_condition(expected_version)
    return Expression(
        "attribute_exists(PK) AND (attribute_not_exists(#version) OR #version = :expected)",
        {"#version": "version"},
        {":expected": FIRST_VERSION},
    )


class WebhookRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def create(self, owner: str, webhook: Webhook, secret: str) -> None:
        """Store the webhook and count it, in one transaction: the 17th is refused even when
        registrations race. The count also records the newest webhook's id, and the new one must
        sort after it, so webhooks list in the order they were registered (TickBehind if not)."""
        # A webhook has a version, as every resource does, so If-Match works on its delete.
        item = {
            **keys.webhook_key(owner, webhook.id),
            **webhook.model_dump(),
            "secret": secret,
            "version": FIRST_VERSION,
        }
        count = with_expressions(
            {
                "TableName": self._table.name,
                "Key": serialize(keys.webhook_count_key(owner)),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
            update=Expression("ADD #count :one SET #newest = :newest", {"#count": "count"}, {":one": 1}),
            condition=all_of(
                Expression(
                    "(attribute_not_exists(#count) OR #count < :limit)",
                    {"#count": "count"},
                    {":limit": MAX_WEBHOOKS_PER_OWNER},
                ),
                sorts_after_newest(NEWEST_WEBHOOK, webhook.id),
            ),
        )
        try:
            self._table.transact(
                [self._table.put_action(item, "attribute_not_exists(PK)"), {"Update": count}],
            )
        except TransactionCancelled as cancelled:
            webhook_reason, count_reason = cancelled.reasons
            if webhook_reason.failed:
                raise IdTaken(webhook.id) from cancelled
            counted = count_reason.item or {}
            if int(counted.get("count", 0)) >= MAX_WEBHOOKS_PER_OWNER:
                raise InvalidRequest(
                    f"you already have {MAX_WEBHOOKS_PER_OWNER} webhooks, the most an owner may have; delete one first"
                ) from cancelled
            raise TickBehind(tick_of(str(counted[NEWEST_WEBHOOK]))) from cancelled

    def retrieve(self, owner: str, webhook_id: str) -> Versioned[Webhook]:
        item = self._table.get(keys.webhook_key(owner, webhook_id))
        if item is None:
            raise NotFound(RESOURCE, webhook_id)
        return Versioned(to_webhook(item), int(item.get("version", FIRST_VERSION)))

    def list_page(self, owner: str, request: WebhookPageRequest) -> Page[Webhook]:
        query = owner_webhooks_query(self._table.name, owner)
        query["ScanIndexForward"] = scan_forward(request.position)
        # Only what the list shows: the secret never leaves the table on this path.
        shown = ("id", "name", "url", "events", "created_at")
        query["ProjectionExpression"] = ", ".join(f"#{name}" for name in shown)
        query["ExpressionAttributeNames"].update({f"#{name}": name for name in shown})
        if request.position.cursor is not None:
            query["ExclusiveStartKey"] = serialize(keys.webhook_key(owner, request.position.cursor))
        result = self._table.query(query, wanted=request.limit + 1, filtered=False, position=request.position)
        return to_page(result, request.limit, request.position, to_webhook)

    def delete(self, owner: str, webhook_id: str, expected_version: int | None = None) -> None:
        """Delete the webhook and uncount it, in one transaction; NotFound if there is none, and
        PreconditionFailed if it is not at `expected_version` (If-Match)."""
        delete = with_expressions(
            {
                "TableName": self._table.name,
                "Key": serialize(keys.webhook_key(owner, webhook_id)),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
            condition=_webhook_version_condition(expected_version),
        )
        uncount = with_expressions(
            {"TableName": self._table.name, "Key": serialize(keys.webhook_count_key(owner))},
            update=Expression("ADD #count :minus_one", {"#count": "count"}, {":minus_one": -1}),
            condition=Expression("#count > :zero", {"#count": "count"}, {":zero": 0}),
        )
        try:
            self._table.transact([{"Delete": delete}, {"Update": uncount}])
        except TransactionCancelled as cancelled:
            raise missing_or_stale(RESOURCE, webhook_id, cancelled.reasons[0].item) from cancelled
