"""PUT /v1/groups/{id}: change a group: its fields, its members, whether it is archived."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from clarity.groups.models import Group, UpdateGroupRequest
from clarity.http.conditional import IfMatch, expected_version, versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import GROUPS, GroupIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import group_service

app = ApiResolver(body_model=UpdateGroupRequest)


@app.put(
    "/v1/groups/<group_id>",
    operation_id="updateGroup",
    summary="Update a group",
    description=(
        "Change a group: `name`; `description` and `avatar_url` (null clears them); `contacts`, which "
        "replaces the whole member list; `archived_at` (null unarchives). Only the fields sent change. "
        "`conversation_id` cannot be changed. With `If-Match`, the update applies only to that version."
    ),
    tags=[GROUPS],
    responses=responses(200, "The group updated", Group, resource="group"),
)
def update_group(
    group_id: GroupIdPath,
    request: Annotated[UpdateGroupRequest, Body()],
    if_match: IfMatch = None,
) -> Response[Group]:
    updated = group_service().update(app.current_owner(), group_id, request, expected_version(if_match))
    return versioned_response(updated)


lambda_handler = lambda_handler_for(app)
