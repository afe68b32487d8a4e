"""Builds settings and the service once per Lambda container, on first use.

Nothing is made at import. Tests and the local server install their own service with
`use_service`.
"""

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from conversations.repository import ConversationRepository
from conversations.service import ConversationService
from conversations.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# botocore's standard retry mode backs off on throttling and 5xx; the budget stays inside
# the function's timeout: 3 attempts in all, each bounded by the timeouts below.
DYNAMODB_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=2,
    read_timeout=3,
)

_settings: Settings | None = None
_service: ConversationService | None = None


def current_settings() -> Settings:
    global _settings  # noqa: PLW0603 - read once per container is the point
    if _settings is None:
        _settings = Settings.from_environment()
    return _settings


def dynamodb_client(settings: Settings) -> "DynamoDBClient":
    return boto3.client(
        "dynamodb",
        region_name=settings.region,
        endpoint_url=settings.dynamodb_endpoint_url,
        config=DYNAMODB_CLIENT_CONFIG,
    )


def build_service(settings: Settings) -> ConversationService:
    client = dynamodb_client(settings)
    idempotency_store = None
    if settings.idempotency_table_name:
        # Only the create function has this table, so only it loads the idempotency utility.
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer  # noqa: PLC0415

        idempotency_store = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=client)
    return ConversationService(ConversationRepository(client, settings.table_name), idempotency_store=idempotency_store)


def conversation_service() -> ConversationService:
    global _service  # noqa: PLW0603
    if _service is None:
        _service = build_service(current_settings())
    return _service


def use_service(service: ConversationService | None, settings: Settings | None = None) -> None:
    """Install a service and settings (tests, local server); None builds them from the environment."""
    global _service, _settings  # noqa: PLW0603
    _service = service
    _settings = settings
