"""Typed exceptions for the API's errors (docs/errors.md): status, `type`, `message`, `request_id`."""

from __future__ import annotations

from typing import Any, Optional


class ClarityError(Exception):
    """Every error the SDK raises about a response or a connection."""

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        type: Optional[str] = None,  # noqa: A002 - the API's field name
        request_id: Optional[str] = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.request_id = request_id
        self.body = body

    def __str__(self) -> str:
        where = f" (request {self.request_id})" if self.request_id else ""
        return f"{self.status} {self.type}: {self.message}{where}" if self.status else self.message


class InvalidRequestError(ClarityError):
    """A 4xx: the request was wrong."""


class NotFoundError(InvalidRequestError):
    """404: no such object for this owner (or no such route)."""


class ConflictError(InvalidRequestError):
    """409: an Idempotency-Key reused with another body, or a username already taken."""


class PreconditionFailedError(InvalidRequestError):
    """412: If-Match named a version that is no longer current."""


class AuthenticationError(ClarityError):
    """401: a missing, expired or forged token."""


class RateLimitError(ClarityError):
    """429: too many requests (retried first, up to max_retries)."""


class ApiError(ClarityError):
    """5xx: the service failed (retried first), or a connection error after the retries."""


class APIConnectionError(ApiError):
    """The request never got an answer: the connection failed or timed out, on every attempt."""


class SignatureVerificationError(ClarityError):
    """A webhook delivery whose signature does not match its body and your secret."""


_BY_STATUS: dict[int, type[ClarityError]] = {
    401: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    429: RateLimitError,
}


def error_for(status: int, body: Any, request_id: Optional[str]) -> ClarityError:
    """The exception for an error response. The API's own errors are `{"type", "message", ...}`; API
    Gateway's (401, 404 of no route, 413 too large) are `{"message"}` alone."""
    fields = body if isinstance(body, dict) else {}
    message = str(fields.get("message") or body or f"HTTP {status}")
    error_type = fields.get("type") or ("api_error" if status >= 500 else "invalid_request")
    if status in _BY_STATUS:
        kind = _BY_STATUS[status]
    elif status >= 500:
        kind = ApiError
    elif status >= 400:
        kind = InvalidRequestError
    else:
        kind = ApiError
    return kind(message, status=status, type=str(error_type), request_id=request_id, body=body)
