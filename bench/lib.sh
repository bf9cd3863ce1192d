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
	# A session of its own, as a service has: not one scheduling group
	# (autogroup) with the load generators started by this script.
	setsid bash "$top/scripts/api.sh" "$BENCH_DIR/api" >"$BENCH_DIR/api.log" 2>&1 &
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

psql_q() { psql "$DATABASE_URL" -X -qAt -v ON_ERROR_STOP=1 "$@"; }

# seed_events LO HI TOTAL: organizations and their creators (one per
# 200 events of TOTAL, at least 50; made once), then events LO..HI of a
# benchmark of TOTAL events: starts spread evenly over two years back
# and two years ahead (9:00-19:45 local), 1-3 hours long, 10 cities, 7
# kinds, 2 tags each from 12, a capacity on two thirds; the creator is
# the organizer; RSVPs on one in ten.  A bulk load, consistent by
# construction: the triggers are skipped and what they keep (each
# event's counts and stored document) is computed once, set-based, as
# bench/peer-target.sh does.
seed_events() {
	psql_q -v lo="$1" -v hi="$2" -v total="$3" <<'SQL'
SET synchronous_commit = off;
SET session_replication_role = replica;
SELECT greatest(50, :total / 200) AS n_orgs \gset
INSERT INTO members (email, password_hash, display_name, city)
SELECT 'org' || g || '@bench.example', 'x', 'Organizer ' || g, 'Springfield'
FROM generate_series(1, :n_orgs) g
ON CONFLICT (lower(email)) DO NOTHING;
INSERT INTO organizations (slug, name, kind, city, created_by)
SELECT 'bench-library-' || g, 'Bench Library ' || g, 'public_library',
    (ARRAY['Springfield', 'Shelbyville', 'Riverside', 'Ogdenville', 'Capital City',
     'North Haverbrook', 'Brockway', 'Cypress Creek', 'Waverly Hills', 'Ogden'])[1 + g % 10],
    (SELECT id FROM members WHERE lower(email) = 'org' || g || '@bench.example')
FROM generate_series(1, :n_orgs) g
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE o AS SELECT g AS n, o.id, o.city, o.created_by
FROM generate_series(1, :n_orgs) g
JOIN organizations o ON o.slug = 'bench-library-' || g;
INSERT INTO events (title, description, kind, tags, starts_at, ends_at, timezone, venue,
    city, capacity, guest_limit, organization_id, created_by)
SELECT (ARRAY['Reader advisory', 'Makerspace basics', 'Budget hearing prep', 'Archives tour',
        'Zines and comics', 'Digital literacy', 'Grant writing'])[1 + (i / 7) % 7] || ' #' || i,
    'Join colleagues for coffee, introductions and a short talk. Step-free access.',
    (ARRAY['social', 'meetup', 'training', 'tour', 'advocacy', 'celebration',
        'conference'])[1 + i % 7],
    ARRAY[(ARRAY['teens', 'archives', 'makerspace', 'grants', 'advocacy', 'outreach',
        'cataloguing', 'children', 'digital', 'careers', 'reference', 'zines'])[1 + i % 12],
        (ARRAY['beginners', 'online', 'free', 'hybrid'])[1 + i % 4]],
    t.s, t.s + (60 + 60 * (i % 3)) * interval '1 minute', 'America/Chicago',
    'Room ' || (100 + i % 40), o.city,
    CASE WHEN i % 3 = 0 THEN NULL ELSE 20 + 10 * (i % 9) END, i % 3, o.id, o.created_by
FROM generate_series(:lo, :hi) i
JOIN o ON o.n = 1 + (i * 37) % :n_orgs,
LATERAL (SELECT date_trunc('day', now()) - interval '730 days'
    + ((i::bigint * 7919) % :total) * (interval '1460 days' / :total)
    + (9 + i % 11) * interval '1 hour' + 15 * (i % 4) * interval '1 minute' AS s) t
ORDER BY i;
INSERT INTO event_organizers (event_id, member_id)
SELECT e.id, e.created_by FROM events e WHERE e.id BETWEEN :lo AND :hi;
INSERT INTO rsvps (event_id, member_id, response, status)
SELECT e.id, m.id, 'going', 'going'
FROM events e JOIN LATERAL (SELECT id FROM members WHERE email LIKE 'org%@bench.example'
    ORDER BY id LIMIT 1 + e.id % 5) m ON true
WHERE e.id BETWEEN :lo AND :hi AND e.id % 10 = 0;
SELECT core.event_counts_refresh() \g /dev/null
SELECT core.event_docs_refresh(ARRAY(SELECT id FROM events
    WHERE id BETWEEN :lo AND :hi)) \g /dev/null
SET session_replication_role = origin;
VACUUM ANALYZE members, organizations, events, event_organizers, rsvps, event_docs;
SQL
}

# db_settle: after a bulk load, write the dirty pages out now (CHECKPOINT)
# and wait, at most 120 s, until no autovacuum worker runs, so that the
# measurements that follow do not share the cores with them.
db_settle() {
	psql_q -c CHECKPOINT
	local i
	for ((i = 0; i < 240; i++)); do
		[ "$(psql_q -c "SELECT count(*) FROM pg_stat_activity
		    WHERE backend_type = 'autovacuum worker'")" = 0 ] && return
		sleep 0.5
	done
	echo "bench: autovacuum still running after 120 s" >&2
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
# RPS, P50, P99 (ms), and WRK_CPU_MS, the CPU time wrk itself used (user
# and system: the load generator shares the cores with the servers).
wrk_run() {
	local name=$1 url=$2
	shift 2
	local out mark=
	# Requests to this API: say how its workers shared them (WORKER_SPLIT=0: no).
	if [ "${WORKER_SPLIT:-1}" = 1 ] && [ -n "${API:-}" ] && [ "${url#"$API"}" != "$url" ] &&
	    [ -f "$BENCH_DIR/api.log" ]; then
		mark=$(stat -c %s "$BENCH_DIR/api.log")
	fi
	# times: the subshell's own CPU, then its children's (wrk's), each
	# "XmY.YYYs XmY.YYYs" (user, system): the last two lines.
	out=$(wrk -t"$(( ${CONNS:-64} < 2 ? 1 : 2 ))" -c"${CONNS:-64}" -d"${DURATION}s" --latency "$@" "$url" 2>&1; times)
	WRK_CPU_MS=$(tail -1 <<<"$out" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60000 + a[2] * 1000 }
	    printf "%d", t }')
	out=$(head -n -2 <<<"$out")
	RPS=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
	P50=$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)
	P99=$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)
	REQS=$(awk '/requests in/ {print $1}' <<<"$out")
	NON2XX=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
	OK_RPS=$(awk -v n="${REQS:-0}" -v e="${NON2XX:-0}" -v d="$DURATION" \
	    'BEGIN { printf "%.1f", (n - e) / d }')
	SPLIT_TEXT=
	if [ -n "$mark" ]; then
		worker_split "$mark"
		SPLIT_TEXT="   per worker $SPLIT"
	fi
	printf '%-28s %10s req/s   p50 %8s ms   p99 %8s ms%s%s\n' "$name" "${RPS:-?}" \
	    "${P50:-?}" "${P99:-?}" "$SPLIT_TEXT" "${NON2XX:+   (non-2xx: $NON2XX of $REQS)}"
}

# How the API's workers shared the requests logged since byte offset $1
# of its log (access log lines start "[wrk N]: access"; each worker
# flushes its log every 200 ms): sets SPLIT to e.g. "51/49%" (worker 1,
# worker 2, ...) and SPLIT_COUNTS to "12345/11876".
worker_split() {
	sleep 0.5
	read -r SPLIT SPLIT_COUNTS < <(tail -c +$(($1 + 1)) "$BENCH_DIR/api.log" | awk -v n_workers="${API_WORKERS:-2}" '
	    /^\[wrk [0-9]+\]: access / { w = $2 + 0; if (w < 1 || w > n_workers) next
		n[w]++; t++ }
	    END { if (t == 0) { print "- -"; exit }
		for (i = 1; i <= n_workers; i++) {
			p = p (i > 1 ? "/" : "") sprintf("%.0f", 100 * n[i] / t)
			c = c (i > 1 ? "/" : "") (n[i] + 0)
		}
		print p "%", c }')
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

# cpu_ms PID...: the CPU time (user and system, ms) these processes, all
# their threads included, have used so far; cpu_sys_ms PID...: system
# time only (the kernel's work for them: sending and receiving bytes,
# above all).
cpu_ms() { proc_cpu_ms '$12 + $13' "$@"; }
cpu_sys_ms() { proc_cpu_ms '$13' "$@"; }

# proc_cpu_ms EXPR PID...: the sum over the processes of the awk
# expression EXPR of the fields of /proc/PID/stat after "pid (name) "
# (utime is $12, stime $13, in clock ticks), in ms.
proc_cpu_ms() {
	local expr=$1 p t=0
	shift
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] || continue
		t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk "{ print $expr }")))
	done
	echo $((t * 1000 / $(getconf CLK_TCK)))
}

# Resident memory (KiB) of the API's processes together (api_tree).
api_rss() {
	ps -o rss= -p "$(api_tree)" 2>/dev/null | awk '{s += $1} END {print s + 0}'
}

# api_tree: the API's processes, comma-separated: the parent, its
# children (the workers and the hasher) and theirs (the hasher's hashing
# process, il-hashes, api/src/auth/hasher.c).
api_tree() {
	local kids grand
	kids=$(pgrep -P "$API_PID" | tr '\n' ',')
	grand=$(pgrep -P "${kids%,}" | tr '\n' ',' || true)
	echo "${API_PID},${kids}${grand%,}" | sed 's/,$//'
}
