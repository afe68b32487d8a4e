"""events/ holds one real API Gateway event per function, which `sam local invoke -e` can use:
each names its function's route and succeeds against the seeded example data."""

import json
from pathlib import Path
from typing import Any

import pytest

from devtools.lambda_context import LocalLambdaContext
from devtools.routing import Router
from devtools.sam_local import EVENTS_DIRECTORY
from devtools.template import FunctionRoute, function_routes
from tests.support import seed_examples

ROUTES = function_routes()


def _event(route: FunctionRoute) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS_DIRECTORY / f"{Path(route.code_uri).name}.json").read_text())
    return event


def test_every_event_belongs_to_a_function() -> None:
    assert {path.stem for path in EVENTS_DIRECTORY.glob("*.json")} == {Path(r.code_uri).name for r in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=[r.logical_id for r in ROUTES])
def test_each_functions_event_succeeds_in_process(api_and_table: tuple[Any, Any], route: FunctionRoute) -> None:
    _, client = api_and_table
    event = _event(route)
    seed_examples(client, event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"])

    assert event["routeKey"] == f"{route.method} {route.path}"
    result = Router().handler(route)(event, LocalLambdaContext(route.logical_id))

    assert 200 <= result["statusCode"] < 300, result
