"""The required stack with no application in it: the floor under any handler the issue allows.

Powertools' HTTP API resolver with validation on, Logger and Metrics, around the baseline's own
DynamoDB requests (tracing is Lambda's own, `Tracing: Active`, with no SDK in the function). Of
this project's code it loads only clarity/startup.py, so that it loads as our functions do, with
the garbage collector paused. What it costs above the baseline is the price of the stack itself;
what ours costs above it is the price of our code.
"""

import clarity.startup  # first, as in our functions: the collector pauses while the stack loads

import base64
import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from bench import baseline

logger = Logger()
metrics = Metrics()
app = APIGatewayHttpResolver(enable_validation=True)
_dynamodb: dict[str, Any] = {}


def use_client(client: Any, table: str, s3: Any = None, bucket: str = "") -> None:
    """Serve from this client and table (the warm bench's stubbed client), signing attachments'
    links with `s3` for `bucket`."""
    _dynamodb.update(client=client, table=table, s3=s3, bucket=bucket)


def _s3() -> tuple[Any, str]:
    """The S3 client attachments' links are signed with (made on first use, as ours is), and the bucket."""
    if _dynamodb["s3"] is None:
        _dynamodb.update(
            s3=baseline.make_client(os.environ.get("S3_ENDPOINT_URL") or None, "s3"),
            bucket=os.environ["ATTACHMENTS_BUCKET"],
        )
    return _dynamodb["s3"], _dynamodb["bucket"]


def _serve(
    endpoint: str,
    conversation_id: str = "",
    message_id: str = "",
    webhook_id: str = "",
    contact_id: str = "",
    username: str | None = None,
    group_id: str = "",
    attachment_id: str = "",
    form: tuple[bytes, str] | None = None,
) -> Response[str | None]:
    if not _dynamodb:
        use_client(baseline.make_client(os.environ.get("DYNAMODB_ENDPOINT_URL") or None), os.environ["TABLE_NAME"])
    owner = app.current_event.request_context.authorizer.jwt_claim["sub"]
    client, table = _dynamodb["client"], _dynamodb["table"]
    ids = (conversation_id, message_id, webhook_id, contact_id)
    files = _s3() if endpoint in baseline.ATTACHMENT_ENDPOINTS else (None, "")
    answer = baseline.handle(
        endpoint, client, table, owner, *ids, username=username, group_id=group_id,
        attachment_id=attachment_id, s3=files[0], bucket=files[1], form=form,
    )  # fmt: skip
    return Response(answer["statusCode"], content_type="application/json", body=answer["body"] or None)


@app.get("/v1/conversations")
def list_conversations() -> Response[str | None]:
    return _serve("list")


@app.post("/v1/conversations")
def create_conversation() -> Response[str | None]:
    return _serve("create", baseline.new_id(), contact_id=app.current_event.json_body["contact_id"])


@app.get("/v1/conversations/<conversation_id>")
def retrieve_conversation(conversation_id: str) -> Response[str | None]:
    return _serve("retrieve", conversation_id)


@app.put("/v1/conversations/<conversation_id>")
def update_conversation(conversation_id: str) -> Response[str | None]:
    return _serve("update", conversation_id)


@app.delete("/v1/conversations/<conversation_id>")
def delete_conversation(conversation_id: str) -> Response[str | None]:
    return _serve("delete", conversation_id)


@app.get("/v1/messages")
def list_messages() -> Response[str | None]:
    return _serve("list_messages", app.current_event.get_query_string_value("conversation_id") or "")


@app.post("/v1/messages")
def create_message() -> Response[str | None]:
    return _serve("send", app.current_event.json_body["conversation_id"], baseline.new_id())


@app.get("/v1/messages/<message_id>")
def retrieve_message(message_id: str) -> Response[str | None]:
    return _serve("retrieve_message", message_id=message_id)


@app.put("/v1/messages/<message_id>")
def update_message(message_id: str) -> Response[str | None]:
    return _serve("update_message", message_id=message_id)


@app.delete("/v1/messages/<message_id>")
def delete_message(message_id: str) -> Response[str | None]:
    return _serve("delete_message", message_id=message_id)


@app.get("/v1/webhooks")
def list_webhooks() -> Response[str | None]:
    return _serve("list_webhooks")


@app.post("/v1/webhooks")
def create_webhook() -> Response[str | None]:
    return _serve("create_webhook", webhook_id=baseline.new_id())


@app.get("/v1/webhooks/<webhook_id>")
def retrieve_webhook(webhook_id: str) -> Response[str | None]:
    return _serve("retrieve_webhook", webhook_id=webhook_id)


@app.delete("/v1/webhooks/<webhook_id>")
def delete_webhook(webhook_id: str) -> Response[str | None]:
    return _serve("delete_webhook", webhook_id=webhook_id)


@app.get("/v1/contacts")
def list_contacts() -> Response[str | None]:
    return _serve("list_contacts")


@app.post("/v1/contacts")
def create_contact() -> Response[str | None]:
    username = app.current_event.json_body["username"]
    return _serve("create_contact", contact_id=baseline.new_id(), username=username)


@app.get("/v1/contacts/<contact_id>")
def retrieve_contact(contact_id: str) -> Response[str | None]:
    return _serve("retrieve_contact", contact_id=contact_id)


@app.put("/v1/contacts/<contact_id>")
def update_contact(contact_id: str) -> Response[str | None]:
    return _serve("update_contact", contact_id=contact_id)


@app.delete("/v1/contacts/<contact_id>")
def delete_contact(contact_id: str) -> Response[str | None]:
    return _serve("delete_contact", contact_id=contact_id)


@app.get("/v1/groups")
def list_groups() -> Response[str | None]:
    return _serve("list_groups")


@app.post("/v1/groups")
def create_group() -> Response[str | None]:
    # The bench's groups have one member; the group and its conversation get fresh ids.
    member = app.current_event.json_body["contacts"][0]
    return _serve("create_group", baseline.new_id(), contact_id=member, group_id=baseline.new_id())


@app.get("/v1/groups/<group_id>")
def retrieve_group(group_id: str) -> Response[str | None]:
    return _serve("retrieve_group", group_id=group_id)


@app.put("/v1/groups/<group_id>")
def update_group(group_id: str) -> Response[str | None]:
    return _serve("update_group", group_id=group_id)


@app.delete("/v1/groups/<group_id>")
def delete_group(group_id: str) -> Response[str | None]:
    return _serve("delete_group", group_id=group_id)


@app.post("/v1/attachments")
def create_attachment() -> Response[str | None]:
    event = app.current_event
    body = base64.b64decode(event.body or "") if event.is_base64_encoded else (event.body or "").encode()
    form = (body, event.headers["content-type"])
    return _serve("create_attachment", attachment_id=baseline.new_id(), form=form)


@app.get("/v1/attachments")
def list_attachments() -> Response[str | None]:
    return _serve("list_attachments")


@app.get("/v1/attachments/<attachment_id>")
def retrieve_attachment(attachment_id: str) -> Response[str | None]:
    return _serve("retrieve_attachment", attachment_id=attachment_id)


@app.put("/v1/attachments/<attachment_id>")
def update_attachment(attachment_id: str) -> Response[str | None]:
    return _serve("update_attachment", attachment_id=attachment_id)


@app.delete("/v1/attachments/<attachment_id>")
def delete_attachment(attachment_id: str) -> Response[str | None]:
    return _serve("delete_attachment", attachment_id=attachment_id)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded: as for our functions, the collector resumes (clarity/startup.py).
clarity.startup.initialised()
