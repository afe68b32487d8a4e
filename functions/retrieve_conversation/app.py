"""GET /v1/conversations/{id}: one conversation; records that its owner opened it."""

from aws_lambda_powertools.event_handler import Response

from conversations.http.conditional import conversation_response
from conversations.http.handler import lambda_handler_for
from conversations.http.openapi import responses
from conversations.http.resolver import ConversationsResolver
from conversations.models import Conversation
from conversations.wiring import conversation_service

app = ConversationsResolver()


@app.get(
    "/v1/conversations/<conversation_id>",
    summary="Retrieve a conversation",
    responses=responses(200, "The conversation", Conversation),
)
def retrieve_conversation(conversation_id: str) -> Response[Conversation]:
    return conversation_response(conversation_service().retrieve(app.current_owner(), conversation_id))


lambda_handler = lambda_handler_for(app)
