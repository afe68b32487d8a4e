"""`make load`: concurrent clients against the local server, then an audit of the final state.

20 clients (LOAD_CLIENTS) for LOAD_SECONDS seconds send a mix of conversation creates (each with
a contact made for it), lists, retrieves, updates and deletes, message sends (half of them from
the conversation's contact), lists, edits and deletes, contact creates (each with a username of
its own), lists with and without `active`, renames and deletes (which take the contact's
conversation with them, and the contact off its groups), and group creates, lists, member
changes and deletes, and file uploads (multipart), sends with a file and file deletes, as two
owners. Each client logs what it made and changed; at the end every
owner's conversations, messages, contacts and groups are listed and compared with that log,
each conversation's last_active_at with its newest send, each contact's display_name with its
last rename, each group's members with its last member list less the contacts deleted since;
deleted contacts must be 404s, every contact in exactly one of the `active` lists, no contact
may link a conversation that is not its own and there, no group may list a deleted contact,
and no two contacts of an owner share a username in any case. Every file logged is listed once,
with the message it was sent in; deleted ones (and those of deleted messages and conversations)
are gone; and the bucket holds exactly the listed files' objects: no object without its record,
no record without its object.
A webhook per owner receives the events of it all: every change the log records (creates,
updates, deletes, sends, edits, unsends, links, and what each delete takes with it) must arrive
once as its event, signed, at its owner's webhook, and nothing else.
It fails on any 5xx, anything lost, left behind or duplicated, and prints p50/p99 latency per
operation.
"""

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import boto3
from urllib3.filepost import encode_multipart_formdata

from clarity.webhooks.signing import SIGNATURE_HEADER, is_signed_by
from devtools.local_issuer import LocalIssuer
from devtools.loopback_receiver import Delivered, LoopbackReceiver
from devtools.template import ROOT

OWNERS = ("load-alice", "load-bob")
OPERATIONS = (
    *("create", "list", "retrieve", "update", "delete", "send", "list_messages", "edit", "unsend"),
    *("add_contact", "list_contacts", "rename_contact", "delete_contact"),
    *("add_group", "list_groups", "change_members", "delete_group"),
    *("upload", "delete_attachment"),
)
OPERATION_WEIGHTS = (20, 15, 10, 10, 5, 25, 10, 5, 5, 10, 6, 5, 3, 4, 3, 3, 1, 4, 2)
# Of the sends, this share first uploads a file and sends it with the message.
SENDS_WITH_A_FILE = 0.25
NEEDS_A_CONVERSATION = {"retrieve", "update", "delete", "send", "list_messages"}
NEEDS_A_MESSAGE = {"edit", "unsend"}
CONTACT_OPERATIONS = {"add_contact", "list_contacts", "rename_contact", "delete_contact"}
NEEDS_A_CONTACT = {"rename_contact", "delete_contact"}
GROUP_OPERATIONS = {"add_group", "list_groups", "change_members", "delete_group"}
NEEDS_A_GROUP = {"change_members", "delete_group"}
DISPLAY_NAMES = ("UncleFrank", "Old Man Marley", "Pigeon Lady", None)
# After the clients stop, how long the webhook events of their last changes may take to arrive.
EVENT_WAIT_SECONDS = 30


@dataclass
class ClientLog:
    created: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    deleted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # message id -> its conversation, per owner; and each conversation's newest send
    sent: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    unsent: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    newest_send: dict[str, int] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    # (owner, event type, object id) of every change made: each must arrive as a webhook event
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    # contact id -> its username, per owner; those deleted; and each contact's last display_name
    contacts: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    contacts_deleted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    display_names: dict[str, str | None] = field(default_factory=dict)
    # contact id -> its live conversation, and back
    conversation_of: dict[str, str] = field(default_factory=dict)
    contact_of: dict[str, str] = field(default_factory=dict)
    # group id -> its members (the last list, less the contacts deleted since), per owner; and
    # each group's conversation
    groups: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))
    group_conversations: dict[str, str] = field(default_factory=dict)
    # attachment id -> the message it was sent in (None: not sent), per owner; those deleted
    # (by their own delete or with their message); and each message's files
    files: dict[str, dict[str, str | None]] = field(default_factory=lambda: defaultdict(dict))
    files_deleted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    message_files: dict[str, list[str]] = field(default_factory=dict)


class Client:
    def __init__(self, port: int, tokens: dict[str, str], seed: int) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._tokens = tokens
        self._random = random.Random(seed)  # noqa: S311 - a reproducible mix of requests, not a secret
        self._seed = seed
        self._usernames = 0
        self.log = ClientLog()

    def call(self, method: str, path: str, owner: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self._tokens[owner]}"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        self._connection.request(method, path, body=payload, headers=headers)
        response = self._connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None

    def upload(self, owner: str) -> tuple[int, Any]:
        """POST /v1/attachments with a small file, as `curl -F file=@...` sends it."""
        content = bytes(self._random.randrange(256) for _ in range(self._random.randint(0, 64)))
        body, form_type = encode_multipart_formdata({"file": ("load.bin", content, "application/octet-stream")})
        headers = {"Authorization": f"Bearer {self._tokens[owner]}", "Content-Type": form_type}
        self._connection.request("POST", "/v1/attachments", body=body, headers=headers)
        response = self._connection.getresponse()
        raw = response.read()
        status, created = response.status, json.loads(raw) if raw else {}
        if status == 201:
            self.log.files[owner][created["id"]] = None
            self.log.changes.append((owner, "attachment.created", created["id"]))
        return status, created

    def step(self) -> None:
        owner = self._random.choice(OWNERS)
        operation = self._random.choices(OPERATIONS, OPERATION_WEIGHTS)[0]
        mine = sorted(self.log.created[owner] - self.log.deleted[owner])
        live_messages = sorted(
            message_id
            for message_id, conversation_id in self.log.sent[owner].items()
            if conversation_id in mine and message_id not in self.log.unsent[owner]
        )
        if operation in NEEDS_A_MESSAGE and not live_messages:
            operation = "send"
        if operation in NEEDS_A_CONVERSATION and not mine:
            operation = "create"
        my_contacts = sorted(set(self.log.contacts[owner]) - self.log.contacts_deleted[owner])
        if operation in NEEDS_A_CONTACT and not my_contacts:
            operation = "add_contact"
        if operation in NEEDS_A_GROUP and not self.log.groups[owner]:
            operation = "add_group"
        started = time.perf_counter()
        if operation in ("upload", "delete_attachment"):
            status, body, expected = self._run_on_files(operation, owner)
        elif operation in GROUP_OPERATIONS:
            status, body, expected = self._run_on_groups(operation, owner, my_contacts)
        elif operation in CONTACT_OPERATIONS:
            status, body, expected = self._run_on_contacts(operation, owner, my_contacts)
        elif operation in NEEDS_A_MESSAGE:
            status, body, expected = self._run_on_message(operation, owner, live_messages)
        elif operation in ("send", "list_messages"):
            status, body, expected = self._run_in_conversation(operation, owner, mine)
        else:
            status, body, expected = self._run(operation, owner, mine)
        self.log.latencies[operation].append((time.perf_counter() - started) * 1000)
        if status >= 500:
            self.log.server_errors.append(f"{operation} {status} {body}")
        elif status != expected:
            self.log.unexpected.append(f"{operation} {status} {body}")

    def _run(self, operation: str, owner: str, mine: list[str]) -> tuple[int, Any, int]:
        if operation == "create":
            # A contact has one conversation: each new one is with a contact made for it.
            status, contact, _ = self._run_on_contacts("add_contact", owner, [])
            if status != 201:
                return status, contact, 201
            status, body = self.call("POST", "/v1/conversations", owner, {"contact_id": contact["id"]})
            if status == 201:
                self.log.created[owner].add(body["id"])
                self.log.conversation_of[contact["id"]] = body["id"]
                self.log.contact_of[body["id"]] = contact["id"]
                self.log.changes.append((owner, "conversation.created", body["id"]))
                self.log.changes.append((owner, "contact.updated", contact["id"]))  # its conversation_id
            return status, body, 201
        if operation == "list":
            status, body = self.call("GET", "/v1/conversations?limit=20&archived=false", owner)
            return status, body, 200
        conversation_id = self._random.choice(mine)
        path = f"/v1/conversations/{conversation_id}"
        if operation == "retrieve":
            status, body = self.call("GET", path, owner)
            return status, body, 200
        if operation == "update":
            status, body = self.call("PUT", path, owner, {"is_muted": self._random.random() < 0.5})
            if status == 200:
                self.log.changes.append((owner, "conversation.updated", conversation_id))
            return status, body, 200
        status, body = self.call("DELETE", path, owner)
        if status == 204:
            self._conversation_gone(owner, conversation_id)
            contact_id = self.log.contact_of.pop(conversation_id)
            del self.log.conversation_of[contact_id]
            self.log.changes.append((owner, "contact.updated", contact_id))  # its conversation_id cleared
        return status, body, 204

    def _conversation_gone(self, owner: str, conversation_id: str) -> None:
        """A conversation deleted, by its own delete or its contact's: it, its messages and their
        files fire."""
        self.log.deleted[owner].add(conversation_id)
        self.log.changes.append((owner, "conversation.deleted", conversation_id))
        for message_id, in_conversation in self.log.sent[owner].items():
            if in_conversation == conversation_id and message_id not in self.log.unsent[owner]:
                self.log.changes.append((owner, "message.deleted", message_id))
                self._files_gone(owner, message_id)

    def _files_gone(self, owner: str, message_id: str) -> None:
        """A message deleted takes its files (those not deleted before) with it."""
        for file_id in self.log.message_files.get(message_id, []):
            if file_id not in self.log.files_deleted[owner]:
                self.log.files_deleted[owner].add(file_id)
                self.log.changes.append((owner, "attachment.deleted", file_id))

    def _run_on_files(self, operation: str, owner: str) -> tuple[int, Any, int]:
        live = sorted(set(self.log.files[owner]) - self.log.files_deleted[owner])
        if operation == "upload" or not live:
            status, body = self.upload(owner)
            return status, body, 201
        file_id = self._random.choice(live)
        status, body = self.call("DELETE", f"/v1/attachments/{file_id}", owner)
        if status == 204:
            self.log.files_deleted[owner].add(file_id)
            self.log.changes.append((owner, "attachment.deleted", file_id))
        return status, body, 204

    def _run_in_conversation(self, operation: str, owner: str, mine: list[str]) -> tuple[int, Any, int]:
        conversation_id = self._random.choice(mine)
        if operation == "list_messages":
            status, body = self.call("GET", f"/v1/messages?conversation_id={conversation_id}&limit=20", owner)
            return status, body, 200
        send: dict[str, Any] = {"conversation_id": conversation_id, "message": "m"}
        if self._random.random() < 0.5:
            send["contact_id"] = self.log.contact_of[conversation_id]  # received from its contact
        if self._random.random() < SENDS_WITH_A_FILE:
            uploaded_status, uploaded = self.upload(owner)
            if uploaded_status != 201:
                return uploaded_status, uploaded, 201
            send["attachments"] = [uploaded["id"]]
        status, body = self.call("POST", "/v1/messages", owner, send)
        if status == 201:
            self.log.sent[owner][body["id"]] = conversation_id
            self.log.changes.append((owner, "message.created", body["id"]))
            for file_id in send.get("attachments", []):
                self.log.files[owner][file_id] = body["id"]
                self.log.message_files[body["id"]] = [file_id]
                self.log.changes.append((owner, "attachment.updated", file_id))  # its message_id set
            newest = max(self.log.newest_send.get(conversation_id, 0), body["created_at"])
            self.log.newest_send[conversation_id] = newest
        return status, body, 201

    def _run_on_message(self, operation: str, owner: str, live_messages: list[str]) -> tuple[int, Any, int]:
        message_id = self._random.choice(live_messages)
        path = f"/v1/messages/{message_id}"
        if operation == "edit":
            status, body = self.call("PUT", path, owner, {"reactions": {"+1": [owner]}, "read_at": 705103200})
            if status == 200:
                self.log.changes.append((owner, "message.updated", message_id))
            return status, body, 200
        status, body = self.call("DELETE", path, owner)
        if status == 204:
            self.log.unsent[owner].add(message_id)
            self.log.changes.append((owner, "message.deleted", message_id))
            self._files_gone(owner, message_id)
        return status, body, 204

    def _run_on_contacts(self, operation: str, owner: str, my_contacts: list[str]) -> tuple[int, Any, int]:
        if operation == "add_contact":
            self._usernames += 1
            # Unique across clients and owners; in mixed case, as the uniqueness ignores case.
            username = f"Load{self._seed}-{self._usernames}"
            display_name = self._random.choice(DISPLAY_NAMES)
            body = {"username": username, "phone_number": "1-800-759-3000", "display_name": display_name}
            status, created = self.call("POST", "/v1/contacts", owner, body)
            if status == 201:
                self.log.contacts[owner][created["id"]] = username
                self.log.display_names[created["id"]] = display_name
                self.log.changes.append((owner, "contact.created", created["id"]))
            return status, created, 201
        if operation == "list_contacts":
            active = self._random.choice(("", "&active=true", "&active=false"))
            status, body = self.call("GET", f"/v1/contacts?limit=20{active}", owner)
            return status, body, 200
        contact_id = self._random.choice(my_contacts)
        path = f"/v1/contacts/{contact_id}"
        if operation == "rename_contact":
            display_name = self._random.choice(DISPLAY_NAMES)
            status, body = self.call("PUT", path, owner, {"display_name": display_name})
            if status == 200:
                self.log.display_names[contact_id] = display_name
                self.log.changes.append((owner, "contact.updated", contact_id))
            return status, body, 200
        status, body = self.call("DELETE", path, owner)
        if status == 204:
            self.log.contacts_deleted[owner].add(contact_id)
            self.log.changes.append((owner, "contact.deleted", contact_id))
            # Its conversation goes with it, and it leaves every group it was in.
            if conversation_id := self.log.conversation_of.pop(contact_id, None):
                del self.log.contact_of[conversation_id]
                self._conversation_gone(owner, conversation_id)
            for group_id, members in self.log.groups[owner].items():
                if contact_id in members:
                    members.remove(contact_id)
                    self.log.changes.append((owner, "group.updated", group_id))
        return status, body, 204

    def _run_on_groups(self, operation: str, owner: str, my_contacts: list[str]) -> tuple[int, Any, int]:
        if operation == "list_groups":
            archived = self._random.choice(("", "&archived=false"))
            status, body = self.call("GET", f"/v1/groups?limit=20{archived}", owner)
            return status, body, 200
        members = self._random.sample(my_contacts, min(len(my_contacts), self._random.randint(0, 3)))
        if operation == "add_group":
            status, body = self.call("POST", "/v1/groups", owner, {"name": "load", "contacts": members})
            if status == 201:
                self.log.groups[owner][body["id"]] = members
                self.log.group_conversations[body["id"]] = body["conversation_id"]
                self.log.changes.append((owner, "group.created", body["id"]))
                self.log.changes.append((owner, "conversation.created", body["conversation_id"]))
            return status, body, 201
        group_id = self._random.choice(sorted(self.log.groups[owner]))
        path = f"/v1/groups/{group_id}"
        if operation == "change_members":
            status, body = self.call("PUT", path, owner, {"contacts": members})
            if status == 200:
                self.log.groups[owner][group_id] = members
                self.log.changes.append((owner, "group.updated", group_id))
            return status, body, 200
        status, body = self.call("DELETE", path, owner)
        if status == 204:
            del self.log.groups[owner][group_id]
            self.log.changes.append((owner, "group.deleted", group_id))
            self.log.changes.append((owner, "conversation.deleted", self.log.group_conversations.pop(group_id)))
        return status, body, 204


class EventSink:
    """The owners' webhook receiver on 127.0.0.1: one path per owner, every signature checked,
    events kept by id (a retried delivery carries the same id and counts once)."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.events: dict[str, tuple[str, dict[str, Any]]] = {}  # event id -> (owner, event)
        self.bad_signatures = 0
        self._lock = threading.Lock()
        self._receiver = LoopbackReceiver(self._receive)

    def _receive(self, delivered: Delivered) -> int:
        owner = delivered.path.strip("/")
        secret = self.secrets.get(owner)
        given = delivered.headers.get(SIGNATURE_HEADER, "")
        signed = secret is not None and is_signed_by(secret, delivered.body, given)
        with self._lock:
            if not signed:
                self.bad_signatures += 1
                return 400
            event = json.loads(delivered.body)
            self.events[event["id"]] = (owner, event)
        return 200

    def url(self, owner: str) -> str:
        return self._receiver.url(f"/{owner}")

    def received(self) -> Counter[tuple[str, str, str]]:
        with self._lock:
            return Counter((owner, event["type"], event["payload"]["id"]) for owner, event in self.events.values())

    def close(self) -> None:
        self._receiver.close()


def _subscribe(client: Client, sink: EventSink, owner: str) -> None:
    status, webhook = client.call(
        "POST", "/v1/webhooks", owner, {"name": "make load", "url": sink.url(owner), "events": ["*"]}
    )
    if status != 201:
        raise RuntimeError(f"registering the load's webhook failed: {status} {webhook}")
    sink.secrets[owner] = webhook["secret"]


def _audit_events(clients: list[Client], sink: EventSink, wait_seconds: float) -> list[str]:
    """Every change the clients made arrives as one event at its owner's webhook, and nothing else."""
    expected = Counter(change for client in clients for change in client.log.changes)
    deadline = time.monotonic() + wait_seconds
    while sink.received() != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    received = sink.received()
    problems = [f"events: {sink.bad_signatures} with a bad signature"] if sink.bad_signatures else []
    if missing := expected - received:
        problems.append(f"events: {sum(missing.values())} changes never arrived, e.g. {sorted(missing)[:3]}")
    if extra := received - expected:
        problems.append(f"events: {sum(extra.values())} events for no change made, e.g. {sorted(extra)[:3]}")
    return problems


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "devtools.local_api"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the local server did not start")


def _everything(client: Client, owner: str, resource: str, query: str = "") -> list[dict[str, Any]]:
    """Every object of a list endpoint (with `query`, e.g. `&active=true`), page after page."""
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        status, page = client.call("GET", f"/v1/{resource}?limit=100{query}{cursor}", owner)
        if status != 200:
            raise RuntimeError(f"listing for the audit failed: {status} {page}")
        found.extend(page["data"])
        if not page["has_more"]:
            return found
        cursor = f"&starting_after={page['data'][-1]['id']}"


def _compare(owner: str, resource: str, expected: set[str], listed: list[str]) -> list[str]:
    """What differs between the ids a list gave and the ids the clients' logs expect."""
    problems = []
    if len(listed) != len(set(listed)):
        problems.append(f"{owner}: duplicated {resource} in the list")
    if lost := expected - set(listed):
        problems.append(f"{owner}: {len(lost)} {resource} lost")
    if extra := set(listed) - expected:
        problems.append(f"{owner}: {len(extra)} {resource} left behind or never made")
    return problems


def _audit(clients: list[Client], auditor: Client, owner: str) -> list[str]:
    expected = set().union(*(c.log.created[owner] - c.log.deleted[owner] for c in clients))
    groups_conversations = {c.log.group_conversations[group_id] for c in clients for group_id in c.log.groups[owner]}
    conversations = _everything(auditor, owner, "conversations")
    problems = _compare(owner, "conversations", expected | groups_conversations, [c["id"] for c in conversations])
    sent = {m: c for client in clients for m, c in client.log.sent[owner].items()}
    unsent = set().union(*(c.log.unsent[owner] for c in clients))
    # A message is live unless deleted, or in a conversation deleted since.
    live = {m for m, c in sent.items() if c in expected and m not in unsent}
    problems += _compare(owner, "messages", live, [m["id"] for m in _everything(auditor, owner, "messages")])
    newest = {c: t for client in clients for c, t in client.log.newest_send.items()}
    for conversation in conversations:
        if conversation["last_active_at"] != newest.get(conversation["id"]):
            problems.append(f"{owner}: {conversation['id']} last_active_at is not its newest send")
    return problems


def _audit_contacts(clients: list[Client], auditor: Client, owner: str) -> list[str]:
    """Every contact the logs say exists is listed once, with its username and last display_name;
    every deleted one is a 404; each is in exactly one `active` list; no two share a username in
    any case."""
    made = {c: username for client in clients for c, username in client.log.contacts[owner].items()}
    deleted = set().union(*(client.log.contacts_deleted[owner] for client in clients))
    names = {c: name for client in clients for c, name in client.log.display_names.items()}
    contacts = _everything(auditor, owner, "contacts")
    problems = _compare(owner, "contacts", set(made) - deleted, [c["id"] for c in contacts])
    for contact in contacts:
        if contact["id"] in made and contact["username"] != made[contact["id"]]:
            problems.append(f"{owner}: contact {contact['id']} username is not the one it was created with")
        if contact["id"] in names and contact["display_name"] != names[contact["id"]]:
            problems.append(f"{owner}: contact {contact['id']} display_name is not its last rename")
    for contact_id in sorted(deleted):
        status, body = auditor.call("GET", f"/v1/contacts/{contact_id}", owner)
        if status != 404:
            problems.append(f"{owner}: deleted contact {contact_id} answers {status} {body}")
    split = [c["id"] for flag in ("true", "false") for c in _everything(auditor, owner, "contacts", f"&active={flag}")]
    if sorted(split) != sorted(c["id"] for c in contacts):
        problems.append(f"{owner}: the active=true and active=false lists do not split the contacts")
    usernames = Counter(c["username"].lower() for c in contacts)
    if shared := sorted(username for username, count in usernames.items() if count > 1):
        problems.append(f"{owner}: usernames held by two contacts: {shared[:5]}")
    linked = {
        contact: conversation for client in clients for contact, conversation in client.log.conversation_of.items()
    }
    conversations = {c["id"]: c for c in _everything(auditor, owner, "conversations")}
    for contact in contacts:
        conversation = conversations.get(contact["conversation_id"] or "")
        if contact["conversation_id"] != linked.get(contact["id"]):
            problems.append(
                f"{owner}: contact {contact['id']} links {contact['conversation_id']}, not its conversation"
            )
        elif contact["conversation_id"] and (conversation is None or conversation["contact_id"] != contact["id"]):
            problems.append(f"{owner}: contact {contact['id']} links a missing conversation")
    return problems


def _audit_groups(clients: list[Client], auditor: Client, owner: str) -> list[str]:
    """Every group the logs say exists is listed once, with its members as last set less the
    contacts deleted since, in that order: no group lists a deleted contact."""
    expected = {group_id: members for client in clients for group_id, members in client.log.groups[owner].items()}
    deleted = set().union(*(client.log.contacts_deleted[owner] for client in clients))
    groups = _everything(auditor, owner, "groups")
    problems = _compare(owner, "groups", set(expected), [g["id"] for g in groups])
    for group in groups:
        members = [c["id"] for c in group["contacts"]]
        if set(members) & deleted:
            problems.append(f"{owner}: group {group['id']} lists a deleted contact")
        elif group["id"] in expected and members != expected[group["id"]]:
            problems.append(f"{owner}: group {group['id']} members are not its last member list")
    return problems


def _audit_files(clients: list[Client], auditor: Client, owner: str) -> list[str]:
    """Every file the logs say exists is listed once, with the message it was sent in; and the
    bucket holds exactly the listed files' objects (its keys read from the download links)."""
    made = {f: m for client in clients for f, m in client.log.files[owner].items()}
    deleted = set().union(*(client.log.files_deleted[owner] for client in clients))
    files = _everything(auditor, owner, "attachments")
    problems = _compare(owner, "attachments", set(made) - deleted, [f["id"] for f in files])
    for file in files:
        if file["id"] in made and file["message_id"] != made[file["id"]]:
            problems.append(f"{owner}: attachment {file['id']} names message {file['message_id']}, not its own")
        if not file["file_url"]:
            problems.append(f"{owner}: attachment {file['id']} has no file_url: a record without its object")
    objects = _objects_of(owner, [f["file_url"] for f in files if f["file_url"]])
    if objects.missing:
        problems.append(f"{owner}: {len(objects.missing)} records whose objects are gone")
    if objects.orphans:
        problems.append(f"{owner}: {len(objects.orphans)} objects without a record")
    return problems


@dataclass
class ObjectAudit:
    missing: set[str]
    orphans: set[str]


def _objects_of(owner: str, file_urls: list[str]) -> ObjectAudit:
    """The owner's objects in the bucket the links point at (moto's S3 of the local server),
    against the keys the links name."""
    if not file_urls:
        return ObjectAudit(set(), set())
    first = urlsplit(file_urls[0])
    if first.hostname not in ("127.0.0.1", "::1"):  # the audit reads only the local server's S3
        raise RuntimeError(f"file_url points off this machine: {first.hostname}")
    bucket = first.path.split("/")[1]
    linked = {unquote(urlsplit(url).path.split("/", 2)[2]) for url in file_urls}
    # The Makefile's dummy credentials: moto's server takes any.
    s3 = boto3.client("s3", endpoint_url=f"{first.scheme}://{first.netloc}", region_name="us-east-1")
    stored: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{quote(owner, safe='')}/"):
        stored.update(entry["Key"] for entry in page.get("Contents", []))
    return ObjectAudit(missing=linked - stored, orphans=stored - linked)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def main() -> int:
    seconds = float(os.environ.get("LOAD_SECONDS", "30"))
    client_count = int(os.environ.get("LOAD_CLIENTS", "20"))
    port = _free_port()
    server = _start_server(port)
    sink = EventSink()
    try:
        issuer = LocalIssuer()
        tokens = {owner: issuer.token(owner) for owner in OWNERS}
        auditor = Client(port, tokens, seed=-1)
        for owner in OWNERS:
            _subscribe(auditor, sink, owner)
        clients = [Client(port, tokens, seed) for seed in range(client_count)]
        deadline = time.monotonic() + seconds

        def drive(client: Client) -> None:
            while time.monotonic() < deadline:
                client.step()

        threads = [threading.Thread(target=drive, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        problems = [problem for owner in OWNERS for problem in _audit(clients, auditor, owner)]
        problems += [problem for owner in OWNERS for problem in _audit_contacts(clients, auditor, owner)]
        problems += [problem for owner in OWNERS for problem in _audit_groups(clients, auditor, owner)]
        problems += [problem for owner in OWNERS for problem in _audit_files(clients, auditor, owner)]
        problems += _audit_events(clients, sink, EVENT_WAIT_SECONDS)
        changes = sum(len(client.log.changes) for client in clients)
        errors = [e for c in clients for e in c.log.server_errors]
        unexpected = [e for c in clients for e in c.log.unexpected]
        latencies: dict[str, list[float]] = defaultdict(list)
        for client in clients:
            for operation, values in client.log.latencies.items():
                latencies[operation].extend(values)
        total = sum(len(v) for v in latencies.values())
        out = sys.stdout
        out.write(f"{client_count} clients, {seconds:.0f} s, {total} requests ({total / seconds:.0f}/s)\n")
        for operation, values in sorted(latencies.items()):
            p50, p99 = _percentile(values, 0.5), _percentile(values, 0.99)
            out.write(f"  {operation:<18} {len(values):6d} requests  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms\n")
        out.write(f"webhook events: {changes} changes made, {len(sink.events)} distinct events received\n")
        out.write(f"5xx: {len(errors)}  unexpected statuses: {len(unexpected)}  audit problems: {len(problems)}\n")
        for line in (errors + unexpected + problems)[:20]:
            out.write(f"  {line}\n")
        return 1 if errors or unexpected or problems else 0
    finally:
        sink.close()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())
