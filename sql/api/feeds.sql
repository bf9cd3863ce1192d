-- Event feeds (iCalendar, RSS 2.0, JSON Feed 1.1) and the personal
-- calendar behind a key.
--
-- The feed functions return one jsonb document that the API parses into
-- struct feed_event and renders with its pure-C renderers:
--   {"title": text, "description": text, "web_path": text,
--    "instance": the installation's uuid (UIDs: event-<id>@<uuid>.interlibrary),
--    "events": [{"id", "title", "description", "kind", "status",
--                "cancel_reason", "starts_at", "ends_at", "timezone",
--                "starts_local", "ends_local", "starts_zone", "ends_zone",
--                "venue", "address", "city", "online_url",
--                "organization", "tags", "sequence", "series_id",
--                "created_at", "updated_at"}, ...]}
-- and, in the public feeds, "series" and "timezones" (api.feed_series):
-- the iCalendar feed publishes each series as one VEVENT with an RRULE
-- and its overrides instead of its occurrences, which RSS and JSON Feed
-- list one by one.
-- Times are RFC 3339 in UTC (api.ts), but starts_local and ends_local:
-- the same instants in the event's time zone, with its offset then, and
-- starts_zone and ends_zone the zone's abbreviations then (CST, CDT), all
-- from PostgreSQL's time zone data (api.feed_local_times).  Events are
-- ordered by (starts_at, id), like GET /v1/events, and selected by the
-- same function (api.event_rows), so the filters mean what they mean
-- there.
--
-- The feed window: events that have not ended 30 days ago and start
-- less than one year ahead, at most 500 of them; hidden events never
-- appear.  An explicit from/to narrows the window, never widens it (the
-- list endpoint serves history).
--
-- Caching is done in the API workers: nothing here is cached, so every
-- call reads committed data.

-- Helpers ----------------------------------------------------------------

-- The installation's id (sql/migrations/0014_instance.sql), which the
-- UIDs of every feed carry.
CREATE FUNCTION api.instance_id()
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT id::text FROM instance;
$$;

-- The instants p_starts and p_ends in time zone p_zone: {"starts_local",
-- "ends_local"} RFC 3339 with the zone's offset then, {"starts_zone",
-- "ends_zone"} its abbreviations then, from PostgreSQL's tz database
-- (America/Chicago: CST in winter, CDT in summer; "+04" where the
-- database has no letters); {} for a zone PostgreSQL does not know.
-- to_char() prints in the session's TimeZone: the function sets it to the
-- zone, and its SET clause gives the caller's back when it returns.
CREATE FUNCTION api.feed_local_times(p_zone text, p_starts timestamptz,
    p_ends timestamptz)
RETURNS jsonb LANGUAGE plpgsql STABLE SET TimeZone = 'UTC' AS $$
DECLARE
	c_rfc3339	CONSTANT text := 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM';
BEGIN
	PERFORM set_config('TimeZone', p_zone, true);
	RETURN jsonb_build_object(
	    'starts_local', to_char(p_starts, c_rfc3339),
	    'ends_local', to_char(p_ends, c_rfc3339),
	    'starts_zone', to_char(p_starts, 'TZ'),
	    'ends_zone', to_char(p_ends, 'TZ'));
EXCEPTION WHEN invalid_parameter_value THEN
	RETURN '{}';
END;
$$;

CREATE FUNCTION api.feed_event_json(e events)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'id', e.id, 'title', e.title, 'description', e.description,
	    'kind', e.kind, 'status', e.status,
	    'cancel_reason', e.cancel_reason,
	    'starts_at', api.ts(e.starts_at), 'ends_at', api.ts(e.ends_at),
	    'timezone', e.timezone, 'venue', e.venue, 'address', e.address,
	    'city', e.city, 'latitude', e.latitude, 'longitude', e.longitude,
	    'online_url', e.online_url,
	    'organization', (SELECT o.name FROM organizations o
	        WHERE o.id = e.organization_id),
	    'tags', to_jsonb(e.tags), 'sequence', e.sequence,
	    'series_id', e.series_id,
	    'created_at', api.ts(e.created_at),
	    'updated_at', api.ts(e.updated_at)) ||
	    api.feed_local_times(e.timezone, e.starts_at, e.ends_at);
$$;

-- The feed window's bounds for the given (validated) from/to: [lower,
-- upper).  400 naming "to" when to is not after from, as in the list.
CREATE FUNCTION api.feed_window(p_query jsonb, OUT lower timestamptz,
    OUT upper timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_from	timestamptz := api.time_arg(p_query->>'from', 'from');
	v_to	timestamptz := api.time_arg(p_query->>'to', 'to');
BEGIN
	IF v_to IS NOT NULL AND v_to <= coalesce(v_from,
	    now() - interval '30 days') THEN
		PERFORM api.fail(400, 'validation_failed', 'must be after from '
		    '(which defaults to 30 days ago in feeds)', 'to');
	END IF;
	lower := greatest(coalesce(v_from, '-infinity'),
	    date_trunc('second', now()) - interval '30 days');
	upper := least(coalesce(v_to, 'infinity'),
	    date_trunc('second', now()) + interval '1 year');
END;
$$;

-- Public feeds -----------------------------------------------------------

-- GET /v1/events.{ics,rss,json} and
-- GET /v1/organizations/{org}/events.{ics,rss,json}: p_args may hold
-- "org" (an id or slug: 404 when unknown); p_query the list's filters
-- without limit and cursor ("organization" only on /v1/events.*).
CREATE FUNCTION api.feed_events(p_args jsonb, p_query jsonb)
RETURNS jsonb LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	w	record := api.feed_window(p_query);
	v_tsq	tsquery := api.search_arg(p_query);
	v_org	organizations;
	v_id	bigint;
	v_rows	jsonb;
	v_title	text := 'Interlibrary events';
	v_path	text := '/#/events';
BEGIN
	IF p_args ? 'org' THEN
		v_id := api.org_id(p_args->>'org');
	ELSIF p_query ? 'organization' THEN
		v_id := api.org_id(p_query->>'organization', 'organization');
	END IF;
	IF v_id IS NOT NULL THEN
		SELECT * INTO v_org FROM organizations WHERE id = v_id;
		v_title := 'Interlibrary events: ' || v_org.name;
		v_path := '/#/organizations/' || v_org.slug;
	END IF;
	IF w.upper > w.lower THEN
		SELECT jsonb_agg(api.feed_event_json(e) ORDER BY e.starts_at, e.id)
		INTO v_rows
		FROM api.event_rows(p_query, v_id, v_tsq, NULL, w.lower, w.upper,
		    NULL, NULL, 500) r JOIN events e ON e.id = r.id;
	END IF;
	-- The iCalendar feed publishes a series as one VEVENT with its
	-- overrides (api.feed_series, sql/api/series.sql).
	RETURN jsonb_build_object('title', v_title,
	    'description', 'Events from 30 days ago to one year ahead',
	    'web_path', v_path, 'instance', api.instance_id(),
	    'events', coalesce(v_rows, '[]')) ||
	    api.feed_series(ARRAY(SELECT (x->>'id')::bigint
	        FROM jsonb_array_elements(v_rows) x
	        WHERE x->>'series_id' IS NOT NULL));
END;
$$;

-- The document of one event (its .ics, and the calendar part of mail
-- about it, sql/api/mail.sql).
CREATE FUNCTION api.feed_event_doc(e events)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('title', e.title, 'description', NULL,
	    'web_path', '/#/events/' || e.id, 'instance', api.instance_id(),
	    'events', jsonb_build_array(api.feed_event_json(e)));
$$;

-- GET /v1/events/{id}.ics: one event, whenever it is (add-to-calendar);
-- 404 for a hidden one.
CREATE FUNCTION api.feed_event(p_id bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	e	events := api.event_find(p_id);
BEGIN
	IF e.hidden_at IS NOT NULL THEN
		PERFORM api.fail(404, 'not_found', 'no such event');
	END IF;
	RETURN api.feed_event_doc(e);
END;
$$;
-- Personal calendar ------------------------------------------------------

-- POST /v1/me/calendar-key: store the hash of a new key (the API minted
-- it), replacing any earlier key.  Returns 201 {created_at}; the API adds
-- the key and its URLs to the body (shown once).
CREATE FUNCTION api.calendar_key_create(p_token bytea, p_hash bytea)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_at	timestamptz;
BEGIN
	INSERT INTO calendar_keys (member_id, key_hash)
	VALUES (v_me.id, p_hash)
	ON CONFLICT (member_id) DO UPDATE
	    SET key_hash = EXCLUDED.key_hash, created_at = now(),
	        last_used_at = NULL
	RETURNING created_at INTO v_at;
	RETURN api.ok(201, jsonb_build_object('created_at', api.ts(v_at)),
	    '/v1/me/calendar.ics');
END;
$$;

-- DELETE /v1/me/calendar-key: revoke; idempotent (204 either way).
CREATE FUNCTION api.calendar_key_delete(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
BEGIN
	DELETE FROM calendar_keys WHERE member_id = v_me.id;
	RETURN api.ok(204, NULL);
END;
$$;

-- GET /v1/me/calendar.ics?key=...: the events the key's owner is going
-- to (RSVP status going), in the feed window, cancelled ones included
-- (calendar clients then drop them).  An unknown or revoked key is 404;
-- a suspended member's key 403.  last_used_at is touched at most once an
-- hour.
CREATE FUNCTION api.feed_calendar(p_hash bytea)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_k	calendar_keys;
	v_m	members;
	w	record := api.feed_window('{}');
	v_rows	jsonb;
BEGIN
	SELECT * INTO v_k FROM calendar_keys WHERE key_hash = p_hash;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no calendar has this key '
		    '(it may have been rotated or revoked)');
	END IF;
	SELECT * INTO v_m FROM members WHERE id = v_k.member_id;
	IF v_m.suspended_at IS NOT NULL THEN
		PERFORM api.fail(403, 'suspended', 'this account is suspended');
	END IF;
	IF v_k.last_used_at IS NULL OR
	    v_k.last_used_at < now() - interval '1 hour' THEN
		UPDATE calendar_keys SET last_used_at = now()
		WHERE member_id = v_k.member_id;
	END IF;
	SELECT jsonb_agg(api.feed_event_json(p) ORDER BY p.starts_at, p.id)
	INTO v_rows
	FROM (SELECT e.* FROM rsvps r JOIN events e ON e.id = r.event_id
	      WHERE r.member_id = v_m.id AND r.status = 'going'
	        AND e.ends_at >= w.lower AND e.starts_at < w.upper
	      ORDER BY e.starts_at, e.id LIMIT 500) p;
	RETURN jsonb_build_object('title', 'Interlibrary: my events',
	    'description', 'The events ' || v_m.display_name || ' is going to',
	    'web_path', '/#/me', 'instance', api.instance_id(),
	    'events', coalesce(v_rows, '[]'));
END;
$$;
