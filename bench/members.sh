#!/usr/bin/env bash
# Logins must not hurt reads.  A client keeps 32 logins in flight (POST
# /v1/sessions: an Argon2id hash each, in the workers' task threads)
# while a second client reads; for each read it prints req/s, p50 and p99
# alone and during the storm, and the ratios (goal: p99 with the storm at
# most 2x the idle p99).  The reads: GET /v1/events?limit=20 signed in
# (the live list: worker and PostgreSQL), GET /v1/events?limit=20
# anonymous (the workers' cache: worker CPU only) and GET
# /v1/members?limit=20 signed in, over 10,000 events and 201 members.
# Then the login rate against the Argon2id ceiling (cores / the measured
# time of one hash, bench/hashtime.c), alone and with the reads, and the
# peak resident memory of all API processes during the storms.
# About 2 minutes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_start

cc -O2 -o "$BENCH_DIR/hashtime" "$top/bench/hashtime.c" -lsodium
hash_ms=$("$BENCH_DIR/hashtime")

# 200 members to list (one real registration; the rest share its hash),
# 10,000 events to list.
curl -fs -X POST "$API/v1/members" -H 'content-type: application/json' \
    -d '{"email":"bench@example.org","password":"benchmark password","display_name":"Bench Mark"}' >/dev/null
psql_q -c "INSERT INTO members (email, password_hash, display_name, city)
    SELECT 'm' || g || '@example.org', (SELECT password_hash FROM members LIMIT 1),
        'Member ' || g, 'Springfield' FROM generate_series(1, 200) g" >/dev/null
seed_events 1 10000 10000 >/dev/null
db_settle
token=$(curl -fs -X POST "$API/v1/sessions" -H 'content-type: application/json' \
    -d '{"email":"bench@example.org","password":"benchmark password"}' |
    sed 's/.*"token":"\([^"]*\)".*/\1/')
auth=(-H "Authorization: Bearer $token")

# The storm's client honours Retry-After: after a 503 (the hashing queue
# is full) that connection waits as told before its next login, as a
# well-behaved client does, instead of spinning on 503s.  (wrk calls
# delay() for the connection whose response it has just read; counting
# the 503s keeps the waits right when two responses come in between.)
cat >"$BENCH_DIR/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.org","password":"benchmark password"}'
local waits = {}
response = function(status, headers, body)
	if status == 503 then
		waits[#waits + 1] = 1000 * (tonumber(headers["Retry-After"]) or 1)
	end
end
delay = function()
	if #waits > 0 then
		return table.remove(waits, 1)
	end
	return 0
end
LUA

(
	while :; do api_rss; sleep 0.2; done
) >"$BENCH_DIR/rss.log" &
sampler=$!
pids+=("$sampler")

# storm SECONDS: 32 logins in flight for SECONDS, in the background;
# its wrk_run line goes to $BENCH_DIR/storm.out, the rate of successful
# logins to $BENCH_DIR/storm.rate.
storm() {
	(
		CONNS=32 DURATION=$1 WORKER_SPLIT=0 wrk_run "  logins (32 in flight)" \
		    "$API/v1/sessions" -s "$BENCH_DIR/login.lua" --timeout 30s
		echo "$OK_RPS" >"$BENCH_DIR/storm.rate"
	) >"$BENCH_DIR/storm.out" &
	storm_pid=$!
}

# Wait (at most 60 s) until no hash is running: the logins a storm left
# in flight when it stopped are still hashed, and would run into the next
# measurement.  The task threads and the hash threads are every API
# thread but the processes' main threads.
hashes_drain() {
	local idle=0
	for _ in $(seq 300); do
		if ps -L -o pid=,tid=,stat= -p "$(api_tree)" |
		    awk '$1 != $2 && $3 ~ /^R/ { busy = 1 } END { exit busy }'; then
			idle=$((idle + 1))
			[ "$idle" -ge 3 ] && return 0
		else
			idle=0
		fi
		sleep 0.2
	done
}

# read NAME URL [wrk args]: alone, then during a storm (which starts a
# second earlier and ends a second later); prints both and the ratios.
read_pair() {
	local name=$1 url=$2
	shift 2
	# Warm up first, as the peers' harness does: each of the API's new
	# database connections compiles the functions a read uses on its
	# first calls (a few hundred ms), which is no part of either figure.
	CONNS=8 DURATION=2 WORKER_SPLIT=0 wrk_run "$name, warm-up" "$url" "$@" >/dev/null
	CONNS=8 wrk_run "$name, alone" "$url" "$@"
	local rps=$RPS p50=$P50 p99=$P99
	storm "$DURATION"
	sleep 1
	CONNS=8 DURATION=$((DURATION - 2)) WORKER_SPLIT=0 wrk_run "$name, storm" "$url" "$@"
	wait "$storm_pid"
	hashes_drain
	cat "$BENCH_DIR/storm.out"
	LOGIN_RATES+=("$(cat "$BENCH_DIR/storm.rate")")
	printf '  with the storm / alone:  p50 %s   p99 %s (goal <= 2)   req/s %s\n' \
	    "$(ratio "$P50" "$p50")" "$(ratio "$P99" "$p99")" "$(ratio "$RPS" "$rps")"
	RESULTS+=("$name|$(ratio "$P99" "$p99")")
}

echo "== members: reads during a login storm (2 API workers," \
    "HASH_THREADS_PER_WORKER=${HASH_THREADS_PER_WORKER:-1}; one Argon2id hash: ${hash_ms} ms;" \
    "reads: wrk -t2 -c8 -d$((DURATION - 2))s during the storm, -d${DURATION}s alone)"
LOGIN_RATES=()
RESULTS=()
read_pair "GET /v1/events signed in" "$API/v1/events?limit=20" "${auth[@]}"
read_pair "GET /v1/events anonymous" "$API/v1/events?limit=20"
read_pair "GET /v1/members signed in" "$API/v1/members?limit=20" "${auth[@]}"
storm "$DURATION"
wait "$storm_pid"
hashes_drain
sed 's/  logins (32 in flight)/logins alone (32 in flight)/' "$BENCH_DIR/storm.out"
alone_rate=$(cat "$BENCH_DIR/storm.rate")
kill "$sampler" 2>/dev/null || true

ideal=$(awk -v c="$(nproc)" -v t="$hash_ms" 'BEGIN { printf "%.1f", c * 1000 / t }')
# The hasher keeps one core free of hashes (api/src/auth/hasher.c).
hash_cores=$(($(nproc) > 1 ? $(nproc) - 1 : 1))
own=$(awk -v c="$hash_cores" -v t="$hash_ms" 'BEGIN { printf "%.1f", c * 1000 / t }')
peak=$(sort -n "$BENCH_DIR/rss.log" | tail -1)
echo
echo "read p99 with the storm / alone (goal <= 2):"
for r in "${RESULTS[@]}"; do
	printf '  %-28s %s\n' "${r%%|*}" "${r#*|}"
done
echo "Argon2id ceiling: $(nproc) cores / ${hash_ms} ms = $ideal logins/s"
echo "the hasher's own ceiling: $hash_cores of them / ${hash_ms} ms = $own logins/s"
echo "successful logins/s alone: $alone_rate ($(ratio "$alone_rate" "$ideal") of the ceiling," \
    "$(ratio "$alone_rate" "$own") of the hasher's)"
echo "successful logins/s during the reads: ${LOGIN_RATES[*]}" \
    "(the rest were 503 + Retry-After: queue full)"
echo "peak RSS of all API processes: $((peak / 1024)) MiB"
