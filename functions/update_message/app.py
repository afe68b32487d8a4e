"""PUT /v1/messages/{id}: edit the text, replace the reactions, or mark it read or unread."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from clarity.http.conditional import IfMatch, expected_version, versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import MESSAGES, MessageIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.messages.models import Message, UpdateMessageRequest
from clarity.wiring import message_service

app = ApiResolver(body_model=UpdateMessageRequest)


@app.put(
    "/v1/messages/<message_id>",
    operation_id="updateMessage",
    summary="Update a message",
    description=(
        "Perform an update on a message: edit its text, replace its reactions, or mark it read or unread "
        "(`read_at`). Only the fields sent change. The other fields cannot be changed: sending one, e.g. "
        "`conversation_id`, is a 400 `conversation_id cannot be changed`. With `If-Match`, the update "
        "applies only to that version."
    ),
    tags=[MESSAGES],
    responses=responses(200, "The message updated", Message, resource="message"),
)
def update_message(
    message_id: MessageIdPath,
    request: Annotated[UpdateMessageRequest, Body()],
    if_match: IfMatch = None,
) -> Response[Message]:
    updated = message_service().update(app.current_owner(), message_id, request, expected_version(if_match))
    return versioned_response(updated)


lambda_handler = lambda_handler_for(app)
