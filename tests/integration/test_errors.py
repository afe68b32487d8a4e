"""Every error status the API answers with, in the API's error format, naming what was wrong."""

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support import SETTINGS, ApiClient

CONVERSATIONS = "/v1/conversations"


def assert_error(
    response: Any,
    status: int,
    *words: str,
    kind: str = "invalid_request",
    documentation_url: str = SETTINGS.errors_documentation_url,
) -> None:
    assert response.status == status, response.text
    body = response.json()
    assert body == {"type": kind, "message": body["message"], "documentation_url": documentation_url}
    for word in words:
        assert word in body["message"], body["message"]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1" + "0" * 30}, "limit"),
        ({"limit": "2.5"}, "limit"),
        ({"muted": "yes"}, "muted"),
        ({"archived": ""}, "archived"),
        ({"pinned": "TRUEISH"}, "pinned"),
        ({"group_id": "short"}, "group_id"),
        ({"group_id": "abc#OWNER#bob000"}, "group_id"),
        ({"starting_after": "not-an-id"}, "starting_after"),
        ({"ending_before": "x" * 17}, "ending_before"),
        ({"limit": "10.0"}, "limit"),
        ({"limit": " 5"}, "limit"),
        ({"limit": "+5"}, "limit"),
        ({"limit": "\uff15"}, "limit"),  # a full-width digit five
        ({"muted": "TRUE"}, "muted"),
        ({"archived": "False"}, "archived"),
    ],
)
def test_list_rejects_bad_parameters(api: ApiClient, query: dict[str, str], param: str) -> None:
    assert_error(api.request("GET", CONVERSATIONS, query=query), 400, param)


@pytest.mark.parametrize("path", [CONVERSATIONS, "/v1/messages"])
@pytest.mark.parametrize(
    "query",
    [
        "limit=1&limit=2",
        "muted=true&muted=true",
        "limit=5&starting_after=A000000000000001&starting_after=A000000000000002",
    ],
)
def test_a_repeated_parameter_is_named_as_repeated(api: ApiClient, path: str, query: str) -> None:
    # Repetition is checked first, so `muted` on messages (unknown there) is named as repeated too.
    name = next(n for n in ("starting_after", "muted", "limit") if query.count(n + "=") > 1)

    assert_error(api.request("GET", path, query=query), 400, f"Received the parameter {name} more than once")


@pytest.mark.parametrize("unknown", ["mutted", "page", "LIMIT", "owner"])
def test_list_rejects_unknown_parameters_by_name(api: ApiClient, unknown: str) -> None:
    # A misspelt filter must not quietly return every conversation.
    response = api.request("GET", CONVERSATIONS, query={"limit": "5", unknown: "true"})

    assert_error(response, 400, f"Received unknown parameter: {unknown}")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_single_conversation_routes_take_no_query_parameters(api: ApiClient, method: str) -> None:
    conversation_id = api.create()["id"]

    response = api.request(
        method, f"{CONVERSATIONS}/{conversation_id}", query={"expand": "1"}, json_body={"is_muted": True}
    )

    assert_error(response, 400, "Received unknown parameter: expand")
    assert api.request("GET", f"{CONVERSATIONS}/{conversation_id}").json()["is_muted"] is False


def test_create_takes_no_query_parameters(api: ApiClient) -> None:
    response = api.request("POST", CONVERSATIONS, query={"contact_id": "WAz8eIbvDR60rouK"}, json_body={})

    assert_error(response, 400, "Received unknown parameter: contact_id")
    assert api.request("GET", CONVERSATIONS).json()["data"] == []


def test_every_declared_list_parameter_is_accepted(api: ApiClient) -> None:
    cursor = api.create()["id"]
    query = {"limit": "5", "muted": "false", "archived": "false", "pinned": "false", "group_id": "G" * 16}

    for extra in ({}, {"starting_after": cursor}, {"ending_before": cursor}):
        assert api.request("GET", CONVERSATIONS, query={**query, **extra}).status == 200


def test_list_rejects_both_cursors(api: ApiClient) -> None:
    cursor = api.create()["id"]

    response = api.request("GET", CONVERSATIONS, query={"starting_after": cursor, "ending_before": cursor})

    assert_error(response, 400, "starting_after", "ending_before")


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "contact_id or group_id"),
        ({"contact_id": None, "group_id": None}, "contact_id"),
        ({"contact_id": 12345}, "contact_id"),
        ({"contact_id": "short"}, "contact_id"),
        ({"group_id": "a#b"}, "group_id"),
        ({"contact_id": "WAz8eIbvDR60rouK", "is_muted": True}, "is_muted"),
        ({"contact_id": ["WAz8eIbvDR60rouK"]}, "contact_id"),
        # Well formed, but no contact of the caller's: a made-up id names nothing.
        ({"contact_id": "WAz8eIbvDR60rouK"}, "contact_id 'WAz8eIbvDR60rouK' is not one of your contacts"),
        ({"group_id": "WAz8eIbvDR60rouK"}, "group_id 'WAz8eIbvDR60rouK' is not one of your groups"),
    ],
)
def test_create_rejects_bad_bodies(api: ApiClient, body: dict[str, Any], param: str) -> None:
    assert_error(api.request("POST", CONVERSATIONS, json_body=body), 400, param)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"is_muted": "true"}, "is_muted"),
        ({"is_muted": 1}, "is_muted"),
        ({"is_pinned": None}, "is_pinned"),
        ({"archived_at": "705103200"}, "archived_at"),
        ({"archived_at": -1}, "archived_at"),
        ({"archived_at": 4_102_444_801}, "archived_at"),
        ({"archived_at": 1.5}, "archived_at"),
        ({"pinned_message_id": "nope"}, "pinned_message_id"),
        ({"contact_id": "WAz8eIbvDR60rouK"}, "contact_id"),
        ({"id": "WAz8eIbvDR60rouK"}, "id"),
        ({"created_at": 1}, "created_at"),
        ({}, "at least one"),
    ],
)
def test_update_rejects_bad_bodies(api: ApiClient, body: dict[str, Any], param: str) -> None:
    conversation_id = api.create()["id"]

    assert_error(api.request("PUT", f"{CONVERSATIONS}/{conversation_id}", json_body=body), 400, param)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"{not json", ("not valid JSON",)),
        (b"[]", ("must be an object",)),
        (b'"text"', ("must be an object",)),
        (b'{"is_muted": true, "is_muted": false}', ("is_muted", "more than once")),
        (b"[" * 5000 + b"]" * 5000, ("nested too deeply",)),
        (b'{"a":' * 20 + b"1" + b"}" * 20, ("nested too deeply",)),
        (b"\xff\xfe", ("UTF-8",)),
        (b"   ", ("empty",)),
    ],
)
def test_update_rejects_broken_json(api: ApiClient, raw: bytes, words: tuple[str, ...]) -> None:
    conversation_id = api.create()["id"]

    response = api.request(
        "PUT", f"{CONVERSATIONS}/{conversation_id}", body=raw, headers={"content-type": "application/json"}
    )

    assert_error(response, 400, *words)


def test_empty_put_body_is_400(api: ApiClient) -> None:
    conversation_id = api.create()["id"]

    assert_error(api.request("PUT", f"{CONVERSATIONS}/{conversation_id}"), 400, "empty")


def test_form_rejects_repeated_fields_and_bad_values(api: ApiClient) -> None:
    conversation_id = api.create()["id"]
    path = f"{CONVERSATIONS}/{conversation_id}"
    form = {"content-type": "application/x-www-form-urlencoded"}

    assert_error(api.request("PUT", path, body=b"is_muted=true&is_muted=false", headers=form), 400, "is_muted")
    assert_error(api.request("PUT", path, form={"is_muted": "maybe"}), 400, "is_muted")
    assert_error(api.request("PUT", path, form={"archived_at": "soon"}), 400, "archived_at")
    assert_error(api.request("PUT", path, form={"color": "blue"}), 400, "color")


def test_body_without_content_type_is_read_as_json(api: ApiClient) -> None:
    contact_id = api.new_contact()["id"]
    response = api.request("POST", CONVERSATIONS, body=json.dumps({"contact_id": contact_id}).encode())

    assert response.status == 201


def test_base64_encoded_body_is_decoded(api: ApiClient) -> None:
    contact_id = api.new_contact()["id"]
    raw = base64.b64decode(base64.b64encode(f"contact_id={contact_id}".encode()))
    form = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}

    assert api.request("POST", CONVERSATIONS, body=raw, headers=form).status == 201


def test_missing_identity_is_401_before_anything_else(api: ApiClient) -> None:
    # Even an invalid body gets 401 first: nothing is parsed or read for an unknown caller.
    for method, path in [("GET", CONVERSATIONS), ("POST", CONVERSATIONS), ("GET", f"{CONVERSATIONS}/x")]:
        assert_error(api.request(method, path, owner=None, body=b"{bad"), 401, "identity")


def test_empty_sub_is_401(api: ApiClient) -> None:
    assert_error(api.request("GET", CONVERSATIONS, owner=""), 401)


@pytest.mark.parametrize("conversation_id", ["DoesNotExist0000", "short", "abc#OWNER#bob"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_or_malformed_ids_are_404(api: ApiClient, method: str, conversation_id: str) -> None:
    body = {"is_muted": True} if method == "PUT" else None

    assert_error(api.request(method, f"{CONVERSATIONS}/{conversation_id}", json_body=body), 404)


def test_body_over_64_kb_is_413(api: ApiClient) -> None:
    huge = json.dumps({"contact_id": "x" * (65 * 1024)}).encode()

    assert_error(api.request("POST", CONVERSATIONS, body=huge), 413, "64")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x"])
def test_other_content_types_are_415(api: ApiClient, content_type: str) -> None:
    response = api.request("POST", CONVERSATIONS, body=b"contact_id", headers={"content-type": content_type})

    assert_error(response, 415, content_type.split(";", maxsplit=1)[0])


def test_a_function_given_another_method_answers_405(api_and_table: tuple[ApiClient, Any]) -> None:
    from devtools.events import http_api_event, jwt_claims  # noqa: PLC0415
    from devtools.lambda_context import LocalLambdaContext  # noqa: PLC0415
    from devtools.routing import Router  # noqa: PLC0415

    router = Router()
    list_route = router.match("GET", CONVERSATIONS)
    assert list_route is not None
    event = http_api_event("PATCH", CONVERSATIONS, route_key="PATCH /v1/conversations", claims=jwt_claims("alice"))

    result = router.handler(list_route.route)(event, LocalLambdaContext("ListConversationsFunction"))

    assert result["statusCode"] == 405
    assert result["headers"]["Allow"] == "GET"
    assert json.loads(result["body"])["type"] == "invalid_request"


def test_unrouted_path_inside_a_function_is_404(api_and_table: tuple[ApiClient, Any]) -> None:
    from devtools.events import http_api_event, jwt_claims  # noqa: PLC0415
    from devtools.lambda_context import LocalLambdaContext  # noqa: PLC0415
    from devtools.routing import Router  # noqa: PLC0415

    router = Router()
    list_route = router.match("GET", CONVERSATIONS)
    assert list_route is not None
    event = http_api_event("GET", "/v2/other", route_key="GET /v2/other", claims=jwt_claims("alice"))

    result = router.handler(list_route.route)(event, LocalLambdaContext("ListConversationsFunction"))

    assert result["statusCode"] == 404
    assert "Unrecognized request URL" in json.loads(result["body"])["message"]


def _fail_with(monkeypatch: pytest.MonkeyPatch, client: Any, operation: str, error: Exception) -> None:
    def failing(**_: Any) -> Any:
        raise error

    monkeypatch.setattr(client, operation, failing)


def test_dynamodb_throttling_is_503_with_retry_after(
    api_and_table: tuple[ApiClient, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, client = api_and_table
    throttled = ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "Query")
    _fail_with(monkeypatch, client, "query", throttled)

    response = api.request("GET", CONVERSATIONS)

    assert_error(response, 503, kind="api_error")
    assert response.header("Retry-After") == "1"
    assert "Throughput" not in response.text


def test_unexpected_failure_is_500_without_internals(
    api_and_table: tuple[ApiClient, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, client = api_and_table
    contact_id = api.new_contact()["id"]
    _fail_with(monkeypatch, client, "transact_write_items", RuntimeError("secret internals /var/task/app.py"))

    response = api.request("POST", CONVERSATIONS, json_body={"contact_id": contact_id})

    assert_error(response, 500, kind="api_error")
    assert "secret" not in response.text
    assert "Traceback" not in response.text


def test_missing_table_setting_is_500_naming_nothing_internal(monkeypatch: pytest.MonkeyPatch) -> None:
    from clarity.wiring import use_services  # noqa: PLC0415
    from devtools.routing import Router  # noqa: PLC0415

    monkeypatch.delenv("TABLE_NAME")
    monkeypatch.setenv("ERRORS_DOCUMENTATION_URL", "https://docs.example.com/errors")
    use_services(None)
    api = ApiClient(Router())

    # The settings cannot load, yet the error still links the configured page.
    response = api.request("GET", CONVERSATIONS)
    assert_error(response, 500, kind="api_error", documentation_url="https://docs.example.com/errors")
