"""One cold start, in this fresh process: import the handler, serve one request, print the ms.

Run by bench/run.py as `python -m bench.cold_start ours|floor|baseline ENDPOINT ENDPOINT_URL TABLE
OWNER CONVERSATION_ID MESSAGE_ID WEBHOOK_ID`:
our function's handler module, the required stack alone (bench/floor.py), or the bare baseline.
Only stdlib modules are loaded before the clock starts, so both sides pay for their own imports.
"""

import importlib
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

from devtools.events import http_api_event, jwt_claims
from devtools.lambda_context import LocalLambdaContext


@dataclass(frozen=True)
class Endpoint:
    """One endpoint as the benchmarks call it: its request, and the handler module serving it."""

    method: str
    route_path: str
    module_name: str
    # Body and query may name {conversation_id}; the path names its own parameter.
    body: str | None = None
    raw_query: str = ""

    def event(self, owner: str, conversation_id: str, message_id: str, webhook_id: str = "") -> dict[str, Any]:
        """The API Gateway event for this endpoint's request, as the HTTP API would send it."""
        ids = {"conversation_id": conversation_id, "message_id": message_id, "webhook_id": webhook_id}
        parameters = {name: value for name, value in ids.items() if f"{{{name}}}" in self.route_path}
        path = self.route_path
        for name, value in parameters.items():
            path = path.replace(f"{{{name}}}", value)
        body = self.body.replace("{conversation_id}", conversation_id).encode() if self.body else None
        return http_api_event(
            self.method,
            path,
            route_key=f"{self.method} {self.route_path}",
            claims=jwt_claims(owner),
            raw_query=self.raw_query.replace("{conversation_id}", conversation_id),
            headers={"content-type": "application/json"} if body else {},
            body=body,
            path_parameters=parameters or None,
        )


ITEM_PATH = "/v1/conversations/{conversation_id}"
MESSAGE_PATH = "/v1/messages/{message_id}"
WEBHOOK_PATH = "/v1/webhooks/{webhook_id}"
# Local runs allow loopback destinations only, so registering this URL needs no DNS lookup.
WEBHOOK_BODY = '{"name": "bench", "url": "http://127.0.0.1:9/hook", "events": ["*"]}'
ROUTES = {
    "list": Endpoint("GET", "/v1/conversations", "functions.list_conversations.app", raw_query="limit=10"),
    "create": Endpoint(
        "POST", "/v1/conversations", "functions.create_conversation.app", '{"contact_id": "WAz8eIbvDR60rouK"}'
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
}


def main() -> None:
    side, endpoint, endpoint_url, table, owner, conversation_id, message_id, webhook_id = sys.argv[1:9]
    target = ROUTES[endpoint]
    started = time.perf_counter()
    if side in ("ours", "floor"):
        handler = importlib.import_module(target.module_name if side == "ours" else "bench.floor").lambda_handler
        event = target.event(owner, conversation_id, message_id, webhook_id)
        status = handler(event, LocalLambdaContext(target.module_name))["statusCode"]
    else:
        from bench import baseline  # noqa: PLC0415 - its imports are what is measured

        client = baseline.make_client(endpoint_url)
        answer = baseline.handle(endpoint, client, table, owner, conversation_id, message_id, webhook_id)
        status = answer["statusCode"]
    elapsed_ms = (time.perf_counter() - started) * 1000
    sys.stdout.write("\nCOLD_START " + json.dumps({"ms": elapsed_ms, "status": status}) + "\n")


if __name__ == "__main__":
    main()
