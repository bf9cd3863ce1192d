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
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-8}
# Next to the peers (PEERS_ONLY=1: only this part).
run_peers() {
mkdir -p "$BENCH_DIR"
peers=$top/../shared/bench/peers/run.sh
if [ "${PEERS:-1}" = 1 ] && [ -x "$peers" ]; then
	bench_cleanup
	pids=()
	echo
	echo "== next to the peers (100,000 events, 500,000 RSVPs each)"
	rm -f "$BENCH_DIR/peer-header"
	TARGETS="il-json=http://127.0.0.1:8881/v1/events?limit=20 auth-il-json=http://127.0.0.1:8881/v1/events?limit=20" \
	TARGET_HEADER_FILE="$BENCH_DIR/peer-header" \
	TARGET_CMD="bash $top/bench/peer-target.sh" DURATION=10 \
	    timeout 480 bash "$peers" | tee "$BENCH_DIR/peers.out" | sed -n '/^| target/,$p'
	awk -F'|' '$2 ~ / fastify-json / { f = $3 } $2 ~ / il-json / { i = $3 }
	    $2 ~ / auth-il-json / { a = $3; ap99 = $5 } $2 ~ / pgbench / { pg = $3 }
	    END { if (f > 0) {
		printf "il-json / fastify-json (req/s): %.2f (anonymous, cached)\n", i / f
		printf "auth-il-json / fastify-json (req/s): %.2f (signed in, live; p99 %s ms)\n", a / f, ap99 } }' \
	    "$BENCH_DIR/peers.out"
fi
}
if [ "${PEERS_ONLY:-0}" = 1 ]; then
	run_peers
	exit 0
fi
bench_start
psql_q() { psql "$DATABASE_URL" -X -qAt -v ON_ERROR_STOP=1 "$@"; }

# Organizations, creators, then events $1..$2: starts spread evenly over
# two years back and two years ahead (9:00-19:45 local), 1-3 hours long,
# 50 organizations, 10 cities, 7 kinds, 2 tags each from 12, a capacity
# on two thirds; the creator is the organizer; RSVPs on one in ten.
seed() {
	psql_q -v lo="$1" -v hi="$2" -v total="$3" <<'SQL'
SET synchronous_commit = off;
INSERT INTO members (email, password_hash, display_name, city)
SELECT 'org' || g || '@bench.example', 'x', 'Organizer ' || g, 'Springfield'
FROM generate_series(1, 50) g
WHERE NOT EXISTS (SELECT 1 FROM members WHERE email = 'org1@bench.example');
INSERT INTO organizations (slug, name, kind, city, created_by)
SELECT 'bench-library-' || g, 'Bench Library ' || g, 'public_library',
    (ARRAY['Springfield', 'Shelbyville', 'Riverside', 'Ogdenville', 'Capital City',
     'North Haverbrook', 'Brockway', 'Cypress Creek', 'Waverly Hills', 'Ogden'])[1 + g % 10],
    (SELECT id FROM members WHERE email = 'org' || g || '@bench.example')
FROM generate_series(1, 50) g
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE o AS SELECT row_number() OVER (ORDER BY id) AS n, id, city, created_by
FROM organizations WHERE slug LIKE 'bench-library-%';
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
JOIN o ON o.n = 1 + (i * 37) % 50,
LATERAL (SELECT date_trunc('day', now()) - interval '730 days'
    + ((i::bigint * 7919) % :total) * (interval '1460 days' / :total)
    + (9 + i % 11) * interval '1 hour' + 15 * (i % 4) * interval '1 minute' AS s) t;
INSERT INTO event_organizers (event_id, member_id)
SELECT e.id, e.created_by FROM events e WHERE e.id BETWEEN :lo AND :hi;
INSERT INTO rsvps (event_id, member_id, response, status)
SELECT e.id, m.id, 'going', 'going'
FROM events e JOIN LATERAL (SELECT id FROM members WHERE email LIKE 'org%@bench.example'
    ORDER BY id LIMIT 1 + e.id % 5) m ON true
WHERE e.id BETWEEN :lo AND :hi AND e.id % 10 = 0;
VACUUM ANALYZE events, event_organizers, rsvps;
SQL
}

# A cursor about 80% down the upcoming events.
deep_cursor() {
	psql_q -c "SELECT api.cursor_encode('events', '{}', jsonb_build_array(to_char(starts_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), id)) FROM events WHERE ends_at >= now()
	    ORDER BY starts_at, id OFFSET (SELECT count(*) * 8 / 10 FROM events WHERE ends_at >= now())
	    LIMIT 1"
}

list_pair() {
	local label=$1 cur
	cur=$(deep_cursor)
	curl -fs "$API/v1/events?limit=20&cursor=$cur" | grep -Eq '"next_cursor": ?"' ||
	    { echo "bench: the deep page is not a full page" >&2; exit 1; }
	# Anonymous lists come from the per-worker cache (feeds.c); a caller
	# with a token always gets the live query: measure both.
	CONNS=16 wrk_run "list first page ($label)" "$API/v1/events?limit=20"
	FIRST_P50=$P50
	CONNS=16 wrk_run "list deep page ($label)" "$API/v1/events?limit=20&cursor=$cur"
	DEEP_P50=$P50
	CONNS=16 wrk_run "  live, signed in ($label)" "$API/v1/events?limit=20" \
	    -H "Authorization: Bearer $reader"
	LIVE_FIRST_P50=$P50
	CONNS=16 wrk_run "  live deep, signed in ($label)" \
	    "$API/v1/events?limit=20&cursor=$cur" -H "Authorization: Bearer $reader"
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
seed 1 10000 10000
echo "seeded 10,000 events in $((SECONDS - t0)) s"
list_pair 10k
f10=$FIRST_P50 d10=$DEEP_P50 lf10=$LIVE_FIRST_P50 ld10=$LIVE_DEEP_P50

t1=$SECONDS
seed 10001 1000000 1000000
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
psql_q -c "SELECT 'rsvps written: ' || count(*) || ', over capacity: ' ||
    (SELECT count(*) FROM (SELECT e.id FROM events e JOIN rsvps r ON r.event_id = e.id
     AND r.status = 'going' WHERE e.capacity = 50 GROUP BY e.id
     HAVING sum(1 + r.guests) > 50) x) FROM rsvps r JOIN members m ON m.id = r.member_id
    WHERE m.email LIKE 'rsvp%'"
echo "own part done in $((SECONDS - t0)) s"

# Next to the peers: stop our stack first (one quiet machine).
run_peers
