#!/usr/bin/env bash
# Compiles the built layer to Python 3.13 bytecode. Lambda mounts layers read-only at /opt, so
# Python there cannot cache bytecode: a layer without .pyc files is compiled from source on every
# cold start (BENCHMARKS.md: importing a function took about 510 ms that way, 172 ms with these).
# Bytecode is specific to one Python minor version, so this needs a python3.13 on the build
# machine (`sam build --use-container` has one). Without it the layer still works, only slower.
set -euo pipefail
target="$1"
python313=""
if python3.13 -c pass 2>/dev/null; then
  python313=python3.13
else
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13; do
    [ -x "$candidate" ] && python313="$candidate"
  done
fi
if [ -z "$python313" ]; then
  echo "warning: no python3.13 found; the layer ships without bytecode (slower cold starts)" >&2
  exit 0
fi
# unchecked-hash: the .pyc files are trusted as built, whatever timestamps the zip gives the sources.
"$python313" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$target" >/dev/null
