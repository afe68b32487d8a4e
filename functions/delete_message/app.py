"""DELETE /v1/messages/{id}: delete a message for good (and unpin it)."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from clarity.core.observability import metrics
from clarity.http.conditional import IfMatch, expected_version
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import MESSAGES, MessageIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import message_service

app = ApiResolver()


@app.delete(
    "/v1/messages/<message_id>",
    operation_id="deleteMessage",
    summary="Delete a message",
    description=(
        "Permanently delete a message. If it was its conversation's pinned message, the conversation is "
        "unpinned in the same write. With `If-Match`, only that version is deleted."
    ),
    tags=[MESSAGES],
    responses=responses(204, "Deleted", resource="message"),
)
def delete_message(message_id: MessageIdPath, if_match: IfMatch = None) -> Response[None]:
    message_service().delete(app.current_owner(), message_id, expected_version(if_match))
    metrics.add_metric(name="MessageDeleted", unit=MetricUnit.Count, value=1)
    return Response(status_code=204)


lambda_handler = lambda_handler_for(app)
