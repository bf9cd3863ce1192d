#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine (needs Debian's docker-compose).
# Exits non-zero when the file is invalid.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  echo "check-compose: docker-compose not found; install it with: apt-get install -y docker-compose" >&2
  exit 1
fi

# What the API image copies and runs must exist in the repository.
for f in api/Makefile api/conf/interlibrary.conf scripts/api-container.sh scripts/api.sh \
    scripts/migrate.sh scripts/demo.sh frontend/index.html frontend/docker-config.js; do
  if [ ! -e "$f" ]; then
    echo "check-compose: $f, used by the images, is missing" >&2
    exit 1
  fi
done
[ -x scripts/api-container.sh ] || { echo "check-compose: scripts/api-container.sh is not executable" >&2; exit 1; }

if docker-compose -f docker-compose.yml config -q; then
  echo "check-compose: docker-compose.yml is valid"
else
  rc=$?
  echo "check-compose: docker-compose.yml is INVALID (docker-compose config exited $rc)" >&2
  exit "$rc"
fi
