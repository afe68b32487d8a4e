"""The layer as `sam build` makes it: our package, its locked dependencies, and Python 3.13 bytecode."""

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from devtools.template import ROOT

LAYER_SOURCE = ROOT / "layers" / "shared"
HASH_BASED_UNCHECKED = 0b01  # PEP 552: the pyc's flags word when hash-based and never checked


def _python_313_available() -> bool:
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    found_on_path = shutil.which("python3.13") is not None and (
        subprocess.run(["python3.13", "-c", "pass"], capture_output=True, check=False).returncode == 0
    )
    return found_on_path or bool(glob.glob(f"{pyenv_root}/versions/3.13*/bin/python3.13"))


@pytest.fixture(scope="module")
def built_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    artifacts = tmp_path_factory.mktemp("layer")
    subprocess.run(
        ["make", "-s", "-C", str(LAYER_SOURCE), "build-SharedLayer", f"ARTIFACTS_DIR={artifacts}"],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return artifacts / "python"


def test_the_layer_holds_our_package_and_its_dependencies(built_layer: Path) -> None:
    assert (built_layer / "clarity" / "conversations" / "repository.py").is_file()
    for dependency in ("aws_lambda_powertools", "pydantic", "boto3"):
        assert (built_layer / dependency).is_dir(), dependency
    assert not (built_layer / "bin").exists()
    # Tracing is Lambda's own (Tracing: Active): the X-Ray SDK and its wrapt are not shipped.
    assert not (built_layer / "aws_xray_sdk").exists()
    assert not (built_layer / "wrapt").exists()


@pytest.mark.skipif(not _python_313_available(), reason="no python3.13 on this machine to compile with")
def test_the_layer_ships_unchecked_python_313_bytecode(built_layer: Path) -> None:
    # Lambda's /opt is read-only: without these, every cold start compiles the layer from source.
    compiled = built_layer / "clarity" / "conversations" / "__pycache__" / "repository.cpython-313.pyc"
    assert compiled.is_file()
    assert int.from_bytes(compiled.read_bytes()[4:8], "little") == HASH_BASED_UNCHECKED
    assert list((built_layer / "botocore" / "__pycache__").glob("client.cpython-313.pyc"))
