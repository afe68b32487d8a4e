"""Idempotent create: a retried POST with the same Idempotency-Key creates nothing new.

Stripe's convention, on Powertools' idempotency utility: keys are scoped to the owner and the
operation and kept 24 hours; a repeat with the same body gets the first result; the same key
with another body, or while the first request still runs, is a conflict.

An answer that carries links made for it (a file's presigned download, which expires in an
hour) is not replayed as stored: `replay` rebuilds it from what the first request created, as
it is now.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import CustomDictSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from clarity.core.errors import Conflict, ServiceUnavailable
from clarity.core.versioned import Versioned

KEY_LIFETIME_SECONDS = 24 * 3600

RequestT = TypeVar("RequestT", bound=BaseModel)
ResourceT = TypeVar("ResourceT", bound=BaseModel)
# Rebuild a replayed answer for its owner, from the resource as the first request answered it.
Replay = Callable[[str, Versioned[ResourceT]], Versioned[ResourceT]]


@dataclass(frozen=True)
class _Replayed:
    """What Powertools hands back when the answer comes from the store, not from the create."""

    stored: Any


class IdempotentCreate(Generic[RequestT, ResourceT]):
    """Wraps one create operation; `operation` names it in the record key, so one key used on
    two endpoints never answers one with the other's result."""

    def __init__(
        self,
        persistence: BasePersistenceLayer,
        operation: str,
        create: Callable[[str, RequestT], Versioned[ResourceT]],
        resource_model: type[ResourceT],
        replay: "Replay[ResourceT] | None" = None,
    ) -> None:
        self._create = create
        self._resource_model = resource_model
        self._replay = replay
        self._config = IdempotencyConfig(
            # The record's key hashes the owner with the client's key: one owner's key never
            # answers another's request, and records spread over many partitions.
            event_key_jmespath="[owner, key]",
            payload_validation_jmespath="body",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=KEY_LIFETIME_SECONDS,
            # Called only on a replay: tells it from a first answer.
            response_hook=lambda response, _record: _Replayed(response),
        )
        self._run = idempotent_function(
            data_keyword_argument="call",
            persistence_store=persistence,
            config=self._config,
            output_serializer=CustomDictSerializer(to_dict=self._to_record, from_dict=self._from_record),
            key_prefix=operation,
        )(self._create_once)

    @staticmethod
    def _to_record(result: Versioned[ResourceT]) -> dict[str, Any]:
        return {"resource": result.resource.model_dump(mode="json"), "version": result.version, "is_new": result.is_new}

    def _from_record(self, record: dict[str, Any]) -> Versioned[ResourceT]:
        # A replay answers as the first request did: 201, or 200 for a repeat open.
        resource = self._resource_model.model_validate(record["resource"])
        return Versioned(resource, int(record["version"]), is_new=bool(record.get("is_new", True)))

    def _create_once(self, call: dict[str, Any]) -> Versioned[ResourceT]:
        # The request itself, not its dump: a dump may leave out what is compared by digest (a file).
        request: RequestT = call["request"]
        return self._create(call["owner"], request)

    def __call__(
        self,
        owner: str,
        key: str,
        request: RequestT,
        invocation: LambdaContext | None = None,
    ) -> Versioned[ResourceT]:
        if invocation is not None:
            # Lets an in-progress record expire with the invocation, should the function die.
            self._config.register_lambda_context(invocation)
        call = {
            "owner": owner,
            "key": key,
            "body": request.model_dump(mode="json", exclude_none=True),
            "request": request,
        }
        try:
            result = self._run(call=call)
        except IdempotencyValidationError as error:
            raise Conflict(
                "Keys for idempotent requests can only be used with the same parameters they were first used with"
            ) from error
        except IdempotencyAlreadyInProgressError as error:
            raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly") from error
        except IdempotencyPersistenceLayerError as error:
            raise ServiceUnavailable("the idempotency store is unavailable right now") from error
        if isinstance(result, _Replayed):
            replayed: Versioned[ResourceT] = result.stored
            return self._replay(owner, replayed) if self._replay is not None else replayed
        created: Versioned[ResourceT] = result
        return created
