"""API Gateway HTTP API (payload 2.0) events, as API Gateway builds them after its JWT authorizer."""

import base64
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

LOCAL_ACCOUNT = "123456789012"
LOCAL_API_ID = "local"


def jwt_claims(owner: str) -> dict[str, str]:
    """Claims as the HTTP API authorizer passes them on: every value a string."""
    now = int(time.time())
    return {
        "sub": owner,
        "iss": "http://127.0.0.1/local-issuer",
        "aud": "conversations-local",
        "iat": str(now),
        "exp": str(now + 3600),
    }


def _query_parameters(raw_query: str) -> dict[str, str] | None:
    # API Gateway joins repeated query parameters with commas.
    parameters: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        parameters[name] = f"{parameters[name]},{value}" if name in parameters else value
    return parameters or None


def http_api_event(
    method: str,
    path: str,
    *,
    route_key: str,
    claims: dict[str, str] | None,
    raw_query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    path_parameters: dict[str, str] | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    headers = {name.lower(): value for name, value in (headers or {}).items()}
    request_context: dict[str, Any] = {
        "accountId": LOCAL_ACCOUNT,
        "apiId": LOCAL_API_ID,
        "domainName": "localhost",
        "domainPrefix": "localhost",
        "http": {
            "method": method.upper(),
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
        "timeEpoch": int(time.time() * 1000),
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": request_context,
        "isBase64Encoded": False,
    }
    query = _query_parameters(raw_query)
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        text = _as_text(body) if _passed_as_text(headers.get("content-type")) else None
        if text is not None:
            event["body"] = text
        else:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    return event


def _as_text(body: bytes) -> str | None:
    """The body as text, or None if it is not UTF-8 (then it goes base64-encoded, whole)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


# HTTP APIs pass these bodies as text and base64-encode every other one, multipart forms, form
# fields and a body without a Content-Type included (measured against AWS: ministack PR #766).
TEXT_MEDIA_TYPES = frozenset({"application/json", "application/xml", "application/javascript"})


def _passed_as_text(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or media_type in TEXT_MEDIA_TYPES
