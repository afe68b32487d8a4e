"""The SDK's models are openapi.json's: regenerated now (as `make sdk` does, into a temporary file),
they are the committed ones, byte for byte."""

import difflib
import os
import subprocess
from pathlib import Path

from devtools.template import ROOT

COMMITTED = ROOT / "sdk" / "python" / "src" / "clarity_api" / "_generated.py"
# The Makefile exports where its .venv-sdk's Python is; without make, the same place.
GENERATOR_PYTHON = Path(os.environ.get("SDK_GENERATOR_PYTHON", ROOT / ".venv-sdk" / "bin" / "python"))


def test_the_committed_models_are_generated_from_openapi_json(tmp_path: Path) -> None:
    assert GENERATOR_PYTHON.exists(), f"{GENERATOR_PYTHON} is missing: `make install` makes it"
    fresh = tmp_path / "_generated.py"
    subprocess.run(
        [str(GENERATOR_PYTHON), str(ROOT / "sdk" / "python" / "generate_models.py"), str(fresh)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    difference = "".join(
        difflib.unified_diff(
            COMMITTED.read_text().splitlines(keepends=True),
            fresh.read_text().splitlines(keepends=True),
            "committed",
            "from openapi.json",
        )
    )
    assert difference == "", f"the SDK's models differ from openapi.json: run `make sdk`\n{difference[:3000]}"


def test_every_response_schema_has_a_model() -> None:
    # A generator option that dropped models would still agree with itself: check the names too.
    source = COMMITTED.read_text()
    for name in ("Conversation", "Message", "Contact", "Group", "Attachment", "Webhook", "CreatedWebhook",
                 "CreatedAttachment", "DirectUpload", "MessageCreatedEvent", "AttachmentDeletedEvent"):  # fmt: skip
        assert f"\nclass {name}:\n" in source, name
