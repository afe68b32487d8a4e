"""Verifying webhook deliveries. Each delivery's `x-clarity-signature` header is the hex HMAC-SHA256 of
the raw request body, keyed with the webhook's secret (the `secret` of `client.webhooks.create`).

    event = clarity_api.webhooks.construct_event(request.body, request.headers["x-clarity-signature"], secret)
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Union

from clarity_api import models
from clarity_api._convert import ConversionError, from_json
from clarity_api.errors import SignatureVerificationError

SIGNATURE_HEADER = "x-clarity-signature"

_EVENT_MODELS: dict[str, type[Any]] = {
    "conversation.created": models.ConversationCreatedEvent,
    "conversation.updated": models.ConversationUpdatedEvent,
    "conversation.deleted": models.ConversationDeletedEvent,
    "message.created": models.MessageCreatedEvent,
    "message.updated": models.MessageUpdatedEvent,
    "message.deleted": models.MessageDeletedEvent,
    "contact.created": models.ContactCreatedEvent,
    "contact.updated": models.ContactUpdatedEvent,
    "contact.deleted": models.ContactDeletedEvent,
    "group.created": models.GroupCreatedEvent,
    "group.updated": models.GroupUpdatedEvent,
    "group.deleted": models.GroupDeletedEvent,
    "attachment.created": models.AttachmentCreatedEvent,
    "attachment.updated": models.AttachmentUpdatedEvent,
    "attachment.deleted": models.AttachmentDeletedEvent,
}


def signature(payload: bytes, secret: str) -> str:
    """The signature the API sends with `payload` (for tests of your own receiver)."""
    return hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def verify(payload: bytes, signature_header: str, secret: str) -> bool:
    """Whether `signature_header` signs exactly these bytes with `secret`, compared in constant time.
    Pass the raw body as received: parsed and re-serialized JSON is not the same bytes."""
    return hmac.compare_digest(signature(payload, secret), signature_header.strip().lower())


def construct_event(payload: Union[bytes, str], signature_header: str, secret: str) -> models.Event:
    """The verified event, typed by its `type` (`ConversationCreatedEvent`, ...); raises
    SignatureVerificationError for a wrong signature and ValueError for a body that is no event."""
    raw = payload.encode("utf-8") if isinstance(payload, str) else payload
    if not verify(raw, signature_header, secret):
        raise SignatureVerificationError("the signature does not match the payload and secret")
    body = json.loads(raw)
    model = _EVENT_MODELS.get(str(body.get("type"))) if isinstance(body, dict) else None
    if model is None:
        raise ValueError(f"not a Clarity event: {str(body)[:80]}")
    try:
        event: models.Event = from_json(model, body)
    except ConversionError as error:
        raise ValueError(f"not a Clarity event: {error}") from error
    return event
