#!/usr/bin/env bash
# TARGET_CMD of /work/shared/bench/peers/run.sh: loads the product's
# schema into its own database of the peers' cluster (PGHOST, PGPORT,
# PGUSER set by run.sh), with the peers' data (peer-seed.sql's formulas:
# 50 organizations, 100,000 events over the two years before and after
# today, about 500,000 RSVPs from 20,000 members), then runs the API on
# 127.0.0.1:8881 in the foreground (run.sh stops the process group).  With
# TARGET_HEADER_FILE set it also writes there the Authorization header of
# a session of one of the loaded members, for the signed-in ("auth-")
# targets.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export DATABASE_URL="host=$PGHOST port=$PGPORT user=$PGUSER dbname=interlibrary_peer"
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS interlibrary_peer' \
    -c 'CREATE DATABASE interlibrary_peer'
bash "$top/scripts/migrate.sh" >/dev/null
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET TimeZone = 'UTC';
SET synchronous_commit = off;
-- A bulk load into an empty database, consistent by construction: skip
-- the foreign-key triggers and build the text indexes once at the end,
-- so the API is up before run.sh stops waiting for it (30 s).
SET session_replication_role = replica;
DROP INDEX events_search_idx, events_tags_idx;
INSERT INTO members (email, password_hash, display_name)
SELECT 'peer' || g || '@bench.example', 'x', 'Member ' || g FROM generate_series(1, 20000) g;
INSERT INTO organizations (slug, name, kind, city)
SELECT format('%s-%s', lower(c.city), i),
       format('%s %s Library', c.city,
	      (ARRAY['Public', 'Central', 'County', 'Community', 'University'])[1 + i % 5]),
       'public_library', c.city
FROM generate_series(1, 50) AS i,
     LATERAL (SELECT (ARRAY['Portland', 'Austin', 'Chicago', 'Denver', 'Boston',
	     'Seattle', 'Atlanta', 'Phoenix', 'Detroit', 'Toronto'])[1 + i % 10] AS city) AS c
ORDER BY i;
INSERT INTO events (organization_id, created_by, title, description, kind,
    starts_at, ends_at, timezone, venue, city, capacity, status, cancelled_at)
SELECT o.id, 1 + (i * 7) % 20000,
       format('%s: %s #%s', initcap(k.kind), k.topic, i),
       format(E'Join colleagues from %s for a %s on %s; coffee, tea and introductions.\n'
	      'Bring a friend, or two. Step-free access; ask staff for the quiet room.',
	      o.name, k.kind, lower(k.topic)),
       k.kind, t.starts_at,
       t.starts_at + (60 + 30 * (i % 4)) * interval '1 minute',
       (ARRAY['America/New_York', 'America/Chicago', 'America/Denver',
	      'America/Los_Angeles', 'America/Toronto'])[1 + o.id % 5],
       format('%s Branch, Room %s',
	      (ARRAY['Main', 'North', 'South', 'East', 'West', 'Riverside'])[1 + i % 6], 100 + i % 40),
       o.city, 20 + 10 * (i % 9),
       CASE WHEN i % 20 = 0 THEN 'cancelled' ELSE 'scheduled' END,
       CASE WHEN i % 20 = 0 THEN t.starts_at - interval '1 day' END
FROM generate_series(1, 100000) AS i
JOIN organizations o ON o.id = 1 + (i * 37) % 50,
     LATERAL (SELECT (ARRAY['social', 'meetup', 'training', 'tour', 'advocacy',
		     'celebration', 'conference'])[1 + i % 7] AS kind,
		     (ARRAY['Reader advisory', 'Makerspace basics', 'Budget hearing prep',
		     'Archives tour', 'Zines, comics and graphic novels', 'Digital literacy',
		     'Grant writing'])[1 + (i / 7) % 7] AS topic) AS k,
     LATERAL (SELECT date_trunc('day', now()) - interval '730 days'
		     + ((i - 1) * 1460 / 100000) * interval '1 day'
		     + (9 + i % 11) * interval '1 hour'
		     + 15 * (i % 4) * interval '1 minute' AS starts_at) AS t
ORDER BY i;
-- Every event has its creator as organizer, as through the API.
INSERT INTO event_organizers (event_id, member_id)
SELECT id, created_by FROM events;
-- The peers' RSVPs (status = response: nobody waits at these capacities
-- in the peers' data either, which has no waitlist).
INSERT INTO rsvps (event_id, member_id, response, status)
SELECT e.id, 1 + (e.id * 131 + j * 1009) % 20000, r.response, r.response
FROM events e, generate_series(1, (e.id % 7 + e.id % 5)::int) AS j,
     LATERAL (SELECT (ARRAY['going', 'going', 'going', 'going', 'going', 'going',
	      'maybe', 'maybe', 'not_going', 'not_going'])[1 + (e.id + j) % 10] AS response) r
ON CONFLICT DO NOTHING;
-- The triggers that keep each event's counts and document were skipped:
-- compute them once, set-based, with statistics first: without them the
-- document function's cached plans (made before autovacuum has looked)
-- took minutes instead of seconds on a fast cluster.
ANALYZE members, organizations, events, rsvps, event_organizers;
SELECT core.event_counts_refresh();
SELECT core.event_docs_refresh(ARRAY(SELECT id FROM events)) \g /dev/null
SET session_replication_role = origin;
ANALYZE members, organizations, events, rsvps, event_organizers, event_docs;
SQL
# A signed-in reader for the "auth-" targets: a session of one of the
# loaded members, made as the API makes them (32 random bytes; only their
# BLAKE2b-256 is stored), its header in TARGET_HEADER_FILE.
if [ -n "${TARGET_HEADER_FILE:-}" ]; then
	read -r token hash < <(python3 -c '
import base64, hashlib, os
raw = os.urandom(32)
print(base64.urlsafe_b64encode(raw).decode().rstrip("="),
      hashlib.blake2b(raw, digest_size=32).hexdigest())')
	psql "$DATABASE_URL" -X -q -c "INSERT INTO sessions (member_id, token_hash,
	    kind, expires_at) VALUES (1, decode('$hash', 'hex'), 'session',
	    now() + interval '1 day')"
	# Its hash too, for bench/events.sh's pgbench of the product's
	# own statement (the ceiling of the signed-in list).
	printf '%s\n' "$hash" >"$TARGET_HEADER_FILE.hash"
	printf 'Authorization: Bearer %s\n' "$token" >"$TARGET_HEADER_FILE"
fi
# The text indexes serve only the q and tag filters, which the peers do
# not measure: build them beside the running API, so it answers before
# run.sh stops waiting (30 s).
psql "$DATABASE_URL" -X -q -c 'CREATE INDEX events_tags_idx ON events USING gin (tags)' \
    -c 'CREATE INDEX events_search_idx ON events USING gin (search)' \
    -c 'VACUUM (ANALYZE) members, organizations, events, rsvps' &
export API_PORT=8881 API_LISTEN=127.0.0.1 API_WORKERS=${API_WORKERS:-2}
export PUBLIC_API_URL=http://127.0.0.1:8881
exec bash "$top/scripts/api.sh" "$(mktemp -d /tmp/il-peer-api.XXXXXX)"
