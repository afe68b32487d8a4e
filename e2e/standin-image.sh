#!/usr/bin/env bash
# Builds a local stand-in for public.ecr.aws/lambda/python:3.13, which cannot be pulled here:
# a Debian trixie root (Python 3.13) made with debootstrap, AWS's runtime interface client
# (awslambdaric, from PyPI) in /var/runtime, and a /var/runtime/bootstrap that runs it.
# `sam local` adds its own runtime interface emulator on top (--invoke-image).
# The image is cached: nothing is done when it exists already.
set -euo pipefail
image="${1:?usage: standin-image.sh IMAGE}"
awslambdaric_version="4.2.2"

if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
echo "e2e: debootstrap trixie into $root (about a minute)" >&2
debootstrap --variant=minbase --include=python3,ca-certificates trixie "$root" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}

python3 -m pip install --quiet --disable-pip-version-check --no-compile \
  --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
  --implementation cp --python-version 3.13 --only-binary=:all: \
  --target "$root/var/runtime" "awslambdaric==$awslambdaric_version"

mkdir -p "$root/var/task" "$root/opt"
cat >"$root/var/runtime/bootstrap" <<'BOOTSTRAP'
#!/bin/sh
# As in AWS's python image: the handler's code, then layers, then the runtime client.
export PYTHONPATH="/var/task:/opt/python:/var/runtime${PYTHONPATH:+:$PYTHONPATH}"
exec /usr/bin/python3 -m awslambdaric "$_HANDLER"
BOOTSTRAP
chmod 755 "$root/var/runtime/bootstrap"
rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*

tar -C "$root" -c . | docker import \
  --change 'ENV LAMBDA_TASK_ROOT=/var/task LAMBDA_RUNTIME_DIR=/var/runtime LANG=C.UTF-8' \
  --change 'WORKDIR /var/task' \
  --change 'ENTRYPOINT ["/var/runtime/bootstrap"]' \
  - "$image" >/dev/null
echo "e2e: built $image" >&2
