"""Creates a client may retry safely: with an Idempotency-Key, the same key and body create once.

Powertools' idempotency utility is imported only where a store is given (the create functions),
so no other function's cold start pays for it.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import BaseModel

from clarity.core.settings import MissingSetting
from clarity.core.versioned import Versioned

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from clarity.core.idempotency import IdempotentCreate, Replay

RequestT = TypeVar("RequestT", bound=BaseModel)
ResourceT = TypeVar("ResourceT", bound=BaseModel)


class RetrySafeCreate(Generic[RequestT, ResourceT]):
    def __init__(
        self,
        operation: str,
        create: Callable[[str, RequestT], Versioned[ResourceT]],
        resource_model: type[ResourceT],
        store: "BasePersistenceLayer | None",
        replay: "Replay[ResourceT] | None" = None,
    ) -> None:
        self._create = create
        self._once: IdempotentCreate[RequestT, ResourceT] | None = None
        if store is not None:
            from clarity.core.idempotency import IdempotentCreate as Once  # noqa: PLC0415

            self._once = Once(store, operation, create, resource_model, replay)

    def __call__(
        self,
        owner: str,
        request: RequestT,
        idempotency_key: str | None,
        invocation: "LambdaContext | None" = None,
    ) -> Versioned[ResourceT]:
        """Create, or with an Idempotency-Key return what the first request with it created."""
        if idempotency_key is None:
            return self._create(owner, request)
        if self._once is None:
            raise MissingSetting("IDEMPOTENCY_TABLE_NAME")
        return self._once(owner, idempotency_key, request, invocation)
