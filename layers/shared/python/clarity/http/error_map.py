"""The one place where errors become HTTP responses in the API's error format."""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from clarity.core.errors import (
    ApiError,
    Conflict,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    RouteNotFound,
    ServiceUnavailable,
    Unauthenticated,
    UnsupportedMediaType,
)
from clarity.core.models import ErrorBody
from clarity.core.observability import logger
from clarity.core.settings import errors_documentation_url

RETRY_AFTER_SECONDS = "1"

_STATUS_BY_ERROR: dict[type[ApiError], HTTPStatus] = {
    InvalidRequest: HTTPStatus.BAD_REQUEST,
    Unauthenticated: HTTPStatus.UNAUTHORIZED,
    NotFound: HTTPStatus.NOT_FOUND,
    RouteNotFound: HTTPStatus.NOT_FOUND,
    MethodNotAllowed: HTTPStatus.METHOD_NOT_ALLOWED,
    Conflict: HTTPStatus.CONFLICT,
    PreconditionFailed: HTTPStatus.PRECONDITION_FAILED,
    PayloadTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    UnsupportedMediaType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    ServiceUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
}
INTERNAL_ERROR_MESSAGE = "An internal error occurred. It has been logged; please retry later."


def error_response(status: HTTPStatus, message: str, headers: dict[str, str] | None = None) -> Response[str]:
    body = ErrorBody(
        type="api_error" if status >= HTTPStatus.INTERNAL_SERVER_ERROR else "invalid_request",
        message=message,
        documentation_url=errors_documentation_url(),
    )
    return Response(
        status_code=status,
        content_type="application/json",
        body=body.model_dump_json(),
        headers=headers or {},
    )


def response_for(error: ApiError) -> Response[str]:
    status = next(
        (code for kind, code in _STATUS_BY_ERROR.items() if isinstance(error, kind)),
        HTTPStatus.INTERNAL_SERVER_ERROR,
    )
    headers: dict[str, str] = {}
    if isinstance(error, MethodNotAllowed):
        headers["Allow"] = ", ".join(error.allowed)
    if isinstance(error, ServiceUnavailable):
        headers["Retry-After"] = RETRY_AFTER_SECONDS
        logger.warning("DynamoDB unavailable", exc_info=error)
    if status == HTTPStatus.INTERNAL_SERVER_ERROR:
        logger.exception("unmapped domain error", exc_info=error)
        return error_response(status, INTERNAL_ERROR_MESSAGE)
    return error_response(status, str(error), headers)


def as_lambda_result(response: Response[str]) -> dict[str, Any]:
    """A Response as the HTTP API proxy result, for errors found before routing."""
    headers = {"Content-Type": str(response.content_type), **{k: str(v) for k, v in response.headers.items()}}
    return {
        "statusCode": response.status_code,
        "headers": headers,
        "body": response.body,
        "isBase64Encoded": False,
    }


def _parameter(location: tuple[Any, ...]) -> str:
    # Powertools locates errors as ("query", "limit") or ("body", "is_muted"); the first is the source.
    return ".".join(str(part) for part in location[1:] if isinstance(part, str))


def validation_message(error: dict[str, Any]) -> str:
    param = _parameter(tuple(error.get("loc", ())))
    kind = error.get("type", "")
    text = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return f"Received unknown parameter: {param}"
    if kind == "missing":
        return f"Missing required parameter: {param}" if param else "The request body is required"
    if kind == "json_invalid":
        return "The body is not valid JSON"
    if not param:
        return text
    return f"Invalid {param}: {text}"


def register_error_handlers(app: APIGatewayHttpResolver, allowed_methods: Callable[[str], list[str]]) -> None:
    def domain_error(error: ApiError) -> Response[str]:
        return response_for(error)

    def validation_error(error: RequestValidationError) -> Response[str]:
        details = list(error.errors())
        message = validation_message(details[0]) if details else "The request is invalid"
        return error_response(HTTPStatus.BAD_REQUEST, message)

    def route_not_found(_: NotFoundError) -> Response[str]:
        event = app.current_event
        allowed = allowed_methods(event.path)
        # The same method on a path its pattern cannot parse is an unknown URL, not a 405.
        if allowed and event.http_method.upper() not in allowed:
            return response_for(MethodNotAllowed(event.http_method, allowed))
        return response_for(RouteNotFound(f"Unrecognized request URL ({event.http_method}: {event.path})"))

    def unexpected(error: Exception) -> Response[str]:
        # No stack trace or internals leave the function; the log keeps them.
        logger.exception("unhandled error", exc_info=error)
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_MESSAGE)

    # Powertools picks the handler registered for the most specific class in the error's MRO.
    app.exception_handler(ApiError)(domain_error)
    app.exception_handler(RequestValidationError)(validation_error)
    app.exception_handler(NotFoundError)(route_not_found)
    app.exception_handler(Exception)(unexpected)
