"""GET /v1/attachments: one page of the caller's attachments, newest first."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clarity.attachments.models import AttachmentList
from clarity.core.models import ResourceId
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import AFTER, ATTACHMENTS, BEFORE, PageLimit, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import attachment_service

app = ApiResolver()


@app.get(
    "/v1/attachments",
    operation_id="listAttachments",
    summary="List all attachments",
    description=(
        "A paginated list of your attachments, newest first: ten a page unless `limit` (1 to 100) says "
        "otherwise. `conversation_id` lists the files sent in that conversation; without it, every "
        "attachment of yours is listed, those not sent in a message yet included. Page with "
        "`starting_after` or `ending_before` (not both)."
    ),
    tags=[ATTACHMENTS],
    responses=responses(200, "A page of attachments, newest first", AttachmentList, resource="attachment"),
)
def list_attachments(
    limit: Annotated[PageLimit, Query(description="Limit the number of attachments returned: 1 to 100.")] = 10,
    conversation_id: Annotated[
        ResourceId | None, Query(description="Only the files sent in this conversation of yours.")
    ] = None,
    starting_after: Annotated[ResourceId | None, Query(description=AFTER)] = None,
    ending_before: Annotated[ResourceId | None, Query(description=BEFORE)] = None,
) -> AttachmentList:
    page = attachment_service().list(
        app.current_owner(),
        limit=limit,
        conversation_id=conversation_id,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return AttachmentList(has_more=page.has_more, data=page.items)


lambda_handler = lambda_handler_for(app)
