"""POST /v1/conversations: start a conversation with a contact or a group."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.metrics import MetricUnit

from clarity.conversations.models import Conversation, CreateConversationRequest
from clarity.core.observability import metrics
from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import CONVERSATIONS, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import conversation_service

app = ApiResolver(body_model=CreateConversationRequest)


@app.post(
    "/v1/conversations",
    operation_id="createConversation",
    summary="Create a conversation",
    description=(
        "Add a new conversation between you and a contact or a group. A contact or group id is required "
        "to create a conversation: exactly one, naming one of your contacts or groups. A contact or group "
        "has one conversation: when it has one already, the answer is 200 with that conversation, and "
        "nothing changes. The conversation's other fields cannot be set: sending one is a 400 "
        "`<field> cannot be set on create`. Send an `Idempotency-Key` to retry safely."
    ),
    tags=[CONVERSATIONS],
    responses={
        **responses(201, "The conversation created", Conversation),
        200: {
            "description": "The contact or group has a conversation already: that one, unchanged",
            "content": {"application/json": {"model": Conversation}},
        },
    },
)
def create_conversation(
    request: Annotated[CreateConversationRequest, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=255, description="Retry safely: the same key and body create once (24 h)."),
    ] = None,
) -> Response[Conversation]:
    created = conversation_service().create_idempotently(
        app.current_owner(), request, idempotency_key, app.lambda_context
    )
    if created.is_new:
        metrics.add_metric(name="ConversationCreated", unit=MetricUnit.Count, value=1)
    return versioned_response(
        created,
        status_code=201 if created.is_new else 200,
        headers={"Location": f"/v1/conversations/{created.resource.id}"},
    )


lambda_handler = lambda_handler_for(app)
