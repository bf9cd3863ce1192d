-- Sign-up lists of events ("bring snacks" x 5, "set-up crew" x 2): the
-- organizers add, edit and remove slots; members who are going claim and
-- release places in them.  Tables: sql/migrations/0022_signups.sql.
--
-- Concurrency: every change of slots and claims locks the event row first
-- (api.event_lock, as every RSVP change does, sql/api/events.sql), so
-- claims, RSVP changes and slot edits at one event run one after the
-- other and each counts what the previous one committed: 50 claims at
-- once for 5 places give exactly 5 claims and 45 answers 409 slot_full.
-- The slot's claimed count (kept by a trigger, CHECK claimed <= places)
-- is the schema's own guarantee behind it.
--
-- Who sees whom: organizers and members who are going see who claimed
-- what; everyone else who may see the event sees the counts.

-- At most this many slots per event.
CREATE FUNCTION api.signup_slots_max()
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
	SELECT 50;
$$;

-- Whether p_viewer sees the claimants at event e: organizers and members
-- who are going.
CREATE FUNCTION api.signup_insider(e events, p_viewer members)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT p_viewer.id IS NOT NULL AND (api.event_can_manage(e, p_viewer)
	    OR EXISTS (SELECT 1 FROM rsvps WHERE event_id = e.id
	        AND member_id = p_viewer.id AND status = 'going'));
$$;

-- Slot s as p_viewer sees it; p_insider from api.signup_insider.
CREATE FUNCTION api.signup_slot_json(s signup_slots, p_viewer members,
    p_insider boolean)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', s.id, 'title', s.title,
	    'note', s.note, 'places', s.places, 'claimed_count', s.claimed,
	    'places_left', s.places - s.claimed,
	    'claimed_by_me', p_viewer.id IS NOT NULL AND EXISTS (SELECT 1
	        FROM signup_claims c
	        WHERE c.slot_id = s.id AND c.member_id = p_viewer.id),
	    'claims', CASE WHEN p_insider THEN coalesce((SELECT jsonb_agg(
	        jsonb_build_object('member', api.member_ref(c.member_id),
	            'note', c.note, 'claimed_at', api.ts(c.claimed_at))
	        ORDER BY c.claimed_at, c.member_id)
	        FROM signup_claims c WHERE c.slot_id = s.id), '[]') END);
$$;

-- The event p_id as p_viewer may see it (a hidden one only to its
-- organizers), locked when p_lock; 404 otherwise.
CREATE FUNCTION api.signup_event(p_id bigint, p_viewer members,
    p_lock boolean)
RETURNS events LANGUAGE plpgsql AS $$
DECLARE
	e	events;
BEGIN
	IF p_lock THEN
		e := api.event_lock(p_id);
	ELSE
		e := api.event_find(p_id);
	END IF;
	IF e.hidden_at IS NOT NULL AND NOT api.event_can_manage(e, p_viewer) THEN
		PERFORM api.fail(404, 'not_found', 'no such event');
	END IF;
	RETURN e;
END;
$$;

-- Slot p_slot of event e, or 404.
CREATE FUNCTION api.signup_slot_find(e events, p_slot bigint)
RETURNS signup_slots LANGUAGE plpgsql AS $$
DECLARE
	s	signup_slots;
BEGIN
	SELECT * INTO s FROM signup_slots WHERE id = p_slot AND event_id = e.id;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such sign-up slot');
	END IF;
	RETURN s;
END;
$$;

-- Reading ----------------------------------------------------------------

-- GET /v1/events/{id}/slots: every slot of the event (at most 50, one
-- page) in the order they were added.
CREATE FUNCTION api.signup_slots_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	e	events := api.signup_event((p_args->>'id')::bigint, v_me, false);
	v_in	boolean := api.signup_insider(e, v_me);
BEGIN
	RETURN api.ok(200, jsonb_build_object('data', coalesce((
	    SELECT jsonb_agg(api.signup_slot_json(s, v_me, v_in) ORDER BY s.id)
	    FROM signup_slots s WHERE s.event_id = e.id), '[]'),
	    'next_cursor', NULL));
END;
$$;

-- Organizers -------------------------------------------------------------

-- The title of a body (trimmed; 400 when empty) or NULL when absent.
CREATE FUNCTION api.signup_title(p_body jsonb)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_body ? 'title' AND api.clean(p_body->>'title') IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'title');
	END IF;
	RETURN api.clean(p_body->>'title');
END;
$$;

-- POST /v1/events/{id}/slots {title, places, note?}
CREATE FUNCTION api.signup_slot_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.signup_event((p_args->>'id')::bigint, v_me, true);
	v_title	text := api.signup_title(p_body);
	s	signup_slots;
BEGIN
	PERFORM api.event_require_manager(e, v_me);
	PERFORM api.event_require_open(e);
	IF (SELECT count(*) FROM signup_slots WHERE event_id = e.id)
	    >= api.signup_slots_max() THEN
		PERFORM api.fail(409, 'too_many_slots', 'an event has at most ' ||
		    api.signup_slots_max() || ' sign-up slots');
	END IF;
	INSERT INTO signup_slots (event_id, title, note, places)
	VALUES (e.id, v_title, api.clean(p_body->>'note'),
	    (p_body->>'places')::integer)
	RETURNING * INTO s;
	RETURN api.ok(201, api.signup_slot_json(s, v_me, true));
END;
$$;

-- PATCH /v1/events/{id}/slots/{slot_id} {title?, places?, note?}: places
-- never below the places claimed (409 places_claimed).
CREATE FUNCTION api.signup_slot_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.signup_event((p_args->>'id')::bigint, v_me, true);
	s	signup_slots;
	v_title	text := api.signup_title(p_body);
BEGIN
	PERFORM api.event_require_manager(e, v_me);
	s := api.signup_slot_find(e, (p_args->>'slot_id')::bigint);
	PERFORM api.event_require_open(e);
	IF p_body ? 'places' AND (p_body->>'places')::integer < s.claimed THEN
		PERFORM api.fail(409, 'places_claimed', s.claimed || ' places are '
		    'claimed already: ask members to release some first',
		    'places');
	END IF;
	UPDATE signup_slots SET
	    title = coalesce(v_title, title),
	    note = CASE WHEN p_body ? 'note' THEN api.clean(p_body->>'note')
	        ELSE note END,
	    places = coalesce((p_body->>'places')::integer, places),
	    updated_at = now()
	WHERE id = s.id
	RETURNING * INTO s;
	RETURN api.ok(200, api.signup_slot_json(s, v_me, true));
END;
$$;

-- DELETE /v1/events/{id}/slots/{slot_id}: with its claims.
CREATE FUNCTION api.signup_slot_delete(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.signup_event((p_args->>'id')::bigint, v_me, true);
	s	signup_slots;
BEGIN
	PERFORM api.event_require_manager(e, v_me);
	s := api.signup_slot_find(e, (p_args->>'slot_id')::bigint);
	DELETE FROM signup_slots WHERE id = s.id;
	RETURN api.ok(204, NULL);
END;
$$;

-- Members who are going ----------------------------------------------------

-- PUT /v1/events/{id}/slots/{slot_id}/claim {note?}: claim a place (or
-- change the note of one's claim).  Only while going (409 not_going);
-- 409 slot_full when every place is claimed.
CREATE FUNCTION api.signup_claim(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.signup_event((p_args->>'id')::bigint, v_me, true);
	s	signup_slots;
BEGIN
	s := api.signup_slot_find(e, (p_args->>'slot_id')::bigint);
	PERFORM api.event_require_open(e);
	IF NOT EXISTS (SELECT 1 FROM rsvps WHERE event_id = e.id
	    AND member_id = v_me.id AND status = 'going') THEN
		PERFORM api.fail(409, 'not_going', 'RSVP as going (with a place, '
		    'not on the waitlist) to sign up');
	END IF;
	IF EXISTS (SELECT 1 FROM signup_claims
	    WHERE slot_id = s.id AND member_id = v_me.id) THEN
		IF p_body ? 'note' THEN
			UPDATE signup_claims SET note = api.clean(p_body->>'note')
			WHERE slot_id = s.id AND member_id = v_me.id;
		END IF;
	ELSIF s.claimed >= s.places THEN
		PERFORM api.fail(409, 'slot_full', 'all ' || s.places ||
		    CASE WHEN s.places = 1 THEN ' place' ELSE ' places' END ||
		    ' of "' || s.title || '" are taken');
	ELSE
		INSERT INTO signup_claims (slot_id, member_id, note)
		VALUES (s.id, v_me.id, api.clean(p_body->>'note'));
	END IF;
	SELECT * INTO s FROM signup_slots WHERE id = s.id;
	RETURN api.ok(200, api.signup_slot_json(s, v_me, true));
END;
$$;

-- DELETE /v1/events/{id}/slots/{slot_id}/claim: release (idempotent).
CREATE FUNCTION api.signup_release(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.signup_event((p_args->>'id')::bigint, v_me, true);
	s	signup_slots;
BEGIN
	s := api.signup_slot_find(e, (p_args->>'slot_id')::bigint);
	PERFORM api.event_require_open(e);
	DELETE FROM signup_claims WHERE slot_id = s.id AND member_id = v_me.id;
	RETURN api.ok(204, NULL);
END;
$$;

-- The slots member p_member claimed at event p_event, for the CSV export
-- (sql/api/rsvps.sql): titles in the order the slots were added, "; "
-- between them; NULL when none.
CREATE FUNCTION api.signup_claimed_titles(p_event bigint, p_member bigint)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT string_agg(s.title, '; ' ORDER BY s.id)
	FROM signup_claims c JOIN signup_slots s ON s.id = c.slot_id
	WHERE s.event_id = p_event AND c.member_id = p_member;
$$;

-- Export -----------------------------------------------------------------

CREATE FUNCTION api.export_signups(p_member bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('signups', coalesce((SELECT jsonb_agg(
	    jsonb_build_object('event', jsonb_build_object('id', e.id,
	        'title', e.title), 'slot', jsonb_build_object('id', s.id,
	        'title', s.title), 'note', c.note,
	        'claimed_at', api.ts(c.claimed_at))
	    ORDER BY c.claimed_at, s.id)
	    FROM signup_claims c JOIN signup_slots s ON s.id = c.slot_id
	    JOIN events e ON e.id = s.event_id
	    WHERE c.member_id = p_member), '[]'));
$$;
