"""POST /v1/attachments: upload a file, as `curl -F file=@invoice.pdf` sends it; or declare one
(JSON) and get a form that uploads it straight to storage."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.metrics import MetricUnit

from clarity.attachments.models import Attachment, CreateAttachmentRequest, CreatedAttachment, FileUpload
from clarity.core.observability import metrics
from clarity.core.versioned import Versioned
from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import ATTACHMENTS, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import attachment_service

app = ApiResolver(body_model=CreateAttachmentRequest, upload_field="file")


@app.post(
    "/v1/attachments",
    operation_id="createAttachment",
    summary="Upload an attachment",
    description=(
        "Upload one file as multipart/form-data, in the field `file` (`curl -F file=@invoice.pdf`). Its "
        "`filename` is the part's (a path is cut to its last segment), its `file_type` the part's declared "
        "type, its `file_size` its byte count; the bytes are stored exactly as sent. A file over the upload "
        "limit is a 413.\n\n"
        "For a larger file (a direct upload), send JSON instead: `filename`, `file_size` and optionally "
        "`file_type`. The answer's `upload` is a presigned S3 POST that takes exactly that file; until it "
        "is uploaded, `file_url` is null. Retrieving the attachment afterwards confirms the upload.\n\n"
        "A file over what is left of your storage is a 400 naming `file`. Send an `Idempotency-Key` to retry "
        "safely: a replay answers the attachment as it is now, with a fresh `file_url`."
    ),
    tags=[ATTACHMENTS],
    responses=responses(201, "The attachment created", CreatedAttachment, resource="attachment"),
)
def create_attachment(
    request: Annotated[CreateAttachmentRequest | None, Body()] = None,
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=255, description="Retry safely: the same key and file upload once (24 h)."),
    ] = None,
) -> Response[CreatedAttachment | Attachment]:
    service, owner = attachment_service(), app.current_owner()
    if request is not None:
        return _created(service.create_direct_idempotently(owner, request, idempotency_key, app.lambda_context))
    sent = app.uploaded_file()
    upload = FileUpload(filename=sent.filename, content_type=sent.content_type, content=sent.body)
    return _created(service.upload_idempotently(owner, upload, idempotency_key, app.lambda_context))


def _created(created: Versioned[Attachment]) -> Response[CreatedAttachment | Attachment]:
    # Powertools serializes the body by the route's return type: a union, so that a direct
    # upload's answer keeps its `upload`.
    metrics.add_metric(name="AttachmentCreated", unit=MetricUnit.Count, value=1)
    return versioned_response(created, status_code=201, headers={"Location": f"/v1/attachments/{created.resource.id}"})


lambda_handler = lambda_handler_for(app)
