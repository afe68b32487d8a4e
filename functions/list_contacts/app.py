"""GET /v1/contacts: one page of the caller's contacts, newest first."""

import clarity.startup  # noqa: F401 - first: see the module

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clarity.contacts.models import ContactList
from clarity.core.models import ResourceId
from clarity.http.handler import lambda_handler_for
from clarity.http.openapi import AFTER, BEFORE, CONTACTS, PageLimit, QueryFlag, responses
from clarity.http.resolver import ApiResolver
from clarity.wiring import contact_service

app = ApiResolver()


@app.get(
    "/v1/contacts",
    operation_id="listContacts",
    summary="List all contacts",
    description=(
        "A paginated list of your contacts, newest first: ten a page unless `limit` (1 to 100) says "
        "otherwise. `active=true` keeps the contacts you have a conversation with, `active=false` the "
        "others. Page with `starting_after` or `ending_before` (not both)."
    ),
    tags=[CONTACTS],
    responses=responses(200, "A page of contacts, newest first", ContactList, resource="contact"),
)
def list_contacts(
    limit: Annotated[PageLimit, Query(description="Limit the number of contacts returned: 1 to 100.")] = 10,
    active: Annotated[
        QueryFlag | None,
        Query(description="true: only contacts you have a conversation with; false: only the others."),
    ] = None,
    starting_after: Annotated[ResourceId | None, Query(description=AFTER)] = None,
    ending_before: Annotated[ResourceId | None, Query(description=BEFORE)] = None,
) -> ContactList:
    page = contact_service().list(
        app.current_owner(), limit=limit, active=active, starting_after=starting_after, ending_before=ending_before
    )
    return ContactList(has_more=page.has_more, data=page.items)


lambda_handler = lambda_handler_for(app)
