"""GET /v1/webhooks/{id}: one webhook (without its secret)."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response

from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import WEBHOOKS, WebhookIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.webhooks.models import Webhook
from clarity.wiring import webhook_service

app = ApiResolver()


@app.get(
    "/v1/webhooks/<webhook_id>",
    operation_id="retrieveWebhook",
    summary="Retrieve a webhook",
    description="Retrieve one of your webhooks by its id, without its secret.",
    tags=[WEBHOOKS],
    responses=responses(200, "The webhook (no secret)", Webhook, resource="webhook"),
)
def retrieve_webhook(webhook_id: WebhookIdPath) -> Response[Webhook]:
    return versioned_response(webhook_service().retrieve(app.current_owner(), webhook_id))


lambda_handler = lambda_handler_for(app)
