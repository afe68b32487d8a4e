"""Builds every service from settings and one DynamoDB client: for the functions (once per
container, on first use), the local server, the tests and the bench alike.

Nothing is made at import. Tests and the local server install their own with `use_services`.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from clarity.core.clock import Clock, TimeSource
from clarity.core.settings import (
    PHONE_DEFAULT_REGION_DEFAULT,
    AttachmentSettings,
    MissingSetting,
    Settings,
    WebhookSettings,
    current_settings,
    use_settings,
)
from clarity.store.dynamodb import Table

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

    from clarity.attachments.repository import AttachmentRepository
    from clarity.attachments.service import AttachmentService
    from clarity.contacts.service import ContactService
    from clarity.conversations.service import ConversationService
    from clarity.groups.service import GroupService
    from clarity.messages.service import MessageService
    from clarity.store.objects import Bucket
    from clarity.webhooks.delivery import DeliveryWorker
    from clarity.webhooks.destinations import DestinationPolicy, Resolver
    from clarity.webhooks.fanout import EventFanout
    from clarity.webhooks.payloads import Payloads
    from clarity.webhooks.queue import DeliveryQueue
    from clarity.webhooks.service import WebhookService
    from clarity.webhooks.stored import StoredWebhooks
    from clarity.webhooks.transport import Transport

# botocore's standard retry mode backs off on throttling and 5xx; the budget stays inside
# the function's timeout: 3 attempts in all, each bounded by the timeouts below.
DYNAMODB_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=2,
    read_timeout=3,
)
SQS_CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=2, read_timeout=5)
# Uploads through the API carry up to a few MB: a longer read timeout than DynamoDB's. Presigned
# links are signature version 4, the only one S3 accepts in every region.
S3_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=2,
    read_timeout=10,
    signature_version="s3v4",
)


class Services:
    """Every service on one table and client. Each is built on first use, so a function loads
    only its own resource's code."""

    def __init__(
        self,
        table: Table,
        clock: Clock | None = None,
        idempotency_store: "BasePersistenceLayer | None" = None,
        outbound: "Outbound | None" = None,
        phone_region: str = PHONE_DEFAULT_REGION_DEFAULT,
        files: "Files | None" = None,
    ) -> None:
        self._table = table
        self._files = files or Files()
        self._phone_region = phone_region
        # One clock for every service: ticks never repeat within the process, whatever resource.
        self._clock = clock or Clock()
        self._idempotency_store = idempotency_store
        self._outbound = outbound or Outbound()

    @cached_property
    def conversations(self) -> "ConversationService":
        from clarity.conversations.repository import ConversationRepository  # noqa: PLC0415
        from clarity.conversations.service import ConversationService  # noqa: PLC0415

        return ConversationService(
            ConversationRepository(self._table, self._remove_files),
            clock=self._clock,
            idempotency_store=self._idempotency_store,
        )

    @cached_property
    def contacts(self) -> "ContactService":
        from clarity.contacts.repository import ContactRepository  # noqa: PLC0415
        from clarity.contacts.service import ContactService  # noqa: PLC0415

        return ContactService(
            ContactRepository(self._table, self._remove_files),
            clock=self._clock,
            idempotency_store=self._idempotency_store,
            phone_region=self._phone_region,
        )

    @cached_property
    def groups(self) -> "GroupService":
        from clarity.groups.repository import GroupRepository  # noqa: PLC0415
        from clarity.groups.service import GroupService  # noqa: PLC0415

        return GroupService(
            GroupRepository(self._table, self._remove_files),
            clock=self._clock,
            idempotency_store=self._idempotency_store,
        )

    def _remove_files(self, owner: str, attachment_ids: Sequence[str]) -> None:
        """A cascade's file deletes: the attachments' code loads only when there are files."""
        if attachment_ids:
            self.attachment_repository.remove_all(owner, attachment_ids)

    @cached_property
    def attachment_repository(self) -> "AttachmentRepository":
        from clarity.attachments.repository import AttachmentRepository  # noqa: PLC0415

        return AttachmentRepository(self._table, lambda: self._files.bucket, self._files.settings)

    @cached_property
    def attachments(self) -> "AttachmentService":
        from clarity.attachments.service import AttachmentService  # noqa: PLC0415

        return AttachmentService(
            self.attachment_repository,
            clock=self._clock,
            settings=self._files.settings,
            idempotency_store=self._idempotency_store,
        )

    @cached_property
    def messages(self) -> "MessageService":
        from clarity.messages.repository import MessageRepository  # noqa: PLC0415
        from clarity.messages.service import MessageService  # noqa: PLC0415

        return MessageService(
            MessageRepository(self._table, self.attachment_repository),
            clock=self._clock,
            idempotency_store=self._idempotency_store,
        )

    @cached_property
    def _stored_webhooks(self) -> "StoredWebhooks":
        """The workers' reads of webhooks, shared by both (the local server runs them together)."""
        from clarity.webhooks.stored import StoredWebhooks  # noqa: PLC0415

        return StoredWebhooks(self._table)

    @cached_property
    def webhooks(self) -> "WebhookService":
        from clarity.webhooks.repository import WebhookRepository  # noqa: PLC0415
        from clarity.webhooks.service import WebhookService  # noqa: PLC0415

        return WebhookService(
            WebhookRepository(self._table),
            clock=self._clock,
            policy=self._outbound.policy(),
            resolve=self._outbound.resolver(),
            idempotency_store=self._idempotency_store,
        )

    @cached_property
    def webhook_fanout(self) -> "EventFanout":
        from clarity.webhooks.fanout import EventFanout  # noqa: PLC0415

        return EventFanout(self._stored_webhooks, self._outbound.queue, self.payloads)

    @cached_property
    def payloads(self) -> "Payloads":
        """Events' payloads: objects as the API answers them, senders and members read now."""
        from clarity.webhooks.payloads import Payloads  # noqa: PLC0415

        return Payloads(self._table)

    @cached_property
    def webhook_delivery(self) -> "DeliveryWorker":
        from clarity.webhooks.delivery import DeliveryWorker, RetrySchedule, WebhookSender  # noqa: PLC0415

        settings = self._outbound.settings
        sender = WebhookSender(
            self._stored_webhooks,
            policy=self._outbound.policy(),
            resolve=self._outbound.resolver(),
            transport=self._outbound.transport(),
            schedule=RetrySchedule(
                base_seconds=settings.retry_base_seconds,
                cap_seconds=settings.retry_cap_seconds,
                max_attempts=settings.max_attempts,
            ),
            timeout_seconds=settings.timeout_seconds,
        )
        return DeliveryWorker(sender, self._outbound.queue)


@dataclass
class Outbound:
    """What webhooks reach outside the table with: the queue, DNS and HTTP. Tests inject a
    resolver and a transport so that nothing ever leaves loopback."""

    settings: WebhookSettings = field(default_factory=WebhookSettings)
    region: str = "us-east-1"
    sqs: "SQSClient | None" = None
    resolve: "Resolver | None" = None
    send: "Transport | None" = None

    def policy(self) -> "DestinationPolicy":
        from clarity.webhooks.destinations import DestinationPolicy  # noqa: PLC0415

        return DestinationPolicy(self.settings.destinations)

    def resolver(self) -> "Resolver":
        from clarity.webhooks.destinations import system_resolver  # noqa: PLC0415

        return self.resolve or system_resolver

    def transport(self) -> "Transport":
        from clarity.webhooks.transport import post  # noqa: PLC0415

        return self.send or post

    @cached_property
    def queue(self) -> "DeliveryQueue":
        """One queue (and SQS client) for both workers: the local server runs them side by side."""
        from clarity.webhooks.queue import DeliveryQueue  # noqa: PLC0415

        if self.settings.queue_url is None:
            raise MissingSetting("WEBHOOK_QUEUE_URL")
        if self.settings.dead_letter_queue_url is None:
            raise MissingSetting("WEBHOOK_DEAD_LETTER_QUEUE_URL")
        client = self.sqs or boto3.client(
            "sqs", region_name=self.region, endpoint_url=self.settings.sqs_endpoint_url, config=SQS_CLIENT_CONFIG
        )
        return DeliveryQueue(client, self.settings.queue_url, self.settings.dead_letter_queue_url)


@dataclass
class Files:
    """Where attachments' files live: the bucket, on S3 (or moto's server, locally). Tests pass
    their own client."""

    settings: AttachmentSettings = field(default_factory=AttachmentSettings)
    region: str = "us-east-1"
    s3: "S3Client | None" = None

    @cached_property
    def bucket(self) -> "Bucket":
        from clarity.store.objects import Bucket  # noqa: PLC0415 - only attachments' functions need S3

        if self.settings.bucket is None:
            raise MissingSetting("ATTACHMENTS_BUCKET")
        client = self.s3 or boto3.client(
            "s3", region_name=self.region, endpoint_url=self.settings.s3_endpoint_url, config=S3_CLIENT_CONFIG
        )
        return Bucket(client, self.settings.bucket)


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
    clock: TimeSource = time.time,
    sleep: Callable[[float], None] = time.sleep,
    outbound: Outbound | None = None,
    files: Files | None = None,
) -> Services:
    """Every service on one client: the production one unless a test or the bench passes its own."""
    client = client or dynamodb_client(settings)
    outbound = outbound or Outbound(settings.webhooks, region=settings.region)
    idempotency_store: BasePersistenceLayer | None = None
    if settings.idempotency_table_name:
        # Only the create functions have this table, so only they load the idempotency utility.
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer  # noqa: PLC0415

        idempotency_store = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=client)
    return Services(
        Table(client, settings.table_name, sleep=sleep),
        Clock(clock),
        idempotency_store,
        outbound,
        phone_region=settings.phone_default_region,
        files=files or Files(settings.attachments, region=settings.region),
    )


def services() -> Services:
    global _services  # noqa: PLW0603 - built once per container is the point
    if _services is None:
        _services = build_services(current_settings())
    return _services


def conversation_service() -> "ConversationService":
    return services().conversations


def contact_service() -> "ContactService":
    return services().contacts


def group_service() -> "GroupService":
    return services().groups


def attachment_service() -> "AttachmentService":
    return services().attachments


def message_service() -> "MessageService":
    return services().messages


def webhook_service() -> "WebhookService":
    return services().webhooks


def webhook_fanout() -> "EventFanout":
    return services().webhook_fanout


def webhook_delivery() -> "DeliveryWorker":
    return services().webhook_delivery


def use_services(installed: Services | None, settings: Settings | None = None) -> None:
    """Install services and settings (tests, local server); None builds them from the environment."""
    global _services  # noqa: PLW0603
    _services = installed
    use_settings(settings)
