"""Every operation of every resource, against the local server, by the sync and the async client alike
(`either_client`): the same scenario, call for call."""

import uuid
from typing import Any

import pytest

from clarity_api import (
    Attachment,
    Contact,
    Conversation,
    CreatedWebhook,
    Group,
    Message,
    NotFoundError,
    Webhook,
)
from clarity_api._base import MULTIPART_LIMIT_BYTES
from devtools.loopback_receiver import LoopbackReceiver


def _name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def test_contacts(either_client: tuple[Any, Any]) -> None:
    client, every = either_client
    created = client.contacts.create(username=_name("Frank"), phone_number="1-800-759-3000")
    assert isinstance(created, Contact) and created.etag == '"1"'
    assert created.display_name is None and created.phone_number == "1-800-759-3000"

    fetched = client.contacts.get(created.id)
    assert (fetched.id, fetched.username) == (created.id, created.username)
    assert [contact.id for contact in every(client.contacts.list(limit=10))] == [created.id]

    renamed = client.contacts.update(created.id, display_name="UncleFrank")
    assert renamed.display_name == "UncleFrank" and renamed.etag == '"2"'

    client.contacts.delete(created.id)
    with pytest.raises(NotFoundError):
        client.contacts.get(created.id)


def test_conversations(either_client: tuple[Any, Any]) -> None:
    client, every = either_client
    kevin = client.contacts.create(username=_name("Kevin"), phone_number="1-800-759-3000")
    opened = client.conversations.create(contact_id=kevin.id)
    assert isinstance(opened, Conversation) and opened.contact_id == kevin.id and opened.etag == '"1"'

    assert client.conversations.get(opened.id).id == opened.id
    assert [c.id for c in every(client.conversations.list(muted=False, limit=50))] == [opened.id]
    assert every(client.conversations.list(muted=True)) == []

    muted = client.conversations.update(opened.id, is_muted=True)
    assert muted.is_muted is True
    assert [c.id for c in every(client.conversations.list(muted=True))] == [opened.id]

    client.conversations.delete(opened.id)
    with pytest.raises(NotFoundError):
        client.conversations.get(opened.id)


def test_groups(either_client: tuple[Any, Any]) -> None:
    client, every = either_client
    frank = client.contacts.create(username=_name("Frank"), phone_number="1-800-759-3000")
    plaza = client.groups.create(name="Plaza Hotel", contacts=[frank.id])
    assert isinstance(plaza, Group) and [member.id for member in plaza.contacts] == [frank.id]

    assert client.groups.get(plaza.id).name == "Plaza Hotel"
    assert [g.id for g in every(client.groups.list(archived=False, limit=10))] == [plaza.id]

    described = client.groups.update(plaza.id, description="The finest in New York.")
    assert described.description == "The finest in New York."

    client.groups.delete(plaza.id)
    with pytest.raises(NotFoundError):
        client.groups.get(plaza.id)


def test_messages_with_an_attachment(either_client: tuple[Any, Any]) -> None:
    client, every = either_client
    marley = client.contacts.create(username=_name("Marley"), phone_number="1-800-759-3000")
    conversation = client.conversations.create(contact_id=marley.id)
    invoice = client.attachments.create(file=b"%PDF-1.4 invoice", filename="invoice.pdf")

    sent = client.messages.create(conversation_id=conversation.id, message="Hello", attachments=[invoice.id])
    assert isinstance(sent, Message) and sent.message == "Hello" and sent.contact is None
    assert [attachment.id for attachment in sent.attachments] == [invoice.id]

    received = client.messages.create(conversation_id=conversation.id, message="Hi!", contact_id=marley.id)
    assert received.contact is not None and received.contact.id == marley.id

    assert client.messages.get(sent.id).message == "Hello"
    listed = every(client.messages.list(conversation_id=conversation.id, limit=10))
    assert {message.id for message in listed} == {sent.id, received.id}

    edited = client.messages.update(sent.id, message="Hello again")
    assert edited.message == "Hello again" and edited.updated_at is not None

    client.messages.delete(sent.id)
    with pytest.raises(NotFoundError):
        client.messages.get(sent.id)


def test_attachments_through_the_api_and_direct(either_client: tuple[Any, Any], tmp_path: Any) -> None:
    client, every = either_client
    # A path, a file object and bytes, each at most the multipart limit: through the API
    note = tmp_path / "note.txt"
    note.write_bytes(b"remember the milk")
    from_path = client.attachments.create(file=note)
    with note.open("rb") as opened:
        from_file = client.attachments.create(file=opened)
    from_bytes = client.attachments.create(file=b"\x89PNG....", filename="photo.png")
    assert isinstance(from_path, Attachment)
    assert (from_path.filename, from_path.file_size, from_path.file_type) == ("note.txt", 17, "text/plain")
    assert (from_file.filename, from_bytes.file_type) == ("note.txt", "image/png")
    assert from_path.file_url is not None

    # One byte over the limit: the direct upload, confirmed by the read that follows it
    large = client.attachments.create(file=b"x" * (MULTIPART_LIMIT_BYTES + 1), filename="large.bin")
    assert large.file_size == MULTIPART_LIMIT_BYTES + 1 and large.file_url is not None

    assert client.attachments.get(large.id).filename == "large.bin"
    listed = {attachment.id for attachment in every(client.attachments.list(limit=2))}
    assert listed == {from_path.id, from_file.id, from_bytes.id, large.id}

    renamed = client.attachments.update(from_bytes.id, filename="holiday.png")
    assert renamed.filename == "holiday.png"

    client.attachments.delete(from_bytes.id)
    with pytest.raises(NotFoundError):
        client.attachments.get(from_bytes.id)


def test_webhooks(either_client: tuple[Any, Any]) -> None:
    client, every = either_client
    receiver = LoopbackReceiver(lambda _: 200)
    try:
        created = client.webhooks.create(name="hooks", url=receiver.url("/hook"), events=["conversation.created"])
        assert isinstance(created, CreatedWebhook) and len(created.secret) > 20

        fetched = client.webhooks.get(created.id)
        assert isinstance(fetched, Webhook) and fetched.events == ["conversation.created"]
        assert [webhook.id for webhook in every(client.webhooks.list())] == [created.id]
        assert not hasattr(client.webhooks, "update")  # the API has no PUT for webhooks

        client.webhooks.delete(created.id)
        with pytest.raises(NotFoundError):
            client.webhooks.get(created.id)
    finally:
        receiver.close()
