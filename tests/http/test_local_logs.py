"""What `make run` prints: one readable line a request by default, the functions' JSON with the flag."""

import json
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import boto3

from devtools.loopback_receiver import LoopbackReceiver
from devtools.template import ROOT
from tests.http.conftest import SERVER_ENV, LocalServer, free_port, start_local_server, stop_local_server

REQUEST_LINE = re.compile(
    r"^\d\d:\d\d:\d\d (?P<method>[A-Z]+) (?P<target>\S+) (?P<status>\d{3}) \d+ ms(?:  (?P<detail>.+))?$"
)
CONTACT = {"username": "KevinMcCallister", "phone_number": "1-800-759-3000"}


def _after_banner(output: str) -> list[str]:
    """What the server printed between its banner and `Stopped.`."""
    lines = output.splitlines()
    return lines[lines.index("Ctrl-C stops it.") + 1 : lines.index("Stopped.")]


def _json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _refused_request_line(server: LocalServer, line: bytes) -> None:
    """Send a request line the stdlib refuses before the gateway sees it; wait for the answer."""
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=30) as raw:
        raw.sendall(line)
        while raw.recv(4096):
            pass


def test_by_default_each_request_is_one_readable_line_and_nothing_else(tmp_path: Path) -> None:
    # Given the server as `make run` starts it
    local = start_local_server(tmp_path)
    try:
        # When it serves requests that succeed, fail in a function, and fail at the gateway
        contact = local.request("POST", "/v1/contacts", json_body=CONTACT)[2]
        created = local.request("POST", "/v1/conversations", json_body={"contact_id": contact["id"]})[2]
        path = f"/v1/conversations/{created['id']}"
        answers = [
            ("POST", "/v1/contacts", 201),
            ("POST", "/v1/conversations", 201),
            ("GET", "/v1/conversations?limit=2", local.request("GET", "/v1/conversations?limit=2")[0]),
            ("GET", "/v1/conversations?limit=0", local.request("GET", "/v1/conversations?limit=0")[0]),
            ("PUT", path, local.request("PUT", path, json_body={"is_muted": True})[0]),
            (
                "GET",
                "/v1/conversations/A000000000000001",
                local.request("GET", "/v1/conversations/A000000000000001")[0],
            ),
            ("GET", "/v1/conversations", local.request("GET", "/v1/conversations", owner=None)[0]),
            ("GET", "/v2/conversations", local.request("GET", "/v2/conversations")[0]),
            ("DELETE", path, local.request("DELETE", path)[0]),
        ]
        _refused_request_line(local, b"GARBAGE\r\n\r\n")
    finally:
        output = stop_local_server(local)

    # Then there is one line per request, naming it and its status, and no JSON at all
    lines = _after_banner(output)
    assert len(lines) == len(answers) + 1, output
    matches = [REQUEST_LINE.match(line) for line in lines[:-1]]
    assert all(matches), lines
    assert [(m["method"], m["target"], int(m["status"])) for m in matches if m] == answers
    assert [status for _, _, status in answers] == [201, 201, 200, 400, 200, 404, 401, 404, 204]
    details = [m["detail"] for m in matches if m]
    assert details[1] == f"-> {path}"
    assert details[3] == "invalid_request: Invalid limit: Input should be greater than or equal to 1"
    assert details[5] == "invalid_request: No such conversation: 'A000000000000001'"
    assert details[6:8] == ["Unauthorized", "Not Found"]
    assert "code 400, message Bad request syntax ('GARBAGE')" in lines[-1]
    assert _json_lines(output) == []
    assert "CloudWatchMetrics" not in output


def test_with_the_json_flag_the_functions_records_and_metrics_are_printed(tmp_path: Path) -> None:
    # Given the server started with `make run LOGS=json`
    local = start_local_server(tmp_path, {"LOCAL_LOG_FORMAT": "json"})
    try:
        # When a conversation is made (the stream function logs its change event)
        assert local.request("POST", "/v1/conversations", json_body=local.conversation_body())[0] == 201
        local.wait_for_output('"message":"change event"')
    finally:
        output = stop_local_server(local)

    # Then Powertools' JSON records and the EMF metrics are there, beside the request line
    printed = _json_lines(output)
    records = [line for line in printed if "level" in line]
    metrics = [line for line in printed if "_aws" in line]
    assert {(r["level"], r["message"], r["function_name"]) for r in records} >= {
        ("INFO", "change event", "WebhookEventsFunction")
    }
    assert all("function_request_id" in r for r in records)
    names = {m["Name"] for line in metrics for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert {"ColdStart", "ConversationCreated", "ChangeEvent"} <= names
    assert any(REQUEST_LINE.match(line) for line in output.splitlines())


def test_a_function_error_is_shown_under_its_request_line_with_its_traceback(tmp_path: Path) -> None:
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    # Given a server on a DynamoDB whose table is then deleted under it
    dynamodb = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    dynamodb.start()
    host, port = dynamodb.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        local = start_local_server(tmp_path, {"DYNAMODB_ENDPOINT_URL": endpoint, "TABLE_NAME": "gone"})
        local.wait_for_output("Ctrl-C stops it.")  # it listens before it makes its table
        boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint).delete_table(TableName="gone")
        try:
            # When a request fails in the function
            status = local.request("GET", "/v1/conversations")[0]
        finally:
            output = stop_local_server(local)
    finally:
        dynamodb.stop()

    # Then its line says so, and the function's error follows it, traceback included
    assert status == 500
    lines = _after_banner(output)
    assert REQUEST_LINE.match(lines[0])
    assert lines[0].split(" ", 1)[1].startswith("GET /v1/conversations 500 ")
    assert lines[0].endswith("  api_error: An internal error occurred. It has been logged; please retry later.")
    assert lines[1] == "    ERROR unhandled error"
    assert lines[2] == "        Traceback (most recent call last):"
    assert "ResourceNotFoundException" in lines[-1]
    assert all(line.startswith("        ") for line in lines[2:])
    assert _json_lines(output) == []


def test_webhook_deliveries_are_one_readable_line_an_attempt_failures_included(server: LocalServer) -> None:
    # Given two webhooks: one answered by a receiver, one at a port nothing listens on
    owner = f"delivery-logs-{uuid.uuid4().hex}"
    receiver = LoopbackReceiver(lambda _: 200)
    hooks = ["conversation.created"]
    answered = server.request(
        "POST", "/v1/webhooks", owner=owner, json_body={"name": "up", "url": receiver.url("/hook"), "events": hooks}
    )[2]
    refused = server.request(
        "POST",
        "/v1/webhooks",
        owner=owner,
        json_body={"name": "down", "url": f"http://127.0.0.1:{free_port()}/hook", "events": hooks},
    )[2]
    try:
        # When a change is made
        server.request("POST", "/v1/conversations", owner=owner, json_body=server.conversation_body(owner))
        delivered = server.wait_for_output(f"webhook_id={answered['id']} attempt=1 ")
        failed = server.wait_for_output(f"webhook_id={refused['id']} attempt=1 ")
        retried = server.wait_for_output(f"webhook_id={refused['id']} attempt=2 ")
    finally:
        for webhook in (answered, refused):
            server.request("DELETE", f"/v1/webhooks/{webhook['id']}", owner=owner)
        receiver.close()

    # Then each attempt is one line: the delivery, and the failure with its reason
    assert re.match(
        r"^\d\d:\d\d:\d\d webhook delivery  event_id=\w+ webhook_id=\w+ attempt=1 outcome=delivered status=200$",
        delivered,
    )
    for line, attempt in ((failed, 1), (retried, 2)):
        assert line.startswith(f"{line[:8]} WARNING webhook delivery failed; will retry  event_id=")
        assert f"attempt={attempt} outcome=retry error=" in line
        assert "Connection refused" in line
    assert not any(line.startswith("{") for line in server.output)


def test_an_unknown_log_format_is_one_line_and_a_failing_exit() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "devtools.local_api"],
        cwd=ROOT, env={**SERVER_ENV, "LOCAL_LOG_FORMAT": "yaml"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [
        "make run: LOGS (LOCAL_LOG_FORMAT) must be text or json, not 'yaml'"
    ]
