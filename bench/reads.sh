#!/usr/bin/env bash
# Every signed-in read at 10,000 and at 1,000,000 events: req/s, p50 and
# p99 through the API (wrk -t2 -c8, a bearer token) of an event page,
# the member directory, mentors, mentor suggestions, organizations,
# collaborations, activity and notifications, then the ratio
# p50(1M) / p50(10k) per read (goal: at most 1.3), and the same ratio of
# the SQL function alone, timed inside PostgreSQL (median of 25 calls:
# steadier than wrk on a shared machine).  Suggestions are also timed
# once a mentor has changed, when each read makes the caller's ranking
# again (not part of the goal: the cost of the first read after such a
# change, which grows with the caller's organizations).
#
# The data grow with the events (bench/lib.sh seed_events, then
# seed_community here), per 10,000 events: 50 organizations, 2,000
# members (5% mentors) each in one library and one in ten also in one
# association (whose membership grows with the region), 3 attendance
# rows per past event, 5 notifications per member, 200 collaborations
# with 3 participants and an update each, mentorships (accepted,
# requested, completed and shared).  The reader is one member, the same
# at both sizes: in two libraries and the association, with RSVPs,
# attendance (people met) and 30 notifications.
#
# Plans: EXPLAIN (ANALYZE, BUFFERS) of every statement each function runs
# at 1M (auto_explain) go to $BENCH_DIR/plans/<read>.txt; for a read over
# the goal the summary of its slowest statement is printed.  About 8-12
# minutes here (seeding 1M events is most of it).
set -euo pipefail
BENCH_DIR=${BENCH_DIR:-/tmp/interlibrary-bench-reads}
PG_PORT=${PG_PORT:-55496}
API_PORT=${API_PORT:-18896}
DURATION=${DURATION:-8}
source "$(dirname "$0")/lib.sh"
SMALL=${SMALL:-10000}	# the two sizes (events); other sizes for trying the script out
BIG=${BIG:-1000000}
size() { awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%gM", n / 1e6; else printf "%gk", n / 1e3 }'; }
S=$(size "$SMALL") B=$(size "$BIG")
bench_start
export PGOPTIONS="-c client_min_messages=warning"

# seed_community TOTAL: grows members, memberships, mentorships,
# collaborations, notifications and attendance to TOTAL events' share
# (run after seed_events ... TOTAL).  Bulk: triggers skipped, consistent
# by construction; the documents of events given a recap are rebuilt.
seed_community() {
	psql_q -v total="$1" <<'SQL'
SET synchronous_commit = off;
SET session_replication_role = replica;
CREATE TABLE IF NOT EXISTS bench_cm (n integer PRIMARY KEY, id bigint NOT NULL);
SELECT coalesce(max(n), 0) AS prev FROM bench_cm \gset
SELECT :total / 5 AS nm, greatest(50, :total / 200) AS n_orgs, :total / 50 AS ncol,
    (SELECT count(*) FROM collaborations) AS prevcol,
    (SELECT coalesce(max(event_id), 0) FROM attendance) AS prevev \gset
CREATE TEMP TABLE topics AS SELECT ARRAY['cataloguing', 'reference', 'teens', 'archives',
    'grants', 'advocacy', 'outreach', 'digital', 'makerspace', 'children', 'careers',
    'zines', 'metadata', 'preservation', 'instruction', 'collections', 'accessibility',
    'research data', 'open access', 'leadership', 'budgets', 'programming',
    'local history', 'literacy'] AS v;
CREATE TEMP TABLE o AS SELECT g AS n, o.id, o.created_by
FROM generate_series(1, :n_orgs) g JOIN organizations o ON o.slug = 'bench-library-' || g;

-- Members :prev+1 .. :nm (h spreads the choices).
WITH ins AS (
	INSERT INTO members (email, password_hash, display_name, city, title, bio,
	    interests, mentoring_available, mentoring_topics, mentoring_capacity,
	    visibility_about, visibility_affiliations, visibility_mentoring, created_at)
	SELECT 'c' || g || '@bench.example', 'x',
	    (ARRAY['Ada', 'Grace', 'Melvil', 'Henriette', 'Charles', 'Sarah', 'Jesse',
	        'Pura', 'Clara', 'Arna', 'Zoia', 'Dorothy', 'Lutie', 'Effie', 'Augusta',
	        'Regina', 'Nancy', 'Carla', 'Daniel', 'Vernon'])[1 + h % 20] || ' ' ||
	    (ARRAY['Avram', 'Dewey', 'Cutter', 'Ranganathan', 'Belpre', 'Bontemps',
	        'Shera', 'Porter', 'Horn', 'Baker', 'Hayden', 'Larsen', 'Rollins', 'Lee',
	        'Stearns', 'Power', 'Kent', 'Garcia', 'Moreno', 'Okafor', 'Nguyen',
	        'Schmidt', 'Rossi', 'Tanaka', 'Kowalski', 'Dubois', 'Silva', 'Haddad',
	        'Novak', 'Murphy'])[1 + (h / 20) % 30],
	    (ARRAY['Springfield', 'Shelbyville', 'Riverside', 'Ogdenville', 'Capital City',
	        'North Haverbrook', 'Brockway', 'Cypress Creek', 'Waverly Hills',
	        'Ogden'])[1 + h % 10],
	    (ARRAY['Reference librarian', 'Cataloguer', 'Teen services', 'Archivist',
	        'Branch manager', 'Outreach coordinator'])[1 + h % 6],
	    'Librarian since ' || (1990 + h % 30) || '; happy to talk about ' ||
	        (SELECT v[1 + h % 24] FROM topics) || '.',
	    (SELECT ARRAY[v[1 + h % 24], v[1 + (h / 24) % 24], v[1 + g % 24]] FROM topics),
	    g % 20 = 0,
	    CASE WHEN g % 20 = 0 THEN (SELECT ARRAY[v[1 + (h / 7) % 24], v[1 + (h / 3) % 24]]
	        FROM topics) ELSE '{}' END,
	    CASE WHEN g % 20 = 0 THEN 1 + (g / 20) % 5 ELSE 0 END,
	    CASE WHEN h % 10 = 3 THEN 'private' WHEN h % 10 = 4 THEN 'public'
	        ELSE 'members' END,
	    CASE WHEN h % 7 = 1 THEN 'private' ELSE 'members' END,
	    CASE WHEN h % 20 = 7 THEN 'private' ELSE 'members' END,
	    now() - (h % 1000) * interval '1 day'
	FROM generate_series(:prev + 1, :nm) g,
	    LATERAL (SELECT ((g::bigint * 2654435761) % 1000003)::integer AS h) x
	ORDER BY g
	RETURNING id, email)
INSERT INTO bench_cm SELECT substr(split_part(email, '@', 1), 2)::integer, id FROM ins;

-- The association, once; every library's creator is its admin.
INSERT INTO organizations (slug, name, kind, city, description)
VALUES ('bench-association', 'Bench Association of Librarians', 'association',
    'Springfield', 'Librarians of the whole region.')
ON CONFLICT DO NOTHING;
INSERT INTO memberships (organization_id, member_id, role, status)
SELECT id, created_by, 'admin', 'active' FROM o
ON CONFLICT DO NOTHING;
-- Each new member in one library (2% pending), one in ten in the association.
INSERT INTO memberships (organization_id, member_id, role, status)
SELECT o.id, c.id, 'member', CASE WHEN c.n % 50 = 7 THEN 'pending' ELSE 'active' END
FROM bench_cm c JOIN o ON o.n = 1 + (c.n::bigint * 7919) % :n_orgs
WHERE c.n > :prev
ON CONFLICT DO NOTHING;
INSERT INTO memberships (organization_id, member_id, role, status)
SELECT (SELECT id FROM organizations WHERE slug = 'bench-association'), c.id, 'member',
    'active'
FROM bench_cm c WHERE c.n > :prev AND c.n % 10 = 0
ON CONFLICT DO NOTHING;

-- Mentorships of the new mentors: a third full, a third with one mentee;
-- one open request per 40 members; one completed and shared per 100.
INSERT INTO mentorships (mentor_id, mentee_id, topic, message, status, accepted_at)
SELECT c.id, x.id, 'grants', 'hello', 'accepted', now() - interval '30 days'
FROM bench_cm c JOIN members m ON m.id = c.id, generate_series(1, 5) k,
    LATERAL (SELECT id FROM bench_cm WHERE n = 1 + (c.n * 3 + k * 7) % :nm) x
WHERE c.n > :prev AND c.n % 20 = 0 AND x.id <> c.id
  AND ((c.n / 20) % 3 = 0 AND k <= m.mentoring_capacity OR (c.n / 20) % 3 = 1 AND k = 1)
ON CONFLICT DO NOTHING;
INSERT INTO mentorships (mentor_id, mentee_id, topic, message)
SELECT c.id, x.id, 'teens', 'could we talk?'
FROM bench_cm c, LATERAL (SELECT id FROM bench_cm WHERE n = 1 + (c.n * 37) % :nm) x
WHERE c.n > :prev AND c.n % 40 = 20 AND x.id <> c.id
ON CONFLICT DO NOTHING;
INSERT INTO mentorships (mentor_id, mentee_id, topic, message, status, accepted_at,
    ended_at, mentor_shares, mentee_shares)
SELECT c.id, x.id, 'advocacy', 'thank you', 'completed',
    now() - (c.n % 365 + 60) * interval '1 day', now() - (c.n % 365) * interval '1 day',
    true, true
FROM bench_cm c, LATERAL (SELECT id FROM bench_cm WHERE n = 1 + (c.n * 11) % :nm) x
WHERE c.n > :prev AND c.n % 100 = 0 AND x.id <> c.id
ON CONFLICT DO NOTHING;

-- Notifications: 5 per new member, 2 of them read, over the last 90 days.
INSERT INTO notifications (member_id, type, subject_type, subject_id, text, read, created_at)
SELECT c.id, (ARRAY['invitation_received', 'rsvp_promoted', 'event_cancelled',
        'membership_approved', 'mentorship_requested'])[k],
    'event', 1 + (c.n * k) % :total, 'Something happened that you may want to see.',
    k <= 2, now() - ((c.n::bigint * 7919 + k * 104729) % 129600) * interval '1 minute'
FROM bench_cm c, generate_series(1, 5) k
WHERE c.n > :prev;

-- Collaborations :prevcol+1 .. :ncol, hosted by libraries.
WITH ins AS (
	INSERT INTO collaborations (title, summary, skills_wanted, status, organization_id,
	    created_by, completed_at, created_at)
	SELECT 'Shared ' || (SELECT v[1 + g % 24] FROM topics) || ' project #' || g,
	    'Libraries pooling staff time and money for ' || (SELECT v[1 + g % 24] FROM topics)
	        || '. Partners welcome.',
	    (SELECT ARRAY[v[1 + g % 24], v[1 + (g / 24) % 24]] FROM topics),
	    (ARRAY['proposed', 'seeking_partners', 'active', 'completed', 'archived'])[1 + g % 5],
	    o.id, o.created_by,
	    CASE WHEN g % 5 = 3 THEN now() - (g % 300) * interval '1 hour' END,
	    now() - (g % 365) * interval '1 day' - g * interval '1 second'
	FROM generate_series(:prevcol + 1, :ncol) g JOIN o ON o.n = 1 + (g * 13) % :n_orgs
	ORDER BY g
	RETURNING id, organization_id, created_by, created_at)
, p AS (
	INSERT INTO collaboration_participants (collaboration_id, member_id, organization_id,
	    role, status, decided_at)
	SELECT id, created_by, organization_id, 'owner', 'approved', created_at FROM ins
	UNION ALL
	SELECT ins.id, x.id, NULL, 'participant', CASE WHEN k = 3 THEN 'pending'
	    ELSE 'approved' END, CASE WHEN k < 3 THEN ins.created_at END
	FROM ins, generate_series(1, 3) k,
	    LATERAL (SELECT id FROM bench_cm WHERE n = 1 + (ins.id * 7 + k * 101) % :nm) x
	RETURNING 1)
INSERT INTO collaboration_updates (collaboration_id, author_id, body, created_at)
SELECT id, created_by, 'We met and agreed on the next steps.',
    least(now(), created_at + interval '1 day') FROM ins;

-- Attendance: 3 members at each past event not seeded yet.
INSERT INTO attendance (event_id, member_id, attended, recorded_at)
SELECT e.id, x.id, (e.id + k) % 20 <> 0, e.ends_at
FROM events e, generate_series(1, 3) k,
    LATERAL (SELECT id FROM bench_cm
        WHERE n = 1 + ((e.id * 2654435761) % 1000003 + k * 104729) % :nm) x
WHERE e.id > :prevev AND e.ends_at < now() AND e.status = 'scheduled'
ON CONFLICT DO NOTHING;
-- A recap on one past event in a hundred.
UPDATE events SET recap = 'Thirty of us came; slides are on the wiki.',
    recap_at = ends_at + interval '1 day'
WHERE id > :prevev AND ends_at < now() - interval '1 day' AND id % 100 = 0;
SELECT core.event_docs_refresh(ARRAY(SELECT id FROM events
    WHERE id > :prevev AND recap IS NOT NULL)) \g /dev/null
SET session_replication_role = origin;
SELECT core.org_counts_refresh() \g /dev/null
SELECT core.mentor_rankings_stale() \g /dev/null
VACUUM ANALYZE;
SQL
}

# The reader (once): a session with a known token, two libraries and the
# association, 10 past events attended, 10 RSVPs, 30 notifications.
make_reader() {
	read -r READER_TOKEN hash < <(python3 -c '
import base64, hashlib, os
raw = os.urandom(32)
print(base64.urlsafe_b64encode(raw).decode().rstrip("="),
      hashlib.blake2b(raw, digest_size=32).hexdigest())')
	READER_HASH=$hash
	psql_q -v hash="$hash" <<'SQL'
INSERT INTO members (email, password_hash, display_name, city, interests)
VALUES ('reader@bench.example', 'x', 'Rea Der', 'Springfield',
    '{cataloguing,grants,teens}');
CREATE TEMP TABLE me AS SELECT id FROM members WHERE email = 'reader@bench.example';
INSERT INTO sessions (member_id, token_hash, kind, expires_at)
SELECT id, decode(:'hash', 'hex'), 'session', now() + interval '1 day' FROM me;
INSERT INTO memberships (organization_id, member_id, role, status)
SELECT o.id, me.id, 'member', 'active' FROM me, organizations o
WHERE o.slug IN ('bench-library-1', 'bench-library-2', 'bench-association');
INSERT INTO attendance (event_id, member_id, attended)
SELECT e.id, me.id, true FROM me, (SELECT id FROM events
    WHERE ends_at < now() - interval '7 days' AND status = 'scheduled'
      AND id IN (SELECT event_id FROM attendance)
    ORDER BY ends_at DESC LIMIT 10) e;
-- RSVPs through the triggers (counts and documents kept).
INSERT INTO rsvps (event_id, member_id, response, status)
SELECT e.id, me.id, 'going', 'going' FROM me, (SELECT id FROM events
    WHERE starts_at > now() + interval '1 day' AND id % 10 = 0
    ORDER BY starts_at LIMIT 10) e;
INSERT INTO notifications (member_id, type, subject_type, subject_id, text, read, created_at)
SELECT me.id, 'rsvp_promoted', 'event', g, 'You have a place now.', g > 10,
    now() - g * interval '5 hours'
FROM me, generate_series(1, 30) g;
SQL
	EVENT_ID=$(psql_q -c "SELECT r.event_id FROM rsvps r JOIN members m ON m.id = r.member_id
	    JOIN events e ON e.id = r.event_id WHERE m.email = 'reader@bench.example'
	    ORDER BY e.starts_at LIMIT 1")
}

# name|path and query|SQL function|path arguments
reads=(
	"event page|/v1/events/EVENT|event_get|{\"id\":\"EVENT\"}"
	"members|/v1/members?limit=20|members_list|{}"
	"mentors|/v1/mentors?limit=20|mentors_list|{}"
	"suggestions|/v1/mentors/suggestions?limit=20|mentor_suggestions|{}"
	"organizations|/v1/organizations?limit=20|orgs_list|{}"
	"collaborations|/v1/collaborations?limit=20|collaborations_list|{}"
	"activity|/v1/activity?limit=20|activity_list|{}"
	"notifications|/v1/me/notifications?limit=20|notifications_list|{}"
)

# The query document the API sends for "?limit=20", and for no query.
query_of() { case $1 in *\?limit=20) echo '{"limit": 20}' ;; *) echo '{}' ;; esac; }

# sql_median FN ARGS QUERY [BEFORE]: the median time of 25 calls of
# api.FN as the reader, inside PostgreSQL (ms); the statement BEFORE, if
# any, runs before each call, untimed.
sql_median() {
	psql_q -v fn="$1" -v args="$2" -v q="$3" -v before="${4:-SELECT}" \
	    -v hash="$READER_HASH" <<'SQL'
CREATE TEMP TABLE t (ms double precision);
SELECT format($f$
DO $d$
DECLARE s timestamptz; r api.reply;
BEGIN
	FOR i IN 1..25 LOOP
		EXECUTE %L;
		s := clock_timestamp();
		r := api.%I(decode(%L, 'hex'), %L, %L, NULL, '127.0.0.1');
		INSERT INTO t VALUES (extract(epoch FROM clock_timestamp() - s) * 1000);
	END LOOP;
END $d$$f$, :'before', :'fn', :'hash', :'args', :'q') \gexec
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2) FROM t;
SQL
}

declare -A API_P50 SQL_MS COLD_MS
measure() {	# measure LABEL
	local r name path fn args ms
	for r in "${reads[@]}"; do
		IFS='|' read -r name path fn args <<<"$r"
		path=${path//EVENT/$EVENT_ID}
		args=${args//EVENT/$EVENT_ID}
		curl -fs -o /dev/null -H "Authorization: Bearer $READER_TOKEN" "$API$path" ||
		    { echo "bench: $path does not answer 200" >&2; exit 1; }
		CONNS=8 wrk_run "$name ($1)" "$API$path" -H "Authorization: Bearer $READER_TOKEN"
		API_P50[$name,$1]=$P50
		# The function alone, inside PostgreSQL: median of 25 calls.
		ms=$(sql_median "$fn" "$args" "$(query_of "$path")")
		SQL_MS[$name,$1]=$ms
		printf '  %-26s in PostgreSQL: %s ms (median of 25 calls)\n' "" "$ms"
	done
	# Suggestions read once a mentor has changed: the caller's ranking
	# (mentor_rankings) made again by each call.
	COLD_MS[$1]=$(sql_median mentor_suggestions '{}' '{"limit": 20}' \
	    "DELETE FROM mentor_rankings WHERE member_id = (SELECT member_id
	    FROM sessions WHERE token_hash = decode('$READER_HASH', 'hex'))")
	printf '  %-26s in PostgreSQL: %s ms once a mentor changed (ranking made again)\n' \
	    "suggestions ($1)" "${COLD_MS[$1]}"
}

# explain NAME FN ARGS QUERY: every statement of one (warm) call, with
# EXPLAIN (ANALYZE, BUFFERS), into $BENCH_DIR/plans/NAME.txt.
explain() {
	mkdir -p "$BENCH_DIR/plans"
	psql "$DATABASE_URL" -X -q -v fn="$2" -v args="$3" -v q="$4" -v hash="$READER_HASH" \
	    >"$BENCH_DIR/plans/$1.txt" 2>&1 <<'SQL' || true
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_nested_statements = on;
SELECT format('SELECT status FROM api.%I(decode(%L, ''hex''), %L, %L, NULL, ''127.0.0.1'')',
    :'fn', :'hash', :'args', :'q') AS call \gset
SET client_min_messages = warning;
:call;
SET client_min_messages = log;
:call;
SQL
}

t0=$SECONDS
echo "== reads: seeding $SMALL events and their community"
seed_events 1 "$SMALL" "$SMALL" >/dev/null
seed_community "$SMALL"
db_settle
make_reader
echo "seeded in $((SECONDS - t0)) s: $(psql_q -c "SELECT (SELECT count(*) FROM members) ||
    ' members, ' || (SELECT count(*) FROM organizations) || ' organizations, ' ||
    (SELECT count(*) FROM memberships) || ' memberships, ' ||
    (SELECT count(*) FROM attendance) || ' attendance rows'")"
echo "== wrk -t2 -c8 -d${DURATION}s per read, as one signed-in member (2 API workers)"
measure "$S"

t1=$SECONDS
echo "== seeding up to $BIG events and their community"
seed_events $((SMALL + 1)) "$BIG" "$BIG" >/dev/null
seed_community "$BIG"
db_settle
echo "seeded in $((SECONDS - t1)) s: $(psql_q -c "SELECT (SELECT count(*) FROM events) ||
    ' events, ' || (SELECT count(*) FROM members) || ' members, ' ||
    (SELECT count(*) FROM organizations) || ' organizations, ' ||
    (SELECT count(*) FROM memberships) || ' memberships, ' ||
    (SELECT count(*) FROM attendance) || ' attendance rows, ' ||
    (SELECT count(*) FROM notifications) || ' notifications, ' ||
    (SELECT count(*) FROM collaborations) || ' collaborations, ' ||
    (SELECT count(*) FROM mentorships) || ' mentorships'")"
measure "$B"

echo
echo "p50 at $B events / at $S (goal <= 1.3); through the API and in PostgreSQL alone:"
over=()
for r in "${reads[@]}"; do
	IFS='|' read -r name path fn args <<<"$r"
	a=$(ratio "${API_P50[$name,$B]}" "${API_P50[$name,$S]}")
	s=$(ratio "${SQL_MS[$name,$B]}" "${SQL_MS[$name,$S]}")
	flag=ok
	if awk -v a="$a" -v s="$s" 'BEGIN { exit !(a > 1.3 || s > 1.3) }'; then
		flag=OVER
		over+=("$r")
	fi
	printf '  %-16s API %5s (%s -> %s ms)   SQL %5s (%s -> %s ms)   %s\n' "$name" "$a" \
	    "${API_P50[$name,$S]}" "${API_P50[$name,$B]}" "$s" "${SQL_MS[$name,$S]}" \
	    "${SQL_MS[$name,$B]}" "$flag"
	path=${path//EVENT/$EVENT_ID}
	explain "${name// /-}" "$fn" "${args//EVENT/$EVENT_ID}" "$(query_of "$path")"
done
printf '  %-16s SQL %5s (%s -> %s ms), the first read once a mentor changed\n' \
    "suggestions" "$(ratio "${COLD_MS[$B]}" "${COLD_MS[$S]}")" "${COLD_MS[$S]}" "${COLD_MS[$B]}"
echo "plans (EXPLAIN ANALYZE, BUFFERS, every statement, at $B): $BENCH_DIR/plans/"
for r in "${over[@]}"; do
	IFS='|' read -r name path fn args <<<"$r"
	echo
	echo "== $name over the goal: its slowest statement at $B"
	python3 - "$BENCH_DIR/plans/${name// /-}.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
plans = re.split(r"LOG:  duration: ", text)[1:]
# The second (warm) call: its statements after the first call's top one.
tops = [i for i, p in enumerate(plans) if "Query Text: SELECT status FROM api." in p]
warm = plans[tops[0] + 1:tops[-1] + 1] if len(tops) > 1 else plans
agg = {}
for p in warm:
    m = re.search(r"Query Text: (.*?)\n(?=\S.*\(cost=)", p, re.S)
    key = " ".join(m.group(1).split())[:100] if m else "?"
    a = agg.setdefault(key, [0, 0.0, p])
    a[0] += 1
    a[1] += float(p.split(" ")[0])
print("  statements of one warm call (EXPLAIN ANALYZE times, inflated by it):")
print("  calls  total ms  statement")
for k, (n, ms, _) in sorted(agg.items(), key=lambda x: -x[1][1])[:8]:
    print("  %5d %9.2f  %s" % (n, ms, k))
# The plan of the slowest statement other than the call itself.
inner = [(k, v) for k, v in agg.items() if not k.startswith("SELECT status FROM api.")]
if inner:
    k, (n, ms, p) = max(inner, key=lambda x: x[1][1])
    lines = p.splitlines()
    start = next(i for i, l in enumerate(lines) if "(cost=" in l)
    print("  plan of: %s" % k)
    for line in lines[start:start + 30]:
        print("    " + line.rstrip()[:150])
PY
done
echo
echo "total bench time: $((SECONDS - t0)) s"
