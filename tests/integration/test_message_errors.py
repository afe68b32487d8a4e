"""Every error status of every message endpoint, in the API's error format, naming what was wrong."""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.test_errors import assert_error
from tests.support import ApiClient

MESSAGES = "/v1/messages"


@pytest.fixture
def conversation_id(api: ApiClient) -> str:
    return str(api.create()["id"])


@pytest.fixture
def message_path(api: ApiClient, conversation_id: str) -> str:
    return f"{MESSAGES}/{api.send(conversation_id)['id']}"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"message": "hi"}, "conversation_id"),
        ({"conversation_id": "CONV"}, "message"),
        ({"conversation_id": "CONV", "message": ""}, "message"),
        ({"conversation_id": "CONV", "message": " \n\t "}, "message"),
        ({"conversation_id": "CONV", "message": "x" * 4001}, "message"),
        ({"conversation_id": "CONV", "message": 42}, "message"),
        ({"conversation_id": "CONV", "message": None}, "message"),
        ({"conversation_id": "CONV", "message": "\ud800"}, "message"),
        ({"conversation_id": "short", "message": "hi"}, "conversation_id"),
        ({"conversation_id": "CONV", "message": "hi", "contact_id": "no#such"}, "contact_id"),
        ({"conversation_id": "CONV", "message": "hi", "attachments": [{"url": "x"}]}, "attachments"),
        ({"conversation_id": "CONV", "message": "hi", "attachments": "none"}, "attachments"),
        ({"conversation_id": "CONV", "message": "hi", "reactions": []}, "reactions"),
        ({"conversation_id": "CONV", "message": "hi", "read_at": 1}, "read_at"),
    ],
)
def test_send_rejects_bad_bodies(api: ApiClient, conversation_id: str, body: dict[str, Any], param: str) -> None:
    body = {name: conversation_id if value == "CONV" else value for name, value in body.items()}

    assert_error(api.request("POST", MESSAGES, json_body=body), 400, param)
    assert api.request("GET", MESSAGES).json()["data"] == []


def test_send_takes_4000_characters_exactly(api: ApiClient, conversation_id: str) -> None:
    assert api.send(conversation_id, "é" * 4000)["message"] == "é" * 4000


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "at least one"),
        ({"message": None}, "message"),
        ({"message": ""}, "message"),
        ({"reactions": None}, "reactions"),
        ({"reactions": "smile"}, "reactions"),
        ({"reactions": [{"Smile": ["a"]}]}, "reactions"),
        ({"reactions": [{"smile": ["a"], "frown": ["b"]}]}, "reactions"),
        ({"reactions": [{"smile": []}]}, "reactions"),
        ({"reactions": [{"smile": ["a", "a"]}]}, "reactions"),
        ({"reactions": [{"smile": ["a"]}, {"smile": ["b"]}]}, "reactions"),
        ({"reactions": [{"smile": ["\u0007bell"]}]}, "reactions"),
        ({"reactions": [{"smile": ["x" * 65]}]}, "reactions"),
        ({"reactions": [{"x" * 65: ["a"]}]}, "reactions"),
        ({"reactions": [{f"r{n}": ["a"]} for n in range(51)]}, "reactions"),
        ({"reactions": [{"smile": [f"p{n}" for n in range(101)]}]}, "reactions"),
        ({"attachments": [{"url": "x"}]}, "attachments"),
        ({"attachments": None}, "attachments"),
        ({"read_at": -1}, "read_at"),
        ({"read_at": "now"}, "read_at"),
        ({"conversation_id": "WAz8eIbvDR60rouK"}, "conversation_id"),
        ({"contact": {"id": "x"}}, "contact"),
        ({"updated_at": 1}, "updated_at"),
    ],
)
def test_update_rejects_bad_bodies(api: ApiClient, message_path: str, body: dict[str, Any], param: str) -> None:
    assert_error(api.request("PUT", message_path, json_body=body), 400, param)
    assert api.request("GET", message_path).header("ETag") == '"1"'


def test_reaction_limits_are_inclusive(api: ApiClient, message_path: str) -> None:
    reactions = [{f"r{n}": [f"p{k}" for k in range(100)]} for n in range(50)]

    response = api.request("PUT", message_path, json_body={"reactions": reactions})

    assert response.status == 200
    assert len(response.json()["reactions"]) == 50


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"conversation_id": "short"}, "conversation_id"),
        ({"conversation_id": "abc#OWNER#bob000"}, "conversation_id"),
        ({"starting_after": "bad"}, "starting_after"),
        ({"ending_before": "x" * 17}, "ending_before"),
        ({"starting_after": "A000000000000001", "ending_before": "A000000000000002"}, "starting_after"),
        ({"muted": "true"}, "Received unknown parameter: muted"),
    ],
)
def test_list_rejects_bad_parameters(api: ApiClient, query: dict[str, str], param: str) -> None:
    assert_error(api.request("GET", MESSAGES, query=query), 400, param)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("message_id", ["DoesNotExist0000", "short", "abc#OWNER#bob"])
def test_unknown_or_malformed_message_ids_are_404(api: ApiClient, method: str, message_id: str) -> None:
    body = {"message": "x"} if method == "PUT" else None

    response = api.request(method, f"{MESSAGES}/{message_id}", json_body=body)

    # `#` ends the path for the router, so that one is an unknown URL: a 404 all the same.
    assert_error(response, 404, "Unrecognized request URL" if "#" in message_id else "No such message")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", MESSAGES), ("POST", MESSAGES), ("GET", "MSG"), ("PUT", "MSG"), ("DELETE", "MSG")],
)
def test_every_message_endpoint_needs_an_identity(api: ApiClient, message_path: str, method: str, path: str) -> None:
    path = message_path if path == "MSG" else path

    assert_error(api.request(method, path, owner=None, json_body={"message": "x"}), 401)


def test_an_idempotency_key_reused_with_another_body_is_409(api: ApiClient, conversation_id: str) -> None:
    key = {"Idempotency-Key": "send-once"}
    first = api.request("POST", MESSAGES, json_body={"conversation_id": conversation_id, "message": "a"}, headers=key)
    again = api.request("POST", MESSAGES, json_body={"conversation_id": conversation_id, "message": "a"}, headers=key)
    other = api.request("POST", MESSAGES, json_body={"conversation_id": conversation_id, "message": "b"}, headers=key)

    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    assert again.header("ETag") == first.header("ETag")
    assert_error(other, 409, "same parameters")
    assert len(api.request("GET", MESSAGES).json()["data"]) == 1


def test_a_conversation_idempotency_key_does_not_answer_a_send(api: ApiClient, conversation_id: str) -> None:
    key = {"Idempotency-Key": "shared-key"}
    api.request("POST", "/v1/conversations", json_body={"contact_id": "WAz8eIbvDR60rouK"}, headers=key)

    sent = api.request("POST", MESSAGES, json_body={"conversation_id": conversation_id, "message": "a"}, headers=key)

    assert sent.status == 201
    assert sent.json()["message"] == "a"


def test_stale_if_match_is_412_on_put_and_delete(api: ApiClient, message_path: str) -> None:
    api.request("PUT", message_path, json_body={"read_at": 1})

    assert_error(api.request("PUT", message_path, json_body={"read_at": 2}, headers={"If-Match": '"1"'}), 412)
    assert_error(api.request("DELETE", message_path, headers={"If-Match": '"1"'}), 412)
    # An update that changes nothing stored still honours If-Match
    assert_error(api.request("PUT", message_path, json_body={"attachments": []}, headers={"If-Match": '"1"'}), 412)


@pytest.mark.parametrize(("method", "path"), [("POST", MESSAGES), ("PUT", "MSG")])
def test_bodies_over_64_kb_are_413_and_other_types_415(
    api: ApiClient, message_path: str, method: str, path: str
) -> None:
    path = message_path if path == "MSG" else path
    huge = json.dumps({"message": "x" * (65 * 1024)}).encode()

    assert_error(api.request(method, path, body=huge), 413, "64")
    assert_error(api.request(method, path, body=b"message=x", headers={"content-type": "text/plain"}), 415)


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("GET", MESSAGES, "query"),
        ("POST", MESSAGES, "transact_write_items"),
        ("GET", "MSG", "get_item"),
        ("PUT", "MSG", "update_item"),
        ("DELETE", "MSG", "transact_write_items"),
    ],
)
def test_dynamodb_throttling_is_503_on_every_message_endpoint(
    api_and_table: tuple[ApiClient, Any],
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    operation: str,
) -> None:
    api, client = api_and_table
    conversation_id = api.create()["id"]
    path = f"{MESSAGES}/{api.send(conversation_id)['id']}" if path == "MSG" else path
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, operation)

    def failing(**_: Any) -> Any:
        raise throttled

    monkeypatch.setattr(client, operation, failing)
    body = {"conversation_id": conversation_id, "message": "x"} if method == "POST" else {"message": "x"}

    response = api.request(method, path, json_body=body if method in ("POST", "PUT") else None)

    assert_error(response, 503, kind="api_error")
    assert response.header("Retry-After") == "1"


def test_a_message_function_given_another_method_answers_405(api: ApiClient) -> None:
    from devtools.events import http_api_event, jwt_claims  # noqa: PLC0415
    from devtools.lambda_context import LocalLambdaContext  # noqa: PLC0415
    from devtools.routing import Router  # noqa: PLC0415

    router = Router()
    route = router.match("GET", f"{MESSAGES}/A000000000000001")
    assert route is not None
    event = http_api_event(
        "PATCH", f"{MESSAGES}/A000000000000001", route_key="PATCH /v1/messages/{message_id}", claims=jwt_claims("a")
    )

    result = router.handler(route.route)(event, LocalLambdaContext("RetrieveMessageFunction"))

    assert result["statusCode"] == 405
    assert result["headers"]["Allow"] == "GET"


def test_an_unexpected_failure_in_a_send_is_500_without_internals(
    api_and_table: tuple[ApiClient, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, client = api_and_table
    conversation_id = api.create()["id"]

    def failing(**_: Any) -> Any:
        raise RuntimeError("secret internals /var/task/app.py")

    monkeypatch.setattr(client, "transact_write_items", failing)

    response = api.request("POST", MESSAGES, json_body={"conversation_id": conversation_id, "message": "x"})

    assert_error(response, 500, kind="api_error")
    assert "secret" not in response.text
