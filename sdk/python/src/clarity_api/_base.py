"""What the sync and the async client share: settings, headers, the retry rules, and reading responses.
Only the sending loop differs between them (`_sync.py`, `_async.py`)."""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional, TypeVar, Union

import httpx

from clarity_api._convert import from_json
from clarity_api._version import __version__
from clarity_api.errors import APIConnectionError, ClarityError, error_for

PRODUCTION_URL = "https://api.clarityapp.ai"
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_RETRIES = 2
# Backoff: 0.5 s, then 1 s, then 2 s ... each with up to 25% jitter, at most 8 s; Retry-After wins.
INITIAL_RETRY_DELAY_SECONDS = 0.5
MAX_RETRY_DELAY_SECONDS = 8.0
# The largest file `attachments.create` sends through the API (docs/api.md, ATTACHMENT_MAX_UPLOAD_BYTES);
# a larger one goes straight to storage (the direct upload).
MULTIPART_LIMIT_BYTES = 4 * 1024 * 1024
USER_AGENT = f"clarity-api-python/{__version__}"

logger = logging.getLogger("clarity_api")
ModelT = TypeVar("ModelT")
ValueT = TypeVar("ValueT")
QueryValue = Union[str, int, float, bool, None]


class NotGiven:
    """The default of an argument left out: it is not sent at all, where None sends null."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN = NotGiven()
# An argument that may be left out: `display_name: Given[Optional[str]] = NOT_GIVEN`.
Given = Union[ValueT, NotGiven]


def given(**arguments: Any) -> dict[str, Any]:
    """The arguments the caller gave, as the request's fields or query parameters."""
    return {name: value for name, value in arguments.items() if not isinstance(value, NotGiven)}


def listed(values: Given[Sequence[str]]) -> Given[list[str]]:
    """A sequence of ids as the JSON list the API takes (a tuple would do too, a str would not)."""
    if isinstance(values, NotGiven):
        return values
    if isinstance(values, str):
        raise TypeError("pass a list of ids, not one string")
    return list(values)


@dataclass(frozen=True)
class Settings:
    token: str
    base_url: str
    max_retries: int
    sleep: Callable[[float], Any]


def settings(
    token: Optional[str], base_url: Optional[str], max_retries: int, sleep: Callable[[float], Any]
) -> Settings:
    """The arguments, else CLARITY_API_TOKEN and CLARITY_BASE_URL, else the production URL."""
    token = token or os.environ.get("CLARITY_API_TOKEN")
    if not token:
        raise ValueError("no token: pass ApiClient(token) or set CLARITY_API_TOKEN")
    base_url = (base_url or os.environ.get("CLARITY_BASE_URL") or PRODUCTION_URL).rstrip("/")
    return Settings(token=token, base_url=base_url, max_retries=max_retries, sleep=sleep)


@dataclass
class Call:
    """One API call, the same on every attempt: an Idempotency-Key is made once, here, per call."""

    method: str
    path: str
    params: Optional[dict[str, str]] = None
    json_body: Any = None
    files: Any = None
    if_match: Optional[str] = None
    idempotency_key: Optional[str] = None

    @property
    def retryable(self) -> bool:
        """GET always; a create by its Idempotency-Key; a PUT or DELETE only when If-Match makes it
        conditional (a retried one then answers 412 instead of writing twice)."""
        return self.method == "GET" or self.idempotency_key is not None or self.if_match is not None

    def headers(self, token: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.if_match is not None:
            headers["If-Match"] = self.if_match
        if self.idempotency_key is not None:
            headers["Idempotency-Key"] = self.idempotency_key
        return headers

    def build(self, client: httpx.Client | httpx.AsyncClient, settings: Settings) -> httpx.Request:
        return client.build_request(
            self.method,
            settings.base_url + self.path,
            params=self.params,
            json=self.json_body,
            files=self.files,
            headers=self.headers(settings.token),
        )


def create_call(path: str, json_body: Any = None, files: Any = None) -> Call:
    return Call("POST", path, json_body=json_body, files=files, idempotency_key=str(uuid.uuid4()))


def query(filters: dict[str, QueryValue]) -> dict[str, str]:
    """Filters as the API reads them: booleans as true/false, None left out."""
    return {
        name: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for name, value in filters.items()
        if value is not None
    }


def retry_delay(call: Call, attempt: int, response: Optional[httpx.Response], max_retries: int) -> Optional[float]:
    """Seconds to wait before attempt `attempt + 1`, or None when this outcome is final.
    `response` is None for a connection error."""
    if attempt >= max_retries or not call.retryable:
        return None
    if response is not None and response.status_code != 429 and response.status_code < 500:
        return None
    after = _retry_after(response) if response is not None else None
    if after is not None:
        return min(after, 60.0)
    backoff: float = min(INITIAL_RETRY_DELAY_SECONDS * 2.0**attempt, MAX_RETRY_DELAY_SECONDS)
    return backoff * (1 - 0.25 * random.random())  # noqa: S311 - jitter, not a secret


def _retry_after(response: httpx.Response) -> Optional[float]:
    value: Optional[str] = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:  # an HTTP date
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # neither: back off as if it were absent
    return max(when.timestamp() - time.time(), 0.0)


def log_attempt(call: Call, status: Union[int, str], started: float) -> None:
    # Method, path, status and duration: never the headers, so never the token.
    elapsed_ms = (time.monotonic() - started) * 1000
    logger.debug("%s %s -> %s in %.1f ms", call.method, call.path, status, elapsed_ms)


def connection_error(call: Call, error: httpx.TransportError) -> ClarityError:
    return APIConnectionError(f"{call.method} {call.path}: {type(error).__name__}: {error}")


def parsed(response: httpx.Response) -> Any:
    """The response's JSON, or its text when it is not JSON (a proxy's error page), or None when empty."""
    if not response.content:
        return None
    try:
        return response.json()
    except json.JSONDecodeError:
        return response.text


def request_id(response: httpx.Response) -> Optional[str]:
    # API Gateway's HTTP API names each request in apigw-requestid; `make run` sends none.
    found: Optional[str] = response.headers.get("apigw-requestid") or response.headers.get("x-request-id")
    return found


def checked(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 400:
        raise error_for(response.status_code, parsed(response), request_id(response))
    return response


def to_model(model: type[ModelT], response: httpx.Response) -> ModelT:
    return from_json(model, parsed(response), etag=response.headers.get("ETag"))
