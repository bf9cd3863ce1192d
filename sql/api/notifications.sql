-- Notifications: written in the same transaction as the change they
-- tell about (api.notify), read and marked read by their member.

CREATE FUNCTION api.notification_json(n notifications)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', n.id, 'type', n.type,
	    'created_at', api.ts(n.created_at), 'read', n.read,
	    'subject', jsonb_build_object('type', n.subject_type,
	        'id', n.subject_id),
	    'text', n.text);
$$;

-- The member's mail for it, when they want that kind, goes into the
-- outbox in the same transaction (api.mail_notice, sql/api/mail.sql).
CREATE FUNCTION api.notify(p_member bigint, p_type text, p_subject_type text,
    p_subject_id bigint, p_text text)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO notifications (member_id, type, subject_type, subject_id, text)
	VALUES (p_member, p_type, p_subject_type, p_subject_id, p_text);
	SELECT api.mail_notice(p_member, p_type, p_subject_type, p_subject_id,
	    p_text);
$$;

-- Unread first, then newest first; keyset on (read, created_at, id).
-- unread_count says how many unread notifications there are in all.
CREATE FUNCTION api.notifications_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_m	members := api.auth(p_token, false);
	v_cur	jsonb := api.cursor_decode('my_notifications:' || v_m.id, p_query,
	    '{boolean,numeric,bigint}');
	v_reply	api.reply;
BEGIN
	v_reply := (WITH page AS (
		SELECT n.* FROM notifications n
		WHERE n.member_id = v_m.id
		  AND (NOT p_query ? 'unread' OR n.read = NOT (p_query->>'unread')::boolean)
		  AND (v_cur IS NULL OR (n.read, -extract(epoch FROM n.created_at), -n.id) >
		      ((v_cur->>0)::boolean, -(v_cur->>1)::numeric, -(v_cur->>2)::bigint))
		ORDER BY n.read, n.created_at DESC, n.id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('my_notifications:' || v_m.id,
	    array_agg(api.notification_json(page)
	        ORDER BY page.read, page.created_at DESC, page.id DESC),
	    array_agg(jsonb_build_array(page.read, extract(epoch FROM page.created_at),
	            page.id) ORDER BY page.read, page.created_at DESC, page.id DESC), p_query)
	FROM page);
	v_reply.body := v_reply.body || jsonb_build_object('unread_count', (
	    SELECT count(*) FROM notifications
	    WHERE member_id = v_m.id AND NOT read));
	RETURN v_reply;
END;
$$;

CREATE FUNCTION api.notification_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, true);
	v_n	notifications;
BEGIN
	UPDATE notifications SET read = coalesce((p_body->>'read')::boolean, read)
	WHERE id = (p_args->>'id')::bigint AND member_id = v_m.id
	RETURNING * INTO v_n;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such notification');
	END IF;
	RETURN api.ok(200, api.notification_json(v_n));
END;
$$;
