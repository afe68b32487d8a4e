"""What a function loads, and how, is what its cold start pays for: the delivery worker has no use
for the API's pydantic models and must not load pydantic (it did, through the storage layer,
before), and no function's loading may wait on the garbage collector (clarity/startup.py)."""

import json
import os
import subprocess
import sys

import pytest

from devtools.template import ROOT

# Runs in a fresh interpreter: serve the committed delivery event once, DynamoDB stubbed and the
# receiver a function, then say whether pydantic was loaded and what the handler answered.
DELIVER_ONCE = """
import json, sys
from dataclasses import replace
import boto3
from botocore.stub import Stubber
from clarity.core.settings import Settings, WebhookSettings
from clarity.wiring import Outbound, build_services, use_services
from devtools.lambda_context import LocalLambdaContext

client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url="http://stubbed.invalid")
stubber = Stubber(client)
webhook = {"PK": {"S": "OWNER#alice"}, "SK": {"S": "HOOK#1vNYyuXVqC00YPDd"}, "id": {"S": "1vNYyuXVqC00YPDd"},
           "name": {"S": "n"}, "url": {"S": "http://127.0.0.1:9/hook"}, "events": {"L": [{"S": "*"}]},
           "created_at": {"N": "1764000000"}, "secret": {"S": "whsec_test"}}
stubber.add_response("get_item", {"Item": webhook})
stubber.activate()
queue = "https://sqs.us-east-1.amazonaws.com/123456789012/q"
hooks = WebhookSettings(destinations="loopback", queue_url=queue, dead_letter_queue_url=queue)
settings = replace(Settings.for_table("t"), webhooks=hooks)
posted = []
outbound = Outbound(hooks, send=lambda *arguments: posted.append(arguments) or 204)
use_services(build_services(settings, client, outbound=outbound), settings)

from functions.webhook_delivery.app import lambda_handler
event = json.load(open("events/webhook_delivery.json"))
answer = lambda_handler(event, LocalLambdaContext("WebhookDeliveryFunction"))
print(json.dumps({"pydantic": "pydantic" in sys.modules, "answer": answer, "posted": len(posted)}))
"""


def test_the_delivery_worker_delivers_without_loading_pydantic() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", DELIVER_ONCE], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'shared' / 'python'}:{ROOT}",
             "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"},
    )  # fmt: skip

    assert completed.returncode == 0, completed.stderr[-3000:]
    outcome = completed.stdout.strip().splitlines()[-1]
    assert outcome == '{"pydantic": false, "answer": {"batchItemFailures": []}, "posted": 1}'


# Notes the collector's passes while the function's module loads (from its first import,
# clarity.startup, on), in a fresh interpreter.
LOAD_ONCE = """
import gc, importlib, json, sys
passes = []
def note(phase, info):
    if phase == "start" and "clarity.startup" in sys.modules:
        passes.append(info["generation"])
gc.callbacks.append(note)
importlib.import_module(sys.argv[1])
loading = list(passes)
print(json.dumps({"passes": loading, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.parametrize("app", sorted(path.parent.name for path in (ROOT / "functions").glob("*/app.py")))
def test_a_function_loads_with_the_collector_paused_and_leaves_it_on(app: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", LOAD_ONCE, f"functions.{app}.app"], cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=120, env={**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'shared' / 'python'}:{ROOT}"},
    )  # fmt: skip

    assert completed.returncode == 0, completed.stderr[-3000:]
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    assert loaded["passes"] == []
    assert loaded["enabled"] is True
    assert loaded["frozen"] > 10_000  # what loading made is out of the collector's way
