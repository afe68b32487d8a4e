"""Prints the API's OpenAPI document, merged from every function's Powertools resolver.

`make openapi` writes it to openapi.json; tests/infra/test_openapi.py fails when that file is stale.
"""

import copy
import importlib
import json
import sys
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Tag

from clarity.http.conditional import IF_MATCH_PATTERN
from clarity.http.openapi import TAG_DESCRIPTIONS
from devtools.openapi_webhooks import add_webhooks
from devtools.template import function_routes

TITLE = "Clarity Conversations API"
VERSION = "1.0.0"
DESCRIPTION = """\
Conversations between you, your contacts and groups, and the messages in them, over HTTP and JSON.

- **Conversations** hold the messages between you and a contact or a group: pin, mute and archive them.
- **Messages** are what conversations are made of: send, edit, react to, mark read and delete them.
- **Contacts** are the people you talk with: a unique username, a phone number, an avatar and the name
  you show them by. A contact has one conversation with you.
- **Groups** are contacts you talk with together: up to 100 members, in one conversation made with the
  group.
- **Attachments** are files: upload one (multipart, or straight to storage for a large one), then send
  it in a message; each answer carries a download link valid for an hour.
- **Webhooks** are URLs of yours that receive a signed POST for every change to your conversations,
  messages, contacts, groups and attachments; the events and their bodies are in the *Webhooks*
  section below.

**Authentication.** Every request carries `Authorization: Bearer <JWT>`. The token's `sub` owns what it
creates; another owner's objects do not exist for it (404). API Gateway answers a missing or bad token
with `401 {"message": "Unauthorized"}`.

**Bodies.** JSON, or form-encoded as the reference's `curl -d` sends them; at most 64 KB. An
attachment's upload is multipart/form-data, as `curl -F file=@invoice.pdf` sends it. A field the
request cannot write is a 400 that says so (`contact_id cannot be changed`); a name that is no field is
`Received unknown parameter: <name>`.

**Pagination.** Lists answer `{"has_more": ..., "data": [...]}`, newest first, 10 items unless `limit`
(1 to 100) says otherwise. For the next page send `starting_after=<last id of this page>`; for the
previous one, `ending_before=<first id of this page>`.

**Errors.** 4xx means the request was wrong, 5xx that the service failed. The body is
`{"type": "invalid_request" | "api_error", "message": "...", "documentation_url": "..."}`; the message
names the parameter at fault. A 503 carries `Retry-After`.

**Versions.** Each object carries an `ETag`; send it back in `If-Match` to update or delete
only the version you read (else 412). Creates take an `Idempotency-Key` to retry safely.
"""


# Which error statuses an operation can answer, beyond what every one can (400, 401, 500, 503).
# 405 is never reached through API Gateway, which answers 404 for a method it does not route.
BODY_STATUSES = ("413", "415")


def _error_statuses(method: str, path: str) -> set[str]:
    statuses = {"400", "401", "500", "503"}
    if "{" in path:
        statuses.add("404")
    if method in ("post", "put"):
        statuses.update(BODY_STATUSES)
    if method == "post":
        statuses.add("409")  # Idempotency-Key
    if method in ("put", "delete"):
        statuses.add("412")  # If-Match
    return statuses


def _header(description: str, pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    return {"description": description, "schema": schema}


def _declare_headers(method: str, path: str, responses: dict[str, Any]) -> None:
    """The headers the functions send, on the responses that carry them."""
    for status, response in responses.items():
        headers = {}
        if status in ("200", "201") and (method == "post" or "{" in path):
            headers["ETag"] = _header('The version of the object, e.g. "3": send it back in If-Match.', r'^"\d+"$')
        if status == "201":
            headers["Location"] = _header("The path of the object created.")
        elif status == "200" and method == "post":
            headers["Location"] = _header("The path of the object found (a repeat open).")
        if status == "503":
            headers["Retry-After"] = _header("Seconds to wait before retrying.", r"^\d+$")
        if headers:
            response["headers"] = headers


FORM_NOTE = (
    "The same fields form-encoded, as the API reference's curl examples send them: booleans as "
    "true/false/1/0, the literal null for null, reactions as repeated reactions[<name>][]=<who>."
)


def _form_schema(schema: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    """A schema of its own for the form body. Sharing the JSON body's made client generators
    send every body as a form, where a null cannot be written."""
    components = schema["components"]["schemas"]
    json_name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    form_name = json_name.removesuffix("Request") + "Form"
    components[form_name] = {**copy.deepcopy(components[json_name]), "title": form_name, "description": FORM_NOTE}
    return {"$ref": f"#/components/schemas/{form_name}"}


def _as_served(schema: dict[str, Any]) -> dict[str, Any]:
    """Document what the functions really do around Powertools' defaults.

    Validation errors are 400, not Powertools' raw 422; bodies may also be form-encoded
    (clarity.http.request_body turns them into JSON before validation); and API Gateway
    itself answers a bad token (401) or an unrouted path (404) with `{"message": ...}`.
    """
    schema.setdefault("components", {}).setdefault("schemas", {})["GatewayMessage"] = {
        "title": "GatewayMessage",
        "type": "object",
        "required": ["message"],
        "description": "API Gateway's own answer, before any function runs.",
        "properties": {"message": {"type": "string", "description": "Unauthorized, or Not Found."}},
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                # An optional parameter is absent or a string: never the JSON null `str | None` implies.
                options = parameter["schema"].get("anyOf", [])
                if {"type": "null"} in options and len(options) == 2:
                    parameter["schema"] = {**parameter["schema"], **next(o for o in options if o != {"type": "null"})}
                    parameter["schema"].pop("anyOf")
                if parameter["name"].lower() == "if-match":
                    # clarity.http.conditional takes only this; anything else is a 400.
                    parameter["schema"]["pattern"] = IF_MATCH_PATTERN
            responses = operation.get("responses", {})
            allowed = _error_statuses(method, path)
            for status in [s for s in responses if s >= "400" and s not in allowed]:
                responses.pop(status)
            _declare_headers(method, path, responses)
            if "204" in responses:
                responses["204"].pop("content", None)  # Powertools documents the `None` return as a body
            for status in ("401", "404"):
                body = responses.get(status, {}).get("content", {}).get("application/json")
                if body is not None:
                    body["schema"] = {"anyOf": [body["schema"], {"$ref": "#/components/schemas/GatewayMessage"}]}
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                content["application/x-www-form-urlencoded"] = {"schema": _form_schema(schema, content)}
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        components.pop(name, None)
    return schema


def _document_upload(schema: dict[str, Any], field: str) -> None:
    """An upload route's body: the file as multipart/form-data (what Swagger UI shows as a file
    picker and generated clients send as a file), or its JSON model. The route declares the JSON
    body optional only because a multipart request reaches it without one."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody")
            if body is None:
                continue
            content = body["content"]
            options = content["application/json"]["schema"].get("anyOf")
            if options:
                content["application/json"]["schema"] = next(o for o in options if o != {"type": "null"})
            body["required"] = True
            # A direct upload's answer carries its form; a file's is the plain object.
            answer = operation["responses"]["201"]["content"]["application/json"]
            answer["schema"] = {"anyOf": [answer["schema"], {"$ref": "#/components/schemas/Attachment"}]}
            content["multipart/form-data"] = {
                "schema": {
                    "type": "object",
                    "required": [field],
                    "properties": {
                        field: {"type": "string", "format": "binary", "description": "The file, as -F file=@<path>."}
                    },
                }
            }


class ComponentNameClash(ValueError):
    """Two models of one name: the merged document would keep one and describe the other wrongly."""


def check_component_names(seen: dict[str, Any], schemas: dict[str, Any], where: str) -> None:
    """Record `schemas` in `seen`, refusing a name that already stands for another schema."""
    for name, schema in schemas.items():
        if name in seen and seen[name] != schema:
            raise ComponentNameClash(f"two different models are named {name!r} (the second in {where}): rename one")
        seen[name] = schema


def openapi_document() -> dict[str, Any]:
    merge = OpenAPIMerge(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        security=[{"bearerAuth": []}],
        tags=[Tag(name=name, description=description) for name, description in TAG_DESCRIPTIONS.items()],
        on_conflict="error",
    )
    components: dict[str, Any] = {}
    for route in sorted(function_routes(), key=lambda r: (r.path, r.method)):
        module = importlib.import_module(route.module_name)
        resolver_schema = module.app.get_openapi_schema(title=TITLE, version=VERSION)
        dumped = resolver_schema.model_dump(mode="json", by_alias=True, exclude_none=True)
        if module.app.upload_field is not None:
            _document_upload(dumped, module.app.upload_field)
        check_component_names(components, dumped.get("components", {}).get("schemas", {}), route.module_name)
        merge.add_schema(dumped)
    document = _as_served(json.loads(merge.get_openapi_json_schema()))
    add_webhooks(document)
    return document


def main() -> None:
    sys.stdout.write(json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
