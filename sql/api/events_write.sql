-- Events: creating, editing and cancelling (concurrency and who manages
-- an event: sql/api/events.sql).

-- Apply the event fields of body p to row e (meaning only: the API
-- checked types and lengths) and return it.
CREATE FUNCTION api.event_apply(e events, p jsonb)
RETURNS events LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p ? 'title' THEN
		e.title := api.clean(p->>'title');
		IF e.title IS NULL THEN
			PERFORM api.fail(400, 'validation_failed',
			    'must not be empty', 'title');
		END IF;
	END IF;
	IF p ? 'description' THEN
		e.description := api.clean(p->>'description');
	END IF;
	IF p ? 'kind' THEN
		e.kind := p->>'kind';
	END IF;
	IF p ? 'tags' THEN
		e.tags := api.text_array(lower(coalesce(p->'tags', '[]')::text)::jsonb);
	END IF;
	IF p ? 'starts_at' THEN
		e.starts_at := api.time_arg(p->>'starts_at', 'starts_at');
	END IF;
	IF p ? 'ends_at' THEN
		e.ends_at := api.time_arg(p->>'ends_at', 'ends_at');
	END IF;
	IF p ? 'timezone' THEN
		e.timezone := p->>'timezone';
		IF NOT EXISTS (SELECT 1 FROM pg_timezone_names
		    WHERE name = e.timezone) THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is not an IANA time zone name like "Europe/Paris"',
			    'timezone');
		END IF;
	END IF;
	IF p ? 'venue' THEN
		e.venue := api.clean(p->>'venue');
	END IF;
	IF p ? 'address' THEN
		e.address := api.clean(p->>'address');
	END IF;
	IF p ? 'city' THEN
		e.city := api.clean(p->>'city');
	END IF;
	IF p ? 'latitude' OR p ? 'longitude' THEN
		PERFORM api.check_position(p, 'latitude', 'longitude',
		    e.latitude::numeric, e.longitude::numeric);
		e.latitude := CASE WHEN p ? 'latitude'
		    THEN (p->>'latitude')::double precision ELSE e.latitude END;
		e.longitude := CASE WHEN p ? 'longitude'
		    THEN (p->>'longitude')::double precision ELSE e.longitude END;
	END IF;
	IF p ? 'online_url' THEN
		e.online_url := api.clean(p->>'online_url');
	END IF;
	IF p ? 'accessibility_notes' THEN
		e.accessibility_notes := api.clean(p->>'accessibility_notes');
	END IF;
	IF p ? 'capacity' THEN
		e.capacity := (p->>'capacity')::integer;
	END IF;
	IF p ? 'guest_limit' THEN
		e.guest_limit := coalesce((p->>'guest_limit')::integer, 0);
	END IF;
	IF p ? 'recap' THEN
		IF e.starts_at > now() THEN
			PERFORM api.fail(409, 'not_started', 'a recap can be '
			    'written once the event has started', 'recap');
		END IF;
		e.recap := api.clean(p->>'recap');
	END IF;
	IF p ? 'target' THEN
		e.target := api.clean(p->>'target');
	END IF;
	IF p ? 'talking_points' THEN
		e.talking_points := api.clean(p->>'talking_points');
	END IF;
	IF e.kind <> 'advocacy' THEN
		IF p ? 'target' AND e.target IS NOT NULL THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is only for advocacy events', 'target');
		END IF;
		IF p ? 'talking_points' AND e.talking_points IS NOT NULL THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is only for advocacy events', 'talking_points');
		END IF;
		e.target := NULL;
		e.talking_points := NULL;
	END IF;
	IF e.ends_at <= e.starts_at THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must be after starts_at', 'ends_at');
	END IF;
	IF e.ends_at - e.starts_at > interval '31 days' THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must be at most 31 days after starts_at', 'ends_at');
	END IF;
	RETURN e;
END;
$$;

-- The co-organizers: p_ids (member ids) plus the creator, replacing the
-- current set.  Unknown or suspended ids: 400 naming organizers[i].
CREATE FUNCTION api.event_set_organizers(e events, p_ids jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_bad	integer;
BEGIN
	IF jsonb_typeof(p_ids) IS DISTINCT FROM 'array' THEN
		p_ids := '[]';
	END IF;
	SELECT min(o - 1) INTO v_bad
	FROM jsonb_array_elements_text(p_ids)
	    WITH ORDINALITY AS t(x, o)
	WHERE NOT EXISTS (SELECT 1 FROM members
	    WHERE id = t.x::bigint AND suspended_at IS NULL);
	IF v_bad IS NOT NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'names no member',
		    'organizers[' || v_bad || ']');
	END IF;
	DELETE FROM event_organizers
	WHERE event_id = e.id AND member_id IS DISTINCT FROM e.created_by
	  AND member_id NOT IN (SELECT x::bigint
	      FROM jsonb_array_elements_text(p_ids) t(x));
	INSERT INTO event_organizers (event_id, member_id)
	SELECT e.id, x FROM (
	    SELECT e.created_by AS x, 0 AS o WHERE e.created_by IS NOT NULL
	    UNION ALL
	    SELECT t.x::bigint, t.o
	    FROM jsonb_array_elements_text(p_ids) WITH ORDINALITY AS t(x, o)) s
	GROUP BY x ORDER BY min(o)
	ON CONFLICT DO NOTHING;
END;
$$;

-- The organization a new event (or series) of p_me is for: the body's
-- "organization" (403 unless p_me is one of its admins, 409 when it is
-- archived), or an empty row for a member's own event.
CREATE FUNCTION api.event_create_org(p_body jsonb, p_me members)
RETURNS organizations LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_o	organizations;
BEGIN
	IF jsonb_typeof(p_body->'organization') IN ('string', 'number') THEN
		SELECT * INTO v_o FROM organizations
		WHERE id = api.org_id(p_body->>'organization', 'organization');
		IF NOT api.is_org_admin(v_o.id, p_me) THEN
			PERFORM api.fail(403, 'forbidden', 'only admins of ' ||
			    v_o.name || ' can create its events');
		END IF;
		IF v_o.archived THEN
			PERFORM api.fail(409, 'archived',
			    'this organization is archived', 'organization');
		END IF;
	END IF;
	RETURN v_o;
END;
$$;

-- A single event; with "recurrence", POST /v1/events is a series
-- (api.series_create, called by the API with the rule expanded).
CREATE FUNCTION api.event_create(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events;
	v_o	organizations := api.event_create_org(p_body, v_me);
BEGIN
	e.guest_limit := 0;
	e.tags := '{}';
	e := api.event_apply(e, p_body);
	INSERT INTO events (title, description, kind, tags, starts_at, ends_at,
	    timezone, venue, address, city, latitude, longitude, online_url,
	    accessibility_notes, capacity, guest_limit, organization_id,
	    created_by, target, talking_points)
	VALUES (e.title, e.description, e.kind, e.tags, e.starts_at, e.ends_at,
	    e.timezone, e.venue, e.address, e.city, e.latitude, e.longitude,
	    e.online_url, e.accessibility_notes, e.capacity, e.guest_limit,
	    v_o.id, v_me.id, e.target, e.talking_points)
	RETURNING * INTO e;
	PERFORM api.event_set_organizers(e, p_body->'organizers');
	RETURN api.ok(201, api.event_json(e, v_me), '/v1/events/' || e.id);
END;
$$;

-- What an event_changed notification says about event e, whose time
-- (p_time) and/or place (p_place) changed: "Storytime has a new time and
-- place: 5 Dec 2026, 18:30 (Europe/Paris) at Main Library, Springfield."
CREATE FUNCTION api.event_changed_text(e events, p_time boolean,
    p_place boolean)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT e.title || ' has a new ' || CASE WHEN p_time AND p_place
	    THEN 'time and place' WHEN p_time THEN 'time' ELSE 'place' END ||
	    ': ' || concat_ws(' at ',
	        CASE WHEN p_time THEN to_char(e.starts_at AT TIME ZONE e.timezone,
	            'FMDD Mon YYYY, HH24:MI') || ' (' || e.timezone || ')' END,
	        CASE WHEN p_place THEN coalesce(nullif(concat_ws(', ', e.venue,
	            e.address, e.city, e.online_url), ''), 'no place given')
	        END) || '.';
$$;

-- Apply merge patch p_body to event e (locked, checked) for p_me, with
-- p_org its organization afterwards; p_exception marks an occurrence of
-- a series as changed on its own.  Bumps sequence (the version), promotes
-- the waitlist after a larger capacity, and notifies a change of time or
-- place (see api.event_patch).  Returns the row as updated.
CREATE FUNCTION api.event_patch_apply(e events, p_me members, p_body jsonb,
    p_org bigint, p_exception boolean)
RETURNS events LANGUAGE plpgsql AS $$
DECLARE
	v_old	events := e;
	v_time	boolean;
	v_place	boolean;
BEGIN
	e := api.event_apply(e, p_body);
	UPDATE events SET title = e.title, description = e.description,
	    kind = e.kind, tags = e.tags, starts_at = e.starts_at,
	    ends_at = e.ends_at, timezone = e.timezone, venue = e.venue,
	    address = e.address, city = e.city, latitude = e.latitude,
	    longitude = e.longitude, online_url = e.online_url,
	    accessibility_notes = e.accessibility_notes, capacity = e.capacity,
	    guest_limit = e.guest_limit, organization_id = p_org,
	    recap = e.recap, target = e.target,
	    talking_points = e.talking_points, sequence = sequence + 1,
	    exception = exception OR p_exception,
	    updated_at = now()
	WHERE id = e.id
	RETURNING * INTO e;
	IF p_body ? 'organizers' THEN
		PERFORM api.event_set_organizers(e, p_body->'organizers');
	END IF;
	PERFORM api.event_promote(e.id, NULL);
	v_time := (e.starts_at, e.ends_at, e.timezone) IS DISTINCT FROM
	    (v_old.starts_at, v_old.ends_at, v_old.timezone);
	v_place := (e.venue, e.address, e.city, e.online_url) IS DISTINCT FROM
	    (v_old.venue, v_old.address, v_old.city, v_old.online_url);
	IF v_time OR v_place THEN
		PERFORM api.notify(r.member_id, 'event_changed', 'event', e.id,
		    api.event_changed_text(e, v_time, v_place))
		FROM rsvps r
		WHERE r.event_id = e.id AND r.status IN ('going', 'waitlisted')
		  AND r.member_id <> p_me.id;
	END IF;
	RETURN e;
END;
$$;

-- A merge patch of the writable fields by an organizer.  Every accepted
-- patch bumps sequence, the event's version (If-Match); a larger (or removed) capacity promotes the
-- waitlist; a smaller one never demotes.  A change of time (starts_at,
-- ends_at, timezone) or place (venue, address, city, online_url)
-- notifies everyone going or waitlisted but the caller (event_changed).
--
-- An occurrence of a series takes ?scope=: "this" (the default: this
-- occurrence alone, kept as an exception), "all" (this one and every
-- occurrence of the series that has not started, is scheduled and is not
-- an exception: past ones never change) or "following" (the same from
-- this occurrence on, which first becomes a series of its own:
-- api.series_split).  Several occurrences keep their own times: a patch
-- of starts_at, ends_at or timezone (or recap) is for one occurrence.
CREATE FUNCTION api.event_patch(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.event_lock((p_args->>'id')::bigint);
	v_scope	text := coalesce(p_query->>'scope', 'this');
	v_sid	bigint;
	v_org	bigint;
	o	events;
BEGIN
	PERFORM api.event_require_manager(e, v_me);
	PERFORM api.if_match(p_args, e.sequence);
	IF e.status = 'cancelled' THEN
		PERFORM api.fail(409, 'event_cancelled',
		    'a cancelled event cannot be edited');
	END IF;
	v_org := e.organization_id;
	IF p_body ? 'organization' THEN
		IF jsonb_typeof(p_body->'organization') = 'null' THEN
			v_org := NULL;
		ELSE
			v_org := api.org_id(p_body->>'organization',
			    'organization');
			IF v_org IS DISTINCT FROM e.organization_id
			    AND NOT api.is_org_admin(v_org, v_me) THEN
				PERFORM api.fail(403, 'forbidden', 'only admins of '
				    'that organization can move events to it',
				    'organization');
			END IF;
		END IF;
	END IF;
	IF v_scope = 'this' THEN
		e := api.event_patch_apply(e, v_me, p_body, v_org,
		    e.series_id IS NOT NULL);
		RETURN api.ok_version(200, api.event_json(e, v_me), e.sequence);
	END IF;

	IF e.series_id IS NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'is only for an occurrence of a series', 'scope');
	END IF;
	IF p_body ?| ARRAY['starts_at', 'ends_at', 'timezone', 'recap'] THEN
		PERFORM api.fail(400, 'validation_failed', 'times and recaps '
		    'are edited one occurrence at a time (scope=this)', 'scope');
	END IF;
	v_sid := CASE v_scope WHEN 'following' THEN api.series_split(e)
	    ELSE e.series_id END;
	-- Locked in (starts_at, id) order, like a series RSVP.
	FOR o IN SELECT * FROM events x
	    WHERE x.series_id = v_sid AND x.starts_at > now()
	      AND (x.id = e.id OR (NOT x.exception AND x.status = 'scheduled'))
	    ORDER BY x.starts_at, x.id LOOP
		o := api.event_lock(o.id);
		PERFORM api.event_patch_apply(o, v_me, p_body, v_org, false);
	END LOOP;
	UPDATE series SET template = template ||
	    (p_body - '{organization,organizers}'::text[]), updated_at = now()
	WHERE id = v_sid;
	e := api.event_find(e.id);
	RETURN api.ok_version(200, api.event_json(e, v_me), e.sequence);
END;
$$;

-- Cancelling: an organizer's.  The event is kept, cancelled, with the
-- reason; everyone with an RSVP but the caller is notified.  An
-- occurrence of a series takes ?scope= as an edit does (api.event_patch):
-- "this" (the default), "following" (this one and the later ones, first
-- split off as a series of their own: api.series_split) or "all" (this one
-- and every other that has not started); each scheduled one is
-- cancelled, the series then ends with its last date (api.series_end),
-- and each member is notified once, not once a date.
CREATE FUNCTION api.event_cancel(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.event_lock((p_args->>'id')::bigint);
	v_why	text := api.clean(p_body->>'reason');
	v_scope	text := coalesce(p_query->>'scope', 'this');
	v_sid	bigint;
	v_ids	bigint[];
	o	events;
BEGIN
	PERFORM api.event_require_manager(e, v_me);
	PERFORM api.if_match(p_args, e.sequence);
	IF e.status = 'cancelled' THEN
		PERFORM api.fail(409, 'event_cancelled',
		    'this event is already cancelled');
	END IF;
	IF e.ends_at <= now() THEN
		PERFORM api.fail(409, 'event_ended', 'this event has ended');
	END IF;
	IF v_scope <> 'this' AND e.series_id IS NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'is only for an occurrence of a series', 'scope');
	END IF;
	IF v_scope = 'this' THEN
		v_ids := ARRAY[e.id];
	ELSE
		v_sid := CASE v_scope WHEN 'following' THEN api.series_split(e)
		    ELSE e.series_id END;
		-- Locked in (starts_at, id) order, like an edit of the series.
		FOR o IN SELECT * FROM events x
		    WHERE x.series_id = v_sid AND x.status = 'scheduled'
		      AND (x.id = e.id OR x.starts_at > now())
		    ORDER BY x.starts_at, x.id LOOP
			PERFORM api.event_lock(o.id);
			v_ids := v_ids || o.id;
		END LOOP;
	END IF;
	UPDATE events SET status = 'cancelled', cancel_reason = v_why,
	    cancelled_at = now(), sequence = sequence + 1, updated_at = now()
	WHERE id = ANY (v_ids);
	IF v_sid IS NOT NULL THEN
		PERFORM api.series_end(v_sid);
	END IF;
	e := api.event_find(e.id);
	PERFORM api.notify(m.member_id, 'event_cancelled', 'event', e.id,
	    CASE WHEN cardinality(v_ids) > 1 AND v_scope = 'all'
	        THEN 'Every date still to come of ' || e.title
	            || ' was cancelled'
	        ELSE e.title || ' on ' || to_char(e.starts_at AT TIME ZONE
	            e.timezone, 'FMDD Mon YYYY') || CASE WHEN
	            cardinality(v_ids) > 1 THEN ' and the later dates of the '
	            'series were cancelled' ELSE ' was cancelled' END
	    END || coalesce(': ' || v_why, '.'))
	FROM (SELECT DISTINCT r.member_id FROM rsvps r
	      WHERE r.event_id = ANY (v_ids) AND r.member_id <> v_me.id) m;
	RETURN api.ok_version(200, api.event_json(e, v_me), e.sequence);
END;
$$;
