-- Recurring events: a series (sql/migrations/0060_series.sql) is a rule
-- and a template, and each occurrence a real event row.  The API checks
-- the rule and expands it in C with libical (api/src/resources/
-- recurrence.c) into local wall-clock start times; SQL alone writes, and
-- turns each local time into an instant with PostgreSQL's time zone data
-- (api.local_start), so 18:00 in America/Chicago stays 18:00 across DST.

-- Helpers ----------------------------------------------------------------

-- The instant of local time p_local in zone p_tz, as RFC 5545 reads it:
-- a local time that occurs twice (when clocks go back) is the first of
-- the two; one that does not occur (when clocks go forward) is read with
-- the offset before the change, i.e. moved forward by the gap (which is
-- what PostgreSQL does with it).
CREATE FUNCTION api.local_start(p_local timestamp, p_tz text)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT min(c.at)
	    FROM unnest(ARRAY[x.t - interval '2 hours', x.t - interval '1 hour',
	        x.t - interval '30 minutes', x.t]) c(at)
	    WHERE c.at AT TIME ZONE p_tz = p_local), x.t)
	FROM (SELECT p_local AT TIME ZONE p_tz AS t) x;
$$;

-- The local start ("YYYY-MM-DDTHH:MM:SS") of an event starting at
-- p_starts (RFC 3339) in zone p_tz: where the API expands a rule from.
-- 400 naming timezone or starts_at when they are not valid.
CREATE FUNCTION api.series_local_start(p_starts text, p_tz text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_tz) THEN
		PERFORM api.fail(400, 'validation_failed',
		    'is not an IANA time zone name like "Europe/Paris"',
		    'timezone');
	END IF;
	RETURN to_char(api.time_arg(p_starts, 'starts_at') AT TIME ZONE p_tz,
	    'YYYY-MM-DD"T"HH24:MI:SS');
END;
$$;

-- Writing ----------------------------------------------------------------

-- POST /v1/events with "recurrence": the series and its occurrences, in
-- one transaction; answers 201 with the first occurrence.  p_plan is the
-- rule as the API expanded it from the local start of "starts_at"
-- (recurrence_expand() in recurrence.c): {rule, starts (local times, in
-- order), until ("YYYY-MM-DD", "...Z" or null), count, complete}.  Every
-- occurrence is as long as the body's event; a UTC UNTIL is applied here,
-- to instants.
CREATE FUNCTION api.series_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet, p_plan jsonb)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me		members := api.auth(p_token, true);
	v_o		organizations := api.event_create_org(p_body, v_me);
	e		events;
	s		series;
	v_until		text := p_plan->>'until';
	v_until_at	timestamptz;
	v_starts	timestamptz[];
BEGIN
	e.guest_limit := 0;
	e.tags := '{}';
	e := api.event_apply(e, p_body);
	IF length(v_until) > 10 THEN
		v_until_at := v_until::timestamptz;
	END IF;
	SELECT array_agg(t.at ORDER BY t.at) INTO v_starts
	FROM (SELECT api.local_start(x::timestamp, e.timezone) AS at
	    FROM jsonb_array_elements_text(p_plan->'starts') x) t
	WHERE v_until_at IS NULL OR t.at <= v_until_at;
	IF v_starts IS NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'has no occurrence on or after starts_at', 'recurrence');
	END IF;
	IF cardinality(v_starts) > 200 THEN
		PERFORM api.fail(400, 'validation_failed',
		    'UNTIL allows more than 200 occurrences', 'recurrence');
	END IF;

	INSERT INTO series (rrule, timezone, dtstart_local, duration, until_at,
	    until_date, count, materialized_until, template, organization_id,
	    created_by)
	VALUES (p_plan->>'rule', e.timezone,
	    (p_plan->'starts'->>0)::timestamp, e.ends_at - e.starts_at,
	    v_until_at, CASE WHEN length(v_until) = 10 THEN v_until::date END,
	    (p_plan->>'count')::integer, v_starts[cardinality(v_starts)],
	    p_body - '{recurrence,starts_at,ends_at}'::text[], v_o.id, v_me.id)
	RETURNING * INTO s;

	INSERT INTO events (title, description, kind, tags, starts_at, ends_at,
	    timezone, venue, address, city, online_url, accessibility_notes,
	    capacity, guest_limit, organization_id, created_by, target,
	    talking_points, series_id, recurrence_id)
	SELECT e.title, e.description, e.kind, e.tags, t.at, t.at + s.duration,
	    e.timezone, e.venue, e.address, e.city, e.online_url,
	    e.accessibility_notes, e.capacity, e.guest_limit, v_o.id, v_me.id,
	    e.target, e.talking_points, s.id, t.at
	FROM unnest(v_starts) t(at)
	ORDER BY t.at;
	FOR e IN SELECT * FROM events WHERE series_id = s.id LOOP
		PERFORM api.event_set_organizers(e, p_body->'organizers');
	END LOOP;

	SELECT * INTO e FROM events
	WHERE series_id = s.id AND recurrence_id = v_starts[1];
	RETURN api.ok(201, api.event_json(e, v_me), '/v1/events/' || e.id);
END;
$$;

