"""Files `sam local` needs here: an env-vars file and the committed events with a real token.

`make sam-local-files SUB=alice DYNAMODB_ENDPOINT_URL=http://...` writes them into .local/sam/.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

from devtools.local_issuer import LocalIssuer
from devtools.template import ROOT, idempotency_table_name

EVENTS_DIRECTORY = ROOT / "events"
TOKEN_PLACEHOLDER = "<local-token>"  # noqa: S105 - a placeholder, not a secret


def env_vars(table_name: str, dynamodb_endpoint_url: str, issuer: LocalIssuer) -> dict[str, Any]:
    """The --env-vars document: every function gets the table, the endpoint and the issuer's key."""
    return {
        "Parameters": {
            "TABLE_NAME": table_name,
            "IDEMPOTENCY_TABLE_NAME": idempotency_table_name(table_name),
            "DYNAMODB_ENDPOINT_URL": dynamodb_endpoint_url,
            "LOCAL_JWT_PUBLIC_KEY": issuer.public_key_pem,
        }
    }


def event_with_token(name: str, token: str) -> dict[str, Any]:
    """A committed event from events/, with a real bearer token in place of the placeholder."""
    event: dict[str, Any] = json.loads((EVENTS_DIRECTORY / f"{name}.json").read_text(encoding="utf-8"))
    event["headers"]["authorization"] = event["headers"]["authorization"].replace(TOKEN_PLACEHOLDER, token)
    return event


def write_files(directory: Path, sub: str, table_name: str, dynamodb_endpoint_url: str) -> None:
    issuer = LocalIssuer()
    (directory / "events").mkdir(parents=True, exist_ok=True)
    (directory / "env.json").write_text(json.dumps(env_vars(table_name, dynamodb_endpoint_url, issuer)))
    token = issuer.token(sub)
    for path in sorted(EVENTS_DIRECTORY.glob("*.json")):
        (directory / "events" / path.name).write_text(json.dumps(event_with_token(path.stem, token), indent=2))
    sys.stdout.write(f"wrote {directory}/env.json and {directory}/events/*.json for owner '{sub}'\n")


def main() -> None:
    write_files(
        ROOT / ".local" / "sam",
        sub=sys.argv[1] if len(sys.argv) > 1 else "alice",
        table_name=os.environ.get("TABLE_NAME") or "conversations-local",
        dynamodb_endpoint_url=os.environ.get("DYNAMODB_ENDPOINT_URL") or "http://clarity-e2e-dynamodb:5000",
    )


if __name__ == "__main__":
    main()
