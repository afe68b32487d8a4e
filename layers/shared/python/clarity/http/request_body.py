"""Turns a request body, JSON or form-encoded, into canonical JSON before Powertools validates it.

Powertools binds pydantic models to JSON bodies only, and its JSON parser takes duplicate keys
and any depth. Doing both here, once, lets every route declare a plain pydantic body model.
A body that names one of the resource's read-only fields is refused here too, saying so.
"""

import base64
import binascii
import json
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin
from urllib.parse import parse_qsl

from pydantic import BaseModel

from clarity.core.errors import InvalidRequest, PayloadTooLarge, ReadOnlyField, UnsupportedMediaType
from clarity.http.auth import header_value

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 8
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
FORM_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
FORM_INTEGER = re.compile(r"-?[0-9]{1,20}")


def raw_body(event: dict[str, Any]) -> bytes:
    """The body as sent: API Gateway base64-encodes what is not text."""
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return body.encode("utf-8", errors="surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidRequest("the request body is not valid base64") from error


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise InvalidRequest(f"the JSON body sets '{key}' more than once", key)
        seen[key] = value
    return seen


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    return 0


def _parse_json(text: str) -> Any:
    try:
        document = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except RecursionError as error:
        raise InvalidRequest("the JSON body is nested too deeply") from error
    except json.JSONDecodeError as error:
        raise InvalidRequest(f"the body is not valid JSON: {error.msg} at position {error.pos}") from error
    except ValueError as error:
        # Python refuses to read an integer of more than 4,300 digits (a guard against slow parsing).
        raise InvalidRequest("the JSON body holds a number too long to read") from error
    if _depth(document) > MAX_JSON_DEPTH:
        raise InvalidRequest("the JSON body is nested too deeply")
    if not isinstance(document, dict):
        raise InvalidRequest("the JSON body must be an object")
    return document


def _accepts(annotation: Any, wanted: type) -> bool:
    if annotation is wanted:
        return True
    if get_origin(annotation) is Annotated:
        return _accepts(get_args(annotation)[0], wanted)
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_accepts(member, wanted) for member in get_args(annotation))
    return False


def _form_value(model: type[BaseModel], name: str, raw: str) -> Any:
    """A form field as the type its model field expects; anything unparseable stays a string."""
    if raw == "null":
        return None
    field = model.model_fields.get(name)
    if field is None:
        return raw
    if _accepts(field.annotation, bool) and raw.lower() in FORM_BOOLEANS:
        return FORM_BOOLEANS[raw.lower()]
    if _accepts(field.annotation, int) and FORM_INTEGER.fullmatch(raw):
        return int(raw)
    return raw


# Rails-style brackets, as the API reference's curl sends reactions: `reactions[name][]=who`
# appends to a list under a key, `attachments[]=x` to a list.
_BRACKETED = re.compile(r"(\w+)(?:\[([^\[\]]+)\])?\[\]")


def _parse_form(text: str, model: type[BaseModel]) -> dict[str, Any]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidRequest("the form body is not valid application/x-www-form-urlencoded") from error
    document: dict[str, Any] = {}
    bracketed: set[str] = set()
    for name, raw in pairs:
        found = _BRACKETED.fullmatch(name)
        if found is None:
            if "[" in name:
                raise InvalidRequest(f"the form field '{name[:64]}' is not supported; use name[] or name[key][]", name)
            if name in document:
                raise InvalidRequest(f"the form body sets '{name}' more than once", name)
            document[name] = _form_value(model, name, raw)
            continue
        field, key = found.group(1), found.group(2)
        if field in document and field not in bracketed:
            raise InvalidRequest(f"the form body sets '{field}' more than once", field)
        bracketed.add(field)
        if key is None:
            target = document.setdefault(field, [])
            if not isinstance(target, list):
                raise InvalidRequest(f"the form body mixes {field}[] with {field}[key][]", field)
            target.append(raw)
        else:
            mapping = document.setdefault(field, {})
            if not isinstance(mapping, dict):
                raise InvalidRequest(f"the form body mixes {field}[] with {field}[key][]", field)
            mapping.setdefault(key, []).append(raw)
    return document


def request_method(event: dict[str, Any]) -> str:
    return str(event.get("requestContext", {}).get("http", {}).get("method", "")).upper()


def read_only_fields(model: type[BaseModel]) -> frozenset[str]:
    """The resource's fields that `model` cannot write, as the resource's models module declares
    them in the model's `read_only_fields`."""
    declared: frozenset[str] = getattr(model, "read_only_fields", frozenset())
    return declared


def _refuse_read_only(document: dict[str, Any], model: type[BaseModel], method: str) -> None:
    # Before pydantic, which knows only the fields it accepts and would call these unknown.
    read_only = read_only_fields(model)
    for name in document:
        if name in read_only:
            raise ReadOnlyField(name, creating=method == "POST")


def canonical_body(event: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """The event with its body as a JSON object, or an error naming what is wrong with it."""
    raw = raw_body(event)
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the request body is larger than 64 KB ({MAX_BODY_BYTES} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidRequest("the request body is not valid UTF-8") from error
    if not text.strip():
        raise InvalidRequest("the request body is empty; send a JSON object or form fields")
    headers = event.get("headers") or {}
    media_type = header_value(headers, "content-type").split(";")[0].strip().lower()
    # A body without a Content-Type is read as JSON, the API's native format.
    if media_type in ("", JSON_TYPE):
        document = _parse_json(text)
    elif media_type == FORM_TYPE:
        document = _parse_form(text, model)
    else:
        raise UnsupportedMediaType(f"Content-Type '{media_type}' is not supported; use {JSON_TYPE} or {FORM_TYPE}")
    _refuse_read_only(document, model, request_method(event))
    other_headers = {key: value for key, value in headers.items() if key.lower() != "content-type"}
    return {
        **event,
        "body": json.dumps(document),
        "isBase64Encoded": False,
        "headers": {**other_headers, "content-type": JSON_TYPE},
    }
