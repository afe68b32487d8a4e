"""PUT /v1/attachments/{id}: rename an attachment."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from clarity.attachments.models import Attachment, UpdateAttachmentRequest
from clarity.http.conditional import IfMatch, expected_version, versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import ATTACHMENTS, AttachmentIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import attachment_service

app = ApiResolver(body_model=UpdateAttachmentRequest)


@app.put(
    "/v1/attachments/<attachment_id>",
    operation_id="updateAttachment",
    summary="Update an attachment",
    description=(
        "Rename an attachment: `filename` is the only field that changes, with the upload's rules. The next "
        "`file_url` downloads under the new name. With `If-Match`, the update applies only to that version."
    ),
    tags=[ATTACHMENTS],
    responses=responses(200, "The attachment updated", Attachment, resource="attachment"),
)
def update_attachment(
    attachment_id: AttachmentIdPath,
    request: Annotated[UpdateAttachmentRequest, Body()],
    if_match: IfMatch = None,
) -> Response[Attachment]:
    updated = attachment_service().update(app.current_owner(), attachment_id, request, expected_version(if_match))
    return versioned_response(updated)


lambda_handler = lambda_handler_for(app)
