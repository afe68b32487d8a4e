#!/usr/bin/env bash
# Builds the e2e DynamoDB: moto's server on the stand-in Lambda image's Python 3.13, so the
# function containers reach it by name on the e2e Docker network. It serves SQS as well (the
# webhook queues), which needs nothing beyond moto's own dependencies. Cached like the stand-in.
set -euo pipefail
image="${1:?usage: dynamodb-image.sh IMAGE BASE_IMAGE}"
base_image="${2:?usage: dynamodb-image.sh IMAGE BASE_IMAGE}"
moto_version="$(grep -E '^moto==' requirements/dev.lock | cut -d= -f3)"

if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
python3 -m pip install --quiet --disable-pip-version-check --no-compile \
  --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
  --implementation cp --python-version 3.13 --only-binary=:all: \
  --target "$context/site" "moto[server,dynamodb]==$moto_version"
cat >"$context/Dockerfile" <<DOCKERFILE
FROM $base_image
COPY site /opt/moto
ENV PYTHONPATH=/opt/moto
EXPOSE 5000
ENTRYPOINT ["/usr/bin/python3", "-m", "moto.server", "-H", "0.0.0.0", "-p", "5000"]
DOCKERFILE
docker build --quiet --tag "$image" "$context" >/dev/null
echo "e2e: built $image" >&2
