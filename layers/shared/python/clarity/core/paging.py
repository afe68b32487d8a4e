"""Cursor pagination, the same for every list: `starting_after` or `ending_before`, newest first."""

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from clarity.core.errors import InvalidRequest
from clarity.core.ids import checked_id

T = TypeVar("T")


class Direction(Enum):
    NEWEST_FIRST = "newest_first"
    AFTER_CURSOR = "after"
    BEFORE_CURSOR = "before"


@dataclass(frozen=True)
class Position:
    """Where a page starts: at the newest item, or next to a cursor id in either direction."""

    cursor: str | None = None
    direction: Direction = Direction.NEWEST_FIRST

    @property
    def cursor_param(self) -> str:
        """The query parameter that carried the cursor, for errors that name it."""
        return "ending_before" if self.direction is Direction.BEFORE_CURSOR else "starting_after"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_more: bool


def position(starting_after: str | None, ending_before: str | None) -> Position:
    if starting_after is not None and ending_before is not None:
        raise InvalidRequest("starting_after and ending_before cannot be used together", "starting_after")
    if starting_after is not None:
        return Position(checked_id(starting_after, "starting_after"), Direction.AFTER_CURSOR)
    if ending_before is not None:
        return Position(checked_id(ending_before, "ending_before"), Direction.BEFORE_CURSOR)
    return Position()
