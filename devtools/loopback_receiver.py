"""A webhook receiver on 127.0.0.1 for local tools and tests: `make listen`, `make load`,
`make bench` and the test suite each decide what to answer; this serves the HTTP."""

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Delivered:
    """One request as it arrived: its path, headers (lower-case names) and raw body."""

    path: str
    headers: Mapping[str, str]
    body: bytes


# What to answer with: a status, or None to hold the request without answering (a hung receiver).
Answer = Callable[[Delivered], int | None]


class LoopbackReceiver:
    def __init__(self, answer: Answer, port: int = 0) -> None:
        self._answer = answer
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                status = receiver._answer(Delivered(self.path, headers, body))
                if status is None:
                    receiver._release.wait(60)
                    return
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
                """Quiet: the caller reports what it received."""

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


if __name__ == "__main__":
    # `python -m devtools.loopback_receiver PORT`: answer every POST with 204, until killed (the
    # bench runs one beside the delivery worker in its container, where loopback is the container's).
    import sys
    import time

    LoopbackReceiver(lambda _: 204, port=int(sys.argv[1]))
    while True:
        time.sleep(3600)
