"""The rules of messages, independent of HTTP and of DynamoDB's wire format."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from clarity.core.ids import checked_id, existing_id, stored_under_fresh_id
from clarity.core.models import Versioned
from clarity.core.paging import Page, position
from clarity.core.settings import MissingSetting
from clarity.messages.models import (
    Contact,
    CreateMessageRequest,
    Message,
    MessagePageRequest,
    UpdateMessageRequest,
    VersionedMessage,
)
from clarity.messages.repository import MessageRepository

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from clarity.core.idempotency import IdempotentCreate

RESOURCE = "message"


class MessageService:
    def __init__(
        self,
        repository: MessageRepository,
        clock: Callable[[], int],
        idempotency_store: "BasePersistenceLayer | None" = None,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._idempotent_send: IdempotentCreate[CreateMessageRequest, Message] | None = None
        if idempotency_store is not None:
            # Imported here: only the create functions have a store.
            from clarity.core.idempotency import IdempotentCreate as Idempotent  # noqa: PLC0415

            self._idempotent_send = Idempotent(
                idempotency_store, "createMessage", self.send, CreateMessageRequest, Message
            )

    def send_idempotently(
        self,
        owner: str,
        request: CreateMessageRequest,
        idempotency_key: str | None,
        invocation: "LambdaContext | None" = None,
    ) -> VersionedMessage:
        """Send, or with an Idempotency-Key return what the first request with it sent."""
        if idempotency_key is None:
            return self.send(owner, request)
        if self._idempotent_send is None:
            raise MissingSetting("IDEMPOTENCY_TABLE_NAME")
        return self._idempotent_send(owner, idempotency_key, request, invocation)

    def send(self, owner: str, request: CreateMessageRequest) -> VersionedMessage:
        created_at = self._clock()

        def store(message_id: str) -> VersionedMessage:
            message = Message(
                id=message_id,
                conversation_id=request.conversation_id,
                contact=Contact(id=request.contact_id) if request.contact_id is not None else None,
                message=request.message,
                reactions=[],
                attachments=[],
                read_at=None,
                created_at=created_at,
                updated_at=None,
            )
            self._repository.send(owner, message)
            return Versioned(message, version=1)

        return stored_under_fresh_id(created_at, store, RESOURCE)

    def retrieve(self, owner: str, message_id: str) -> VersionedMessage:
        return self._repository.retrieve(owner, existing_id(RESOURCE, message_id))

    def update(
        self,
        owner: str,
        message_id: str,
        request: UpdateMessageRequest,
        expected_version: int | None = None,
    ) -> VersionedMessage:
        """Change what was sent; `updated_at` moves when the text or the reactions change."""
        return self._repository.update(
            owner, existing_id(RESOURCE, message_id), request.changes(), self._clock(), expected_version
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
