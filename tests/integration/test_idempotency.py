"""Idempotency-Key on create: retries return the first result and create nothing more."""

import threading
import time
from typing import Any, cast

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from aws_lambda_powertools.utilities.typing import LambdaContext

from clarity.conversations.models import Conversation, CreateConversationRequest, VersionedConversation
from clarity.conversations.repository import ConversationRepository
from clarity.conversations.service import ConversationService
from clarity.core.errors import Conflict
from clarity.store.dynamodb import Table
from devtools.lambda_context import LocalLambdaContext
from devtools.template import idempotency_table_name
from tests.support import TABLE_NAME, ApiClient


@pytest.fixture
def body(api: ApiClient) -> dict[str, str]:
    """A create's body: a conversation with a new contact of alice's."""
    return {"contact_id": api.new_contact()["id"]}


def _count(api: ApiClient, owner: str = "alice") -> int:
    return len(api.request("GET", "/v1/conversations", owner=owner, query={"limit": "100"}).json()["data"])


def test_a_repeat_with_the_same_key_and_body_returns_the_first_response(api: ApiClient, body: dict[str, str]) -> None:
    first = api.request("POST", "/v1/conversations", json_body=body, headers={"Idempotency-Key": "retry-1"})
    again = api.request("POST", "/v1/conversations", json_body=body, headers={"Idempotency-Key": "retry-1"})

    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    assert again.header("Location") == first.header("Location")
    assert _count(api) == 1


def test_the_same_body_as_form_or_json_is_the_same_request(api: ApiClient, body: dict[str, str]) -> None:
    first = api.request("POST", "/v1/conversations", json_body=body, headers={"Idempotency-Key": "k"})
    again = api.request("POST", "/v1/conversations", form=body, headers={"Idempotency-Key": "k"})

    assert again.json()["id"] == first.json()["id"]


def test_the_same_key_with_another_body_is_409(api: ApiClient, body: dict[str, str]) -> None:
    api.request("POST", "/v1/conversations", json_body=body, headers={"Idempotency-Key": "k"})

    response = api.request(
        "POST", "/v1/conversations", json_body={"contact_id": api.new_contact()["id"]}, headers={"Idempotency-Key": "k"}
    )

    assert response.status == 409
    assert response.json()["type"] == "invalid_request"
    assert _count(api) == 1


def test_keys_are_scoped_to_the_owner(api: ApiClient, body: dict[str, str]) -> None:
    bobs_body = {"contact_id": api.new_contact(owner="bob")["id"]}
    alices = api.request("POST", "/v1/conversations", owner="alice", json_body=body, headers={"Idempotency-Key": "k"})
    bobs = api.request("POST", "/v1/conversations", owner="bob", json_body=bobs_body, headers={"Idempotency-Key": "k"})

    assert bobs.status == 201
    assert bobs.json()["id"] != alices.json()["id"]
    assert (_count(api, "alice"), _count(api, "bob")) == (1, 1)


def test_without_a_key_every_post_creates(api: ApiClient) -> None:
    # Each with a contact of its own: a second open for one contact finds its conversation.
    api.request("POST", "/v1/conversations", json_body={"contact_id": api.new_contact()["id"]})
    api.request("POST", "/v1/conversations", json_body={"contact_id": api.new_contact()["id"]})

    assert _count(api) == 2


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_keys_must_be_1_to_255_characters(api: ApiClient, body: dict[str, str], key: str) -> None:
    response = api.request("POST", "/v1/conversations", json_body=body, headers={"Idempotency-Key": key})

    assert response.status == 400
    assert "idempotency" in response.json()["message"].lower()
    assert _count(api) == 0


def test_a_255_character_key_is_accepted(api: ApiClient, body: dict[str, str]) -> None:
    response = api.request("POST", "/v1/conversations", json_body=body, headers={"Idempotency-Key": "x" * 255})

    assert response.status == 201


class _BlockingRepository(ConversationRepository):
    """Holds the first create until released, like a slow first request."""

    def __init__(self, client: Any) -> None:
        super().__init__(Table(client, TABLE_NAME))
        self.entered = threading.Event()
        self.release = threading.Event()

    def open(self, owner: str, conversation: Conversation) -> VersionedConversation:
        self.entered.set()
        self.release.wait(timeout=10)
        return super().open(owner, conversation)


def _invocation(remaining_ms: int = 10_000) -> LambdaContext:
    """The create function's Lambda context, with `remaining_ms` left before its timeout."""
    return cast(LambdaContext, LocalLambdaContext("create", remaining_time_in_millis=remaining_ms))


def _blocked_first_request(
    client: Any, invocation: LambdaContext, body: dict[str, str]
) -> tuple[ConversationService, Any]:
    """A service whose first idempotent create is stuck inside DynamoDB until released."""
    repository = _BlockingRepository(client)
    store = DynamoDBPersistenceLayer(table_name=idempotency_table_name(TABLE_NAME), boto3_client=client)
    service = ConversationService(repository, idempotency_store=store)
    results: list[Any] = []
    first = threading.Thread(
        target=lambda: results.append(
            service.create_idempotently("alice", CreateConversationRequest(**body), "slow", invocation)
        )
    )
    first.start()
    assert repository.entered.wait(timeout=10)
    return service, (repository, first, results)


def test_a_repeat_while_the_first_still_runs_is_409(api_and_table: tuple[ApiClient, Any], body: dict[str, str]) -> None:
    _, client = api_and_table
    request = CreateConversationRequest(**body)
    service, (repository, first, results) = _blocked_first_request(client, _invocation(), body)

    with pytest.raises(Conflict, match="still being processed"):
        service.create_idempotently("alice", request, "slow", _invocation())

    repository.release.set()
    first.join()
    assert service.create_idempotently("alice", request, "slow", _invocation()) == results[0]


def test_a_key_whose_first_invocation_died_is_free_once_that_invocation_would_have_timed_out(
    api_and_table: tuple[ApiClient, Any], body: dict[str, str]
) -> None:
    # The in-progress record expires with the invocation's remaining time, not after 24 hours.
    _, client = api_and_table
    request = CreateConversationRequest(**body)
    dying = _invocation(remaining_ms=1)
    service, (repository, first, _) = _blocked_first_request(client, dying, body)
    time.sleep(0.05)

    retried = service.create_idempotently("alice", request, "slow", _invocation())

    assert retried.resource.contact_id == body["contact_id"]
    repository.release.set()
    first.join()


def test_a_key_with_a_group_only_body_replays(api: ApiClient) -> None:
    # Found by schemathesis: absent fields were stored as nulls and failed on the way back in.
    group = api.new_group()
    api.request("DELETE", f"/v1/conversations/{group['conversation_id']}")
    group_only = {"group_id": group["id"]}
    first = api.request("POST", "/v1/conversations", json_body=group_only, headers={"Idempotency-Key": "group-only"})
    again = api.request("POST", "/v1/conversations", json_body=group_only, headers={"Idempotency-Key": "group-only"})

    assert (first.status, again.status) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
