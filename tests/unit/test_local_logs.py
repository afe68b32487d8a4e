"""`make run`'s text output: request lines, and the functions' stdout sorted and rewritten."""

import io
import logging
import threading
import uuid
from contextlib import redirect_stdout

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from devtools.local_logs import FunctionOutput, info_shown, log_format, request_line, request_records

CONVERSATION = "/v1/conversations/1xZaKfdAbnML7pjE"


class Shown:
    """FunctionOutput over an in-memory terminal, and a Powertools Logger writing to it at INFO."""

    def __init__(self) -> None:
        self.terminal = io.StringIO()
        self.lines: list[tuple[int, str]] = []
        self.output = FunctionOutput(self.terminal, lambda level, text: self.lines.append((level, text)))
        # A service of its own: Powertools keeps the first handler given for a service name.
        self.logger = Logger(
            service=f"local-logs-{uuid.uuid4().hex}", level="INFO", logger_handler=logging.StreamHandler(self.output)
        )


@pytest.fixture
def shown() -> Shown:
    return Shown()


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (201, {"Location": CONVERSATION}, b"{}", f"POST /v1/conversations 201 12 ms  -> {CONVERSATION}"),
        (200, {"location": CONVERSATION}, b"{}", f"POST /v1/conversations 200 12 ms  -> {CONVERSATION}"),
        (200, {}, b'{"data": []}', "POST /v1/conversations 200 12 ms"),
        (
            400,
            {},
            b'{"type":"invalid_request","message":"Missing required parameter: contact_id"}',
            "POST /v1/conversations 400 12 ms  invalid_request: Missing required parameter: contact_id",
        ),
        (401, {}, b'{"message":"Unauthorized"}', "POST /v1/conversations 401 12 ms  Unauthorized"),
        (502, {}, b"<html>bad gateway</html>", "POST /v1/conversations 502 12 ms"),
    ],
)
def test_a_request_line_names_the_request_its_status_and_what_came_of_it(
    status: int, headers: dict[str, str], body: bytes, expected: str
) -> None:
    assert request_line("POST", "/v1/conversations", status, 12.4, headers, body) == expected


def test_a_request_line_keeps_the_query() -> None:
    line = request_line("GET", "/v1/conversations?limit=0", 400, 3, {}, b'{"type":"invalid_request","message":"x"}')

    assert line.startswith("GET /v1/conversations?limit=0 400 3 ms")


def test_info_records_and_metrics_are_left_out_warnings_and_errors_shown_readably(shown: Shown) -> None:
    # Given a function's INFO record, EMF metrics, a warning with fields, and an exception
    shown.logger.info("change event", extra={"event_id": "e1"})
    with redirect_stdout(shown.output), single_metric(name="ColdStart", unit=MetricUnit.Count, value=1, namespace="T"):
        pass
    shown.logger.warning("webhook delivery failed; will retry", extra={"attempt": 2, "error": "refused here"})
    try:
        raise KeyError("missing")
    except KeyError:
        shown.logger.exception("unhandled error")

    # Then only the warning and the error are shown: as text, the error with its traceback
    assert [level for level, _ in shown.lines] == [logging.WARNING, logging.ERROR]
    assert shown.lines[0][1] == 'WARNING webhook delivery failed; will retry  attempt=2 error="refused here"'
    error = shown.lines[1][1].splitlines()
    assert error[0] == "ERROR unhandled error"
    assert error[1] == "    Traceback (most recent call last):"
    assert error[-1] == "    KeyError: 'missing'"
    assert shown.terminal.getvalue() == ""


def test_other_output_reaches_the_terminal_as_it_is(shown: Shown) -> None:
    print("Clarity Conversations API on http://127.0.0.1:3000\nCtrl-C stops it.", file=shown.output)
    print('{"not": "a log record"}', file=shown.output)

    assert (
        shown.terminal.getvalue()
        == 'Clarity Conversations API on http://127.0.0.1:3000\nCtrl-C stops it.\n{"not": "a log record"}\n'
    )
    assert shown.lines == []


def test_info_is_shown_for_the_functions_that_ask_for_it(shown: Shown) -> None:
    def deliver() -> None:
        shown.logger.info("webhook delivery", extra={"attempt": 1, "status": 200})

    info_shown(deliver)()
    shown.logger.info("change event")

    assert shown.lines == [(logging.INFO, "webhook delivery  attempt=1 status=200")]


def test_a_requests_records_are_collected_for_its_line_not_shown_alone(shown: Shown) -> None:
    with request_records() as records:
        shown.logger.info("not for the request line")
        shown.logger.warning("DynamoDB unavailable")
    shown.logger.warning("after the request")

    assert records == ["WARNING DynamoDB unavailable"]
    assert shown.lines == [(logging.WARNING, "WARNING after the request")]


def test_lines_written_in_pieces_by_two_threads_are_put_together_per_thread(shown: Shown) -> None:
    # print() writes a line and its newline apart: another thread may write in between.
    shown.output.write('{"_aws": {}, "Metric"')
    other = threading.Thread(target=lambda: shown.output.write("from another thread\n"))
    other.start()
    other.join()
    shown.output.write(": [1.0]}\n")

    assert shown.terminal.getvalue() == "from another thread\n"


@pytest.mark.parametrize(("setting", "chosen"), [(None, "text"), ("", "text"), ("json", "json"), (" JSON ", "json")])
def test_the_log_format_setting(setting: str | None, chosen: str) -> None:
    assert log_format(setting) == chosen


def test_an_unknown_log_format_is_one_line_and_a_failing_exit() -> None:
    with pytest.raises(SystemExit) as exited:
        log_format("xml")

    assert exited.value.code == "make run: LOGS (LOCAL_LOG_FORMAT) must be text or json, not 'xml'"
