"""GET /v1/groups: one page of the caller's groups, newest first."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clarity.core.models import ResourceId
from clarity.groups.models import GroupList
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import AFTER, BEFORE, GROUPS, PageLimit, QueryFlag, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import group_service

app = ApiResolver()


@app.get(
    "/v1/groups",
    operation_id="listGroups",
    summary="List all groups",
    description=(
        "A paginated list of your groups, newest first: ten a page unless `limit` (1 to 100) says "
        "otherwise. `archived=true` keeps the archived groups, `archived=false` the others. Page with "
        "`starting_after` or `ending_before` (not both)."
    ),
    tags=[GROUPS],
    responses=responses(200, "A page of groups, newest first", GroupList, resource="group"),
)
def list_groups(
    limit: Annotated[PageLimit, Query(description="Limit the number of groups returned: 1 to 100.")] = 10,
    archived: Annotated[
        QueryFlag | None, Query(description="true: only archived groups; false: only the others.")
    ] = None,
    starting_after: Annotated[ResourceId | None, Query(description=AFTER)] = None,
    ending_before: Annotated[ResourceId | None, Query(description=BEFORE)] = None,
) -> GroupList:
    page = group_service().list(
        app.current_owner(), limit=limit, archived=archived, starting_after=starting_after, ending_before=ending_before
    )
    return GroupList(has_more=page.has_more, data=page.items)


lambda_handler = lambda_handler_for(app)
