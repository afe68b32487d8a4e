"""Each function's role allows exactly the DynamoDB actions its code calls, and no more.

The calls are not listed by hand: every function runs its scenarios against a moto client that
records each operation, and the template's policy must equal what was recorded.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from clarity.store import keys
from devtools.routing import Router
from devtools.template import function_routes, load_template
from tests.support import SETTINGS, TABLE_NAME, ApiClient, installed_services, moto_table

TRANSACTION_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Delete": "DeleteItem",
    "Update": "UpdateItem",
    "ConditionCheck": "ConditionCheckItem",
}

# IAM has no action for a transaction as a whole: its item actions above govern it.
TRANSACTION_OPERATIONS = {"TransactWriteItems", "TransactGetItems"}

# Powertools' idempotency utility documents these as what its DynamoDB store needs.
IDEMPOTENCY_ACTIONS = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}


class RecordingClient:
    def __init__(self, client: Any) -> None:
        self._client = client
        self.actions_by_table: dict[str, set[str]] = {}
        self.used_index = False

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        operation = self._client.meta.method_to_api_mapping.get(name)
        if operation is None:  # waiters, paginators, exceptions: not API calls
            return attribute

        def record(**kwargs: Any) -> Any:
            tables = list(kwargs.get("RequestItems", {})) or [kwargs.get("TableName", "")]
            for item in kwargs.get("TransactItems", []):
                for kind, request in item.items():
                    self._add(request["TableName"], f"dynamodb:{TRANSACTION_ITEM_ACTIONS[kind]}")
                tables = [request["TableName"] for request in item.values()]
            for table in tables:
                if operation not in TRANSACTION_OPERATIONS:
                    self._add(table, f"dynamodb:{operation}")
            self.used_index = self.used_index or "IndexName" in kwargs
            return attribute(**kwargs)

        return record

    def _add(self, table: str, action: str) -> None:
        self.actions_by_table.setdefault(table, set()).add(action)


@pytest.fixture
def recorded() -> Iterator[tuple[ApiClient, RecordingClient, Any]]:
    with moto_table() as client:
        recorder = RecordingClient(client)
        with installed_services(recorder):
            yield ApiClient(Router()), recorder, client


def _scenario(function: str, api: ApiClient, raw_client: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Requests that take every DynamoDB path the function has."""
    group = "GRP0000000000001"
    conversation_id = api.create(group_id=group)["id"]
    path = f"/v1/conversations/{conversation_id}"
    send = {"json_body": {"conversation_id": conversation_id, "message": "hi"}}
    message_id = api.request("POST", "/v1/messages", **send).json()["id"]  # type: ignore[arg-type]
    message_path = f"/v1/messages/{message_id}"
    assert api.request("PUT", path, json_body={"pinned_message_id": message_id}).status == 200
    # A conversation whose last_active_at is ahead of any send: a send then only checks it.
    raw_client.update_item(
        TableName=TABLE_NAME,
        Key={name: {"S": value} for name, value in keys.conversation_key("alice", conversation_id).items()},
        UpdateExpression="SET last_active_at = :later",
        ExpressionAttributeValues={":later": {"N": "4000000000"}},
    )
    scenarios: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
        "ListConversationsFunction": [
            ("GET", "/v1/conversations", {}),
            ("GET", "/v1/conversations", {"query": {"muted": "true", "archived": "false"}}),
        ],
        "CreateConversationFunction": [
            ("POST", "/v1/conversations", {"json_body": {"contact_id": "WAz8eIbvDR60rouK"}}),
            ("POST", "/v1/conversations", {"json_body": {"group_id": group}, "headers": {"Idempotency-Key": "k1"}}),
            ("POST", "/v1/conversations", {"json_body": {"group_id": group}, "headers": {"Idempotency-Key": "k1"}}),
        ],
        "RetrieveConversationFunction": [("GET", path, {}), ("GET", "/v1/conversations/A000000000000000", {})],
        "UpdateConversationFunction": [
            ("PUT", path, {"json_body": {"is_muted": True, "archived_at": 1}}),
            ("PUT", path, {"json_body": {"pinned_message_id": message_id}}),
        ],
        "DeleteConversationFunction": [("DELETE", path, {}), ("DELETE", path, {})],
        "ListMessagesFunction": [
            ("GET", "/v1/messages", {}),
            ("GET", "/v1/messages", {"query": {"conversation_id": conversation_id}}),
        ],
        "CreateMessageFunction": [
            ("POST", "/v1/messages", send),
            ("POST", "/v1/messages", {**send, "headers": {"Idempotency-Key": "m1"}}),
            ("POST", "/v1/messages", {**send, "headers": {"Idempotency-Key": "m1"}}),
        ],
        "RetrieveMessageFunction": [("GET", message_path, {}), ("GET", "/v1/messages/A000000000000000", {})],
        "UpdateMessageFunction": [("PUT", message_path, {"json_body": {"read_at": 1, "reactions": []}})],
        "DeleteMessageFunction": [
            # Pinned: the first attempt's check fails and the second unpins it.
            ("DELETE", message_path, {}),
            ("DELETE", message_path, {}),
        ],
    }
    return scenarios[function]


def _policy(function: str) -> dict[str, set[str]]:
    """Allowed actions by resource: the table's logical id, or `<table>/index/*`."""
    properties = load_template()["Resources"][function]["Properties"]
    allowed: dict[str, set[str]] = {}
    for policy in properties.get("Policies", []):
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            resources = statement["Resource"]
            for resource in resources if isinstance(resources, list) else [resources]:
                if "Fn::GetAtt" in resource:
                    name = resource["Fn::GetAtt"][0]
                else:
                    found = re.fullmatch(r"\$\{(\w+)\.Arn\}/index/\*", resource["Fn::Sub"])
                    assert found, resource
                    name = f"{found.group(1)}/index/*"
                allowed.setdefault(name, set()).update([actions] if isinstance(actions, str) else actions)
    return allowed


@pytest.mark.parametrize("function", sorted({route.logical_id for route in function_routes()}))
def test_role_allows_exactly_the_calls_the_function_makes(
    recorded: tuple[ApiClient, RecordingClient, Any], function: str
) -> None:
    api, recorder, raw_client = recorded
    requests = _scenario(function, api, raw_client)
    recorder.actions_by_table.clear()
    recorder.used_index = False

    for method, path, options in requests:
        assert api.request(method, path, **options).status < 500

    allowed = _policy(function)
    calls = recorder.actions_by_table
    assert allowed.get("ConversationsTable", set()) == calls.get(TABLE_NAME, set())
    assert ("ConversationsTable/index/*" in allowed) is recorder.used_index
    if "ConversationsTable/index/*" in allowed:
        assert allowed["ConversationsTable/index/*"] == {"dynamodb:Query"}
    idempotency_calls = calls.get(SETTINGS.idempotency_table_name or "", set())
    if idempotency_calls:
        assert idempotency_calls <= allowed["IdempotencyTable"] == IDEMPOTENCY_ACTIONS
    else:
        assert "IdempotencyTable" not in allowed
    assert set(allowed) <= {"ConversationsTable", "ConversationsTable/index/*", "IdempotencyTable"}
