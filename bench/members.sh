#!/usr/bin/env bash
# Members: reads stay fast while logins storm.  A client keeps 32 logins
# in flight for DURATION seconds while a second client reads
# GET /v1/members?limit=20; prints both throughputs, the read p99 with and
# without the storm (goal: ratio under 2: the event loop is never
# blocked), the login rate against the ideal cores / time-per-hash, and
# the peak resident memory of all API processes during the storm.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_start

cc -O2 -o "$BENCH_DIR/hashtime" "$top/bench/hashtime.c" -lsodium
hash_ms=$("$BENCH_DIR/hashtime")

# 200 members to list (one real registration; the rest share its hash).
curl -fs -X POST "$API/v1/members" -H 'content-type: application/json' \
    -d '{"email":"bench@example.org","password":"benchmark password","display_name":"Bench Mark"}' >/dev/null
psql "$DATABASE_URL" -qAt -c "INSERT INTO members (email, password_hash, display_name, city)
    SELECT 'm' || g || '@example.org', (SELECT password_hash FROM members LIMIT 1),
        'Member ' || g, 'Springfield' FROM generate_series(1, 200) g" >/dev/null
token=$(curl -fs -X POST "$API/v1/sessions" -H 'content-type: application/json' \
    -d '{"email":"bench@example.org","password":"benchmark password"}' |
    sed 's/.*"token":"\([^"]*\)".*/\1/')

cat >"$BENCH_DIR/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.org","password":"benchmark password"}'
LUA

echo "== members (2 API workers, HASH_THREADS_PER_WORKER=${HASH_THREADS_PER_WORKER:-1}; one Argon2id hash: ${hash_ms} ms)"
CONNS=8 wrk_run "read alone" "$API/v1/members?limit=20" -H "Authorization: Bearer $token"
base_rps=$RPS; base_p99=$P99

peak=0
(
	while :; do api_rss; sleep 0.2; done
) >"$BENCH_DIR/rss.log" &
sampler=$!
(
	CONNS=32 wrk_run "login storm (32 in flight)" "$API/v1/sessions" \
	    -s "$BENCH_DIR/login.lua"
	echo "$OK_RPS" >"$BENCH_DIR/login_ok_rps"
) >"$BENCH_DIR/storm.out" &
storm=$!
sleep 1
CONNS=8 DURATION=$((DURATION - 2)) wrk_run "read during storm" "$API/v1/members?limit=20" \
    -H "Authorization: Bearer $token"
storm_p99=$P99; storm_rps=$RPS
wait "$storm"
kill "$sampler" 2>/dev/null || true
cat "$BENCH_DIR/storm.out"
login_rps=$(cat "$BENCH_DIR/login_ok_rps")
peak=$(sort -n "$BENCH_DIR/rss.log" | tail -1)
ideal=$(awk -v c="$(nproc)" -v t="$hash_ms" 'BEGIN { printf "%.1f", c * 1000 / t }')
echo
echo "read p99 with storm / without: $(ratio "$storm_p99" "$base_p99")  (goal < 2)"
echo "read req/s with storm / without: $(ratio "$storm_rps" "$base_rps")"
echo "successful logins/s (the rest were 503 + Retry-After: queue full): $login_rps of an ideal $ideal ($(nproc) cores / ${hash_ms} ms): $(ratio "$login_rps" "$ideal")"
echo "peak RSS of all API processes during the storm: $((peak / 1024)) MiB"
