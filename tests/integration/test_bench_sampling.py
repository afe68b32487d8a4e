"""The bench samples fewer cold starts of a function that shares another's code path
(bench/cold_start.py, SHARES_CODE_PATH_WITH), in fresh processes and in the Lambda image: that is
sound only while the two load the same modules, so that what differs between them is the one
request each serves."""

import json
import os
import subprocess
import sys

import pytest

from bench.cold_start import FUNCTIONS, SHARES_CODE_PATH_WITH, runs_for
from devtools.template import ROOT

# Runs in a fresh interpreter: serve the function's bench request once, DynamoDB stubbed as the
# warm bench stubs it (and S3), then list every module loaded but the function's own.
SERVE_ONCE = """
import contextlib, io, json, os, sys
from bench import warm
from bench.cold_start import FUNCTIONS
from devtools.lambda_context import LocalLambdaContext

name = sys.argv[1]
client, _ = warm.stubbed("dynamodb", warm.STUBBED_ANSWERS[name], 1)
sqs, _ = warm.stubbed("sqs", warm.STUBBED_QUEUE_ANSWERS.get(name, []), 1)
s3, _ = warm.stubbed("s3", warm.STUBBED_S3_ANSWERS.get(name, []), 1)
target = FUNCTIONS[name]
handler = warm.handler_serving_from("ours", target, client, sqs, s3)
event = target.event(warm.IDS)
with contextlib.redirect_stdout(io.StringIO()):
    status = target.status(handler(event, LocalLambdaContext(target.module_name)))
modules = sorted(module for module in sys.modules if not module.startswith("functions"))
print(json.dumps({"status": status, "modules": modules}))
"""


def _modules_after_one_request(name: str) -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", SERVE_ONCE, name], cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=120,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'shared' / 'python'}:{ROOT}",
             "POWERTOOLS_METRICS_NAMESPACE": "Bench", "POWERTOOLS_SERVICE_NAME": "bench",
             "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    assert outcome["status"] < 300, name
    modules: list[str] = outcome["modules"]
    return modules


@pytest.mark.parametrize("lead", sorted(set(SHARES_CODE_PATH_WITH.values())))
def test_functions_sampled_less_load_exactly_what_the_function_they_follow_loads(lead: str) -> None:
    followers = [name for name, followed in SHARES_CODE_PATH_WITH.items() if followed == lead]

    loaded = {name: _modules_after_one_request(name) for name in [lead, *followers]}

    for follower in followers:
        # What one loads and the other does not (phonenumbers, say, were a create to follow a retrieve)
        assert set(loaded[follower]) ^ set(loaded[lead]) == set(), follower


def test_only_functions_that_follow_a_fully_sampled_one_are_sampled_less() -> None:
    assert set(SHARES_CODE_PATH_WITH) <= set(FUNCTIONS)
    assert all(runs_for(lead, 15) == 15 for lead in SHARES_CODE_PATH_WITH.values())
    assert {name for name in FUNCTIONS if runs_for(name, 15) < 15} == set(SHARES_CODE_PATH_WITH)
