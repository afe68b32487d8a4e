"""GET /v1/conversations/{id}: one conversation; records that its owner opened it."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response

from clarity.conversations.models import Conversation
from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import CONVERSATIONS, ConversationIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import conversation_service

app = ApiResolver()


@app.get(
    "/v1/conversations/<conversation_id>",
    operation_id="retrieveConversation",
    summary="Retrieve a conversation",
    description=(
        "Retrieve one of your conversations by its id. Retrieving it records that you opened it: "
        "`last_opened_at` becomes now (the ETag does not change)."
    ),
    tags=[CONVERSATIONS],
    responses=responses(200, "The conversation", Conversation),
)
def retrieve_conversation(conversation_id: ConversationIdPath) -> Response[Conversation]:
    return versioned_response(conversation_service().retrieve(app.current_owner(), conversation_id))


lambda_handler = lambda_handler_for(app)
