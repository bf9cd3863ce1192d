#!/usr/bin/env bash
# Shared by the benchmark scripts: a private PostgreSQL, the API and an
# nginx serving static files, all on 127.0.0.1, stopped on exit.  Figures
# are printed as ratios against peers measured in the same run, because
# this machine is shared and noisy.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/interlibrary-bench}
DURATION=${DURATION:-10}
pids=()

bench_cleanup() {
	# Under set -e a kill of a process already gone would end this
	# function before PostgreSQL is stopped.
	set +e
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	bash "$top/scripts/pg.sh" stop "$BENCH_DIR/pg" >/dev/null 2>&1
}
trap bench_cleanup EXIT

bench_start() {
	bash "$top/scripts/install-deps.sh" test >/dev/null
	bash "$top/scripts/pg.sh" stop "$BENCH_DIR/pg" >/dev/null 2>&1 || true
	rm -rf "$BENCH_DIR"
	mkdir -p "$BENCH_DIR"
	chmod 755 "$BENCH_DIR"
	make -C "$top/api" -s
	PG_PORT=${PG_PORT:-55499}
	bash "$top/scripts/pg.sh" start "$BENCH_DIR/pg" "$PG_PORT" >/dev/null
	export DATABASE_URL
	DATABASE_URL=$(bash "$top/scripts/pg.sh" url "$BENCH_DIR/pg" "$PG_PORT")
	bash "$top/scripts/migrate.sh" >/dev/null
	export API_PORT=${API_PORT:-18899} API_WORKERS=${API_WORKERS:-2}
	export PUBLIC_API_URL="http://127.0.0.1:$API_PORT"
	export LOGIN_FAILS_PER_ADDRESS=100000 LOGIN_FAILS_PER_ACCOUNT=100000
	export REGISTRATIONS_PER_ADDRESS=100000
	bash "$top/scripts/api.sh" "$BENCH_DIR/api" >"$BENCH_DIR/api.log" 2>&1 &
	API_PID=$!
	pids+=("$API_PID")
	for _ in $(seq 1 100); do
		curl -fs "$PUBLIC_API_URL/healthz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! curl -fs "$PUBLIC_API_URL/healthz" >/dev/null; then
		tail -5 "$BENCH_DIR/api.log" >&2
		echo "bench: the API did not start" >&2
		exit 1
	fi
	API="$PUBLIC_API_URL"
}

# nginx serving files from $1 on port $2.
bench_nginx() {
	local root=$1 port=$2
	mkdir -p "$BENCH_DIR/nginx"
	cat >"$BENCH_DIR/nginx/nginx.conf" <<CONF
daemon off;
user root;
worker_processes 2;
pid $BENCH_DIR/nginx/nginx.pid;
error_log stderr;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $BENCH_DIR/nginx/tmp;
	proxy_temp_path $BENCH_DIR/nginx/tmp;
	fastcgi_temp_path $BENCH_DIR/nginx/tmp;
	uwsgi_temp_path $BENCH_DIR/nginx/tmp;
	scgi_temp_path $BENCH_DIR/nginx/tmp;
	types { application/json json; text/calendar ics; }
	server { listen 127.0.0.1:$port; root $root; }
}
CONF
	mkdir -p "$BENCH_DIR/nginx/tmp"
	nginx -c "$BENCH_DIR/nginx/nginx.conf" 2>"$BENCH_DIR/nginx/err.log" &
	pids+=("$!")
	sleep 0.5
}

# wrk_run NAME URL [wrk args...]: prints "NAME req/s p50 p99" and sets
# RPS, P50, P99 (ms).
wrk_run() {
	local name=$1 url=$2
	shift 2
	local out
	out=$(wrk -t2 -c"${CONNS:-64}" -d"${DURATION}s" --latency "$@" "$url" 2>&1)
	RPS=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
	P50=$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)
	P99=$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)
	REQS=$(awk '/requests in/ {print $1}' <<<"$out")
	NON2XX=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
	OK_RPS=$(awk -v n="${REQS:-0}" -v e="${NON2XX:-0}" -v d="$DURATION" \
	    'BEGIN { printf "%.1f", (n - e) / d }')
	printf '%-28s %10s req/s   p50 %8s ms   p99 %8s ms%s\n' "$name" "${RPS:-?}" \
	    "${P50:-?}" "${P99:-?}" "${NON2XX:+   (non-2xx: $NON2XX of $REQS)}"
}

to_ms() {
	awk '{ v = $1; if (v ~ /us$/) { sub(/us/, "", v); v = v / 1000 }
	       else if (v ~ /ms$/) { sub(/ms/, "", v) }
	       else if (v ~ /s$/) { sub(/s/, "", v); v = v * 1000 }
	       printf "%.2f\n", v }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'
}

# Resident memory (KiB) of the API's parent and workers together.
api_rss() {
	local kids
	kids=$(pgrep -P "$API_PID" | tr '\n' ',')
	ps -o rss= -p "${API_PID},${kids%,}" 2>/dev/null | awk '{s += $1} END {print s + 0}'
}
