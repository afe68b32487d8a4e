"""GET /v1/contacts/{id}: one contact."""

import clarity.startup  # noqa: F401 - first: see the module

from aws_lambda_powertools.event_handler import Response

from clarity.contacts.models import Contact
from clarity.http.conditional import versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import CONTACTS, ContactIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import contact_service

app = ApiResolver()


@app.get(
    "/v1/contacts/<contact_id>",
    operation_id="retrieveContact",
    summary="Retrieve a contact",
    description="Retrieve one of your contacts by its id.",
    tags=[CONTACTS],
    responses=responses(200, "The contact", Contact, resource="contact"),
)
def retrieve_contact(contact_id: ContactIdPath) -> Response[Contact]:
    return versioned_response(contact_service().retrieve(app.current_owner(), contact_id))


lambda_handler = lambda_handler_for(app)
