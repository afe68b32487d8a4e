"""DynamoDB throttling and 5xx are retried by botocore's standard mode, within a bounded budget."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from clarity.conversations.models import ListFilters, PageRequest
from clarity.core.errors import ServiceUnavailable
from clarity.core.settings import Settings
from clarity.wiring import DYNAMODB_CLIENT_CONFIG, dynamodb_client
from tests.support import TABLE_NAME, moto_table, repository_on


class _Raw:
    """The raw body botocore reads from an HTTP response."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _throttle_first(client: Any, failures: int, status: int = 400, code: str = "ThrottlingException") -> list[int]:
    """Answer the first `failures` sends with an error DynamoDB could send; count every attempt."""
    attempts: list[int] = []

    def send(request: Any, **_: Any) -> AWSResponse | None:
        attempts.append(1)
        if len(attempts) > failures:
            return None  # the real (moto) endpoint answers
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "slow down"}).encode()
        headers = HTTPHeaders()
        headers["Content-Type"] = "application/x-amz-json-1.0"
        return AWSResponse(request.url, status, headers, _Raw(body))

    client.meta.events.register_first("before-send.dynamodb.Query", send)
    return attempts


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with moto_table():
        settings = Settings(TABLE_NAME, None, "us-east-1", None, None)
        built = dynamodb_client(settings)
        # No real waiting between attempts in a test; the attempts themselves are what counts.
        monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda *_: 0)
        yield built


def test_the_client_uses_standard_retries_with_three_attempts() -> None:
    assert DYNAMODB_CLIENT_CONFIG.retries == {"mode": "standard", "total_max_attempts": 3}  # type: ignore[attr-defined]


def test_throttling_is_retried_until_it_succeeds(client: Any) -> None:
    attempts = _throttle_first(client, failures=2)

    page = repository_on(client).list_page("alice", PageRequest(ListFilters(), limit=10))

    assert page.items == []
    assert len(attempts) == 3


def test_a_5xx_that_outlasts_the_budget_is_service_unavailable(client: Any) -> None:
    attempts = _throttle_first(client, failures=10, status=500, code="InternalServerError")

    with pytest.raises(ServiceUnavailable):
        repository_on(client).list_page("alice", PageRequest(ListFilters(), limit=10))

    assert len(attempts) == 3
