-- Logging in, browser sessions, personal access tokens and password
-- changes.  The API mints every token (32 random bytes, shown once) and
-- sends only its BLAKE2b hash; the hash is what every function here sees
-- as p_token, and what tells "this session" from the others.

-- Logging in -------------------------------------------------------------

-- Step 1: the throttles and the stored hash.  Failed logins are counted
-- per (account, client address) (il.login_fails_account,
-- LOGIN_FAILS_PER_ACCOUNT) and per client address
-- (il.login_fails_address); nothing refuses an account as a whole, so
-- failing logins from one address never lock the account's owner out
-- elsewhere (README, "Login throttling").  rl_limit and rl_remaining
-- describe the limit this caller is closer to (the account's on a tie).
--
-- An attempt let through is recorded as a failure at once, before the
-- password is hashed, and api.login_finish takes it back when the
-- password was right (api.login_undo when it was not checked at all,
-- attempt being its id): so concurrent attempts (on any node) count each
-- other, and a burst gets exactly the limit's number of tries.  The
-- count and the record are one step per client address (an advisory
-- lock), and this transaction ends before the hashing starts.
CREATE FUNCTION api.login_begin(p_email text, p_client inet,
    OUT status integer, OUT body jsonb, OUT retry_after integer,
    OUT member_id bigint, OUT password_hash text,
    OUT rl_limit integer, OUT rl_remaining integer, OUT attempt bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_window	interval := make_interval(secs =>
	    api.setting('login_window_seconds', 900));
	v_key		text := lower(btrim(p_email));
	v_pair_limit	integer := api.setting('login_fails_account', 5);
	v_addr_limit	integer := api.setting('login_fails_address', 30);
	v_pair		integer;
	v_pair_oldest	timestamptz;
	v_addr		integer;
	v_addr_oldest	timestamptz;
	v_count		integer;
	v_oldest	timestamptz;
	v_what		text;
	v_r		api.reply;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('login ' ||
	    host(p_client), 0));
	SELECT count(*), min(at) INTO v_pair, v_pair_oldest FROM login_failures
	WHERE email_key = v_key AND client = p_client AND at > now() - v_window;
	SELECT count(*), min(at) INTO v_addr, v_addr_oldest FROM login_failures
	WHERE client = p_client AND at > now() - v_window;
	IF v_addr_limit - v_addr < v_pair_limit - v_pair THEN
		rl_limit := v_addr_limit;
		v_count := v_addr;
		v_oldest := v_addr_oldest;
		v_what := 'from this address';
	ELSE
		rl_limit := v_pair_limit;
		v_count := v_pair;
		v_oldest := v_pair_oldest;
		v_what := 'for this account from this address';
	END IF;
	rl_remaining := greatest(rl_limit - v_count - 1, 0);
	IF v_count >= rl_limit THEN
		v_r := api.problem(429, 'rate_limited', 'too many failed logins '
		    || v_what || '; try again later', greatest(1,
		    ceil(extract(epoch FROM v_oldest + v_window - now())))::integer);
		status := v_r.status; body := v_r.body;
		retry_after := v_r.retry_after;
		rl_remaining := 0;
		RETURN;
	END IF;
	DELETE FROM login_failures WHERE at < now() - v_window;
	INSERT INTO login_failures (email_key, client) VALUES (v_key, p_client)
	RETURNING id INTO attempt;
	status := 200;
	SELECT m.id, m.password_hash INTO member_id, password_hash
	FROM members m WHERE lower(m.email) = v_key;
END;
$$;

-- Step 2 when the password was not checked (the hashing queue was full,
-- or the hasher lost the job; the API answers 503): the attempt was no
-- failure.
CREATE FUNCTION api.login_undo(p_attempt bigint)
RETURNS void LANGUAGE sql AS $$
	DELETE FROM login_failures WHERE id = p_attempt;
$$;

-- Step 2: a failure (same answer for unknown email and wrong password;
-- api.login_begin recorded it already) or a session.  p_rehash is a new
-- hash when the stored one used older parameters.
CREATE FUNCTION api.login_finish(p_member bigint, p_ok boolean, p_email text,
    p_client inet, p_token bytea, p_rehash text, p_agent text)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m		members;
	v_s		sessions;
BEGIN
	IF p_member IS NOT NULL AND p_ok THEN
		SELECT * INTO v_m FROM members WHERE id = p_member;
	END IF;
	IF v_m.id IS NULL THEN
		RETURN api.problem(401, 'invalid_credentials',
		    'the email address or password is not correct');
	END IF;
	-- The right password: this address's failures for this account go,
	-- the attempt's own record with them (never another address's).
	DELETE FROM login_failures
	WHERE email_key = lower(v_m.email) AND client = p_client;
	IF v_m.suspended_at IS NOT NULL THEN
		RETURN api.problem(403, 'suspended', 'this account is suspended');
	END IF;
	IF p_rehash IS NOT NULL THEN
		UPDATE members SET password_hash = p_rehash WHERE id = v_m.id;
	END IF;
	INSERT INTO sessions (member_id, token_hash, kind, user_agent, client,
	    expires_at)
	VALUES (v_m.id, p_token, 'session', left(p_agent, 200), p_client,
	    now() + make_interval(secs => api.setting('session_max_seconds',
	        2592000)))
	RETURNING * INTO v_s;
	RETURN api.ok(201, jsonb_build_object(
	    'id', v_s.id,
	    'expires_at', api.ts(v_s.expires_at),
	    'idle_timeout_seconds', api.setting('session_idle_seconds', 1209600),
	    'member', api.member_own(v_m)));
END;
$$;

-- Sessions and tokens ----------------------------------------------------

-- p_token: the caller's token hash, which marks the current session.
-- last_used_at is NULL until a request used the session; its idle expiry
-- counts from then or, never used, from its creation.
CREATE FUNCTION api.session_json(s sessions, p_token bytea)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', s.id, 'created_at', api.ts(s.created_at),
	    'last_used_at', api.ts(s.last_used_at),
	    'expires_at', api.ts(least(s.expires_at,
	        coalesce(s.last_used_at, s.created_at) +
	        make_interval(secs => api.setting('session_idle_seconds',
	            1209600)))),
	    'user_agent', s.user_agent,
	    'current', s.token_hash = p_token);
$$;

-- last_used_at is NULL until a request used the token.
CREATE FUNCTION api.token_json(s sessions)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', s.id, 'name', s.name, 'scope', s.scope,
	    'created_at', api.ts(s.created_at),
	    'last_used_at', api.ts(s.last_used_at),
	    'expires_at', api.ts(s.expires_at));
$$;

CREATE FUNCTION api.sessions_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, false);
BEGIN
	RETURN api.ok(200, jsonb_build_object('data', coalesce((
	    SELECT jsonb_agg(api.session_json(s, p_token) ORDER BY s.id DESC)
	    FROM sessions s
	    WHERE s.member_id = v_m.id AND s.kind = 'session'
	      AND s.revoked_at IS NULL AND s.expires_at > now()
	      AND coalesce(s.last_used_at, s.created_at) > now() - make_interval(secs =>
	          api.setting('session_idle_seconds', 1209600))), '[]'),
	    'next_cursor', NULL));
END;
$$;

CREATE FUNCTION api.session_delete(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, false);
BEGIN
	-- /v1/sessions/current has no id: the caller's own session.
	IF p_args ? 'id' THEN
		UPDATE sessions SET revoked_at = now()
		WHERE id = (p_args->>'id')::bigint AND member_id = v_m.id
		  AND kind = 'session' AND revoked_at IS NULL;
	ELSE
		UPDATE sessions SET revoked_at = now()
		WHERE token_hash = p_token AND member_id = v_m.id
		  AND kind = 'session' AND revoked_at IS NULL;
	END IF;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such session');
	END IF;
	RETURN api.ok(204, NULL);
END;
$$;

CREATE FUNCTION api.tokens_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, false);
BEGIN
	RETURN api.ok(200, jsonb_build_object('data', coalesce((
	    SELECT jsonb_agg(api.token_json(s) ORDER BY s.id DESC)
	    FROM sessions s
	    WHERE s.member_id = v_m.id AND s.kind = 'personal'
	      AND s.revoked_at IS NULL AND s.expires_at > now()), '[]'),
	    'next_cursor', NULL));
END;
$$;

-- p_new is the hash of the new token (the API shows the token once).
CREATE FUNCTION api.token_create(p_token bytea, p_body jsonb, p_new bytea,
    p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, true);
	v_s	sessions;
BEGIN
	IF (SELECT count(*) FROM sessions WHERE member_id = v_m.id
	    AND kind = 'personal' AND revoked_at IS NULL
	    AND expires_at > now()) >= 20 THEN
		PERFORM api.fail(409, 'too_many_tokens',
		    'revoke a token first: at most 20 are active at once');
	END IF;
	INSERT INTO sessions (member_id, token_hash, kind, name, scope, client,
	    expires_at)
	VALUES (v_m.id, p_new, 'personal', btrim(p_body->>'name'),
	    coalesce(p_body->>'scope', 'read'), p_client,
	    now() + make_interval(days =>
	        coalesce((p_body->>'expires_in_days')::integer, 90)))
	RETURNING * INTO v_s;
	RETURN api.ok(201, api.token_json(v_s), '/v1/me/tokens/' || v_s.id);
END;
$$;

CREATE FUNCTION api.token_delete(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, true);
BEGIN
	UPDATE sessions SET revoked_at = now()
	WHERE id = (p_args->>'id')::bigint AND member_id = v_m.id
	  AND kind = 'personal' AND revoked_at IS NULL;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such token');
	END IF;
	RETURN api.ok(204, NULL);
END;
$$;

-- Password change --------------------------------------------------------

-- Password change: step 1 gives the hash to verify against; step 2
-- stores the new hash and revokes every other session.
CREATE FUNCTION api.password_begin(p_token bytea,
    OUT member_id bigint, OUT password_hash text)
LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, true);
BEGIN
	member_id := v_m.id;
	password_hash := v_m.password_hash;
END;
$$;

CREATE FUNCTION api.password_finish(p_token bytea, p_ok boolean,
    p_hash text)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, true);
BEGIN
	IF NOT p_ok OR p_hash IS NULL THEN
		PERFORM api.fail(403, 'wrong_password',
		    'the current password is not correct', 'current_password');
	END IF;
	UPDATE members SET password_hash = p_hash, updated_at = now()
	WHERE id = v_m.id;
	UPDATE sessions SET revoked_at = now()
	WHERE member_id = v_m.id AND revoked_at IS NULL
	  AND token_hash <> p_token;
	RETURN api.ok(204, NULL);
END;
$$;
