"""POST /v1/messages: send a message to one of the caller's conversations."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.metrics import MetricUnit

from clarity.core.observability import metrics
from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import MESSAGES, responses
from clarity.http.resolver import ApiResolver
from clarity.messages.models import CreateMessageRequest, Message
from clarity.wiring import message_service

app = ApiResolver(body_model=CreateMessageRequest)


@app.post(
    "/v1/messages",
    operation_id="createMessage",
    summary="Send a message",
    description=(
        "Send a message to one of your conversations: `conversation_id` and `message` are required. "
        "`contact_id` records it as received from that contact instead of sent by you. The message's "
        "other fields cannot be set: sending one is a 400 `<field> cannot be set on create`. The "
        "conversation's `last_active_at` becomes the message's `created_at`. Send an `Idempotency-Key` "
        "to retry safely."
    ),
    tags=[MESSAGES],
    responses=responses(201, "The message sent", Message, resource="message"),
)
def create_message(
    request: Annotated[CreateMessageRequest, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=255, description="Retry safely: the same key and body send once (24 h)."),
    ] = None,
) -> Response[Message]:
    sent = message_service().send_idempotently(app.current_owner(), request, idempotency_key, app.lambda_context)
    metrics.add_metric(name="MessageSent", unit=MetricUnit.Count, value=1)
    return versioned_response(sent, status_code=201, headers={"Location": f"/v1/messages/{sent.resource.id}"})


lambda_handler = lambda_handler_for(app)
