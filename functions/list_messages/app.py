"""GET /v1/messages: one page of the caller's messages, or of one conversation's, newest first."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clarity.core.models import ResourceId
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import PageLimit, responses
from clarity.http.resolver import ApiResolver
from clarity.messages.models import MessageList
from clarity.wiring import message_service

app = ApiResolver()


@app.get(
    "/v1/messages",
    operation_id="listMessages",
    summary="List messages",
    responses=responses(200, "A page of messages, newest first", MessageList, resource="message"),
)
def list_messages(
    conversation_id: Annotated[ResourceId | None, Query(description="Only this conversation's messages.")] = None,
    limit: Annotated[PageLimit, Query(description="Page size, 1 to 100.")] = 10,
    starting_after: Annotated[ResourceId | None, Query(description="Cursor: the page after this id.")] = None,
    ending_before: Annotated[ResourceId | None, Query(description="Cursor: the page before this id.")] = None,
) -> MessageList:
    page = message_service().list(
        app.current_owner(), conversation_id, limit=limit, starting_after=starting_after, ending_before=ending_before
    )
    return MessageList(has_more=page.has_more, data=page.items)


lambda_handler = lambda_handler_for(app)
