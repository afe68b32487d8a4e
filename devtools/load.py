"""`make load`: concurrent clients against the local server, then an audit of the final state.

20 clients (LOAD_CLIENTS) for LOAD_SECONDS seconds send a mix of conversation creates, lists,
retrieves, updates and deletes, and message sends, lists, edits and deletes, as two owners.
Each client logs what it created, sent and deleted; at the end every owner's conversations and
messages are listed and compared with that log, and each conversation's last_active_at with its
newest send. A webhook per owner receives the events of it all: every change the log records
(creates, updates, deletes, sends, edits, unsends, and the messages deleted with their
conversation) must arrive once as its event, signed, at its owner's webhook, and nothing else.
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

from clarity.webhooks.signing import SIGNATURE_HEADER, is_signed_by
from devtools.local_issuer import LocalIssuer
from devtools.loopback_receiver import Delivered, LoopbackReceiver
from devtools.template import ROOT

OWNERS = ("load-alice", "load-bob")
OPERATIONS = ("create", "list", "retrieve", "update", "delete", "send", "list_messages", "edit", "unsend")
OPERATION_WEIGHTS = (20, 15, 10, 10, 5, 25, 10, 5, 5)
NEEDS_A_CONVERSATION = {"retrieve", "update", "delete", "send", "list_messages"}
NEEDS_A_MESSAGE = {"edit", "unsend"}
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


class Client:
    def __init__(self, port: int, tokens: dict[str, str], seed: int) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._tokens = tokens
        self._random = random.Random(seed)  # noqa: S311 - a reproducible mix of requests, not a secret
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
        started = time.perf_counter()
        if operation in NEEDS_A_MESSAGE:
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
            status, body = self.call("POST", "/v1/conversations", owner, {"contact_id": "WAz8eIbvDR60rouK"})
            if status == 201:
                self.log.created[owner].add(body["id"])
                self.log.changes.append((owner, "conversation.created", body["id"]))
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
            self.log.deleted[owner].add(conversation_id)
            self.log.changes.append((owner, "conversation.deleted", conversation_id))
            # Its messages go with it, and each fires message.deleted.
            for message_id, in_conversation in self.log.sent[owner].items():
                if in_conversation == conversation_id and message_id not in self.log.unsent[owner]:
                    self.log.changes.append((owner, "message.deleted", message_id))
        return status, body, 204

    def _run_in_conversation(self, operation: str, owner: str, mine: list[str]) -> tuple[int, Any, int]:
        conversation_id = self._random.choice(mine)
        if operation == "list_messages":
            status, body = self.call("GET", f"/v1/messages?conversation_id={conversation_id}&limit=20", owner)
            return status, body, 200
        status, body = self.call("POST", "/v1/messages", owner, {"conversation_id": conversation_id, "message": "m"})
        if status == 201:
            self.log.sent[owner][body["id"]] = conversation_id
            self.log.changes.append((owner, "message.created", body["id"]))
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


def _everything(client: Client, owner: str, resource: str) -> list[dict[str, Any]]:
    """Every object of a list endpoint, page after page."""
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        status, page = client.call("GET", f"/v1/{resource}?limit=100{cursor}", owner)
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
    conversations = _everything(auditor, owner, "conversations")
    problems = _compare(owner, "conversations", expected, [c["id"] for c in conversations])
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
            out.write(f"  {operation:<13} {len(values):6d} requests  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms\n")
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
