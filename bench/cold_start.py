"""One cold start, in this fresh process: import the handler, serve one request, print the ms.

Run by bench/run.py as `python -m bench.cold_start ours|floor|baseline FUNCTION ENDPOINT_URL TABLE
OWNER CONVERSATION_ID MESSAGE_ID WEBHOOK_ID CONTACT_ID GROUP_ID ATTACHMENT_ID`: our function's handler module, the
required stack alone (bench/floor.py, bench/floor_worker.py), or the bare baseline. Only stdlib
modules are loaded before the clock starts, so each side pays for its own imports.
"""

import importlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.events import http_api_event, jwt_claims
from devtools.lambda_context import LocalLambdaContext


@dataclass(frozen=True)
class Ids:
    """Whom one request is for and which resources it names (a function uses those it needs)."""

    owner: str
    conversation_id: str
    message_id: str
    webhook_id: str = ""
    contact_id: str = ""
    group_id: str = ""
    attachment_id: str = ""

    def arguments(self) -> list[str]:
        """As a fresh process's command line takes them (`main`)."""
        return [
            self.owner,
            self.conversation_id,
            self.message_id,
            self.webhook_id,
            self.contact_id,
            self.group_id,
            self.attachment_id,
        ]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint as the benchmarks call it: its request, and the handler module serving it."""

    method: str
    route_path: str
    module_name: str
    # Body and query may name {conversation_id}, a body also {contact_id}; the path names its own parameter.
    body: str | None = None
    raw_query: str = ""
    content_type: str = "application/json"
    floor_module = "bench.floor"

    @staticmethod
    def status(response: dict[str, Any]) -> int:
        return int(response["statusCode"])

    def form(self) -> tuple[bytes, str] | None:
        """An upload's body and its Content-Type, as the baseline reads them; None for JSON."""
        if self.body is None or not self.content_type.startswith("multipart/"):
            return None
        return self.body.encode(), self.content_type

    def event(self, ids: Ids) -> dict[str, Any]:
        """The API Gateway event for this endpoint's request, as the HTTP API would send it."""
        named = {
            "conversation_id": ids.conversation_id,
            "message_id": ids.message_id,
            "webhook_id": ids.webhook_id,
            "contact_id": ids.contact_id,
            "group_id": ids.group_id,
            "attachment_id": ids.attachment_id,
        }
        parameters = {name: value for name, value in named.items() if f"{{{name}}}" in self.route_path}
        path = self.route_path
        for name, value in parameters.items():
            path = path.replace(f"{{{name}}}", value)
        body = None
        if self.body:
            body = self.body.replace("{conversation_id}", ids.conversation_id).replace("{contact_id}", ids.contact_id)
        return http_api_event(
            self.method,
            path,
            route_key=f"{self.method} {self.route_path}",
            claims=jwt_claims(ids.owner),
            raw_query=self.raw_query.replace("{conversation_id}", ids.conversation_id),
            headers={"content-type": self.content_type} if body else {},
            body=body.encode() if body else None,
            path_parameters=parameters or None,
        )


ITEM_PATH = "/v1/conversations/{conversation_id}"
MESSAGE_PATH = "/v1/messages/{message_id}"
WEBHOOK_PATH = "/v1/webhooks/{webhook_id}"
CONTACT_PATH = "/v1/contacts/{contact_id}"
GROUP_PATH = "/v1/groups/{group_id}"
ATTACHMENT_PATH = "/v1/attachments/{attachment_id}"
# An upload as `curl -F file=@invoice.pdf` sends it: one file part, bench/baseline.py's
# UPLOAD_CONTENT (tests/integration/test_bench_baseline.py holds the stored bytes equal).
UPLOAD_BOUNDARY = "------------------------clarityBench01"
UPLOAD_BODY = (
    f"--{UPLOAD_BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="file"; filename="invoice.pdf"\r\n'
    "Content-Type: application/pdf\r\n\r\n" + "%PDF" * 256 + f"\r\n--{UPLOAD_BOUNDARY}--\r\n"
)
# Local runs allow loopback destinations only, so registering this URL needs no DNS lookup.
WEBHOOK_BODY = '{"name": "bench", "url": "http://127.0.0.1:9/hook", "events": ["*"]}'
ROUTES = {
    "list": Endpoint("GET", "/v1/conversations", "functions.list_conversations.app", raw_query="limit=10"),
    "create": Endpoint(
        "POST", "/v1/conversations", "functions.create_conversation.app", '{"contact_id": "{contact_id}"}'
    ),
    "retrieve": Endpoint("GET", ITEM_PATH, "functions.retrieve_conversation.app"),
    "update": Endpoint("PUT", ITEM_PATH, "functions.update_conversation.app", '{"is_muted": true}'),
    "delete": Endpoint("DELETE", ITEM_PATH, "functions.delete_conversation.app"),
    "list_messages": Endpoint(
        "GET", "/v1/messages", "functions.list_messages.app", raw_query="conversation_id={conversation_id}&limit=10"
    ),
    "send": Endpoint(
        "POST",
        "/v1/messages",
        "functions.create_message.app",
        '{"conversation_id": "{conversation_id}", "message": "hi"}',
    ),
    "retrieve_message": Endpoint("GET", MESSAGE_PATH, "functions.retrieve_message.app"),
    "update_message": Endpoint("PUT", MESSAGE_PATH, "functions.update_message.app", '{"reactions": {"+1": ["kevin"]}}'),
    "delete_message": Endpoint("DELETE", MESSAGE_PATH, "functions.delete_message.app"),
    "list_webhooks": Endpoint("GET", "/v1/webhooks", "functions.list_webhooks.app", raw_query="limit=10"),
    "create_webhook": Endpoint("POST", "/v1/webhooks", "functions.create_webhook.app", WEBHOOK_BODY),
    "retrieve_webhook": Endpoint("GET", WEBHOOK_PATH, "functions.retrieve_webhook.app"),
    "delete_webhook": Endpoint("DELETE", WEBHOOK_PATH, "functions.delete_webhook.app"),
    "list_contacts": Endpoint("GET", "/v1/contacts", "functions.list_contacts.app", raw_query="limit=10"),
    # Usernames are unique per owner: each create is handed a fresh id to make its own from, as
    # the baseline does (bench/baseline.py: bench_username; tests/integration/test_bench_baseline.py
    # holds these bodies and the baseline's items equal).
    "create_contact": Endpoint(
        "POST",
        "/v1/contacts",
        "functions.create_contact.app",
        '{"username": "bench-{contact_id}", "phone_number": "1-800-759-3000"}',
    ),
    "retrieve_contact": Endpoint("GET", CONTACT_PATH, "functions.retrieve_contact.app"),
    "update_contact": Endpoint("PUT", CONTACT_PATH, "functions.update_contact.app", '{"display_name": "Uncle Frank"}'),
    "delete_contact": Endpoint("DELETE", CONTACT_PATH, "functions.delete_contact.app"),
    "list_groups": Endpoint("GET", "/v1/groups", "functions.list_groups.app", raw_query="limit=10"),
    # The bench's groups have one member, the bench's contact: each read of a group reads it too.
    "create_group": Endpoint(
        "POST", "/v1/groups", "functions.create_group.app", '{"name": "Plaza Hotel", "contacts": ["{contact_id}"]}'
    ),
    "retrieve_group": Endpoint("GET", GROUP_PATH, "functions.retrieve_group.app"),
    "update_group": Endpoint("PUT", GROUP_PATH, "functions.update_group.app", '{"name": "The Plaza"}'),
    "delete_group": Endpoint("DELETE", GROUP_PATH, "functions.delete_group.app"),
    # The bench's attachment is uploaded: every answer carries a presigned download link.
    "create_attachment": Endpoint(
        "POST",
        "/v1/attachments",
        "functions.create_attachment.app",
        UPLOAD_BODY,
        content_type=f"multipart/form-data; boundary={UPLOAD_BOUNDARY}",
    ),
    "list_attachments": Endpoint("GET", "/v1/attachments", "functions.list_attachments.app", raw_query="limit=10"),
    "retrieve_attachment": Endpoint("GET", ATTACHMENT_PATH, "functions.retrieve_attachment.app"),
    "update_attachment": Endpoint(
        "PUT", ATTACHMENT_PATH, "functions.update_attachment.app", '{"filename": "invoice-2.pdf"}'
    ),
    "delete_attachment": Endpoint("DELETE", ATTACHMENT_PATH, "functions.delete_attachment.app"),
}


EVENTS = Path(__file__).resolve().parent.parent / "events"
# What the committed `sam local` events of the workers name, replaced by the bench's own data.
EVENT_NAMES = {"owner": "alice", "conversation_id": "xgQQXg3hrtjh7AvZ", "webhook_id": "1vNYyuXVqC00YPDd"}


@dataclass(frozen=True)
class Worker:
    """A function fed by an event source (the table's stream, the delivery queue): one batch of
    one record, from its committed `sam local` event, re-addressed to the bench's data."""

    event_file: str
    module_name: str
    floor_module: str = "bench.floor_worker"

    def event(self, ids: Ids) -> dict[str, Any]:
        """The worker's record names an owner, a conversation and a webhook; no message, contact or group."""
        text = (EVENTS / self.event_file).read_text(encoding="utf-8")
        for name, committed in EVENT_NAMES.items():
            text = text.replace(committed, getattr(ids, name))
        event: dict[str, Any] = json.loads(text)
        return event

    @staticmethod
    def status(response: dict[str, Any]) -> int:
        """200 when every record was handled, 500 when a record failed (it would be retried)."""
        return 500 if response.get("batchItemFailures") else 200


WORKERS = {
    "webhook_events": Worker("webhook_events.json", "functions.webhook_events.app"),
    "webhook_delivery": Worker("webhook_delivery.json", "functions.webhook_delivery.app"),
    # Fed by the hourly schedule: its floor is Logger and Metrics alone (no batch to process).
    "attachment_sweep": Worker("attachment_sweep.json", "functions.attachment_sweep.app", "bench.floor_sweep"),
}
# Every function: the endpoints behind the API, then the workers behind the webhooks.
FUNCTIONS: dict[str, Endpoint | Worker] = {**ROUTES, **WORKERS}
# Functions that load exactly the modules another loads (the same resource's models, service and
# repository; tests/integration/test_bench_sampling.py holds it) and differ from it only in the
# one request they serve: a resource's item endpoints and its create, after its retrieve (not a
# contact's create, which alone loads the phone-number library; not the lists, which load no
# conditional-request code). Both cold-start parts
# of `make bench`, the two that grow with every function, sample each of them in fewer fresh
# processes and containers than the function whose code path it shares (BENCHMARKS.md: what that
# costs in precision, and in time).
SHARES_CODE_PATH_WITH = {
    "create": "retrieve",
    "update": "retrieve",
    "delete": "retrieve",
    "send": "retrieve_message",
    "update_message": "retrieve_message",
    "delete_message": "retrieve_message",
    "create_webhook": "retrieve_webhook",
    "delete_webhook": "retrieve_webhook",
    "update_contact": "retrieve_contact",
    "delete_contact": "retrieve_contact",
    "create_group": "retrieve_group",
    "update_group": "retrieve_group",
    "delete_group": "retrieve_group",
    "update_attachment": "retrieve_attachment",
    "delete_attachment": "retrieve_attachment",
}
SHARED_CODE_PATH_RUNS = 5


def runs_for(name: str, runs: int) -> int:
    """How many cold starts a side of `name` is sampled in: `runs`, or fewer where it shares the
    code path of a function sampled in `runs`."""
    return min(runs, SHARED_CODE_PATH_RUNS) if name in SHARES_CODE_PATH_WITH else runs


def main() -> None:
    side, name, endpoint_url, table = sys.argv[1:5]
    ids = Ids(*sys.argv[5:12])
    target = FUNCTIONS[name]
    event = target.event(ids)
    started = time.perf_counter()
    if side in ("ours", "floor"):
        module_name = target.module_name if side == "ours" else target.floor_module
        handler = importlib.import_module(module_name).lambda_handler
        status = target.status(handler(event, LocalLambdaContext(target.module_name)))
    else:
        from bench import baseline  # noqa: PLC0415 - its imports are what is measured

        client = baseline.make_client(endpoint_url)
        if name in WORKERS:
            queue = baseline.make_client(endpoint_url, "sqs") if name == "webhook_events" else None
            answer = baseline.handle_worker(name, event, client, queue, table, os.environ.get("WEBHOOK_QUEUE_URL", ""))
        else:
            named = (ids.conversation_id, ids.message_id, ids.webhook_id, ids.contact_id)
            files = None
            if name in baseline.ATTACHMENT_ENDPOINTS:  # only attachments make an S3 client, as ours
                files = baseline.make_client(os.environ.get("S3_ENDPOINT_URL") or None, "s3")
            answer = baseline.handle(
                name, client, table, ids.owner, *named, group_id=ids.group_id,
                attachment_id=ids.attachment_id, s3=files, bucket=os.environ.get("ATTACHMENTS_BUCKET", ""),
                form=target.form() if isinstance(target, Endpoint) else None,
            )  # fmt: skip
        status = target.status(answer)
    elapsed_ms = (time.perf_counter() - started) * 1000
    sys.stdout.write("\nCOLD_START " + json.dumps({"ms": elapsed_ms, "status": status}) + "\n")


if __name__ == "__main__":
    main()
