-- RSVPs with a first-come-first-served waitlist, who "met" whom, and
-- attendance.  Every change of who holds places locks the event first
-- (see the top of sql/api/events.sql).  A withdrawn or deleted RSVP
-- promotes the waitlist through the trigger core.rsvps_after_delete.

-- The waitlist -----------------------------------------------------------

CREATE FUNCTION api.waitlist_position(r rsvps)
RETURNS integer LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN CASE WHEN r.status = 'waitlisted' THEN
	    (SELECT count(*)::integer FROM rsvps w
	     WHERE w.event_id = r.event_id AND w.status = 'waitlisted'
	       AND (w.requested_at, w.id) <= (r.requested_at, r.id)) END;
END;
$$;

-- An RSVP as its member sees it (NULL when there is none), p_position its
-- place on the waitlist.  A plain expression, inlined where it is used.
CREATE FUNCTION api.rsvp_doc(r rsvps, p_position integer)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN r.id IS NULL THEN NULL ELSE jsonb_build_object(
	    'response', r.response, 'status', r.status,
	    'waitlist_position', p_position, 'guests', r.guests) END;
$$;

CREATE FUNCTION api.rsvp_json(r rsvps)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT api.rsvp_doc(r, api.waitlist_position(r));
$$;

-- Promote waitlisted RSVPs in (requested_at, id) order while their party
-- fits, stopping at the first that does not; each promoted member but
-- p_actor is notified.  Locks the event; does nothing once it is
-- cancelled or has ended.  Returns how many were promoted.
CREATE FUNCTION api.event_promote(p_event bigint, p_actor bigint)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	e	events;
	r	rsvps;
	v_taken	integer;
	v_n	integer := 0;
BEGIN
	SELECT * INTO e FROM events WHERE id = p_event FOR NO KEY UPDATE;
	IF NOT FOUND OR e.status <> 'scheduled' OR e.ends_at <= now() THEN
		RETURN 0;
	END IF;
	SELECT coalesce(sum(1 + guests), 0) INTO v_taken FROM rsvps
	WHERE event_id = p_event AND status = 'going';
	FOR r IN SELECT * FROM rsvps
	    WHERE event_id = p_event AND status = 'waitlisted'
	    ORDER BY requested_at, id LOOP
		EXIT WHEN e.capacity IS NOT NULL
		    AND v_taken + 1 + r.guests > e.capacity;
		UPDATE rsvps SET status = 'going', updated_at = now()
		WHERE id = r.id;
		v_taken := v_taken + 1 + r.guests;
		v_n := v_n + 1;
		IF r.member_id IS DISTINCT FROM p_actor THEN
			PERFORM api.notify(r.member_id, 'rsvp_promoted', 'event',
			    e.id, 'A place opened up at ' || e.title ||
			    ': you are now going.');
		END IF;
	END LOOP;
	RETURN v_n;
END;
$$;

-- Set p_member's RSVP at p_event (going | maybe | not_going) under the
-- event lock and return it.  A new "going" gets a place only when the
-- party fits and nobody is waiting (strict FCFS); otherwise it is
-- waitlisted.  Someone already going who asks for more guests than the
-- places left gets 409 and keeps their RSVP; someone waitlisted keeps
-- their position.  Then the waitlist is promoted.
CREATE FUNCTION api.rsvp_apply(p_event bigint, p_member bigint,
    p_response text, p_guests integer)
RETURNS rsvps LANGUAGE plpgsql AS $$
DECLARE
	e		events := api.event_lock(p_event);
	v_old		rsvps;
	r		rsvps;
	v_taken		integer;
	v_status	text;
BEGIN
	PERFORM api.event_require_open(e);
	IF p_response = 'not_going' THEN
		p_guests := 0;
	ELSIF p_guests > e.guest_limit THEN
		PERFORM api.fail(400, 'validation_failed',
		    CASE WHEN e.guest_limit = 0 THEN 'this event takes no guests'
		    ELSE 'must be at most ' || e.guest_limit || ' at this event'
		    END, 'guests');
	END IF;
	SELECT * INTO v_old FROM rsvps
	WHERE event_id = e.id AND member_id = p_member;
	SELECT coalesce(sum(1 + guests), 0) INTO v_taken FROM rsvps
	WHERE event_id = e.id AND status = 'going';

	IF p_response <> 'going' THEN
		v_status := p_response;
	ELSIF v_old.status = 'going' THEN
		IF e.capacity IS NOT NULL AND p_guests > v_old.guests
		    AND v_taken - v_old.guests + p_guests > e.capacity THEN
			PERFORM api.fail(409, 'no_room', 'only ' ||
			    greatest(e.capacity - v_taken, 0) || ' more places '
			    'are free: your RSVP is unchanged', 'guests');
		END IF;
		v_status := 'going';
	ELSIF v_old.status = 'waitlisted' THEN
		v_status := 'waitlisted';
	ELSIF (e.capacity IS NULL OR v_taken + 1 + p_guests <= e.capacity)
	    AND NOT EXISTS (SELECT 1 FROM rsvps
	        WHERE event_id = e.id AND status = 'waitlisted') THEN
		v_status := 'going';
	ELSE
		v_status := 'waitlisted';
	END IF;

	INSERT INTO rsvps (event_id, member_id, response, status, guests,
	    requested_at)
	VALUES (e.id, p_member, p_response, v_status, p_guests,
	    clock_timestamp())
	ON CONFLICT (event_id, member_id) DO UPDATE SET
	    response = EXCLUDED.response, status = EXCLUDED.status,
	    guests = EXCLUDED.guests,
	    requested_at = CASE WHEN rsvps.status IN ('going', 'waitlisted')
	        AND EXCLUDED.status IN ('going', 'waitlisted')
	        THEN rsvps.requested_at ELSE EXCLUDED.requested_at END,
	    updated_at = now()
	RETURNING * INTO r;

	IF v_old.status IN ('going', 'waitlisted') THEN
		PERFORM api.event_promote(e.id, p_member);
		SELECT * INTO r FROM rsvps WHERE id = r.id;
	END IF;
	IF r.status IN ('going', 'waitlisted') AND
	    r.status IS DISTINCT FROM v_old.status THEN
		PERFORM api.mail_rsvp_confirmation(e, p_member, r.status);
	END IF;
	RETURN r;
END;
$$;

-- "Met" ------------------------------------------------------------------

-- The events a member took part in: going, or recorded as attended, and
-- not recorded as absent.
CREATE FUNCTION api.took_part(p_member bigint)
RETURNS SETOF bigint LANGUAGE sql STABLE AS $$
	(SELECT event_id FROM rsvps WHERE member_id = p_member
	     AND status = 'going'
	 UNION
	 SELECT event_id FROM attendance WHERE member_id = p_member AND attended)
	EXCEPT
	SELECT event_id FROM attendance WHERE member_id = p_member
	    AND NOT attended;
$$;

-- The latest event that has ended (and was not cancelled) where both
-- members took part; NULL when they have not met.  Shared with the
-- mentor suggestions.
CREATE FUNCTION api.met_event(p_a bigint, p_b bigint)
RETURNS events LANGUAGE sql STABLE AS $$
	SELECT e.* FROM events e
	WHERE e.id IN (SELECT api.took_part(p_a) INTERSECT
	               SELECT api.took_part(p_b))
	  AND e.ends_at < now() AND e.status = 'scheduled'
	ORDER BY e.ends_at DESC, e.id DESC
	LIMIT 1;
$$;

-- RSVPs ------------------------------------------------------------------

-- With "series": true, the same answer for this occurrence of a series
-- and every later one still open (not cancelled, not ended, not hidden),
-- each under its own lock with its own waitlist place: going to every
-- future occurrence, or withdrawing from them (maybe, not_going); past
-- ones never change.  Occurrences are locked in (starts_at, id) order,
-- this one first, so concurrent series RSVPs cannot deadlock.
CREATE FUNCTION api.rsvp_put(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events;
	r	rsvps;
	v_id	bigint;
BEGIN
	IF (p_body->>'series')::boolean THEN
		e := api.event_find((p_args->>'id')::bigint);
		IF e.series_id IS NULL THEN
			PERFORM api.fail(400, 'validation_failed',
			    'this event is not part of a series', 'series');
		END IF;
	END IF;
	-- A statement of its own: rsvp_json must see the change.
	r := api.rsvp_apply((p_args->>'id')::bigint, v_me.id,
	    p_body->>'response', coalesce((p_body->>'guests')::integer, 0));
	FOR v_id IN SELECT o.id FROM events o
	    WHERE o.series_id = e.series_id
	      AND (o.starts_at, o.id) > (e.starts_at, e.id)
	      AND o.status = 'scheduled' AND o.ends_at > now()
	      AND o.hidden_at IS NULL
	    ORDER BY o.starts_at, o.id LOOP
		PERFORM api.rsvp_apply(v_id, v_me.id, p_body->>'response',
		    coalesce((p_body->>'guests')::integer, 0));
	END LOOP;
	RETURN api.ok(200, api.rsvp_json(r));
END;
$$;

-- Withdraw: the delete trigger promotes the waitlist.  Idempotent (204
-- when there was no RSVP either).
CREATE FUNCTION api.rsvp_delete(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.event_lock((p_args->>'id')::bigint);
BEGIN
	PERFORM api.event_require_open(e);
	DELETE FROM rsvps WHERE event_id = e.id AND member_id = v_me.id;
	RETURN api.ok(204, NULL);
END;
$$;

CREATE FUNCTION api.rsvp_status_rank(p_status text)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
	SELECT array_position(ARRAY['going', 'waitlisted', 'maybe',
	    'not_going'], p_status);
$$;

-- Three views of one event's RSVPs, all with the counts:
--   "organizer": every RSVP (filter ?status=), with member, response,
--       status, waitlist_position, guests, attended, requested_at;
--   "going": a member who is going sees the others going (member only);
--   "counts": anyone else, data null.
-- Order: going, waitlisted (by position), maybe, not_going; keyset on
-- (status rank, requested_at, id).
CREATE FUNCTION api.event_rsvps(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	e	events := api.event_find((p_args->>'id')::bigint);
	v_cur	jsonb := api.cursor_decode('event_rsvps:' || e.id, p_query,
	    '{integer,numeric,bigint}');
	v_view	text;
	v_cnt	jsonb;
	v_reply	api.reply;
BEGIN
	SELECT jsonb_build_object(
	    'going_count', count(*) FILTER (WHERE status = 'going'),
	    'guest_count', coalesce(sum(guests) FILTER (WHERE status = 'going'), 0),
	    'waitlist_count', count(*) FILTER (WHERE status = 'waitlisted'),
	    'maybe_count', count(*) FILTER (WHERE status = 'maybe'),
	    'not_going_count', count(*) FILTER (WHERE status = 'not_going'))
	INTO v_cnt FROM rsvps WHERE event_id = e.id;

	IF api.event_can_manage(e, v_me) THEN
		v_view := 'organizer';
	ELSIF v_me.id IS NOT NULL AND EXISTS (SELECT 1 FROM rsvps
	    WHERE event_id = e.id AND member_id = v_me.id
	      AND status = 'going') THEN
		v_view := 'going';
	ELSE
		v_view := 'counts';
	END IF;
	IF p_query ? 'status' AND v_view <> 'organizer' THEN
		PERFORM api.fail(403, 'forbidden',
		    'only the organizers can filter RSVPs by status');
	END IF;
	IF v_view = 'counts' THEN
		RETURN api.ok(200, jsonb_build_object('view', v_view) || v_cnt ||
		    jsonb_build_object('data', NULL, 'next_cursor', NULL));
	END IF;

	v_reply := (WITH page AS (
		SELECT r.*, api.rsvp_status_rank(r.status) AS rank
		FROM rsvps r
		WHERE r.event_id = e.id
		  AND (v_view = 'organizer' OR r.status = 'going')
		  AND (NOT p_query ? 'status' OR r.status = p_query->>'status')
		  AND (v_cur IS NULL OR (api.rsvp_status_rank(r.status),
		      extract(epoch FROM r.requested_at), r.id) >
		      ((v_cur->>0)::integer, (v_cur->>1)::numeric,
		       (v_cur->>2)::bigint))
		ORDER BY api.rsvp_status_rank(r.status), r.requested_at, r.id
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('event_rsvps:' || e.id,
	    array_agg(CASE WHEN v_view = 'organizer' THEN jsonb_build_object(
	            'member', api.member_ref(p.member_id),
	            'response', p.response, 'status', p.status,
	            'waitlist_position', api.waitlist_position(
	                ROW(p.id, p.event_id, p.member_id, p.response, p.status,
	                    p.guests, p.requested_at, p.created_at,
	                    p.updated_at)::rsvps),
	            'guests', p.guests,
	            'attended', (SELECT a.attended FROM attendance a
	                WHERE a.event_id = p.event_id
	                  AND a.member_id = p.member_id),
	            'requested_at', api.ts(p.requested_at),
	            'updated_at', api.ts(p.updated_at))
	        ELSE jsonb_build_object('member', api.member_ref(p.member_id))
	        END
	        ORDER BY p.rank, p.requested_at, p.id),
	    array_agg(jsonb_build_array(p.rank, extract(epoch FROM p.requested_at),
	            p.id) ORDER BY p.rank, p.requested_at, p.id), p_query)
	FROM page p);
	v_reply.body := jsonb_build_object('view', v_view) || v_cnt ||
	    v_reply.body;
	RETURN v_reply;
END;
$$;

-- One CSV field: text quoted (RFC 4180); a leading = + - @ TAB or CR is
-- defused with a quote so spreadsheets do not run it as a formula.
CREATE FUNCTION api.csv_field(p text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p IS NULL THEN '' ELSE '"' || replace(
	    CASE WHEN p ~ '^[-=+@\t\r]' THEN '''' || p ELSE p END,
	    '"', '""') || '"' END;
$$;

-- All RSVPs of an event as CSV (organizers only), CRLF line ends;
-- signups: the sign-up slots the member claimed (sql/api/signups.sql).
CREATE FUNCTION api.event_rsvps_csv(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	e	events := api.event_find((p_args->>'id')::bigint);
BEGIN
	IF NOT api.event_can_manage(e, v_me) THEN
		PERFORM api.fail(403, 'forbidden',
		    'only the organizers of this event can export its RSVPs');
	END IF;
	RETURN 'member_id,display_name,response,status,waitlist_position,'
	    'guests,requested_at,attended,signups' || E'\r\n' ||
	    coalesce(string_agg(
	    concat(r.member_id, ',', api.csv_field(m.display_name), ',',
	        r.response, ',', r.status, ',', api.waitlist_position(r), ',',
	        r.guests, ',', api.ts(r.requested_at), ',', a.attended, ',',
	        api.csv_field(api.signup_claimed_titles(e.id, r.member_id))) ||
	        E'\r\n',
	    '' ORDER BY api.rsvp_status_rank(r.status), r.requested_at, r.id),
	    '')
	FROM rsvps r JOIN members m ON m.id = r.member_id
	    LEFT JOIN attendance a ON a.event_id = r.event_id
	        AND a.member_id = r.member_id
	WHERE r.event_id = e.id;
END;
$$;

-- Attendance -------------------------------------------------------------

CREATE FUNCTION api.event_attendance(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.event_find((p_args->>'id')::bigint);
	v_bad	integer;
BEGIN
	PERFORM api.event_require_manager(e, v_me);
	IF e.status = 'cancelled' THEN
		PERFORM api.fail(409, 'event_cancelled', 'this event was cancelled');
	END IF;
	IF e.starts_at > now() THEN
		PERFORM api.fail(409, 'not_started', 'attendance can be recorded '
		    'once the event has started');
	END IF;
	SELECT min(o - 1) INTO v_bad
	FROM jsonb_array_elements(p_body->'records') WITH ORDINALITY AS t(x, o)
	WHERE NOT EXISTS (SELECT 1 FROM members
	    WHERE id = (t.x->>'member_id')::bigint);
	IF v_bad IS NOT NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'names no member',
		    'records[' || v_bad || '].member_id');
	END IF;
	SELECT min(o - 1) INTO v_bad
	FROM (SELECT o, count(*) OVER (PARTITION BY x->>'member_id') AS n
	      FROM jsonb_array_elements(p_body->'records')
	          WITH ORDINALITY AS t(x, o)) d
	WHERE n > 1;
	IF v_bad IS NOT NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'names the same member twice', 'records[' || v_bad ||
		    '].member_id');
	END IF;
	INSERT INTO attendance (event_id, member_id, attended, recorded_by)
	SELECT e.id, (x->>'member_id')::bigint, (x->>'attended')::boolean,
	    v_me.id
	FROM jsonb_array_elements(p_body->'records') t(x)
	ON CONFLICT (event_id, member_id) DO UPDATE SET
	    attended = EXCLUDED.attended, recorded_by = EXCLUDED.recorded_by,
	    recorded_at = now();
	RETURN api.ok(200, jsonb_build_object(
	    'attended_count', (SELECT count(*) FROM attendance
	        WHERE event_id = e.id AND attended),
	    'absent_count', (SELECT count(*) FROM attendance
	        WHERE event_id = e.id AND NOT attended),
	    'records', (SELECT jsonb_agg(jsonb_build_object(
	        'member', api.member_ref(a.member_id), 'attended', a.attended,
	        'recorded_at', api.ts(a.recorded_at)) ORDER BY t.o)
	        FROM jsonb_array_elements(p_body->'records')
	            WITH ORDINALITY AS t(x, o)
	        JOIN attendance a ON a.event_id = e.id
	            AND a.member_id = (t.x->>'member_id')::bigint)));
END;
$$;
