#!/usr/bin/env bash
# `make run`: the whole product with demo data on this machine.
#   - installs what is missing (Debian packages)
#   - a private PostgreSQL cluster kept under /var/lib/interlibrary/<checkout>
#     (the postgres user must reach it; a checkout under /root would not do)
#   - migrations, and the demo data the first time (dates relative to today)
#   - the API on 127.0.0.1:8080 and the front end on 127.0.0.1:8081
# Ctrl-C stops everything; running it again keeps the data.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/install-deps.sh run

key=$(printf '%s' "$top" | sha256sum | cut -c1-12)
state=/var/lib/interlibrary/$key
mkdir -p /var/lib/interlibrary "$state"
chmod 755 /var/lib/interlibrary "$state"
pg_port=${PG_PORT:-$((40000 + 0x${key:0:4} % 10000))}
export API_PORT=${API_PORT:-8080}
web_port=${WEB_PORT:-8081}
export PUBLIC_API_URL=${PUBLIC_API_URL:-http://127.0.0.1:$API_PORT}
export PUBLIC_WEB_URL=${PUBLIC_WEB_URL:-http://127.0.0.1:$web_port}

pids=()
stop() {
	trap - EXIT INT TERM
	echo
	echo "stopping..."
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	bash scripts/pg.sh stop "$state/pg"
	echo "stopped; the data stays in $state"
}
trap stop EXIT
trap 'exit 0' INT TERM

echo "building the API..."
make -C api -s
bash scripts/pg.sh start "$state/pg" "$pg_port" on
export DATABASE_URL
DATABASE_URL=$(bash scripts/pg.sh url "$state/pg" "$pg_port")
bash scripts/migrate.sh
bash scripts/demo.sh

bash scripts/api.sh "$state/api" &
pids+=("$!")
bash scripts/serve-frontend.sh "$web_port" "$PUBLIC_API_URL" "$state/web" &
pids+=("$!")
for _ in $(seq 1 100); do
	curl -fs "$PUBLIC_API_URL/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done

cat <<MSG

Interlibrary is running.
  web app:  $PUBLIC_WEB_URL
  API:      $PUBLIC_API_URL   (try: curl $PUBLIC_API_URL/v1/organizations)
  demo login: ada@interlibrary.example / librarians-unite
  database: psql "$DATABASE_URL"
Press Ctrl-C to stop.

MSG
wait
