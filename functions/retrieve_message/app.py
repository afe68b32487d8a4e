"""GET /v1/messages/{id}: one message."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response

from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import MESSAGES, MessageIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.messages.models import Message
from clarity.wiring import message_service

app = ApiResolver()


@app.get(
    "/v1/messages/<message_id>",
    operation_id="retrieveMessage",
    summary="Retrieve a message",
    description="Retrieve one of your messages by its id.",
    tags=[MESSAGES],
    responses=responses(200, "The message", Message, resource="message"),
)
def retrieve_message(message_id: MessageIdPath) -> Response[Message]:
    return versioned_response(message_service().retrieve(app.current_owner(), message_id))


lambda_handler = lambda_handler_for(app)
