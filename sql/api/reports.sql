-- Reports: any member reports what they can see; site admins list and
-- resolve them, optionally hiding the subject (an event or a
-- collaboration).  A reported message is copied into the report
-- (sql/api/conversations.sql): the admins read the copy.

CREATE FUNCTION api.report_json(r reports)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', r.id,
	    'subject', jsonb_build_object('type', r.subject_type,
	        'id', r.subject_id),
	    'reason', r.reason, 'status', r.status,
	    'reporter', api.member_ref(r.reporter_id),
	    'subject_hidden', r.subject_hidden,
	    'resolved_by', api.member_ref(r.resolved_by),
	    'resolved_at', api.ts(r.resolved_at),
	    'created_at', api.ts(r.created_at)) || api.report_subject_copy(r);
$$;

-- Any member reports what they can see: 404 otherwise.
CREATE FUNCTION api.report_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_type	text := p_body->>'subject_type';
	v_id	bigint := (p_body->>'subject_id')::bigint;
	v_seen	boolean;
	r	reports;
BEGIN
	CASE v_type
	WHEN 'member' THEN
		v_seen := EXISTS (SELECT 1 FROM members
		    WHERE id = v_id AND id <> v_me.id);
	WHEN 'event' THEN
		v_seen := EXISTS (SELECT 1 FROM events e WHERE e.id = v_id
		    AND (e.hidden_at IS NULL OR api.event_can_manage(e, v_me)));
	WHEN 'collaboration' THEN
		v_seen := EXISTS (SELECT 1 FROM collaborations c
		    WHERE c.id = v_id AND (c.hidden_at IS NULL
		        OR api.co_is_insider(c, v_me)));
	WHEN 'invitation' THEN
		v_seen := EXISTS (SELECT 1 FROM invitations
		    WHERE id = v_id AND recipient_id = v_me.id);
	WHEN 'message' THEN
		v_seen := api.message_reportable(v_id, v_me);
	END CASE;
	IF NOT coalesce(v_seen, false) THEN
		PERFORM api.fail(404, 'not_found', 'there is no ' || v_type ||
		    ' ' || v_id || ' you can report', 'subject_id');
	END IF;
	PERFORM api.co_require_text(p_body, 'reason');
	BEGIN
		INSERT INTO reports (reporter_id, subject_type, subject_id, reason)
		VALUES (v_me.id, v_type, v_id, btrim(p_body->>'reason'))
		RETURNING * INTO r;
	EXCEPTION WHEN unique_violation THEN
		PERFORM api.fail(409, 'already_reported', 'you already reported '
		    'this ' || v_type || '; a site admin will review it');
	END;
	IF v_type = 'message' THEN
		PERFORM api.message_report_copy(r.id, v_id);
	END IF;
	RETURN api.ok(201, api.report_json(r), '/v1/reports/' || r.id);
END;
$$;

CREATE FUNCTION api.reports_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.require_admin(p_token, false);
	v_cur	jsonb := api.cursor_decode('reports', p_query, '{bigint}');
BEGIN
	RETURN (WITH page AS (
		SELECT r.* FROM reports r
		WHERE (NOT p_query ? 'status' OR r.status = p_query->>'status')
		  AND (NOT p_query ? 'subject_type'
		      OR r.subject_type = p_query->>'subject_type')
		  AND (v_cur IS NULL OR r.id < (v_cur->>0)::bigint)
		ORDER BY r.id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('reports',
	    array_agg(api.report_json(page)
	        ORDER BY page.id DESC),
	    array_agg(jsonb_build_array(page.id) ORDER BY page.id DESC), p_query)
	FROM page);
END;
$$;

-- {status: resolved, hide_subject?}.  Hiding sets hidden_at on an event
-- or a collaboration; resolving a report of an invitation also resolves
-- the invitation's spam report (sql/api/invitations.sql), which may let
-- its sender invite again; so does resolving the report an email
-- invitation's spam mark made about its sender.
CREATE FUNCTION api.report_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.require_admin(p_token, true);
	r	reports;
	v_hide	boolean := coalesce((p_body->>'hide_subject')::boolean, false);
BEGIN
	SELECT * INTO r FROM reports WHERE id = (p_args->>'id')::bigint
	FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such report');
	END IF;
	IF p_body->>'status' IS NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'is required: "resolved"', 'status');
	END IF;
	IF r.status = 'resolved' THEN
		PERFORM api.fail(409, 'conflict', 'this report is already resolved');
	END IF;
	IF v_hide AND r.subject_type NOT IN ('event', 'collaboration') THEN
		PERFORM api.fail(400, 'validation_failed', 'only events and '
		    'collaborations can be hidden (suspend a member with POST '
		    '/v1/members/{id}/suspend)', 'hide_subject');
	END IF;
	IF v_hide AND r.subject_type = 'event' THEN
		UPDATE events SET hidden_at = coalesce(hidden_at, now())
		WHERE id = r.subject_id;
	ELSIF v_hide THEN
		UPDATE collaborations SET hidden_at = coalesce(hidden_at, now())
		WHERE id = r.subject_id;
	END IF;
	IF r.subject_type = 'invitation' THEN
		UPDATE invitations SET spam_resolved_at = now()
		WHERE id = r.subject_id AND status = 'reported_spam'
		  AND spam_resolved_at IS NULL;
	END IF;
	-- The mark of an email invitation's invitee (a report about its
	-- sender, sql/api/invitations.sql) is lifted the same way.
	UPDATE email_invitations SET spam_resolved_at = now()
	WHERE report_id = r.id AND status = 'reported_spam'
	  AND spam_resolved_at IS NULL;
	UPDATE reports SET status = 'resolved', resolved_at = now(),
	    resolved_by = v_me.id, subject_hidden = v_hide
	WHERE id = r.id
	RETURNING * INTO r;
	RETURN api.ok(200, api.report_json(r));
END;
$$;
