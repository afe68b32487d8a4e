"""POST /v1/groups: create a group, and its conversation with it."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.metrics import MetricUnit

from clarity.core.observability import metrics
from clarity.groups.models import CreateGroupRequest, Group
from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import GROUPS, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import group_service

app = ApiResolver(body_model=CreateGroupRequest)


@app.post(
    "/v1/groups",
    operation_id="createGroup",
    summary="Create a group",
    description=(
        "Create a group: `name` is required; `description`, `avatar_url` and `contacts` (up to 100 of your "
        "contacts, no repeats) are optional. The group's conversation is created with it, so "
        "`conversation_id` is set. The group's other fields cannot be set. Send an `Idempotency-Key` to "
        "retry safely."
    ),
    tags=[GROUPS],
    responses=responses(201, "The group created", Group, resource="group"),
)
def create_group(
    request: Annotated[CreateGroupRequest, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=255, description="Retry safely: the same key and body create once (24 h)."),
    ] = None,
) -> Response[Group]:
    created = group_service().create_idempotently(app.current_owner(), request, idempotency_key, app.lambda_context)
    metrics.add_metric(name="GroupCreated", unit=MetricUnit.Count, value=1)
    return versioned_response(created, status_code=201, headers={"Location": f"/v1/groups/{created.resource.id}"})


lambda_handler = lambda_handler_for(app)
