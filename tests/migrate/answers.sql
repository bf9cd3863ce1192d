-- API answers that must be the same before and after a migration (run by
-- tests/migrate/legacy.sh through psql, one JSON document a line).  A
-- session with a known token hash stands in for a signed-in member; every
-- call is read-only, and a time that depends on the clock (exported_at)
-- is left out, as are the parts of the export added since the first
-- release (data a database of that release cannot hold).
\set ON_ERROR_STOP 1
\pset tuples_only on
\pset format unaligned
-- last_used_at ahead of time: api.auth then never touches it.
INSERT INTO sessions (member_id, token_hash, kind, expires_at, last_used_at)
SELECT id, decode(repeat('5a', 32), 'hex'), 'session',
    now() + interval '1 day', now() + interval '1 hour'
FROM members WHERE email = 'ada@interlibrary.example'
ON CONFLICT (token_hash) DO NOTHING;
\set t 'decode(repeat(''5a'', 32), ''hex'')'
\set q '''{"limit": 100}''::jsonb'
-- The body a reply's row makes, whatever the release: a list's page may
-- travel beside its envelope (api.reply's data, JSON text since 0080)
-- rather than inside it.
-- A next_cursor is compared by whether there is one: its format is the
-- API's (since the first release it also names the list and filters).
-- Fields added since the first release (pg_temp.strip) are left out.
CREATE FUNCTION pg_temp.body(r anyelement) RETURNS jsonb LANGUAGE sql AS $$
	SELECT pg_temp.strip(CASE WHEN b ? 'next_cursor'
	    THEN jsonb_set(b, '{next_cursor}', to_jsonb(b->>'next_cursor' IS NOT NULL))
	    ELSE b END)
	FROM (SELECT CASE WHEN coalesce(jsonb_typeof(to_jsonb(r)->'data'), 'null') = 'null'
	    THEN to_jsonb(r)->'body'
	    ELSE (to_jsonb(r)->'body') || jsonb_build_object('data',
	        CASE jsonb_typeof(to_jsonb(r)->'data') WHEN 'string'
	        THEN (to_jsonb(r)->>'data')::jsonb ELSE to_jsonb(r)->'data' END)
	    END AS b) x;
$$;
-- j without the members added since the first release, at any depth:
-- "version" (events, organizations, collaborations, mentorships and the
-- own profile; If-Match), positions (organizations, events) and the
-- home area (the own profile): Nearby; "series_id" and "recurrence"
-- (events).
CREATE FUNCTION pg_temp.strip(j jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
	RETURN CASE jsonb_typeof(j)
	    WHEN 'object' THEN coalesce((SELECT jsonb_object_agg(k, pg_temp.strip(v))
	        FROM jsonb_each(j) AS t(k, v) WHERE k NOT IN ('version', 'latitude',
	        'longitude', 'home_latitude', 'home_longitude', 'series_id',
	        'recurrence')), '{}')
	    WHEN 'array' THEN coalesce((SELECT jsonb_agg(pg_temp.strip(v) ORDER BY o)
	        FROM jsonb_array_elements(j) WITH ORDINALITY AS t(v, o)), '[]')
	    ELSE j END;
END;
$$;
-- A feed document as the first release wrote it: what later releases
-- added to it (the installation's id, the events' local times and
-- positions, their series; the series and their time zones) left out.
CREATE FUNCTION pg_temp.feed_v1(d jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT (d - '{instance,series,timezones}'::text[]) || jsonb_build_object('events', coalesce((SELECT jsonb_agg(
	    e - '{starts_local,ends_local,starts_zone,ends_zone,latitude,longitude,series_id}'::text[]
	    ORDER BY o) FROM jsonb_array_elements(d->'events')
	    WITH ORDINALITY AS x(e, o)), '[]'));
$$;
CREATE TEMP TABLE answers (name text, body jsonb);
INSERT INTO answers
SELECT 'orgs_list', pg_temp.body(api.orgs_list(NULL, '{}', :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'orgs_list_member', pg_temp.body(api.orgs_list(:t, '{}', :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'org_get', pg_temp.body(api.org_get(NULL, jsonb_build_object('org', (SELECT slug FROM organizations ORDER BY id LIMIT 1)), '{}', NULL, '127.0.0.1'))
UNION ALL SELECT 'org_members', pg_temp.body(api.org_members_list(:t, jsonb_build_object('org', (SELECT id FROM organizations ORDER BY id LIMIT 1)::text), :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'events_list', pg_temp.body(api.events_list(NULL, '{}', '{"limit": 100, "from": "2000-01-01T00:00:00Z"}', NULL, '127.0.0.1'))
UNION ALL SELECT 'events_list_member', pg_temp.body(api.events_list(:t, '{}', '{"limit": 7, "from": "2000-01-01T00:00:00Z"}', NULL, '127.0.0.1'))
UNION ALL SELECT 'events_list_kind', pg_temp.body(api.events_list(NULL, '{}', '{"limit": 100, "kind": "social", "from": "2000-01-01T00:00:00Z"}', NULL, '127.0.0.1'))
UNION ALL SELECT 'event_get', pg_temp.body(api.event_get(:t, jsonb_build_object('id', (SELECT min(id) FROM events)::text), '{}', NULL, '127.0.0.1'))
UNION ALL SELECT 'event_rsvps', pg_temp.body(api.event_rsvps(:t, jsonb_build_object('id', (SELECT event_id FROM rsvps GROUP BY event_id ORDER BY count(*) DESC, event_id LIMIT 1)::text), :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'feed_events', pg_temp.feed_v1(api.feed_events('{}', '{}'))
UNION ALL SELECT 'me_get', pg_temp.body(api.me_get(:t, '{}', '{}', NULL, '127.0.0.1'))
UNION ALL SELECT 'members_list', pg_temp.body(api.members_list(:t, '{}', :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'member_get', pg_temp.body(api.member_get(:t, jsonb_build_object('id', (SELECT max(id) FROM members)::text), '{}', NULL, '127.0.0.1'))
UNION ALL SELECT 'notifications', pg_temp.body(api.notifications_list(:t, '{}', :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'invitations', pg_temp.body(api.invitations_list(:t, '{}', :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'mentors', pg_temp.body(api.mentors_list(:t, '{}', :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'suggestions', pg_temp.body(api.mentor_suggestions(:t, '{}', '{"limit": 50}', NULL, '127.0.0.1'))
UNION ALL SELECT 'mentorships', pg_temp.body(api.mentorships_list(:t, '{}', :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'collaborations', pg_temp.body(api.collaborations_list(NULL, '{}', :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'activity', pg_temp.body(api.activity_list(NULL, '{}', :q, NULL, '127.0.0.1'))
UNION ALL SELECT 'sessions', pg_temp.body(api.sessions_list(:t, '{}', '{}', NULL, '127.0.0.1'))
UNION ALL SELECT 'export', pg_temp.body(api.me_export(:t, '{}', '{}', NULL, '127.0.0.1'))
    - ARRAY['exported_at', 'conversations', 'blocks', 'thanks_received',
        'thanks_given', 'milestones', 'signups'];
SELECT name || ' ' || body::text FROM answers ORDER BY name;
