"""Shared test helpers: a moto table built from template.yaml, and an in-process API client."""

import itertools
import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import boto3
from botocore.config import Config
from botocore.stub import Stubber
from moto import mock_aws
from urllib3.filepost import encode_multipart_formdata

from clarity.attachments.models import StoredAttachment
from clarity.attachments.repository import to_item as attachment_item
from clarity.contacts.models import Contact
from clarity.contacts.repository import ContactRepository
from clarity.conversations.models import Conversation
from clarity.conversations.repository import ConversationRepository
from clarity.core.settings import AttachmentSettings, Settings, WebhookSettings
from clarity.groups.models import StoredGroup
from clarity.groups.repository import GroupRepository
from clarity.messages.models import Message
from clarity.messages.repository import MessageRepository
from clarity.store import keys
from clarity.store.dynamodb import Table, serialize
from clarity.webhooks.destinations import Resolver
from clarity.webhooks.models import Webhook
from clarity.webhooks.repository import WebhookRepository
from clarity.webhooks.transport import Transport
from clarity.wiring import Files, Outbound, build_services, use_services
from devtools.events import jwt_claims
from devtools.routing import Router, invoke
from devtools.template import create_tables, idempotency_table_name
from devtools.webhook_pipeline import create_queues

TABLE_NAME = "conversations-test"
BUCKET_NAME = "conversations-test-attachments"
SETTINGS = Settings(
    table_name=TABLE_NAME,
    dynamodb_endpoint_url=None,
    region="us-east-1",
    idempotency_table_name=idempotency_table_name(TABLE_NAME),
    local_issuer=None,
    # As in local runs: webhooks reach this machine only. A test of public addresses says so, and
    # injects a resolver and a transport (tests/webhook_support.py).
    webhooks=WebhookSettings(destinations="loopback"),
    # Not the default, so an error body that carries it took it from the settings.
    errors_documentation_url="https://docs.example.com/clarity/errors",
    # Small enough that a test can send one byte too many.
    attachments=AttachmentSettings(bucket=BUCKET_NAME, max_upload_bytes=64 * 1024, quota_bytes=256 * 1024),
)


@contextmanager
def moto_table() -> Iterator[Any]:
    """A moto DynamoDB client with the template's table in it, and moto's S3 with the bucket."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client, TABLE_NAME)
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET_NAME)
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

    def upload(
        self,
        content: bytes,
        filename: str = "invoice.pdf",
        content_type: str | None = "application/pdf",
        *,
        owner: str = "alice",
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        """POST /v1/attachments with one file, as `curl -F file=@<path>` sends it."""
        part = (filename, content, content_type) if content_type is not None else (filename, content)
        body, form_type = encode_multipart_formdata({"file": part})
        all_headers = {"content-type": form_type, **(headers or {})}
        return self.request("POST", "/v1/attachments", owner=owner, body=body, headers=all_headers)

    def create(self, owner: str = "alice", **fields: Any) -> dict[str, Any]:
        """A new conversation of `owner`: with these fields, or with a contact made for it (a
        contact has one conversation, so each new one needs its own)."""
        body = fields or {"contact_id": self.new_contact(owner)["id"]}
        response = self.request("POST", "/v1/conversations", owner=owner, json_body=body)
        assert response.status == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def new_contact(self, owner: str = "alice", **fields: Any) -> dict[str, Any]:
        """A contact of `owner`, with a username of its own."""
        body = {"username": f"person-{next(_usernames)}", "phone_number": "+14155550100", **fields}
        response = self.request("POST", "/v1/contacts", owner=owner, json_body=body)
        assert response.status == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def new_group(self, owner: str = "alice", members: Sequence[str] = (), **fields: Any) -> dict[str, Any]:
        """A group of `owner` with these member contact ids (its conversation made with it)."""
        body = {"name": f"group {next(_usernames)}", "contacts": list(members), **fields}
        response = self.request("POST", "/v1/groups", owner=owner, json_body=body)
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


_usernames = itertools.count(1)


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
EXAMPLE_CONTACT_ID = "WAz8eIbvDR60rouK"
EXAMPLE_CONVERSATION_ID = "xgQQXg3hrtjh7AvZ"
EXAMPLE_MESSAGE_ID = "SIuAFUNKdSYHZF2w"
EXAMPLE_WEBHOOK_ID = "1vNYyuXVqC00YPDd"
EXAMPLE_GROUP_ID = "L7cGNIBKZiNJ6wqF"
EXAMPLE_GROUP_CONVERSATION_ID = "L7cGNIBKZiNJ6wqG"
EXAMPLE_ATTACHMENT_ID = "Bq0xZp9WmT3cKd7E"
EXAMPLE_WEBHOOK_URL = "http://127.0.0.1:4000/hooks/clarity"
# base64url of "example-webhook-secret-for-tests": 32 bytes, as a real secret has.
EXAMPLE_WEBHOOK_SECRET = "whsec_ZXhhbXBsZS13ZWJob29rLXNlY3JldC1mb3ItdGVzdHM"


def seed_examples(
    client: Any, owner: str, table_name: str = TABLE_NAME, webhook_url: str = EXAMPLE_WEBHOOK_URL
) -> None:
    """The contact, conversation, message, group (with the contact), webhook (every event type,
    to `webhook_url`) and attachment the committed events name, owned by `owner`."""
    table = Table(client, table_name)
    _seed_example_attachment(client, owner, table_name)
    ContactRepository(table).create(
        owner,
        Contact(
            id=EXAMPLE_CONTACT_ID,
            username="FrankMcCallister",
            phone_number="1-800-759-3000",
            avatar_url="https://assets.clarityapp.ai/avatars/frank.jpg",
            display_name=None,
            conversation_id=None,
            last_active_at=None,
            created_at=692233100,
        ),
    )
    WebhookRepository(table).create(
        owner,
        Webhook(id=EXAMPLE_WEBHOOK_ID, name="Example receiver", url=webhook_url, events=["*"], created_at=1764000000),
        EXAMPLE_WEBHOOK_SECRET,
    )
    ConversationRepository(table).open(
        owner, Conversation.started(EXAMPLE_CONVERSATION_ID, 692233200, contact_id=EXAMPLE_CONTACT_ID)
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
    GroupRepository(table).create(
        owner,
        StoredGroup(
            EXAMPLE_GROUP_ID,
            "Plaza Hotel",
            None,
            None,
            EXAMPLE_GROUP_CONVERSATION_ID,
            [EXAMPLE_CONTACT_ID],
            705103300,
            None,
        ),
        Conversation.started(EXAMPLE_GROUP_CONVERSATION_ID, 705103300, group_id=EXAMPLE_GROUP_ID),
    )


def _seed_example_attachment(client: Any, owner: str, table_name: str) -> None:
    """An uploaded attachment's record and its owner's byte count. Its file is not stored: the
    events that name it only make links to it and delete it, and deleting no object succeeds."""
    attachment = StoredAttachment(
        id=EXAMPLE_ATTACHMENT_ID,
        filename="Invoice.pdf",
        file_type="application/pdf",
        file_size=1024,
        object_key=f"{owner}/{EXAMPLE_ATTACHMENT_ID}/example",
        created_at=705103400,
    )
    item = {key: value for key, value in attachment_item(owner, attachment, 0).items() if key != "expires_at"}
    client.put_item(TableName=table_name, Item=serialize({**item, "uploaded": True}))
    count = {**keys.attachment_bytes_key(owner), "bytes": attachment.file_size}
    client.put_item(TableName=table_name, Item=serialize(count))


def serialized(client: Any) -> Any:
    """`client` with its calls one at a time (SerializedClient), typed to pass for a client."""
    return SerializedClient(client)


def repository_on(client: Any, table_name: str = TABLE_NAME) -> ConversationRepository:
    """The conversations' repository on `client`, for tests of its DynamoDB paths; no backoff waits."""
    return ConversationRepository(Table(client, table_name, sleep=lambda _: None))


@contextmanager
def installed_services(
    client: Any,
    settings: Settings = SETTINGS,
    clock: Any = None,
    outbound: Outbound | None = None,
    s3: Any = None,
) -> Iterator[None]:
    """The functions use services built on `client` (moto, a Stubber or a recorder) until the end;
    webhooks reach outside through `outbound` (SQS, DNS, HTTP) when given; files, through `s3`."""
    files = Files(settings.attachments, region=settings.region, s3=s3)
    services = build_services(
        settings, client, clock=clock or time.time, sleep=lambda _: None, outbound=outbound, files=files
    )
    use_services(services, settings)
    try:
        yield
    finally:
        use_services(None)


# The webhook workers in process: moto's SQS beside its DynamoDB, and services that reach both.


@dataclass(frozen=True)
class Queues:
    """moto's SQS client and the webhook queues in it (template.yaml's WebhookDeliveryQueue and
    WebhookDeadLetterQueue)."""

    sqs: Any
    delivery_url: str
    dead_letter_url: str


@contextmanager
def moto_table_and_queues() -> Iterator[tuple[Any, Queues]]:
    """A moto DynamoDB client with the template's tables, and moto's SQS with the webhook queues."""
    with moto_table() as client:
        sqs = boto3.client("sqs", region_name="us-east-1")
        delivery_url, dead_letter_url = create_queues(sqs, TABLE_NAME)
        yield client, Queues(sqs, delivery_url, dead_letter_url)


def local_settings(queues: Queues, **webhooks: Any) -> Settings:
    """SETTINGS with the queues, and webhooks as local runs allow them (to loopback only);
    `webhooks` overrides other WebhookSettings fields (retries, attempts, timeout)."""
    fields: dict[str, Any] = {"destinations": "loopback", **webhooks}
    return replace(
        SETTINGS,
        webhooks=WebhookSettings(queue_url=queues.delivery_url, dead_letter_queue_url=queues.dead_letter_url, **fields),
    )


@contextmanager
def installed_services_with_queues(
    client: Any,
    settings: Settings,
    sqs: Any,
    *,
    send: Transport | None = None,
    resolve: Resolver | None = None,
    clock: Any = None,
) -> Iterator[None]:
    """As installed_services, with the webhook workers' SQS client (moto's, or a recorder) and,
    if given, a transport and a resolver in place of the network and DNS."""
    outbound = Outbound(settings.webhooks, sqs=sqs, send=send, resolve=resolve)
    with installed_services(client, settings, clock, outbound):
        yield


def stream_client() -> Any:
    """moto's DynamoDB Streams. botocore addresses streams by account unless told not to, and
    moto only answers the regional endpoint."""
    return boto3.client("dynamodbstreams", region_name="us-east-1", config=Config(account_id_endpoint_mode="disabled"))


# botocore's Stubber, for the transaction paths moto cannot take: the cancellation reasons
# DynamoDB gives, one per action of a TransactWriteItems.

NO_REASON = {"Code": "None"}


def stubbed_table() -> Iterator[tuple[Table, Stubber]]:
    """A Table on a client whose every answer the test queues; all of them must be used."""
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url="http://stubbed.invalid")
    with Stubber(client) as stubber:
        yield Table(client, "stubbed", sleep=lambda _: None), stubber
        stubber.assert_no_pending_responses()


def failed_check(item: dict[str, Any] | None = None) -> dict[str, Any]:
    """A cancellation reason: this action's condition failed, with the item as it is (if any)."""
    reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
    if item is not None:
        reason["Item"] = serialize(item)
    return reason


def cancel_transaction(stubber: Stubber, *reasons: dict[str, Any]) -> None:
    """The next TransactWriteItems is cancelled for these reasons."""
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        service_message="Transaction cancelled",
        modeled_fields={"CancellationReasons": list(reasons)},
    )
