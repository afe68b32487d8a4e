"""Routes a method and path to the template's function, as API Gateway's HTTP API does."""

import json
import re
from dataclasses import dataclass
from typing import Any

from devtools.events import http_api_event
from devtools.lambda_context import LocalLambdaContext
from devtools.template import FunctionRoute, function_routes, import_handler

# What one synchronous invocation may carry: the whole event, a body base64-encoded in it.
LAMBDA_MAX_EVENT_BYTES = 6 * 1024 * 1024


@dataclass(frozen=True)
class RouteMatch:
    route: FunctionRoute
    path: str
    path_parameters: dict[str, str]

    @property
    def route_key(self) -> str:
        return f"{self.route.method} {self.route.path}"


def _path_pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$")


class Router:
    def __init__(self, routes: list[FunctionRoute] | None = None) -> None:
        self.routes = routes if routes is not None else function_routes()
        self._patterns = [(route, _path_pattern(route.path)) for route in self.routes]
        self._handlers: dict[str, Any] = {}

    def match(self, method: str, path: str) -> RouteMatch | None:
        for route, pattern in self._patterns:
            found = pattern.match(path)
            if found and route.method == method.upper():
                return RouteMatch(route, path, found.groupdict())
        return None

    def handler(self, route: FunctionRoute) -> Any:
        if route.logical_id not in self._handlers:
            self._handlers[route.logical_id] = import_handler(route)
        return self._handlers[route.logical_id]


def invoke(
    router: Router,
    match: RouteMatch,
    *,
    claims: dict[str, str] | None,
    raw_query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> dict[str, Any]:
    """Call the function the template binds to a matched route, in process, as Lambda would."""
    event = http_api_event(
        match.route.method,
        match.path,
        route_key=match.route_key,
        claims=claims,
        raw_query=raw_query,
        headers=headers,
        body=body,
        path_parameters=match.path_parameters or None,
    )
    if len(json.dumps(event)) > LAMBDA_MAX_EVENT_BYTES:
        # Lambda refuses the invocation: the function never runs, and the answer is the platform's.
        return {
            "statusCode": 413,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"message": "Request Entity Too Large"}),
        }
    result: dict[str, Any] = router.handler(match.route)(event, LocalLambdaContext(match.route.logical_id))
    return result
