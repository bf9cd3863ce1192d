-- Events: who manages them, their JSON, creating, editing, cancelling,
-- and the list (with its filters, shared with the feeds).  RSVPs, the
-- waitlist and attendance are sql/api/rsvps.sql; invitations
-- sql/api/invitations.sql.
--
-- Concurrency: every function that changes who holds places at an event
-- (RSVP, withdrawal, capacity change, cancellation, an accepted
-- invitation, an account deletion through the rsvps delete trigger)
-- first locks the event row with SELECT ... FOR NO KEY UPDATE
-- (api.event_lock), so changes at one event run one after the other and
-- each one counts what the previous one committed.  The waitlist
-- position is never stored: it is the rank among the event's waitlisted
-- RSVPs by (requested_at, id), computed when read, so it has no gaps.
--
-- Who manages an event ("organizers" below): its creator, the
-- co-organizers named in "organizers", admins of its organization and
-- site admins (api.event_can_manage).

-- Helpers ----------------------------------------------------------------

-- The event, locked against concurrent RSVP changes; 404 when unknown.
CREATE FUNCTION api.event_lock(p_id bigint)
RETURNS events LANGUAGE plpgsql AS $$
DECLARE
	e	events;
BEGIN
	SELECT * INTO e FROM events WHERE id = p_id FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such event');
	END IF;
	RETURN e;
END;
$$;

CREATE FUNCTION api.event_find(p_id bigint)
RETURNS events LANGUAGE plpgsql STABLE AS $$
DECLARE
	e	events;
BEGIN
	SELECT * INTO e FROM events WHERE id = p_id;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such event');
	END IF;
	RETURN e;
END;
$$;

-- 409 unless RSVPs may still change: scheduled and not yet ended.
CREATE FUNCTION api.event_require_open(e events)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF e.status = 'cancelled' THEN
		PERFORM api.fail(409, 'event_cancelled', 'this event was cancelled');
	END IF;
	IF e.ends_at <= now() THEN
		PERFORM api.fail(409, 'event_ended', 'this event has ended');
	END IF;
END;
$$;

CREATE FUNCTION api.event_can_manage(e events, p_member members)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT p_member.id IS NOT NULL AND (p_member.role = 'admin'
	    OR EXISTS (SELECT 1 FROM event_organizers
	        WHERE event_id = e.id AND member_id = p_member.id)
	    OR (e.organization_id IS NOT NULL
	        AND api.is_org_admin(e.organization_id, p_member)));
$$;

CREATE FUNCTION api.event_require_manager(e events, p_member members)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT api.event_can_manage(e, p_member) THEN
		PERFORM api.fail(403, 'forbidden',
		    'only the organizers of this event can do this');
	END IF;
END;
$$;

-- The stored JSON of event p_id (event_docs, sql/migrations/
-- 0009_event_docs.sql): all an event's JSON says but the reader's RSVP
-- and the attendance count, which api.event_view adds.  Self-contained
-- (it calls no other api function), so that its definition alone says
-- whether the stored documents are current (api.event_docs_current).
CREATE FUNCTION api.event_stored_doc(p_id bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'id', e.id, 'title', e.title, 'description', e.description,
	    'kind', e.kind, 'tags', to_jsonb(e.tags),
	    'starts_at', to_char(e.starts_at AT TIME ZONE 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'ends_at', to_char(e.ends_at AT TIME ZONE 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'timezone', e.timezone, 'venue', e.venue, 'address', e.address,
	    'city', e.city, 'latitude', e.latitude, 'longitude', e.longitude,
	    'online_url', e.online_url,
	    'accessibility_notes', e.accessibility_notes,
	    'capacity', e.capacity, 'guest_limit', e.guest_limit,
	    'status', e.status, 'cancel_reason', e.cancel_reason,
	    'cancelled_at', to_char(e.cancelled_at AT TIME ZONE 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'organization', (SELECT jsonb_build_object('id', o.id,
	        'slug', o.slug, 'name', o.name)
	        FROM organizations o WHERE o.id = e.organization_id),
	    -- The creator first, then in the order they were added.
	    'organizers', (SELECT coalesce(jsonb_agg(jsonb_build_object(
	        'id', m.id, 'display_name', m.display_name) ORDER BY
	        (m.id = e.created_by) DESC, eo.added_at, m.id), '[]')
	        FROM event_organizers eo JOIN members m ON m.id = eo.member_id
	        WHERE eo.event_id = e.id),
	    'going_count', e.going_count, 'waitlist_count', e.waitlist_count,
	    'places_taken', e.places_taken,
	    'places_left', CASE WHEN e.capacity IS NOT NULL
	        THEN greatest(e.capacity - e.places_taken, 0) END,
	    'recap', e.recap,
	    'target', e.target, 'talking_points', e.talking_points,
	    'pledged_count', CASE WHEN e.kind = 'advocacy' THEN e.going_count END,
	    'sequence', e.sequence, 'version', e.sequence,
	    'series_id', e.series_id,
	    'recurrence', (SELECT s.rrule FROM series s WHERE s.id = e.series_id),
	    'created_at', to_char(e.created_at AT TIME ZONE 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'updated_at', to_char(e.updated_at AT TIME ZONE 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
	FROM events e WHERE e.id = p_id;
$$;

-- Rebuild every stored document when they were built by another
-- definition of api.event_stored_doc (scripts/migrate.sh calls this
-- after installing the API).  Returns how many were rebuilt.
CREATE FUNCTION api.event_docs_current()
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_def	text := pg_get_functiondef(
	    'api.event_stored_doc(bigint)'::regprocedure);
BEGIN
	IF regexp_replace(v_def, 'FUNCTION api\.event_stored_doc', '') ~ 'api\.'
	    THEN
		RAISE EXCEPTION 'api.event_stored_doc must call no other api '
		    'function: its definition alone dates the stored documents';
	END IF;
	IF EXISTS (SELECT 1 FROM core.derived
	    WHERE name = 'event_docs' AND definition = v_def) THEN
		RETURN 0;
	END IF;
	PERFORM core.event_docs_refresh(ARRAY(SELECT id FROM events));
	INSERT INTO core.derived (name, definition) VALUES ('event_docs', v_def)
	ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition;
	RETURN (SELECT count(*) FROM event_docs);
END;
$$;

-- Event p_id as p_viewer sees it: its stored document (built by
-- api.event_stored_doc when missing) with the viewer's RSVP and the
-- attendance count of an advocacy event that has started, as jsonb (doc)
-- and as the text a list sends (body).  Most rows of a list have
-- neither: their body is the stored text (event_docs.body, the document
-- with those two members null, sql/migrations/0080_event_doc_body.sql),
-- sent as it is, never built or parsed.  p_kind and p_starts_at are the
-- event's own, which a list has already read with its row: given them,
-- the event is not read again by id for each row of a page.  A SQL
-- function PostgreSQL inlines into the statement that calls it (a list
-- calls it LATERAL for each of its rows): a whole page is one statement,
-- and a column the caller does not use is not computed.
CREATE FUNCTION api.event_view_of(p_id bigint, p_kind text,
    p_starts_at timestamptz, p_viewer members, OUT doc jsonb, OUT body text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT x.doc,
	    CASE WHEN r.id IS NULL AND NOT a.shown AND d.body IS NOT NULL
	        THEN d.body ELSE x.doc::text END
	FROM (SELECT p_id AS id, p_kind AS kind, p_starts_at AS starts_at) e
	    LEFT JOIN event_docs d ON d.event_id = e.id
	    LEFT JOIN rsvps r ON r.event_id = e.id AND r.member_id = p_viewer.id,
	    LATERAL (SELECT e.kind = 'advocacy' AND e.starts_at <= now()
	        AS shown) a,
	    LATERAL (SELECT coalesce(d.doc, api.event_stored_doc(e.id))
	        || jsonb_build_object(
	        'attended_count', CASE WHEN a.shown THEN (SELECT count(*)
	            FROM attendance t WHERE t.event_id = e.id AND t.attended) END,
	        'my_rsvp', api.rsvp_doc(r, CASE WHEN r.status = 'waitlisted'
	            THEN api.waitlist_position(r) END)) AS doc) x;
$$;

-- The list key of the event that starts at p_starts_at with id p_id:
-- starts_at to the microsecond as UTC text, then the id.
CREATE FUNCTION api.event_key(p_starts_at timestamptz, p_id bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_array(to_char(p_starts_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), p_id);
$$;

-- Event p_id as p_viewer sees it (api.event_view_of), and its list key.
CREATE FUNCTION api.event_view(p_id bigint, p_viewer members,
    OUT doc jsonb, OUT key jsonb, OUT body text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT v.doc, api.event_key(e.starts_at, e.id), v.body
	FROM events e,
	    LATERAL api.event_view_of(e.id, e.kind, e.starts_at, p_viewer) v
	WHERE e.id = p_id;
$$;

-- One event as p_viewer sees it.  PL/pgSQL, not SQL: a SQL function
-- with a FROM is not inlined and is planned again on every call from
-- PL/pgSQL; here the query's plan is cached.
CREATE FUNCTION api.event_json(e events, p_viewer members)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT v.doc FROM api.event_view(e.id, p_viewer) v);
END;
$$;

-- Writing ----------------------------------------------------------------

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

-- A hidden event (reports) is found by its organizers only.
CREATE FUNCTION api.event_get(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	e	events := api.event_find((p_args->>'id')::bigint);
BEGIN
	IF e.hidden_at IS NOT NULL AND NOT api.event_can_manage(e, v_me) THEN
		PERFORM api.fail(404, 'not_found', 'no such event');
	END IF;
	RETURN api.ok(200, api.event_json(e, v_me));
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

-- The list ---------------------------------------------------------------

-- The events of a list or a feed, in (starts_at, id) order: those that
-- have not ended by p_from (they start at or after it, or are under way
-- at it), start before p_to (when given), come after the keyset position
-- (p_after_ts, p_after_id) (when given), match the filters of p_query
-- (p_org and p_tsq stand for its organization and q, already resolved;
-- kind, city and tag are read from it), and are not hidden, unless
-- p_viewer manages them: at most p_limit.
--
-- Two branches, each ordered and limited on its own, so each reads one
-- index from p_from and stops after a page: events starting at or after
-- p_from (events_start_idx, or the filter's own index: events_org_idx,
-- events_kind_idx, events_city_idx, events_tags_idx, events_search_idx),
-- and events under way at p_from (events_ongoing_idx, the GiST index on
-- the [starts_at, ends_at] range, so the past is never scanned row by
-- row, whatever the number of events).  A SQL function PostgreSQL
-- inlines into its caller's statement: how that statement is planned
-- decides which indexes serve (see api.events_list).
--
-- Each row is the three columns a page needs, not the event: PostgreSQL
-- keeps every column of a UNION ALL, so whole rows (some thirty columns,
-- the search vector among them) were formed and copied through both
-- branches, the merge and the limit for each row, a sixth of a signed-in
-- page's time.  A caller that needs the event reads it by id.
CREATE FUNCTION api.event_rows(p_query jsonb, p_org bigint, p_tsq tsquery,
    p_viewer members, p_from timestamptz, p_to timestamptz,
    p_after_ts timestamptz, p_after_id bigint, p_limit integer)
RETURNS TABLE (id bigint, starts_at timestamptz, kind text)
LANGUAGE sql STABLE AS $$
	WITH f AS NOT MATERIALIZED (
		SELECT e.id, e.starts_at, e.ends_at, e.kind FROM events e
		WHERE (e.hidden_at IS NULL OR api.event_can_manage(e, p_viewer))
		  AND (p_to IS NULL OR e.starts_at < p_to)
		  AND (p_org IS NULL OR e.organization_id = p_org)
		  AND (NOT p_query ? 'kind' OR e.kind = p_query->>'kind')
		  AND (NOT p_query ? 'city' OR lower(e.city) = lower(p_query->>'city'))
		  AND (NOT p_query ? 'tag' OR e.tags @> ARRAY[lower(p_query->>'tag')])
		  AND (p_tsq IS NULL OR e.search @@ p_tsq)
		  AND (p_after_ts IS NULL OR (e.starts_at, e.id) >
		      (p_after_ts, p_after_id))
		  -- collapse=series: a series by its next occurrence, the
		  -- first of it that has not ended at p_from.  One that has
		  -- not ended started at most 31 days before p_from (the
		  -- events CHECK): so the earlier ones are read from
		  -- events_series_start_idx between those two starts only.
		  AND (p_query->>'collapse' IS DISTINCT FROM 'series'
		      OR e.series_id IS NULL OR NOT EXISTS (SELECT 1 FROM events o
		          WHERE o.series_id = e.series_id AND o.ends_at >= p_from
		            AND o.starts_at >= p_from - interval '31 days'
		            AND o.starts_at <= e.starts_at
		            AND (o.starts_at, o.id) < (e.starts_at, e.id)
		            AND (o.hidden_at IS NULL
		                OR api.event_can_manage(o, p_viewer))))
	)
	SELECT u.id, u.starts_at, u.kind FROM (
		(SELECT f.id, f.starts_at, f.kind FROM f
		 WHERE f.starts_at >= greatest(p_from, p_after_ts)
		 ORDER BY f.starts_at, f.id LIMIT p_limit)
		UNION ALL
		-- Under way at p_from and started before it (one that starts at
		-- p_from is the first branch's): written so that no plan reads
		-- events_start_idx for "started before", which is all the past.
		-- None comes after a keyset position at or after p_from (a
		-- page past the first): that test needs no row, so a plan makes
		-- it once and then does not search the index at all.
		(SELECT f.id, f.starts_at, f.kind FROM f
		 WHERE tstzrange(f.starts_at, f.ends_at, '[]') @> p_from
		   AND f.starts_at IS DISTINCT FROM p_from
		   AND (p_after_ts IS NULL OR p_after_ts < p_from))) u
	ORDER BY u.starts_at, u.id
	LIMIT p_limit;
$$;

-- Whether a list's query p_query filters more than by time: kind, city,
-- tag, q, organization, to, collapse.
CREATE FUNCTION api.events_filtered(p_query jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT p_query ?| ARRAY['kind', 'city', 'tag', 'q', 'organization', 'to',
	    'collapse'];
$$;

-- One page of the list, as a statement planned with its own values: a
-- filter's index then serves (see api.events_list).
CREATE FUNCTION api.events_page_filtered(p_query jsonb, p_viewer members,
    p_from timestamptz, p_cur jsonb)
RETURNS api.reply LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_to	timestamptz := api.time_arg(p_query->>'to', 'to');
	v_tsq	tsquery := api.search_arg(p_query);
	v_org	bigint;
BEGIN
	IF v_to IS NOT NULL AND v_to <= p_from THEN
		PERFORM api.fail(400, 'validation_failed', 'must be after from '
		    '(which defaults to now)', 'to');
	END IF;
	IF p_query ? 'organization' THEN
		v_org := api.org_id(p_query->>'organization', 'organization');
	END IF;
	RETURN (SELECT api.page_next('events', array_agg(p.body),
	    api.event_key((array_agg(p.starts_at))[(p_query->>'limit')::integer],
	        (array_agg(p.id))[(p_query->>'limit')::integer]), p_query)
	FROM (SELECT v.body, e.starts_at, e.id
	    FROM api.event_rows(p_query, v_org, v_tsq, p_viewer, p_from, v_to,
	        (p_cur->>0)::timestamptz, (p_cur->>1)::bigint,
	        api.page_size(p_query)) e,
	        LATERAL api.event_view_of(e.id, e.kind, e.starts_at, p_viewer) v
	    ORDER BY e.starts_at, e.id) p);
END;
$$;

-- GET /v1/events?near=...: events within the radius of p_pt
-- (api.near_point) that have not ended at p_from and match the other
-- filters, nearest first, then by id, each with its distance_km.  The
-- rows come nearest first from events_position_idx, as few as the page
-- needs (api.near_take); the time and the filters are checked on the way.
CREATE FUNCTION api.events_near(p_query jsonb, p_viewer members,
    p_from timestamptz, p_pt earth)
RETURNS api.reply LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_cur	jsonb := api.cursor_decode('events', p_query, '{numeric,bigint}');
	v_r	double precision := api.near_radius(p_query);
	v_to	timestamptz := api.time_arg(p_query->>'to', 'to');
	v_tsq	tsquery := api.search_arg(p_query);
	v_org	bigint;
	v_rows	refcursor;
	v_ids	bigint[];
	v_ds	double precision[];
BEGIN
	IF v_to IS NOT NULL AND v_to <= p_from THEN
		PERFORM api.fail(400, 'validation_failed', 'must be after from '
		    '(which defaults to now)', 'to');
	END IF;
	IF p_query ? 'organization' THEN
		v_org := api.org_id(p_query->>'organization', 'organization');
	END IF;
	OPEN v_rows FOR
		SELECT e.id, ll_to_earth(e.latitude, e.longitude) <-> p_pt AS d
		FROM events e
		WHERE earth_box(p_pt, v_r) @> ll_to_earth(e.latitude, e.longitude)
		  AND e.ends_at >= p_from
		  AND (e.hidden_at IS NULL OR api.event_can_manage(e, p_viewer))
		  AND (v_to IS NULL OR e.starts_at < v_to)
		  AND (v_org IS NULL OR e.organization_id = v_org)
		  AND (NOT p_query ? 'kind' OR e.kind = p_query->>'kind')
		  AND (NOT p_query ? 'city' OR lower(e.city) = lower(p_query->>'city'))
		  AND (NOT p_query ? 'tag' OR e.tags @> ARRAY[lower(p_query->>'tag')])
		  AND (v_tsq IS NULL OR e.search @@ v_tsq)
		  AND (v_cur IS NULL OR (ll_to_earth(e.latitude, e.longitude) <->
		      p_pt, e.id) > ((v_cur->>0)::double precision,
		      (v_cur->>1)::bigint))
		ORDER BY ll_to_earth(e.latitude, e.longitude) <-> p_pt;
	SELECT t.ids, t.chords INTO v_ids, v_ds
	FROM api.near_take(v_rows, api.page_size(p_query), v_r) t;
	RETURN (WITH page AS (
		SELECT t.id, t.d FROM unnest(v_ids, v_ds) AS t(id, d)
		ORDER BY t.d, t.id
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('events',
	    array_agg(v.doc || jsonb_build_object('distance_km',
	        api.distance_km(page.d)) ORDER BY page.d, page.id),
	    array_agg(jsonb_build_array(page.d, page.id)
	        ORDER BY page.d, page.id), p_query)
	FROM page, LATERAL api.event_view(page.id, p_viewer) v);
END;
$$;

-- GET /v1/events: from `from` (default now) on.  The cursor keeps
-- starts_at to the microsecond (rows written by SQL may have fractions),
-- as UTC text.
--
-- Planning costs more than running this list, so its common shape (no
-- filter but time and cursor) is one statement with a cached plan, whose
-- indexes (events_start_idx and events_ongoing_idx) need no other value;
-- a filter is planned with its values (api.events_page_filtered).  That
-- shape has none of the filters api.event_rows reads from its query, so
-- it is given '{}', a constant: its cached plan then has no filter
-- conditions to check on each row, nor the series subplan of collapse to
-- start on each call.
--
-- Both read a page the same way, for what each row costs: the rows come
-- from api.event_rows already in list order (its LIMIT over a merge of
-- two ordered branches), which the subquery's ORDER BY keeps without a
-- sort, so the aggregates need no ORDER BY of their own (with one, each
-- would sort the page again, row texts and all); api.event_view_of takes
-- the row api.event_rows read instead of reading it again by id; and of
-- the list keys only the one next_cursor needs, that of row "limit", is
-- made (api.page_next).
CREATE FUNCTION api.events_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_pt	earth := api.near_point(p_query, v_me);
	v_cur	jsonb;
	v_from	timestamptz := coalesce(api.time_arg(p_query->>'from', 'from'),
	    now());
BEGIN
	IF v_pt IS NOT NULL THEN
		RETURN api.events_near(p_query, v_me, v_from, v_pt);
	END IF;
	v_cur := api.cursor_decode('events', p_query, '{timestamptz,bigint}');
	IF api.events_filtered(p_query) THEN
		RETURN api.events_page_filtered(p_query, v_me, v_from, v_cur);
	END IF;
	RETURN (SELECT api.page_next('events', array_agg(p.body),
	    api.event_key((array_agg(p.starts_at))[(p_query->>'limit')::integer],
	        (array_agg(p.id))[(p_query->>'limit')::integer]), p_query)
	FROM (SELECT v.body, e.starts_at, e.id
	    FROM api.event_rows('{}', NULL, NULL, v_me, v_from, NULL,
	        (v_cur->>0)::timestamptz, (v_cur->>1)::bigint,
	        api.page_size(p_query)) e,
	        LATERAL api.event_view_of(e.id, e.kind, e.starts_at, v_me) v
	    ORDER BY e.starts_at, e.id) p);
END;
$$;
