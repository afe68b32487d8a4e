"""Every Python block of the SDK's README, of docs/sdk.md and of the project README's tour runs as
written against the local server, with CLARITY_API_TOKEN and CLARITY_BASE_URL set as the SDK's quick
start sets them (an owner of each test's own)."""

import re
from pathlib import Path
from typing import Any

import pytest

from clarity_api import webhooks
from devtools.template import ROOT
from tests.http.conftest import LocalServer

SDK_README = ROOT / "sdk" / "python" / "README.md"
SDK_PAGE = ROOT / "docs" / "sdk.md"
PROJECT_README = ROOT / "README.md"


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


def section(path: Path, heading: str) -> str:
    return path.read_text(encoding="utf-8").split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


@pytest.fixture
def environment(server: LocalServer, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLARITY_API_TOKEN", token)
    monkeypatch.setenv("CLARITY_BASE_URL", server.url)


def run(blocks: list[str], namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the blocks in order in one namespace, as one would paste them into one session."""
    namespace = {} if namespace is None else namespace
    for block in blocks:
        exec(compile(block, "<markdown>", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


@pytest.mark.usefixtures("environment")
def test_the_sdk_readmes_quick_start_runs_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    [quick_start] = python_blocks(section(SDK_README, "## Quick start"))
    namespace = run([quick_start])
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(namespace["message"].id + " ")
    assert printed[1:] == [f"{namespace['conversation'].id} {namespace['kevin'].id} {namespace['message'].created_at}"]


@pytest.mark.usefixtures("environment")
def test_every_other_block_of_the_sdk_readme_runs(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = python_blocks(SDK_README.read_text(encoding="utf-8"))
    assert len(blocks) == 5
    namespace = run(blocks)
    printed = capsys.readouterr().out
    assert "404 invalid_request" in printed
    assert namespace["page"].data == [] and namespace["everyone"] == []

    # The webhook handler: 200 to a signed event, 400 to a forged one
    body = b'{"id": "Ev3ntIdAAAAAAAAA", "type": "contact.deleted", "created_at": 1, "payload": {"avatar_url": null,'
    body += b' "conversation_id": null, "created_at": 1, "display_name": null, "id": "C0ntactAAAAAAAAA",'
    body += b' "last_active_at": null, "phone_number": "1-800-759-3000", "username": "Kevin"}}'
    signed = {"x-clarity-signature": webhooks.signature(body, "whsec")}
    assert namespace["handle"](body, signed, "whsec") == 200
    assert "contact.deleted Ev3ntIdAAAAAAAAA C0ntactAAAAAAAAA" in capsys.readouterr().out
    assert namespace["handle"](body, signed, "another secret") == 400


@pytest.mark.usefixtures("environment")
def test_the_reference_examples_on_the_sdk_page_run() -> None:
    blocks = python_blocks(SDK_PAGE.read_text(encoding="utf-8"))
    assert len(blocks) == 7
    namespace = run(blocks)
    assert namespace["frank"].display_name == "UncleFrank"
    assert namespace["plaza"].description == "The finest in New York."
    assert namespace["conversation"].is_pinned and namespace["conversation"].is_muted
    assert [attachment.filename for attachment in namespace["message"].attachments] == ["invoice-2026.pdf"]
    assert namespace["client"]._http.is_closed


@pytest.mark.usefixtures("environment")
def test_the_readme_tours_sdk_calls_run() -> None:
    blocks = python_blocks(section(PROJECT_README, "## Try it"))
    assert len(blocks) == 6
    namespace = run(blocks)
    client = namespace["client"]
    try:
        assert namespace["big"].file_size == 5 * 1024 * 1024 and namespace["big"].file_url is not None
        assert [
            message.message for message in client.messages.list(conversation_id=namespace["buzz_chat"].id).data
        ] == ["The invoice, as promised"]
    finally:
        client.close()
