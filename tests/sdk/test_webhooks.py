"""clarity_api.webhooks against a real delivery: the local server signs and POSTs an event to a
receiver on 127.0.0.1, and the SDK verifies it and reads it as a typed event."""

import time
import uuid

import pytest

from clarity_api import ApiClient, SignatureVerificationError, webhooks
from clarity_api.models import ConversationCreatedEvent
from devtools.loopback_receiver import Delivered, LoopbackReceiver


def _first_delivery(received: list[Delivered], timeout_seconds: float = 20) -> Delivered:
    deadline = time.monotonic() + timeout_seconds
    while not received:
        assert time.monotonic() < deadline, "no delivery arrived"
        time.sleep(0.05)
    return received[0]


def test_a_real_delivery_verifies_and_reads_as_its_event(client: ApiClient) -> None:
    # Given a webhook for conversation.created at a receiver of ours
    received: list[Delivered] = []

    def keep(delivered: Delivered) -> int:
        received.append(delivered)
        return 200

    receiver = LoopbackReceiver(keep)
    try:
        hook = client.webhooks.create(name="sdk", url=receiver.url("/hook"), events=["conversation.created"])
        contact = client.contacts.create(username=f"Hook{uuid.uuid4().hex[:8]}", phone_number="1-800-759-3000")

        # When a conversation is opened, and its event delivered
        conversation = client.conversations.create(contact_id=contact.id)
        delivered = _first_delivery(received)
        client.webhooks.delete(hook.id)
    finally:
        receiver.close()

    # Then its signature checks out with the secret, and it reads as a ConversationCreatedEvent
    header = delivered.headers[webhooks.SIGNATURE_HEADER]
    assert webhooks.verify(delivered.body, header, hook.secret)
    event = webhooks.construct_event(delivered.body, header, hook.secret)
    assert isinstance(event, ConversationCreatedEvent)
    assert event.type == "conversation.created" and event.payload.id == conversation.id

    # And a changed byte, another secret or another signature does not
    tampered = delivered.body.replace(conversation.id.encode(), b"X" * len(conversation.id))
    assert not webhooks.verify(tampered, header, hook.secret)
    assert not webhooks.verify(delivered.body, header, hook.secret + "x")
    assert not webhooks.verify(delivered.body, "0" * len(header), hook.secret)
    with pytest.raises(SignatureVerificationError):
        webhooks.construct_event(tampered, header, hook.secret)


def test_construct_event_refuses_a_signed_body_that_is_no_event() -> None:
    body = b'{"type": "conversation.created", "id": "x"}'
    with pytest.raises(ValueError, match="not a Clarity event"):
        webhooks.construct_event(body, webhooks.signature(body, "s3cret"), "s3cret")
    assert webhooks.verify(body, webhooks.signature(body, "s3cret").upper() + "\n", "s3cret")
