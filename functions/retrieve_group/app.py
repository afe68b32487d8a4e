"""GET /v1/groups/{id}: one group, with its members as they are now."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response

from clarity.groups.models import Group
from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import GROUPS, GroupIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import group_service

app = ApiResolver()


@app.get(
    "/v1/groups/<group_id>",
    operation_id="retrieveGroup",
    summary="Retrieve a group",
    description="Retrieve one of your groups by its id, its members as GET /v1/contacts/:id returns them now.",
    tags=[GROUPS],
    responses=responses(200, "The group", Group, resource="group"),
)
def retrieve_group(group_id: GroupIdPath) -> Response[Group]:
    return versioned_response(group_service().retrieve(app.current_owner(), group_id))


lambda_handler = lambda_handler_for(app)
