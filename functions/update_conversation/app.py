"""PUT /v1/conversations/{id}: change the pinned message, pin, mute or archive state."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from clarity.conversations.models import Conversation, UpdateConversationRequest
from clarity.http.conditional import IfMatch, expected_version, versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import CONVERSATIONS, ConversationIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import conversation_service

app = ApiResolver(body_model=UpdateConversationRequest)


@app.put(
    "/v1/conversations/<conversation_id>",
    operation_id="updateConversation",
    summary="Update a conversation",
    description=(
        "Perform an update on a conversation: pin a message, mute or archive the conversation, or pin the "
        "conversation itself. Only the fields sent change; null clears `pinned_message_id` or "
        "`archived_at`. The other fields cannot be changed: sending one, e.g. `contact_id`, is a 400 "
        "`contact_id cannot be changed`. With `If-Match`, the update applies only to that version."
    ),
    tags=[CONVERSATIONS],
    responses=responses(200, "The conversation updated", Conversation),
)
def update_conversation(
    conversation_id: ConversationIdPath,
    request: Annotated[UpdateConversationRequest, Body()],
    if_match: IfMatch = None,
) -> Response[Conversation]:
    updated = conversation_service().update(app.current_owner(), conversation_id, request, expected_version(if_match))
    return versioned_response(updated)


lambda_handler = lambda_handler_for(app)
