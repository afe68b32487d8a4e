"""A resource with its version, apart from the API's pydantic models: the storage layer and the
webhook workers use it without loading pydantic."""

from dataclasses import dataclass
from typing import Generic, TypeVar

# Covariant: frozen, so a Versioned[CreatedAttachment] is a Versioned[Attachment].
T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True)
class Versioned(Generic[T_co]):
    """A resource and the version of its stored item, which every client change increments."""

    resource: T_co
    version: int
    # False when a create found the resource already there: a repeat open answers 200, not 201.
    is_new: bool = True

    @property
    def etag(self) -> str:
        return etag_of(self.version)


def etag_of(version: int) -> str:
    """The ETag clients see for a stored version: a strong validator, its number quoted."""
    return f'"{version}"'
