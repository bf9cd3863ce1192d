-- Events, RSVPs with a first-come-first-served waitlist, attendance,
-- and invitations.
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
-- Invitations serialize per sender with a transaction advisory lock
-- (hashtext('invite:' || sender)), so the rolling 24-hour cap is
-- all-or-nothing under concurrent requests from one sender.
--
-- Who manages an event ("organizers" below): its creator, the
-- co-organizers named in "organizers", admins of its organization and
-- site admins (api.event_can_manage).
--
-- Spam reports: PATCH /v1/me/invitations/{id} {"status": "reported_spam"}
-- stores the report on the invitation.  Three open reports from three
-- different recipients stop the sender from inviting (403
-- invitations_suspended).  Until the reports endpoints exist, a site
-- admin resolves them in SQL:
--   UPDATE invitations SET spam_resolved_at = now()
--   WHERE sender_id = <member id> AND status = 'reported_spam'
--     AND spam_resolved_at IS NULL;

CREATE TABLE events (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	title			text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	description		text CHECK (length(description) <= 10000),
	kind			text NOT NULL CHECK (kind IN ('social', 'meetup',
	    'training', 'tour', 'advocacy', 'celebration', 'conference')),
	tags			text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(tags) <= 10),
	starts_at		timestamptz NOT NULL,
	ends_at			timestamptz NOT NULL,
	timezone		text NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
	venue			text CHECK (length(venue) <= 200),
	address			text CHECK (length(address) <= 300),
	city			text CHECK (length(city) <= 80),
	online_url		text CHECK (length(online_url) <= 500),
	accessibility_notes	text CHECK (length(accessibility_notes) <= 2000),
	-- NULL: unlimited.
	capacity		integer CHECK (capacity BETWEEN 1 AND 100000),
	guest_limit		integer NOT NULL DEFAULT 0
	    CHECK (guest_limit BETWEEN 0 AND 20),
	status			text NOT NULL DEFAULT 'scheduled'
	    CHECK (status IN ('scheduled', 'cancelled')),
	cancel_reason		text CHECK (length(cancel_reason) <= 1000),
	cancelled_at		timestamptz,
	organization_id		bigint REFERENCES organizations ON DELETE RESTRICT,
	created_by		bigint REFERENCES members ON DELETE SET NULL,
	recap			text CHECK (length(recap) <= 10000),
	target			text CHECK (length(target) <= 300),
	talking_points		text CHECK (length(talking_points) <= 10000),
	-- iCalendar SEQUENCE: grows on every edit and on cancellation.
	sequence		integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
	-- Set when a site admin hides a reported event (reports: 0007);
	-- hidden events are listed for their organizers only.
	hidden_at		timestamptz,
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	search			tsvector GENERATED ALWAYS AS (to_tsvector('simple',
	    title || ' ' || coalesce(venue, '') || ' ' || coalesce(city, '') ||
	    ' ' || coalesce(description, ''))) STORED,
	-- At most 31 days long: the list relies on it (see events_list).
	CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '31 days'),
	CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
	CHECK (kind = 'advocacy' OR (target IS NULL AND talking_points IS NULL))
);

-- Indexes of GET /v1/events.  The list is the union of two scans, both in
-- (starts_at, id) order from `from` (default now) or the cursor:
--   events starting at or after `from`: events_start_idx, or the index of
--       the filter: events_org_idx (organization), events_kind_idx (kind),
--       events_city_idx (lower(city)), events_tags_idx (tag, GIN),
--       events_search_idx (q, GIN full-text);
--   events under way at `from` (started before, not yet ended):
--       events_ongoing_idx, a GiST index on the [starts_at, ends_at]
--       range, so the past is never scanned row by row, whatever the
--       number of events.
CREATE INDEX events_start_idx ON events (starts_at, id);
CREATE INDEX events_ongoing_idx ON events
    USING gist (tstzrange(starts_at, ends_at, '[]'));
CREATE INDEX events_org_idx ON events (organization_id, starts_at, id);
CREATE INDEX events_kind_idx ON events (kind, starts_at, id);
CREATE INDEX events_city_idx ON events (lower(city), starts_at, id);
CREATE INDEX events_tags_idx ON events USING gin (tags);
CREATE INDEX events_search_idx ON events USING gin (search);
CREATE INDEX events_creator_idx ON events (created_by);

-- The creator is always one of them.
CREATE TABLE event_organizers (
	event_id	bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	added_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (event_id, member_id)
);

CREATE INDEX event_organizers_member_idx ON event_organizers (member_id);

-- response is what the member asked for; status the outcome.  Only
-- status 'going' holds places (1 + guests).  requested_at is when the
-- member last asked to go (it orders the waitlist).
CREATE TABLE rsvps (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id	bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	response	text NOT NULL
	    CHECK (response IN ('going', 'maybe', 'not_going')),
	status		text NOT NULL
	    CHECK (status IN ('going', 'waitlisted', 'maybe', 'not_going')),
	guests		integer NOT NULL DEFAULT 0 CHECK (guests BETWEEN 0 AND 20),
	requested_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (event_id, member_id),
	CHECK (CASE response WHEN 'going' THEN status IN ('going', 'waitlisted')
	    ELSE status = response END)
);

-- Counts, places taken and the waitlist order of one event.
CREATE INDEX rsvps_event_idx ON rsvps (event_id, status, requested_at, id);
CREATE INDEX rsvps_member_idx ON rsvps (member_id, status);

-- Recorded by organizers once the event has started; walk-ins (no RSVP)
-- may be recorded too.
CREATE TABLE attendance (
	event_id	bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	attended	boolean NOT NULL,
	recorded_by	bigint REFERENCES members ON DELETE SET NULL,
	recorded_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (event_id, member_id)
);

CREATE INDEX attendance_member_idx ON attendance (member_id, attended);

-- One invitation per event and recipient, whoever sent it.
CREATE TABLE invitations (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id		bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	sender_id		bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	recipient_id		bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	reason			text NOT NULL CHECK (length(reason) <= 300),
	status			text NOT NULL DEFAULT 'pending'
	    CHECK (status IN ('pending', 'accepted', 'declined',
	        'reported_spam')),
	responded_at		timestamptz,
	spam_resolved_at	timestamptz,
	created_at		timestamptz NOT NULL DEFAULT now(),
	UNIQUE (event_id, recipient_id),
	CHECK (sender_id <> recipient_id),
	CHECK (spam_resolved_at IS NULL OR status = 'reported_spam')
);

-- The rolling 24-hour cap; the recipient's list; open spam reports.
CREATE INDEX invitations_sender_idx ON invitations (sender_id, created_at);
CREATE INDEX invitations_recipient_idx ON invitations (recipient_id, id);
CREATE INDEX invitations_spam_idx ON invitations (sender_id)
    WHERE status = 'reported_spam' AND spam_resolved_at IS NULL;

-- Helpers -------------------------------------------------------------------

-- A timestamp parameter (already RFC 3339 shaped by the API) or 400
-- naming p_field (e.g. 2026-02-30).  Whole seconds.
CREATE FUNCTION api.time_arg(p text, p_field text)
RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p IS NULL THEN
		RETURN NULL;
	END IF;
	RETURN date_trunc('second', p::timestamptz);
EXCEPTION WHEN data_exception THEN
	PERFORM api.fail(400, 'validation_failed',
	    'is not a valid date-time', p_field);
	RETURN NULL;
END;
$$;

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

CREATE FUNCTION api.event_organizers_json(p_event bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('id', m.id,
	    'display_name', m.display_name)
	    ORDER BY (m.id = e.created_by) DESC, o.added_at, m.id), '[]')
	FROM event_organizers o JOIN members m ON m.id = o.member_id
	    JOIN events e ON e.id = o.event_id
	WHERE o.event_id = p_event;
$$;

CREATE FUNCTION api.waitlist_position(r rsvps)
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN r.status = 'waitlisted' THEN
	    (SELECT count(*)::integer FROM rsvps w
	     WHERE w.event_id = r.event_id AND w.status = 'waitlisted'
	       AND (w.requested_at, w.id) <= (r.requested_at, r.id)) END;
$$;

CREATE FUNCTION api.rsvp_json(r rsvps)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN r.id IS NULL THEN NULL ELSE jsonb_build_object(
	    'response', r.response, 'status', r.status,
	    'waitlist_position', api.waitlist_position(r),
	    'guests', r.guests) END;
$$;

CREATE FUNCTION api.event_json(e events, p_viewer members)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_going		integer;
	v_taken		integer;
	v_wait		integer;
	v_mine		rsvps;
	v_adv		boolean := e.kind = 'advocacy';
BEGIN
	SELECT count(*) FILTER (WHERE status = 'going'),
	       coalesce(sum(1 + guests) FILTER (WHERE status = 'going'), 0),
	       count(*) FILTER (WHERE status = 'waitlisted')
	INTO v_going, v_taken, v_wait
	FROM rsvps WHERE event_id = e.id AND status IN ('going', 'waitlisted');
	IF p_viewer.id IS NOT NULL THEN
		SELECT * INTO v_mine FROM rsvps
		WHERE event_id = e.id AND member_id = p_viewer.id;
	END IF;
	RETURN jsonb_build_object(
	    'id', e.id, 'title', e.title, 'description', e.description,
	    'kind', e.kind, 'tags', to_jsonb(e.tags),
	    'starts_at', api.ts(e.starts_at), 'ends_at', api.ts(e.ends_at),
	    'timezone', e.timezone, 'venue', e.venue, 'address', e.address,
	    'city', e.city, 'online_url', e.online_url,
	    'accessibility_notes', e.accessibility_notes,
	    'capacity', e.capacity, 'guest_limit', e.guest_limit,
	    'status', e.status, 'cancel_reason', e.cancel_reason,
	    'cancelled_at', api.ts(e.cancelled_at),
	    'organization', api.org_ref(e.organization_id),
	    'organizers', api.event_organizers_json(e.id),
	    'going_count', v_going, 'waitlist_count', v_wait,
	    'places_taken', v_taken,
	    'places_left', CASE WHEN e.capacity IS NOT NULL
	        THEN greatest(e.capacity - v_taken, 0) END,
	    'recap', e.recap,
	    'target', e.target, 'talking_points', e.talking_points,
	    'pledged_count', CASE WHEN v_adv THEN v_going END,
	    'attended_count', CASE WHEN v_adv AND e.starts_at <= now() THEN
	        (SELECT count(*) FROM attendance
	         WHERE event_id = e.id AND attended) END,
	    'sequence', e.sequence,
	    'my_rsvp', api.rsvp_json(v_mine),
	    'created_at', api.ts(e.created_at),
	    'updated_at', api.ts(e.updated_at));
END;
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

-- However an RSVP that held or awaited a place disappears (withdrawal,
-- account deletion), the waitlist moves up in the same transaction.
CREATE FUNCTION api.rsvps_after_delete()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM api.event_promote(OLD.event_id, NULL);
	RETURN NULL;
END;
$$;

CREATE TRIGGER rsvps_after_delete
    AFTER DELETE ON rsvps
    FOR EACH ROW WHEN (OLD.status IN ('going', 'waitlisted'))
    EXECUTE FUNCTION api.rsvps_after_delete();

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
	RETURN r;
END;
$$;

-- "Met" -----------------------------------------------------------------------

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

-- Events ----------------------------------------------------------------------

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

CREATE FUNCTION api.event_create(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events;
	v_o	organizations;
BEGIN
	IF jsonb_typeof(p_body->'organization') IN ('string', 'number') THEN
		SELECT * INTO v_o FROM organizations
		WHERE id = api.org_id(p_body->>'organization', 'organization');
		IF NOT api.is_org_admin(v_o.id, v_me) THEN
			PERFORM api.fail(403, 'forbidden', 'only admins of ' ||
			    v_o.name || ' can create its events');
		END IF;
		IF v_o.archived THEN
			PERFORM api.fail(409, 'archived',
			    'this organization is archived', 'organization');
		END IF;
	END IF;
	e.guest_limit := 0;
	e.tags := '{}';
	e := api.event_apply(e, p_body);
	INSERT INTO events (title, description, kind, tags, starts_at, ends_at,
	    timezone, venue, address, city, online_url, accessibility_notes,
	    capacity, guest_limit, organization_id, created_by, target,
	    talking_points)
	VALUES (e.title, e.description, e.kind, e.tags, e.starts_at, e.ends_at,
	    e.timezone, e.venue, e.address, e.city, e.online_url,
	    e.accessibility_notes, e.capacity, e.guest_limit, v_o.id, v_me.id,
	    e.target, e.talking_points)
	RETURNING * INTO e;
	PERFORM api.event_set_organizers(e, p_body->'organizers');
	RETURN api.ok(201, api.event_json(e, v_me), '/v1/events/' || e.id);
END;
$$;

CREATE FUNCTION api.event_get(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
BEGIN
	RETURN api.ok(200, api.event_json(
	    api.event_find((p_args->>'id')::bigint), v_me));
END;
$$;

-- A merge patch of the writable fields by an organizer.  Every accepted
-- patch bumps sequence; a larger (or removed) capacity promotes the
-- waitlist; a smaller one never demotes.
CREATE FUNCTION api.event_patch(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.event_lock((p_args->>'id')::bigint);
	v_org	bigint;
BEGIN
	PERFORM api.event_require_manager(e, v_me);
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
	e := api.event_apply(e, p_body);
	UPDATE events SET title = e.title, description = e.description,
	    kind = e.kind, tags = e.tags, starts_at = e.starts_at,
	    ends_at = e.ends_at, timezone = e.timezone, venue = e.venue,
	    address = e.address, city = e.city, online_url = e.online_url,
	    accessibility_notes = e.accessibility_notes, capacity = e.capacity,
	    guest_limit = e.guest_limit, organization_id = v_org,
	    recap = e.recap, target = e.target,
	    talking_points = e.talking_points, sequence = sequence + 1,
	    updated_at = now()
	WHERE id = e.id
	RETURNING * INTO e;
	IF p_body ? 'organizers' THEN
		PERFORM api.event_set_organizers(e, p_body->'organizers');
	END IF;
	PERFORM api.event_promote(e.id, NULL);
	RETURN api.ok(200, api.event_json(e, v_me));
END;
$$;

CREATE FUNCTION api.event_cancel(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	e	events := api.event_lock((p_args->>'id')::bigint);
	v_why	text := api.clean(p_body->>'reason');
BEGIN
	PERFORM api.event_require_manager(e, v_me);
	IF e.status = 'cancelled' THEN
		PERFORM api.fail(409, 'event_cancelled',
		    'this event is already cancelled');
	END IF;
	IF e.ends_at <= now() THEN
		PERFORM api.fail(409, 'event_ended', 'this event has ended');
	END IF;
	UPDATE events SET status = 'cancelled', cancel_reason = v_why,
	    cancelled_at = now(), sequence = sequence + 1, updated_at = now()
	WHERE id = e.id
	RETURNING * INTO e;
	PERFORM api.notify(r.member_id, 'event_cancelled', 'event', e.id,
	    e.title || ' on ' || to_char(e.starts_at AT TIME ZONE e.timezone,
	    'FMDD Mon YYYY') || ' was cancelled' ||
	    coalesce(': ' || v_why, '.'))
	FROM rsvps r
	WHERE r.event_id = e.id AND r.member_id <> v_me.id;
	RETURN api.ok(200, api.event_json(e, v_me));
END;
$$;

-- Public list.  Dynamic SQL so that each filter combination gets its own
-- plan (and index: see the index comments at the top).  Only events of
-- at most 31 days exist, so "ends_at >= from" implies "starts_at >=
-- from - 31 days", which bounds the index range scan.
CREATE FUNCTION api.events_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 2);
	v_from	timestamptz := coalesce(api.time_arg(p_query->>'from', 'from'),
	    now());
	v_to	timestamptz := api.time_arg(p_query->>'to', 'to');
	v_tsq	tsquery := api.prefix_query(p_query->>'q');
	v_org	bigint;
	v_cts	timestamptz;
	v_cid	bigint;
	v_sql	text;
	v_rows	jsonb;
	v_n	integer;
	v_last	jsonb;
	v_next	text;
BEGIN
	IF p_query ? 'q' AND v_tsq IS NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must contain a letter or digit', 'q');
	END IF;
	IF v_to IS NOT NULL AND v_to <= v_from THEN
		PERFORM api.fail(400, 'validation_failed', 'must be after from '
		    '(which defaults to now)', 'to');
	END IF;
	IF p_query ? 'organization' THEN
		v_org := api.org_id(p_query->>'organization', 'organization');
	END IF;
	IF v_cur IS NOT NULL THEN
		BEGIN
			v_cts := (v_cur->>0)::timestamptz;
			v_cid := (v_cur->>1)::bigint;
		EXCEPTION WHEN data_exception THEN
			v_cts := NULL;
		END;
		IF v_cts IS NULL OR v_cid IS NULL THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is not a cursor this list gave out', 'cursor');
		END IF;
	END IF;

	-- Only constant fragments are appended; every value is a parameter.
	-- EXECUTE plans each combination of filters on its own, so each can
	-- use its index (a single query with "$n IS NULL OR ..." cannot).
	v_sql := ' AND (e.hidden_at IS NULL OR api.event_can_manage(e, $11))';
	IF v_to IS NOT NULL THEN
		v_sql := v_sql || ' AND e.starts_at < $2';
	END IF;
	IF v_org IS NOT NULL THEN
		v_sql := v_sql || ' AND e.organization_id = $3';
	END IF;
	IF p_query ? 'kind' THEN
		v_sql := v_sql || ' AND e.kind = $4';
	END IF;
	IF p_query ? 'city' THEN
		v_sql := v_sql || ' AND lower(e.city) = lower($5)';
	END IF;
	IF p_query ? 'tag' THEN
		v_sql := v_sql || ' AND e.tags @> ARRAY[lower($6)]';
	END IF;
	IF v_tsq IS NOT NULL THEN
		v_sql := v_sql || ' AND e.search @@ $7';
	END IF;
	IF v_cts IS NOT NULL THEN
		v_sql := v_sql || ' AND (e.starts_at, e.id) > ($8, $9)';
	END IF;
	-- The cursor keeps starts_at to the microsecond (rows written by
	-- SQL may have fractions), as UTC text.
	-- Each branch is ordered and limited on its own, so the first one
	-- reads its index from `from` and stops after a page.
	v_sql := '(SELECT e.* FROM events e WHERE e.starts_at >= $1' || v_sql ||
	    ' ORDER BY e.starts_at, e.id LIMIT $10) UNION ALL'
	    ' (SELECT e.* FROM events e WHERE e.starts_at < $1'
	    ' AND tstzrange(e.starts_at, e.ends_at, ''[]'') @> $1' || v_sql ||
	    ' ORDER BY e.starts_at, e.id LIMIT $10)';
	v_sql := 'WITH page AS (SELECT * FROM (' || v_sql || ') e'
	    ' ORDER BY e.starts_at, e.id LIMIT $10) SELECT jsonb_agg(api.event_json(page, $11)'
	    ' ORDER BY page.starts_at, page.id), count(*),'
	    ' (array_agg(jsonb_build_array(to_char(page.starts_at AT TIME ZONE'
	    ' ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS.US"Z"''), page.id)'
	    ' ORDER BY page.starts_at, page.id))[$10 - 1] FROM page';
	EXECUTE v_sql INTO v_rows, v_n, v_last
	USING v_from, v_to, v_org, p_query->>'kind', p_query->>'city',
	    p_query->>'tag', v_tsq, v_cts, v_cid, v_limit + 1, v_me;

	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_next := api.cursor_encode(v_last);
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', v_next), NULL, v_next);
END;
$$;

-- RSVPs -----------------------------------------------------------------------

CREATE FUNCTION api.rsvp_put(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	r	rsvps;
BEGIN
	-- A statement of its own: rsvp_json must see the change.
	r := api.rsvp_apply((p_args->>'id')::bigint, v_me.id,
	    p_body->>'response', coalesce((p_body->>'guests')::integer, 0));
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
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	e	events := api.event_find((p_args->>'id')::bigint);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 3);
	v_view	text;
	v_cnt	jsonb;
	v_rows	jsonb;
	v_n	integer;
	v_last	jsonb;
	v_next	text;
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

	WITH page AS (
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
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(CASE WHEN v_view = 'organizer' THEN
	        jsonb_build_object('member', api.member_ref(p.member_id),
	        'response', p.response, 'status', p.status,
	        'waitlist_position', api.waitlist_position(
	            ROW(p.id, p.event_id, p.member_id, p.response, p.status,
	                p.guests, p.requested_at, p.created_at,
	                p.updated_at)::rsvps),
	        'guests', p.guests,
	        'attended', (SELECT a.attended FROM attendance a
	            WHERE a.event_id = p.event_id AND a.member_id = p.member_id),
	        'requested_at', api.ts(p.requested_at),
	        'updated_at', api.ts(p.updated_at),
	        '_key', jsonb_build_array(p.rank,
	            extract(epoch FROM p.requested_at), p.id))
	    ELSE jsonb_build_object('member', api.member_ref(p.member_id),
	        '_key', jsonb_build_array(p.rank,
	            extract(epoch FROM p.requested_at), p.id)) END
	    ORDER BY p.rank, p.requested_at, p.id), count(*)
	INTO v_rows, v_n FROM page p;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_last := v_rows->(v_limit - 1);
		v_next := api.cursor_encode(v_last->'_key');
	END IF;
	SELECT coalesce(jsonb_agg(x - '_key' ORDER BY o), '[]') INTO v_rows
	FROM jsonb_array_elements(coalesce(v_rows, '[]'))
	    WITH ORDINALITY AS t(x, o);
	RETURN api.ok(200, jsonb_build_object('view', v_view) || v_cnt ||
	    jsonb_build_object('data', v_rows, 'next_cursor', v_next),
	    NULL, v_next);
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

-- All RSVPs of an event as CSV (organizers only), CRLF line ends.
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
	    'guests,requested_at,attended' || E'\r\n' || coalesce(string_agg(
	    concat(r.member_id, ',', api.csv_field(m.display_name), ',',
	        r.response, ',', r.status, ',', api.waitlist_position(r), ',',
	        r.guests, ',', api.ts(r.requested_at), ',', a.attended) ||
	        E'\r\n',
	    '' ORDER BY api.rsvp_status_rank(r.status), r.requested_at, r.id),
	    '')
	FROM rsvps r JOIN members m ON m.id = r.member_id
	    LEFT JOIN attendance a ON a.event_id = r.event_id
	        AND a.member_id = r.member_id
	WHERE r.event_id = e.id;
END;
$$;

-- Attendance ------------------------------------------------------------------

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

-- Invitations -----------------------------------------------------------------

-- Why p_sender may invite p_to, in words p_to may see, or NULL when
-- p_to's "invitations" setting does not allow it.
CREATE FUNCTION api.invitation_reason(p_sender members, p_to members)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_org	text;
	v_met	events;
BEGIN
	IF p_to.invitations = 'nobody' THEN
		RETURN NULL;
	END IF;
	IF p_to.invitations IN ('anyone', 'organizations') THEN
		SELECT o.name INTO v_org
		FROM memberships a JOIN memberships b
		    ON b.organization_id = a.organization_id
		    JOIN organizations o ON o.id = a.organization_id
		WHERE a.member_id = p_sender.id AND a.status = 'active'
		  AND b.member_id = p_to.id AND b.status = 'active'
		  AND NOT o.archived
		ORDER BY lower(o.name), o.id LIMIT 1;
		IF v_org IS NOT NULL THEN
			IF api.can_see(p_sender.visibility_affiliations, p_to,
			    p_sender.id) THEN
				RETURN 'you both belong to ' || v_org;
			END IF;
			RETURN 'you both belong to one of your organizations';
		END IF;
	END IF;
	IF p_to.invitations IN ('anyone', 'met') THEN
		v_met := api.met_event(p_sender.id, p_to.id);
		IF v_met.id IS NOT NULL THEN
			RETURN 'you both went to ' || v_met.title || ' on ' ||
			    to_char(v_met.starts_at AT TIME ZONE v_met.timezone,
			    CASE WHEN extract(year FROM v_met.starts_at) =
			        extract(year FROM now()) THEN 'FMDD Mon'
			    ELSE 'FMDD Mon YYYY' END);
		END IF;
	END IF;
	IF p_to.invitations = 'anyone' THEN
		RETURN 'open to invitations from anyone';
	END IF;
	RETURN NULL;
END;
$$;

CREATE FUNCTION api.invitation_json(i invitations)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', i.id,
	    'event', jsonb_build_object('id', e.id, 'title', e.title,
	        'starts_at', api.ts(e.starts_at), 'ends_at', api.ts(e.ends_at),
	        'timezone', e.timezone, 'city', e.city, 'status', e.status),
	    'sender', api.member_ref(i.sender_id),
	    'reason', i.reason, 'status', i.status,
	    'created_at', api.ts(i.created_at),
	    'responded_at', api.ts(i.responded_at))
	FROM events e WHERE e.id = i.event_id;
$$;

-- Invite up to 50 members.  All or nothing against the cap of 200
-- "invited" results per sender per rolling 24 hours: the request runs
-- whole, then fails with 429 (rolling everything back) when it passed
-- the cap.  Requests of one sender are serialized by an advisory lock.
CREATE FUNCTION api.event_invite(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me		members := api.auth(p_token, true);
	e		events := api.event_find((p_args->>'id')::bigint);
	v_cap		integer := 200;
	v_to		members;
	v_id		bigint;
	v_reason	text;
	v_inv		invitations;
	v_result	text;
	v_results	jsonb := '[]';
	v_sent		integer := 0;
	v_used		integer;
	v_free_at	timestamptz;
BEGIN
	PERFORM api.event_require_open(e);
	PERFORM pg_advisory_xact_lock(hashtext('invite:' || v_me.id));
	IF (SELECT count(DISTINCT recipient_id) FROM invitations
	    WHERE sender_id = v_me.id AND status = 'reported_spam'
	      AND spam_resolved_at IS NULL) >= 3 THEN
		PERFORM api.fail(403, 'invitations_suspended', 'your invitations '
		    'were reported as spam and are suspended until a site '
		    'admin has reviewed the reports');
	END IF;

	FOR v_id IN SELECT x::bigint
	    FROM jsonb_array_elements_text(p_body->'member_ids') t(x) LOOP
		v_result := NULL;
		SELECT * INTO v_to FROM members WHERE id = v_id;
		IF NOT FOUND THEN
			v_result := 'not_found';
		ELSIF v_to.id = v_me.id OR v_to.suspended_at IS NOT NULL THEN
			v_result := 'not_accepting';
		ELSIF EXISTS (SELECT 1 FROM invitations
		    WHERE event_id = e.id AND recipient_id = v_id) THEN
			v_result := 'already_invited';
		ELSE
			v_reason := api.invitation_reason(v_me, v_to);
			IF v_reason IS NULL THEN
				v_result := 'not_accepting';
			END IF;
		END IF;
		IF v_result IS NULL THEN
			v_inv := NULL;
			INSERT INTO invitations (event_id, sender_id, recipient_id,
			    reason)
			VALUES (e.id, v_me.id, v_id, v_reason)
			ON CONFLICT (event_id, recipient_id) DO NOTHING
			RETURNING * INTO v_inv;
			IF v_inv.id IS NULL THEN
				v_result := 'already_invited';
			ELSE
				v_result := 'invited';
				v_sent := v_sent + 1;
				PERFORM api.notify(v_id, 'invitation_received',
				    'invitation', v_inv.id, v_me.display_name ||
				    ' invited you to ' || e.title || ' (' ||
				    v_reason || ').');
			END IF;
		END IF;
		v_results := v_results || jsonb_build_array(jsonb_build_object(
		    'member_id', v_id, 'result', v_result));
	END LOOP;

	SELECT count(*) INTO v_used FROM invitations
	WHERE sender_id = v_me.id AND created_at > now() - interval '24 hours';
	IF v_used > v_cap THEN
		-- The invitation whose expiry brings the count back to the cap.
		SELECT created_at INTO v_free_at FROM invitations
		WHERE sender_id = v_me.id
		  AND created_at > now() - interval '24 hours'
		ORDER BY created_at, id
		OFFSET v_used - v_cap - 1 LIMIT 1;
		PERFORM api.fail(429, 'rate_limited', 'this would send ' ||
		    v_sent || ' invitations but only ' ||
		    greatest(v_cap - (v_used - v_sent), 0) || ' of your ' ||
		    v_cap || ' per 24 hours are left: nothing was sent', NULL,
		    greatest(1, ceil(extract(epoch FROM v_free_at +
		        interval '24 hours' - now())))::integer);
	END IF;
	RETURN api.ok(200, jsonb_build_object('results', v_results,
	    'remaining', v_cap - v_used));
END;
$$;

CREATE FUNCTION api.invitations_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 1);
	v_rows	jsonb;
	v_n	integer;
	v_next	text;
BEGIN
	WITH page AS (
		SELECT i.* FROM invitations i
		WHERE i.recipient_id = v_me.id
		  AND (NOT p_query ? 'status' OR i.status = p_query->>'status')
		  AND (v_cur IS NULL OR i.id < (v_cur->>0)::bigint)
		ORDER BY i.id DESC
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(api.invitation_json(page) ORDER BY page.id DESC),
	    count(*)
	INTO v_rows, v_n FROM page;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_next := api.cursor_encode(jsonb_build_array(
		    (v_rows->(v_limit - 1)->>'id')::bigint));
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', v_next), NULL, v_next);
END;
$$;

-- accepted: an RSVP "going" through the same place and waitlist logic
-- (kept as it is when already going or waitlisted); declined; or
-- reported_spam, which is final.
CREATE FUNCTION api.invitation_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_inv	invitations;
	v_r	rsvps;
BEGIN
	SELECT * INTO v_inv FROM invitations
	WHERE id = (p_args->>'id')::bigint AND recipient_id = v_me.id
	FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such invitation');
	END IF;
	IF NOT p_body ? 'status' THEN
		SELECT * INTO v_r FROM rsvps
		WHERE event_id = v_inv.event_id AND member_id = v_me.id;
		RETURN api.ok(200, api.invitation_json(v_inv) ||
		    jsonb_build_object('rsvp', api.rsvp_json(v_r)));
	END IF;
	IF v_inv.status = 'reported_spam'
	    AND p_body->>'status' <> 'reported_spam' THEN
		PERFORM api.fail(409, 'conflict', 'an invitation reported as '
		    'spam cannot be answered', 'status');
	END IF;
	SELECT * INTO v_r FROM rsvps
	WHERE event_id = v_inv.event_id AND member_id = v_me.id;
	IF p_body->>'status' = 'accepted' THEN
		IF v_r.status IS DISTINCT FROM 'going'
		    AND v_r.status IS DISTINCT FROM 'waitlisted' THEN
			v_r := api.rsvp_apply(v_inv.event_id, v_me.id, 'going', 0);
		END IF;
	END IF;
	UPDATE invitations SET status = p_body->>'status',
	    responded_at = CASE WHEN status = p_body->>'status'
	        THEN responded_at ELSE now() END
	WHERE id = v_inv.id
	RETURNING * INTO v_inv;
	RETURN api.ok(200, api.invitation_json(v_inv) ||
	    jsonb_build_object('rsvp', api.rsvp_json(v_r)));
END;
$$;

-- Hooks of earlier migrations -------------------------------------------------

-- Organizations with events cannot be deleted.  (A later migration that
-- replaces this again must keep the events check.)
CREATE OR REPLACE FUNCTION api.org_in_use(p_org bigint)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM events WHERE organization_id = p_org) THEN
		RETURN 'events';
	END IF;
	RETURN NULL;
END;
$$;

-- The account export gains the member's events data.  The 0002 function
-- is kept under another name and wrapped; api.export_extra is the hook
-- later migrations extend (keeping what is here).
ALTER FUNCTION api.me_export(bytea, jsonb, jsonb, jsonb, inet)
    RENAME TO me_export_base;

CREATE FUNCTION api.export_extra(p_member bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'events_organized', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'id', e.id, 'title', e.title, 'starts_at', api.ts(e.starts_at),
	        'status', e.status) ORDER BY e.id)
	        FROM event_organizers o JOIN events e ON e.id = o.event_id
	        WHERE o.member_id = p_member), '[]'),
	    'rsvps', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'event', jsonb_build_object('id', e.id, 'title', e.title,
	            'starts_at', api.ts(e.starts_at)),
	        'response', r.response, 'status', r.status, 'guests', r.guests,
	        'requested_at', api.ts(r.requested_at),
	        'updated_at', api.ts(r.updated_at)) ORDER BY r.id)
	        FROM rsvps r JOIN events e ON e.id = r.event_id
	        WHERE r.member_id = p_member), '[]'),
	    'attendance', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'event', jsonb_build_object('id', e.id, 'title', e.title),
	        'attended', a.attended, 'recorded_at', api.ts(a.recorded_at))
	        ORDER BY e.id)
	        FROM attendance a JOIN events e ON e.id = a.event_id
	        WHERE a.member_id = p_member), '[]'),
	    'invitations_received', coalesce((SELECT jsonb_agg(
	        api.invitation_json(i) ORDER BY i.id)
	        FROM invitations i WHERE i.recipient_id = p_member), '[]'),
	    'invitations_sent', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'id', i.id, 'event', jsonb_build_object('id', i.event_id),
	        'recipient', api.member_ref(i.recipient_id),
	        'status', CASE WHEN i.status = 'reported_spam' THEN 'pending'
	            ELSE i.status END,
	        'created_at', api.ts(i.created_at)) ORDER BY i.id)
	        FROM invitations i WHERE i.sender_id = p_member), '[]'));
$$;

CREATE FUNCTION api.me_export(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_r	api.reply := api.me_export_base(p_token, p_args, p_query, p_body,
	    p_client);
BEGIN
	v_r.body := v_r.body || api.export_extra((api.auth(p_token, false)).id);
	RETURN v_r;
END;
$$;
