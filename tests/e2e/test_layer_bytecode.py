"""The built layer's bytecode is what Python 3.13 in the Lambda image actually loads."""

import subprocess

from bench.bytecode import import_ms
from devtools.template import ROOT
from tests.e2e.conftest import required_env

BUILT_LAYER = ROOT / ".aws-sam" / "build" / "SharedLayer"


def test_python_313_in_the_lambda_image_loads_the_layer_from_its_bytecode() -> None:
    # Read-only, as Lambda mounts layers: Python can neither write nor refresh a cache there.
    completed = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "python3", "-v", f"{BUILT_LAYER}:/opt:ro",
         "-e", "PYTHONPATH=/opt/python", required_env("STANDIN_IMAGE"), "-v", "-c",
         "import clarity.conversations.repository"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip

    assert (
        "code object from '/opt/python/clarity/conversations/__pycache__/repository.cpython-313.pyc'"
        in completed.stderr
    )
    assert "code object from '/opt/python/botocore/__pycache__/client.cpython-313.pyc'" in completed.stderr


def test_bench_bytecode_can_time_a_handler_import_in_the_image() -> None:
    # `make bench-bytecode` is not run by CI; this keeps its measuring step from rotting.
    assert import_ms(required_env("STANDIN_IMAGE"), BUILT_LAYER, "functions.list_conversations.app") > 0
