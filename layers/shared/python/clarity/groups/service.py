"""The rules of groups, independent of HTTP and of DynamoDB's wire format."""

from typing import TYPE_CHECKING

from clarity.conversations.models import Conversation
from clarity.core.clock import Clock
from clarity.core.ids import existing_id, new_id, stored_under_fresh_id, tick_of
from clarity.core.paging import Page, position
from clarity.core.retry_safe import RetrySafeCreate
from clarity.groups.models import (
    CreateGroupRequest,
    Group,
    GroupPageRequest,
    StoredGroup,
    UpdateGroupRequest,
    VersionedGroup,
)
from clarity.groups.repository import GroupRepository

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

RESOURCE = "group"


class GroupService:
    def __init__(
        self,
        repository: GroupRepository,
        clock: Clock,
        idempotency_store: "BasePersistenceLayer | None" = None,
    ) -> None:
        self._repository = repository
        self._clock = clock
        # A retried POST with the same Idempotency-Key creates once (Stripe's convention).
        self.create_idempotently = RetrySafeCreate("createGroup", self.create, Group, idempotency_store)

    def create(self, owner: str, request: CreateGroupRequest) -> VersionedGroup:
        """Create the group with its conversation (never without one), and its members."""

        def store(group_id: str, created_at: int) -> VersionedGroup:
            # The conversation is made at the group's tick: it lists with the conversations of then.
            conversation = Conversation.started(new_id(tick_of(group_id)), created_at, group_id=group_id)
            group = StoredGroup(
                id=group_id,
                name=request.name,
                description=request.description,
                avatar_url=request.avatar_url,
                conversation_id=conversation.id,
                member_ids=list(request.contacts),
                created_at=created_at,
                archived_at=None,
            )
            return self._repository.create(owner, group, conversation)

        return stored_under_fresh_id(self._clock, store, RESOURCE)

    def retrieve(self, owner: str, group_id: str) -> VersionedGroup:
        return self._repository.retrieve(owner, existing_id(RESOURCE, group_id))

    def update(
        self, owner: str, group_id: str, request: UpdateGroupRequest, expected_version: int | None = None
    ) -> VersionedGroup:
        return self._repository.update(owner, existing_id(RESOURCE, group_id), request.changes(), expected_version)

    def delete(self, owner: str, group_id: str, expected_version: int | None = None) -> None:
        self._repository.delete(owner, existing_id(RESOURCE, group_id), expected_version)

    def list(
        self,
        owner: str,
        limit: int,
        archived: bool | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
    ) -> Page[Group]:
        start = position(starting_after, ending_before)
        return self._repository.list_page(owner, GroupPageRequest(limit=limit, archived=archived, position=start))
