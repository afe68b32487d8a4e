"""Idempotent create: a retried POST with the same Idempotency-Key creates nothing new.

Stripe's convention, on Powertools' idempotency utility: keys are scoped to the owner and kept
24 hours; a repeat with the same body gets the first result; the same key with another body, or
while the first request still runs, is a conflict.
"""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import CustomDictSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext

from conversations.errors import Conflict, ServiceUnavailable
from conversations.models import Conversation, CreateConversationRequest, VersionedConversation

KEY_LIFETIME_SECONDS = 24 * 3600

CreateFunction = Callable[[str, CreateConversationRequest], VersionedConversation]


def _to_record(result: VersionedConversation) -> dict[str, Any]:
    return {"conversation": result.conversation.model_dump(), "version": result.version}


def _from_record(record: dict[str, Any]) -> VersionedConversation:
    return VersionedConversation(Conversation(**record["conversation"]), int(record["version"]))


class IdempotentCreate:
    def __init__(self, persistence: BasePersistenceLayer, create: CreateFunction) -> None:
        self._create = create
        self._config = IdempotencyConfig(
            # The record's key hashes the owner with the client's key: one owner's key never
            # answers another's request, and records spread over many partitions.
            event_key_jmespath="[owner, key]",
            payload_validation_jmespath="body",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=KEY_LIFETIME_SECONDS,
        )
        self._run = idempotent_function(
            data_keyword_argument="call",
            persistence_store=persistence,
            config=self._config,
            output_serializer=CustomDictSerializer(to_dict=_to_record, from_dict=_from_record),
        )(self._create_once)

    def _create_once(self, call: dict[str, Any]) -> VersionedConversation:
        return self._create(call["owner"], CreateConversationRequest(**call["body"]))

    def __call__(
        self,
        owner: str,
        key: str,
        request: CreateConversationRequest,
        invocation: LambdaContext | None = None,
    ) -> VersionedConversation:
        if invocation is not None:
            # Lets an in-progress record expire with the invocation, should the function die.
            self._config.register_lambda_context(invocation)
        call = {"owner": owner, "key": key, "body": request.model_dump(mode="json", exclude_none=True)}
        try:
            result: VersionedConversation = self._run(call=call)
        except IdempotencyValidationError as error:
            raise Conflict(
                "Keys for idempotent requests can only be used with the same parameters they were first used with"
            ) from error
        except IdempotencyAlreadyInProgressError as error:
            raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly") from error
        except IdempotencyPersistenceLayerError as error:
            raise ServiceUnavailable("the idempotency store is unavailable right now") from error
        return result
