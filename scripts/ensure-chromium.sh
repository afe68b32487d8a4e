#!/usr/bin/env bash
# Makes sure Debian's chromium is installed: the API reference page is tested in it, driven by
# Playwright (whose own browser download does not work here). Where this fails, `make test` fails.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "test: installing Debian's chromium" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
