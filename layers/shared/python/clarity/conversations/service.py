"""The rules of conversations, independent of HTTP and of DynamoDB's wire format."""

from typing import TYPE_CHECKING

from clarity.conversations.models import (
    Conversation,
    CreateConversationRequest,
    ListFilters,
    PageRequest,
    UpdateConversationRequest,
    VersionedConversation,
)
from clarity.conversations.repository import ConversationRepository
from clarity.core.clock import Clock
from clarity.core.errors import InvalidRequest
from clarity.core.ids import existing_id, is_valid_id, stored_under_fresh_id
from clarity.core.paging import Page, position
from clarity.core.retry_safe import RetrySafeCreate

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer


class ConversationService:
    def __init__(
        self,
        repository: ConversationRepository,
        clock: Clock | None = None,
        idempotency_store: "BasePersistenceLayer | None" = None,
    ) -> None:
        self._repository = repository
        self._clock = clock or Clock()
        # A retried POST with the same Idempotency-Key creates once (Stripe's convention).
        self.create_idempotently = RetrySafeCreate("createConversation", self.create, Conversation, idempotency_store)

    def create(self, owner: str, request: CreateConversationRequest) -> VersionedConversation:
        """Open the conversation with a contact or a group: a new one, or the one it has
        (`is_new` False); a contact or group has at most one."""

        def store(conversation_id: str, created_at: int) -> VersionedConversation:
            conversation = Conversation.started(
                conversation_id, created_at, contact_id=request.contact_id, group_id=request.group_id
            )
            return self._repository.open(owner, conversation)

        return stored_under_fresh_id(self._clock, store, "conversation")

    def retrieve(self, owner: str, conversation_id: str) -> VersionedConversation:
        """Return the conversation and record that its owner opened it now."""
        return self._repository.record_open(owner, existing_id("conversation", conversation_id), self._clock.now())

    def update(
        self,
        owner: str,
        conversation_id: str,
        request: UpdateConversationRequest,
        expected_version: int | None = None,
    ) -> VersionedConversation:
        return self._repository.update(
            owner, existing_id("conversation", conversation_id), request.changes(), expected_version
        )

    def delete(self, owner: str, conversation_id: str, expected_version: int | None = None) -> None:
        self._repository.delete(owner, existing_id("conversation", conversation_id), expected_version)

    def list(
        self,
        owner: str,
        filters: ListFilters,
        limit: int,
        starting_after: str | None = None,
        ending_before: str | None = None,
    ) -> Page[Conversation]:
        if filters.group_id is not None and not is_valid_id(filters.group_id):
            raise InvalidRequest("group_id must be 16 characters of [A-Za-z0-9]", "group_id")
        start = position(starting_after, ending_before)
        return self._repository.list_page(owner, PageRequest(filters=filters, limit=limit, position=start))
