"""The rules of webhook registrations, independent of HTTP and of DynamoDB's wire format."""

from typing import TYPE_CHECKING

from clarity.core.clock import Clock
from clarity.core.errors import InvalidRequest
from clarity.core.ids import existing_id, stored_under_fresh_id
from clarity.core.paging import Page, position
from clarity.core.retry_safe import RetrySafeCreate
from clarity.core.versioned import Versioned
from clarity.webhooks.destinations import (
    DestinationPolicy,
    ForbiddenDestination,
    Resolver,
    allowed_addresses,
    parse_url,
)
from clarity.webhooks.models import CreatedWebhook, CreateWebhookRequest, Webhook, WebhookPageRequest
from clarity.webhooks.repository import WebhookRepository
from clarity.webhooks.signing import new_secret

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

RESOURCE = "webhook"


class WebhookService:
    def __init__(
        self,
        repository: WebhookRepository,
        clock: Clock,
        policy: DestinationPolicy,
        resolve: Resolver,
        idempotency_store: "BasePersistenceLayer | None" = None,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._policy = policy
        self._resolve = resolve
        self.create_idempotently = RetrySafeCreate("createWebhook", self.create, CreatedWebhook, idempotency_store)

    def create(self, owner: str, request: CreateWebhookRequest) -> Versioned[CreatedWebhook]:
        """Register a webhook whose URL may be called now; its secret is returned only here."""
        try:
            allowed_addresses(parse_url(request.url, self._policy), self._policy, self._resolve)
        except ForbiddenDestination as refused:
            raise InvalidRequest(f"url {refused}", "url") from refused
        secret = new_secret()

        def store(webhook_id: str, created_at: int) -> Versioned[CreatedWebhook]:
            webhook = Webhook(
                id=webhook_id, name=request.name, url=request.url, events=list(request.events), created_at=created_at
            )
            self._repository.create(owner, webhook, secret)
            return Versioned(CreatedWebhook(**webhook.model_dump(), secret=secret), version=1)

        return stored_under_fresh_id(self._clock, store, RESOURCE)

    def retrieve(self, owner: str, webhook_id: str) -> Versioned[Webhook]:
        return self._repository.retrieve(owner, existing_id(RESOURCE, webhook_id))

    def list(
        self, owner: str, limit: int, starting_after: str | None = None, ending_before: str | None = None
    ) -> Page[Webhook]:
        start = position(starting_after, ending_before)
        return self._repository.list_page(owner, WebhookPageRequest(limit=limit, position=start))

    def delete(self, owner: str, webhook_id: str, expected_version: int | None = None) -> None:
        """Delete for good: deliveries still queued for it find no webhook and are dropped."""
        self._repository.delete(owner, existing_id(RESOURCE, webhook_id), expected_version)
