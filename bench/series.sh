#!/usr/bin/env bash
# Recurring events: POST /v1/events with a 200-occurrence rule (the
# expansion in C with libical, then one transaction writing the series and
# its occurrences), timed over 10 requests; then GET /v1/events?limit=20,
# plain and with collapse=series, anonymous (cached) and signed in (live),
# with 10,000 series of 10 occurrences (100,000 events) in the data.
# Everything on 127.0.0.1; about 8 minutes here, most of it seeding the
# 100,000 events through their triggers.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-8}
bench_start
psql_q() { psql "$DATABASE_URL" -X -qAt -v ON_ERROR_STOP=1 "$@"; }

# A signed-in member, through the real registration and login.
curl -fs -X POST "$API/v1/members" -H 'content-type: application/json' \
    -d '{"email":"host@bench.example","password":"benchmark password","display_name":"Host"}' >/dev/null
token=$(curl -fs -X POST "$API/v1/sessions" -H 'content-type: application/json' \
    -d '{"email":"host@bench.example","password":"benchmark password"}' |
    sed 's/.*"token":"\([^"]*\)".*/\1/')

# 10,000 weekly series of 10 occurrences at 18:00 in Chicago, their
# first starts spread over the 20 weeks around today.
t0=$SECONDS
psql_q <<'SQL'
SET synchronous_commit = off;
INSERT INTO series (rrule, timezone, dtstart_local, duration, count,
    materialized_until, template, created_by)
SELECT 'FREQ=WEEKLY;COUNT=10', 'America/Chicago',
    (date_trunc('day', now() AT TIME ZONE 'America/Chicago') - interval '70 days'
     + (i % 140) * interval '1 day' + interval '18 hours'),
    interval '90 minutes', 10, now(), jsonb_build_object('title', 'Series ' || i),
    (SELECT id FROM members WHERE email = 'host@bench.example')
FROM generate_series(1, 10000) i;
INSERT INTO events (title, kind, starts_at, ends_at, timezone, city, created_by,
    series_id, recurrence_id)
SELECT 'Series ' || s.id, 'meetup', t.at, t.at + s.duration, s.timezone, 'Springfield',
    s.created_by, s.id, t.at
FROM series s, generate_series(0, 9) k,
    LATERAL (SELECT (s.dtstart_local + k * interval '7 days') AT TIME ZONE s.timezone AS at) t;
UPDATE series s SET materialized_until = (SELECT max(starts_at) FROM events WHERE series_id = s.id);
INSERT INTO event_organizers (event_id, member_id)
SELECT id, created_by FROM events;
VACUUM ANALYZE series, events, event_organizers;
SQL
echo "seeded $(psql_q -c 'SELECT count(*) FROM series') series, $(psql_q -c 'SELECT count(*) FROM events') events in $((SECONDS - t0)) s"

echo "== POST /v1/events, a 200-occurrence series (FREQ=DAILY;COUNT=200), 10 times"
times=()
for i in $(seq 1 10); do
	out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -X POST "$API/v1/events" \
	    -H "Authorization: Bearer $token" -H 'content-type: application/json' \
	    -d "{\"title\":\"Daily $i\",\"kind\":\"meetup\",\"starts_at\":\"2027-01-0$((i % 9 + 1))T18:00:00-06:00\",
	        \"ends_at\":\"2027-01-0$((i % 9 + 1))T19:00:00-06:00\",\"timezone\":\"America/Chicago\",
	        \"recurrence\":\"FREQ=DAILY;COUNT=200\"}")
	[ "${out%% *}" = 201 ] || { echo "bench: POST answered ${out%% *}" >&2; exit 1; }
	times+=("$(awk '{printf "%.1f", $2 * 1000}' <<<"$out")")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {
	printf "create a 200-occurrence series: p50 %s ms, max %s ms (%d requests)\n",
	    a[int((NR + 1) / 2)], a[NR], NR }'

echo "== GET /v1/events?limit=20 (wrk -t2 -c16 -d${DURATION}s, 2 API workers)"
CONNS=16 wrk_run "list" "$API/v1/events?limit=20"
plain=$P50
CONNS=16 wrk_run "list collapse=series" "$API/v1/events?limit=20&collapse=series"
collapsed=$P50
CONNS=16 wrk_run "  live, signed in" "$API/v1/events?limit=20" -H "Authorization: Bearer $token"
live=$P50
CONNS=16 wrk_run "  live collapse=series" "$API/v1/events?limit=20&collapse=series" \
    -H "Authorization: Bearer $token"
echo "p50 collapse=series / plain: anonymous $(ratio "$collapsed" "$plain")   signed in $(ratio "$P50" "$live")"
