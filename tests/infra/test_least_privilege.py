"""Each function's role allows exactly the DynamoDB, SQS and S3 actions its code calls, and no more.

The calls are not listed by hand: every function runs its scenarios against moto clients that
record each operation, and the template's policy must equal what was recorded. What SAM adds to
the webhook workers' roles for their event sources (reading the stream, polling the delivery
queue, sending to the stream's on-failure queue) is the event source mapping's, not the code's.
"""

import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from urllib3.filepost import encode_multipart_formdata

from clarity.core.settings import WebhookSettings
from clarity.store import keys
from clarity.webhooks.destinations import Destination
from devtools.lambda_context import LocalLambdaContext
from devtools.routing import Router
from devtools.template import function_routes, import_function, load_template
from devtools.webhook_pipeline import LocalPipeline
from tests.support import (
    BUCKET_NAME,
    SETTINGS,
    TABLE_NAME,
    ApiClient,
    Queues,
    installed_services,
    installed_services_with_queues,
    local_settings,
    moto_table,
    moto_table_and_queues,
    stream_client,
)

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

# IAM governs an SQS batch operation with the action of its single form.
SQS_BATCH_OPERATIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}

# Webhook URLs: registering one to loopback connects nowhere; deliveries go to a fake transport.
HOOK_URL = "http://127.0.0.1:9/hooks"


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
            on_index = "IndexName" in kwargs  # IAM governs it with the index's ARN, not the table's
            for table in tables:
                if operation not in TRANSACTION_OPERATIONS and not on_index:
                    self._add(table, f"dynamodb:{operation}")
            self.used_index = self.used_index or on_index
            return attribute(**kwargs)

        return record

    def _add(self, table: str, action: str) -> None:
        self.actions_by_table.setdefault(table, set()).add(action)


# IAM governs these S3 operations with another action's name.
S3_ACTIONS = {"DeleteObjects": "DeleteObject", "HeadObject": "GetObject"}
# A HeadObject of a key that is not there is a 404 only to a role that may list the bucket; to
# any other S3 answers 403 ("Access Denied"), which reads as S3 failing, not as "no file yet".
BUCKET_ACTIONS = {"HeadObject": "s3:ListBucket"}
# A presigned request is checked against the signer's role when it is used: a link to download
# needs GetObject, a form to upload needs PutObject.
PRESIGNED_ACTIONS = {"generate_presigned_url": "s3:GetObject", "generate_presigned_post": "s3:PutObject"}
# The scenarios' file that S3 refuses to store, to take an upload's undo path.
REFUSED_TYPE = "application/x-refused"


class RecordingS3Client:
    """An S3 client that records the IAM action of each call, presigning included; a put of
    REFUSED_TYPE fails as S3 being unavailable would."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.actions: set[str] = set()  # on the bucket's objects
        self.bucket_actions: set[str] = set()  # on the bucket itself

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        operation = self._client.meta.method_to_api_mapping.get(name)
        if name in PRESIGNED_ACTIONS:
            action = PRESIGNED_ACTIONS[name]
        elif operation is not None:
            action = f"s3:{S3_ACTIONS.get(operation, operation)}"
        else:
            return attribute

        def record(*args: Any, **kwargs: Any) -> Any:
            self.actions.add(action)
            if operation in BUCKET_ACTIONS:
                self.bucket_actions.add(BUCKET_ACTIONS[operation])
            if operation == "PutObject" and kwargs.get("ContentType") == REFUSED_TYPE:
                raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "Slow Down"}}, operation)
            return attribute(*args, **kwargs)

        return record


class RecordingSqsClient:
    """An SQS client that records the IAM action of each call, by queue URL."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.actions_by_queue: dict[str, set[str]] = {}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        operation = self._client.meta.method_to_api_mapping.get(name)
        if operation is None:
            return attribute

        def record(**kwargs: Any) -> Any:
            action = f"sqs:{SQS_BATCH_OPERATIONS.get(operation, operation)}"
            self.actions_by_queue.setdefault(kwargs.get("QueueUrl", ""), set()).add(action)
            return attribute(**kwargs)

        return record


@dataclass
class Recorded:
    api: ApiClient
    dynamodb: RecordingClient
    s3: RecordingS3Client
    raw_client: Any


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    # Webhooks as local runs allow them: a URL to loopback is registered without DNS.
    settings = replace(SETTINGS, webhooks=WebhookSettings(destinations="loopback"))
    with moto_table() as client:
        recorder = RecordingClient(client)
        s3 = RecordingS3Client(boto3.client("s3", region_name="us-east-1"))
        with installed_services(recorder, settings, s3=s3):
            yield Recorded(ApiClient(Router()), recorder, s3, client)


def _contacts(api: ApiClient, count: int) -> list[str]:
    return [api.new_contact()["id"] for _ in range(count)]


def _upload_options(content: bytes, content_type: str = "application/pdf", **headers: str) -> dict[str, Any]:
    body, form_type = encode_multipart_formdata({"file": ("a.pdf", content, content_type)})
    return {"body": body, "headers": {"content-type": form_type, **headers}}


def _uploaded(api: ApiClient) -> str:
    response = api.upload(b"%PDF")
    assert response.status == 201, response.text
    attachment_id: str = response.json()["id"]
    return attachment_id


def _declared(api: ApiClient, raw_client: Any, content: bytes | None) -> str:
    """A direct upload of 3 bytes, and what its form stored (None: nothing yet)."""
    response = api.request("POST", "/v1/attachments", json_body={"filename": "d.bin", "file_size": 3})
    assert response.status == 201, response.text
    if content is not None:
        key = response.json()["upload"]["fields"]["key"]
        boto3.client("s3", region_name="us-east-1").put_object(Bucket=BUCKET_NAME, Key=key, Body=content)
    attachment_id: str = response.json()["id"]
    return attachment_id


def _with_files(send: dict[str, Any], *attachment_ids: str) -> dict[str, Any]:
    return {"json_body": {**send["json_body"], "attachments": list(attachment_ids)}}


def _scenario(function: str, api: ApiClient, raw_client: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Requests that take every DynamoDB path the function has."""
    talker, member, doomed, fresh, fresh_too = _contacts(api, 5)
    conversation_id = api.create(contact_id=talker)["id"]
    path = f"/v1/conversations/{conversation_id}"
    group = api.new_group(members=[member, doomed])
    send = {"json_body": {"conversation_id": conversation_id, "message": "hi"}}
    message_id = api.request("POST", "/v1/messages", **send).json()["id"]  # type: ignore[arg-type]
    message_path = f"/v1/messages/{message_id}"
    assert api.request("PUT", path, json_body={"pinned_message_id": message_id}).status == 200
    from_talker = api.send(conversation_id, contact_id=talker)["id"]
    # The doomed contact: a conversation with a message, and a group's member (its delete cascades).
    api.send(api.create(contact_id=doomed)["id"], contact_id=doomed, attachments=[_uploaded(api)])
    api.send(group["conversation_id"], contact_id=member, attachments=[_uploaded(api)])
    hook = {"name": "app", "url": HOOK_URL, "events": ["*"]}
    webhook_id = api.request("POST", "/v1/webhooks", json_body=hook).json()["id"]
    webhook_path = f"/v1/webhooks/{webhook_id}"
    # A conversation whose last_active_at is ahead of any send: a send then only checks it.
    raw_client.update_item(
        TableName=TABLE_NAME,
        Key={name: {"S": value} for name, value in keys.conversation_key("alice", conversation_id).items()},
        UpdateExpression="SET last_active_at = :later",
        ExpressionAttributeValues={":later": {"N": "4000000000"}},
    )
    frank = {"username": "frank", "phone_number": "1-800-759-3000"}
    contact_id = api.request("POST", "/v1/contacts", json_body=frank).json()["id"]
    contact_path = f"/v1/contacts/{contact_id}"
    group_path = f"/v1/groups/{group['id']}"
    # A hundred members: more than one transaction holds with the group (and its conversation).
    crowd = _contacts(api, 100) if function in ("CreateGroupFunction", "UpdateGroupFunction") else []
    in_group = {"conversation_id": group["conversation_id"], "message": "hi", "contact_id": member}
    attachment_path = f"/v1/attachments/{_uploaded(api)}"
    # A message with a file: reads answer it with a link; an update adds one; a delete takes both.
    with_file = {
        "json_body": {"conversation_id": conversation_id, "message": "see file", "attachments": [_uploaded(api)]}
    }
    with_file_id = api.request("POST", "/v1/messages", **with_file).json()["id"]  # type: ignore[arg-type]
    with_file_path = f"/v1/messages/{with_file_id}"
    sent_file = api.request("GET", with_file_path).json()["attachments"][0]["id"]
    arrived = _declared(api, raw_client, b"abc")
    declared = {"filename": "big.bin", "file_size": 3}
    scenarios: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
        "ListAttachmentsFunction": [
            ("GET", "/v1/attachments", {}),
            ("GET", "/v1/attachments", {"query": {"conversation_id": conversation_id}}),
        ],
        "CreateAttachmentFunction": [
            ("POST", "/v1/attachments", _upload_options(b"file")),
            ("POST", "/v1/attachments", {"json_body": declared}),
            ("POST", "/v1/attachments", _upload_options(b"k", **{"Idempotency-Key": "a1"})),
            ("POST", "/v1/attachments", _upload_options(b"k", **{"Idempotency-Key": "a1"})),
            # S3 refuses the file: the record and its count go, and any file S3 kept (a 503).
            ("POST", "/v1/attachments", {**_upload_options(b"x", REFUSED_TYPE), "expect": 503}),
        ],
        "RetrieveAttachmentFunction": [
            ("GET", attachment_path, {}),
            # Direct uploads: one not there yet, one there (confirmed), one of another size (refused).
            ("GET", f"/v1/attachments/{_declared(api, raw_client, None)}", {}),
            ("GET", f"/v1/attachments/{_declared(api, raw_client, b'abc')}", {}),
            ("GET", f"/v1/attachments/{_declared(api, raw_client, b'abcd')}", {"expect": 400}),
            ("GET", "/v1/attachments/A000000000000000", {}),
        ],
        "UpdateAttachmentFunction": [("PUT", attachment_path, {"json_body": {"filename": "renamed.pdf"}})],
        "DeleteAttachmentFunction": [("DELETE", attachment_path, {}), ("DELETE", attachment_path, {})],
        "ListGroupsFunction": [
            ("GET", "/v1/groups", {}),
            ("GET", "/v1/groups", {"query": {"archived": "false", "starting_after": "A000000000000000"}}),
            ("GET", "/v1/groups", {"query": {"archived": "false"}}),
        ],
        "CreateGroupFunction": [
            ("POST", "/v1/groups", {"json_body": {"name": "empty"}}),
            ("POST", "/v1/groups", {"json_body": {"name": "crowd", "contacts": crowd}}),
            ("POST", "/v1/groups", {"json_body": {"name": "g", "contacts": ["A000000000000000"]}}),  # a 400
            ("POST", "/v1/groups", {"json_body": {"name": "k"}, "headers": {"Idempotency-Key": "g1"}}),
            ("POST", "/v1/groups", {"json_body": {"name": "k"}, "headers": {"Idempotency-Key": "g1"}}),
        ],
        "RetrieveGroupFunction": [("GET", group_path, {}), ("GET", "/v1/groups/A000000000000000", {})],
        "UpdateGroupFunction": [
            ("PUT", group_path, {"json_body": {"name": "renamed", "archived_at": 1}}),
            ("PUT", group_path, {"json_body": {"contacts": [member, fresh]}}),  # one added, one removed
            ("PUT", group_path, {"json_body": {"contacts": crowd}}),  # 100 added: two transactions
        ],
        "DeleteGroupFunction": [("DELETE", group_path, {}), ("DELETE", group_path, {})],
        "ListContactsFunction": [
            ("GET", "/v1/contacts", {}),
            ("GET", "/v1/contacts", {"query": {"active": "false", "starting_after": "A000000000000000"}}),
            ("GET", "/v1/contacts", {"query": {"active": "false"}}),
        ],
        "CreateContactFunction": [
            ("POST", "/v1/contacts", {"json_body": {"username": "kevin", "phone_number": "+1 212 555 0100"}}),
            ("POST", "/v1/contacts", {"json_body": frank}),  # the username is taken: a 409
            ("POST", "/v1/contacts", {"json_body": {**frank, "username": "k"}, "headers": {"Idempotency-Key": "c1"}}),
            ("POST", "/v1/contacts", {"json_body": {**frank, "username": "k"}, "headers": {"Idempotency-Key": "c1"}}),
        ],
        "RetrieveContactFunction": [("GET", contact_path, {}), ("GET", "/v1/contacts/A000000000000000", {})],
        "UpdateContactFunction": [("PUT", contact_path, {"json_body": {"display_name": "UncleFrank"}})],
        "DeleteContactFunction": [
            ("DELETE", f"/v1/contacts/{doomed}", {}),
            ("DELETE", f"/v1/contacts/{doomed}", {}),
            ("DELETE", contact_path, {}),
        ],
        "ListConversationsFunction": [
            ("GET", "/v1/conversations", {}),
            ("GET", "/v1/conversations", {"query": {"muted": "true", "archived": "false"}}),
            # A filtered page with conversations on it: its items are read whole (BatchGetItem).
            ("GET", "/v1/conversations", {"query": {"group_id": group["id"]}}),
        ],
        "CreateConversationFunction": [
            ("POST", "/v1/conversations", {"json_body": {"contact_id": fresh}}),
            ("POST", "/v1/conversations", {"json_body": {"contact_id": fresh}}),  # a repeat open: 200
            (
                "POST",
                "/v1/conversations",
                {"json_body": {"contact_id": fresh_too}, "headers": {"Idempotency-Key": "k1"}},
            ),
            (
                "POST",
                "/v1/conversations",
                {"json_body": {"contact_id": fresh_too}, "headers": {"Idempotency-Key": "k1"}},
            ),
        ],
        "RetrieveConversationFunction": [("GET", path, {}), ("GET", "/v1/conversations/A000000000000000", {})],
        "UpdateConversationFunction": [
            ("PUT", path, {"json_body": {"is_muted": True, "archived_at": 1}}),
            ("PUT", path, {"json_body": {"pinned_message_id": message_id}}),
        ],
        "DeleteConversationFunction": [
            ("DELETE", path, {}),
            ("DELETE", path, {}),
            ("DELETE", f"/v1/conversations/{group['conversation_id']}", {}),
        ],
        "ListMessagesFunction": [
            ("GET", "/v1/messages", {}),
            ("GET", "/v1/messages", {"query": {"conversation_id": conversation_id}}),
        ],
        "CreateMessageFunction": [
            ("POST", "/v1/messages", send),
            ("POST", "/v1/messages", {"json_body": {**send["json_body"], "contact_id": talker}}),
            ("POST", "/v1/messages", {"json_body": in_group}),
            ("POST", "/v1/messages", {**send, "headers": {"Idempotency-Key": "m1"}}),
            ("POST", "/v1/messages", {**send, "headers": {"Idempotency-Key": "m1"}}),
            ("POST", "/v1/messages", {"json_body": {**send["json_body"], "attachments": [_uploaded(api)]}}),
            # Direct uploads whose files arrived: confirmed on the spot, or refused (another size).
            ("POST", "/v1/messages", _with_files(send, _declared(api, raw_client, b"abc"))),
            ("POST", "/v1/messages", {**_with_files(send, _declared(api, raw_client, b"abcd")), "expect": 400}),
        ],
        "RetrieveMessageFunction": [
            ("GET", with_file_path, {}),
            ("GET", message_path, {}),
            ("GET", f"/v1/messages/{from_talker}", {}),
            ("GET", "/v1/messages/A000000000000000", {}),
        ],
        "UpdateMessageFunction": [
            ("PUT", with_file_path, {"json_body": {"attachments": [sent_file, _uploaded(api)]}}),
            ("PUT", message_path, {"json_body": {"attachments": [arrived]}}),
            (
                "PUT",
                message_path,
                {"json_body": {"attachments": [arrived, _declared(api, raw_client, b"ab")]}, "expect": 400},
            ),
            ("PUT", message_path, {"json_body": {"read_at": 1, "reactions": []}}),
            ("PUT", f"/v1/messages/{from_talker}", {"json_body": {"message": "edited"}}),
        ],
        "DeleteMessageFunction": [
            # Pinned: the first attempt's check fails and the second unpins it.
            ("DELETE", message_path, {}),
            ("DELETE", message_path, {}),
            ("DELETE", with_file_path, {}),
        ],
        "ListWebhooksFunction": [
            ("GET", "/v1/webhooks", {}),
            ("GET", "/v1/webhooks", {"query": {"limit": 1, "starting_after": webhook_id}}),
        ],
        "CreateWebhookFunction": [
            ("POST", "/v1/webhooks", {"json_body": hook}),
            ("POST", "/v1/webhooks", {"json_body": hook, "headers": {"Idempotency-Key": "w1"}}),
            ("POST", "/v1/webhooks", {"json_body": hook, "headers": {"Idempotency-Key": "w1"}}),
        ],
        "RetrieveWebhookFunction": [("GET", webhook_path, {}), ("GET", "/v1/webhooks/A000000000000000", {})],
        "DeleteWebhookFunction": [("DELETE", webhook_path, {}), ("DELETE", webhook_path, {})],
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
                    found = re.fullmatch(r"\$\{(\w+)\.Arn\}/(index/)?\*", resource["Fn::Sub"])
                    assert found, resource
                    name = f"{found.group(1)}/{found.group(2) or ''}*"
                allowed.setdefault(name, set()).update([actions] if isinstance(actions, str) else actions)
    return allowed


@pytest.mark.parametrize("function", sorted({route.logical_id for route in function_routes()}))
def test_role_allows_exactly_the_calls_the_function_makes(recorded: Recorded, function: str) -> None:
    api, recorder = recorded.api, recorded.dynamodb
    requests = _scenario(function, api, recorded.raw_client)
    recorder.actions_by_table.clear()
    recorder.used_index = False
    recorded.s3.actions.clear()
    recorded.s3.bucket_actions.clear()

    for method, path, options in requests:
        expected = options.pop("expect", None)
        status = api.request(method, path, **options).status
        assert status == expected if expected else status < 500, (method, path, status)

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
    assert allowed.get("AttachmentsBucket/*", set()) == recorded.s3.actions
    assert allowed.get("AttachmentsBucket", set()) == recorded.s3.bucket_actions
    assert set(allowed) <= {
        "ConversationsTable",
        "ConversationsTable/index/*",
        "IdempotencyTable",
        "AttachmentsBucket/*",
        "AttachmentsBucket",
    }


class PathTransport:
    """Delivers nowhere: a webhook whose URL path ends in /fails answers 500, any other 200."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(
        self, destination: Destination, address: str, body: bytes, headers: Mapping[str, str], timeout: float
    ) -> int:
        self.paths.append(destination.target)
        return 500 if destination.target.endswith("/fails") else 200


def _calls(dynamodb: RecordingClient, sqs: RecordingSqsClient, queues: Queues) -> dict[str, set[str]]:
    """What was recorded, by the template's logical id of each table and queue."""
    names = {
        TABLE_NAME: "ConversationsTable",
        queues.delivery_url: "WebhookDeliveryQueue",
        queues.dead_letter_url: "WebhookDeadLetterQueue",
    }
    calls: dict[str, set[str]] = {}
    for recorded in (dynamodb.actions_by_table, sqs.actions_by_queue):
        for name, actions in recorded.items():
            calls.setdefault(names.get(name, name), set()).update(actions)
    if dynamodb.used_index:
        calls["ConversationsTable/index/*"] = {"dynamodb:Query"}
    dynamodb.actions_by_table.clear()
    dynamodb.used_index = False
    sqs.actions_by_queue.clear()
    return calls


def test_the_webhook_workers_roles_allow_exactly_the_calls_they_make() -> None:
    transport = PathTransport()
    with moto_table_and_queues() as (client, queues):
        dynamodb, sqs = RecordingClient(client), RecordingSqsClient(queues.sqs)
        # Two attempts, one second apart: a delivery that keeps failing is dead-lettered at once.
        settings = local_settings(queues, retry_base_seconds=1, retry_cap_seconds=1, max_attempts=2)
        with installed_services_with_queues(dynamodb, settings, sqs, send=transport):
            api = ApiClient(Router())
            # The event sources' side (stream reads, receives, deletes) is not recorded: raw clients.
            pipeline = LocalPipeline(
                dynamodb=client,
                streams=stream_client(),
                sqs=queues.sqs,
                table_name=TABLE_NAME,
                queue_url=queues.delivery_url,
            )
            hooks = {}
            for name in ("delivered", "fails", "deleted"):
                hook = {"name": name, "url": f"{HOOK_URL}/{name}", "events": ["message.created"]}
                hooks[name] = api.request("POST", "/v1/webhooks", json_body=hook).json()["id"]
            conversation = api.create()
            # alice's message from her contact: three deliveries queued, its payload reads the sender
            api.send(conversation["id"], contact_id=conversation["contact_id"])
            api.send(api.create(owner="bob")["id"], owner="bob")  # bob has no webhooks: nothing queued
            _calls(dynamodb, sqs, queues)

            # WebhookEventsFunction: every record of the stream, the webhooks' own included.
            assert pipeline.pump_stream() > 0
            events_calls = _calls(dynamodb, sqs, queues)

            assert api.request("DELETE", f"/v1/webhooks/{hooks['deleted']}").status == 204
            _calls(dynamodb, sqs, queues)

            # WebhookDeliveryFunction: delivered, dropped (deleted), retried, then dead-lettered.
            deadline = time.monotonic() + 15
            while not queues.sqs.receive_message(QueueUrl=queues.dead_letter_url, VisibilityTimeout=0).get("Messages"):
                assert time.monotonic() < deadline, f"nothing was dead-lettered; attempts: {transport.paths}"
                if not pipeline.pump_queue():
                    time.sleep(0.2)
            delivery_calls = _calls(dynamodb, sqs, queues)

    assert sorted(transport.paths) == ["/hooks/delivered", "/hooks/fails", "/hooks/fails"]
    assert events_calls == _policy("WebhookEventsFunction")
    assert delivery_calls == _policy("WebhookDeliveryFunction")


def test_the_attachment_sweeps_role_allows_exactly_the_calls_it_makes() -> None:
    now = [1_800_000_000.0]
    settings = replace(SETTINGS, webhooks=WebhookSettings(destinations="loopback"))
    with moto_table() as client:
        dynamodb = RecordingClient(client)
        s3 = RecordingS3Client(boto3.client("s3", region_name="us-east-1"))
        with installed_services(dynamodb, settings, clock=lambda: now[0], s3=s3):
            api = ApiClient(Router())
            _declared(api, client, None)  # its file never came
            _declared(api, client, b"abc")  # it came, but was never read
            deleted = _declared(api, client, None)  # deleted, and its form used anyway
            assert api.request("DELETE", f"/v1/attachments/{deleted}").status == 204
            now[0] += SETTINGS.attachments.waiting_seconds
            dynamodb.actions_by_table.clear()
            dynamodb.used_index = False
            s3.actions.clear()
            s3.bucket_actions.clear()

            swept = import_function("AttachmentSweepFunction")({}, LocalLambdaContext("AttachmentSweepFunction"))
            assert swept == {"removed": 1, "confirmed": 1, "removed_files": 1}

    allowed = _policy("AttachmentSweepFunction")
    assert allowed.pop("ConversationsTable") == dynamodb.actions_by_table[TABLE_NAME]
    assert allowed.pop("ConversationsTable/index/*") == {"dynamodb:Query"} and dynamodb.used_index
    assert allowed.pop("AttachmentsBucket/*") == s3.actions
    assert allowed.pop("AttachmentsBucket") == s3.bucket_actions
    assert allowed == {}
