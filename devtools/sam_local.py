"""Files `sam local` needs here: an env-vars file and the committed events with a real token.

`make sam-local-files SUB=alice DYNAMODB_ENDPOINT_URL=http://...` writes them into .local/sam/.
The API's events get a token for SUB; the webhook workers' events (the table's stream, the
delivery queue) get SUB as the owner of their records.
"""

import hashlib
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from clarity.store import keys
from clarity.webhooks.queue import Delivery
from devtools.local_issuer import LocalIssuer
from devtools.template import ROOT, attachments_bucket_name, idempotency_table_name
from devtools.webhook_pipeline import queue_names

EVENTS_DIRECTORY = ROOT / "events"
TOKEN_PLACEHOLDER = "<local-token>"  # noqa: S105 - a placeholder, not a secret
# moto's server (the e2e container) names a queue <endpoint>/<account>/<name>.
LOCAL_ACCOUNT = "123456789012"


def env_vars(
    table_name: str,
    dynamodb_endpoint_url: str,
    issuer: LocalIssuer,
    *,
    sqs_endpoint_url: str = "",
    queue_url: str = "",
    dead_letter_queue_url: str = "",
    s3_endpoint_url: str = "",
) -> dict[str, Any]:
    """The --env-vars document: every function gets the table, the endpoints and the issuer's
    key; webhooks may point at loopback only (the template's Globals say "public"); the webhook
    workers get the delivery queues (empty: a worker that needs one says which is missing)."""
    return {
        "Parameters": {
            "TABLE_NAME": table_name,
            "IDEMPOTENCY_TABLE_NAME": idempotency_table_name(table_name),
            "DYNAMODB_ENDPOINT_URL": dynamodb_endpoint_url,
            "LOCAL_JWT_SECRET": issuer.secret,
            "WEBHOOK_DESTINATIONS": "loopback",
            "SQS_ENDPOINT_URL": sqs_endpoint_url,
            "WEBHOOK_QUEUE_URL": queue_url,
            "WEBHOOK_DEAD_LETTER_QUEUE_URL": dead_letter_queue_url,
            "ATTACHMENTS_BUCKET": attachments_bucket_name(table_name),
            "S3_ENDPOINT_URL": s3_endpoint_url,
        }
    }


# Whose example data a schedule's event is run against: the committed events' owner.
SCHEDULE_OWNER = "alice"


def committed_event(name: str) -> dict[str, Any]:
    """An event from events/ as committed."""
    event: dict[str, Any] = json.loads((EVENTS_DIRECTORY / f"{name}.json").read_text(encoding="utf-8"))
    return event


def is_api_event(event: dict[str, Any]) -> bool:
    """An API Gateway event (the HTTP functions'), not a batch of stream or queue records."""
    return "routeKey" in event


def is_scheduled_event(event: dict[str, Any]) -> bool:
    """An EventBridge schedule's event (the attachment sweep's): it names no owner's data."""
    return event.get("detail-type") == "Scheduled Event"


def event_with_token(name: str, token: str) -> dict[str, Any]:
    """A committed event from events/, with a real bearer token in place of the placeholder."""
    event = committed_event(name)
    event["headers"]["authorization"] = event["headers"]["authorization"].replace(TOKEN_PLACEHOLDER, token)
    return event


def _record_owner(record: dict[str, Any]) -> str:
    if "dynamodb" in record:
        return keys.owner_of_partition(record["dynamodb"]["Keys"][keys.PK]["S"])
    return Delivery.from_message(record["body"]).owner


def event_owner(event: dict[str, Any]) -> str:
    """Whose data a committed event names: the API's caller, or the owner of the first record."""
    if is_api_event(event):
        return str(event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"])
    if is_scheduled_event(event):
        return SCHEDULE_OWNER
    return _record_owner(event["Records"][0])


def _moved(value: str, old_partition: str, new_partition: str) -> str:
    if value == old_partition or value.startswith(f"{old_partition}#"):
        return new_partition + value.removeprefix(old_partition)
    return value


def with_owner(event: dict[str, Any], owner: str) -> dict[str, Any]:
    """A webhook worker's event whose records belong to `owner`: a stream record's keys and
    images move to the owner's partitions, a queued delivery names the owner."""
    moved: dict[str, Any] = json.loads(json.dumps(event))
    for record in moved.get("Records", []):
        if "dynamodb" in record:
            old, new = keys.owner_partition(_record_owner(record)), keys.owner_partition(owner)
            for image in ("Keys", "NewImage", "OldImage"):
                for value in record["dynamodb"].get(image, {}).values():
                    if "S" in value:
                        value["S"] = _moved(value["S"], old, new)
        else:
            record["body"] = replace(Delivery.from_message(record["body"]), owner=owner).to_message()
            record["md5OfBody"] = hashlib.md5(record["body"].encode("utf-8"), usedforsecurity=False).hexdigest()
    return moved


def local_queue_urls(sqs_endpoint_url: str, table_name: str) -> tuple[str, str]:
    """The delivery and dead-letter queue URLs that moto's server gives the local queues."""
    delivery, dead_letters = queue_names(table_name)
    base = f"{sqs_endpoint_url.rstrip('/')}/{LOCAL_ACCOUNT}"
    return f"{base}/{delivery}", f"{base}/{dead_letters}"


def write_files(
    directory: Path,
    sub: str,
    table_name: str,
    dynamodb_endpoint_url: str,
    sqs_endpoint_url: str,
    s3_endpoint_url: str = "",
) -> None:
    issuer = LocalIssuer()
    (directory / "events").mkdir(parents=True, exist_ok=True)
    queue_url, dead_letter_queue_url = local_queue_urls(sqs_endpoint_url, table_name)
    document = env_vars(
        table_name,
        dynamodb_endpoint_url,
        issuer,
        sqs_endpoint_url=sqs_endpoint_url,
        queue_url=queue_url,
        dead_letter_queue_url=dead_letter_queue_url,
        s3_endpoint_url=s3_endpoint_url,
    )
    (directory / "env.json").write_text(json.dumps(document))
    token = issuer.token(sub)
    for path in sorted(EVENTS_DIRECTORY.glob("*.json")):
        event = committed_event(path.stem)
        event = event_with_token(path.stem, token) if is_api_event(event) else with_owner(event, sub)
        (directory / "events" / path.name).write_text(json.dumps(event, indent=2))
    sys.stdout.write(f"wrote {directory}/env.json and {directory}/events/*.json for owner '{sub}'\n")


def main() -> None:
    dynamodb_endpoint_url = os.environ.get("DYNAMODB_ENDPOINT_URL") or "http://clarity-e2e-dynamodb:5000"
    write_files(
        ROOT / ".local" / "sam",
        sub=sys.argv[1] if len(sys.argv) > 1 else "alice",
        table_name=os.environ.get("TABLE_NAME") or "conversations-local",
        dynamodb_endpoint_url=dynamodb_endpoint_url,
        # moto's server answers SQS and S3 too.
        sqs_endpoint_url=os.environ.get("SQS_ENDPOINT_URL") or dynamodb_endpoint_url,
        s3_endpoint_url=os.environ.get("S3_ENDPOINT_URL") or dynamodb_endpoint_url,
    )


if __name__ == "__main__":
    main()
