"""Builds every service from settings and one DynamoDB client: for the functions (once per
container, on first use), the local server, the tests and the bench alike.

Nothing is made at import. Tests and the local server install their own with `use_services`.
"""

import time
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from clarity.core.clock import unix_now
from clarity.core.settings import Settings, current_settings, use_settings
from clarity.store.dynamodb import Table

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
    from mypy_boto3_dynamodb import DynamoDBClient

    from clarity.conversations.service import ConversationService
    from clarity.messages.service import MessageService

# botocore's standard retry mode backs off on throttling and 5xx; the budget stays inside
# the function's timeout: 3 attempts in all, each bounded by the timeouts below.
DYNAMODB_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=2,
    read_timeout=3,
)


class Services:
    """Every service on one table and client. Each is built on first use, so a function loads
    only its own resource's code."""

    def __init__(
        self,
        table: Table,
        clock: Callable[[], int] = unix_now,
        idempotency_store: "BasePersistenceLayer | None" = None,
    ) -> None:
        self._table = table
        self._clock = clock
        self._idempotency_store = idempotency_store

    @cached_property
    def conversations(self) -> "ConversationService":
        from clarity.conversations.repository import ConversationRepository  # noqa: PLC0415
        from clarity.conversations.service import ConversationService  # noqa: PLC0415

        return ConversationService(
            ConversationRepository(self._table), clock=self._clock, idempotency_store=self._idempotency_store
        )

    @cached_property
    def messages(self) -> "MessageService":
        from clarity.messages.repository import MessageRepository  # noqa: PLC0415
        from clarity.messages.service import MessageService  # noqa: PLC0415

        return MessageService(
            MessageRepository(self._table), clock=self._clock, idempotency_store=self._idempotency_store
        )


_services: Services | None = None


def dynamodb_client(settings: Settings) -> "DynamoDBClient":
    return boto3.client(
        "dynamodb",
        region_name=settings.region,
        endpoint_url=settings.dynamodb_endpoint_url,
        config=DYNAMODB_CLIENT_CONFIG,
    )


def build_services(
    settings: Settings,
    client: "DynamoDBClient | None" = None,
    *,
    clock: Callable[[], int] = unix_now,
    sleep: Callable[[float], None] = time.sleep,
) -> Services:
    """Every service on one client: the production one unless a test or the bench passes its own."""
    client = client or dynamodb_client(settings)
    idempotency_store: BasePersistenceLayer | None = None
    if settings.idempotency_table_name:
        # Only the create functions have this table, so only they load the idempotency utility.
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer  # noqa: PLC0415

        idempotency_store = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=client)
    return Services(Table(client, settings.table_name, sleep=sleep), clock, idempotency_store)


def services() -> Services:
    global _services  # noqa: PLW0603 - built once per container is the point
    if _services is None:
        _services = build_services(current_settings())
    return _services


def conversation_service() -> "ConversationService":
    return services().conversations


def message_service() -> "MessageService":
    return services().messages


def use_services(installed: Services | None, settings: Settings | None = None) -> None:
    """Install services and settings (tests, local server); None builds them from the environment."""
    global _services  # noqa: PLW0603
    _services = installed
    use_settings(settings)
