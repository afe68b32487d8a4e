"""A new user's path: `pip install ./sdk/python` into a fresh virtual environment (pip reaches the
package index it is configured for: the build backend and httpx), then the README's quick start,
unchanged, against the local server."""

import re
import subprocess
import sys
from pathlib import Path

from devtools.template import ROOT
from tests.http.conftest import LocalServer

SDK = ROOT / "sdk" / "python"


def test_pip_install_then_the_quick_start(tmp_path: Path, server: LocalServer) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(SDK)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # It imports from the venv, not from this checkout, with its version and its py.typed
    where = subprocess.run(
        [str(python), "-c", "import clarity_api, importlib.metadata as m, pathlib; "
         "print(clarity_api.__file__, clarity_api.__version__, m.version('clarity-api'), "
         "(pathlib.Path(clarity_api.__file__).parent / 'py.typed').exists())"],
        capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path,
    ).stdout.split()  # fmt: skip
    assert where[0].startswith(str(venv)) and where[1] == where[2] and where[3] == "True"
    requirements = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.requires('clarity-api'))"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert re.findall(r"'(\w+)", requirements) == ["httpx"]

    readme = (SDK / "README.md").read_text(encoding="utf-8")
    quick_start = re.findall(r"```python\n(.*?)```", readme.split("\n## Quick start\n", 1)[1], flags=re.DOTALL)[0]
    environment = {
        "CLARITY_API_TOKEN": server.token("pip-user"),
        "CLARITY_BASE_URL": server.url,
        "PATH": "/usr/bin:/bin",
    }
    ran = subprocess.run(
        [str(python), "-c", quick_start], env=environment, capture_output=True, text=True, timeout=60, check=False,
        cwd=tmp_path,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert len(ran.stdout.splitlines()) == 2
