"""PUT /v1/conversations/{id}: change the pinned message, pin, mute or archive state."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from conversations.http.conditional import IfMatch, conversation_response, expected_version
from conversations.http.handler import lambda_handler_for
from conversations.http.openapi import responses
from conversations.http.resolver import ConversationsResolver
from conversations.models import Conversation, UpdateConversationRequest
from conversations.wiring import conversation_service

app = ConversationsResolver(body_model=UpdateConversationRequest)


@app.put(
    "/v1/conversations/<conversation_id>",
    summary="Update a conversation",
    responses=responses(200, "The conversation updated", Conversation),
)
def update_conversation(
    conversation_id: str,
    request: Annotated[UpdateConversationRequest, Body()],
    if_match: IfMatch = None,
) -> Response[Conversation]:
    updated = conversation_service().update(app.current_owner(), conversation_id, request, expected_version(if_match))
    return conversation_response(updated)


lambda_handler = lambda_handler_for(app)
