-- Email endpoints: verification of the address, password resets,
-- mail preferences and unsubscribing.  The mail they send is written by
-- sql/api/mail.sql.

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
