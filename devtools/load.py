"""`make load`: concurrent clients against the local server, then an audit of the final state.

20 clients (LOAD_CLIENTS) for LOAD_SECONDS seconds send a mix of creates, lists, retrieves,
updates and deletes as two owners. Each client logs what it created and deleted; at the end
every owner's conversations are listed and compared with that log. It fails on any 5xx, any
conversation lost or duplicated, and prints p50/p99 latency per operation.
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
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from devtools.local_issuer import LocalIssuer
from devtools.template import ROOT

OWNERS = ("load-alice", "load-bob")
OPERATIONS = ("create", "list", "retrieve", "update", "delete")
OPERATION_WEIGHTS = (30, 30, 15, 15, 10)


@dataclass
class ClientLog:
    created: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    deleted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)


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
        if operation in ("retrieve", "update", "delete") and not mine:
            operation = "create"
        started = time.perf_counter()
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
            return status, body, 200
        status, body = self.call("DELETE", path, owner)
        if status == 204:
            self.log.deleted[owner].add(conversation_id)
        return status, body, 204


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


def _all_ids(client: Client, owner: str) -> list[str]:
    ids: list[str] = []
    cursor = ""
    while True:
        status, page = client.call("GET", f"/v1/conversations?limit=100{cursor}", owner)
        if status != 200:
            raise RuntimeError(f"listing for the audit failed: {status} {page}")
        ids.extend(c["id"] for c in page["data"])
        if not page["has_more"]:
            return ids
        cursor = f"&starting_after={page['data'][-1]['id']}"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def main() -> int:
    seconds = float(os.environ.get("LOAD_SECONDS", "30"))
    client_count = int(os.environ.get("LOAD_CLIENTS", "20"))
    port = _free_port()
    server = _start_server(port)
    try:
        issuer = LocalIssuer()
        tokens = {owner: issuer.token(owner) for owner in OWNERS}
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

        auditor = Client(port, tokens, seed=-1)
        problems: list[str] = []
        for owner in OWNERS:
            expected = set().union(*(c.log.created[owner] - c.log.deleted[owner] for c in clients))
            listed = _all_ids(auditor, owner)
            if len(listed) != len(set(listed)):
                problems.append(f"{owner}: duplicated conversations in the list")
            if lost := expected - set(listed):
                problems.append(f"{owner}: {len(lost)} conversations lost")
            if extra := set(listed) - expected:
                problems.append(f"{owner}: {len(extra)} conversations nobody created or all deleted")
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
            out.write(f"  {operation:<9} {len(values):6d} requests  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms\n")
        out.write(f"5xx: {len(errors)}  unexpected statuses: {len(unexpected)}  audit problems: {len(problems)}\n")
        for line in (errors + unexpected + problems)[:20]:
            out.write(f"  {line}\n")
        return 1 if errors or unexpected or problems else 0
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())
