-- Events: who manages them and their JSON.  Creating, editing and
-- cancelling are sql/api/events_write.sql; reading one event and the
-- list (with its filters, shared with the feeds) sql/api/events_read.sql.
-- RSVPs, the waitlist and attendance are sql/api/rsvps.sql; invitations
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
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN p_member.id IS NOT NULL AND (p_member.role = 'admin'
	    OR EXISTS (SELECT 1 FROM event_organizers
	        WHERE event_id = e.id AND member_id = p_member.id)
	    OR (e.organization_id IS NOT NULL
	        AND api.is_org_admin(e.organization_id, p_member)));
END;
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

-- Event p_id as p_viewer sees it, from its stored document p_doc and
-- text p_body (event_docs; p_doc NULL: not stored yet, built by
-- api.event_stored_doc): the document with the viewer's RSVP and the
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
CREATE FUNCTION api.event_view_doc(p_id bigint, p_kind text,
    p_starts_at timestamptz, p_doc jsonb, p_body text, p_viewer members,
    OUT doc jsonb, OUT body text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT x.doc,
	    CASE WHEN r.id IS NULL AND NOT a.shown AND p_body IS NOT NULL
	        THEN p_body ELSE x.doc::text END
	FROM (SELECT p_id AS id, p_kind AS kind, p_starts_at AS starts_at) e
	    LEFT JOIN rsvps r ON r.event_id = e.id AND r.member_id = p_viewer.id,
	    LATERAL (SELECT e.kind = 'advocacy' AND e.starts_at <= now()
	        AS shown) a,
	    LATERAL (SELECT coalesce(p_doc, api.event_stored_doc(e.id))
	        || jsonb_build_object(
	        'attended_count', CASE WHEN a.shown THEN (SELECT count(*)
	            FROM attendance t WHERE t.event_id = e.id AND t.attended) END,
	        'my_rsvp', api.rsvp_doc(r, CASE WHEN r.status = 'waitlisted'
	            THEN api.waitlist_position(r) END)) AS doc) x;
$$;

-- The same, the stored document read by id: for a caller that has the
-- event's row but not its document.
CREATE FUNCTION api.event_view_of(p_id bigint, p_kind text,
    p_starts_at timestamptz, p_viewer members, OUT doc jsonb, OUT body text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT v.doc, v.body
	FROM (SELECT p_id AS id) e
	    LEFT JOIN event_docs d ON d.event_id = e.id,
	    LATERAL api.event_view_doc(e.id, p_kind, p_starts_at, d.doc, d.body,
	        p_viewer) v;
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

-- One event as p_viewer sees it.  PL/pgSQL, not SQL (see
-- sql/api/foundation.sql): its query's plan is cached.
CREATE FUNCTION api.event_json(e events, p_viewer members)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT v.doc FROM api.event_view(e.id, p_viewer) v);
END;
$$;
