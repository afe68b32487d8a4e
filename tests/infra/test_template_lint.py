"""cfn-lint reports nothing and `sam validate --lint` passes on template.yaml."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.template import ROOT, TEMPLATE_PATH


def _sam_cli() -> Path:
    sam = Path(os.environ.get("SAM_CLI", ROOT / ".venv-sam" / "bin" / "sam"))
    if not sam.exists():
        pytest.fail(f"aws-sam-cli is not installed at {sam}: run the tests with `make test`")
    return sam


def test_cfn_lint_reports_nothing() -> None:
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(TEMPLATE_PATH)], capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.strip() == ""


def test_sam_validate_lint_passes() -> None:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"}
    completed = subprocess.run(
        [str(_sam_cli()), "validate", "--lint", "--template-file", str(TEMPLATE_PATH)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "is a valid SAM Template" in completed.stdout + completed.stderr
