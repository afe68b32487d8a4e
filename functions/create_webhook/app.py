"""POST /v1/webhooks: register a URL to receive the caller's change events."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.metrics import MetricUnit

from clarity.core.observability import metrics
from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import WEBHOOKS, responses
from clarity.http.resolver import ApiResolver
from clarity.webhooks.models import CreatedWebhook, CreateWebhookRequest
from clarity.wiring import webhook_service

app = ApiResolver(body_model=CreateWebhookRequest)


@app.post(
    "/v1/webhooks",
    operation_id="createWebhook",
    summary="Register a webhook",
    description=(
        "Register a URL to receive your change events: every event of the types listed in `events` is "
        "POSTed to it, signed with the webhook's secret. This response is the only one that shows the "
        "secret. `id`, `created_at` and `secret` cannot be set: sending one is a 400. You may have 16 "
        "webhooks. There is no update: register a new one and delete the old. Send an `Idempotency-Key` "
        "to retry safely."
    ),
    tags=[WEBHOOKS],
    responses=responses(201, "The webhook, with its secret (shown only here)", CreatedWebhook, resource="webhook"),
)
def create_webhook(
    request: Annotated[CreateWebhookRequest, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=255, description="Retry safely: the same key and body register once (24 h)."),
    ] = None,
) -> Response[CreatedWebhook]:
    created = webhook_service().create_idempotently(app.current_owner(), request, idempotency_key, app.lambda_context)
    metrics.add_metric(name="WebhookCreated", unit=MetricUnit.Count, value=1)
    return versioned_response(created, 201, {"Location": f"/v1/webhooks/{created.resource.id}"})


lambda_handler = lambda_handler_for(app)
