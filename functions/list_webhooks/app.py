"""GET /v1/webhooks: one page of the caller's webhooks, newest first."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clarity.core.models import ResourceId
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import AFTER, BEFORE, WEBHOOKS, PageLimit, responses
from clarity.http.resolver import ApiResolver
from clarity.webhooks.models import WebhookList
from clarity.wiring import webhook_service

app = ApiResolver()


@app.get(
    "/v1/webhooks",
    operation_id="listWebhooks",
    summary="List webhooks",
    description=(
        "A paginated list of your webhooks, newest first, never with their secrets. By default a page "
        "holds at most ten; `limit` takes 1 to 100."
    ),
    tags=[WEBHOOKS],
    responses=responses(200, "A page of webhooks, newest first (no secrets)", WebhookList, resource="webhook"),
)
def list_webhooks(
    limit: Annotated[PageLimit, Query(description="Limit the number of webhooks returned: 1 to 100.")] = 10,
    starting_after: Annotated[ResourceId | None, Query(description=AFTER)] = None,
    ending_before: Annotated[ResourceId | None, Query(description=BEFORE)] = None,
) -> WebhookList:
    page = webhook_service().list(
        app.current_owner(), limit=limit, starting_after=starting_after, ending_before=ending_before
    )
    return WebhookList(has_more=page.has_more, data=page.items)


lambda_handler = lambda_handler_for(app)
