"""The rules of contacts, independent of HTTP and of DynamoDB's wire format."""

from typing import TYPE_CHECKING

from clarity.contacts.models import (
    Contact,
    ContactPageRequest,
    CreateContactRequest,
    UpdateContactRequest,
    VersionedContact,
)
from clarity.contacts.repository import ContactRepository
from clarity.core.clock import Clock
from clarity.core.ids import existing_id, stored_under_fresh_id
from clarity.core.paging import Page, position
from clarity.core.retry_safe import RetrySafeCreate
from clarity.core.settings import PHONE_DEFAULT_REGION_DEFAULT
from clarity.core.versioned import Versioned

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

RESOURCE = "contact"


class ContactService:
    def __init__(
        self,
        repository: ContactRepository,
        clock: Clock,
        idempotency_store: "BasePersistenceLayer | None" = None,
        phone_region: str = PHONE_DEFAULT_REGION_DEFAULT,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._phone_region = phone_region
        # A retried POST with the same Idempotency-Key creates once (Stripe's convention).
        self.create_idempotently = RetrySafeCreate("createContact", self.create, Contact, idempotency_store)

    def create(self, owner: str, request: CreateContactRequest) -> VersionedContact:
        """Add a contact: its phone number checked and kept as sent, its username unique."""
        # Only this function loads the phone number library (its metadata costs a cold start).
        from clarity.contacts.phone_numbers import checked_phone_number  # noqa: PLC0415

        phone_number = checked_phone_number(request.phone_number, self._phone_region)

        def store(contact_id: str, created_at: int) -> VersionedContact:
            contact = Contact(
                id=contact_id,
                username=request.username,
                phone_number=phone_number,
                avatar_url=request.avatar_url,
                display_name=request.display_name,
                conversation_id=None,
                last_active_at=None,
                created_at=created_at,
            )
            self._repository.create(owner, contact)
            return Versioned(contact, version=1)

        return stored_under_fresh_id(self._clock, store, RESOURCE)

    def retrieve(self, owner: str, contact_id: str) -> VersionedContact:
        return self._repository.retrieve(owner, existing_id(RESOURCE, contact_id))

    def update(
        self, owner: str, contact_id: str, request: UpdateContactRequest, expected_version: int | None = None
    ) -> VersionedContact:
        return self._repository.update(owner, existing_id(RESOURCE, contact_id), request.changes(), expected_version)

    def delete(self, owner: str, contact_id: str, expected_version: int | None = None) -> None:
        self._repository.delete(owner, existing_id(RESOURCE, contact_id), expected_version)

    def list(
        self,
        owner: str,
        limit: int,
        active: bool | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
    ) -> Page[Contact]:
        start = position(starting_after, ending_before)
        return self._repository.list_page(owner, ContactPageRequest(limit=limit, active=active, position=start))
