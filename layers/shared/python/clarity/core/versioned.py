"""A resource with its version, apart from the API's pydantic models: the storage layer and the
webhook workers use it without loading pydantic."""

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Versioned(Generic[T]):
    """A resource and the version of its stored item, which every client change increments."""

    resource: T
    version: int

    @property
    def etag(self) -> str:
        return f'"{self.version}"'
