"""Cold starts as Lambda runs them: init plus the first invoke, in the Lambda image, through the
runtime interface emulator.

Each sample is a fresh container of the python3.13 stand-in image (e2e/standin-image.sh): the
layer as `sam build` makes it mounted read-only at /opt (bytecode included, as on Lambda, where
Python cannot write a cache), the function's code read-only at /var/task, and SAM's own runtime
interface emulator as the entrypoint, as `sam local` runs it. The emulator starts the runtime on
the first invoke and reports that invoke's duration, init included: that is the figure, what the
caller of a cold function waits for inside Lambda. The bare baseline (bench/lambda_baseline.py)
runs the same way in the same image, making the same DynamoDB requests, with boto3 from the same
layer. Ours and the baseline alternate, container by container, so drift hits both alike.

DynamoDB (and S3, for the attachments) is moto's server in a container on the same Docker
network (e2e/dynamodb-image.sh); nothing leaves this machine.
"""

import json
import os
import platform
import re
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from http.client import HTTPException
from pathlib import Path
from typing import Any

import boto3

from bench.cold_start import FUNCTIONS, Endpoint, Ids, Worker, runs_for
from bench.dynamodb_work import settings_for
from bench.targets import Targets, bench_services
from devtools.local_api import local_function_environment
from devtools.sam_local import local_queue_urls
from devtools.template import DEAD_LETTER_QUEUE_RESOURCE, DELIVERY_QUEUE_RESOURCE, ROOT, create_tables
from devtools.webhook_pipeline import create_queues

# Built by `make bench` (the Makefile names them) as for `make e2e`.
STANDIN_IMAGE = os.environ.get("STANDIN_IMAGE", "clarity/lambda-python-standin:3.13")
DYNAMODB_IMAGE = os.environ.get("E2E_DYNAMODB_IMAGE", "clarity/e2e-dynamodb:moto")
NETWORK = "clarity-bench"
DYNAMODB_CONTAINER = "clarity-bench-dynamodb"
TABLE = "bench-image"
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
# What the emulator logs after the first invoke: its duration, init included.
REPORT = re.compile(r"REPORT RequestId: \S+\s+Init Duration: [\d.]+ ms\s+Duration: (?P<ms>[\d.]+) ms")
INIT_REPORT = re.compile(r"INIT REPORT\(durationMs: (?P<ms>[\d.]+)\)")
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
RECEIVER_PORT = 8099
# The receiver listens before the emulator starts: a loaded machine could otherwise have the
# function deliver first (and fail), and the receiver's own start would overlap the measured invoke.
RECEIVER_THEN_EMULATOR = (
    f"PYTHONPATH=/receiver python3 -m devtools.loopback_receiver {RECEIVER_PORT} & "
    f"until (echo > /dev/tcp/127.0.0.1/{RECEIVER_PORT}) 2>/dev/null; do sleep 0.02; done; "
    "exec /var/rapid/aws-lambda-rie /var/runtime/bootstrap"
)


def build_layer(artifacts: Path) -> Path:
    """The shared layer as `sam build` makes it (bytecode included), under `artifacts`."""
    subprocess.run(
        ["make", "-s", "-C", str(ROOT / "layers" / "shared"), "build-SharedLayer", f"ARTIFACTS_DIR={artifacts}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return artifacts


def emulator_binary() -> Path:
    """The runtime interface emulator that SAM CLI ships and mounts into `sam local` containers."""
    machine = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
    found = sorted(ROOT.glob(f".venv-sam/lib/python*/site-packages/samcli/local/rapid/aws-lambda-rie-{machine}"))
    if not found:
        raise RuntimeError("no aws-lambda-rie in .venv-sam: run `make install` first")
    return found[-1]


def docker(*arguments: str) -> str:
    completed = subprocess.run(["docker", *arguments], capture_output=True, text=True, check=False, timeout=120)
    if completed.returncode != 0:
        raise RuntimeError(f"docker {' '.join(arguments[:2])} failed: {completed.stderr[-2000:]}")
    return completed.stdout.strip()


@dataclass(frozen=True)
class Invocation:
    """One function as a container runs it: its code, its handler and its environment, and
    whether a webhook receiver runs beside it (on the container's own loopback, the only
    place local runs may deliver to)."""

    code: Path
    mount_point: str
    handler: str
    environment: dict[str, str]
    with_receiver: bool = False


@dataclass(frozen=True)
class ColdStart:
    invoke_ms: float  # init and the first invoke, as the emulator reports it
    init_ms: float
    status: int


@contextmanager
def dynamodb_container() -> Iterator[tuple[str, str]]:
    """moto's server on its own network: (its URL from this machine, its URL from the functions)."""
    if not _exists("network", NETWORK):
        docker("network", "create", NETWORK)
    subprocess.run(["docker", "rm", "-f", DYNAMODB_CONTAINER], capture_output=True, check=False)
    docker(
        "run", "-d", "--rm", "--name", DYNAMODB_CONTAINER, "--network", NETWORK,
        "-p", "127.0.0.1::5000", DYNAMODB_IMAGE,
    )  # fmt: skip
    try:
        port = docker("port", DYNAMODB_CONTAINER, "5000/tcp").splitlines()[0].rsplit(":", 1)[1]
        yield f"http://127.0.0.1:{port}", f"http://{DYNAMODB_CONTAINER}:5000"
    finally:
        subprocess.run(["docker", "rm", "-f", DYNAMODB_CONTAINER], capture_output=True, check=False)


def _exists(kind: str, name: str) -> bool:
    return subprocess.run(["docker", kind, "inspect", name], capture_output=True, check=False).returncode == 0


def _wait_until_answering(client: Any) -> None:
    for _ in range(100):
        try:
            client.list_tables()
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("the DynamoDB container did not answer")


def _invoke(port: str, event: dict[str, Any]) -> dict[str, Any]:
    """POST the event to the emulator, retrying only while it is not listening yet."""
    request_body = json.dumps(event).encode()
    for _ in range(500):
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{INVOKE_PATH}", data=request_body)
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except urllib.error.HTTPError as error:  # the emulator answered: the function failed
            raise RuntimeError(f"the function failed: {error.read()[:2000]!r}") from error
        except (ConnectionError, HTTPException, urllib.error.URLError):
            time.sleep(0.01)
    raise RuntimeError("the emulator never answered")


def cold_start(invocation: Invocation, event: dict[str, Any], layer: Path, emulator: Path) -> ColdStart:
    """One fresh container: start it, invoke it once, read the emulator's report, remove it."""
    environment = [f"{name}={value}" for name, value in {**invocation.environment, **DUMMY_CREDENTIALS}.items()]
    start = ["--entrypoint", "/var/rapid/aws-lambda-rie", STANDIN_IMAGE, "/var/runtime/bootstrap"]
    receiver: list[str] = []
    if invocation.with_receiver:
        receiver = ["-v", f"{ROOT / 'devtools'}:/receiver/devtools:ro"]
        start = ["--entrypoint", "/bin/bash", STANDIN_IMAGE, "-c", RECEIVER_THEN_EMULATOR]
    container = docker(
        "run", "-d", "--network", NETWORK, "-p", "127.0.0.1::8080",
        "-v", f"{layer}:/opt:ro", "-v", f"{invocation.code}:{invocation.mount_point}:ro",
        "-v", f"{emulator}:/var/rapid/aws-lambda-rie:ro", *receiver,
        *[part for variable in environment for part in ("-e", variable)],
        "-e", f"_HANDLER={invocation.handler}", *start,
    )  # fmt: skip
    try:
        port = docker("port", container, "8080/tcp").splitlines()[0].rsplit(":", 1)[1]
        answer = _invoke(port, event)
        logs = subprocess.run(["docker", "logs", container], capture_output=True, text=True, check=True)
        output = logs.stdout + logs.stderr
    finally:
        subprocess.Popen(["docker", "rm", "-f", container], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report, init = REPORT.search(output), INIT_REPORT.search(output)
    # An endpoint answers a status, a batch its failures, the sweep its counts; a crash an errorMessage.
    if report is None or init is None or "errorMessage" in answer:
        raise RuntimeError(f"{invocation.handler} in {invocation.code} failed: {answer}\n{output[-3000:]}")
    status = int(answer["statusCode"]) if "statusCode" in answer else Worker.status(answer)
    return ColdStart(float(report["ms"]), float(init["ms"]), status)


def ours(name: str, environment: dict[str, str]) -> Invocation:
    """Our function: its code directory at /var/task, as `sam build` deploys it."""
    code = ROOT / Path(*FUNCTIONS[name].module_name.split(".")[:-1])
    return Invocation(code, "/var/task", "app.lambda_handler", environment, name == "webhook_delivery")


def bare(name: str, environment: dict[str, str]) -> Invocation:
    """The bare baseline: bench/ at /var/task/bench, its handler in bench/lambda_baseline.py."""
    handler = "bench.lambda_baseline.lambda_handler"
    return Invocation(ROOT / "bench", "/var/task/bench", handler, environment, name == "webhook_delivery")


def event_for(name: str, ids: Ids, bare_side: bool) -> dict[str, Any]:
    """The function's own event; the bare baseline's names the endpoint and its ids instead."""
    target = FUNCTIONS[name]
    if bare_side and isinstance(target, Endpoint):
        form = target.form()  # an upload's body goes as text: the bench's is ASCII
        return {"endpoint": name, **asdict(ids), "form": [form[0].decode(), form[1]] if form else None}
    return FUNCTIONS[name].event(ids)


def measure(runs: int, layer: Path, names: list[str] | None = None) -> dict[str, Any]:
    """The median cold start of each function and of the bare baseline, `runs` fresh containers
    each (`runs_for`), interleaved; every sample is kept, for the spread of the medians."""
    emulator = emulator_binary()
    with dynamodb_container() as (endpoint_url, container_url):
        client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint_url)
        _wait_until_answering(client)
        create_tables(client, TABLE, stream=False)
        create_queues(boto3.client("sqs", region_name="us-east-1", endpoint_url=endpoint_url), TABLE)
        queue_url, dead_letter_url = local_queue_urls(container_url, TABLE)
        services = bench_services(settings_for(TABLE), client, endpoint_url)
        targets = Targets(services, f"http://127.0.0.1:{RECEIVER_PORT}/hook")
        queues = {DELIVERY_QUEUE_RESOURCE: queue_url, DEAD_LETTER_QUEUE_RESOURCE: dead_letter_url}
        environment = local_function_environment(TABLE, container_url, queues)
        results: dict[str, Any] = {}
        for name in names or list(FUNCTIONS):
            samples: dict[str, list[ColdStart]] = {"ours": [], "baseline": []}
            taken_runs = runs_for(name, runs)
            for _ in range(taken_runs):
                event = event_for(name, targets.for_request(name), bare_side=False)
                samples["ours"].append(cold_start(ours(name, environment), event, layer, emulator))
                event = event_for(name, targets.for_request(name), bare_side=True)
                samples["baseline"].append(cold_start(bare(name, environment), event, layer, emulator))
            failed = [sample.status for side in samples.values() for sample in side if sample.status >= 400]
            if failed:
                raise RuntimeError(f"{name} answered {failed} in the Lambda image")
            row = {
                f"{side}_{figure}": statistics.median(getattr(sample, attribute) for sample in taken)
                for side, taken in samples.items()
                for figure, attribute in (("ms", "invoke_ms"), ("init_ms", "init_ms"))
            }
            kept = {f"{side}_samples_ms": [sample.invoke_ms for sample in taken] for side, taken in samples.items()}
            results[name] = {**row, "ratio": row["ours_ms"] / row["baseline_ms"], "runs": taken_runs, **kept}
        return results
