"""The README's curl tour, as a newcomer pastes it: it runs against `make run` without an error,
and no word in it is one zsh (macOS's default shell) would expand or pass on as a comment."""

import os
import re
import subprocess
import uuid

from devtools.template import ROOT
from tests.http.conftest import LocalServer

README = ROOT / "README.md"
LOCAL_BASE = "BASE=http://127.0.0.1:3000"
TOKEN_LINE = "TOKEN=$(make -s token SUB=alice | tail -1)"


def _tour() -> str:
    """The shell blocks of the README's "Try it" section, in order, as one script."""
    section = README.read_text(encoding="utf-8").split("\n## Try it\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL))


def test_no_word_of_the_tour_is_a_zsh_pattern_or_a_trailing_comment() -> None:
    for line in _tour().splitlines():
        if line.startswith("#"):
            continue
        unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "", line)
        # Unquoted, zsh takes [ ] * ? for a file pattern and stops at "no matches found".
        assert not re.search(r"[][*?]", unquoted), line
        # Without interactivecomments, zsh passes a trailing "# ..." on as words of the command.
        assert not re.search(r"\s#", unquoted), line


def test_the_tour_runs_as_written(server: LocalServer) -> None:
    tour = _tour()
    assert tour.count(LOCAL_BASE) == 1 and tour.count(TOKEN_LINE) == 1
    owner = f"tour-{uuid.uuid4().hex}"
    # Only the server's port and a fresh owner change; the token comes from `make token`.
    script = tour.replace(LOCAL_BASE, f"BASE={server.url}").replace("SUB=alice", f"SUB={owner}")
    env = {**os.environ, "LOCAL_KEY_DIR": str(server.key_directory)}

    completed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    answers = completed.stdout
    # Every request succeeded: no error body, and neither of the gateway's own refusals.
    assert "documentation_url" not in answers, answers
    assert '"Unauthorized"' not in answers and '"Not Found"' not in answers, answers
    # The quoted bracket form reached the API as the reference's reaction.
    assert '{"red_angry_face":["KateMcCallister"]}' in answers.replace(" ", ""), answers
    assert '"secret":"whsec_' in answers.replace(" ", "")
    # The message answered its file as an attachment object that names the message.
    assert '"message_id":"' in answers.replace(" ", ""), answers
