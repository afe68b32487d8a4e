"""The layer as `sam build` makes it: our package, its locked dependencies, and Python 3.13 bytecode."""

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from devtools.template import ROOT, load_template

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
    # sam local's tokens are HS256 (the standard library's HMAC): no crypto library ships to AWS.
    assert (built_layer / "jwt").is_dir()
    for absent in ("cryptography", "cffi", "_cffi_backend.cpython-313-x86_64-linux-gnu.so"):
        assert not (built_layer / absent).exists(), absent


@pytest.mark.skipif(not _python_313_available(), reason="no python3.13 on this machine to compile with")
def test_the_layer_ships_unchecked_python_313_bytecode(built_layer: Path) -> None:
    # Lambda's /opt is read-only: without these, every cold start compiles the layer from source.
    compiled = built_layer / "clarity" / "conversations" / "__pycache__" / "repository.cpython-313.pyc"
    assert compiled.is_file()
    assert int.from_bytes(compiled.read_bytes()[4:8], "little") == HASH_BASED_UNCHECKED
    assert list((built_layer / "botocore" / "__pycache__").glob("client.cpython-313.pyc"))


def test_the_architecture_is_one_parameter_for_the_functions_and_the_layer() -> None:
    template = load_template()
    parameter = template["Parameters"]["Architecture"]
    assert parameter["Default"] == "x86_64"
    assert parameter["AllowedValues"] == ["x86_64", "arm64"]
    assert template["Globals"]["Function"]["Architectures"] == [{"Ref": "Architecture"}]
    layer = template["Resources"]["SharedLayer"]["Properties"]
    assert layer["CompatibleArchitectures"] == [{"Ref": "Architecture"}]


@pytest.mark.parametrize(("architecture", "machine"), [("x86_64", "x86_64"), ("arm64", "aarch64")])
def test_the_layer_installs_wheels_for_the_architecture_it_is_built_for(
    architecture: str, machine: str, tmp_path: Path
) -> None:
    layer = str(ROOT / "layers" / "shared")
    planned = subprocess.run(
        ["make", "-n", "-C", layer, "build-SharedLayer", f"LAYER_ARCHITECTURE={architecture}"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "ARTIFACTS_DIR": str(tmp_path)},
    ).stdout
    assert f"--platform manylinux2014_{machine} --platform manylinux_2_28_{machine}" in planned
