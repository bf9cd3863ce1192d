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
	    timezone, venue, address, city, latitude, longitude, online_url,
	    accessibility_notes, capacity, guest_limit, organization_id,
	    created_by, target, talking_points, series_id, recurrence_id)
	SELECT e.title, e.description, e.kind, e.tags, t.at, t.at + s.duration,
	    e.timezone, e.venue, e.address, e.city, e.latitude, e.longitude,
	    e.online_url, e.accessibility_notes, e.capacity, e.guest_limit,
	    v_o.id, v_me.id, e.target, e.talking_points, s.id, t.at
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

-- Rule p_rrule (without COUNT) ending at p_until: its UNTIL, in UTC.
CREATE FUNCTION api.rrule_until(p_rrule text, p_until timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT regexp_replace(p_rrule, ';?UNTIL=[^;]*', '') || ';UNTIL=' ||
	    to_char(p_until AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"');
$$;

-- Series p_sid, whose dates still to come have all been cancelled
-- (POST /v1/events/{id}/cancel?scope=following|all), ends with its last
-- materialized date: an open-ended rule gets that UNTIL, so the series
-- job adds no new dates and a calendar that expands the published RRULE
-- shows none past it.  A rule with COUNT or UNTIL has all its dates
-- already.
CREATE FUNCTION api.series_end(p_sid bigint)
RETURNS void LANGUAGE sql AS $$
	UPDATE series s SET
	    rrule = api.rrule_until(s.rrule, l.last),
	    until_at = l.last, updated_at = now()
	FROM (SELECT max(recurrence_id) AS last FROM events
	      WHERE series_id = p_sid) l
	WHERE s.id = p_sid AND s.count IS NULL AND s.until_at IS NULL
	  AND s.until_date IS NULL AND l.last IS NOT NULL;
$$;

-- "This and following": occurrence e and the later ones of its series
-- become a series of their own, with the same rule from e's original
-- start (COUNT: the occurrences moved); the earlier ones keep the old
-- series, which now ends before e (COUNT: the ones kept, else UNTIL just
-- before e).  Returns the id of the series e is in afterwards (the same
-- when e is the first occurrence: nothing to split).
CREATE FUNCTION api.series_split(e events)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	s	series;
	v_new	series;
	v_moved	integer;
	v_kept	timestamptz;
BEGIN
	SELECT * INTO s FROM series WHERE id = e.series_id FOR UPDATE;
	SELECT max(recurrence_id) INTO v_kept FROM events
	WHERE series_id = s.id AND recurrence_id < e.recurrence_id;
	IF v_kept IS NULL THEN
		RETURN s.id;
	END IF;
	SELECT count(*) INTO v_moved FROM events
	WHERE series_id = s.id AND recurrence_id >= e.recurrence_id;
	INSERT INTO series (rrule, timezone, dtstart_local, duration, until_at,
	    until_date, count, materialized_until, exdates, template,
	    organization_id, created_by)
	VALUES (CASE WHEN s.count IS NOT NULL THEN regexp_replace(s.rrule,
	        'COUNT=[0-9]+', 'COUNT=' || v_moved) ELSE s.rrule END,
	    s.timezone, e.recurrence_id AT TIME ZONE s.timezone, s.duration,
	    s.until_at, s.until_date, CASE WHEN s.count IS NOT NULL THEN v_moved END,
	    s.materialized_until,
	    ARRAY(SELECT x FROM unnest(s.exdates) x WHERE x >= e.recurrence_id),
	    s.template, s.organization_id, s.created_by)
	RETURNING * INTO v_new;
	UPDATE events SET series_id = v_new.id
	WHERE series_id = s.id AND recurrence_id >= e.recurrence_id;
	UPDATE series SET
	    rrule = CASE WHEN s.count IS NOT NULL THEN regexp_replace(s.rrule,
	        'COUNT=[0-9]+', 'COUNT=' || (s.count - v_moved))
	        ELSE api.rrule_until(s.rrule,
	            e.recurrence_id - interval '1 second') END,
	    count = CASE WHEN s.count IS NOT NULL THEN s.count - v_moved END,
	    until_at = CASE WHEN s.count IS NULL
	        THEN e.recurrence_id - interval '1 second' END,
	    until_date = NULL, materialized_until = v_kept,
	    exdates = ARRAY(SELECT x FROM unnest(s.exdates) x
	        WHERE x < e.recurrence_id),
	    updated_at = now()
	WHERE id = s.id;
	RETURN v_new.id;
END;
$$;

-- Extending open-ended series ----------------------------------------------

-- The series job (il-sender, api/sender/series.c) as time passes: one
-- open-ended series (no COUNT, no UNTIL) whose materialized occurrences
-- fall short of the rolling window, p_years after now and at most p_max
-- ahead (RECUR_MAX_YEARS and RECUR_MAX_COUNT, passed by the job: the
-- window is defined in one place, api/src/il.h), and that this run has
-- not looked at yet (extended_at before p_since, the run's start).  The
-- row is locked FOR UPDATE SKIP LOCKED, so jobs running at once on any
-- number of nodes each take another series; the job expands its rule
-- with libical (recurrence_window() in recurrence.c) from dtstart_local
-- for the starts after now_local, and calls api.series_extend in the same
-- transaction.  No row: nothing (more) to do.
CREATE FUNCTION api.series_extend_claim(p_since timestamptz,
    p_years integer, p_max integer)
RETURNS TABLE (id bigint, rrule text, dtstart_local text, now_local text)
LANGUAGE sql AS $$
	SELECT s.id, s.rrule,
	    to_char(s.dtstart_local, 'YYYY-MM-DD"T"HH24:MI:SS'),
	    to_char(now() AT TIME ZONE s.timezone, 'YYYY-MM-DD"T"HH24:MI:SS')
	FROM series s
	WHERE s.count IS NULL AND s.until_at IS NULL AND s.until_date IS NULL
	  AND (s.extended_at IS NULL OR s.extended_at < p_since)
	  AND (s.next_start IS NULL
	      OR s.next_start <= now() + make_interval(years => p_years))
	  AND (SELECT count(*) FROM events e
	      WHERE e.series_id = s.id AND e.recurrence_id > now()) +
	      (SELECT count(*) FROM unnest(s.exdates) x WHERE x > now()) < p_max
	ORDER BY s.extended_at NULLS FIRST, s.id
	LIMIT 1
	FOR UPDATE OF s SKIP LOCKED;
$$;

-- The occurrences of series p_id (claimed by api.series_extend_claim in
-- this transaction) that the rolling window adds: p_plan is
-- {starts: local start times after now, in order; next: the first
-- local start past the window, or null}.  A start is made an occurrence
-- unless it is materialized already (on or before materialized_until,
-- or present: the unique index on (series_id, recurrence_id) is the
-- backstop) or was deleted (exdates); exceptions and every existing
-- occurrence are left alone.  A new occurrence is made of the series'
-- template (what POST made it of, with every "all" edit since), with the
-- organization and organizers of the series' latest occurrence that
-- follows the series, and hidden like it (a series a moderator hid does
-- not come back with its new dates).  Returns how many occurrences were
-- added.
CREATE FUNCTION api.series_extend(p_id bigint, p_plan jsonb)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	s	series;
	e	events;
	m	events;
	v_new	bigint[];
	v_next	timestamptz;
BEGIN
	SELECT * INTO s FROM series WHERE id = p_id FOR UPDATE;
	IF NOT FOUND OR s.count IS NOT NULL OR s.until_at IS NOT NULL
	    OR s.until_date IS NOT NULL THEN
		RETURN 0;
	END IF;
	IF p_plan->>'next' IS NOT NULL THEN
		v_next := api.local_start((p_plan->>'next')::timestamp,
		    s.timezone);
	END IF;
	-- Nothing to add (or a plan without starts, which the job sends for
	-- a series it could not extend): looked at, all the same.
	IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(p_plan->'starts') x
	    WHERE api.local_start(x::timestamp, s.timezone) > s.materialized_until) THEN
		UPDATE series SET next_start = v_next, extended_at = now()
		WHERE id = s.id;
		RETURN 0;
	END IF;
	SELECT * INTO m FROM events o WHERE o.series_id = s.id
	ORDER BY NOT o.exception AND o.status = 'scheduled' DESC,
	    o.recurrence_id DESC
	LIMIT 1;
	e.guest_limit := 0;
	e.tags := '{}';
	e.timezone := s.timezone;
	e := api.event_apply(e, s.template);

	WITH t AS (
		SELECT api.local_start(x::timestamp, s.timezone) AS at
		FROM jsonb_array_elements_text(p_plan->'starts') x
	), ins AS (
		INSERT INTO events (title, description, kind, tags, starts_at,
		    ends_at, timezone, venue, address, city, latitude, longitude,
		    online_url, accessibility_notes, capacity, guest_limit,
		    organization_id, created_by, target, talking_points,
		    series_id, recurrence_id, hidden_at)
		SELECT e.title, e.description, e.kind, e.tags, t.at,
		    t.at + s.duration, s.timezone, e.venue, e.address, e.city,
		    e.latitude, e.longitude, e.online_url, e.accessibility_notes,
		    e.capacity, e.guest_limit,
		    CASE WHEN m.id IS NOT NULL THEN m.organization_id
		        ELSE s.organization_id END,
		    s.created_by, e.target, e.talking_points, s.id, t.at,
		    m.hidden_at
		FROM t
		WHERE t.at > s.materialized_until AND t.at > now()
		  AND t.at <> ALL (s.exdates)
		ORDER BY t.at
		ON CONFLICT (series_id, recurrence_id) DO NOTHING
		RETURNING id
	)
	SELECT array_agg(id) INTO v_new FROM ins;

	INSERT INTO event_organizers (event_id, member_id)
	SELECT n.id, o.member_id
	FROM unnest(v_new) n(id)
	CROSS JOIN (SELECT eo.member_id FROM event_organizers eo
	    WHERE eo.event_id = m.id
	    UNION SELECT s.created_by WHERE s.created_by IS NOT NULL) o
	ON CONFLICT DO NOTHING;

	UPDATE series SET materialized_until = greatest(materialized_until,
	        (SELECT max(recurrence_id) FROM events WHERE series_id = s.id)),
	    next_start = v_next, extended_at = now()
	WHERE id = s.id;
	RETURN coalesce(cardinality(v_new), 0);
END;
$$;

-- Reading ----------------------------------------------------------------

-- "a, b and c"
CREATE FUNCTION api.words_join(p_words text[])
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN cardinality(p_words) <= 1 THEN p_words[1]
	    ELSE array_to_string(p_words[1:cardinality(p_words) - 1], ', ') ||
	        ' and ' || p_words[cardinality(p_words)] END;
$$;

-- 1st, 2nd, 3rd, 4th, 11th, 21st; -1 is "last".
CREATE FUNCTION api.day_ordinal(p_n integer)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_n = -1 THEN 'last'
	    WHEN p_n < 0 THEN api.day_ordinal(-p_n) || ' to last'
	    WHEN p_n % 100 BETWEEN 11 AND 13 THEN p_n || 'th'
	    ELSE p_n || CASE p_n % 10 WHEN 1 THEN 'st' WHEN 2 THEN 'nd'
	        WHEN 3 THEN 'rd' ELSE 'th' END END;
$$;

-- A BYDAY item in words: "TU" -> "Tuesday", "2TU" -> "second Tuesday",
-- "-1FR" -> "last Friday".
CREATE FUNCTION api.byday_words(p_item text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT concat_ws(' ', CASE WHEN n <> '' THEN
	    CASE n::integer WHEN 1 THEN 'first' WHEN 2 THEN 'second'
	        WHEN 3 THEN 'third' WHEN 4 THEN 'fourth' WHEN 5 THEN 'fifth'
	        WHEN -1 THEN 'last' ELSE api.day_ordinal(n::integer) END END,
	    CASE d WHEN 'MO' THEN 'Monday' WHEN 'TU' THEN 'Tuesday'
	        WHEN 'WE' THEN 'Wednesday' WHEN 'TH' THEN 'Thursday'
	        WHEN 'FR' THEN 'Friday' WHEN 'SA' THEN 'Saturday'
	        ELSE 'Sunday' END)
	FROM (SELECT left(p_item, -2) AS n, right(p_item, 2) AS d) x;
$$;

-- The rule of series s in words, in its time zone: "Every second
-- Tuesday at 6:00 PM, 10 times", "Every other Thursday at 7:00 PM, until
-- December 31, 2027", "Every month on the 15th at 6:30 PM".
CREATE FUNCTION api.series_rule_text(s series)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_p	jsonb := (SELECT jsonb_object_agg(split_part(x, '=', 1),
	    split_part(x, '=', 2)) FROM unnest(string_to_array(s.rrule, ';')) x);
	v_n	integer := coalesce((v_p->>'INTERVAL')::integer, 1);
	v_days	text[] := ARRAY(SELECT api.byday_words(x)
	    FROM unnest(string_to_array(v_p->>'BYDAY', ',')) WITH ORDINALITY t(x, o)
	    ORDER BY o);
	v_mdays	text[] := ARRAY(SELECT CASE WHEN x::integer = -1 THEN 'last day'
	        ELSE api.day_ordinal(x::integer) END
	    FROM unnest(string_to_array(v_p->>'BYMONTHDAY', ',')) WITH ORDINALITY t(x, o)
	    ORDER BY o);
	v_every	text;
	v_text	text;
BEGIN
	CASE v_p->>'FREQ'
	WHEN 'DAILY' THEN
		v_every := CASE v_n WHEN 1 THEN 'day' WHEN 2 THEN 'other day'
		    ELSE v_n || ' days' END;
		v_text := CASE WHEN v_p->>'BYDAY' = 'MO,TU,WE,TH,FR' AND v_n = 1
		        THEN 'Every weekday'
		    WHEN cardinality(v_days) > 0 AND v_n = 1
		        THEN 'Every ' || api.words_join(v_days)
		    WHEN cardinality(v_days) > 0
		        THEN 'Every ' || v_every || ' on ' || api.words_join(v_days)
		    ELSE 'Every ' || v_every END;
	WHEN 'WEEKLY' THEN
		IF cardinality(v_days) = 0 THEN
			v_days := ARRAY[trim(to_char(s.dtstart_local, 'Day'))];
		END IF;
		v_text := CASE v_n WHEN 1 THEN 'Every ' || api.words_join(v_days)
		    WHEN 2 THEN 'Every other ' || api.words_join(v_days)
		    ELSE 'Every ' || v_n || ' weeks on ' || api.words_join(v_days) END;
	WHEN 'MONTHLY' THEN
		v_every := CASE v_n WHEN 1 THEN 'month' WHEN 2 THEN 'other month'
		    ELSE v_n || ' months' END;
		IF cardinality(v_days) > 0 AND cardinality(v_mdays) > 0 THEN
			v_text := 'Every ' || api.words_join(v_days) || ' the ' ||
			    api.words_join(v_mdays) ||
			    CASE WHEN v_n > 1 THEN ', every ' || v_every ELSE '' END;
		ELSIF cardinality(v_days) > 0 AND v_n = 1 THEN
			v_text := 'Every ' || api.words_join(v_days);
		ELSIF cardinality(v_days) > 0 THEN
			v_text := 'The ' || api.words_join(v_days) || ' of every ' ||
			    v_every;
		ELSE
			IF cardinality(v_mdays) = 0 THEN
				v_mdays := ARRAY[api.day_ordinal(
				    extract(day FROM s.dtstart_local)::integer)];
			END IF;
			v_text := 'Every ' || v_every || ' on the ' ||
			    api.words_join(v_mdays);
		END IF;
	ELSE
		v_text := 'Every ' || CASE v_n WHEN 1 THEN 'year' WHEN 2 THEN
		    'other year' ELSE v_n || ' years' END || ' on ' ||
		    to_char(s.dtstart_local, 'FMMonth FMDD');
	END CASE;
	RETURN v_text || ' at ' || to_char(s.dtstart_local, 'FMHH12:MI AM') ||
	    CASE WHEN s.count IS NOT NULL THEN ', ' || s.count ||
	        CASE s.count WHEN 1 THEN ' time' ELSE ' times' END
	    WHEN s.until_date IS NOT NULL THEN ', until ' ||
	        to_char(s.until_date, 'FMMonth FMDD, YYYY')
	    WHEN s.until_at IS NOT NULL THEN ', until ' ||
	        to_char(s.until_at AT TIME ZONE s.timezone, 'FMMonth FMDD, YYYY')
	    ELSE '' END;
END;
$$;

-- GET /v1/series/{id}: the rule, in words too, and every materialized
-- occurrence that has not ended, in start order (hidden ones for their
-- organizers only, as in the list).  A series whose occurrences are all
-- hidden from the caller is not found.
CREATE FUNCTION api.series_get(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	s	series;
BEGIN
	SELECT * INTO s FROM series WHERE id = (p_args->>'id')::bigint;
	IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM events e
	    WHERE e.series_id = s.id
	      AND (e.hidden_at IS NULL OR api.event_can_manage(e, v_me))) THEN
		PERFORM api.fail(404, 'not_found', 'no such series');
	END IF;
	RETURN api.ok(200, jsonb_build_object('id', s.id,
	    'recurrence', s.rrule, 'rule_text', api.series_rule_text(s),
	    'timezone', s.timezone,
	    'occurrences', (SELECT coalesce(jsonb_agg(v.doc
	        ORDER BY e.starts_at, e.id), '[]')
	        FROM events e, LATERAL api.event_view(e.id, v_me) v
	        WHERE e.series_id = s.id AND e.ends_at > now()
	          AND (e.hidden_at IS NULL OR api.event_can_manage(e, v_me)))));
END;
$$;

-- Feeds ------------------------------------------------------------------

-- "+HHMM" / "-HHMM" of an offset in seconds (TZOFFSETFROM, TZOFFSETTO).
CREATE FUNCTION api.tz_offset(p_seconds integer)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_seconds < 0 THEN '-' ELSE '+' END ||
	    to_char(abs(p_seconds) / 3600, 'FM00') ||
	    to_char(abs(p_seconds) % 3600 / 60, 'FM00');
$$;

-- A local time as an iCalendar DATE-TIME with TZID: "20270112T180000".
CREATE FUNCTION api.ics_local(p_local timestamp)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(p_local, 'YYYYMMDD"T"HH24MISS');
$$;

-- Zone p_tz between p_from and p_to as a VTIMEZONE, from PostgreSQL's
-- time zone data: {tzid, observances: [{daylight, start (local, in the
-- offset before), from, to, name}]}, the offset in force at p_from first,
-- then each change (found on a 30-minute grid of instants: every change
-- of offset in the data happens on one).  A change to a larger offset is
-- DAYLIGHT.  to_char() and EXTRACT read the session's TimeZone: the
-- function sets it to the zone, and its SET clause gives the caller's
-- back when it returns.
CREATE FUNCTION api.feed_vtimezone(p_tz text, p_from timestamptz,
    p_to timestamptz)
RETURNS jsonb LANGUAGE plpgsql STABLE SET TimeZone = 'UTC' AS $$
DECLARE
	v_from	timestamptz := date_trunc('hour', p_from) - interval '1 day';
	v_off	integer;
	v_name	text;
	v_obs	jsonb;
BEGIN
	PERFORM set_config('TimeZone', p_tz, true);
	v_off := extract(timezone FROM v_from)::integer;
	v_name := to_char(v_from, 'TZ');
	WITH s AS (
		SELECT t, extract(timezone FROM t)::integer AS off
		FROM generate_series(v_from, p_to + interval '1 day',
		    interval '30 minutes') t
	), c AS (
		SELECT t, off, lag(off) OVER (ORDER BY t) AS prev FROM s
	)
	SELECT jsonb_agg(jsonb_build_object('daylight', off > prev,
	    'start', api.ics_local((t AT TIME ZONE 'UTC') +
	        make_interval(secs => prev)),
	    'from', api.tz_offset(prev), 'to', api.tz_offset(off),
	    'name', to_char(t, 'TZ')) ORDER BY t)
	INTO v_obs
	FROM c WHERE off <> prev;
	RETURN jsonb_build_object('tzid', p_tz, 'observances',
	    jsonb_build_array(jsonb_build_object(
	        'daylight', coalesce((v_obs->0->>'daylight') = 'false', false),
	        'start', api.ics_local(v_from AT TIME ZONE p_tz),
	        'from', api.tz_offset(v_off), 'to', api.tz_offset(v_off),
	        'name', v_name)) || coalesce(v_obs, '[]'));
END;
$$;

-- Whether occurrence e differs from what its series' rule and template
-- make of it (its occurrences last p_duration): changed on its own,
-- cancelled, moved or of another length.  The iCalendar feed publishes
-- it as an override (RECURRENCE-ID).
CREATE FUNCTION api.occurrence_is_override(e events, p_duration interval)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT e.exception OR e.status = 'cancelled'
	    OR e.starts_at <> e.recurrence_id
	    OR e.ends_at - e.starts_at <> p_duration;
$$;

-- The series of p_ids (a feed's events) for the iCalendar feed, each as
-- its master VEVENT and its overrides (feed documents, sql/api/
-- feeds.sql): the master is the feed JSON of an occurrence that follows
-- the template, with "series_id", "rrule" (UNTIL as a UTC instant, as
-- RFC 5545 wants with a TZID; an open-ended series ends at its last
-- occurrence so far, so clients show the occurrences that exist),
-- "dtstart_local", "duration" and "exdates" (deleted and hidden
-- occurrences); every override (api.occurrence_is_override) that is not
-- hidden follows it with "series_id" and "recurrence_id".  Returns
-- {series: [...], timezones: [VTIMEZONE of each zone, over the span of
-- its series]}.
CREATE FUNCTION api.feed_series(p_ids bigint[])
RETURNS jsonb LANGUAGE sql STABLE AS $$
	WITH s AS (
		SELECT * FROM series
		WHERE id IN (SELECT series_id FROM events WHERE id = ANY (p_ids))
	), m AS (
		SELECT s.*, (SELECT e FROM events e WHERE e.series_id = s.id
		    ORDER BY api.occurrence_is_override(e, s.duration), e.hidden_at IS NOT NULL,
		        e.recurrence_id LIMIT 1) AS master
		FROM s
	), docs AS (
		SELECT m.id, m.timezone, m.dtstart_local, m.materialized_until,
		    0 AS o, m.dtstart_local AS at,
		    api.feed_event_json(m.master) || jsonb_build_object(
		    'series_id', m.id,
		    'rrule', CASE
		        WHEN m.until_date IS NOT NULL THEN regexp_replace(m.rrule,
		            'UNTIL=[0-9]{8}(;|$)', 'UNTIL=' || to_char(api.local_start(
		            m.until_date + time '23:59:59', m.timezone) AT TIME ZONE
		            'UTC', 'YYYYMMDD"T"HH24MISS"Z"') || '\1')
		        WHEN m.until_at IS NULL AND m.count IS NULL THEN m.rrule ||
		            ';UNTIL=' || to_char(m.materialized_until AT TIME ZONE
		            'UTC', 'YYYYMMDD"T"HH24MISS"Z"')
		        ELSE m.rrule END,
		    'dtstart_local', api.ics_local(m.dtstart_local),
		    'duration', 'PT' || extract(epoch FROM m.duration)::bigint || 'S',
		    'exdates', (SELECT coalesce(jsonb_agg(api.ics_local(x AT TIME ZONE
		        m.timezone) ORDER BY x), '[]') FROM (
		        SELECT unnest(m.exdates) AS x
		        UNION SELECT e.recurrence_id FROM events e
		        WHERE e.series_id = m.id AND e.hidden_at IS NOT NULL) h))
		    AS doc
		FROM m
		UNION ALL
		SELECT m.id, m.timezone, m.dtstart_local, m.materialized_until,
		    1, e.recurrence_id AT TIME ZONE m.timezone,
		    api.feed_event_json(e) || jsonb_build_object('series_id', m.id,
		    'recurrence_id', api.ics_local(e.recurrence_id AT TIME ZONE
		        m.timezone))
		FROM m JOIN events e ON e.series_id = m.id
		WHERE e.hidden_at IS NULL AND api.occurrence_is_override(e, m.duration)
	)
	SELECT jsonb_build_object(
	    'series', coalesce((SELECT jsonb_agg(doc ORDER BY id, o, at)
	        FROM docs), '[]'),
	    'timezones', coalesce((SELECT jsonb_agg(api.feed_vtimezone(z.timezone,
	        z.lo, z.hi) ORDER BY z.timezone)
	        FROM (SELECT timezone, min(api.local_start(dtstart_local,
	            timezone)) AS lo, max(materialized_until) + interval '32 days'
	            AS hi FROM s GROUP BY timezone) z), '[]'));
$$;
