-- "My events": the events the caller is going to, is waitlisted for,
-- organizes or is invited to (GET /v1/me/events), upcoming or past.  The
-- events themselves, and the caller's RSVP on each (my_rsvp: status and
-- waitlist position), are sql/api/events.sql's; this file only picks
-- them.

-- The relations of member p_me to events, in the order the list shows
-- them: organizing (a listed organizer, the creator included), going,
-- waitlisted (an RSVP with that status), invited (a pending invitation).
CREATE FUNCTION api.my_event_relations(p_me bigint,
    OUT event_id bigint, OUT relations text[])
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT m.event_id, array_agg(m.rel ORDER BY array_position(
	    ARRAY['organizing', 'going', 'waitlisted', 'invited'], m.rel))
	FROM (SELECT eo.event_id, 'organizing' AS rel FROM event_organizers eo
	      WHERE eo.member_id = p_me
	      UNION ALL
	      SELECT r.event_id, r.status FROM rsvps r
	      WHERE r.member_id = p_me AND r.status IN ('going', 'waitlisted')
	      UNION ALL
	      SELECT i.event_id, 'invited' FROM invitations i
	      WHERE i.recipient_id = p_me AND i.status = 'pending') m
	GROUP BY m.event_id;
$$;

-- One page of member p_me's events: upcoming (not ended yet) in
-- (starts_at, id) order, or past (ended) in the reverse order, after the
-- keyset position (p_after_ts, p_after_id) when given; only those with
-- relation p_rel when given.  Hidden events only for those who manage
-- them, as everywhere.
CREATE FUNCTION api.my_event_rows(p_me members, p_rel text, p_past boolean,
    p_after_ts timestamptz, p_after_id bigint, p_limit integer,
    OUT event_id bigint, OUT relations text[])
RETURNS SETOF record LANGUAGE sql STABLE AS $$
	SELECT e.id, x.relations
	FROM api.my_event_relations(p_me.id) x
	JOIN events e ON e.id = x.event_id
	WHERE (p_rel IS NULL OR p_rel = ANY (x.relations))
	  AND (e.hidden_at IS NULL OR api.event_can_manage(e, p_me))
	  AND CASE WHEN p_past THEN e.ends_at <= now()
	      AND (p_after_ts IS NULL OR (e.starts_at, e.id) < (p_after_ts, p_after_id))
	    ELSE e.ends_at > now()
	      AND (p_after_ts IS NULL OR (e.starts_at, e.id) > (p_after_ts, p_after_id))
	    END
	-- Upcoming: the first two keys order; past: they are NULL, the
	-- last two do.
	ORDER BY CASE WHEN NOT p_past THEN e.starts_at END,
	    CASE WHEN NOT p_past THEN e.id END,
	    e.starts_at DESC, e.id DESC
	LIMIT p_limit;
$$;

-- GET /v1/me/events?when=upcoming|past&relation=...: items
-- {relations, event}.  The cursor is bound to the caller, the list and
-- its filters; it keeps starts_at to the microsecond, as UTC text.
CREATE FUNCTION api.my_events(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_list	text := 'my_events:' || v_me.id;
	v_cur	jsonb := api.cursor_decode(v_list, p_query, '{timestamptz,bigint}');
BEGIN
	RETURN (SELECT api.page(v_list,
	    array_agg(jsonb_build_object('relations', to_jsonb(x.relations),
	        'event', v.doc) ORDER BY x.o),
	    array_agg(v.key ORDER BY x.o), p_query)
	FROM api.my_event_rows(v_me, p_query->>'relation',
	    coalesce(p_query->>'when', 'upcoming') = 'past', (v_cur->>0)::timestamptz,
	    (v_cur->>1)::bigint, api.page_size(p_query))
	    WITH ORDINALITY AS x(event_id, relations, o),
	    LATERAL api.event_view(x.event_id, v_me) v);
END;
$$;
