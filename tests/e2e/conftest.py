"""`make e2e`: the built functions under `sam local`, in Docker, against a DynamoDB container.

`make e2e` first makes sure Docker runs, builds the stand-in Lambda image and the DynamoDB image,
and runs `sam build`; these fixtures start the DynamoDB container on an e2e network that the
function containers join (`--docker-network`), so all DynamoDB traffic stays between containers.
The container is moto's server, which serves SQS too: the webhook queues live there as well.
"""

import http.client
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from devtools.local_issuer import LocalIssuer
from devtools.sam_local import env_vars, local_queue_urls
from devtools.template import create_bucket, create_tables
from devtools.webhook_pipeline import create_queues
from tests.support import EXAMPLE_CONVERSATION_ID, EXAMPLE_WEBHOOK_URL, seed_examples

NETWORK = "clarity-e2e"
DYNAMODB_CONTAINER = "clarity-e2e-dynamodb"
TABLE_NAME = "conversations-e2e"
EXAMPLE_ID = EXAMPLE_CONVERSATION_ID
# The endpoint as the function containers reach it, on the e2e network.
CONTAINER_ENDPOINT = f"http://{DYNAMODB_CONTAINER}:5000"


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the e2e tests with `make e2e`")
    return value


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def docker(*arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *arguments], capture_output=True, text=True, check=check)


@dataclass
class E2EEnvironment:
    dynamodb: Any
    issuer: LocalIssuer
    env_vars_file: Path
    sam: str
    invoke_image: str
    # moto's SQS as this machine reaches it, and the webhook queues' URLs here.
    sqs: Any
    queue_url: str
    dead_letter_queue_url: str

    def sam_local_arguments(self) -> list[str]:
        return [
            "--env-vars",
            str(self.env_vars_file),
            "--docker-network",
            NETWORK,
            "--invoke-image",
            self.invoke_image,
            "--skip-pull-image",
        ]

    def seed_examples(self, owner: str, webhook_url: str = EXAMPLE_WEBHOOK_URL) -> None:
        """The conversation, message and webhook the committed events name, owned by `owner`."""
        seed_examples(self.dynamodb, owner, TABLE_NAME, webhook_url=webhook_url)


def wait_for_http(port: int, seconds: float) -> None:
    """Until something answers HTTP (any status): docker's port proxy accepts connections earlier."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
    raise RuntimeError(f"nothing answers HTTP on 127.0.0.1:{port}")


@pytest.fixture(scope="session")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EEnvironment]:
    dynamodb_image = required_env("E2E_DYNAMODB_IMAGE")
    invoke_image = required_env("STANDIN_IMAGE")
    sam = required_env("SAM_CLI")
    docker("network", "create", NETWORK, check=False)
    docker("rm", "-f", DYNAMODB_CONTAINER, check=False)
    port = free_port()
    docker("run", "-d", "--rm", "--name", DYNAMODB_CONTAINER, "--network", NETWORK,
           "-p", f"127.0.0.1:{port}:5000", dynamodb_image)  # fmt: skip
    try:
        wait_for_http(port, 60)
        here = f"http://127.0.0.1:{port}"
        client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=here)
        create_tables(client, TABLE_NAME)
        sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=here)
        queue_url, dead_letter_queue_url = create_queues(sqs, TABLE_NAME)
        create_bucket(boto3.client("s3", region_name="us-east-1", endpoint_url=here), TABLE_NAME)
        # The same queues under the name the function containers reach moto by.
        queue_urls = local_queue_urls(CONTAINER_ENDPOINT, TABLE_NAME)
        assert [url.rsplit("/", 2)[1:] for url in queue_urls] == [
            url.rsplit("/", 2)[1:] for url in (queue_url, dead_letter_queue_url)
        ]
        issuer = LocalIssuer(tmp_path_factory.mktemp("issuer"))
        env_vars_file = tmp_path_factory.mktemp("sam") / "env.json"
        document = env_vars(
            TABLE_NAME,
            CONTAINER_ENDPOINT,
            issuer,
            sqs_endpoint_url=CONTAINER_ENDPOINT,
            queue_url=queue_urls[0],
            dead_letter_queue_url=queue_urls[1],
            s3_endpoint_url=CONTAINER_ENDPOINT,
        )
        env_vars_file.write_text(json.dumps(document), encoding="utf-8")
        yield E2EEnvironment(client, issuer, env_vars_file, sam, invoke_image, sqs, queue_url, dead_letter_queue_url)
    finally:
        docker("rm", "-f", DYNAMODB_CONTAINER, check=False)


def unique_owner() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"
