from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import ApiClient, api_with_moto, stubbed_table


class Clock:
    """A controllable clock: each conversation can get its own created_at."""

    def __init__(self, start: int = 1_700_000_000) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now

    def tick(self, seconds: int = 1) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api_and_table(clock: Clock) -> Iterator[tuple[ApiClient, Any]]:
    with api_with_moto(clock) as pair:
        yield pair


@pytest.fixture
def api(api_and_table: tuple[ApiClient, Any]) -> ApiClient:
    return api_and_table[0]


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Any]]:
    """A Table on botocore's Stubber, and the stubber: tests/support.stubbed_table."""
    yield from stubbed_table()
