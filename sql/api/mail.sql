-- Email (tables: sql/migrations/0030_mail.sql).  Every message is
-- rendered here, in the transaction of the change that causes it, into
-- the outbox; the sender (api/sender/) claims, sends and reports back
-- through the functions at the end of this file.
--
-- Consent is decided in one place, api.mail_allowed(): a member gets
-- mail of a kind when the address is verified, not suppressed, and the
-- member's preference for the kind is on.  Verification and password
-- reset are transactional: sent whenever asked for (but never to an
-- address a server rejected for good), without List-Unsubscribe.

-- Links and text -------------------------------------------------------------

-- PUBLIC_WEB_URL and PUBLIC_API_URL, from the connection's options (the
-- API and the sender set them from their environment).
CREATE FUNCTION api.public_url(p_which text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v	text := current_setting('il.public_' || p_which || '_url', true);
BEGIN
	IF coalesce(v, '') = '' THEN
		RAISE EXCEPTION 'il.public_%_url is not set: mail needs the '
		    'public URLs (PGOPTIONS)', p_which;
	END IF;
	RETURN v;
END;
$$;

CREATE FUNCTION api.b64url(p bytea)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT translate(encode(p, 'base64'), E'+/=\n', '-_');
$$;

-- The key of an address in email_suppressions.
CREATE FUNCTION api.address_hash(p_addr text)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
	SELECT sha256(convert_to(lower(btrim(p_addr)), 'UTF8'));
$$;

CREATE FUNCTION api.html(p text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT replace(replace(replace(replace(replace(p, '&', '&amp;'),
	    '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
$$;

-- A time as people read it where the event happens:
-- "Thursday 10 December 2026, 18:00 CST".
CREATE FUNCTION api.local_time(p_ts timestamptz, p_tz text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_saved	text := current_setting('TimeZone');
	v	text;
BEGIN
	PERFORM set_config('TimeZone', p_tz, true);
	v := to_char(p_ts, 'FMDay FMDD FMMonth YYYY, HH24:MI TZ');
	PERFORM set_config('TimeZone', v_saved, true);
	RETURN v;
END;
$$;

-- When and where, one line each, for mail about an event.
CREATE FUNCTION api.event_when_where(e events)
RETURNS text[] LANGUAGE sql AS $$
	SELECT ARRAY['When: ' || api.local_time(e.starts_at, e.timezone) ||
	    ' until ' || CASE WHEN (e.ends_at AT TIME ZONE e.timezone)::date =
	        (e.starts_at AT TIME ZONE e.timezone)::date
	        THEN to_char(e.ends_at AT TIME ZONE e.timezone, 'HH24:MI')
	        ELSE api.local_time(e.ends_at, e.timezone) END,
	    'Where: ' || coalesce(nullif(concat_ws(', ', e.venue, e.address,
	        e.city), ''), e.online_url, 'to be announced')];
$$;

-- Consent ---------------------------------------------------------------------

-- The preference column of each kind of mail; NULL: transactional.
CREATE FUNCTION api.mail_preference(p_kind text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_kind
	    WHEN 'invitation' THEN 'invitations'
	    WHEN 'reminder' THEN 'reminders'
	    WHEN 'confirmation' THEN 'reminders'
	    WHEN 'change' THEN 'changes'
	    WHEN 'digest' THEN 'digest'
	    WHEN 'mentorship' THEN 'mentorship'
	    WHEN 'collaboration' THEN 'collaboration'
	    WHEN 'message' THEN 'messages' END;
$$;

CREATE FUNCTION api.email_preferences_of(p_member bigint)
RETURNS email_preferences LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT p FROM email_preferences p
	    WHERE p.member_id = p_member),
	    ROW(p_member, true, true, true, false, true, true, true,
	        now())::email_preferences);
$$;

CREATE FUNCTION api.suppressed(p_addr text, p_rejected_only boolean)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM email_suppressions
	    WHERE address_hash = api.address_hash(p_addr)
	      AND (NOT p_rejected_only OR reason = 'rejected'));
$$;

-- Whether member m may get mail of kind p_kind now.
CREATE FUNCTION api.mail_allowed(m members, p_kind text)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_pref	text := api.mail_preference(p_kind);
BEGIN
	IF v_pref IS NULL THEN
		RETURN NOT api.suppressed(m.email, true);
	END IF;
	IF NOT m.email_verified OR m.suspended_at IS NOT NULL OR
	    api.suppressed(m.email, false) THEN
		RETURN false;
	END IF;
	RETURN (to_jsonb(api.email_preferences_of(m.id))->>v_pref)::boolean;
END;
$$;

-- Unsubscribe links ----------------------------------------------------------
--
-- A link names who and what: "m.<member id>.<preference>" (turn that
-- preference off) or "a.<address hash, hex>.all" (an address that is not
-- a member's: never mail it again), then "." and the first 128 bits of
-- its HMAC-SHA-256 under mail_state.link_key, in hex.  Nothing is stored
-- per link, and a link works for as long as the key is kept.

CREATE FUNCTION api.unsubscribe_token(p_member bigint, p_addr text,
    p_pref text)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT payload || '.' || left(encode(hmac(convert_to(payload, 'UTF8'),
	    (SELECT link_key FROM mail_state), 'sha256'), 'hex'), 32)
	FROM (SELECT CASE WHEN p_member IS NOT NULL
	    THEN 'm.' || p_member || '.' || p_pref
	    ELSE 'a.' || encode(api.address_hash(p_addr), 'hex') || '.all'
	    END AS payload) t;
$$;

-- The parts of a valid link, or 404 (a forged or mistyped link).
CREATE FUNCTION api.unsubscribe_parse(p_token text, OUT member_id bigint,
    OUT address_hash bytea, OUT preference text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v	text[] := regexp_match(coalesce(p_token, ''),
	    '^(m\.([0-9]{1,18})\.([a-z]+)|a\.([0-9a-f]{64})\.all)\.([0-9a-f]{32})$');
BEGIN
	IF v IS NULL OR v[5] <> left(encode(hmac(convert_to(v[1], 'UTF8'),
	    (SELECT link_key FROM mail_state), 'sha256'), 'hex'), 32) THEN
		PERFORM api.fail(404, 'not_found', 'this unsubscribe link is '
		    'not valid: copy the whole link from the email', 'token');
	END IF;
	IF v[2] IS NOT NULL THEN
		member_id := v[2]::bigint;
		preference := v[3];
		IF NOT EXISTS (SELECT 1 FROM members m WHERE m.id = member_id) THEN
			PERFORM api.fail(404, 'not_found', 'the account this '
			    'link was for no longer exists: it gets no mail',
			    'token');
		END IF;
	ELSE
		address_hash := decode(v[4], 'hex');
		preference := 'all';
	END IF;
END;
$$;

-- Writing mail ---------------------------------------------------------------

-- Render a message and queue it.  p_paragraphs are plain text (a
-- paragraph may hold line breaks); the action is one link, shown as a
-- button.  Mail that is not transactional carries the footer that says
-- why it came, links to the preferences and an unsubscribe link (also
-- its List-Unsubscribe header, added by the sender).  Returns the
-- outbox id.  Consent is the caller's to check (api.mail_allowed).
CREATE FUNCTION api.mail_queue(p_kind text, p_member bigint, p_to text,
    p_subject text, p_greeting text, p_paragraphs text[],
    p_action_label text, p_action_url text, p_event bigint DEFAULT NULL,
    p_why text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_web	text := api.public_url('web');
	v_pref	text := api.mail_preference(p_kind);
	v_unsub	text;
	v_text	text;
	v_html	text;
	v_para	text;
	v_id	bigint;
BEGIN
	IF v_pref IS NOT NULL THEN
		v_unsub := api.unsubscribe_token(p_member, p_to, v_pref);
	END IF;

	v_text := CASE WHEN p_greeting IS NOT NULL
	    THEN p_greeting || E'\n\n' ELSE '' END;
	v_html := '<!DOCTYPE html><html><head><meta charset="utf-8">'
	    '<meta name="viewport" content="width=device-width">'
	    '<title>' || api.html(p_subject) || '</title></head>'
	    '<body style="margin:0;padding:24px;background:#f6f5f1;'
	    'font-family:Georgia,serif;color:#1f2a2e">'
	    '<div style="max-width:560px;margin:0 auto;background:#fff;'
	    'padding:24px;border-radius:8px">'
	    '<p style="margin:0 0 16px;font:bold 14px sans-serif;'
	    'color:#35605a">Interlibrary</p>' ||
	    CASE WHEN p_greeting IS NOT NULL
	        THEN '<p>' || api.html(p_greeting) || '</p>' ELSE '' END;
	FOREACH v_para IN ARRAY coalesce(p_paragraphs, '{}') LOOP
		v_text := v_text || v_para || E'\n\n';
		v_html := v_html || '<p style="line-height:1.5">' ||
		    replace(api.html(v_para), E'\n', '<br>') || '</p>';
	END LOOP;
	IF p_action_url IS NOT NULL THEN
		v_text := v_text || p_action_label || E':\n' || p_action_url ||
		    E'\n\n';
		v_html := v_html || '<p style="margin:24px 0"><a href="' ||
		    api.html(p_action_url) || '" style="background:#35605a;'
		    'color:#fff;padding:10px 18px;border-radius:4px;'
		    'text-decoration:none;font-family:sans-serif">' ||
		    api.html(p_action_label) || '</a></p>';
	END IF;

	v_text := v_text || E'-- \nInterlibrary, the libraries of your region '
	    'together: ' || v_web || E'\n';
	v_html := v_html || '<hr style="border:0;border-top:1px solid #ddd;'
	    'margin:24px 0"><p style="font:12px sans-serif;color:#666">' ||
	    'Interlibrary, the libraries of your region together: <a href="' ||
	    api.html(v_web) || '">' || api.html(v_web) || '</a>';
	IF p_why IS NOT NULL THEN
		v_text := v_text || p_why || E'\n';
		v_html := v_html || '<br>' || api.html(p_why);
	END IF;
	IF v_unsub IS NOT NULL THEN
		IF p_member IS NOT NULL THEN
			v_text := v_text || 'Choose the mail you get: ' || v_web ||
			    E'/#/me/email\n';
			v_html := v_html || '<br><a href="' || api.html(v_web) ||
			    '/#/me/email">Choose the mail you get</a>';
		END IF;
		v_text := v_text || CASE WHEN p_member IS NOT NULL
		    THEN 'Stop this kind of mail: '
		    ELSE 'Never email me again: ' END ||
		    v_web || '/#/unsubscribe/' || v_unsub || E'\n';
		v_html := v_html || '<br><a href="' || api.html(v_web) ||
		    '/#/unsubscribe/' || v_unsub || '">' ||
		    CASE WHEN p_member IS NOT NULL
		    THEN 'Stop this kind of mail' ELSE 'Never email me again'
		    END || '</a>';
	END IF;
	v_html := v_html || '</p></div></body></html>';

	INSERT INTO outbox (kind, member_id, to_addr, subject, body_text,
	    body_html, event_id, unsubscribe)
	VALUES (p_kind, p_member, p_to, left(p_subject, 300), v_text, v_html,
	    p_event, v_unsub)
	RETURNING id INTO v_id;
	RETURN v_id;
END;
$$;

-- A single-use token for p_purpose ('verify' or 'reset'), valid p_valid:
-- 32 random bytes as 43 characters of base64url go into the mail; the
-- SHA-256 of those characters into email_tokens (the API hashes a token
-- it is given the same way, EP_HASH_TOKEN, before calling).
CREATE FUNCTION api.email_token_new(m members, p_purpose text,
    p_valid interval)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_token	text := api.b64url(gen_random_bytes(32));
BEGIN
	INSERT INTO email_tokens (token_hash, member_id, purpose, email,
	    expires_at)
	VALUES (sha256(convert_to(v_token, 'UTF8')), m.id, p_purpose, m.email,
	    now() + p_valid);
	RETURN v_token;
END;
$$;

-- The verification mail of member m.
CREATE FUNCTION api.mail_verification(m members)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_token	text;
BEGIN
	IF api.suppressed(m.email, true) THEN
		RETURN;
	END IF;
	v_token := api.email_token_new(m, 'verify', interval '7 days');
	PERFORM api.mail_queue('verification', m.id, m.email,
	    'Confirm your email address for Interlibrary',
	    'Hello ' || m.display_name || ',',
	    ARRAY['Please confirm that this is your email address, so that '
	        'Interlibrary can send you invitations, reminders and the '
	        'other mail you choose.',
	        'The link works once, for 7 days. If you did not make an '
	        'account on Interlibrary, ignore this message: nothing more '
	        'will be sent.'],
	    'Confirm my address',
	    api.public_url('web') || '/#/verify-email/' || v_token);
END;
$$;

-- Mail for an in-app notification (api.notify), when the member wants
-- that kind: the notice itself, a link to what it is about and, for an
-- event, the calendar part.
CREATE FUNCTION api.mail_notice(p_member bigint, p_type text,
    p_subject_type text, p_subject_id bigint, p_text text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_kind	text;
	v_m	members;
	e	events;
	v_path	text;
	v_subj	text;
	v_paras	text[] := ARRAY[p_text];
BEGIN
	v_kind := CASE
	    WHEN p_type = 'invitation_received' THEN 'invitation'
	    WHEN p_type IN ('event_cancelled', 'event_changed',
	        'rsvp_promoted') THEN 'change'
	    WHEN p_type LIKE 'mentorship\_%' THEN 'mentorship'
	    WHEN p_type LIKE 'participation\_%' THEN 'collaboration'
	    WHEN p_type LIKE 'message\_%' THEN 'message' END;
	IF v_kind IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO v_m FROM members WHERE id = p_member;
	IF NOT FOUND OR NOT api.mail_allowed(v_m, v_kind) THEN
		RETURN;
	END IF;
	-- New messages: at most one mail per conversation per hour (the
	-- upsert is atomic, so concurrent messages mail once).
	IF p_subject_type = 'conversation' THEN
		INSERT INTO mail_conversation_notices AS n
		    (member_id, conversation_id, mailed_at)
		VALUES (p_member, p_subject_id, now())
		ON CONFLICT (member_id, conversation_id) DO UPDATE
		    SET mailed_at = now()
		    WHERE n.mailed_at <= now() - interval '1 hour';
		IF NOT FOUND THEN
			RETURN;
		END IF;
		v_paras := v_paras || 'More messages in this conversation '
		    'within the hour are not mailed; they wait for you in '
		    'Interlibrary.'::text;
	END IF;

	IF p_subject_type = 'invitation' THEN
		SELECT ev.* INTO e FROM invitations i
		    JOIN events ev ON ev.id = i.event_id
		WHERE i.id = p_subject_id;
		v_path := '/#/invitations';
	ELSIF p_subject_type = 'event' THEN
		SELECT * INTO e FROM events WHERE id = p_subject_id;
		v_path := '/#/events/' || p_subject_id;
	ELSE
		v_path := '/#/' || p_subject_type || 's/' || p_subject_id;
	END IF;
	IF e.id IS NOT NULL THEN
		v_paras := v_paras || api.event_when_where(e);
	END IF;
	v_subj := CASE p_type
	    WHEN 'invitation_received' THEN 'Invitation: ' || e.title
	    WHEN 'event_cancelled' THEN 'Cancelled: ' || e.title
	    WHEN 'event_changed' THEN 'Changed: ' || e.title
	    WHEN 'rsvp_promoted' THEN 'You have a place: ' || e.title
	    -- The notice's sentence, without its parenthesis or final stop.
	    ELSE rtrim(regexp_replace(p_text, '\s*\(.*$', ''), '.') END;
	IF length(v_subj) > 100 THEN
		v_subj := left(v_subj, 99) || '…';
	END IF;
	PERFORM api.mail_queue(v_kind, p_member, v_m.email, v_subj,
	    'Hello ' || v_m.display_name || ',', v_paras, 'Open in Interlibrary',
	    api.public_url('web') || v_path,
	    CASE WHEN e.id IS NOT NULL AND e.hidden_at IS NULL THEN e.id END,
	    'You get this because you use Interlibrary.');
END;
$$;

-- The confirmation of an RSVP (going, or on the waitlist), with the
-- event for the calendar when going.
CREATE FUNCTION api.mail_rsvp_confirmation(e events, p_member bigint,
    p_status text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_m	members;
BEGIN
	SELECT * INTO v_m FROM members WHERE id = p_member;
	IF NOT api.mail_allowed(v_m, 'confirmation') THEN
		RETURN;
	END IF;
	PERFORM api.mail_queue('confirmation', v_m.id, v_m.email,
	    CASE p_status WHEN 'going' THEN 'You are going: '
	        ELSE 'You are on the waitlist: ' END || e.title,
	    'Hello ' || v_m.display_name || ',',
	    ARRAY[CASE p_status WHEN 'going' THEN 'Your place at ' || e.title ||
	        ' is confirmed. The calendar file attached adds it to your '
	        'calendar.'
	        ELSE e.title || ' is full, so you are on its waitlist. If a '
	        'place frees up it goes to the first person waiting, and '
	        'you will hear from us.' END] || api.event_when_where(e),
	    'See the event', api.public_url('web') || '/#/events/' || e.id,
	    CASE WHEN p_status = 'going' AND e.hidden_at IS NULL THEN e.id END,
	    'You get this because you answered an event''s RSVP.');
END;
$$;

-- Endpoints -------------------------------------------------------------------

-- POST /v1/me/email-verification: send the verification mail again
-- (at most once a minute).  202 {email, expires_at}.
CREATE FUNCTION api.email_verification_send(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_last	timestamptz;
BEGIN
	IF v_me.email_verified THEN
		PERFORM api.fail(409, 'already_verified',
		    'this email address is already verified');
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('verify:' || v_me.id));
	SELECT max(created_at) INTO v_last FROM email_tokens
	WHERE member_id = v_me.id AND purpose = 'verify';
	IF v_last > now() - interval '1 minute' THEN
		PERFORM api.fail(429, 'rate_limited', 'a verification email '
		    'was sent less than a minute ago; check your inbox',
		    NULL, greatest(1, ceil(extract(epoch FROM
		        v_last + interval '1 minute' - now())))::integer);
	END IF;
	IF api.suppressed(v_me.email, true) THEN
		PERFORM api.fail(409, 'address_rejected', 'mail to this address '
		    'was refused by its server; change your email address '
		    'first');
	END IF;
	PERFORM api.mail_verification(v_me);
	RETURN api.ok(202, jsonb_build_object('email', v_me.email,
	    'expires_at', api.ts(now() + interval '7 days')));
END;
$$;

-- The token row of a hash from a link, locked, or 400 naming "token".
CREATE FUNCTION api.email_token_use(p_hash text, p_purpose text)
RETURNS email_tokens LANGUAGE plpgsql AS $$
DECLARE
	t	email_tokens;
BEGIN
	SELECT * INTO t FROM email_tokens
	WHERE token_hash = decode(p_hash, 'hex') AND purpose = p_purpose
	FOR UPDATE;
	IF NOT FOUND OR t.used_at IS NOT NULL OR t.expires_at <= now() THEN
		PERFORM api.fail(400, 'invalid_token', CASE
		    WHEN NOT FOUND THEN 'this link is not valid'
		    WHEN t.used_at IS NOT NULL THEN 'this link was already used'
		    ELSE 'this link has expired' END || CASE p_purpose
		    WHEN 'verify' THEN ': ask for a new one from your profile'
		    ELSE ': ask for a new one' END, 'token');
	END IF;
	RETURN t;
END;
$$;

-- POST /v1/email-verification {token}: the address the link was sent to
-- is verified (no session needed: the link is the proof).  200 {email,
-- email_verified}.  The token in the body is its SHA-256 in hex: the API
-- hashes it before the call.
CREATE FUNCTION api.email_verification_confirm(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	t	email_tokens := api.email_token_use(p_body->>'token', 'verify');
	v_m	members;
BEGIN
	UPDATE email_tokens SET used_at = now() WHERE token_hash = t.token_hash;
	UPDATE members SET email_verified = true
	WHERE id = t.member_id AND lower(email) = lower(t.email)
	RETURNING * INTO v_m;
	IF NOT FOUND THEN
		PERFORM api.fail(400, 'invalid_token', 'this link was for an '
		    'email address the account no longer uses', 'token');
	END IF;
	-- Asking for mail is consent: an earlier "never email me again" of
	-- this address no longer applies.
	DELETE FROM email_suppressions
	WHERE address_hash = api.address_hash(v_m.email)
	  AND reason = 'unsubscribed';
	RETURN api.ok(200, jsonb_build_object('email', v_m.email,
	    'email_verified', true));
END;
$$;

-- POST /v1/password-resets {email}: always 202 with the same body; when
-- an account has this address, a link valid 30 minutes is mailed.
-- Limits (429): per address and per client, counted whether or not the
-- address is a member's, so the answer never tells.
CREATE FUNCTION api.password_reset_request(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_addr	text := 'a:' || encode(api.address_hash(p_body->>'email'), 'hex');
	v_cli	text := 'c:' || host(p_client);
	v_win	interval := make_interval(secs =>
	    api.setting('password_reset_window_seconds', 3600));
	v_key	text;
	v_limit	integer;
	v_n	integer;
	v_old	timestamptz;
	v_m	members;
	v_tok	text;
BEGIN
	DELETE FROM password_reset_requests WHERE at < now() - v_win;
	FOREACH v_key IN ARRAY ARRAY[v_addr, v_cli] LOOP
		v_limit := CASE WHEN v_key = v_addr
		    THEN api.setting('password_resets_address', 3)
		    ELSE api.setting('password_resets_client', 20) END;
		SELECT count(*), min(at) INTO v_n, v_old
		FROM password_reset_requests WHERE key = v_key;
		IF v_n >= v_limit THEN
			PERFORM api.fail(429, 'rate_limited', CASE
			    WHEN v_key = v_addr THEN 'too many reset requests '
			    'for this address' ELSE 'too many reset requests '
			    'from your network' END || '; try again later', NULL,
			    greatest(1, ceil(extract(epoch FROM
			        v_old + v_win - now())))::integer);
		END IF;
	END LOOP;
	INSERT INTO password_reset_requests (key) VALUES (v_addr), (v_cli);

	SELECT * INTO v_m FROM members
	WHERE lower(email) = lower(btrim(p_body->>'email'));
	IF FOUND AND NOT api.suppressed(v_m.email, true) THEN
		v_tok := api.email_token_new(v_m, 'reset', interval '30 minutes');
		PERFORM api.mail_queue('password_reset', v_m.id, v_m.email,
		    'Reset your Interlibrary password',
		    'Hello ' || v_m.display_name || ',',
		    ARRAY['Someone (we hope you) asked to reset the password of '
		        'your Interlibrary account. Follow the link to choose a '
		        'new one: it works once, for 30 minutes, and signs you '
		        'out everywhere.',
		        'If you did not ask, ignore this message: your password '
		        'stays as it is.'],
		    'Choose a new password',
		    api.public_url('web') || '/#/reset-password/' || v_tok);
	END IF;
	RETURN api.ok(202, jsonb_build_object('status', 'accepted',
	    'detail', 'If an account uses this address, a link to reset its '
	    'password is on its way. It works for 30 minutes.'));
END;
$$;

-- POST /v1/password-resets/confirm, first step: is the link good?  200
-- or the 400 problem; nothing is used yet (the password is hashed next).
CREATE FUNCTION api.password_reset_check(p_hash text)
RETURNS api.reply LANGUAGE plpgsql AS $$
BEGIN
	PERFORM api.email_token_use(p_hash, 'reset');
	RETURN api.ok(200, '{}');
END;
$$;

-- Second step: use the link, store the new hash, end every session of
-- the member (204).  The link proves the address, so it is verified.
CREATE FUNCTION api.password_reset_finish(p_hash text, p_password_hash text)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	t	email_tokens := api.email_token_use(p_hash, 'reset');
BEGIN
	UPDATE email_tokens SET used_at = now()
	WHERE member_id = t.member_id AND purpose = 'reset' AND used_at IS NULL;
	UPDATE members SET password_hash = p_password_hash,
	    email_verified = email_verified OR lower(email) = lower(t.email)
	WHERE id = t.member_id;
	UPDATE sessions SET revoked_at = now()
	WHERE member_id = t.member_id AND revoked_at IS NULL;
	DELETE FROM login_failures
	WHERE email_key = lower((SELECT email FROM members
	    WHERE id = t.member_id));
	RETURN api.ok(204, NULL);
END;
$$;

CREATE FUNCTION api.email_preferences_json(m members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT (to_jsonb(api.email_preferences_of(m.id))
	    - 'member_id' - 'updated_at') ||
	    jsonb_build_object('email', m.email,
	        'email_verified', m.email_verified,
	        'address_rejected', api.suppressed(m.email, true));
$$;

-- GET /v1/me/email-preferences
CREATE FUNCTION api.email_preferences_get(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
BEGIN
	RETURN api.ok(200, api.email_preferences_json(v_me));
END;
$$;

-- PATCH /v1/me/email-preferences (merge patch of booleans).
CREATE FUNCTION api.email_preferences_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	p	email_preferences := api.email_preferences_of(v_me.id);
BEGIN
	p := jsonb_populate_record(p, p_body);
	INSERT INTO email_preferences (member_id, invitations, reminders,
	    changes, digest, mentorship, collaboration, messages, updated_at)
	VALUES (v_me.id, p.invitations, p.reminders, p.changes, p.digest,
	    p.mentorship, p.collaboration, p.messages, now())
	ON CONFLICT (member_id) DO UPDATE SET
	    invitations = EXCLUDED.invitations, reminders = EXCLUDED.reminders,
	    changes = EXCLUDED.changes, digest = EXCLUDED.digest,
	    mentorship = EXCLUDED.mentorship,
	    collaboration = EXCLUDED.collaboration,
	    messages = EXCLUDED.messages, updated_at = now();
	RETURN api.ok(200, api.email_preferences_json(v_me));
END;
$$;

CREATE FUNCTION api.unsubscribe_json(p_token text)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	u	record := api.unsubscribe_parse(p_token);
BEGIN
	IF u.member_id IS NOT NULL THEN
		RETURN jsonb_build_object('scope', 'member',
		    'kind', u.preference, 'unsubscribed',
		    NOT (to_jsonb(api.email_preferences_of(u.member_id))
		        ->>u.preference)::boolean);
	END IF;
	RETURN jsonb_build_object('scope', 'address', 'kind', 'all',
	    'unsubscribed', EXISTS (SELECT 1 FROM email_suppressions
	        WHERE address_hash = u.address_hash));
END;
$$;

-- GET /v1/unsubscribe?token=: what the link does, and whether it is done.
CREATE FUNCTION api.unsubscribe_get(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE sql AS $$
	SELECT api.ok(200, api.unsubscribe_json(p_query->>'token'));
$$;

-- POST /v1/unsubscribe?token= (RFC 8058 one-click: no session, any
-- body): a member's preference goes off; an address that is not a
-- member's goes on the suppression list for good.
CREATE FUNCTION api.unsubscribe(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	u	record := api.unsubscribe_parse(p_query->>'token');
	p	email_preferences;
BEGIN
	IF u.member_id IS NOT NULL THEN
		IF u.preference NOT IN ('invitations', 'reminders', 'changes',
		    'digest', 'mentorship', 'collaboration', 'messages') THEN
			PERFORM api.fail(404, 'not_found', 'this unsubscribe '
			    'link is not valid', 'token');
		END IF;
		p := jsonb_populate_record(api.email_preferences_of(u.member_id),
		    jsonb_build_object(u.preference, false));
		INSERT INTO email_preferences SELECT (p).*
		ON CONFLICT (member_id) DO UPDATE SET
		    invitations = EXCLUDED.invitations,
		    reminders = EXCLUDED.reminders, changes = EXCLUDED.changes,
		    digest = EXCLUDED.digest, mentorship = EXCLUDED.mentorship,
		    collaboration = EXCLUDED.collaboration,
		    messages = EXCLUDED.messages, updated_at = now();
	ELSE
		INSERT INTO email_suppressions (address_hash, reason)
		VALUES (u.address_hash, 'unsubscribed')
		ON CONFLICT (address_hash) DO NOTHING;
	END IF;
	-- What is queued and not yet sent is no longer wanted either.
	DELETE FROM outbox o
	WHERE o.status = 'queued' AND o.unsubscribe IS NOT NULL
	  AND (CASE WHEN u.member_id IS NOT NULL
	      THEN o.member_id = u.member_id AND
	          api.mail_preference(o.kind) = u.preference
	      ELSE api.address_hash(o.to_addr) = u.address_hash END);
	RETURN api.ok(200, api.unsubscribe_json(p_query->>'token'));
END;
$$;

-- The sender ---------------------------------------------------------------

-- The sender's heartbeat: it is alive, and has (or has not) an SMTP
-- server.  /readyz reads it.
CREATE FUNCTION api.mail_heartbeat(p_smtp boolean)
RETURNS void LANGUAGE sql AS $$
	UPDATE mail_state SET sender_seen_at = now(), sender_smtp = p_smtp;
$$;

-- For /readyz: whether a sender runs and has an SMTP server, and how
-- many messages wait.
CREATE FUNCTION api.mail_status()
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('status', CASE
	        WHEN s.sender_seen_at IS NULL OR
	            s.sender_seen_at < now() - interval '2 minutes'
	            THEN 'no_sender'
	        WHEN NOT s.sender_smtp THEN 'not_configured'
	        ELSE 'sending' END,
	    'detail', CASE
	        WHEN s.sender_seen_at IS NULL OR
	            s.sender_seen_at < now() - interval '2 minutes'
	            THEN 'no mail sender has run in the last 2 minutes: mail '
	            'stays queued'
	        WHEN NOT s.sender_smtp THEN 'SMTP_URL is not set: mail stays '
	            'queued'
	        ELSE 'mail is being sent' END,
	    'queued', (SELECT count(*) FROM outbox
	        WHERE status IN ('queued', 'sending')))
	FROM mail_state s;
$$;

-- Claim up to p_batch due messages for p_lease_seconds.  Rows another
-- sender holds are skipped, not waited for.  A row keeps the Message-ID
-- of its first claim, so a repeat after a crash is recognizable.
CREATE FUNCTION api.outbox_claim(p_batch integer, p_lease_seconds integer,
    p_domain text)
RETURNS TABLE (id bigint, kind text, to_addr text, subject text,
    body_text text, body_html text, unsubscribe text, message_id text,
    created_epoch bigint, ics_doc text)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY
	WITH due AS (
		SELECT o.id FROM outbox o
		WHERE o.status IN ('queued', 'sending') AND o.due_at <= now()
		ORDER BY o.due_at, o.id
		LIMIT p_batch
		FOR UPDATE SKIP LOCKED
	), claimed AS (
		UPDATE outbox o SET status = 'sending',
		    due_at = now() + make_interval(secs => p_lease_seconds),
		    claims = o.claims + 1,
		    message_id = coalesce(o.message_id, 'il.' || o.id || '.' ||
		        extract(epoch FROM o.created_at)::bigint || '@' || p_domain)
		FROM due WHERE o.id = due.id
		RETURNING o.*
	)
	SELECT c.id, c.kind, c.to_addr, c.subject, c.body_text, c.body_html,
	    CASE WHEN c.unsubscribe IS NOT NULL THEN
	        api.public_url('api') || '/v1/unsubscribe?token=' || c.unsubscribe
	        END,
	    c.message_id, extract(epoch FROM c.created_at)::bigint,
	    (SELECT api.feed_event_doc(e)::text FROM events e
	     WHERE e.id = c.event_id AND e.hidden_at IS NULL)
	FROM claimed c ORDER BY c.id;
END;
$$;

-- The outcome of one claimed message: 'sent'; 'temporary' (retry with
-- backoff: p_retry_seconds doubled each attempt, at most 64 times it;
-- 'failed' after p_max_attempts); 'permanent' (failed now; when the
-- server refused the recipient, the address is suppressed); 'released'
-- (not tried: back to the queue in p_retry_seconds, no attempt counted).
CREATE FUNCTION api.outbox_result(p_id bigint, p_outcome text, p_reason text,
    p_recipient_rejected boolean, p_retry_seconds integer,
    p_max_attempts integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	o	outbox;
BEGIN
	SELECT * INTO o FROM outbox WHERE id = p_id FOR UPDATE;
	IF NOT FOUND OR o.status <> 'sending' THEN
		RETURN;
	END IF;
	IF p_outcome = 'sent' THEN
		UPDATE outbox SET status = 'sent', sent_at = now(),
		    attempts = attempts + 1, last_error = NULL,
		    body_text = NULL, body_html = NULL
		WHERE id = p_id;
	ELSIF p_outcome = 'released' THEN
		UPDATE outbox SET status = 'queued',
		    due_at = now() + make_interval(secs => p_retry_seconds),
		    last_error = left(p_reason, 300)
		WHERE id = p_id;
	ELSIF p_outcome = 'temporary' AND o.attempts + 1 < p_max_attempts THEN
		UPDATE outbox SET status = 'queued', attempts = attempts + 1,
		    due_at = now() + make_interval(secs => p_retry_seconds *
		        power(2, least(o.attempts, 6))::integer),
		    last_error = left(p_reason, 300)
		WHERE id = p_id;
	ELSE
		UPDATE outbox SET status = 'failed', attempts = attempts + 1,
		    last_error = left(p_reason, 300),
		    body_text = NULL, body_html = NULL
		WHERE id = p_id;
		IF p_outcome = 'permanent' AND p_recipient_rejected THEN
			INSERT INTO email_suppressions (address_hash, reason)
			VALUES (api.address_hash(o.to_addr), 'rejected')
			ON CONFLICT (address_hash) DO NOTHING;
		END IF;
	END IF;
END;
$$;

-- Scheduled mail and clean-up, run by the sender about once a minute
-- (one runner at a time: the others skip).  Returns how many messages
-- it queued.
CREATE FUNCTION api.mail_jobs()
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_n	integer := 0;
BEGIN
	IF NOT pg_try_advisory_xact_lock(7215017) THEN
		RETURN 0;
	END IF;
	v_n := v_n + api.mail_reminders();
	v_n := v_n + api.mail_digests();
	-- Tokens and sent mail are kept a while for support, then go.
	DELETE FROM email_tokens WHERE expires_at < now() - interval '7 days';
	DELETE FROM outbox WHERE status IN ('sent', 'failed')
	  AND created_at < now() - interval '30 days';
	DELETE FROM mail_reminders WHERE starts_at < now() - interval '7 days';
	-- Invitees' addresses: cleared at registration, else gone after 90
	-- days (a spam mark stays, by the address's hash only).
	DELETE FROM email_invitations
	WHERE status = 'pending' AND created_at < now() - interval '90 days';
	UPDATE email_invitations SET email = NULL
	WHERE email IS NOT NULL AND created_at < now() - interval '90 days';
	RETURN v_n;
END;
$$;

-- The day before an event, a reminder to everyone going; for advocacy
-- the talking points come with it.
CREATE FUNCTION api.mail_reminders()
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	r	record;
	v_n	integer := 0;
	v_paras	text[];
BEGIN
	FOR r IN
		SELECT e, m FROM events e
		    JOIN rsvps v ON v.event_id = e.id AND v.status = 'going'
		    JOIN members m ON m.id = v.member_id
		WHERE e.status = 'scheduled' AND e.hidden_at IS NULL
		  AND e.starts_at > now() AND e.starts_at <= now() + interval '24 hours'
		  AND NOT EXISTS (SELECT 1 FROM mail_reminders x
		      WHERE x.event_id = e.id AND x.member_id = m.id
		        AND x.starts_at = e.starts_at)
		ORDER BY e.starts_at, e.id, m.id
		LIMIT 500
	LOOP
		INSERT INTO mail_reminders (event_id, member_id, starts_at)
		VALUES ((r.e).id, (r.m).id, (r.e).starts_at);
		IF NOT api.mail_allowed(r.m, 'reminder') THEN
			CONTINUE;
		END IF;
		v_paras := ARRAY[(r.e).title || ' is soon, and you are going.']
		    || api.event_when_where(r.e);
		IF (r.e).kind = 'advocacy' THEN
			v_paras := v_paras || ARRAY['Target: ' ||
			    coalesce((r.e).target, 'see the event page')];
			IF (r.e).talking_points IS NOT NULL THEN
				v_paras := v_paras || ARRAY['Talking points:',
				    (r.e).talking_points];
			END IF;
		END IF;
		IF (r.e).accessibility_notes IS NOT NULL THEN
			v_paras := v_paras || ARRAY['Accessibility: ' ||
			    (r.e).accessibility_notes];
		END IF;
		PERFORM api.mail_queue('reminder', (r.m).id, (r.m).email,
		    'Tomorrow: ' || (r.e).title,
		    'Hello ' || (r.m).display_name || ',', v_paras,
		    'See the event', api.public_url('web') || '/#/events/' ||
		    (r.e).id, (r.e).id,
		    'You get this because you said you are going.');
		v_n := v_n + 1;
	END LOOP;
	RETURN v_n;
END;
$$;

-- Once a week, for members who chose it: the coming fortnight's events
-- near them (within 50 km of their home area when both it and the event
-- have a position, else in their city, or everywhere when they set
-- neither), collaborations opened in the past week, and mentorship
-- requests waiting for them.
CREATE FUNCTION api.mail_digests()
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	m	members;
	v_n	integer := 0;
	v_ev	text[];
	v_co	text[];
	v_mt	integer;
	v_paras	text[];
BEGIN
	FOR m IN
		SELECT mb.* FROM members mb
		    JOIN email_preferences p ON p.member_id = mb.id AND p.digest
		    LEFT JOIN mail_digests d ON d.member_id = mb.id
		WHERE mb.email_verified AND mb.suspended_at IS NULL
		  AND (d.sent_at IS NULL OR d.sent_at <= now() - interval '7 days')
		ORDER BY mb.id
		LIMIT 200
	LOOP
		INSERT INTO mail_digests (member_id, sent_at) VALUES (m.id, now())
		ON CONFLICT (member_id) DO UPDATE SET sent_at = now();
		IF NOT api.mail_allowed(m, 'digest') THEN
			CONTINUE;
		END IF;
		SELECT array_agg(line ORDER BY starts_at) INTO v_ev FROM (
			SELECT e.starts_at, '• ' || e.title || ', ' ||
			    api.local_time(e.starts_at, e.timezone) ||
			    coalesce(' in ' || e.city, '') || E'\n  ' ||
			    api.public_url('web') || '/#/events/' || e.id AS line
			FROM events e
			WHERE e.status = 'scheduled' AND e.hidden_at IS NULL
			  AND e.starts_at > now()
			  AND e.starts_at <= now() + interval '14 days'
			  AND CASE WHEN m.home_latitude IS NOT NULL
			        AND e.latitude IS NOT NULL THEN
			      earth_distance(ll_to_earth(m.home_latitude::float8,
			          m.home_longitude::float8),
			          ll_to_earth(e.latitude, e.longitude)) <= 50000
			    ELSE m.city IS NULL OR lower(e.city) = lower(m.city) END
			ORDER BY e.starts_at LIMIT 10) x;
		SELECT array_agg('• ' || c.title || E'\n  ' ||
		    api.public_url('web') || '/#/collaborations/' || c.id
		    ORDER BY c.created_at DESC) INTO v_co
		FROM (SELECT * FROM collaborations c
		    WHERE c.created_at > now() - interval '7 days'
		      AND c.hidden_at IS NULL AND c.status <> 'archived'
		    ORDER BY c.created_at DESC LIMIT 5) c;
		SELECT count(*) INTO v_mt FROM mentorships
		WHERE mentor_id = m.id AND status = 'requested';
		IF v_ev IS NULL AND v_co IS NULL AND v_mt = 0 THEN
			CONTINUE;
		END IF;
		v_paras := '{}';
		IF v_ev IS NOT NULL THEN
			v_paras := v_paras || ARRAY['Coming up' ||
			    CASE WHEN m.home_latitude IS NOT NULL THEN ' near you'
			        ELSE coalesce(' in ' || m.city, '') END || E':\n' ||
			    array_to_string(v_ev, E'\n')];
		END IF;
		IF v_co IS NOT NULL THEN
			v_paras := v_paras || ARRAY[E'New collaborations:\n' ||
			    array_to_string(v_co, E'\n')];
		END IF;
		IF v_mt > 0 THEN
			v_paras := v_paras || ARRAY[v_mt || CASE WHEN v_mt = 1
			    THEN ' mentorship request is' ELSE
			    ' mentorship requests are' END ||
			    ' waiting for your answer.'];
		END IF;
		PERFORM api.mail_queue('digest', m.id, m.email,
		    'Your week in Interlibrary', 'Hello ' || m.display_name || ',',
		    v_paras, 'Open Interlibrary', api.public_url('web') || '/#/',
		    NULL, 'You get this weekly because you chose the digest.');
		v_n := v_n + 1;
	END LOOP;
	RETURN v_n;
END;
$$;
