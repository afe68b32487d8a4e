"""GET /v1/conversations: one page of the caller's conversations, newest first."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clarity.conversations.models import ConversationList, ListFilters
from clarity.core.models import ResourceId
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import AFTER, BEFORE, CONVERSATIONS, PageLimit, QueryFlag, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import conversation_service

app = ApiResolver()


@app.get(
    "/v1/conversations",
    operation_id="listConversations",
    summary="List all conversations",
    description=(
        "A paginated list of all your conversations, newest first. By default a page holds at most ten "
        "conversations; `limit` takes 1 to 100. The filters combine: a conversation is listed only if it "
        "meets them all. Page with `starting_after` or `ending_before` (not both); `has_more` says "
        "whether more lie in the direction you are paging."
    ),
    tags=[CONVERSATIONS],
    responses=responses(200, "A page of conversations, newest first", ConversationList),
)
def list_conversations(
    limit: Annotated[PageLimit, Query(description="Limit the number of conversations returned: 1 to 100.")] = 10,
    muted: Annotated[
        QueryFlag | None,
        Query(description="Only show conversations that are muted when set to true; false: only unmuted."),
    ] = None,
    archived: Annotated[
        QueryFlag | None,
        Query(description="Only show conversations that are archived when set to true; false: only unarchived."),
    ] = None,
    pinned: Annotated[
        QueryFlag | None,
        Query(description="Only show conversations that are pinned when set to true; false: only unpinned."),
    ] = None,
    group_id: Annotated[
        ResourceId | None, Query(description="Only show conversations for the specified group.")
    ] = None,
    starting_after: Annotated[ResourceId | None, Query(description=AFTER)] = None,
    ending_before: Annotated[ResourceId | None, Query(description=BEFORE)] = None,
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
