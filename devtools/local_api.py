"""`make run`: the whole API on one machine, with no AWS account and no Docker.

It stands in for API Gateway (routes from template.yaml, the JWT authorizer, payload 2.0
events), for Lambda (each function's real handler, in process, with its environment and a
context), and for DynamoDB (moto's server, in memory, with the template's table), unless
DYNAMODB_ENDPOINT_URL names another DynamoDB-compatible server.

It prints one line a request (`POST /v1/messages 201 12 ms  -> /v1/messages/...`, or the error's
type and message), the functions' warnings and errors readably, and one line a webhook delivery
attempt. `make run LOGS=json` (LOCAL_LOG_FORMAT=json) prints the functions' Powertools JSON
records and EMF metrics instead, as Lambda would: see devtools/local_logs.py.
"""

import base64
import json
import logging
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import boto3

from clarity.core.errors import Unauthenticated
from clarity.core.settings import ERRORS_DOCUMENTATION_VARIABLE, current_settings
from clarity.http.auth import bearer_token
from clarity.wiring import build_services, use_services
from devtools import local_logs
from devtools.errors_page import errors_page_url
from devtools.local_issuer import LocalIssuer
from devtools.reference_page import DOCS_PATH, reference_answer
from devtools.routing import Router, invoke
from devtools.template import (
    DEAD_LETTER_QUEUE_RESOURCE,
    DELIVERY_QUEUE_RESOURCE,
    create_bucket,
    create_tables,
    function_environment,
    import_function,
)
from devtools.webhook_pipeline import LocalPipeline, create_queues, moto_stream_trimmer

DEFAULT_PORT = 3000
MAX_PORT = 65535
DEFAULT_TABLE = "conversations-local"
LOCAL_REGION = "us-east-1"
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's own payload limit
MAX_LINE_BYTES = 65537
FROZEN_CLOCK_VARIABLE = "LOCAL_FROZEN_CLOCK"

log = logging.getLogger("local-api")


# Local runs deliver webhooks to this machine only, and retry within seconds, not a day.
LOCAL_WEBHOOK_SETTINGS = {
    "WEBHOOK_DESTINATIONS": "loopback",
    "WEBHOOK_RETRY_BASE_SECONDS": "1",
    "WEBHOOK_RETRY_CAP_SECONDS": "2",
}


def local_function_environment(
    table_name: str,
    endpoint_url: str,
    queue_urls: dict[str, str] | None = None,
    port: int | None = None,
    s3_endpoint_url: str | None = None,
) -> dict[str, str]:
    """The functions' environment from template.yaml, pointed at the local DynamoDB (and SQS),
    at the local S3 (`s3_endpoint_url`, by default the DynamoDB's server: moto's serves both),
    and, given the server's port, at the errors page it serves."""
    errors_page = {ERRORS_DOCUMENTATION_VARIABLE: errors_page_url(port)} if port is not None else {}
    return {
        **function_environment(table_name, queue_urls),
        **LOCAL_WEBHOOK_SETTINGS,
        "DYNAMODB_ENDPOINT_URL": endpoint_url,
        "SQS_ENDPOINT_URL": endpoint_url if queue_urls else "",
        "S3_ENDPOINT_URL": s3_endpoint_url or endpoint_url,
        "AWS_REGION": LOCAL_REGION,
        "AWS_DEFAULT_REGION": LOCAL_REGION,
        **errors_page,
    }


def start_webhook_pipeline(
    endpoint_url: str, table_name: str, port: int | None = None, functions_lock: "threading.Lock | None" = None
) -> LocalPipeline:
    """Queues on the embedded server, the functions' environment pointed at them, and the
    pipeline running: the stream to WebhookEventsFunction, the queue to WebhookDeliveryFunction."""
    sqs = boto3.client("sqs", region_name=LOCAL_REGION, endpoint_url=endpoint_url)
    queue_url, dead_letter_url = create_queues(sqs, table_name)
    os.environ.update(
        local_function_environment(
            table_name,
            endpoint_url,
            {DELIVERY_QUEUE_RESOURCE: queue_url, DEAD_LETTER_QUEUE_RESOURCE: dead_letter_url},
            port,
        )
    )
    pipeline = LocalPipeline(
        dynamodb=boto3.client("dynamodb", region_name=LOCAL_REGION, endpoint_url=endpoint_url),
        streams=boto3.client("dynamodbstreams", region_name=LOCAL_REGION, endpoint_url=endpoint_url),
        sqs=sqs,
        table_name=table_name,
        queue_url=queue_url,
        delivery_handler=local_logs.info_shown(import_function("WebhookDeliveryFunction")),
        trim=moto_stream_trimmer(table_name, LOCAL_REGION),  # the embedded server runs in this process
        read_lock=functions_lock,  # no stream read while a function's transaction may be undone
    )
    pipeline.start()
    return pipeline


def start_moto_server() -> tuple[str, Callable[[], None]]:
    """moto's server on a loopback port, in memory: DynamoDB, its stream, SQS and S3."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - a local-only dependency

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return f"http://{host}:{port}", server.stop


class LocalGateway:
    """API Gateway's part: route, authorize, build the event, call the function, answer."""

    def __init__(self, router: Router, issuer: LocalIssuer, invoke_lock: "threading.Lock | None" = None) -> None:
        self.router = router
        self.issuer = issuer
        # Powertools keeps the current event on the resolver class, and a Lambda container
        # serves one request at a time: so do the functions here.
        self._invoke_lock = invoke_lock or threading.Lock()

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(target)
        page = reference_answer(method, url.path)
        if page is not None:
            return page
        # API Gateway routes first, then authorizes: an unknown route is a 404 even without a token.
        match = self.router.match(method, url.path)
        if match is None:
            return _gateway_message(HTTPStatus.NOT_FOUND, "Not Found")
        claims = self._authorize(headers)
        if claims is None:
            return _gateway_message(HTTPStatus.UNAUTHORIZED, "Unauthorized")
        with self._invoke_lock:
            result = invoke(self.router, match, claims=claims, raw_query=url.query, headers=headers, body=body)
        payload = result.get("body") or ""
        raw = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode("utf-8")
        return int(result["statusCode"]), {k: str(v) for k, v in (result.get("headers") or {}).items()}, raw

    def _authorize(self, headers: dict[str, str]) -> dict[str, str] | None:
        try:
            claims = self.issuer.verify(bearer_token(headers))
        except Unauthenticated:
            return None
        # The HTTP API authorizer hands claims on as strings.
        return {name: value if isinstance(value, str) else json.dumps(value) for name, value in claims.items()}


class LocalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # The stdlib's backlog of 5 refuses bursts of concurrent clients; API Gateway does not.
    request_queue_size = 256


def _gateway_message(status: HTTPStatus, message: str) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"Content-Type": "application/json"},
        json.dumps({"message": message}, separators=(",", ":")).encode(),
    )


class RequestBodyError(Exception):
    """A body the gateway refuses before any function sees it."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _read_chunked(stream: Any) -> bytes:
    """A chunked body (RFC 9112, section 7.1), trailers skipped, within API Gateway's size limit."""
    chunks: list[bytes] = []
    total = 0
    while True:
        size_field = stream.readline(MAX_LINE_BYTES).split(b";", 1)[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError as error:
            raise RequestBodyError(HTTPStatus.BAD_REQUEST, "Bad Request") from error
        if size == 0:
            while stream.readline(MAX_LINE_BYTES) not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        total += size
        if total > MAX_REQUEST_BYTES:
            raise RequestBodyError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large")
        chunks.append(stream.read(size))
        stream.readline(MAX_LINE_BYTES)  # the CRLF that ends the chunk


def _request_handler(gateway: LocalGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "clarity-local-api"

        def _serve(self) -> None:
            started = time.perf_counter()
            records: list[str] = []
            try:
                request_body = self._read_body()
            except RequestBodyError as error:
                status, headers, body = _gateway_message(error.status, error.message)
                # What is left of a body it could not read must not be taken for the next request.
                self.close_connection = True
            else:
                request_headers = {name: value for name, value in self.headers.items()}
                with local_logs.request_records() as records:
                    status, headers, body = gateway.handle(self.command, self.path, request_headers, request_body)
            elapsed_ms = (time.perf_counter() - started) * 1000
            line = local_logs.request_line(self.command, self.path, status, elapsed_ms, headers, body)
            # Before the answer: a client that has its answer finds the request's line printed.
            log.info("%s", local_logs.with_records(line, records))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _read_body(self) -> bytes:
            """The request body, sized by Content-Length or sent in chunks (Transfer-Encoding)."""
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                return _read_chunked(self.rfile)
            declared = self.headers.get("Content-Length") or "0"
            if not declared.isdigit():
                raise RequestBodyError(HTTPStatus.BAD_REQUEST, "Bad Request")
            if int(declared) > MAX_REQUEST_BYTES:
                raise RequestBodyError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large")
            return self.rfile.read(int(declared)) if int(declared) else b""

        def __getattr__(self, name: str) -> Any:
            # Every method (GET, TRACE, QUERY, ...) reaches the router, which answers 404 for
            # what the template does not route, as API Gateway does; never the stdlib's 501.
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """Silenced: _serve logs one line per request instead."""

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - overrides the stdlib's name
            # What is left reaching here is a request the stdlib refused before _serve (a bad request line).
            log.warning("%s", format % args)

    return Handler


def listen(port_setting: str) -> LocalHTTPServer:
    """The server's socket, bound before anything else starts: a bad PORT or a port in use is
    one line on stderr and exit status 1, not a traceback."""
    if not port_setting.isdigit() or int(port_setting) > MAX_PORT:
        sys.exit(f"make run: PORT must be a number from 0 to {MAX_PORT}, not {port_setting!r}")
    try:
        # The request handler comes once the functions are loaded (serve).
        return LocalHTTPServer(("127.0.0.1", int(port_setting)), BaseHTTPRequestHandler)
    except OSError as error:
        sys.exit(f"make run: cannot listen on 127.0.0.1:{port_setting}: {error.strerror or error}")


def freeze_clock_if_asked() -> None:
    """With LOCAL_FROZEN_CLOCK=<unix time>, every function's clock stands still at that moment:
    the tests show that creates made one after another keep their order within one second, or
    one millisecond, of a clock that does not move."""
    frozen = os.environ.get(FROZEN_CLOCK_VARIABLE)
    if not frozen:
        return
    try:
        moment = float(frozen)
    except ValueError:
        sys.exit(f"make run: {FROZEN_CLOCK_VARIABLE} must be a Unix time in seconds, got {frozen!r}")
    use_services(build_services(current_settings(), clock=lambda: moment))


def serve(server: LocalHTTPServer, table_name: str, endpoint_url: str | None) -> None:
    # moto's server always runs: S3 (attachments' files) is there even when DynamoDB is not.
    moto_url, stop_moto = start_moto_server()
    embedded = endpoint_url is None
    if endpoint_url is None:
        endpoint_url = moto_url
        where = f"embedded DynamoDB (moto, in memory) at {endpoint_url}"
    else:
        where = f"DynamoDB at {endpoint_url}"
    port = int(server.server_address[1])
    os.environ.update(local_function_environment(table_name, endpoint_url, port=port, s3_endpoint_url=moto_url))
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    create_tables(boto3.client("dynamodb", region_name=LOCAL_REGION, endpoint_url=endpoint_url), table_name)
    bucket = create_bucket(boto3.client("s3", region_name=LOCAL_REGION, endpoint_url=moto_url), table_name)
    # One function runs at a time, and the pipeline reads the stream only between them.
    functions_lock = threading.Lock()
    pipeline: LocalPipeline | None = None
    if embedded:
        pipeline = start_webhook_pipeline(endpoint_url, table_name, port, functions_lock)
        webhooks = "webhooks: on (delivered to 127.0.0.1 / ::1 only; make listen prints them)"
    else:
        webhooks = "webhooks: off (they need the embedded DynamoDB's stream and queues)"

    freeze_clock_if_asked()
    issuer = LocalIssuer()
    router = Router()
    for route in router.routes:
        router.handler(route)  # import every function now, as Lambda's init would, not on first request
    server.RequestHandlerClass = _request_handler(LocalGateway(router, issuer, functions_lock))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    token = issuer.token("alice")
    print(  # noqa: T201 - the banner is for the person who ran `make run`
        f"Clarity Conversations API on {url}  ({where}, table {table_name})\n"
        f"Attachments' files: S3 (moto, in memory) at {moto_url}, bucket {bucket}\n"
        f"API reference (Swagger UI, Try it out): {url}{DOCS_PATH}\n"
        f"{webhooks}\n"
        f"Token for owner 'alice' (make token SUB=... for others):\n{token}\n\n"
        "Try (a conversation is with one of your contacts: add one, then open a conversation with its id):\n"
        f'  curl {url}/v1/contacts -H "Authorization: Bearer {token}" -d username=KevinMcCallister '
        "-d phone_number=1-800-759-3000\n"
        f'  curl {url}/v1/conversations -H "Authorization: Bearer {token}" -d contact_id=<its id>\n'
        "Ctrl-C stops it.",
        flush=True,
    )

    def stop(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if pipeline is not None:
            pipeline.stop()
        stop_moto()
        print("Stopped.", flush=True)  # noqa: T201


def main() -> None:
    # First: the functions' Logger keeps the stdout it finds when they are imported.
    local_logs.install(local_logs.log_format(os.environ.get(local_logs.LOG_FORMAT_ENV)))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr)
    # One line per request is ours to print; moto's web server and botocore stay quiet.
    for noisy in ("werkzeug", "botocore", "boto3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    serve(
        listen(os.environ.get("PORT") or str(DEFAULT_PORT)),
        table_name=os.environ.get("TABLE_NAME") or DEFAULT_TABLE,
        endpoint_url=os.environ.get("DYNAMODB_ENDPOINT_URL") or None,
    )


if __name__ == "__main__":
    main()
