"""The built artifacts, under Python 3.13 in Docker, through `sam local invoke` and `start-api`:
every function with its event from events/, the webhook workers included."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from clarity.attachments.models import StoredAttachment
from clarity.attachments.repository import to_item as attachment_item
from clarity.core.clock import tick_at
from clarity.core.ids import new_id
from clarity.core.settings import WebhookSettings
from clarity.store import keys
from clarity.store.dynamodb import serialize
from clarity.webhooks.queue import Delivery
from devtools.local_issuer import LocalIssuer
from devtools.sam_local import committed_event, event_with_token, with_owner
from devtools.template import ROOT, function_routes
from tests.e2e.conftest import EXAMPLE_ID, TABLE_NAME, E2EEnvironment, free_port, unique_owner, wait_for_http
from tests.support import EXAMPLE_WEBHOOK_ID

SAM_ENV = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}  # fmt: skip

# Function, its event, the status, and how many fields the body has: a list 2 (has_more, data),
# a conversation 10, a message 9, a webhook 5 (6 with the secret it is created with), a contact 8,
# a group 8, an attachment 7. The create_conversation event opens the example contact's conversation, which the
# seeded examples have: 200, that conversation.
EXPECTED = [
    ("ListConversationsFunction", "list_conversations", 200, 2),
    ("CreateConversationFunction", "create_conversation", 200, 10),
    ("RetrieveConversationFunction", "retrieve_conversation", 200, 10),
    ("UpdateConversationFunction", "update_conversation", 200, 10),
    ("DeleteConversationFunction", "delete_conversation", 204, 0),
    ("ListMessagesFunction", "list_messages", 200, 2),
    ("CreateMessageFunction", "create_message", 201, 9),
    ("RetrieveMessageFunction", "retrieve_message", 200, 9),
    ("UpdateMessageFunction", "update_message", 200, 9),
    ("DeleteMessageFunction", "delete_message", 204, 0),
    ("ListWebhooksFunction", "list_webhooks", 200, 2),
    ("CreateWebhookFunction", "create_webhook", 201, 6),
    ("RetrieveWebhookFunction", "retrieve_webhook", 200, 5),
    ("DeleteWebhookFunction", "delete_webhook", 204, 0),
    ("ListContactsFunction", "list_contacts", 200, 2),
    ("CreateContactFunction", "create_contact", 201, 8),
    ("RetrieveContactFunction", "retrieve_contact", 200, 8),
    ("UpdateContactFunction", "update_contact", 200, 8),
    ("DeleteContactFunction", "delete_contact", 204, 0),
    ("ListGroupsFunction", "list_groups", 200, 2),
    ("CreateGroupFunction", "create_group", 201, 8),
    ("RetrieveGroupFunction", "retrieve_group", 200, 8),
    ("UpdateGroupFunction", "update_group", 200, 8),
    ("DeleteGroupFunction", "delete_group", 204, 0),
    # A multipart upload, base64-encoded as API Gateway sends it; its file goes to the S3 container.
    ("ListAttachmentsFunction", "list_attachments", 200, 2),
    ("CreateAttachmentFunction", "create_attachment", 201, 7),
    ("RetrieveAttachmentFunction", "retrieve_attachment", 200, 7),
    ("UpdateAttachmentFunction", "update_attachment", 200, 7),
    ("DeleteAttachmentFunction", "delete_attachment", 204, 0),
]
# Nothing listens on this port in a function's container: every delivery attempt there fails.
REFUSING_URL = "http://127.0.0.1:9/hooks/clarity"


def sam_invoke(e2e: E2EEnvironment, function: str, event: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event), encoding="utf-8")
    completed = subprocess.run(
        [e2e.sam, "local", "invoke", function, "--event", str(event_file), *e2e.sam_local_arguments()],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=SAM_ENV,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_every_routed_function_is_invoked_here() -> None:
    assert {function for function, *_ in EXPECTED} == {route.logical_id for route in function_routes()}


@pytest.mark.parametrize(("function", "event_name", "status", "fields"), EXPECTED)
def test_sam_local_invoke_runs_each_function_with_its_event(
    e2e: E2EEnvironment, tmp_path: Path, function: str, event_name: str, status: int, fields: int
) -> None:
    owner = unique_owner()
    e2e.seed_examples(owner)

    result = sam_invoke(e2e, function, event_with_token(event_name, e2e.issuer.token(owner)), tmp_path)

    assert result["statusCode"] == status, result
    body = json.loads(result["body"]) if result.get("body") else {}
    assert len(body) == fields, body
    if fields == 2:
        assert set(body) == {"has_more", "data"}


def _received(e2e: E2EEnvironment, queue_url: str, **options: Any) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = e2e.sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], **options
    ).get("Messages", [])
    return messages


def _of_owner(messages: list[dict[str, Any]], owner: str) -> list[dict[str, Any]]:
    return [message for message in messages if Delivery.from_message(message["Body"]).owner == owner]


def test_sam_local_invoke_turns_the_stream_event_into_a_queued_delivery(e2e: E2EEnvironment, tmp_path: Path) -> None:
    owner = unique_owner()
    e2e.seed_examples(owner)  # the example webhook subscribes to every event type
    event = with_owner(committed_event("webhook_events"), owner)

    result = sam_invoke(e2e, "WebhookEventsFunction", event, tmp_path)

    assert result == {"batchItemFailures": []}
    [message] = _of_owner(_received(e2e, e2e.queue_url), owner)
    e2e.sqs.delete_message(QueueUrl=e2e.queue_url, ReceiptHandle=message["ReceiptHandle"])
    delivery = Delivery.from_message(message["Body"])
    assert (delivery.webhook_id, delivery.event_type) == (EXAMPLE_WEBHOOK_ID, "conversation.created")
    assert json.loads(delivery.body)["payload"]["id"] == EXAMPLE_ID


def test_sam_local_invoke_retries_a_failed_delivery_and_dead_letters_the_last(
    e2e: E2EEnvironment, tmp_path: Path
) -> None:
    owner = unique_owner()
    e2e.seed_examples(owner, webhook_url=REFUSING_URL)
    [record] = with_owner(committed_event("webhook_delivery"), owner)["Records"]
    # A first attempt of a message really queued: the retry hides it by its receipt handle.
    # Received visible (moto lets its visibility change anyway), so that the hiding shows.
    sent = e2e.sqs.send_message(QueueUrl=e2e.queue_url, MessageBody=record["body"])["MessageId"]
    [queued] = [m for m in _received(e2e, e2e.queue_url, VisibilityTimeout=0) if m["MessageId"] == sent]
    first = {**record, "messageId": sent, "receiptHandle": queued["ReceiptHandle"]}
    # And the last attempt of another.
    attempts = WebhookSettings().max_attempts  # the template sets no WEBHOOK_MAX_ATTEMPTS
    counted = {**record["attributes"], "ApproximateReceiveCount": str(attempts)}
    last = {**record, "messageId": "last-attempt", "attributes": counted}

    result = sam_invoke(e2e, "WebhookDeliveryFunction", {"Records": [first, last]}, tmp_path)

    # The first stays queued, hidden until its next attempt; the last is dead-lettered.
    assert result == {"batchItemFailures": [{"itemIdentifier": sent}]}
    assert sent not in {m["MessageId"] for m in _received(e2e, e2e.queue_url, VisibilityTimeout=0)}
    [dead] = _of_owner(_received(e2e, e2e.dead_letter_queue_url), owner)
    e2e.sqs.delete_message(QueueUrl=e2e.dead_letter_queue_url, ReceiptHandle=dead["ReceiptHandle"])
    assert dead["Body"] == record["body"]
    assert dead["MessageAttributes"]["attempts"]["StringValue"] == str(attempts)


def test_sam_local_invoke_refuses_an_unverified_token(e2e: E2EEnvironment, tmp_path: Path) -> None:
    # The event's requestContext claims say "alice"; under sam local only a verified token counts.
    forged = LocalIssuer(tmp_path / "other-key").token("alice")

    result = sam_invoke(e2e, "ListConversationsFunction", event_with_token("list_conversations", forged), tmp_path)

    assert result["statusCode"] == 401


def _http(method: str, url: str, token: str | None, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None


def test_sam_local_start_api_serves_the_whole_flow(e2e: E2EEnvironment, tmp_path: Path) -> None:
    port = free_port()
    log_file = (tmp_path / "start-api.log").open("w")
    process = subprocess.Popen(
        [e2e.sam, "local", "start-api", "--port", str(port), *e2e.sam_local_arguments()],
        cwd=ROOT,
        env=SAM_ENV,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(port, 120)
        base = f"http://127.0.0.1:{port}/v1/conversations"
        token = e2e.issuer.token(unique_owner())
        contacts = f"http://127.0.0.1:{port}/v1/contacts"
        status, contact = _http(
            "POST", contacts, token, {"username": "KevinMcCallister", "phone_number": "1-800-759-3000"}
        )
        assert status == 201, contact

        status, created = _http("POST", base, token, {"contact_id": contact["id"]})
        assert status == 201, created
        # A contact has one conversation: opening it again answers 200 with that one.
        status, again = _http("POST", base, token, {"contact_id": contact["id"]})
        assert (status, again["id"]) == (200, created["id"]), again
        item = f"{base}/{created['id']}"
        status, listed = _http("GET", base + "?limit=5", token)
        assert (status, [c["id"] for c in listed["data"]]) == (200, [created["id"]])
        status, retrieved = _http("GET", item, token)
        assert (status, retrieved["id"]) == (200, created["id"])
        assert retrieved["last_opened_at"] is not None
        status, updated = _http("PUT", item, token, {"is_pinned": True})
        assert (status, updated["is_pinned"]) == (200, True)
        messages = f"http://127.0.0.1:{port}/v1/messages"
        status, sent = _http("POST", messages, token, {"conversation_id": created["id"], "message": "hi"})
        assert status == 201, sent
        status, listed = _http("GET", f"{messages}?conversation_id={created['id']}", token)
        assert (status, [m["id"] for m in listed["data"]]) == (200, [sent["id"]])
        status, reacted = _http("PUT", f"{messages}/{sent['id']}", token, {"reactions": {"+1": ["kevin"]}})
        assert (status, reacted["reactions"]) == (200, [{"+1": ["kevin"]}])
        assert _http("GET", f"{messages}/{sent['id']}", token)[1] == reacted
        status, pinned = _http("PUT", item, token, {"pinned_message_id": sent["id"]})
        assert (status, pinned["pinned_message_id"]) == (200, sent["id"])
        assert _http("DELETE", f"{messages}/{sent['id']}", token)[0] == 204
        assert _http("GET", item, token)[1]["pinned_message_id"] is None
        assert _http("DELETE", item, token)[0] == 204
        assert _http("GET", item, token)[0] == 404

        # A group, made with its conversation; a member's send checks the member list. The member's
        # delete takes it off the list and leaves its message, now from a deleted contact.
        groups = f"http://127.0.0.1:{port}/v1/groups"
        status, group = _http("POST", groups, token, {"name": "Plaza Hotel", "contacts": [contact["id"]]})
        assert (status, [member["id"] for member in group["contacts"]]) == (201, [contact["id"]]), group
        said = {"conversation_id": group["conversation_id"], "message": "hi", "contact_id": contact["id"]}
        status, sent = _http("POST", messages, token, said)
        assert (status, sent["contact"]["id"]) == (201, contact["id"]), sent
        group_item = f"{groups}/{group['id']}"
        status, described = _http("PUT", group_item, token, {"description": "The finest in New York."})
        assert (status, described["description"]) == (200, "The finest in New York."), described
        status, listed = _http("GET", f"{groups}?archived=false", token)
        assert (status, [g["id"] for g in listed["data"]]) == (200, [group["id"]]), listed
        assert _http("DELETE", f"{contacts}/{contact['id']}", token)[0] == 204
        status, left = _http("GET", group_item, token)
        assert (status, left["contacts"]) == (200, []), left
        status, kept = _http("GET", f"{messages}/{sent['id']}", token)
        assert (status, kept["contact"]) == (200, {"id": contact["id"], "deleted": True}), kept
        assert _http("DELETE", group_item, token)[0] == 204
        assert _http("GET", group_item, token)[0] == 404
        assert _http("GET", f"{messages}/{sent['id']}", token)[0] == 404

        assert _http("GET", base, None)[0] == 401
        assert _http("GET", f"{base}/{EXAMPLE_ID}", LocalIssuer(tmp_path / "k").token("x"))[0] == 401
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log_file.close()


def test_sam_local_invoke_runs_the_hourly_sweep_of_direct_uploads_never_completed(
    e2e: E2EEnvironment, tmp_path: Path
) -> None:
    owner = unique_owner()
    # A direct upload made two days ago whose file never came: what the sweep removes.
    made = int(time.time()) - 2 * 24 * 3600
    waiting = StoredAttachment(
        id=new_id(tick_at(made)),
        filename="never.bin",
        file_type="application/octet-stream",
        file_size=3,
        object_key=f"{owner}/never",
        created_at=made,
    )
    e2e.dynamodb.put_item(TableName=TABLE_NAME, Item=serialize(attachment_item(owner, waiting, made + 24 * 3600)))
    count = {**keys.attachment_bytes_key(owner), "bytes": waiting.file_size}  # counted when it was made
    e2e.dynamodb.put_item(TableName=TABLE_NAME, Item=serialize(count))

    result = sam_invoke(e2e, "AttachmentSweepFunction", committed_event("attachment_sweep"), tmp_path)

    assert result["removed"] >= 1, result
    key = serialize(keys.attachment_key(owner, waiting.id))
    assert "Item" not in e2e.dynamodb.get_item(TableName=TABLE_NAME, Key=key, ConsistentRead=True)
    counted = e2e.dynamodb.get_item(TableName=TABLE_NAME, Key=serialize(keys.attachment_bytes_key(owner)))
    assert counted["Item"]["bytes"] == {"N": "0"}
