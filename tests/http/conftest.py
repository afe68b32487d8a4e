"""Starts `python -m devtools.local_api` (what `make run` runs) on a free port for the session."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from devtools.local_issuer import LocalIssuer
from devtools.template import ROOT

STARTUP_TIMEOUT_SECONDS = 30
SERVER_ENV = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'shared' / 'python'}{os.pathsep}{ROOT}"}


@dataclass
class LocalServer:
    url: str
    issuer: LocalIssuer
    key_directory: Path
    process: subprocess.Popen[str]
    # Everything the server printed so far. A reader thread drains its output as it comes: a
    # full pipe would block the server's next log line, and with it the request that logs it.
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def wait_for_output(self, text: str, timeout_seconds: float = 20) -> str:
        """The first line printed so far or within the timeout that contains `text`."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            found = next((line for line in list(self.output) if text in line), None)
            if found is not None or time.monotonic() > deadline:
                assert found is not None, f"no line with {text!r} in:\n{''.join(self.output)[-3000:]}"
                return found
            time.sleep(0.1)

    def token(self, sub: str = "alice") -> str:
        return self.issuer.token(sub)

    def request(
        self,
        method: str,
        path: str,
        *,
        owner: str | None = "alice",
        token: str | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        all_headers = dict(headers or {})
        if token is None and owner is not None:
            token = self.token(owner)
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=all_headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http on loopback
                status, response_headers, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, response_headers, raw = error.code, dict(error.headers), error.read()
        return status, response_headers, json.loads(raw) if raw else None

    def new_contact(self, owner: str = "alice") -> str:
        """A new contact of `owner`'s (a username of its own): its id."""
        body = {"username": f"person-{uuid.uuid4().hex[:12]}", "phone_number": "+14155550100"}
        status, _, created = self.request("POST", "/v1/contacts", owner=owner, json_body=body)
        assert status == 201, created
        return str(created["id"])

    def conversation_body(self, owner: str = "alice") -> dict[str, str]:
        """A body that opens a new conversation of `owner`'s: with a contact made for it."""
        return {"contact_id": self.new_contact(owner)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local server exited early:\n{process.stdout.read() if process.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("local server did not start in time")


def start_local_server(key_directory: Path, extra_env: dict[str, str] | None = None) -> LocalServer:
    port = free_port()
    # The test session's own TABLE_NAME is not the server's: it makes its own table.
    inherited = {name: value for name, value in os.environ.items() if name != "TABLE_NAME"}
    env = {
        **inherited,
        "PORT": str(port),
        "LOCAL_KEY_DIR": str(key_directory),
        "PYTHONPATH": f"{ROOT / 'layers' / 'shared' / 'python'}{os.pathsep}{ROOT}",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.local_api"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_until_serving(port, process)
    server = LocalServer(
        url=f"http://127.0.0.1:{port}", issuer=LocalIssuer(key_directory), key_directory=key_directory, process=process
    )
    server.reader = threading.Thread(target=server.drain, daemon=True)
    server.reader.start()
    return server


def stop_local_server(server: LocalServer) -> str:
    server.process.send_signal(signal.SIGINT)
    server.process.wait(timeout=15)
    if server.reader is not None:
        server.reader.join(timeout=15)
    return "".join(server.output)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    local = start_local_server(tmp_path_factory.mktemp("keys"))
    yield local
    stop_local_server(local)
