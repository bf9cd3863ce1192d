-- Messages between members: one-to-one conversations, blocks, and
-- reported messages.  Tables: sql/migrations/0020_conversations.sql.
--
-- Who may start a conversation: the recipient's "invitations" setting
-- (anyone, met, organizations, nobody: api.invitation_reason, shared
-- with event invitations), widened by what the two already share: a
-- mentorship pair (accepted or completed) and collaboration partners
-- (both approved participants) may always write to each other.  Replies
-- (a conversation exists) are always allowed.  A block, either way,
-- overrides everything, replies and mentorship pairs included.
--
-- Anti-spam, on starting conversations only (a first message to someone
-- the sender never talked to):
--   * at most 20 per sender per rolling 24 hours (429 with Retry-After);
--     a sender's starts run one after the other under a transaction
--     advisory lock, hashtext('message:' || sender), so the cap is exact
--     under any number of concurrent requests;
--   * open reports of the sender's messages from 3 different members
--     stop them (403 messaging_suspended) until site admins resolve them
--     (PATCH /v1/reports/{id}, sql/api/reports.sql).
--
-- Privacy: nobody but the two members reads a conversation (anyone else,
-- site admins included, gets 404).  A reported message is copied into
-- message_reports for the site admins; nothing else of the conversation
-- is.  Notifications never carry a message's text.

-- Who may write to whom -----------------------------------------------------

-- Whether p_a and p_b have blocked each other, either way.
CREATE FUNCTION api.blocked_between(p_a bigint, p_b bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM member_blocks
	    WHERE (blocker_id = p_a AND blocked_id = p_b)
	       OR (blocker_id = p_b AND blocked_id = p_a));
$$;

-- What p_a and p_b work on together, in words, or NULL: a mentorship
-- (accepted or completed) between them, or a collaboration where both
-- are approved participants.
CREATE FUNCTION api.shared_work(p_a bigint, p_b bigint)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT coalesce(
	    (SELECT 'your mentorship in ' || x.topic FROM mentorships x
	     WHERE ((x.mentor_id = p_a AND x.mentee_id = p_b)
	         OR (x.mentor_id = p_b AND x.mentee_id = p_a))
	       AND x.status IN ('accepted', 'completed')
	     ORDER BY x.id DESC LIMIT 1),
	    (SELECT 'you both work on "' || c.title || '"'
	     FROM collaboration_participants a
	     JOIN collaboration_participants b
	         ON b.collaboration_id = a.collaboration_id
	     JOIN collaborations c ON c.id = a.collaboration_id
	     WHERE a.member_id = p_a AND a.status = 'approved'
	       AND b.member_id = p_b AND b.status = 'approved'
	     ORDER BY c.id DESC LIMIT 1));
$$;

-- Why p_sender may start a conversation with p_to, in words, or NULL
-- when they may not (themselves, a suspended member, a block either
-- way, or p_to's setting).
CREATE FUNCTION api.message_reason(p_sender members, p_to members)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_to.id IS NULL OR p_to.id = p_sender.id
	    OR p_to.suspended_at IS NOT NULL
	    OR api.blocked_between(p_sender.id, p_to.id) THEN
		RETURN NULL;
	END IF;
	RETURN coalesce(api.shared_work(p_sender.id, p_to.id),
	    api.invitation_reason(p_sender, p_to));
END;
$$;

-- How many different members have open reports of p_sender's messages.
CREATE FUNCTION api.message_reporters(p_sender bigint)
RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT count(DISTINCT r.reporter_id)
	FROM message_reports mr JOIN reports r ON r.id = mr.report_id
	WHERE mr.sender_id = p_sender AND r.status = 'open';
$$;

-- Views ------------------------------------------------------------------

-- The other member of conversation c for p_me (NULL once their account
-- is deleted).
CREATE FUNCTION api.conversation_other(c conversations, p_me bigint)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN c.member_low = p_me THEN c.member_high
	    ELSE c.member_low END;
$$;

CREATE FUNCTION api.message_json(m messages, p_me bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', m.id,
	    'sender', api.member_ref(m.sender_id),
	    'mine', coalesce(m.sender_id = p_me, false),
	    'text', m.text, 'created_at', api.ts(m.created_at));
$$;

-- A conversation as its member cm sees it.
CREATE FUNCTION api.conversation_json(cm conversation_members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', c.id,
	    'member', api.member_ref(api.conversation_other(c, cm.member_id)),
	    'blocked', EXISTS (SELECT 1 FROM member_blocks b
	        WHERE b.blocker_id = cm.member_id
	          AND b.blocked_id = api.conversation_other(c, cm.member_id)),
	    'unread_count', (SELECT count(*) FROM messages m
	        WHERE m.conversation_id = c.id AND m.id > cm.last_read_id
	          AND m.sender_id IS DISTINCT FROM cm.member_id),
	    'last_read_message_id', nullif(cm.last_read_id, 0),
	    'last_message', (SELECT api.message_json(m, cm.member_id)
	        FROM messages m
	        WHERE m.conversation_id = c.id AND m.id > cm.cleared_id
	        ORDER BY m.id DESC LIMIT 1),
	    'created_at', api.ts(c.created_at),
	    'last_message_at', api.ts(c.last_message_at))
	FROM conversations c WHERE c.id = cm.conversation_id;
$$;

-- p_me's part in conversation p_id (locked when p_lock), or 404: nobody
-- but its two members learns that it exists.
CREATE FUNCTION api.conversation_mine(p_id bigint, p_me members,
    p_lock boolean DEFAULT false)
RETURNS conversation_members LANGUAGE plpgsql AS $$
DECLARE
	cm	conversation_members;
BEGIN
	IF p_lock THEN
		SELECT * INTO cm FROM conversation_members
		WHERE conversation_id = p_id AND member_id = p_me.id FOR UPDATE;
	ELSE
		SELECT * INTO cm FROM conversation_members
		WHERE conversation_id = p_id AND member_id = p_me.id;
	END IF;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such conversation');
	END IF;
	RETURN cm;
END;
$$;

-- Writing ----------------------------------------------------------------

-- The one place a new message is announced to its recipient: today a
-- notification in the app (one unread notification per conversation,
-- brought up to date by later messages); email delivery (a later issue)
-- belongs here too.  Never the message's text: a notification outlives
-- a deleted account's messages.
CREATE FUNCTION api.message_announce(c conversations, m messages,
    p_sender members, p_to bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	UPDATE notifications SET created_at = now(),
	    text = p_sender.display_name || ' sent you new messages.'
	WHERE member_id = p_to AND type = 'message_received'
	  AND subject_type = 'conversation' AND subject_id = c.id AND NOT read;
	IF NOT FOUND THEN
		PERFORM api.notify(p_to, 'message_received', 'conversation', c.id,
		    p_sender.display_name || ' sent you a message.');
	END IF;
END;
$$;

-- Add p_me's message p_text to conversation c, which exists: a reply,
-- always allowed but across a block (403: blocked when p_me blocked the
-- other member, not_accepting when the other blocked p_me) or to a
-- deleted account (409 member_gone).
CREATE FUNCTION api.message_add(c conversations, p_me members, p_text text)
RETURNS messages LANGUAGE plpgsql AS $$
DECLARE
	v_to	bigint := api.conversation_other(c, p_me.id);
	m	messages;
BEGIN
	IF v_to IS NULL THEN
		PERFORM api.fail(409, 'member_gone',
		    'this member deleted their account');
	END IF;
	IF EXISTS (SELECT 1 FROM member_blocks
	    WHERE blocker_id = p_me.id AND blocked_id = v_to) THEN
		PERFORM api.fail(403, 'blocked', 'you blocked this member: '
		    'unblock them to write to them');
	END IF;
	IF EXISTS (SELECT 1 FROM member_blocks
	    WHERE blocker_id = v_to AND blocked_id = p_me.id) THEN
		PERFORM api.fail(403, 'not_accepting',
		    'this member is not accepting messages from you');
	END IF;
	INSERT INTO messages (conversation_id, sender_id, text)
	VALUES (c.id, p_me.id, p_text)
	RETURNING * INTO m;
	PERFORM api.message_announce(c, m, p_me, v_to);
	RETURN m;
END;
$$;

-- The text of a body, trimmed; 400 naming "text" when empty.
CREATE FUNCTION api.message_text(p_body jsonb)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v	text := api.clean(p_body->>'text');
BEGIN
	IF v IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'text');
	END IF;
	RETURN v;
END;
$$;

-- POST /v1/conversations {member_id, text}: to a member the caller
-- already talks to, the message joins that conversation (200); otherwise
-- a new conversation (201), if the recipient accepts it, the sender is
-- not stopped by reports and is within the daily cap.
CREATE FUNCTION api.conversation_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me		members := api.auth(p_token, true);
	v_text		text := api.message_text(p_body);
	v_to		members;
	v_cap		integer := 20;
	v_used		integer;
	v_free_at	timestamptz;
	c		conversations;
	v_status	integer := 200;
	m		messages;
	cm		conversation_members;
BEGIN
	IF (p_body->>'member_id')::bigint = v_me.id THEN
		PERFORM api.fail(400, 'validation_failed',
		    'you cannot write to yourself', 'member_id');
	END IF;
	SELECT * INTO v_to FROM members WHERE id = (p_body->>'member_id')::bigint;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such member', 'member_id');
	END IF;
	-- One sender's conversations start one after the other.
	PERFORM pg_advisory_xact_lock(hashtext('message:' || v_me.id));
	SELECT * INTO c FROM conversations
	WHERE member_low = least(v_me.id, v_to.id)
	  AND member_high = greatest(v_me.id, v_to.id);
	IF NOT FOUND THEN
		IF EXISTS (SELECT 1 FROM member_blocks
		    WHERE blocker_id = v_me.id AND blocked_id = v_to.id) THEN
			PERFORM api.fail(403, 'blocked', 'you blocked this member: '
			    'unblock them to write to them', 'member_id');
		END IF;
		IF api.message_reason(v_me, v_to) IS NULL THEN
			PERFORM api.fail(403, 'not_accepting', 'this member is not '
			    'accepting messages from you', 'member_id');
		END IF;
		IF api.message_reporters(v_me.id) >= 3 THEN
			PERFORM api.fail(403, 'messaging_suspended', 'your messages '
			    'were reported by several members: you cannot start '
			    'conversations until a site admin has reviewed the '
			    'reports');
		END IF;
		SELECT count(*) INTO v_used FROM conversations
		WHERE started_by = v_me.id
		  AND created_at > now() - interval '24 hours';
		IF v_used >= v_cap THEN
			-- The start whose expiry frees a place.
			SELECT created_at INTO v_free_at FROM conversations
			WHERE started_by = v_me.id
			  AND created_at > now() - interval '24 hours'
			ORDER BY created_at, id
			OFFSET v_used - v_cap LIMIT 1;
			PERFORM api.fail(429, 'rate_limited', 'you have started ' ||
			    v_cap || ' conversations in the last 24 hours, the most '
			    'there may be: write to people you already talk to, or '
			    'wait', NULL, greatest(1, ceil(extract(epoch FROM
			    v_free_at + interval '24 hours' - now())))::integer);
		END IF;
		INSERT INTO conversations (member_low, member_high, started_by)
		VALUES (least(v_me.id, v_to.id), greatest(v_me.id, v_to.id),
		    v_me.id)
		ON CONFLICT (member_low, member_high) DO NOTHING
		RETURNING * INTO c;
		IF c.id IS NOT NULL THEN
			INSERT INTO conversation_members (conversation_id, member_id,
			    last_message_at)
			VALUES (c.id, v_me.id, c.last_message_at),
			    (c.id, v_to.id, c.last_message_at);
			v_status := 201;
		ELSE
			-- The other member started it at the same moment.
			SELECT * INTO c FROM conversations
			WHERE member_low = least(v_me.id, v_to.id)
			  AND member_high = greatest(v_me.id, v_to.id);
		END IF;
	END IF;
	m := api.message_add(c, v_me, v_text);
	SELECT * INTO cm FROM conversation_members
	WHERE conversation_id = c.id AND member_id = v_me.id;
	RETURN api.ok(v_status, api.conversation_json(cm),
	    '/v1/conversations/' || c.id);
END;
$$;

-- POST /v1/conversations/{id}/messages {text}: a reply.
CREATE FUNCTION api.message_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_text	text := api.message_text(p_body);
	cm	conversation_members := api.conversation_mine(
	    (p_args->>'id')::bigint, v_me);
	c	conversations;
	m	messages;
BEGIN
	SELECT * INTO c FROM conversations WHERE id = cm.conversation_id;
	m := api.message_add(c, v_me, v_text);
	RETURN api.ok(201, api.message_json(m, v_me.id));
END;
$$;

-- Reading ----------------------------------------------------------------

-- The caller's conversations, newest message first (left ones are out of
-- the list until a new message arrives), with unread_count, the unread
-- messages of them all.  Keyset on (last_message_at, id).
CREATE FUNCTION api.conversations_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_cur	jsonb := api.cursor_decode('conversations:' || v_me.id, p_query,
	    '{timestamptz,bigint}');
	v_reply	api.reply;
BEGIN
	v_reply := (WITH page AS (
		SELECT cm.* FROM conversation_members cm
		WHERE cm.member_id = v_me.id AND cm.left_at IS NULL
		  AND (v_cur IS NULL OR (cm.last_message_at, cm.conversation_id) <
		      ((v_cur->>0)::timestamptz, (v_cur->>1)::bigint))
		ORDER BY cm.last_message_at DESC, cm.conversation_id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('conversations:' || v_me.id,
	    array_agg(api.conversation_json(page)
	        ORDER BY page.last_message_at DESC, page.conversation_id DESC),
	    array_agg(jsonb_build_array(to_char(page.last_message_at
	            AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
	            page.conversation_id)
	        ORDER BY page.last_message_at DESC, page.conversation_id DESC),
	    p_query)
	FROM page);
	v_reply.body := v_reply.body || jsonb_build_object('unread_count', (
	    SELECT count(*) FROM conversation_members cm
	    JOIN messages m ON m.conversation_id = cm.conversation_id
	        AND m.id > cm.last_read_id
	    WHERE cm.member_id = v_me.id AND cm.left_at IS NULL
	      AND m.sender_id IS DISTINCT FROM v_me.id));
	RETURN v_reply;
END;
$$;

-- GET /v1/conversations/{id}: the conversation and one page of its
-- messages, newest first (keyset on the message id); limit and cursor
-- page the messages.
CREATE FUNCTION api.conversation_get(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	cm	conversation_members := api.conversation_mine(
	    (p_args->>'id')::bigint, v_me);
	v_cur	jsonb := api.cursor_decode('messages:' || cm.conversation_id, p_query,
	    '{bigint}');
	v_page	api.reply;
BEGIN
	v_page := (WITH page AS (
		SELECT m.* FROM messages m
		WHERE m.conversation_id = cm.conversation_id
		  AND m.id > cm.cleared_id
		  AND (v_cur IS NULL OR m.id < (v_cur->>0)::bigint)
		ORDER BY m.id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('messages:' || cm.conversation_id,
	    array_agg(api.message_json(page, v_me.id)
	        ORDER BY page.id DESC),
	    array_agg(jsonb_build_array(page.id) ORDER BY page.id DESC), p_query)
	FROM page);
	RETURN api.ok(200, api.conversation_json(cm) ||
	    jsonb_build_object('messages', jsonb_build_object(
	        'data', v_page.data::jsonb, 'next_cursor', v_page.next_cursor)),
	    NULL, v_page.next_cursor);
END;
$$;

-- Marking read, leaving --------------------------------------------------

-- Mark p_me's message notifications of conversation p_id read.
CREATE FUNCTION api.conversation_notifications_read(p_id bigint,
    p_me bigint)
RETURNS void LANGUAGE sql AS $$
	UPDATE notifications SET read = true
	WHERE member_id = p_me AND type = 'message_received'
	  AND subject_type = 'conversation' AND subject_id = p_id AND NOT read;
$$;

-- PATCH /v1/conversations/{id} {last_read_message_id}: read up to that
-- message (an id beyond the newest counts as the newest; reading never
-- goes back).  When nothing is left unread, the conversation's
-- notification is read too.
CREATE FUNCTION api.conversation_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	cm	conversation_members := api.conversation_mine(
	    (p_args->>'id')::bigint, v_me, true);
	v_upto	bigint;
BEGIN
	IF jsonb_typeof(p_body->'last_read_message_id') = 'number' THEN
		-- A statement of its own, after the lock: it sees every message
		-- committed before.
		SELECT least((p_body->>'last_read_message_id')::bigint, max(id))
		INTO v_upto FROM messages
		WHERE conversation_id = cm.conversation_id;
		UPDATE conversation_members
		SET last_read_id = greatest(last_read_id, coalesce(v_upto, 0))
		WHERE conversation_id = cm.conversation_id
		  AND member_id = v_me.id
		RETURNING * INTO cm;
		IF NOT EXISTS (SELECT 1 FROM messages m
		    WHERE m.conversation_id = cm.conversation_id
		      AND m.id > cm.last_read_id
		      AND m.sender_id IS DISTINCT FROM v_me.id) THEN
			PERFORM api.conversation_notifications_read(
			    cm.conversation_id, v_me.id);
		END IF;
	END IF;
	RETURN api.ok(200, api.conversation_json(cm));
END;
$$;

-- DELETE /v1/conversations/{id}: leave it.  The messages so far are
-- gone from the caller's view and the conversation from their list; a
-- new message brings it back (with only what is new).  The other member
-- keeps everything.
CREATE FUNCTION api.conversation_leave(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	cm	conversation_members := api.conversation_mine(
	    (p_args->>'id')::bigint, v_me, true);
	v_last	bigint;
BEGIN
	-- After the lock: a message committed before is seen here, one
	-- committed after brings the conversation back.
	SELECT coalesce(max(id), 0) INTO v_last FROM messages
	WHERE conversation_id = cm.conversation_id;
	UPDATE conversation_members SET left_at = now(),
	    cleared_id = greatest(cleared_id, v_last),
	    last_read_id = greatest(last_read_id, v_last)
	WHERE conversation_id = cm.conversation_id AND member_id = v_me.id;
	PERFORM api.conversation_notifications_read(cm.conversation_id,
	    v_me.id);
	RETURN api.ok(204, NULL);
END;
$$;

-- Blocks -----------------------------------------------------------------

CREATE FUNCTION api.block_json(b member_blocks)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('member', api.member_ref(b.blocked_id),
	    'created_at', api.ts(b.created_at));
$$;

-- GET /v1/me/blocks: the members the caller blocked, newest first.
CREATE FUNCTION api.blocks_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_cur	jsonb := api.cursor_decode('blocks:' || v_me.id, p_query,
	    '{timestamptz,bigint}');
BEGIN
	RETURN (WITH page AS (
		SELECT b.* FROM member_blocks b
		WHERE b.blocker_id = v_me.id
		  AND (v_cur IS NULL OR (b.created_at, b.blocked_id) <
		      ((v_cur->>0)::timestamptz, (v_cur->>1)::bigint))
		ORDER BY b.created_at DESC, b.blocked_id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('blocks:' || v_me.id,
	    array_agg(api.block_json(page)
	        ORDER BY page.created_at DESC, page.blocked_id DESC),
	    array_agg(jsonb_build_array(to_char(page.created_at
	            AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
	            page.blocked_id)
	        ORDER BY page.created_at DESC, page.blocked_id DESC), p_query)
	FROM page);
END;
$$;

-- PUT /v1/me/blocks/{member_id}: block (idempotent).
CREATE FUNCTION api.block_put(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_id	bigint := (p_args->>'member_id')::bigint;
	b	member_blocks;
BEGIN
	IF v_id = v_me.id THEN
		PERFORM api.fail(400, 'validation_failed',
		    'you cannot block yourself', 'member_id');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM members WHERE id = v_id) THEN
		PERFORM api.fail(404, 'not_found', 'no such member', 'member_id');
	END IF;
	INSERT INTO member_blocks (blocker_id, blocked_id)
	VALUES (v_me.id, v_id)
	ON CONFLICT DO NOTHING;
	SELECT * INTO b FROM member_blocks
	WHERE blocker_id = v_me.id AND blocked_id = v_id;
	RETURN api.ok(200, api.block_json(b));
END;
$$;

-- DELETE /v1/me/blocks/{member_id}: unblock (idempotent).
CREATE FUNCTION api.block_delete(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
BEGIN
	DELETE FROM member_blocks
	WHERE blocker_id = v_me.id
	  AND blocked_id = (p_args->>'member_id')::bigint;
	RETURN api.ok(204, NULL);
END;
$$;

-- Reported messages (POST /v1/reports, sql/api/reports.sql) ---------------

-- Whether p_me may report message p_id: one they received, in a
-- conversation of theirs, that they have not cleared and that still has
-- its text.
CREATE FUNCTION api.message_reportable(p_id bigint, p_me members)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM messages m
	    JOIN conversation_members cm ON cm.conversation_id = m.conversation_id
	    WHERE m.id = p_id AND cm.member_id = p_me.id
	      AND m.id > cm.cleared_id AND m.sender_id <> p_me.id
	      AND m.text IS NOT NULL);
$$;

-- Copy message p_message into report p_report: the admins read this
-- copy, never the conversation.
CREATE FUNCTION api.message_report_copy(p_report bigint, p_message bigint)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO message_reports (report_id, message_id, sender_id, text,
	    sent_at)
	SELECT p_report, m.id, m.sender_id, m.text, m.created_at
	FROM messages m WHERE m.id = p_message;
$$;

-- What a report of a message adds to its JSON ({} for other reports):
-- the copy of the message.
CREATE FUNCTION api.report_subject_copy(r reports)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN r.subject_type <> 'message' THEN '{}'::jsonb
	    ELSE jsonb_build_object('message', (SELECT jsonb_build_object(
	        'id', mr.message_id, 'sender', api.member_ref(mr.sender_id),
	        'text', mr.text, 'sent_at', api.ts(mr.sent_at))
	        FROM message_reports mr WHERE mr.report_id = r.id)) END;
$$;

-- Export -----------------------------------------------------------------

-- The member's conversations as they see them, with their messages, and
-- the members they blocked.
CREATE FUNCTION api.export_conversations(p_member bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'conversations', coalesce((SELECT jsonb_agg(
	        api.conversation_json(cm) || jsonb_build_object('messages',
	            coalesce((SELECT jsonb_agg(api.message_json(m, p_member)
	                ORDER BY m.id)
	                FROM messages m
	                WHERE m.conversation_id = cm.conversation_id
	                  AND m.id > cm.cleared_id), '[]'))
	        ORDER BY cm.conversation_id)
	        FROM conversation_members cm WHERE cm.member_id = p_member), '[]'),
	    'blocks', coalesce((SELECT jsonb_agg(api.block_json(b)
	        ORDER BY b.created_at, b.blocked_id)
	        FROM member_blocks b WHERE b.blocker_id = p_member), '[]'));
$$;
