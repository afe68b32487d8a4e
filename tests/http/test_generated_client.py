"""A client generated from openapi.json by openapi-python-client works for every operation,
against the local server: the document is a contract third-party tools can rely on."""

import importlib
import io
import os
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from devtools.template import ROOT
from tests.http.conftest import LocalServer

PACKAGE = "clarity_conversations_api_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    where = tmp_path_factory.mktemp("client")
    # The generator formats its output with ruff, which it looks for on the PATH.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    completed = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(ROOT / "openapi.json"),
         "--meta", "none"],
        cwd=where, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "Warning" not in output and "error" not in output.lower(), output
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [name for name in sys.modules if name.startswith(PACKAGE)]:
            del sys.modules[name]


def _operation(name: str) -> Any:
    # The generator makes one module per tag, and the tags are the resources: create_message is in api.messages.
    tag = name.split("_", 1)[1].removesuffix("s") + "s"
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def _model(name: str) -> Any:
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def _contact_id(client: Any, username: str) -> str:
    body = _model("CreateContactRequest")(username=username, phone_number="1-800-759-3000")
    return str(_operation("create_contact").sync(client=client, body=body).id)


def test_every_conversation_operation_through_the_generated_client(generated: ModuleType, server: LocalServer) -> None:
    # Given a client for a fresh owner, as an app developer would make it, and its contacts
    client = generated.AuthenticatedClient(base_url=server.url, token=server.token(f"gen-{uuid.uuid4().hex}"))
    create = _model("CreateConversationRequest")
    frank, kevin, kate = (_contact_id(client, name) for name in ("Frank", "Kevin", "Kate"))

    # Create, with and without an Idempotency-Key; then open one again: 200, the same one
    created = [
        _operation("create_conversation").sync_detailed(client=client, body=create(contact_id=frank)),
        _operation("create_conversation").sync_detailed(
            client=client, body=create(contact_id=kevin), idempotency_key="gen-1"
        ),
        _operation("create_conversation").sync_detailed(client=client, body=create(contact_id=kate)),
    ]
    assert [response.status_code for response in created] == [201, 201, 201]
    assert all(response.headers["ETag"] == '"1"' for response in created)
    ids = [response.parsed.id for response in created]
    again = _operation("create_conversation").sync_detailed(client=client, body=create(contact_id=frank))
    assert (again.status_code, again.parsed.id) == (200, ids[0])

    # List with every filter, and both cursors
    listing = _operation("list_conversations")
    everything = listing.sync(client=client, limit=10)
    assert [c.id for c in everything.data] == sorted(ids, reverse=True)
    group = _operation("create_group").sync(client=client, body=_model("CreateGroupRequest")(name="Plaza Hotel"))
    in_group = listing.sync(client=client, muted=False, archived=False, pinned=False, group_id=group.id, limit=5)
    assert [c.id for c in in_group.data] == [group.conversation_id]
    assert _operation("delete_conversation").sync_detailed(group.conversation_id, client=client).status_code == 204
    newest, middle, oldest = sorted(ids, reverse=True)
    after = listing.sync(client=client, limit=1, starting_after=newest)
    before = listing.sync(client=client, limit=1, ending_before=oldest)
    assert ([c.id for c in after.data], after.has_more) == ([middle], True)
    assert ([c.id for c in before.data], before.has_more) == ([middle], True)

    # Retrieve; update, then clear fields with null (JSON, not a form)
    retrieved = _operation("retrieve_conversation").sync_detailed(ids[0], client=client)
    assert (retrieved.status_code, retrieved.parsed.id) == (200, ids[0])
    update = _model("UpdateConversationRequest")
    archived = _operation("update_conversation").sync(ids[0], client=client, body=update(archived_at=705103200))
    assert archived.archived_at == 705103200
    cleared = _operation("update_conversation").sync_detailed(
        ids[0], client=client, body=update(archived_at=None, pinned_message_id=None), if_match='"2"'
    )
    assert cleared.status_code == 200, cleared.content
    assert (cleared.parsed.archived_at, cleared.parsed.pinned_message_id) == (None, None)

    # Delete, then it is gone: the generated client parses the error body too
    assert _operation("delete_conversation").sync_detailed(ids[0], client=client).status_code == 204
    gone = _operation("retrieve_conversation").sync_detailed(ids[0], client=client)
    assert gone.status_code == 404
    assert gone.parsed.message == f"No such conversation: '{ids[0]}'"


def test_every_message_operation_through_the_generated_client(generated: ModuleType, server: LocalServer) -> None:
    client = generated.AuthenticatedClient(base_url=server.url, token=server.token(f"gen-{uuid.uuid4().hex}"))
    conversation = _operation("create_conversation").sync(
        client=client, body=_model("CreateConversationRequest")(contact_id=_contact_id(client, "Frank"))
    )
    send = _model("CreateMessageRequest")

    sent = [
        _operation("create_message").sync_detailed(
            client=client, body=send(conversation_id=conversation.id, message=text)
        )
        for text in ("one", "two", "three")
    ]
    assert [response.status_code for response in sent] == [201, 201, 201]
    ids = [response.parsed.id for response in sent]
    assert sent[0].headers["Location"] == f"/v1/messages/{ids[0]}"

    listing = _operation("list_messages")
    page = listing.sync(client=client, conversation_id=conversation.id, limit=2)
    assert ([m.id for m in page.data], page.has_more) == (sorted(ids, reverse=True)[:2], True)
    rest = listing.sync(client=client, limit=2, starting_after=page.data[-1].id)
    back = listing.sync(client=client, limit=2, ending_before=rest.data[0].id)
    assert [m.id for m in back.data] == [m.id for m in page.data]

    retrieved = _operation("retrieve_message").sync(ids[0], client=client)
    assert (retrieved.message, retrieved.contact) == ("one", None)
    update = _model("UpdateMessageRequest")
    read = _operation("update_message").sync(ids[0], client=client, body=update(read_at=705103200, message="edited"))
    assert (read.read_at, read.message) == (705103200, "edited")
    unread = _operation("update_message").sync(ids[0], client=client, body=update(read_at=None))
    assert unread.read_at is None

    assert _operation("delete_message").sync_detailed(ids[0], client=client).status_code == 204
    assert _operation("retrieve_message").sync_detailed(ids[0], client=client).status_code == 404


def test_every_webhook_operation_through_the_generated_client(generated: ModuleType, server: LocalServer) -> None:
    client = generated.AuthenticatedClient(base_url=server.url, token=server.token(f"gen-{uuid.uuid4().hex}"))
    register = _model("CreateWebhookRequest")
    every_event = _model("CreateWebhookRequestEventsItem")("*")

    created = [
        _operation("create_webhook").sync_detailed(
            client=client, body=register(name=f"hook {n}", url=f"http://127.0.0.1:9/{n}", events=[every_event])
        )
        for n in range(3)
    ]
    assert [response.status_code for response in created] == [201, 201, 201]
    assert created[0].parsed.secret.startswith("whsec_")
    ids = [response.parsed.id for response in created]

    listing = _operation("list_webhooks")
    page = listing.sync(client=client, limit=2)
    assert ([w.id for w in page.data], page.has_more) == (ids[::-1][:2], True)
    back = listing.sync(client=client, limit=2, ending_before=ids[0])
    assert [w.id for w in back.data] == ids[::-1][:2]

    retrieved = _operation("retrieve_webhook").sync_detailed(ids[0], client=client)
    assert (retrieved.status_code, retrieved.headers["ETag"], retrieved.parsed.url) == (
        200,
        '"1"',
        "http://127.0.0.1:9/0",
    )
    stale = _operation("delete_webhook").sync_detailed(ids[0], client=client, if_match='"2"')
    assert stale.status_code == 412
    assert _operation("delete_webhook").sync_detailed(ids[0], client=client, if_match='"1"').status_code == 204
    assert _operation("retrieve_webhook").sync_detailed(ids[0], client=client).status_code == 404


def test_every_contact_operation_through_the_generated_client(generated: ModuleType, server: LocalServer) -> None:
    client = generated.AuthenticatedClient(base_url=server.url, token=server.token(f"gen-{uuid.uuid4().hex}"))
    add = _model("CreateContactRequest")

    created = [
        _operation("create_contact").sync_detailed(
            client=client, body=add(username="FrankMcCallister", phone_number="1-800-759-3000")
        ),
        _operation("create_contact").sync_detailed(
            client=client,
            body=add(
                username="Kevin",
                phone_number="+1 212 555 0100",
                avatar_url="https://assets.clarityapp.ai/avatars/kevin.jpg",
            ),
            idempotency_key="gen-contact",
        ),
    ]
    assert [response.status_code for response in created] == [201, 201]
    assert created[0].parsed.phone_number == "1-800-759-3000"
    ids = [response.parsed.id for response in created]
    taken = _operation("create_contact").sync_detailed(
        client=client, body=add(username="frankmccallister", phone_number="1-800-759-3000")
    )
    assert taken.status_code == 409
    assert ids[0] in taken.parsed.message

    listing = _operation("list_contacts")
    assert [c.id for c in listing.sync(client=client, limit=10).data] == ids[::-1]
    assert [c.id for c in listing.sync(client=client, active=False, limit=1, starting_after=ids[1]).data] == [ids[0]]
    assert listing.sync(client=client, active=True).data == []

    retrieved = _operation("retrieve_contact").sync_detailed(ids[0], client=client)
    assert (retrieved.status_code, retrieved.parsed.display_name) == (200, None)
    update = _model("UpdateContactRequest")
    renamed = _operation("update_contact").sync(ids[0], client=client, body=update(display_name="UncleFrank"))
    assert renamed.display_name == "UncleFrank"
    reset = _operation("update_contact").sync_detailed(
        ids[0], client=client, body=update(display_name=None), if_match='"2"'
    )
    assert (reset.status_code, reset.parsed.display_name) == (200, None)

    assert _operation("delete_contact").sync_detailed(ids[0], client=client).status_code == 204
    assert _operation("retrieve_contact").sync_detailed(ids[0], client=client).status_code == 404


def test_every_group_operation_through_the_generated_client(generated: ModuleType, server: LocalServer) -> None:
    client = generated.AuthenticatedClient(base_url=server.url, token=server.token(f"gen-{uuid.uuid4().hex}"))
    frank, kevin = _contact_id(client, "Frank"), _contact_id(client, "Kevin")
    create = _model("CreateGroupRequest")

    created = [
        _operation("create_group").sync_detailed(
            client=client, body=create(name="Plaza Hotel", contacts=[kevin, frank])
        ),
        _operation("create_group").sync_detailed(
            client=client, body=create(name="Family", description="The McCallisters"), idempotency_key="gen-group"
        ),
    ]
    assert [response.status_code for response in created] == [201, 201]
    plaza = created[0].parsed
    assert [c.id for c in plaza.contacts] == [kevin, frank] and plaza.conversation_id
    not_mine = _operation("create_group").sync_detailed(
        client=client, body=create(name="x", contacts=["A000000000000000"])
    )
    assert not_mine.status_code == 400 and "contacts" in not_mine.parsed.message

    listing = _operation("list_groups")
    ids = [response.parsed.id for response in created]
    assert [g.id for g in listing.sync(client=client, limit=10).data] == ids[::-1]
    assert [g.id for g in listing.sync(client=client, limit=1, starting_after=ids[1]).data] == [ids[0]]

    update = _model("UpdateGroupRequest")
    archived = _operation("update_group").sync(
        plaza.id, client=client, body=update(archived_at=705103200, contacts=[frank])
    )
    assert (archived.archived_at, [c.id for c in archived.contacts]) == (705103200, [frank])
    assert [g.id for g in listing.sync(client=client, archived=True).data] == [plaza.id]
    cleared = _operation("update_group").sync_detailed(
        ids[1], client=client, body=update(description=None), if_match='"1"'
    )
    assert (cleared.status_code, cleared.parsed.description) == (200, None)
    retrieved = _operation("retrieve_group").sync_detailed(plaza.id, client=client)
    assert (retrieved.status_code, retrieved.headers["ETag"]) == (200, '"2"')

    assert _operation("delete_group").sync_detailed(plaza.id, client=client, if_match='"1"').status_code == 412
    assert _operation("delete_group").sync_detailed(plaza.id, client=client).status_code == 204
    assert _operation("retrieve_group").sync_detailed(plaza.id, client=client).status_code == 404
    assert _operation("retrieve_conversation").sync_detailed(plaza.conversation_id, client=client).status_code == 404


def test_the_generated_client_uploads_a_file_whose_link_downloads_the_same_bytes(
    generated: ModuleType, server: LocalServer
) -> None:
    client = generated.AuthenticatedClient(base_url=server.url, token=server.token(f"gen-{uuid.uuid4().hex}"))
    # Every byte value. (Not the generator's fixed boundary, "--+++" after a line break: its client
    # sets `boundary=+++`, so a file holding that line breaks its own body.)
    content = bytes(range(256)) * 4
    file = importlib.import_module(f"{PACKAGE}.types").File(
        payload=io.BytesIO(content), file_name="photo.png", mime_type="image/png"
    )

    response = _operation("create_attachment").sync_detailed(
        client=client, body=_model("CreateAttachmentFilesBody")(file=file)
    )

    assert response.status_code == 201, response.content
    created = response.parsed
    assert (created.filename, created.file_type, created.file_size) == ("photo.png", "image/png", len(content))
    assert str(created.file_url).startswith("http://127.0.0.1:")  # moto's S3 of the local server, nothing further
    with urllib.request.urlopen(created.file_url, timeout=30) as download:  # noqa: S310 - moto's S3 on loopback
        assert download.read() == content
    retrieved = _operation("retrieve_attachment").sync(client=client, attachment_id=created.id)
    assert (retrieved.id, retrieved.message_id) == (created.id, None)
