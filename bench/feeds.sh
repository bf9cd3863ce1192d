#!/usr/bin/env bash
# Feeds: req/s and p99 of GET /v1/events.json and GET /v1/events.ics (200
# responses, no If-None-Match: the per-worker feed cache answers) next to
# nginx serving the very same bytes from static files, in one run.
# Goals: at least 1.5x nginx's req/s, p99 at most 2x nginx's; both API
# workers carry load (each wrk line says how they shared the requests).
# On two cores wrk itself needs about as much CPU as either server, so
# req/s is bounded by the client: the CPU time each server's processes
# spent per answer is printed too (the servers' own cost, whatever the
# client could drive), with wrk's own, and the req/s ratio to nginx that
# the API would reach on these cores if it spent no time in user space,
# only what its processes spend in the kernel (reading requests and
# writing answers, which any server pays): per answer, (wrk + nginx) over
# (wrk + the API's system time), wrk's measured against each.
#
# The machine is shared and noisy, so nginx and the API take turns:
# ROUNDS rounds of (nginx, API) per format, DURATION seconds each, and
# the ratios printed are the medians of the rounds' ratios.
#
#   bash bench/feeds.sh            (DURATION=5 ROUNDS=3 CONNS=64 EVENTS=40)
set -euo pipefail
DURATION=${DURATION:-5}
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-3}
EVENTS=${EVENTS:-40}
NGINX_PORT=${NGINX_PORT:-18898}
bench_start

# A realistic feed: EVENTS upcoming events of one organization, with
# descriptions, venues and tags.
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
INSERT INTO members (email, password_hash, display_name)
VALUES ('bench-feeds@example.org', 'x', 'Bench Organizer');
INSERT INTO organizations (slug, name, kind, city)
VALUES ('bench-central', 'Bench Central Library', 'public_library', 'Springfield');
INSERT INTO events (title, description, kind, tags, starts_at, ends_at, timezone,
    venue, address, city, organization_id, created_by)
SELECT 'Community event number ' || i,
    repeat('Librarians meet to share ideas, zines and coffee. ', 4),
    (ARRAY['social','meetup','training','tour'])[1 + i % 4],
    ARRAY['zines', 'outreach'], now() + make_interval(days => i),
    now() + make_interval(days => i, hours => 2), 'America/Chicago',
    'Main Branch, Room ' || i, '1 Library Way', 'Springfield',
    (SELECT id FROM organizations WHERE slug = 'bench-central'),
    (SELECT id FROM members WHERE email = 'bench-feeds@example.org')
FROM generate_series(1, $EVENTS) i;
SQL

mkdir -p "$BENCH_DIR/static"
curl -fsS "$API/v1/events.json" -o "$BENCH_DIR/static/events.json"
curl -fsS "$API/v1/events.ics" -o "$BENCH_DIR/static/events.ics"
bench_nginx "$BENCH_DIR/static" "$NGINX_PORT"
nginx_pids=$(pgrep -P "${pids[-1]}" | tr '\n' ' ')
api_pids=$(pgrep -P "$API_PID" | tr '\n' ' ')
for f in events.json events.ics; do
	cmp -s <(curl -fsS "$API/v1/$f") <(curl -fsS "http://127.0.0.1:$NGINX_PORT/$f") ||
	    { echo "bench: nginx and the API serve different bytes for $f" >&2; exit 1; }
done

# Warm both workers' caches (each has its own).
CONNS=8 DURATION=1 WORKER_SPLIT=0 wrk_run "warm-up json" "$API/v1/events.json" >/dev/null
CONNS=8 DURATION=1 WORKER_SPLIT=0 wrk_run "warm-up ics" "$API/v1/events.ics" >/dev/null

echo "== feeds: $EVENTS events, json $(stat -c %s "$BENCH_DIR/static/events.json") bytes," \
    "ics $(stat -c %s "$BENCH_DIR/static/events.ics") bytes" \
    "(wrk -t2 -c${CONNS:-64} -d${DURATION}s, 2 API workers, $ROUNDS rounds)"
# CPU microseconds per answer of processes $2... over the last wrk_run,
# whose start was at CPU time $1 (ms).
cpu_per_answer() {
	local before=$1
	shift
	awk -v ms=$(($(cpu_ms "$@") - before)) -v n="$REQS" 'BEGIN { printf "%.1f", (n > 0 ? ms * 1000 / n : 0) }'
}
per_answer() { awk -v ms="$1" -v n="$REQS" 'BEGIN { printf "%.1f", (n > 0 ? ms * 1000 / n : 0) }'; }
declare -A rr pr split cpu cr wc sys bound
for round in $(seq "$ROUNDS"); do
	for f in json ics; do
		c0=$(cpu_ms $nginx_pids)
		wrk_run "nginx static events.$f" "http://127.0.0.1:$NGINX_PORT/events.$f"
		n_rps=$RPS n_p99=$P99 n_cpu=$(cpu_per_answer "$c0" $nginx_pids)
		n_wrk=$(per_answer "$WRK_CPU_MS")
		c0=$(cpu_ms $api_pids) s0=$(cpu_sys_ms $api_pids)
		wrk_run "api GET /v1/events.$f" "$API/v1/events.$f"
		a_cpu=$(cpu_per_answer "$c0" $api_pids)
		a_sys=$(per_answer $(($(cpu_sys_ms $api_pids) - s0))) a_wrk=$(per_answer "$WRK_CPU_MS")
		rr[$f]+=" $(ratio "$RPS" "$n_rps")"
		pr[$f]+=" $(ratio "$P99" "$n_p99")"
		split[$f]+=" $SPLIT_COUNTS"
		cpu[$f]+=" $n_cpu/$a_cpu"
		cr[$f]+=" $(ratio "$n_cpu" "$a_cpu")"
		wc[$f]+=" $n_wrk/$a_wrk"
		sys[$f]+=" $a_sys"
		bound[$f]+=" $(awk -v w="$n_wrk" -v c="$n_cpu" -v aw="$a_wrk" -v k="$a_sys" 'BEGIN { printf "%.2f", (w + c) / (aw + k) }')"
	done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo
for f in json ics; do
	echo "$f: req/s ratio to nginx per round:${rr[$f]}   p99 ratio:${pr[$f]}   requests per worker:${split[$f]}"
	echo "$f: CPU us per answer, nginx/API, per round:${cpu[$f]}   the API's in the kernel:${sys[$f]}   wrk's own, against nginx/API:${wc[$f]}"
done
echo "req/s ratio to nginx, median (goal >= 1.5):  json $(median <<<"${rr[json]}")   ics $(median <<<"${rr[ics]}")"
echo "p99 ratio to nginx, median (goal <= 2):      json $(median <<<"${pr[json]}")   ics $(median <<<"${pr[ics]}")"
echo "nginx's CPU per answer over the API's, median: json $(median <<<"${cr[json]}")   ics $(median <<<"${cr[ics]}")"
echo "req/s ratio to nginx if the API spent only its kernel time, median (the most these cores allow it):" \
    "json $(median <<<"${bound[json]}")   ics $(median <<<"${bound[ics]}")"
echo "API resident memory after the run: $(api_rss) KiB"
