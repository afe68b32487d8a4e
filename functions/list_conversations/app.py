"""GET /v1/conversations: one page of the caller's conversations, newest first."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clarity.conversations.models import ConversationList, ListFilters
from clarity.core.models import ResourceId
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import PageLimit, QueryFlag, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import conversation_service

app = ApiResolver()


@app.get(
    "/v1/conversations",
    operation_id="listConversations",
    summary="List all conversations",
    responses=responses(200, "A page of conversations, newest first", ConversationList),
)
def list_conversations(
    limit: Annotated[PageLimit, Query(description="Page size, 1 to 100.")] = 10,
    muted: Annotated[QueryFlag | None, Query(description="true: only muted; false: only unmuted.")] = None,
    archived: Annotated[QueryFlag | None, Query(description="true: only archived; false: only not.")] = None,
    pinned: Annotated[QueryFlag | None, Query(description="true: only pinned; false: only unpinned.")] = None,
    group_id: Annotated[ResourceId | None, Query(description="Only this group's conversations.")] = None,
    starting_after: Annotated[ResourceId | None, Query(description="Cursor: the page after this id.")] = None,
    ending_before: Annotated[ResourceId | None, Query(description="Cursor: the page before this id.")] = None,
) -> ConversationList:
    page = conversation_service().list(
        app.current_owner(),
        ListFilters(muted=muted, archived=archived, pinned=pinned, group_id=group_id),
        limit=limit,
        starting_after=starting_after,
        ending_before=ending_before,
    )
    return ConversationList(has_more=page.has_more, data=page.items)


lambda_handler = lambda_handler_for(app)
