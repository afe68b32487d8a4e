"""Each function's role allows exactly the DynamoDB actions its code calls, and no more.

The calls are not listed by hand: every function runs its scenarios against a moto client that
records each operation, and the template's policy must equal what was recorded.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from conversations import keys
from conversations.repository import ConversationRepository
from conversations.service import ConversationService
from conversations.wiring import use_service
from devtools.routing import Router
from devtools.template import function_routes, load_template
from tests.support import SETTINGS, TABLE_NAME, ApiClient, moto_table

TRANSACTION_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Delete": "DeleteItem",
    "Update": "UpdateItem",
    "ConditionCheck": "ConditionCheckItem",
}


class RecordingClient:
    def __init__(self, client: Any) -> None:
        self._client = client
        self.actions: set[str] = set()
        self.used_index = False

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        operation = self._client.meta.method_to_api_mapping.get(name)
        if operation is None:  # waiters, paginators, exceptions: not API calls
            return attribute

        def record(**kwargs: Any) -> Any:
            self.actions.add(f"dynamodb:{operation}")
            for item in kwargs.get("TransactItems", []):
                self.actions.update(f"dynamodb:{TRANSACTION_ITEM_ACTIONS[kind]}" for kind in item)
            self.used_index = self.used_index or "IndexName" in kwargs
            return attribute(**kwargs)

        return record


@pytest.fixture
def recorded() -> Iterator[tuple[ApiClient, RecordingClient, Any]]:
    with moto_table() as client:
        recorder = RecordingClient(client)
        use_service(ConversationService(ConversationRepository(recorder, TABLE_NAME)), SETTINGS)  # type: ignore[arg-type]
        try:
            yield ApiClient(Router()), recorder, client
        finally:
            use_service(None)


def _scenario(function: str, api: ApiClient, raw_client: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Requests that take every DynamoDB path the function has."""
    conversation_id = api.create(group_id="GRP0000000000001")["id"]
    path = f"/v1/conversations/{conversation_id}"
    raw_client.put_item(
        TableName=TABLE_NAME,
        Item={"PK": {"S": keys.children_partition("alice", conversation_id)}, "SK": {"S": "MSG#1"}},
    )
    scenarios: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
        "ListConversationsFunction": [
            ("GET", "/v1/conversations", {}),
            ("GET", "/v1/conversations", {"query": {"muted": "true", "archived": "false"}}),
        ],
        "CreateConversationFunction": [
            ("POST", "/v1/conversations", {"json_body": {"contact_id": "WAz8eIbvDR60rouK"}})
        ],
        "RetrieveConversationFunction": [("GET", path, {}), ("GET", "/v1/conversations/A000000000000000", {})],
        "UpdateConversationFunction": [("PUT", path, {"json_body": {"is_muted": True, "archived_at": 1}})],
        "DeleteConversationFunction": [("DELETE", path, {}), ("DELETE", path, {})],
    }
    return scenarios[function]


def _policy(function: str) -> tuple[set[str], list[Any]]:
    properties = load_template()["Resources"][function]["Properties"]
    actions: set[str] = set()
    resources: list[Any] = []
    for policy in properties.get("Policies", []):
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            listed = statement["Action"]
            actions.update([listed] if isinstance(listed, str) else listed)
            listed_resources = statement["Resource"]
            resources.extend(listed_resources if isinstance(listed_resources, list) else [listed_resources])
    return actions, resources


@pytest.mark.parametrize("function", sorted({route.logical_id for route in function_routes()}))
def test_role_allows_exactly_the_calls_the_function_makes(
    recorded: tuple[ApiClient, RecordingClient, Any], function: str
) -> None:
    api, recorder, raw_client = recorded
    requests = _scenario(function, api, raw_client)
    recorder.actions.clear()
    recorder.used_index = False

    for method, path, options in requests:
        assert api.request(method, path, **options).status < 500

    actions, resources = _policy(function)
    assert actions == recorder.actions
    table_arn = {"Fn::GetAtt": ["ConversationsTable", "Arn"]}
    index_arns = [r for r in resources if isinstance(r, dict) and re.search(r"/index/", str(r.get("Fn::Sub", "")))]
    assert table_arn in resources
    assert bool(index_arns) is recorder.used_index
    assert all(r == table_arn or r in index_arns for r in resources)
