"""The rules of messages, independent of HTTP and of DynamoDB's wire format."""

from typing import TYPE_CHECKING

from clarity.core.clock import Clock
from clarity.core.ids import checked_id, existing_id, stored_under_fresh_id
from clarity.core.paging import Page, position
from clarity.core.retry_safe import RetrySafeCreate
from clarity.core.versioned import Versioned
from clarity.messages.models import (
    CreateMessageRequest,
    Message,
    MessagePageRequest,
    UpdateMessageRequest,
    VersionedMessage,
)
from clarity.messages.repository import MessageRepository

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

RESOURCE = "message"


class MessageService:
    def __init__(
        self,
        repository: MessageRepository,
        clock: Clock,
        idempotency_store: "BasePersistenceLayer | None" = None,
    ) -> None:
        self._repository = repository
        self._clock = clock
        # A retried POST with the same Idempotency-Key creates once (Stripe's convention).
        self.send_idempotently = RetrySafeCreate(
            "createMessage", self.send, Message, idempotency_store, self._replayed_send
        )

    def send(self, owner: str, request: CreateMessageRequest) -> VersionedMessage:
        def store(message_id: str, created_at: int) -> VersionedMessage:
            message = Message(
                id=message_id,
                conversation_id=request.conversation_id,
                contact=None,
                message=request.message,
                reactions=[],
                attachments=[],
                read_at=None,
                created_at=created_at,
                updated_at=None,
            )
            sent = self._repository.send(owner, message, request.contact_id, request.attachments)
            return Versioned(sent, version=1)

        return stored_under_fresh_id(self._clock, store, RESOURCE)

    def retrieve(self, owner: str, message_id: str) -> VersionedMessage:
        return self._repository.retrieve(owner, existing_id(RESOURCE, message_id))

    def _replayed_send(self, owner: str, first: VersionedMessage) -> VersionedMessage:
        """A retried send answers as the first did, except that one with files answers the message
        as it is now: its files' links would have expired (404 if it was deleted since)."""
        if not first.resource.attachments:
            return first
        return self.retrieve(owner, first.resource.id)

    def update(
        self,
        owner: str,
        message_id: str,
        request: UpdateMessageRequest,
        expected_version: int | None = None,
    ) -> VersionedMessage:
        """Change what was sent; `updated_at` moves when the text or the reactions change.
        `attachments` adds files: it lists the message's own, then the new ones."""
        return self._repository.update(
            owner,
            existing_id(RESOURCE, message_id),
            request.changes(),
            self._clock.now(),
            expected_version,
            attachment_ids=request.attachments,
        )

    def delete(self, owner: str, message_id: str, expected_version: int | None = None) -> None:
        self._repository.delete(owner, existing_id(RESOURCE, message_id), expected_version)

    def list(
        self,
        owner: str,
        conversation_id: str | None,
        limit: int,
        starting_after: str | None = None,
        ending_before: str | None = None,
    ) -> Page[Message]:
        """Newest first. A conversation the caller does not have gives an empty page."""
        if conversation_id is not None:
            checked_id(conversation_id, "conversation_id")
        start = position(starting_after, ending_before)
        return self._repository.list_page(
            owner, MessagePageRequest(conversation_id=conversation_id, limit=limit, position=start)
        )
