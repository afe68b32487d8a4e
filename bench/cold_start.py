"""One cold start, in this fresh process: import the handler, serve one request, print the ms.

Run by bench/run.py as `python -m bench.cold_start ours|baseline ENDPOINT ENDPOINT_URL TABLE ID`.
Only stdlib modules are loaded before the clock starts, so both sides pay for their own imports.
"""

import importlib
import json
import sys
import time

from devtools.events import http_api_event, jwt_claims
from devtools.lambda_context import LocalLambdaContext

ROUTES = {
    "list": ("GET", "/v1/conversations", "functions.list_conversations.app", "", None),
    "create": (
        "POST",
        "/v1/conversations",
        "functions.create_conversation.app",
        "",
        b'{"contact_id": "WAz8eIbvDR60rouK"}',
    ),
    "retrieve": ("GET", "/v1/conversations/{id}", "functions.retrieve_conversation.app", "", None),
    "update": ("PUT", "/v1/conversations/{id}", "functions.update_conversation.app", "", b'{"is_muted": true}'),
    "delete": ("DELETE", "/v1/conversations/{id}", "functions.delete_conversation.app", "", None),
}


def main() -> None:
    side, endpoint, endpoint_url, table, conversation_id = sys.argv[1:6]
    method, path_template, module_name, raw_query, body = ROUTES[endpoint]
    path = path_template.replace("{id}", conversation_id)
    owner = "bench-owner"
    started = time.perf_counter()
    if side == "ours":
        handler = importlib.import_module(module_name).lambda_handler
        event = http_api_event(
            method,
            path,
            route_key=f"{method} {path_template.replace('{id}', '{conversation_id}')}",
            claims=jwt_claims(owner),
            raw_query=raw_query,
            headers={"content-type": "application/json"} if body else {},
            body=body,
            path_parameters={"conversation_id": conversation_id} if "{id}" in path_template else None,
        )
        status = handler(event, LocalLambdaContext(module_name))["statusCode"]
    else:
        from bench import baseline  # noqa: PLC0415 - its imports are what is measured

        status = baseline.handle(endpoint, baseline.make_client(endpoint_url), table, owner, conversation_id)[
            "statusCode"
        ]
    elapsed_ms = (time.perf_counter() - started) * 1000
    sys.stdout.write("\nCOLD_START " + json.dumps({"ms": elapsed_ms, "status": status}) + "\n")


if __name__ == "__main__":
    main()
