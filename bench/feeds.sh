#!/usr/bin/env bash
# Feeds: req/s and p99 of GET /v1/events.json and GET /v1/events.ics (200
# responses, no If-None-Match: the per-worker feed cache answers) next to
# nginx serving the very same bytes from static files, in one run.
# Goal: at least 1.5x nginx's req/s.
#
#   bash bench/feeds.sh            (DURATION=10 CONNS=64 EVENTS=40 by default)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
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
for f in events.json events.ics; do
	cmp -s <(curl -fsS "$API/v1/$f") <(curl -fsS "http://127.0.0.1:$NGINX_PORT/$f") ||
	    { echo "bench: nginx and the API serve different bytes for $f" >&2; exit 1; }
done

echo "== feeds: $EVENTS events, json $(stat -c %s "$BENCH_DIR/static/events.json") bytes," \
    "ics $(stat -c %s "$BENCH_DIR/static/events.ics") bytes" \
    "(wrk -t2 -c${CONNS:-64} -d${DURATION}s, 2 API workers)"
wrk_run "nginx static events.json" "http://127.0.0.1:$NGINX_PORT/events.json"; nj_rps=$RPS; nj_p99=$P99
wrk_run "api GET /v1/events.json" "$API/v1/events.json"; aj_rps=$RPS; aj_p99=$P99
wrk_run "nginx static events.ics" "http://127.0.0.1:$NGINX_PORT/events.ics"; ni_rps=$RPS; ni_p99=$P99
wrk_run "api GET /v1/events.ics" "$API/v1/events.ics"; ai_rps=$RPS; ai_p99=$P99
echo
echo "req/s ratio to nginx (goal >= 1.5):  json $(ratio "$aj_rps" "$nj_rps")   ics $(ratio "$ai_rps" "$ni_rps")"
echo "p99 ratio to nginx (lower is better): json $(ratio "$aj_p99" "$nj_p99")   ics $(ratio "$ai_p99" "$ni_p99")"
echo "API resident memory after the run: $(api_rss) KiB"
