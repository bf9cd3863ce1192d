-- Community activity: public facts (new events, recaps, collaborations
-- and their progress, completed mentorships and thank-you notes both
-- sides agreed to share)
-- as JSON and RSS 2.0.  api.activity_items() is a UNION ALL of the
-- kinds, each branch reading its own index on (at, id) from the cursor.

CREATE TYPE api.activity_item AS (
	at		timestamptz,
	kind		text,
	id		bigint,
	subject_type	text,
	subject_id	bigint,
	title		text,
	text		text,
	organization_id	bigint,
	member_ids	bigint[]
);

-- The p_n newest items older than (p_at, p_kind, p_id) in the feed's
-- order (at DESC, kind DESC, id DESC); p_at 'infinity' for the first
-- page.  Public facts only, one branch per kind: no participations, no
-- hidden events or collaborations (nor the updates of hidden ones), no
-- cancelled events, mentorships only when completed and both
-- sides agreed to share, thank-you notes only when both sides agreed to
-- make them public; member ids only, named by the reader's rules in
-- api.activity_json.
--
-- Index-friendly: each branch reads its own index on (at, id) under the
-- same predicate backwards from the cursor and stops after p_n rows
-- (kind is a constant per branch, so a branch's order is (at, id)); only
-- the at most 7 x p_n rows read are sorted.  A new kind is one more
-- branch.
CREATE FUNCTION api.activity_items(p_at timestamptz, p_kind text,
    p_id bigint, p_n integer)
RETURNS SETOF api.activity_item LANGUAGE sql STABLE AS $$
	SELECT * FROM (
	(SELECT e.created_at, 'event_created', e.id, 'event', e.id, e.title,
	    e.description, e.organization_id, ARRAY[e.created_by]
	 FROM events e
	 WHERE e.hidden_at IS NULL AND e.status = 'scheduled'
	   AND e.created_at <= p_at AND (e.created_at < p_at
	       OR ('event_created', e.id) < (p_kind, p_id))
	 ORDER BY e.created_at DESC, e.id DESC LIMIT p_n)
	UNION ALL
	(SELECT e.recap_at, 'event_recap', e.id, 'event', e.id, e.title,
	    e.recap, e.organization_id, ARRAY[e.created_by]
	 FROM events e
	 WHERE e.hidden_at IS NULL AND e.recap_at IS NOT NULL
	   AND e.recap_at <= p_at AND (e.recap_at < p_at
	       OR ('event_recap', e.id) < (p_kind, p_id))
	 ORDER BY e.recap_at DESC, e.id DESC LIMIT p_n)
	UNION ALL
	(SELECT c.created_at, 'collaboration_created', c.id, 'collaboration',
	    c.id, c.title, c.summary, c.organization_id, ARRAY[c.created_by]
	 FROM collaborations c
	 WHERE c.hidden_at IS NULL
	   AND c.created_at <= p_at AND (c.created_at < p_at
	       OR ('collaboration_created', c.id) < (p_kind, p_id))
	 ORDER BY c.created_at DESC, c.id DESC LIMIT p_n)
	UNION ALL
	(SELECT c.completed_at, 'collaboration_completed', c.id,
	    'collaboration', c.id, c.title, c.summary, c.organization_id,
	    ARRAY[c.created_by]
	 FROM collaborations c
	 WHERE c.hidden_at IS NULL AND c.completed_at IS NOT NULL
	   AND c.completed_at <= p_at AND (c.completed_at < p_at
	       OR ('collaboration_completed', c.id) < (p_kind, p_id))
	 ORDER BY c.completed_at DESC, c.id DESC LIMIT p_n)
	UNION ALL
	(SELECT u.created_at, 'collaboration_update', u.id, 'collaboration',
	    c.id, c.title, u.body, c.organization_id, ARRAY[u.author_id]
	 FROM collaboration_updates u
	 JOIN collaborations c ON c.id = u.collaboration_id
	 WHERE c.hidden_at IS NULL
	   AND u.created_at <= p_at AND (u.created_at < p_at
	       OR ('collaboration_update', u.id) < (p_kind, p_id))
	 ORDER BY u.created_at DESC, u.id DESC LIMIT p_n)
	UNION ALL
	(SELECT m.ended_at, 'mentorship_completed', m.id, 'mentorship', m.id,
	    m.topic, NULL, NULL, ARRAY[m.mentor_id, m.mentee_id]
	 FROM mentorships m
	 WHERE m.status = 'completed' AND m.mentor_shares AND m.mentee_shares
	   AND m.ended_at <= p_at AND (m.ended_at < p_at
	       OR ('mentorship_completed', m.id) < (p_kind, p_id))
	 ORDER BY m.ended_at DESC, m.id DESC LIMIT p_n)
	UNION ALL
	-- Thank-you notes both sides chose to make public (sql/api/thanks.sql),
	-- about the recipient; titled by what they name, when it is public.
	(SELECT t.shared_at, 'thanks', t.id, 'member', t.to_id,
	    'Thanks' || coalesce(' for ' || coalesce(
	        (SELECT e.title FROM events e
	         WHERE e.id = t.event_id AND e.hidden_at IS NULL),
	        (SELECT 'mentoring in ' || x.topic FROM mentorships x
	         WHERE x.id = t.mentorship_id),
	        (SELECT c.title FROM collaborations c
	         WHERE c.id = t.collaboration_id AND c.hidden_at IS NULL)), ''),
	    t.text, NULL, ARRAY[t.from_id, t.to_id]
	 FROM thanks t
	 WHERE t.shared_at IS NOT NULL
	   AND t.shared_at <= p_at AND (t.shared_at < p_at
	       OR ('thanks', t.id) < (p_kind, p_id))
	 ORDER BY t.shared_at DESC, t.id DESC LIMIT p_n)
	) a
	ORDER BY 1 DESC, 2 DESC, 3 DESC
	LIMIT p_n;
$$;

-- One item; p_members: its members as the viewer may see them (computed
-- by the list).  No subquery here: a SQL function with one is not inlined,
-- and ran as a query of its own for every item (45 us each).
CREATE FUNCTION api.activity_json(a api.activity_item, p_members jsonb)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'id', a.kind || ':' || a.id, 'kind', a.kind, 'at', api.ts(a.at),
	    'subject', jsonb_build_object('type', a.subject_type,
	        'id', a.subject_id),
	    'title', a.title, 'text', a.text,
	    'organization', api.org_ref(a.organization_id),
	    'members', p_members);
$$;

-- One page, newest first.  The cursor is (at to the microsecond, kind,
-- id) of the last item.  No WITH ORDINALITY on api.activity_items: with
-- it the function is not inlined, and planned alone, with the page size
-- unknown, it joined the updates to a scan of all collaborations.
--
-- Planned once: every branch of api.activity_items is a LIMIT over its
-- own index read backwards from the cursor, whatever the cursor and page
-- size, so the cached plan is the one each call would get.  Left to
-- choose, PL/pgSQL planned the statement again on every call (its
-- estimate of the generic plan is higher): planning the seven branches
-- took about 1 ms at 1,000,000 events, twice what running them takes.
CREATE FUNCTION api.activity_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_cur	jsonb := api.cursor_decode('activity', p_query,
	    '{timestamptz,text,bigint}');
BEGIN
	RETURN (SELECT api.page('activity',
	    array_agg(api.activity_json(a, m.refs)
	        ORDER BY a.at DESC, a.kind DESC, a.id DESC),
	    array_agg(jsonb_build_array(to_char(a.at AT TIME ZONE 'UTC',
	            'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.kind, a.id)
	        ORDER BY a.at DESC, a.kind DESC, a.id DESC), p_query)
	FROM api.activity_items(coalesce((v_cur->>0)::timestamptz, 'infinity'),
	    coalesce(v_cur->>1, ''), coalesce((v_cur->>2)::bigint, 0),
	    api.page_size(p_query)) a,
	    LATERAL (SELECT coalesce(to_jsonb(array_remove(array_agg(
	            api.co_member_ref(x.mid, v_me) ORDER BY x.o), NULL)), '[]')
	            AS refs
	        FROM unnest(a.member_ids) WITH ORDINALITY AS x(mid, o)) m);
END;
$$;

-- RSS --------------------------------------------------------------------

-- GET /v1/activity.rss: the latest 50 items as an anonymous reader sees
-- them, as a JSON document that the API renders with its RSS renderer
-- (api/src/resources/activity.c, which adds the title prefixes and the
-- links):
--   {"title": text, "description": text, "updated": RFC 3339 or null,
--    "items": [{"kind", "id", "subject_type", "subject_id", "title",
--               "text" (at most 2000 characters, or null), "at"}, ...]}
-- newest first, in the order of api.activity_items.
CREATE FUNCTION api.activity_rss(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE sql STABLE AS $$
	SELECT api.ok(200, jsonb_build_object(
	    'title', 'Interlibrary: community activity',
	    'description', 'New events, event recaps, collaborations and their '
	        'progress, completed mentorships and thank-you notes in the '
	        'Interlibrary community.',
	    'updated', api.ts(max(a.at)),
	    'items', coalesce(jsonb_agg(jsonb_build_object(
	        'kind', a.kind, 'id', a.id, 'subject_type', a.subject_type,
	        'subject_id', a.subject_id, 'title', a.title,
	        'text', left(a.text, 2000), 'at', api.ts(a.at))
	        ORDER BY a.o), '[]')))
	FROM api.activity_items('infinity', '', 0, 50)
	    WITH ORDINALITY AS a(at, kind, id, subject_type, subject_id, title,
	        text, organization_id, member_ids, o);
$$;
