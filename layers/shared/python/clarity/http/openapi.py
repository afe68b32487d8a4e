"""Shared pieces of the routes' OpenAPI declarations."""

import re
from typing import Annotated, Any

from annotated_types import Ge, Le
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, BeforeValidator

from clarity.core.models import ErrorBody

_FLAG_WORDS = {"true": True, "false": False, "1": True, "0": False}
_DIGITS = re.compile(r"[0-9]{1,9}")


def _query_flag(value: Any) -> Any:
    # Query strings are text: exactly true/false/1/0, not pydantic's looser yes/on/t/TRUE.
    if isinstance(value, str):
        if value not in _FLAG_WORDS:
            raise ValueError("must be true, false, 1 or 0")
        return _FLAG_WORDS[value]
    return value


def _query_integer(value: Any) -> Any:
    # Digits only: pydantic's lax mode would take "10.0" and " 5".
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise ValueError("must be a whole number written in digits")
    return value


# The reference page groups operations by these tags, one per resource.
ATTACHMENTS = "Attachments"
CONTACTS = "Contacts"
CONVERSATIONS = "Conversations"
GROUPS = "Groups"
MESSAGES = "Messages"
WEBHOOKS = "Webhooks"
TAG_DESCRIPTIONS = {
    ATTACHMENTS: (
        "Attachments are files: upload one, then send it in a message. Each has a filename, a type, a size "
        "and a download link made fresh on every response. List, retrieve, rename and delete them here."
    ),
    CONTACTS: (
        "Contacts are the people you talk with: a username (unique among your contacts), a phone "
        "number, an avatar and the name you show them by. Add, list, retrieve, rename and delete them "
        "here."
    ),
    CONVERSATIONS: (
        "Conversations are the containers for the messages between you, your contacts, and groups. "
        "A conversation is with one contact or with a group; it can have a pinned message, and it "
        "can be pinned, muted and archived. Query, create, update and delete them here."
    ),
    GROUPS: (
        "Groups are contacts you talk with together, in one conversation created with the group. A group "
        "has a name, a description, an avatar and up to 100 members; it can be archived. Create, list, "
        "retrieve, update and delete them here."
    ),
    MESSAGES: (
        "Messages are what conversations are made of. Send them to one of your conversations, "
        "list them, edit them, react to them, mark them read, and delete them."
    ),
    WEBHOOKS: (
        "A webhook is a URL of yours that receives your change events: a signed POST for every "
        "create, update and delete of your conversations, messages, contacts, groups and attachments. "
        "Register, list, retrieve and delete them here; each event and its request are in this document's "
        "webhooks section."
    ),
}

# The list cursors, as every list describes them.
AFTER = "The last id of the page you are on, for the next page: the items just older than it."
BEFORE = "The first id of the page you are on, for the previous page: the items just newer than it."

AttachmentIdPath = Annotated[str, Path(description="Unique identifier for the attachment.")]
ContactIdPath = Annotated[str, Path(description="Unique identifier for the contact.")]
GroupIdPath = Annotated[str, Path(description="Unique identifier for the group.")]
ConversationIdPath = Annotated[str, Path(description="Unique identifier for the conversation.")]
MessageIdPath = Annotated[str, Path(description="Unique identifier for the message.")]
WebhookIdPath = Annotated[str, Path(description="Unique identifier for the webhook.")]

QueryFlag = Annotated[bool, BeforeValidator(_query_flag)]
# The bounds come before the validator: after it, pydantic documents them as `ge`/`le`, which
# are no JSON Schema keywords.
PageLimit = Annotated[int, Ge(1), Le(100), BeforeValidator(_query_integer)]

_ERROR_CONTENT: dict[str, Any] = {"application/json": {"model": ErrorBody}}


def responses(
    status: int, description: str, model: type[BaseModel] | None = None, resource: str = "conversation"
) -> dict[int, OpenAPIResponse]:
    """A route's documented responses: its success (with its model, if it has a body) and the errors."""
    success: OpenAPIResponse = {"description": description}
    if model is not None:
        success["content"] = {"application/json": {"model": model}}
    errors = {status: dict(response) for status, response in ERROR_RESPONSES.items()}
    errors[404]["description"] = f"No such {resource} (or not the caller's)"
    return {status: success, **errors}  # type: ignore[dict-item]


ERROR_RESPONSES: dict[int, OpenAPIResponse] = {
    status: {"description": description, "content": _ERROR_CONTENT}
    for status, description in (
        (400, "Invalid request: the message names the parameter"),
        (401, "Missing or invalid identity"),
        (404, "No such resource (or not the caller's)"),
        (405, "Method not allowed"),
        (409, "Idempotency-Key reused with another body, or still in progress"),
        (412, "If-Match names an older version"),
        (413, "Body larger than 64 KB"),
        (415, "Unsupported Content-Type"),
        (500, "Internal error"),
        (503, "DynamoDB unavailable; retry after Retry-After seconds"),
    )
}
