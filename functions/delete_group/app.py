"""DELETE /v1/groups/{id}: delete a group and its conversation for good."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from clarity.core.observability import metrics
from clarity.http.conditional import IfMatch, expected_version
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import GROUPS, GroupIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import group_service

app = ApiResolver()


@app.delete(
    "/v1/groups/<group_id>",
    operation_id="deleteGroup",
    summary="Delete a group",
    description=(
        "Delete one of your groups for good, with its conversation and every message in it. The member "
        "contacts stay. With `If-Match`, only that version is deleted."
    ),
    tags=[GROUPS],
    responses=responses(204, "Deleted", resource="group"),
)
def delete_group(group_id: GroupIdPath, if_match: IfMatch = None) -> Response[None]:
    group_service().delete(app.current_owner(), group_id, expected_version(if_match))
    metrics.add_metric(name="GroupDeleted", unit=MetricUnit.Count, value=1)
    return Response(status_code=204)


lambda_handler = lambda_handler_for(app)
