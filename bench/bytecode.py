"""What the layer's precompiled bytecode saves on a real cold start: `make bench-bytecode`.

The main bench runs from a virtual environment whose bytecode Python has cached already. On
Lambda the layer is mounted read-only at /opt, so Python cannot cache: a layer without .pyc files
is compiled from source on every cold start. This times importing each function's handler module
in the python3.13 stand-in image (e2e/standin-image.sh), the layer and code mounted read-only,
with the layer as `sam build` makes it and with its bytecode removed.
"""

import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.lambda_image import build_layer
from devtools.template import ROOT

RUNS = 7
IMPORT_TIMER = (
    "import importlib, sys, time; started = time.perf_counter(); importlib.import_module(sys.argv[1]); "
    "print((time.perf_counter() - started) * 1000)"
)


def import_ms(image: str, layer: Path, module: str) -> float:
    completed = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "python3",
         "-v", f"{layer}:/opt:ro", "-v", f"{ROOT / 'functions'}:/var/task/functions:ro",
         "-e", "PYTHONPATH=/opt/python:/var/task", "-e", "AWS_DEFAULT_REGION=us-east-1",
         "-e", "POWERTOOLS_SERVICE_NAME=conversations", image, "-c", IMPORT_TIMER, module],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return float(completed.stdout.split()[-1])


def main() -> None:
    image = sys.argv[1]
    with tempfile.TemporaryDirectory() as scratch:
        compiled = build_layer(Path(scratch) / "compiled")
        source_only = Path(scratch) / "source-only"
        shutil.copytree(compiled, source_only, ignore=shutil.ignore_patterns("__pycache__"))
        sys.stdout.write("Import of the handler module in the Lambda image (median ms)  no bytecode  bytecode\n")
        for app in sorted((ROOT / "functions").glob("*/app.py")):
            module = f"functions.{app.parent.name}.app"
            medians = [
                statistics.median(import_ms(image, layer, module) for _ in range(RUNS))
                for layer in (source_only, compiled)
            ]
            sys.stdout.write(f"  {app.parent.name:<58} {medians[0]:11.0f} {medians[1]:9.0f}\n")


if __name__ == "__main__":
    main()
