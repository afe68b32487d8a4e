"""GET /v1/messages: one page of the caller's messages, or of one conversation's, newest first."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clarity.core.models import ResourceId
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import AFTER, BEFORE, MESSAGES, PageLimit, responses
from clarity.http.resolver import ApiResolver
from clarity.messages.models import MessageList
from clarity.wiring import message_service

app = ApiResolver()


@app.get(
    "/v1/messages",
    operation_id="listMessages",
    summary="List messages",
    description=(
        "A paginated list of all your messages, or of one conversation's with `conversation_id`, newest "
        "first. By default a page holds at most ten messages; `limit` takes 1 to 100. Page with "
        "`starting_after` or `ending_before` (not both)."
    ),
    tags=[MESSAGES],
    responses=responses(200, "A page of messages, newest first", MessageList, resource="message"),
)
def list_messages(
    conversation_id: Annotated[
        ResourceId | None,
        Query(description="Only show the messages of this conversation (an empty page if it is not yours)."),
    ] = None,
    limit: Annotated[PageLimit, Query(description="Limit the number of messages returned: 1 to 100.")] = 10,
    starting_after: Annotated[ResourceId | None, Query(description=AFTER)] = None,
    ending_before: Annotated[ResourceId | None, Query(description=BEFORE)] = None,
) -> MessageList:
    page = message_service().list(
        app.current_owner(), conversation_id, limit=limit, starting_after=starting_after, ending_before=ending_before
    )
    return MessageList(has_more=page.has_more, data=page.items)


lambda_handler = lambda_handler_for(app)
