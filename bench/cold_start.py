"""One cold start, in this fresh process: import the handler, serve one request, print the ms.

Run by bench/run.py as `python -m bench.cold_start ours|floor|baseline ENDPOINT ENDPOINT_URL TABLE ID`:
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
    body: bytes | None = None
    raw_query: str = ""

    def event(self, owner: str, conversation_id: str) -> dict[str, Any]:
        """The API Gateway event for this endpoint's request, as the HTTP API would send it."""
        has_id = "{conversation_id}" in self.route_path
        return http_api_event(
            self.method,
            self.route_path.replace("{conversation_id}", conversation_id),
            route_key=f"{self.method} {self.route_path}",
            claims=jwt_claims(owner),
            raw_query=self.raw_query,
            headers={"content-type": "application/json"} if self.body else {},
            body=self.body,
            path_parameters={"conversation_id": conversation_id} if has_id else None,
        )


ITEM_PATH = "/v1/conversations/{conversation_id}"
ROUTES = {
    "list": Endpoint("GET", "/v1/conversations", "functions.list_conversations.app", raw_query="limit=10"),
    "create": Endpoint(
        "POST", "/v1/conversations", "functions.create_conversation.app", b'{"contact_id": "WAz8eIbvDR60rouK"}'
    ),
    "retrieve": Endpoint("GET", ITEM_PATH, "functions.retrieve_conversation.app"),
    "update": Endpoint("PUT", ITEM_PATH, "functions.update_conversation.app", b'{"is_muted": true}'),
    "delete": Endpoint("DELETE", ITEM_PATH, "functions.delete_conversation.app"),
}


def main() -> None:
    side, endpoint, endpoint_url, table, conversation_id = sys.argv[1:6]
    target = ROUTES[endpoint]
    owner = "bench-owner"
    started = time.perf_counter()
    if side in ("ours", "floor"):
        handler = importlib.import_module(target.module_name if side == "ours" else "bench.floor").lambda_handler
        status = handler(target.event(owner, conversation_id), LocalLambdaContext(target.module_name))["statusCode"]
    else:
        from bench import baseline  # noqa: PLC0415 - its imports are what is measured

        status = baseline.handle(endpoint, baseline.make_client(endpoint_url), table, owner, conversation_id)[
            "statusCode"
        ]
    elapsed_ms = (time.perf_counter() - started) * 1000
    sys.stdout.write("\nCOLD_START " + json.dumps({"ms": elapsed_ms, "status": status}) + "\n")


if __name__ == "__main__":
    main()
