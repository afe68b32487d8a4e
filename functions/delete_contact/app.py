"""DELETE /v1/contacts/{id}: remove a contact for good."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from clarity.core.observability import metrics
from clarity.http.conditional import IfMatch, expected_version
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import CONTACTS, ContactIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import contact_service

app = ApiResolver()


@app.delete(
    "/v1/contacts/<contact_id>",
    operation_id="deleteContact",
    summary="Delete a contact",
    description=(
        "Remove one of your contacts for good; its username is free again. With `If-Match`, only that "
        "version is deleted."
    ),
    tags=[CONTACTS],
    responses=responses(204, "Deleted", resource="contact"),
)
def delete_contact(contact_id: ContactIdPath, if_match: IfMatch = None) -> Response[None]:
    contact_service().delete(app.current_owner(), contact_id, expected_version(if_match))
    metrics.add_metric(name="ContactDeleted", unit=MetricUnit.Count, value=1)
    return Response(status_code=204)


lambda_handler = lambda_handler_for(app)
