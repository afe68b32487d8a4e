"""The rules of the Conversations API, independent of HTTP and of DynamoDB's wire format."""

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from conversations.errors import Conflict, ConversationNotFound, InvalidRequest
from conversations.ids import is_valid_id, new_id
from conversations.models import (
    Conversation,
    CreateConversationRequest,
    Direction,
    ListFilters,
    Page,
    PageRequest,
    UpdateConversationRequest,
    VersionedConversation,
)
from conversations.repository import ConversationIdTaken, ConversationRepository
from conversations.settings import MissingSetting

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
    from aws_lambda_powertools.utilities.typing import LambdaContext

# A 16-character id has ~59 random bits per second; a clash is a near-impossible event, so
# a couple of fresh draws is plenty, and more would hide a broken random source.
ID_DRAW_ATTEMPTS = 3


def _unix_now() -> int:
    return int(time.time())


class ConversationService:
    def __init__(
        self,
        repository: ConversationRepository,
        clock: Callable[[], int] = _unix_now,
        idempotency_store: "BasePersistenceLayer | None" = None,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._idempotent_create = None
        if idempotency_store is not None:
            # Imported here: only the create function has a store, and the others' cold starts
            # need not load Powertools' idempotency utility.
            from conversations.idempotency import IdempotentCreate  # noqa: PLC0415

            self._idempotent_create = IdempotentCreate(idempotency_store, self.create)

    def create_idempotently(
        self,
        owner: str,
        request: CreateConversationRequest,
        idempotency_key: str | None,
        invocation: "LambdaContext | None" = None,
    ) -> VersionedConversation:
        """Create, or with an Idempotency-Key return what the first request with it created."""
        if idempotency_key is None:
            return self.create(owner, request)
        if self._idempotent_create is None:
            raise MissingSetting("IDEMPOTENCY_TABLE_NAME")
        return self._idempotent_create(owner, idempotency_key, request, invocation)

    def create(self, owner: str, request: CreateConversationRequest) -> VersionedConversation:
        created_at = self._clock()
        for _ in range(ID_DRAW_ATTEMPTS):
            conversation = Conversation.started(
                new_id(created_at), created_at, contact_id=request.contact_id, group_id=request.group_id
            )
            try:
                self._repository.create(owner, conversation)
            except ConversationIdTaken:
                continue
            return VersionedConversation(conversation, version=1)
        raise Conflict("could not allocate a unique conversation id; retry the request")

    def retrieve(self, owner: str, conversation_id: str) -> VersionedConversation:
        """Return the conversation and record that its owner opened it now."""
        return self._repository.record_open(owner, _existing_id(conversation_id), self._clock())

    def update(
        self,
        owner: str,
        conversation_id: str,
        request: UpdateConversationRequest,
        expected_version: int | None = None,
    ) -> VersionedConversation:
        return self._repository.update(owner, _existing_id(conversation_id), request.changes(), expected_version)

    def delete(self, owner: str, conversation_id: str, expected_version: int | None = None) -> None:
        self._repository.delete(owner, _existing_id(conversation_id), expected_version)

    def list(
        self,
        owner: str,
        filters: ListFilters,
        limit: int,
        starting_after: str | None = None,
        ending_before: str | None = None,
    ) -> Page:
        if starting_after is not None and ending_before is not None:
            raise InvalidRequest("starting_after and ending_before cannot be used together", "starting_after")
        if filters.group_id is not None and not is_valid_id(filters.group_id):
            raise InvalidRequest("group_id must be 16 characters of [A-Za-z0-9]", "group_id")
        cursor, direction = None, Direction.NEWEST_FIRST
        if starting_after is not None:
            cursor, direction = _checked_id(starting_after, "starting_after"), Direction.AFTER_CURSOR
        if ending_before is not None:
            cursor, direction = _checked_id(ending_before, "ending_before"), Direction.BEFORE_CURSOR
        request = PageRequest(filters=filters, limit=limit, cursor=cursor, direction=direction)
        return self._repository.list_page(owner, request)


def _existing_id(conversation_id: str) -> str:
    # Ids go into keys: a malformed one (`abc#OWNER#...`) names nothing, so it is a 404 before any read.
    if not is_valid_id(conversation_id):
        raise ConversationNotFound(conversation_id[:64])
    return conversation_id


def _checked_id(value: str, param: str) -> str:
    if not is_valid_id(value):
        raise InvalidRequest(f"{param} must be 16 characters of [A-Za-z0-9], got '{value[:64]}'", param)
    return value
