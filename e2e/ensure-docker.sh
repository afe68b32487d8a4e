#!/usr/bin/env bash
# Makes sure a Docker engine answers: installs Debian's docker.io and starts dockerd if needed.
# Where this fails, `make e2e` fails: in CI a missing Docker is a failure, not a skip.
set -euo pipefail
log_dir="${1:-.local}"
mkdir -p "$log_dir"

if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "e2e: installing docker.io" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
echo "e2e: starting dockerd (log: $log_dir/dockerd.log)" >&2
nohup dockerd >"$log_dir/dockerd.log" 2>&1 &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "e2e: dockerd did not start; see $log_dir/dockerd.log" >&2
exit 1
