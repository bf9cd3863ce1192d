-- Thanks and celebration, never a leaderboard: thank-you notes between
-- members and milestones computed from what a member did.  No points, no
-- ranks, no counts of others: a profile shows the thank-you notes its
-- member chose to show and, only if they opted in, their own milestones.
-- Tables: sql/migrations/0021_thanks.sql.
--
-- A thank-you may name one thing the two share, and the thanker must
-- have a real link to it: an event both took part in (or organized)
-- that has started, a mentorship of which they are the two parties
-- (accepted or completed), a collaboration where both are approved
-- participants (403 not_linked, naming the field, otherwise).  One that
-- names nothing follows the recipient's consent to messages
-- (api.message_reason, sql/api/conversations.sql); a block either way
-- refuses every thank-you (403 not_accepting).
--
-- Consent is each party's own ("share_publicly", like a completed
-- mentorship's): the recipient's shows the note on their profile (it is
-- private by default); with the thanker's too it appears in the
-- community activity (sql/api/activity.sql).
--
-- Celebrations (public thank-you notes, milestones) are shown to whoever
-- may see the member's "about" group.

-- Views ------------------------------------------------------------------

-- What a thank-you names, {type, id, title}, as p_viewer may see it (a
-- hidden event or collaboration only to those who still see it); NULL
-- when nothing.
CREATE FUNCTION api.thanks_about(t thanks, p_viewer members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT CASE
	    WHEN t.event_id IS NOT NULL THEN (SELECT jsonb_build_object(
	        'type', 'event', 'id', e.id, 'title', e.title)
	        FROM events e WHERE e.id = t.event_id
	          AND (e.hidden_at IS NULL OR api.event_can_manage(e, p_viewer)))
	    WHEN t.mentorship_id IS NOT NULL THEN (SELECT jsonb_build_object(
	        'type', 'mentorship', 'id', x.id, 'title', x.topic)
	        FROM mentorships x WHERE x.id = t.mentorship_id)
	    WHEN t.collaboration_id IS NOT NULL THEN (SELECT jsonb_build_object(
	        'type', 'collaboration', 'id', c.id, 'title', c.title)
	        FROM collaborations c WHERE c.id = t.collaboration_id
	          AND (c.hidden_at IS NULL OR api.co_is_insider(c, p_viewer)))
	    END;
$$;

CREATE FUNCTION api.thanks_json(t thanks, p_viewer members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', t.id,
	    'from', api.co_member_ref(t.from_id, p_viewer),
	    'to', api.co_member_ref(t.to_id, p_viewer),
	    'text', t.text, 'about', api.thanks_about(t, p_viewer),
	    'sharing', jsonb_build_object('from', t.from_shares,
	        'to', t.to_shares, 'public', t.shared_at IS NOT NULL),
	    'created_at', api.ts(t.created_at));
$$;

-- Whether p_viewer may see member m's celebrations (their "about" group).
CREATE FUNCTION api.celebrations_visible(m members, p_viewer members)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT m.id IS NOT NULL
	    AND (m.suspended_at IS NULL OR p_viewer.role = 'admin')
	    AND api.can_see(m.visibility_about, p_viewer, m.id);
$$;

-- The thank-you p_id if p_viewer may see it (its two parties, site
-- admins, or anyone when its recipient shows it on a profile they may
-- see); 404 otherwise.
CREATE FUNCTION api.thanks_find(p_id bigint, p_viewer members,
    p_lock boolean DEFAULT false)
RETURNS thanks LANGUAGE plpgsql AS $$
DECLARE
	t	thanks;
BEGIN
	IF p_lock THEN
		SELECT * INTO t FROM thanks WHERE id = p_id FOR UPDATE;
	ELSE
		SELECT * INTO t FROM thanks WHERE id = p_id;
	END IF;
	IF NOT FOUND OR NOT coalesce(p_viewer.id IN (t.from_id, t.to_id)
	    OR p_viewer.role = 'admin'
	    OR (t.to_shares AND api.celebrations_visible(
	        (SELECT m FROM members m WHERE m.id = t.to_id), p_viewer)),
	    false) THEN
		PERFORM api.fail(404, 'not_found', 'no such thank-you');
	END IF;
	RETURN t;
END;
$$;

-- Writing ----------------------------------------------------------------

-- 403 not_linked naming p_field unless p_ok.
CREATE FUNCTION api.thanks_require_link(p_ok boolean, p_field text,
    p_detail text)
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF NOT coalesce(p_ok, false) THEN
		PERFORM api.fail(403, 'not_linked', p_detail, p_field);
	END IF;
END;
$$;

-- POST /v1/members/{id}/thanks {text, event_id?, mentorship_id?,
-- collaboration_id?, share_publicly?}
CREATE FUNCTION api.thanks_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_to	members;
	v_text	text := api.clean(p_body->>'text');
	v_event	bigint := (p_body->>'event_id')::bigint;
	v_ment	bigint := (p_body->>'mentorship_id')::bigint;
	v_collab bigint := (p_body->>'collaboration_id')::bigint;
	e	events;
	t	thanks;
	v_about	jsonb;
BEGIN
	SELECT * INTO v_to FROM members
	WHERE id = (p_args->>'id')::bigint AND suspended_at IS NULL;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such member');
	END IF;
	IF v_to.id = v_me.id THEN
		PERFORM api.fail(400, 'validation_failed',
		    'you cannot thank yourself', 'id');
	END IF;
	IF v_text IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'text');
	END IF;
	IF num_nonnulls(v_event, v_ment, v_collab) > 1 THEN
		PERFORM api.fail(400, 'validation_failed', 'name at most one of '
		    'event_id, mentorship_id and collaboration_id',
		    CASE WHEN v_collab IS NOT NULL THEN 'collaboration_id'
		    ELSE 'mentorship_id' END);
	END IF;
	IF api.blocked_between(v_me.id, v_to.id) THEN
		PERFORM api.fail(403, 'not_accepting',
		    'this member is not accepting thanks from you');
	END IF;
	IF v_event IS NOT NULL THEN
		SELECT * INTO e FROM events WHERE id = v_event;
		PERFORM api.thanks_require_link(e.id IS NOT NULL
		    AND e.status = 'scheduled' AND e.starts_at <= now()
		    AND (e.hidden_at IS NULL OR api.event_can_manage(e, v_me))
		    AND (v_event IN (SELECT api.took_part(v_me.id)) OR EXISTS (
		        SELECT 1 FROM event_organizers
		        WHERE event_id = v_event AND member_id = v_me.id))
		    AND (v_event IN (SELECT api.took_part(v_to.id)) OR EXISTS (
		        SELECT 1 FROM event_organizers
		        WHERE event_id = v_event AND member_id = v_to.id)),
		    'event_id', 'you can thank someone for an event that has '
		    'started and that you both took part in or organized');
	ELSIF v_ment IS NOT NULL THEN
		PERFORM api.thanks_require_link(EXISTS (SELECT 1 FROM mentorships
		    WHERE id = v_ment AND status IN ('accepted', 'completed')
		      AND ((mentor_id = v_me.id AND mentee_id = v_to.id)
		        OR (mentor_id = v_to.id AND mentee_id = v_me.id))),
		    'mentorship_id', 'you can thank someone for a mentorship '
		    'between the two of you (accepted or completed)');
	ELSIF v_collab IS NOT NULL THEN
		PERFORM api.thanks_require_link((SELECT count(DISTINCT member_id)
		    FROM collaboration_participants
		    WHERE collaboration_id = v_collab AND status = 'approved'
		      AND member_id IN (v_me.id, v_to.id)) = 2,
		    'collaboration_id', 'you can thank someone for a '
		    'collaboration you both take part in');
	ELSIF api.message_reason(v_me, v_to) IS NULL THEN
		PERFORM api.fail(403, 'not_accepting', 'this member is not '
		    'accepting thanks from you: name an event, mentorship or '
		    'collaboration you share');
	END IF;
	INSERT INTO thanks (from_id, to_id, text, event_id, mentorship_id,
	    collaboration_id, from_shares)
	VALUES (v_me.id, v_to.id, v_text, v_event, v_ment, v_collab,
	    coalesce((p_body->>'share_publicly')::boolean, false))
	RETURNING * INTO t;
	v_about := api.thanks_about(t, v_to);
	PERFORM api.notify(v_to.id, 'thanks_received', 'thanks', t.id,
	    v_me.display_name || ' thanked you' ||
	    coalesce(' for ' || (v_about->>'title'), '') || '.');
	RETURN api.ok(201, api.thanks_json(t, v_me), '/v1/thanks/' || t.id);
END;
$$;

-- GET /v1/thanks/{id}
CREATE FUNCTION api.thanks_get(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
BEGIN
	RETURN api.ok(200, api.thanks_json(
	    api.thanks_find((p_args->>'id')::bigint, v_me), v_me));
END;
$$;

-- PATCH /v1/thanks/{id} {share_publicly}: the caller's own consent (the
-- recipient's shows it on their profile).  Others who may see it: 403.
CREATE FUNCTION api.thanks_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	t	thanks := api.thanks_find((p_args->>'id')::bigint, v_me, true);
	v_share	boolean := (p_body->>'share_publicly')::boolean;
BEGIN
	IF v_me.id NOT IN (t.from_id, t.to_id) THEN
		PERFORM api.fail(403, 'forbidden', 'only the thanker and the '
		    'thanked member can change how a thank-you is shared');
	END IF;
	IF v_share IS NOT NULL THEN
		UPDATE thanks SET
		    from_shares = CASE WHEN v_me.id = from_id THEN v_share
		        ELSE from_shares END,
		    to_shares = CASE WHEN v_me.id = to_id THEN v_share
		        ELSE to_shares END
		WHERE id = t.id
		RETURNING * INTO t;
	END IF;
	RETURN api.ok(200, api.thanks_json(t, v_me));
END;
$$;

-- Reading ----------------------------------------------------------------

-- GET /v1/me/thanks?role=received|given (default received), newest
-- first.
CREATE FUNCTION api.my_thanks_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_cur	jsonb := api.cursor_decode('my_thanks:' || v_me.id, p_query,
	    '{bigint}');
	v_given	boolean := coalesce(p_query->>'role' = 'given', false);
BEGIN
	RETURN (WITH page AS (
		SELECT t.* FROM thanks t
		WHERE ((v_given AND t.from_id = v_me.id)
		    OR (NOT v_given AND t.to_id = v_me.id))
		  AND (v_cur IS NULL OR t.id < (v_cur->>0)::bigint)
		ORDER BY t.id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('my_thanks:' || v_me.id,
	    array_agg(api.thanks_json(page, v_me)
	        ORDER BY page.id DESC),
	    array_agg(jsonb_build_array(page.id) ORDER BY page.id DESC), p_query)
	FROM page);
END;
$$;

-- GET /v1/members/{id}/thanks: the thank-you notes the member shows on
-- their profile, newest first; 404 when the viewer may not see the
-- member's celebrations.
CREATE FUNCTION api.member_thanks_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_cur	jsonb := api.cursor_decode('member_thanks:' || (p_args->>'id'), p_query,
	    '{bigint}');
	m	members;
BEGIN
	SELECT * INTO m FROM members WHERE id = (p_args->>'id')::bigint;
	IF NOT coalesce(api.celebrations_visible(m, v_me), false) THEN
		PERFORM api.fail(404, 'not_found', 'no such member');
	END IF;
	RETURN (WITH page AS (
		SELECT t.* FROM thanks t
		WHERE t.to_id = m.id AND t.to_shares
		  AND (v_cur IS NULL OR t.id < (v_cur->>0)::bigint)
		ORDER BY t.id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('member_thanks:' || (p_args->>'id'),
	    array_agg(api.thanks_json(page, v_me)
	        ORDER BY page.id DESC),
	    array_agg(jsonb_build_array(page.id) ORDER BY page.id DESC), p_query)
	FROM page);
END;
$$;

-- Milestones -------------------------------------------------------------

-- Member m's milestones, oldest first, each {kind, at, text} (and years
-- for years_in_community): computed from what they did, never from
-- comparing them with anyone.
--   first_event_hosted       the first event they organized that has
--                            ended (not cancelled nor hidden);
--   events_attended          the tenth event they took part in, ended;
--   mentorship_completed     their first completed mentorship (either
--                            side);
--   collaboration_completed  the first completed collaboration they are
--                            an approved participant of (not hidden);
--   years_in_community       whole years since they joined, from one.
CREATE FUNCTION api.milestones(m members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(x.doc ORDER BY x.at, x.n), '[]')
	FROM (
		SELECT 1 AS n, at, jsonb_build_object('kind', 'first_event_hosted',
		    'at', api.ts(at), 'text', 'Hosted a first event') AS doc
		FROM (SELECT min(e.ends_at) AS at FROM event_organizers o
		      JOIN events e ON e.id = o.event_id
		      WHERE o.member_id = m.id AND e.status = 'scheduled'
		        AND e.hidden_at IS NULL AND e.ends_at < now()) s
		WHERE at IS NOT NULL
		UNION ALL
		SELECT 2, at, jsonb_build_object('kind', 'events_attended',
		    'at', api.ts(at), 'text', 'Went to 10 events')
		FROM (SELECT e.ends_at AS at FROM events e
		      WHERE e.id IN (SELECT api.took_part(m.id))
		        AND e.status = 'scheduled' AND e.ends_at < now()
		      ORDER BY e.ends_at, e.id OFFSET 9 LIMIT 1) s
		UNION ALL
		SELECT 3, at, jsonb_build_object('kind', 'mentorship_completed',
		    'at', api.ts(at), 'text', 'Completed a mentorship')
		FROM (SELECT min(x.ended_at) AS at FROM mentorships x
		      WHERE (x.mentor_id = m.id OR x.mentee_id = m.id)
		        AND x.status = 'completed') s
		WHERE at IS NOT NULL
		UNION ALL
		SELECT 4, at, jsonb_build_object('kind', 'collaboration_completed',
		    'at', api.ts(at), 'text', 'Completed a collaboration')
		FROM (SELECT min(c.completed_at) AS at
		      FROM collaboration_participants p
		      JOIN collaborations c ON c.id = p.collaboration_id
		      WHERE p.member_id = m.id AND p.status = 'approved'
		        AND c.completed_at IS NOT NULL AND c.hidden_at IS NULL) s
		WHERE at IS NOT NULL
		UNION ALL
		SELECT 5, at, jsonb_build_object('kind', 'years_in_community',
		    'at', api.ts(at), 'years', years, 'text', years ||
		    CASE WHEN years = 1 THEN ' year' ELSE ' years' END ||
		    ' in the community')
		FROM (SELECT y AS years, m.created_at + make_interval(years => y) AS at
		      FROM (SELECT extract(year FROM age(now(), m.created_at))::integer
		          AS y) a) s
		WHERE years >= 1
	) x;
$$;

CREATE FUNCTION api.milestones_json(m members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('show_on_profile', m.show_milestones,
	    'milestones', api.milestones(m));
$$;

-- GET /v1/me/milestones: the caller's milestones and whether their
-- profile shows them.
CREATE FUNCTION api.my_milestones(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
BEGIN
	RETURN api.ok(200, api.milestones_json(api.auth(p_token, false)));
END;
$$;

-- PATCH /v1/me/milestones {show_on_profile}: opt in or out.
CREATE FUNCTION api.my_milestones_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
BEGIN
	IF p_body ? 'show_on_profile' THEN
		UPDATE members SET show_milestones = coalesce(
		    (p_body->>'show_on_profile')::boolean, false)
		WHERE id = v_me.id
		RETURNING * INTO v_me;
	END IF;
	RETURN api.ok(200, api.milestones_json(v_me));
END;
$$;

-- The profile --------------------------------------------------------------

-- What member m's profile (GET /v1/members/{id}) adds for p_viewer: the
-- latest 10 thank-you notes m shows ("thanks", absent when none) and,
-- when m opted in, m's milestones; nothing when p_viewer may not see m's
-- celebrations.
CREATE FUNCTION api.member_celebrations(m members, p_viewer members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN NOT coalesce(api.celebrations_visible(m, p_viewer),
	        false) THEN '{}'::jsonb
	    ELSE coalesce((SELECT jsonb_build_object('thanks', jsonb_agg(
	        api.thanks_json(t, p_viewer) ORDER BY t.id DESC))
	        FROM (SELECT * FROM thanks WHERE to_id = m.id AND to_shares
	              ORDER BY id DESC LIMIT 10) t
	        HAVING count(*) > 0), '{}'::jsonb)
	        || CASE WHEN m.show_milestones THEN jsonb_build_object(
	            'milestones', api.milestones(m)) ELSE '{}'::jsonb END
	    END;
$$;

-- Export -----------------------------------------------------------------

CREATE FUNCTION api.export_thanks(p_member members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'thanks_received', coalesce((SELECT jsonb_agg(
	        api.thanks_json(t, p_member) ORDER BY t.id)
	        FROM thanks t WHERE t.to_id = p_member.id), '[]'),
	    'thanks_given', coalesce((SELECT jsonb_agg(
	        api.thanks_json(t, p_member) ORDER BY t.id)
	        FROM thanks t WHERE t.from_id = p_member.id), '[]'),
	    'milestones', api.milestones_json(p_member));
$$;
