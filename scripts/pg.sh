#!/usr/bin/env bash
# A private PostgreSQL 15 cluster, run as the postgres user (initdb and
# postgres refuse root), listening on 127.0.0.1:<port> and on a unix socket
# in <dir>/sock.  <dir> must be reachable by the postgres user: keep it under
# /var/lib/interlibrary or /tmp, never under /root or a mktemp -d folder.
#
#   scripts/pg.sh start <dir> <port> [fsync]   init if needed, start, wait
#   scripts/pg.sh stop <dir>                     fast shutdown
#   scripts/pg.sh url <dir> <port>               print the libpq string
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|url <dir> [port]" >&2; exit 2; }

as_pg() { runuser -u postgres -- "$@"; }

case "$cmd" in
start)
	port=${3:?port}
	fsync=${4:-off}
	mkdir -p "$dir"
	chmod 755 "$dir"
	chown postgres:postgres "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_pg mkdir -p "$dir/data" "$dir/sock"
		as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 \
		    --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
		    { cat "$dir/initdb.log" >&2; exit 1; }
	fi
	as_pg mkdir -p "$dir/sock"
	as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
	    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir/sock -c fsync=$fsync -c max_connections=200 -c shared_buffers=256MB" \
	    start >/dev/null || { tail -20 "$dir/postgres.log" >&2; exit 1; }
	as_pg "$PGBIN/psql" -h "$dir/sock" -p "$port" -U postgres -d postgres -qAt \
	    -c "SELECT 1 FROM pg_database WHERE datname = 'interlibrary'" | grep -q 1 ||
	    as_pg "$PGBIN/createdb" -h "$dir/sock" -p "$port" -U postgres interlibrary
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || true
	fi
	;;
url)
	port=${3:?port}
	echo "host=$dir/sock port=$port dbname=interlibrary user=postgres"
	;;
*)
	echo "usage: $0 start|stop|url <dir> [port]" >&2
	exit 2
	;;
esac
