"""GET /v1/attachments/{id}: one attachment, with a download link made now."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response

from clarity.attachments.models import Attachment
from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import ATTACHMENTS, AttachmentIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import attachment_service

app = ApiResolver()


@app.get(
    "/v1/attachments/<attachment_id>",
    operation_id="retrieveAttachment",
    summary="Retrieve an attachment",
    description=(
        "Retrieve one of your attachments by its id. Its `file_url` downloads the file under its current "
        "filename, for an hour; a new request gets a new link."
    ),
    tags=[ATTACHMENTS],
    responses=responses(200, "The attachment", Attachment, resource="attachment"),
)
def retrieve_attachment(attachment_id: AttachmentIdPath) -> Response[Attachment]:
    return versioned_response(attachment_service().retrieve(app.current_owner(), attachment_id))


lambda_handler = lambda_handler_for(app)
