"""What `make run` prints: one readable line a request, or the functions' JSON as Lambda sends it.

LOCAL_LOG_FORMAT (`make run LOGS=...`) picks one:

- `text`, the default: one line a request,

      21:04:05 POST /v1/conversations 201 9 ms  -> /v1/conversations/1xZaKfdAbnML7pjE
      21:04:05 GET /v1/conversations?limit=0 400 3 ms  invalid_request: Invalid limit: ...

  with, indented under it, any warning or error the function logged meanwhile (a 500's
  traceback among them); one line a webhook delivery attempt; and any other warning or error
  from the functions. Their other records and their CloudWatch metrics (EMF) are left out.
- `json`: the functions' output as it reaches CloudWatch Logs on AWS (Powertools' JSON
  records, one EMF line an invocation), with the same request lines.

The functions run unchanged: in text mode the local server rewrites what they write to stdout,
where Powertools' Logger and Metrics both write.
"""

import io
import json
import logging
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TextIO, TypeVar

LOG_FORMAT_ENV = "LOCAL_LOG_FORMAT"
TEXT = "text"
JSON = "json"
INDENT = "    "

# What Powertools' Logger adds to every record; the rest is what the function logged.
POWERTOOLS_KEYS = frozenset(
    {
        "level",
        "location",
        "message",
        "timestamp",
        "service",
        "sampling_rate",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "correlation_id",
        "xray_trace_id",
        "exception",
        "exception_name",
        "exception_notes",
        "stack_trace",
    }
)

# The records of the request being served on this thread, printed under its line.
_request_records: ContextVar[list[str] | None] = ContextVar("request_records", default=None)
# Whether INFO records are shown on this thread: only while a delivery function runs.
_info_shown: ContextVar[bool] = ContextVar("info_shown", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def log_format(setting: str | None) -> str:
    """The chosen format; a value that is neither is one line on stderr and exit status 1."""
    chosen = (setting or TEXT).strip().lower()
    if chosen not in (TEXT, JSON):
        sys.exit(f"make run: LOGS ({LOG_FORMAT_ENV}) must be {TEXT} or {JSON}, not {setting!r}")
    return chosen


def _json_object(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _field(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return json.dumps(text) if not text or any(c.isspace() for c in text) else text


def _indented(text: str) -> str:
    return "\n".join(INDENT + line for line in text.splitlines())


def render_record(record: Mapping[str, Any]) -> str:
    """A Powertools JSON record as text: level (unless INFO), message, the logged fields, traceback."""
    level = str(record.get("level", "INFO"))
    message = record.get("message", "")
    words = [] if level == "INFO" else [level]
    words.append(message if isinstance(message, str) else json.dumps(message))
    fields = " ".join(f"{k}={_field(v)}" for k, v in record.items() if k not in POWERTOOLS_KEYS and v not in (None, ""))
    text = f"{' '.join(words)}  {fields}" if fields else " ".join(words)
    if record.get("exception"):
        text += "\n" + _indented(str(record["exception"]))
    return text


def _error_detail(body: bytes) -> str:
    error = _json_object(body.decode("utf-8", "replace"))
    if error is None or "message" not in error:
        return ""
    return f"{error['type']}: {error['message']}" if error.get("type") else str(error["message"])


def request_line(
    method: str, target: str, status: int, elapsed_ms: float, headers: Mapping[str, str], body: bytes
) -> str:
    """`METHOD TARGET STATUS N ms`, then the error's type and message, or where a 201 put its resource."""
    line = f"{method} {target} {status} {elapsed_ms:.0f} ms"
    if status >= 400:
        detail = _error_detail(body)
    else:
        location = next((value for name, value in headers.items() if name.lower() == "location"), "")
        detail = f"-> {location}" if location else ""
    return f"{line}  {detail}" if detail else line


def with_records(line: str, records: list[str]) -> str:
    return "\n".join([line, *(_indented(record) for record in records)])


@contextmanager
def request_records() -> Iterator[list[str]]:
    """Collect the warnings and errors the functions log on this thread until the block ends."""
    records: list[str] = []
    token = _request_records.set(records)
    try:
        yield records
    finally:
        _request_records.reset(token)


def info_shown(handler: Callable[P, R]) -> Callable[P, R]:
    """The handler, with its INFO records shown in text mode: the delivery function logs one an attempt."""

    def shown(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _info_shown.set(True)
        try:
            return handler(*args, **kwargs)
        finally:
            _info_shown.reset(token)

    return shown


class FunctionOutput(io.TextIOBase):
    """stdout in text mode. A line that is a Powertools record is rendered (or left out, by its
    level); an EMF metrics line is left out; any other line goes to the terminal as it is."""

    def __init__(self, terminal: TextIO, show: Callable[[int, str], None]) -> None:
        super().__init__()
        self._terminal = terminal
        self._show = show
        self._partial = threading.local()

    @property
    def encoding(self) -> str:  # type: ignore[override]  # read-only in io.TextIOBase itself
        return self._terminal.encoding

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._terminal.isatty()

    def write(self, text: str) -> int:
        # print() writes the text and its newline separately, and threads write at once:
        # lines are put together per thread.
        *lines, rest = (getattr(self._partial, "text", "") + text).split("\n")
        self._partial.text = rest
        for line in lines:
            self._line(line)
        return len(text)

    def flush(self) -> None:
        self._terminal.flush()

    def _line(self, line: str) -> None:
        record = _json_object(line)
        if record is None or not ("_aws" in record or "level" in record):
            self._terminal.write(line + "\n")
            self._terminal.flush()
            return
        if "_aws" in record:
            return  # CloudWatch metrics (EMF): what they count is in the request lines
        level = logging.getLevelName(str(record["level"]).upper())
        level = level if isinstance(level, int) else logging.WARNING
        if level < (logging.INFO if _info_shown.get() else logging.WARNING):
            return
        collected = _request_records.get()
        if collected is not None:
            collected.append(render_record(record))
        else:
            self._show(level, render_record(record))


def install(chosen: str) -> None:
    """In text mode, put FunctionOutput in place of stdout. Before any function is imported:
    Powertools' Logger writes to the stream stdout was when the Logger was made."""
    if chosen == TEXT:
        sys.stdout = FunctionOutput(sys.stdout, logging.getLogger("functions").log)
