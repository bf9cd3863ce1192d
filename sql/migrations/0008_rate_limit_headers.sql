-- RateLimit-Limit and RateLimit-Remaining on the limited routes (login and
-- registration): the begin steps also say the limit and what is left of
-- it after this attempt, so the API can send the headers.

DROP FUNCTION api.login_begin(text, inet);

-- As in 0002, plus rl_limit / rl_remaining for the account's failed-login
-- window (the stricter of the two limits people meet in practice).
CREATE FUNCTION api.login_begin(p_email text, p_client inet,
    OUT status integer, OUT body jsonb, OUT retry_after integer,
    OUT member_id bigint, OUT password_hash text,
    OUT rl_limit integer, OUT rl_remaining integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_window	interval := make_interval(secs =>
	    api.setting('login_window_seconds', 900));
	v_key		text := lower(btrim(p_email));
	v_count		integer;
	v_oldest	timestamptz;
	v_r		api.reply;
BEGIN
	rl_limit := api.setting('login_fails_account', 5);
	SELECT count(*), min(at) INTO v_count, v_oldest FROM login_failures
	WHERE email_key = v_key AND at > now() - v_window;
	rl_remaining := greatest(rl_limit - v_count - 1, 0);
	IF v_count >= rl_limit THEN
		v_r := api.problem(429, 'rate_limited', 'too many failed logins '
		    'for this account; try again later', greatest(1,
		    ceil(extract(epoch FROM v_oldest + v_window - now())))::integer);
		status := v_r.status; body := v_r.body;
		retry_after := v_r.retry_after;
		rl_remaining := 0;
		RETURN;
	END IF;
	SELECT count(*), min(at) INTO v_count, v_oldest FROM login_failures
	WHERE client = p_client AND at > now() - v_window;
	IF v_count >= api.setting('login_fails_address', 30) THEN
		v_r := api.problem(429, 'rate_limited', 'too many failed logins '
		    'from this address; try again later', greatest(1,
		    ceil(extract(epoch FROM v_oldest + v_window - now())))::integer);
		status := v_r.status; body := v_r.body;
		retry_after := v_r.retry_after;
		rl_remaining := 0;
		RETURN;
	END IF;
	status := 200;
	SELECT m.id, m.password_hash INTO member_id, password_hash
	FROM members m WHERE lower(m.email) = v_key;
END;
$$;

DROP FUNCTION api.register_begin(text, inet);

CREATE FUNCTION api.register_begin(p_email text, p_client inet,
    OUT status integer, OUT body jsonb, OUT retry_after integer,
    OUT rl_limit integer, OUT rl_remaining integer)
LANGUAGE plpgsql AS $$
DECLARE
	v_window	integer := api.setting('registration_window_seconds', 3600);
	v_count		integer;
	v_oldest	timestamptz;
	v_r		api.reply;
BEGIN
	rl_limit := api.setting('registrations_address', 20);
	DELETE FROM registrations
	WHERE client = p_client AND at < now() - make_interval(secs => v_window);
	SELECT count(*), min(at) INTO v_count, v_oldest FROM registrations
	WHERE client = p_client;
	rl_remaining := greatest(rl_limit - v_count - 1, 0);
	IF v_count >= rl_limit THEN
		v_r := api.problem(429, 'rate_limited',
		    'too many registrations from this address; try again later',
		    greatest(1, ceil(extract(epoch FROM v_oldest +
		        make_interval(secs => v_window) - now())))::integer);
		status := v_r.status; body := v_r.body;
		retry_after := v_r.retry_after;
		rl_remaining := 0;
		RETURN;
	END IF;
	INSERT INTO registrations (client) VALUES (p_client);
	IF EXISTS (SELECT 1 FROM members WHERE lower(email) = lower(p_email)) THEN
		v_r := api.problem(409, 'email_taken',
		    'an account with this email address already exists');
		status := v_r.status; body := v_r.body;
		RETURN;
	END IF;
	status := 200;
END;
$$;
