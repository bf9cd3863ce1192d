#!/usr/bin/env bash
# Events: GET /v1/events?limit=20 (first page and a deep keyset page) at
# 10,000 and then 1,000,000 events (the ratio of the p50s shows whether
# the list stays index-bound), and PUT /v1/events/{id}/rsvp from 2,000
# members (tokens made in SQL) spread over 1,000 events of 50 places.
# Then, when the shared peers harness is there, the same list next to
# Fastify, DRF, nginx and pgbench in one run (bench/peer-target.sh loads
# the product with the peers' data).  Everything on 127.0.0.1; about 6 to
# 9 minutes (PEERS=0 skips the peers).
set -euo pipefail
DURATION=${DURATION:-8}
source "$(dirname "$0")/lib.sh"
# Next to the peers (PEERS_ONLY=1: only this part).
#
# The ceiling of the signed-in list is pgbench running the very statement
# the API sends for GET /v1/events?limit=20 with a bearer token, with the
# peer target's real session (peer-target.sh writes its token hash), on
# the same database in the same run.  run.sh has no hook for it, so the
# wrk it runs is a shim put first on its PATH: the real wrk, then, right
# after the auth-il-json measurement (the only full-length run with an
# Authorization header), pgbench -M prepared (the API prepares its
# statements too, api/src/db/prepared.c, and turns JIT off) with as many
# clients as the API has database connections (2 workers x
# DB_POOL_PER_WORKER 4), so the two never overlap.
ceiling_shim() {
	mkdir -p "$BENCH_DIR/shim"
	cat >"$BENCH_DIR/product-list.sql" <<'SQL'
SELECT status, body::text, location, next_cursor, retry_after, data::text FROM api.events_list(:token_hash, :args, :query, NULL, :client);
SQL
	cat >"$BENCH_DIR/shim/wrk" <<'SH'
#!/usr/bin/env bash
# bench/events.sh's shim (see ceiling_shim there).
/usr/bin/wrk "$@"
rc=$?
auth=0 warm=0 dur=
for a in "$@"; do
	case $a in
	Authorization:*) auth=1 ;;
	-d2s) warm=1 ;;
	-d*s) dur=${a#-d}; dur=${dur%s} ;;
	esac
done
if [ "$auth" = 1 ] && [ "$warm" = 0 ] && [ -n "$dur" ] && [ -s "$IL_CEILING_DIR/peer-header.hash" ]; then
	(cd "$IL_CEILING_DIR" && rm -f ceil.* && PGDATABASE=interlibrary_peer PGOPTIONS='-c jit=off' \
	    "${PGBIN:-/usr/lib/postgresql/15/bin}/pgbench" -n -M prepared -c8 -j2 -T"$dur" \
	    -l --log-prefix=ceil -f product-list.sql \
	    -D token_hash="\\x$(cat peer-header.hash)" -D args='{}' \
	    -D query='{"limit": 20}' -D client=127.0.0.1 >ceiling.log 2>&1
	 tps=$(awk '/^tps/ { printf "%.0f", $3 }' ceiling.log)
	 fails=$(awk '/failed transactions/ { print $5 }' ceiling.log)
	 pct=$(cat ceil.* | awk '{ print $3 }' | sort -n | awk '{ a[NR] = $1 }
	     END { printf "%.2f %.2f", a[int(NR * .50) + 1] / 1000, a[int(NR * .99) + 1] / 1000 }')
	 echo "${tps:-0} $pct ${fails:-0}" >ceiling.out)
fi
exit "$rc"
SH
	chmod +x "$BENCH_DIR/shim/wrk"
}

run_peers() {
mkdir -p "$BENCH_DIR"
peers=$top/../shared/bench/peers/run.sh
if [ "${PEERS:-1}" = 1 ] && [ -x "$peers" ]; then
	bench_cleanup
	pids=()
	echo
	echo "== next to the peers (100,000 events, 500,000 RSVPs each)"
	rm -f "$BENCH_DIR/peer-header" "$BENCH_DIR/peer-header.hash" "$BENCH_DIR/ceiling.out"
	ceiling_shim
	TARGETS="il-json=http://127.0.0.1:8881/v1/events?limit=20 auth-il-json=http://127.0.0.1:8881/v1/events?limit=20" \
	TARGET_HEADER_FILE="$BENCH_DIR/peer-header" \
	TARGET_CMD="bash $top/bench/peer-target.sh" DURATION=10 \
	PATH="$BENCH_DIR/shim:$PATH" IL_CEILING_DIR="$BENCH_DIR" \
	    timeout 480 bash "$peers" | tee "$BENCH_DIR/peers.out" | sed -n '/^| target/,$p'
	if [ -s "$BENCH_DIR/ceiling.out" ]; then
		read -r tps p50 p99 fails <"$BENCH_DIR/ceiling.out"
		echo "| pgbench(product statement) | $tps | $p50 | $p99 | $fails | |"
	fi
	awk -F'|' -v ceil="${tps:-0}" -v dir="$BENCH_DIR" '$2 ~ / fastify-json / { f = $3 } $2 ~ / il-json / { i = $3 }
	    $2 ~ / auth-il-json / { a = $3; ap99 = $5 } $2 ~ / pgbench / { pg = $3 }
	    END { if (f > 0) {
		printf "il-json / fastify-json (req/s): %.2f (anonymous, cached)\n", i / f
		printf "auth-il-json / fastify-json (req/s): %.2f (signed in, live; p99 %s ms)\n", a / f, ap99 }
	      if (ceil > 0)
		printf "auth-il-json / pgbench(product statement) (req/s over tps): %.2f (the database ceiling of the signed-in list: pgbench -M prepared -c8 -j2 running the statement the API sends)\n", a / ceil
	      else
		print "auth-il-json / pgbench(product statement): not measured (see " dir "/ceiling.log)" }' \
	    "$BENCH_DIR/peers.out"
fi
}
if [ "${PEERS_ONLY:-0}" = 1 ]; then
	run_peers
	exit 0
fi
bench_start

# A cursor about 80% down the upcoming events.
deep_cursor() {
	psql_q -c "SELECT api.cursor_encode('events', '{}', jsonb_build_array(to_char(starts_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), id)) FROM events WHERE ends_at >= now()
	    ORDER BY starts_at, id OFFSET (SELECT count(*) * 8 / 10 FROM events WHERE ends_at >= now())
	    LIMIT 1"
}

# The summary table's rows: "what|req/s|p50|p99" of the last wrk_run.
rows=()
record() { rows+=("$1|$RPS|$P50|$P99"); }

list_pair() {
	local label=$1 cur
	cur=$(deep_cursor)
	curl -fs "$API/v1/events?limit=20&cursor=$cur" | grep -Eq '"next_cursor": ?"' ||
	    { echo "bench: the deep page is not a full page" >&2; exit 1; }
	# Anonymous lists come from the per-worker cache (feeds.c); a caller
	# with a token always gets the live query: measure both.
	CONNS=16 wrk_run "list first page ($label)" "$API/v1/events?limit=20"
	record "GET list, first page, anonymous (cached), $label events"
	FIRST_P50=$P50
	CONNS=16 wrk_run "list deep page ($label)" "$API/v1/events?limit=20&cursor=$cur"
	record "GET list, deep page, anonymous (cached), $label events"
	DEEP_P50=$P50
	CONNS=16 wrk_run "  live, signed in ($label)" "$API/v1/events?limit=20" \
	    -H "Authorization: Bearer $reader"
	record "GET list, first page, signed in (live), $label events"
	LIVE_FIRST_P50=$P50
	CONNS=16 wrk_run "  live deep, signed in ($label)" \
	    "$API/v1/events?limit=20&cursor=$cur" -H "Authorization: Bearer $reader"
	record "GET list, deep page, signed in (live), $label events"
	LIVE_DEEP_P50=$P50
}

# A signed-in reader, through the real registration and login.
curl -fs -X POST "$API/v1/members" -H 'content-type: application/json' \
    -d '{"email":"reader@bench.example","password":"benchmark password","display_name":"Reader"}' >/dev/null
reader=$(curl -fs -X POST "$API/v1/sessions" -H 'content-type: application/json' \
    -d '{"email":"reader@bench.example","password":"benchmark password"}' |
    sed 's/.*"token":"\([^"]*\)".*/\1/')

t0=$SECONDS
echo "== events (wrk -t2 -c16 -d${DURATION}s, 2 API workers)"
seed_events 1 10000 10000
echo "seeded 10,000 events in $((SECONDS - t0)) s"
list_pair 10k
f10=$FIRST_P50 d10=$DEEP_P50 lf10=$LIVE_FIRST_P50 ld10=$LIVE_DEEP_P50

t1=$SECONDS
seed_events 10001 1000000 1000000
echo "seeded up to $(psql_q -c 'SELECT count(*) FROM events') events in $((SECONDS - t1)) s"
list_pair 1M
f1m=$FIRST_P50 d1m=$DEEP_P50
echo "p50 at 1M / at 10k:  first page $(ratio "$f1m" "$f10")   deep page $(ratio "$d1m" "$d10")"
echo "live (signed in):    first page $(ratio "$LIVE_FIRST_P50" "$lf10")   deep page $(ratio "$LIVE_DEEP_P50" "$ld10")"

# RSVPs: 2,000 members with session tokens (BLAKE2b-256 of 32 random
# bytes, as the API stores them), over 1,000 upcoming events of 50 places.
python3 - "$BENCH_DIR/tokens.csv" "$BENCH_DIR/tokens.lua" <<'PY'
import base64, hashlib, os, sys
with open(sys.argv[1], 'w') as c, open(sys.argv[2], 'w') as l:
	l.write('tokens = {\n')
	for i in range(2000):
		raw = os.urandom(32)
		c.write('%d,\\x%s\n' % (i, hashlib.blake2b(raw, digest_size=32).hexdigest()))
		l.write('"%s",\n' % base64.urlsafe_b64encode(raw).decode().rstrip('='))
	l.write('}\n')
PY
psql_q <<SQL
CREATE TEMP TABLE t (n integer, h bytea);
\copy t FROM '$BENCH_DIR/tokens.csv' WITH (FORMAT csv)
WITH m AS (INSERT INTO members (email, password_hash, display_name)
    SELECT 'rsvp' || n || '@bench.example', 'x', 'Member ' || n FROM t ORDER BY n
    RETURNING id, email)
INSERT INTO sessions (member_id, token_hash, kind, expires_at)
SELECT m.id, t.h, 'session', now() + interval '1 day'
FROM m JOIN t ON m.email = 'rsvp' || t.n || '@bench.example';
UPDATE events SET capacity = 50, guest_limit = 0 WHERE id IN (SELECT id FROM events
    WHERE starts_at > now() + interval '1 day' ORDER BY starts_at, id LIMIT 1000);
SQL
ids=$(psql_q -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM (SELECT id FROM events
    WHERE starts_at > now() + interval '1 day' ORDER BY starts_at, id LIMIT 1000) s")
cat "$BENCH_DIR/tokens.lua" - >"$BENCH_DIR/rsvp.lua" <<LUA
events = { $ids }
local answers = { '{"response":"going"}', '{"response":"going"}', '{"response":"maybe"}',
    '{"response":"not_going"}' }
request = function()
	local t = tokens[math.random(#tokens)]
	local e = events[math.random(#events)]
	return wrk.format("PUT", "/v1/events/" .. e .. "/rsvp",
	    { ["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json" },
	    answers[math.random(#answers)])
end
LUA
CONNS=16 wrk_run "PUT rsvp (1M events)" "$API/" -s "$BENCH_DIR/rsvp.lua"
record "PUT /v1/events/{id}/rsvp (write), 1M events"
psql_q -c "SELECT 'rsvps written: ' || count(*) || ', over capacity: ' ||
    (SELECT count(*) FROM (SELECT e.id FROM events e JOIN rsvps r ON r.event_id = e.id
     AND r.status = 'going' WHERE e.capacity = 50 GROUP BY e.id
     HAVING sum(1 + r.guests) > 50) x) FROM rsvps r JOIN members m ON m.id = r.member_id
    WHERE m.email LIKE 'rsvp%'"
echo
echo "== events: reads and the RSVP write side by side (wrk -t2 -c16 -d${DURATION}s each)"
echo "| what | req/s | p50 ms | p99 ms |"
echo "| --- | ---: | ---: | ---: |"
for r in "${rows[@]}"; do
	IFS='|' read -r what rps p50 p99 <<<"$r"
	echo "| $what | $rps | $p50 | $p99 |"
done
echo "own part done in $((SECONDS - t0)) s"

# Next to the peers: stop our stack first (one quiet machine).
run_peers
