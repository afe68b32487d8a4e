"""POST /v1/contacts: add a contact."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.metrics import MetricUnit

from clarity.contacts.models import Contact, CreateContactRequest
from clarity.core.observability import metrics
from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import CONTACTS, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import contact_service

app = ApiResolver(body_model=CreateContactRequest)


@app.post(
    "/v1/contacts",
    operation_id="createContact",
    summary="Create a contact",
    description=(
        "Add a contact: `username` and `phone_number` are required, `avatar_url` and `display_name` "
        "optional. A username already used by one of your contacts (in any case) is a 409 naming that "
        "contact. The contact's other fields cannot be set. Send an `Idempotency-Key` to retry safely."
    ),
    tags=[CONTACTS],
    responses=responses(201, "The contact created", Contact, resource="contact"),
)
def create_contact(
    request: Annotated[CreateContactRequest, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=255, description="Retry safely: the same key and body create once (24 h)."),
    ] = None,
) -> Response[Contact]:
    created = contact_service().create_idempotently(app.current_owner(), request, idempotency_key, app.lambda_context)
    metrics.add_metric(name="ContactCreated", unit=MetricUnit.Count, value=1)
    return versioned_response(created, status_code=201, headers={"Location": f"/v1/contacts/{created.resource.id}"})


lambda_handler = lambda_handler_for(app)
