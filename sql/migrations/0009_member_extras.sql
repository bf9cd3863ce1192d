-- Small additions the web app asked for:
--  - site admins see whether a member is suspended on their profile;
--  - the notifications list says how many are unread (for a badge).
-- Both wrap the earlier functions instead of copying them.

ALTER FUNCTION api.member_view(members, members) RENAME TO member_view_0002;

CREATE FUNCTION api.member_view(m members, p_viewer members)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	v	jsonb := api.member_view_0002(m, p_viewer);
BEGIN
	IF v IS NOT NULL AND p_viewer.role = 'admin' THEN
		v := v || jsonb_build_object('suspended', m.suspended_at IS NOT NULL);
	END IF;
	RETURN v;
END;
$$;

ALTER FUNCTION api.notifications_list(bytea, jsonb, jsonb, jsonb, inet)
    RENAME TO notifications_list_0002;

CREATE FUNCTION api.notifications_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	r	api.reply := api.notifications_list_0002(p_token, p_args, p_query,
	    p_body, p_client);
BEGIN
	r.body := r.body || jsonb_build_object('unread_count', (
	    SELECT count(*) FROM notifications
	    WHERE NOT read AND member_id = (SELECT member_id FROM sessions
	        WHERE id = current_setting('il.session_id')::bigint)));
	RETURN r;
END;
$$;
