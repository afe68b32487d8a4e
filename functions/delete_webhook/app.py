"""DELETE /v1/webhooks/{id}: stop sending events there, queued retries included."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from clarity.core.observability import metrics
from clarity.http.conditional import IfMatch, expected_version
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import WEBHOOKS, WebhookIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import webhook_service

app = ApiResolver()


@app.delete(
    "/v1/webhooks/<webhook_id>",
    operation_id="deleteWebhook",
    summary="Delete a webhook",
    description=(
        "Delete a webhook: nothing more is sent to it, not even retries already queued. With If-Match,"
        " only the version named (else 412)."
    ),
    tags=[WEBHOOKS],
    responses=responses(204, "Deleted", resource="webhook"),
)
def delete_webhook(webhook_id: WebhookIdPath, if_match: IfMatch = None) -> Response[None]:
    webhook_service().delete(app.current_owner(), webhook_id, expected_version(if_match))
    metrics.add_metric(name="WebhookDeleted", unit=MetricUnit.Count, value=1)
    return Response(status_code=204)


lambda_handler = lambda_handler_for(app)
