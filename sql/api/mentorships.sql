-- Mentorships: mentors, requests, the status machine's API side, and
-- check-ins.  The machine itself (who may move a mentorship from which
-- status to which) is the table mentorship_transitions and the triggers
-- of sql/migrations/0006_mentorships.sql; mentor suggestions are
-- sql/api/mentor_suggestions.sql.

-- Views ------------------------------------------------------------------

-- Who may move a mentorship in status p_from, in words:
-- "accepted or declined (by the mentor), withdrawn (by the mentee)".
-- NULL for a final status.
CREATE FUNCTION api.mentorship_allowed_text(p_from text)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT string_agg(s, ', ' ORDER BY a)
	FROM (SELECT array_position(ARRAY['mentor', 'mentee', 'either'], actor)
	          AS a, string_agg(to_status, ' or '
	          ORDER BY to_status) || CASE actor
	          WHEN 'either' THEN ' (by either party)'
	          ELSE ' (by the ' || actor || ')' END AS s
	      FROM mentorship_transitions WHERE from_status = p_from
	      GROUP BY actor) t;
$$;

CREATE FUNCTION api.mentor_open_slots(m members)
RETURNS integer LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN greatest(m.mentoring_capacity - (SELECT count(*)::integer
	    FROM mentorships WHERE mentor_id = m.id AND status = 'accepted'), 0);
END;
$$;

CREATE FUNCTION api.mentorship_json(x mentorships, p_viewer members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', x.id,
	    'mentor', api.member_ref(x.mentor_id),
	    'mentee', api.member_ref(x.mentee_id),
	    'role', CASE p_viewer.id WHEN x.mentor_id THEN 'mentor'
	        WHEN x.mentee_id THEN 'mentee' END,
	    'topic', x.topic, 'message', x.message, 'goals', to_jsonb(x.goals),
	    'status', x.status, 'status_reason', x.status_reason,
	    'allowed_statuses', (SELECT coalesce(jsonb_agg(t.to_status
	        ORDER BY t.to_status), '[]') FROM mentorship_transitions t
	        WHERE t.from_status = x.status
	          AND (t.actor = 'either' AND p_viewer.id IN (x.mentor_id,
	              x.mentee_id)
	            OR t.actor = 'mentor' AND p_viewer.id = x.mentor_id
	            OR t.actor = 'mentee' AND p_viewer.id = x.mentee_id)),
	    'sharing', jsonb_build_object('mentor', x.mentor_shares,
	        'mentee', x.mentee_shares,
	        'public', x.status = 'completed' AND x.mentor_shares
	            AND x.mentee_shares),
	    'check_in_count', (SELECT count(*) FROM mentorship_check_ins
	        WHERE mentorship_id = x.id),
	    'version', x.version,
	    'created_at', api.ts(x.created_at),
	    'updated_at', api.ts(x.updated_at),
	    'accepted_at', api.ts(x.accepted_at),
	    'ended_at', api.ts(x.ended_at));
$$;

CREATE FUNCTION api.check_in_json(c mentorship_check_ins)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', c.id,
	    'author', api.member_ref(c.author_id),
	    'date', to_char(c.on_date, 'YYYY-MM-DD'), 'note', c.note,
	    'goals', to_jsonb(c.goals), 'created_at', api.ts(c.created_at));
$$;

-- The mentorship if p_viewer is one of its parties or a site admin;
-- 404 otherwise (nobody else learns that it exists).
CREATE FUNCTION api.mentorship_find(p_id bigint, p_viewer members)
RETURNS mentorships LANGUAGE plpgsql STABLE AS $$
DECLARE
	x	mentorships;
BEGIN
	SELECT * INTO x FROM mentorships WHERE id = p_id;
	IF NOT FOUND OR (p_viewer.id NOT IN (x.mentor_id, x.mentee_id)
	    AND p_viewer.role <> 'admin') THEN
		PERFORM api.fail(404, 'not_found', 'no such mentorship');
	END IF;
	RETURN x;
END;
$$;

-- Mentors ----------------------------------------------------------------

-- Available mentors whose mentoring group the caller may see, by name
-- (signed-in callers only, like the directory: every name is visible to
-- them, so the cursor reveals nothing).  topic matches a mentoring topic
-- without regard to case; city matches only where the about group is
-- visible.
CREATE FUNCTION api.mentors_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_cur	jsonb := api.cursor_decode('mentors', p_query, '{text,bigint}');
	v_topic	text := lower(api.clean(p_query->>'topic'));
	v_city	text := lower(api.clean(p_query->>'city'));
BEGIN
	RETURN (WITH page AS (
		SELECT m.* FROM members m
		WHERE m.mentoring_available AND m.suspended_at IS NULL
		  AND api.can_see(m.visibility_mentoring, v_me, m.id)
		  AND (v_topic IS NULL OR
		      core.lower_array(m.mentoring_topics) @> ARRAY[v_topic])
		  AND (v_city IS NULL OR (lower(m.city) = v_city
		      AND api.can_see(m.visibility_about, v_me, m.id)))
		  AND (v_cur IS NULL OR (lower(m.display_name), m.id) >
		      (v_cur->>0, (v_cur->>1)::bigint))
		ORDER BY lower(m.display_name), m.id
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('mentors',
	    array_agg(jsonb_build_object('member', api.member_view(page, v_me),
	            'open_slots', api.mentor_open_slots(page))
	        ORDER BY lower(page.display_name), page.id),
	    array_agg(jsonb_build_array(lower(page.display_name), page.id) ORDER BY lower(page.display_name), page.id), p_query)
	FROM page);
END;
$$;
-- Mentorships ------------------------------------------------------------

CREATE FUNCTION api.mentorship_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me		members := api.auth(p_token, true);
	v_mentor	members;
	v_topic		text := api.clean(p_body->>'topic');
	v_message	text := api.clean(p_body->>'message');
	x		mentorships;
BEGIN
	IF (p_body->>'mentor_id')::bigint = v_me.id THEN
		PERFORM api.fail(400, 'validation_failed',
		    'you cannot be your own mentor', 'mentor_id');
	END IF;
	SELECT * INTO v_mentor FROM members
	WHERE id = (p_body->>'mentor_id')::bigint AND suspended_at IS NULL;
	IF NOT FOUND THEN
		PERFORM api.fail(400, 'validation_failed', 'names no member',
		    'mentor_id');
	END IF;
	-- Hidden and unavailable read alike: nothing hidden is revealed.
	IF NOT v_mentor.mentoring_available OR NOT api.can_see(
	    v_mentor.visibility_mentoring, v_me, v_mentor.id) THEN
		PERFORM api.fail(409, 'mentor_unavailable',
		    'this member is not available as a mentor', 'mentor_id');
	END IF;
	IF v_topic IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'topic');
	END IF;
	IF v_message IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'message');
	END IF;
	INSERT INTO mentorships (mentor_id, mentee_id, topic, message, goals)
	VALUES (v_mentor.id, v_me.id, v_topic, v_message,
	    api.text_array(p_body->'goals'))
	RETURNING * INTO x;
	RETURN api.ok(201, api.mentorship_json(x, v_me),
	    '/v1/mentorships/' || x.id);
EXCEPTION WHEN unique_violation THEN
	PERFORM api.fail(409, 'duplicate_request', 'you already have an open '
	    'mentorship with this mentor', 'mentor_id');
	RETURN NULL;
END;
$$;

-- Own mentorships (as mentor or mentee), newest first.
CREATE FUNCTION api.mentorships_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_cur	jsonb := api.cursor_decode('my_mentorships:' || v_me.id, p_query, '{bigint}');
	v_role	text := p_query->>'role';
BEGIN
	RETURN (WITH page AS (
		SELECT x.* FROM mentorships x
		WHERE ((v_role IS DISTINCT FROM 'mentee' AND x.mentor_id = v_me.id)
		    OR (v_role IS DISTINCT FROM 'mentor' AND x.mentee_id = v_me.id))
		  AND (NOT p_query ? 'status' OR x.status = p_query->>'status')
		  AND (v_cur IS NULL OR x.id < (v_cur->>0)::bigint)
		ORDER BY x.id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('my_mentorships:' || v_me.id,
	    array_agg(api.mentorship_json(page, v_me)
	        ORDER BY page.id DESC),
	    array_agg(jsonb_build_array(page.id) ORDER BY page.id DESC), p_query)
	FROM page);
END;
$$;
CREATE FUNCTION api.mentorship_get(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
BEGIN
	RETURN api.ok(200, api.mentorship_json(api.mentorship_find(
	    (p_args->>'id')::bigint, v_me), v_me));
END;
$$;

-- {status, reason?} through the status machine (the trigger decides 403
-- and 409), and/or {share_publicly} for the caller's own side of a
-- completed mentorship.
CREATE FUNCTION api.mentorship_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	x	mentorships := api.mentorship_find((p_args->>'id')::bigint, v_me);
	v_share	boolean := (p_body->>'share_publicly')::boolean;
BEGIN
	IF v_me.id NOT IN (x.mentor_id, x.mentee_id) THEN
		PERFORM api.fail(403, 'forbidden',
		    'only the mentor and the mentee can change a mentorship');
	END IF;
	SELECT * INTO x FROM mentorships WHERE id = x.id FOR NO KEY UPDATE;
	PERFORM api.if_match(p_args, x.version);
	IF p_body ? 'reason' AND NOT p_body ? 'status' THEN
		PERFORM api.fail(400, 'validation_failed',
		    'goes with a status change', 'reason');
	END IF;
	IF p_body ? 'status' THEN
		PERFORM set_config('il.actor', v_me.id::text, true);
		UPDATE mentorships SET status = p_body->>'status',
		    status_reason = api.clean(p_body->>'reason')
		WHERE id = x.id
		RETURNING * INTO x;
	END IF;
	IF v_share IS NOT NULL THEN
		UPDATE mentorships SET
		    mentor_shares = CASE WHEN v_me.id = mentor_id THEN v_share
		        ELSE mentor_shares END,
		    mentee_shares = CASE WHEN v_me.id = mentee_id THEN v_share
		        ELSE mentee_shares END,
		    updated_at = now()
		WHERE id = x.id AND status = 'completed'
		RETURNING * INTO x;
		IF NOT FOUND THEN
			PERFORM api.fail(409, 'not_completed', 'only a completed '
			    'mentorship can be shared', 'share_publicly');
		END IF;
	END IF;
	RETURN api.ok_version(200, api.mentorship_json(x, v_me), x.version);
END;
$$;

-- Check-ins --------------------------------------------------------------

-- Readable by the parties (and site admins) in any status; newest date
-- first.
CREATE FUNCTION api.check_ins_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	x	mentorships := api.mentorship_find((p_args->>'id')::bigint, v_me);
	v_cur	jsonb := api.cursor_decode('check_ins:' || x.id, p_query, '{date,bigint}');
BEGIN
	RETURN (WITH page AS (
		SELECT c.* FROM mentorship_check_ins c
		WHERE c.mentorship_id = x.id
		  AND (v_cur IS NULL OR (c.on_date, c.id) <
		      ((v_cur->>0)::date, (v_cur->>1)::bigint))
		ORDER BY c.on_date DESC, c.id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('check_ins:' || x.id,
	    array_agg(api.check_in_json(page)
	        ORDER BY page.on_date DESC, page.id DESC),
	    array_agg(jsonb_build_array(to_char(page.on_date, 'YYYY-MM-DD'), page.id) ORDER BY page.on_date DESC, page.id DESC), p_query)
	FROM page);
END;
$$;
-- {date?, note, goals?}: date (YYYY-MM-DD, default today) from the day
-- the mentorship was requested to tomorrow (time zones); goals are some
-- of the mentorship's goals.
CREATE FUNCTION api.check_in_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	x	mentorships := api.mentorship_find((p_args->>'id')::bigint, v_me);
	v_date	date := current_date;
	v_note	text := api.clean(p_body->>'note');
	v_goals	text[] := api.text_array(p_body->'goals');
	v_bad	integer;
	c	mentorship_check_ins;
BEGIN
	IF v_me.id NOT IN (x.mentor_id, x.mentee_id) THEN
		PERFORM api.fail(403, 'forbidden',
		    'only the mentor and the mentee can add check-ins');
	END IF;
	IF p_body ? 'date' THEN
		IF p_body->>'date' !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
			PERFORM api.fail(400, 'validation_failed',
			    'must be a date like 2026-03-01', 'date');
		END IF;
		BEGIN
			v_date := (p_body->>'date')::date;
		EXCEPTION WHEN data_exception THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is not a valid date', 'date');
		END;
		IF v_date > current_date + 1 THEN
			PERFORM api.fail(400, 'validation_failed',
			    'must not be in the future', 'date');
		END IF;
		IF v_date < (x.created_at AT TIME ZONE 'UTC')::date - 1 THEN
			PERFORM api.fail(400, 'validation_failed', 'must not be '
			    'before the mentorship was requested', 'date');
		END IF;
	END IF;
	IF v_note IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'note');
	END IF;
	SELECT min(o - 1) INTO v_bad
	FROM jsonb_array_elements_text(coalesce(p_body->'goals', '[]'))
	    WITH ORDINALITY AS t(g, o)
	WHERE NOT btrim(g) = ANY (x.goals);
	IF v_bad IS NOT NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'is not one of the goals of this mentorship',
		    'goals[' || v_bad || ']');
	END IF;
	INSERT INTO mentorship_check_ins (mentorship_id, author_id, on_date,
	    note, goals)
	VALUES (x.id, v_me.id, v_date, v_note, v_goals)
	RETURNING * INTO c;
	RETURN api.ok(201, api.check_in_json(c));
END;
$$;
