"""The SDK's tests run against the real local server (`python -m devtools.local_api`, what `make run`
runs), started once for them. The SDK is imported from its source tree, sdk/python/src; one test
(test_install.py) installs it with pip as a user would."""

import asyncio
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.template import ROOT
from tests.http.conftest import LocalServer, start_local_server, stop_local_server

SDK_SOURCE = ROOT / "sdk" / "python" / "src"
if str(SDK_SOURCE) not in sys.path:
    sys.path.insert(0, str(SDK_SOURCE))

from clarity_api import ApiClient, AsyncApiClient, AsyncPage, Page  # noqa: E402


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    local = start_local_server(tmp_path_factory.mktemp("sdk-keys"))
    yield local
    stop_local_server(local)


@pytest.fixture
def token(server: LocalServer) -> str:
    """A token of an owner of this test's own, so no test sees another's objects."""
    return server.token(f"sdk-{uuid.uuid4().hex}")


@pytest.fixture
def client(server: LocalServer, token: str) -> Iterator[ApiClient]:
    with ApiClient(token, base_url=server.url) as made:
        yield made


class Blocking:
    """The async client seen through blocking calls: each coroutine is run to its end on `loop`. It lets
    one scenario drive both clients, so the async client makes every call the sync one does."""

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return Blocking(value, self._loop)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*args, **kwargs)
            return self._loop.run_until_complete(result) if asyncio.iscoroutine(result) else result

        return call


def every_item(page: Any, loop: asyncio.AbstractEventLoop | None = None) -> list[Any]:
    """All the items of `page` and of the pages after it, through auto_paging_iter()."""
    if isinstance(page, AsyncPage):
        assert loop is not None

        async def collect() -> list[Any]:
            return [item async for item in page.auto_paging_iter()]

        return loop.run_until_complete(collect())
    assert isinstance(page, Page)
    return list(page.auto_paging_iter())


@pytest.fixture(params=["sync", "async"])
def either_client(
    request: pytest.FixtureRequest, server: LocalServer, token: str
) -> Iterator[tuple[Any, Callable[[Any], list[Any]]]]:
    """(client, every_item) for the sync ApiClient, then for the AsyncApiClient behind `Blocking`."""
    if request.param == "sync":
        with ApiClient(token, base_url=server.url) as sync_client:
            yield sync_client, every_item
        return
    loop = asyncio.new_event_loop()
    async_client = AsyncApiClient(token, base_url=server.url)
    try:
        yield Blocking(async_client, loop), lambda page: every_item(page, loop)
    finally:
        loop.run_until_complete(async_client.aclose())
        loop.close()


def sdk_path() -> Path:
    return ROOT / "sdk" / "python"
