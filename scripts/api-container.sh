#!/usr/bin/env bash
# The API container's entry point (api/Dockerfile): wait for the
# database, apply the migrations, load the demo data into an empty
# database when LOAD_DEMO=1, then run the API in the foreground.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL is required}"
for _ in $(seq 1 60); do
	pg_isready -d "$DATABASE_URL" -q && break
	sleep 1
done
bash /app/scripts/migrate.sh
if [ "${LOAD_DEMO:-0}" = 1 ]; then
	bash /app/scripts/demo.sh
fi
exec bash /app/scripts/api.sh /tmp/interlibrary
