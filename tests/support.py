"""Shared test helpers: a moto table built from template.yaml, and an in-process API client."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import boto3
from moto import mock_aws

from clarity.conversations.models import Conversation
from clarity.conversations.repository import ConversationRepository
from clarity.core.settings import Settings
from clarity.messages.models import Message
from clarity.messages.repository import MessageRepository
from clarity.store.dynamodb import Table
from clarity.wiring import build_services, use_services
from devtools.events import jwt_claims
from devtools.routing import Router, invoke
from devtools.template import create_tables, idempotency_table_name

TABLE_NAME = "conversations-test"
SETTINGS = Settings(
    table_name=TABLE_NAME,
    dynamodb_endpoint_url=None,
    region="us-east-1",
    idempotency_table_name=idempotency_table_name(TABLE_NAME),
    local_issuer=None,
)


@contextmanager
def moto_table() -> Iterator[Any]:
    """A moto DynamoDB client with the template's table in it."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client, TABLE_NAME)
        yield client


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class ApiClient:
    """Calls the API's functions in process, with the events API Gateway would send."""

    def __init__(self, router: Router) -> None:
        self._router = router

    def request(
        self,
        method: str,
        path: str,
        *,
        owner: str | None = "alice",
        query: dict[str, Any] | str | None = None,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        all_headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers.setdefault("content-type", "application/json")
        if form is not None:
            body = urlencode(form).encode()
            all_headers.setdefault("content-type", "application/x-www-form-urlencoded")
        raw_query = query if isinstance(query, str) else urlencode(query or {})
        match = self._router.match(method, path)
        if match is None:  # what API Gateway answers for a route the template does not have
            return ApiResponse(404, {}, json.dumps({"message": "Not Found"}))
        claims = jwt_claims(owner) if owner is not None else None
        result = invoke(self._router, match, claims=claims, raw_query=raw_query, headers=all_headers, body=body)
        return ApiResponse(result["statusCode"], result.get("headers") or {}, result.get("body") or "")

    def create(self, owner: str = "alice", **fields: Any) -> dict[str, Any]:
        response = self.request(
            "POST", "/v1/conversations", owner=owner, json_body=fields or {"contact_id": "WAz8eIbvDR60rouK"}
        )
        assert response.status == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def send(self, conversation_id: str, message: str = "hi", owner: str = "alice", **fields: Any) -> dict[str, Any]:
        """Send a message to one of `owner`'s conversations; the message as created."""
        body = {"conversation_id": conversation_id, "message": message, **fields}
        response = self.request("POST", "/v1/messages", owner=owner, json_body=body)
        assert response.status == 201, response.text
        sent: dict[str, Any] = response.json()
        return sent


@contextmanager
def api_with_moto(clock: Any = None) -> Iterator[tuple[ApiClient, Any]]:
    with moto_table() as client, installed_services(client, clock=clock):
        yield ApiClient(Router()), client


class SerializedClient:
    """A DynamoDB client whose calls run one at a time, as DynamoDB applies each request
    atomically: moto's in-process engine is not safe for concurrent transactions, so threads
    racing through the service share one of these. The races between requests stay."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in self._client.meta.method_to_api_mapping:
            return attribute

        def serialized(**kwargs: Any) -> Any:
            with self._lock:
                return attribute(**kwargs)

        return serialized


# The ids the committed events/ and the API reference's examples name.
EXAMPLE_CONVERSATION_ID = "xgQQXg3hrtjh7AvZ"
EXAMPLE_MESSAGE_ID = "SIuAFUNKdSYHZF2w"


def seed_examples(client: Any, owner: str, table_name: str = TABLE_NAME) -> None:
    """The conversation and message the committed events name, owned by `owner`."""
    table = Table(client, table_name)
    ConversationRepository(table).create(
        owner, Conversation.started(EXAMPLE_CONVERSATION_ID, 692233200, contact_id="WAz8eIbvDR60rouK")
    )
    MessageRepository(table).send(
        owner,
        Message(
            id=EXAMPLE_MESSAGE_ID,
            conversation_id=EXAMPLE_CONVERSATION_ID,
            contact=None,
            message="Keep the change, ya filthy animal.",
            reactions=[],
            attachments=[],
            read_at=None,
            created_at=705103200,
            updated_at=None,
        ),
    )


def serialized(client: Any) -> Any:
    """`client` with its calls one at a time (SerializedClient), typed to pass for a client."""
    return SerializedClient(client)


def repository_on(client: Any, table_name: str = TABLE_NAME) -> ConversationRepository:
    """The conversations' repository on `client`, for tests of its DynamoDB paths; no backoff waits."""
    return ConversationRepository(Table(client, table_name, sleep=lambda _: None))


@contextmanager
def installed_services(client: Any, settings: Settings = SETTINGS, clock: Any = None) -> Iterator[None]:
    """The functions use services built on `client` (moto, a Stubber or a recorder) until the end."""
    services = build_services(settings, client, clock=clock or (lambda: int(time.time())), sleep=lambda _: None)
    use_services(services, settings)
    try:
        yield
    finally:
        use_services(None)
