"""`make listen`: a webhook receiver for local runs, as `stripe listen` is for Stripe's.

It registers a webhook for every event type at the local API (`make run`), pointing at a
server of its own on 127.0.0.1, prints each event it receives with whether its signature
checks out, and deletes the webhook when stopped (Ctrl-C).

    make listen                    owner alice, API on http://127.0.0.1:3000
    make listen SUB=bob API_URL=http://127.0.0.1:3001 LISTEN_PORT=4000
"""

import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from clarity.webhooks.signing import ATTEMPT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, is_signed_by
from devtools.local_issuer import LocalIssuer
from devtools.loopback_receiver import Delivered, LoopbackReceiver

DEFAULT_API_URL = "http://127.0.0.1:3000"


def call_api(api_url: str, token: str, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(  # noqa: S310 - the local API, on loopback
        f"{api_url}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        text = response.read().decode()
    return json.loads(text) if text else None


def printer(secret_holder: dict[str, str], out: Any = sys.stdout) -> Callable[[Delivered], int]:
    """Print each event with its signature's verdict; answer 200, or 400 to a bad signature."""

    def answer(delivered: Delivered) -> int:
        signed = is_signed_by(secret_holder["secret"], delivered.body, delivered.headers.get(SIGNATURE_HEADER, ""))
        event = json.loads(delivered.body) if signed else {}
        verdict = "signature ok" if signed else "SIGNATURE MISMATCH (answered 400)"
        print(
            f"--> {event.get('type', '?')}  event {delivered.headers.get(EVENT_ID_HEADER)}"
            f"  attempt {delivered.headers.get(ATTEMPT_HEADER)}  {verdict}",
            file=out,
            flush=True,
        )
        if signed:
            print(json.dumps(event["payload"], indent=2), file=out, flush=True)
        return 200 if signed else 400

    return answer


def main() -> None:
    api_url = os.environ.get("API_URL") or DEFAULT_API_URL
    owner = os.environ.get("SUB") or "alice"
    token = LocalIssuer().token(owner)
    secret_holder: dict[str, str] = {}
    receiver = LoopbackReceiver(printer(secret_holder), port=int(os.environ.get("LISTEN_PORT") or 0))
    url = receiver.url("/events")
    try:
        webhook = call_api(api_url, token, "POST", "/v1/webhooks", {"name": "make listen", "url": url, "events": ["*"]})
    except (urllib.error.URLError, OSError) as error:
        receiver.close()
        sys.exit(f"make listen: cannot register a webhook at {api_url} ({error}); is `make run` running?")
    secret_holder["secret"] = webhook["secret"]
    sys.stdout.write(
        f"Listening on {url} for owner '{owner}': webhook {webhook['id']}, every event type.\n"
        f"Its secret (verify x-clarity-signature with it): {webhook['secret']}\nCtrl-C stops it.\n"
    )
    sys.stdout.flush()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    receiver.close()
    call_api(api_url, token, "DELETE", f"/v1/webhooks/{webhook['id']}")
    sys.stdout.write(f"Deleted webhook {webhook['id']}.\n")


if __name__ == "__main__":
    main()
