"""Logs join traces without an SDK: every log line carries the invocation's X-Ray trace id."""

import io
import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from botocore.exceptions import ClientError

from clarity.core.observability import logger
from devtools.template import ROOT, function_routes
from tests.support import ApiClient

TRACE_ID = "1-67a0b1c2-000000000000000000000001"


def test_a_log_line_carries_the_trace_id_lambda_gives(
    api_and_table: tuple[ApiClient, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Lambda's trace header for this invocation, and a request that logs (DynamoDB throttled)
    api, client = api_and_table
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1")
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "Query")

    def failing(**_: Any) -> Any:
        raise throttled

    monkeypatch.setattr(client, "query", failing)
    logged = io.StringIO()
    # The Logger writes to the stream it found when first imported: point it here for this test.
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(logged)
    try:
        response = api.request("GET", "/v1/conversations")
    finally:
        handler.setStream(previous)

    # Then the warning it logs names the trace
    assert response.status == 503
    lines = [json.loads(line) for line in logged.getvalue().splitlines() if line.startswith('{"level"')]
    assert lines, logged.getvalue()
    assert all(line["xray_trace_id"] == TRACE_ID for line in lines)


def test_no_function_loads_the_x_ray_sdk() -> None:
    modules = ", ".join(repr(route.module_name) for route in function_routes())
    probe = (
        f"import importlib, sys\nfor m in [{modules}]: importlib.import_module(m)\nprint('aws_xray_sdk' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'shared' / 'python'}:{ROOT}"},
    )  # fmt: skip

    assert completed.stdout.strip() == "False"
