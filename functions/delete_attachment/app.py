"""DELETE /v1/attachments/{id}: delete an attachment and its file for good."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from clarity.core.observability import metrics
from clarity.http.conditional import IfMatch, expected_version
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import ATTACHMENTS, AttachmentIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import attachment_service

app = ApiResolver()


@app.delete(
    "/v1/attachments/<attachment_id>",
    operation_id="deleteAttachment",
    summary="Delete an attachment",
    description=(
        "Delete one of your attachments for good: its record and its file. The bytes it took count against "
        "your storage no more. With `If-Match`, only that version is deleted."
    ),
    tags=[ATTACHMENTS],
    responses=responses(204, "Deleted", resource="attachment"),
)
def delete_attachment(attachment_id: AttachmentIdPath, if_match: IfMatch = None) -> Response[None]:
    attachment_service().delete(app.current_owner(), attachment_id, expected_version(if_match))
    metrics.add_metric(name="AttachmentDeleted", unit=MetricUnit.Count, value=1)
    return Response(status_code=204)


lambda_handler = lambda_handler_for(app)
