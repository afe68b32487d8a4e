"""A page of a list: `data`, `has_more`, and `auto_paging_iter()`, which fetches the next pages lazily
with `starting_after` (the last object's id) and the page's own filters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, Callable, Generic, TypeVar

ItemT = TypeVar("ItemT")


class Page(Generic[ItemT]):
    def __init__(self, data: list[ItemT], has_more: bool, next_page: Callable[[str], Page[ItemT]]) -> None:
        self.data = data
        self.has_more = has_more
        self._next_page = next_page

    def auto_paging_iter(self) -> Iterator[ItemT]:
        page: Page[ItemT] = self
        while True:
            yield from page.data
            if not page.has_more or not page.data:
                return
            page = page._next_page(_id_of(page.data[-1]))

    def __iter__(self) -> Iterator[ItemT]:
        return iter(self.data)

    def __repr__(self) -> str:
        return f"Page(data=<{len(self.data)} objects>, has_more={self.has_more})"


class AsyncPage(Generic[ItemT]):
    def __init__(
        self, data: list[ItemT], has_more: bool, next_page: Callable[[str], Awaitable[AsyncPage[ItemT]]]
    ) -> None:
        self.data = data
        self.has_more = has_more
        self._next_page = next_page

    async def auto_paging_iter(self) -> AsyncIterator[ItemT]:
        page: AsyncPage[ItemT] = self
        while True:
            for item in page.data:
                yield item
            if not page.has_more or not page.data:
                return
            page = await page._next_page(_id_of(page.data[-1]))

    def __iter__(self) -> Iterator[ItemT]:
        return iter(self.data)

    def __repr__(self) -> str:
        return f"AsyncPage(data=<{len(self.data)} objects>, has_more={self.has_more})"


def _id_of(item: Any) -> str:
    return str(item.id)
