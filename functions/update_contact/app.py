"""PUT /v1/contacts/{id}: change how a contact is shown (its display_name)."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from clarity.contacts.models import Contact, UpdateContactRequest
from clarity.http.conditional import IfMatch, expected_version, versioned_response
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import CONTACTS, ContactIdPath, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import contact_service

app = ApiResolver(body_model=UpdateContactRequest)


@app.put(
    "/v1/contacts/<contact_id>",
    operation_id="updateContact",
    summary="Update a contact",
    description=(
        "Change a contact's `display_name`, the only field that can change; null resets it to showing "
        "the username. Sending another field, e.g. `username`, is a 400 `username cannot be changed`. "
        "With `If-Match`, the update applies only to that version."
    ),
    tags=[CONTACTS],
    responses=responses(200, "The contact updated", Contact, resource="contact"),
)
def update_contact(
    contact_id: ContactIdPath,
    request: Annotated[UpdateContactRequest, Body()],
    if_match: IfMatch = None,
) -> Response[Contact]:
    updated = contact_service().update(app.current_owner(), contact_id, request, expected_version(if_match))
    return versioned_response(updated)


lambda_handler = lambda_handler_for(app)
