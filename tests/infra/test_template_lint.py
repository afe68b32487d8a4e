"""cfn-lint and checkov report nothing and `sam validate --lint` passes on template.yaml."""

import json
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


def _checkov(template: Path) -> subprocess.CompletedProcess[str]:
    checkov = Path(os.environ.get("CHECKOV", ROOT / ".venv-checkov" / "bin" / "checkov"))
    if not checkov.exists():
        pytest.fail(f"checkov is not installed at {checkov}: run the tests with `make test`")
    return subprocess.run(
        [str(checkov), "--file", str(template), "--config-file", str(ROOT / ".checkov.yaml"), "--output", "json"],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=300,
    )  # fmt: skip


def _failed_checks(completed: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    report = json.loads(completed.stdout)
    return [(check["check_id"], check["resource"]) for check in report["results"]["failed_checks"]]


def test_checkov_reports_nothing_beyond_the_checks_skipped_with_a_reason() -> None:
    completed = _checkov(TEMPLATE_PATH)

    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert _failed_checks(completed) == []
    assert json.loads(completed.stdout)["summary"]["passed"] > 0


def test_checkov_would_catch_a_public_or_unencrypted_attachments_bucket(tmp_path: Path) -> None:
    """The bucket's checks run (a weakened copy fails them), so the clean report above means something."""
    weakened = TEMPLATE_PATH.read_text(encoding="utf-8")
    for hardening in ("        BlockPublicAcls: true\n", "        RestrictPublicBuckets: true\n"):
        assert hardening in weakened
        weakened = weakened.replace(hardening, "", 1)
    start = weakened.index("      BucketEncryption:\n")
    weakened = weakened[:start] + weakened[weakened.index("      LifecycleConfiguration:\n") :]
    copy = tmp_path / "template.yaml"
    copy.write_text(weakened, encoding="utf-8")

    completed = _checkov(copy)

    failed = _failed_checks(completed)
    assert completed.returncode == 1
    assert {check for check, resource in failed if resource == "AWS::S3::Bucket.AttachmentsBucket"} >= {
        "CKV_AWS_53",  # BlockPublicAcls
        "CKV_AWS_56",  # RestrictPublicBuckets
    }
