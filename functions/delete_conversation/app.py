"""DELETE /v1/conversations/{id}: delete a conversation and everything in it, for good."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from clarity.core.observability import metrics
from clarity.http.conditional import IfMatch, expected_version
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import CONVERSATIONS, ConversationIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import conversation_service

app = ApiResolver()


@app.delete(
    "/v1/conversations/<conversation_id>",
    operation_id="deleteConversation",
    summary="Delete a conversation",
    description=(
        "Permanently delete a conversation and all its messages. Archive it instead (`archived_at`) if "
        "you may want it back. With `If-Match`, only that version is deleted."
    ),
    tags=[CONVERSATIONS],
    responses=responses(204, "Deleted, with everything in it"),
)
def delete_conversation(conversation_id: ConversationIdPath, if_match: IfMatch = None) -> Response[None]:
    conversation_service().delete(app.current_owner(), conversation_id, expected_version(if_match))
    metrics.add_metric(name="ConversationDeleted", unit=MetricUnit.Count, value=1)
    return Response(status_code=204)


lambda_handler = lambda_handler_for(app)
