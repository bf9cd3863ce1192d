-- Members, sessions and personal access tokens, login throttling,
-- notifications.
--
-- Settings come from the API's connection options (PGOPTIONS, set from
-- its environment at start); the defaults here apply to psql sessions.

CREATE TABLE members (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email			text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	password_hash		text NOT NULL,
	display_name		text NOT NULL
	    CHECK (length(display_name) BETWEEN 1 AND 80),
	pronouns		text CHECK (length(pronouns) <= 40),
	title			text CHECK (length(title) <= 120),
	bio			text CHECK (length(bio) <= 2000),
	city			text CHECK (length(city) <= 80),
	skills			text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(skills) <= 20),
	interests		text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(interests) <= 20),
	mentoring_available	boolean NOT NULL DEFAULT false,
	mentoring_topics	text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(mentoring_topics) <= 10),
	mentoring_capacity	integer NOT NULL DEFAULT 0
	    CHECK (mentoring_capacity BETWEEN 0 AND 10),
	visibility_about	text NOT NULL DEFAULT 'members'
	    CHECK (visibility_about IN ('public', 'members', 'private')),
	visibility_affiliations	text NOT NULL DEFAULT 'members'
	    CHECK (visibility_affiliations IN ('public', 'members', 'private')),
	visibility_mentoring	text NOT NULL DEFAULT 'members'
	    CHECK (visibility_mentoring IN ('public', 'members', 'private')),
	invitations		text NOT NULL DEFAULT 'organizations'
	    CHECK (invitations IN ('anyone', 'met', 'organizations', 'nobody')),
	role			text NOT NULL DEFAULT 'member'
	    CHECK (role IN ('member', 'admin')),
	email_verified		boolean NOT NULL DEFAULT false,
	suspended_at		timestamptz,
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	-- Directory search: PostgreSQL full-text search with the 'simple'
	-- configuration (names and library jargon should not be stemmed as
	-- English) and prefix queries, over a GIN index.  Only what every
	-- member may see is indexed: title and bio drop out when the about
	-- group is private, so a search can never reveal them.  Full-text
	-- was chosen over trigrams: word-prefix matching is what people type
	-- into a directory, and the index stays small at 100,000 members.
	search			tsvector GENERATED ALWAYS AS (
	    to_tsvector('simple', display_name || ' ' ||
	        CASE WHEN visibility_about <> 'private'
	        THEN coalesce(title, '') || ' ' || coalesce(bio, '') ||
	            ' ' || coalesce(city, '')
	        ELSE '' END)) STORED
);

CREATE UNIQUE INDEX members_email_key ON members (lower(email));
CREATE INDEX members_name_idx ON members (lower(display_name), id);
CREATE INDEX members_search_idx ON members USING gin (search);
CREATE INDEX members_skills_idx ON members USING gin (skills);
CREATE INDEX members_interests_idx ON members USING gin (interests);
CREATE INDEX members_city_idx ON members (lower(city));
CREATE INDEX members_mentors_idx ON members (lower(display_name), id)
    WHERE mentoring_available;

-- Browser sessions (kind 'session': idle and absolute expiry) and
-- personal access tokens (kind 'personal': absolute expiry, a scope).
-- Only a BLAKE2b hash of a token is stored.
CREATE TABLE sessions (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	token_hash	bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	kind		text NOT NULL CHECK (kind IN ('session', 'personal')),
	name		text CHECK (length(name) <= 80),
	scope		text NOT NULL DEFAULT 'write'
	    CHECK (scope IN ('read', 'write')),
	user_agent	text,
	client		inet,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	revoked_at	timestamptz
);

CREATE INDEX sessions_member_idx ON sessions (member_id, kind);

CREATE TABLE login_failures (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email_key	text NOT NULL,
	client		inet NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX login_failures_email_idx ON login_failures (email_key, at);
CREATE INDEX login_failures_client_idx ON login_failures (client, at);

CREATE TABLE registrations (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	client		inet NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX registrations_client_idx ON registrations (client, at);

CREATE TABLE notifications (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	type		text NOT NULL CHECK (type IN ('invitation_received',
	    'rsvp_promoted', 'event_cancelled', 'membership_requested',
	    'membership_approved', 'mentorship_requested',
	    'mentorship_accepted', 'mentorship_declined',
	    'mentorship_cancelled', 'mentorship_completed',
	    'participation_requested', 'participation_approved',
	    'participation_declined')),
	subject_type	text NOT NULL,
	subject_id	bigint NOT NULL,
	text		text NOT NULL,
	read		boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX notifications_member_idx
    ON notifications (member_id, read, created_at DESC, id DESC);

-- Settings ----------------------------------------------------------------

CREATE FUNCTION api.setting(p_name text, p_default integer)
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT coalesce(nullif(current_setting('il.' || p_name, true), '')::integer,
	    p_default);
$$;

-- Identity ----------------------------------------------------------------

-- The member a bearer token belongs to, or an error: 401 when the token
-- is unknown, expired or revoked, 403 when a read-only token writes or
-- the member is suspended.  Touches last_used_at at most once a minute.
CREATE FUNCTION api.auth(p_token bytea, p_write boolean DEFAULT false)
RETURNS members LANGUAGE plpgsql AS $$
DECLARE
	v_s	sessions;
	v_m	members;
BEGIN
	IF p_token IS NULL THEN
		PERFORM api.fail(401, 'unauthorized',
		    'log in first: this needs "Authorization: Bearer <token>"');
	END IF;
	SELECT * INTO v_s FROM sessions
	WHERE token_hash = p_token AND revoked_at IS NULL
	  AND expires_at > now()
	  AND (kind = 'personal' OR last_used_at >
	      now() - make_interval(secs => api.setting('session_idle_seconds',
	          1209600)));
	IF NOT FOUND THEN
		PERFORM api.fail(401, 'invalid_token',
		    'the bearer token is malformed, expired or revoked');
	END IF;
	SELECT * INTO v_m FROM members WHERE id = v_s.member_id;
	IF v_m.suspended_at IS NOT NULL THEN
		PERFORM api.fail(403, 'suspended', 'this account is suspended');
	END IF;
	IF p_write AND v_s.scope = 'read' THEN
		PERFORM api.fail(403, 'read_only_token',
		    'this token has the read scope and cannot make changes');
	END IF;
	IF v_s.last_used_at < now() - interval '1 minute' THEN
		UPDATE sessions SET last_used_at = now() WHERE id = v_s.id;
	END IF;
	PERFORM set_config('il.session_id', v_s.id::text, true);
	RETURN v_m;
END;
$$;

-- The caller when a token is given (and valid), NULL when anonymous.
CREATE FUNCTION api.viewer(p_token bytea)
RETURNS members LANGUAGE plpgsql AS $$
BEGIN
	IF p_token IS NULL THEN
		RETURN NULL;
	END IF;
	RETURN api.auth(p_token, false);
END;
$$;

CREATE FUNCTION api.require_admin(p_token bytea, p_write boolean)
RETURNS members LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, p_write);
BEGIN
	IF v_m.role <> 'admin' THEN
		PERFORM api.fail(403, 'forbidden', 'only site admins can do this');
	END IF;
	RETURN v_m;
END;
$$;

CREATE FUNCTION api.member_ref(p_id bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', id, 'display_name', display_name)
	FROM members WHERE id = p_id;
$$;

-- Views of a member ---------------------------------------------------------

CREATE FUNCTION api.can_see(p_visibility text, p_viewer members,
    p_owner bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT p_visibility = 'public'
	    OR (p_viewer.id IS NOT NULL AND (p_visibility = 'members'
	        OR p_viewer.id = p_owner OR p_viewer.role = 'admin'));
$$;

-- The active affiliations of a member (memberships: 0003).
CREATE FUNCTION api.member_affiliations(p_member bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.id,
	    'slug', o.slug, 'name', o.name, 'role', ms.role)
	    ORDER BY o.name, o.id), '[]')
	    FROM memberships ms JOIN organizations o ON o.id = ms.organization_id
	    WHERE ms.member_id = p_member AND ms.status = 'active'
	      AND NOT o.archived);
END;
$$;

-- A profile as p_viewer may see it; NULL when nothing is visible.
CREATE FUNCTION api.member_view(m members, p_viewer members)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	v	jsonb := jsonb_build_object('id', m.id);
	v_any	boolean := false;
BEGIN
	IF api.can_see(m.visibility_about, p_viewer, m.id) THEN
		v := v || jsonb_build_object('display_name', m.display_name,
		    'pronouns', m.pronouns, 'title', m.title, 'bio', m.bio,
		    'city', m.city, 'skills', to_jsonb(m.skills),
		    'interests', to_jsonb(m.interests));
		v_any := true;
	ELSIF p_viewer.id IS NOT NULL THEN
		v := v || jsonb_build_object('display_name', m.display_name);
		v_any := true;
	END IF;
	IF api.can_see(m.visibility_affiliations, p_viewer, m.id) THEN
		v := v || jsonb_build_object('affiliations',
		    api.member_affiliations(m.id));
		v_any := true;
	END IF;
	IF api.can_see(m.visibility_mentoring, p_viewer, m.id) THEN
		v := v || jsonb_build_object('mentoring', jsonb_build_object(
		    'available', m.mentoring_available,
		    'topics', to_jsonb(m.mentoring_topics),
		    'capacity', m.mentoring_capacity));
		v_any := true;
	END IF;
	IF NOT v_any THEN
		RETURN NULL;
	END IF;
	RETURN v || jsonb_build_object('member_since', api.ts(m.created_at));
END;
$$;

-- The owner's own profile: everything, email and settings included.
CREATE FUNCTION api.member_own(m members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'id', m.id, 'email', m.email, 'email_verified', m.email_verified,
	    'display_name', m.display_name, 'pronouns', m.pronouns,
	    'title', m.title, 'bio', m.bio, 'city', m.city,
	    'skills', to_jsonb(m.skills), 'interests', to_jsonb(m.interests),
	    'affiliations', api.member_affiliations(m.id),
	    'mentoring', jsonb_build_object('available', m.mentoring_available,
	        'topics', to_jsonb(m.mentoring_topics),
	        'capacity', m.mentoring_capacity),
	    'visibility', jsonb_build_object('about', m.visibility_about,
	        'affiliations', m.visibility_affiliations,
	        'mentoring', m.visibility_mentoring),
	    'invitations', m.invitations, 'role', m.role,
	    'suspended', m.suspended_at IS NOT NULL,
	    'created_at', api.ts(m.created_at),
	    'updated_at', api.ts(m.updated_at));
$$;

-- Registration --------------------------------------------------------------

-- Before hashing: the per-address registration limit, and an early
-- email_taken (the insert checks again).  The attempt is counted.
CREATE FUNCTION api.register_begin(p_email text, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_window	integer := api.setting('registration_window_seconds', 3600);
	v_limit		integer := api.setting('registrations_address', 20);
	v_count		integer;
	v_oldest	timestamptz;
BEGIN
	DELETE FROM registrations
	WHERE client = p_client AND at < now() - make_interval(secs => v_window);
	SELECT count(*), min(at) INTO v_count, v_oldest FROM registrations
	WHERE client = p_client;
	IF v_count >= v_limit THEN
		RETURN api.problem(429, 'rate_limited',
		    'too many registrations from this address; try again later',
		    greatest(1, ceil(extract(epoch FROM v_oldest +
		        make_interval(secs => v_window) - now())))::integer);
	END IF;
	INSERT INTO registrations (client) VALUES (p_client);
	IF EXISTS (SELECT 1 FROM members WHERE lower(email) = lower(p_email)) THEN
		RETURN api.problem(409, 'email_taken',
		    'an account with this email address already exists');
	END IF;
	RETURN api.ok(200, NULL);
END;
$$;

CREATE FUNCTION api.register(p_body jsonb, p_hash text)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members;
BEGIN
	INSERT INTO members (email, password_hash, display_name)
	VALUES (btrim(p_body->>'email'), p_hash,
	    btrim(p_body->>'display_name'))
	RETURNING * INTO v_m;
	RETURN api.ok(201, api.member_own(v_m), '/v1/members/' || v_m.id);
EXCEPTION WHEN unique_violation THEN
	PERFORM api.fail(409, 'email_taken',
	    'an account with this email address already exists', 'email');
	RETURN NULL;
END;
$$;

-- Logging in ----------------------------------------------------------------

-- Step 1 (before the password is checked in a task): throttles, and the
-- hash to verify against (NULL for an unknown email: the API then
-- verifies against a dummy hash so both cases take the same time).
CREATE FUNCTION api.login_begin(p_email text, p_client inet,
    OUT status integer, OUT body jsonb, OUT retry_after integer,
    OUT member_id bigint, OUT password_hash text)
LANGUAGE plpgsql AS $$
DECLARE
	v_window	interval := make_interval(secs =>
	    api.setting('login_window_seconds', 900));
	v_key		text := lower(btrim(p_email));
	v_count		integer;
	v_oldest	timestamptz;
	v_r		api.reply;
BEGIN
	SELECT count(*), min(at) INTO v_count, v_oldest FROM login_failures
	WHERE email_key = v_key AND at > now() - v_window;
	IF v_count >= api.setting('login_fails_account', 5) THEN
		v_r := api.problem(429, 'rate_limited', 'too many failed logins '
		    'for this account; try again later', greatest(1,
		    ceil(extract(epoch FROM v_oldest + v_window - now())))::integer);
		status := v_r.status; body := v_r.body;
		retry_after := v_r.retry_after;
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
		RETURN;
	END IF;
	status := 200;
	SELECT m.id, m.password_hash INTO member_id, password_hash
	FROM members m WHERE lower(m.email) = v_key;
END;
$$;

-- Step 2: record a failure (same answer for unknown email and wrong
-- password) or open a session.  p_rehash is a new hash when the stored
-- one used older parameters.
CREATE FUNCTION api.login_finish(p_member bigint, p_ok boolean, p_email text,
    p_client inet, p_token bytea, p_rehash text, p_agent text)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m		members;
	v_s		sessions;
	v_window	interval := make_interval(secs =>
	    api.setting('login_window_seconds', 900));
BEGIN
	IF p_member IS NOT NULL AND p_ok THEN
		SELECT * INTO v_m FROM members WHERE id = p_member;
	END IF;
	IF v_m.id IS NULL THEN
		DELETE FROM login_failures WHERE at < now() - v_window;
		INSERT INTO login_failures (email_key, client)
		VALUES (lower(btrim(p_email)), p_client);
		RETURN api.problem(401, 'invalid_credentials',
		    'the email address or password is not correct');
	END IF;
	IF v_m.suspended_at IS NOT NULL THEN
		RETURN api.problem(403, 'suspended', 'this account is suspended');
	END IF;
	DELETE FROM login_failures WHERE email_key = lower(v_m.email);
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

-- Sessions and tokens -------------------------------------------------------

CREATE FUNCTION api.session_json(s sessions)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', s.id, 'created_at', api.ts(s.created_at),
	    'last_used_at', api.ts(s.last_used_at),
	    'expires_at', api.ts(least(s.expires_at, s.last_used_at +
	        make_interval(secs => api.setting('session_idle_seconds',
	            1209600)))),
	    'user_agent', s.user_agent,
	    'current', s.id::text = current_setting('il.session_id', true));
$$;

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
	    SELECT jsonb_agg(api.session_json(s) ORDER BY s.id DESC)
	    FROM sessions s
	    WHERE s.member_id = v_m.id AND s.kind = 'session'
	      AND s.revoked_at IS NULL AND s.expires_at > now()
	      AND s.last_used_at > now() - make_interval(secs =>
	          api.setting('session_idle_seconds', 1209600))), '[]'),
	    'next_cursor', NULL));
END;
$$;

CREATE FUNCTION api.session_delete(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, false);
	v_id	bigint;
BEGIN
	IF p_args->>'id' IS NULL THEN
		v_id := current_setting('il.session_id')::bigint;
	ELSE
		v_id := (p_args->>'id')::bigint;
	END IF;
	UPDATE sessions SET revoked_at = now()
	WHERE id = v_id AND member_id = v_m.id AND kind = 'session'
	  AND revoked_at IS NULL;
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

-- Own profile ---------------------------------------------------------------

CREATE FUNCTION api.me_get(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
BEGIN
	RETURN api.ok(200, api.member_own(api.auth(p_token, false)));
END;
$$;

-- A JSON merge patch (RFC 7396) of the writable fields; the API has
-- already refused unknown and read-only ones and checked the types.
CREATE FUNCTION api.me_patch(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, true);
	p	jsonb := p_body;
	v_mt	jsonb := coalesce(p_body->'mentoring', '{}');
	v_vis	jsonb := coalesce(p_body->'visibility', '{}');
BEGIN
	IF p ? 'display_name' AND api.clean(p->>'display_name') IS NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must not be empty', 'display_name');
	END IF;
	IF jsonb_typeof(p->'mentoring') = 'null' THEN
		v_mt := jsonb_build_object('available', false, 'topics', '[]',
		    'capacity', 0);
	END IF;
	IF jsonb_typeof(p->'visibility') = 'null' THEN
		v_vis := jsonb_build_object('about', 'members',
		    'affiliations', 'members', 'mentoring', 'members');
	END IF;
	UPDATE members SET
	    display_name = CASE WHEN p ? 'display_name'
	        THEN btrim(p->>'display_name') ELSE display_name END,
	    pronouns = CASE WHEN p ? 'pronouns'
	        THEN api.clean(p->>'pronouns') ELSE pronouns END,
	    title = CASE WHEN p ? 'title' THEN api.clean(p->>'title')
	        ELSE title END,
	    bio = CASE WHEN p ? 'bio' THEN api.clean(p->>'bio') ELSE bio END,
	    city = CASE WHEN p ? 'city' THEN api.clean(p->>'city') ELSE city END,
	    skills = CASE WHEN p ? 'skills' THEN api.text_array(p->'skills')
	        ELSE skills END,
	    interests = CASE WHEN p ? 'interests'
	        THEN api.text_array(p->'interests') ELSE interests END,
	    mentoring_available = CASE WHEN v_mt ? 'available'
	        AND jsonb_typeof(v_mt->'available') = 'boolean'
	        THEN (v_mt->>'available')::boolean
	        WHEN v_mt ? 'available' THEN false
	        ELSE mentoring_available END,
	    mentoring_topics = CASE WHEN v_mt ? 'topics'
	        THEN api.text_array(v_mt->'topics') ELSE mentoring_topics END,
	    mentoring_capacity = CASE WHEN v_mt ? 'capacity'
	        THEN coalesce((v_mt->>'capacity')::integer, 0)
	        ELSE mentoring_capacity END,
	    visibility_about = CASE WHEN v_vis ? 'about'
	        THEN coalesce(v_vis->>'about', 'members') ELSE visibility_about END,
	    visibility_affiliations = CASE WHEN v_vis ? 'affiliations'
	        THEN coalesce(v_vis->>'affiliations', 'members')
	        ELSE visibility_affiliations END,
	    visibility_mentoring = CASE WHEN v_vis ? 'mentoring'
	        THEN coalesce(v_vis->>'mentoring', 'members')
	        ELSE visibility_mentoring END,
	    invitations = CASE WHEN p ? 'invitations'
	        THEN coalesce(p->>'invitations', 'organizations')
	        ELSE invitations END,
	    updated_at = now()
	WHERE id = v_m.id
	RETURNING * INTO v_m;
	RETURN api.ok(200, api.member_own(v_m));
END;
$$;

-- What keeps a member from deleting their account (NULL: nothing).
-- Later migrations extend it: last admin of an organization, last owner
-- of a collaboration.
CREATE FUNCTION api.account_blockers(p_member bigint)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN NULL;
END;
$$;

-- Deleting an account removes the member row and, through the foreign
-- keys, everything personal.
CREATE FUNCTION api.me_delete(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, true);
	v_why	text := api.account_blockers(v_m.id);
BEGIN
	IF v_why IS NOT NULL THEN
		PERFORM api.fail(409, 'hand_over_first', v_why);
	END IF;
	DELETE FROM members WHERE id = v_m.id;
	RETURN api.ok(204, NULL);
END;
$$;

CREATE FUNCTION api.me_export(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, false);
BEGIN
	RETURN api.ok(200, jsonb_build_object(
	    'exported_at', api.ts(now()),
	    'profile', api.member_own(v_m),
	    'sessions', coalesce((SELECT jsonb_agg(api.session_json(s)
	        ORDER BY s.id) FROM sessions s
	        WHERE s.member_id = v_m.id AND s.kind = 'session'), '[]'),
	    'tokens', coalesce((SELECT jsonb_agg(api.token_json(s)
	        ORDER BY s.id) FROM sessions s
	        WHERE s.member_id = v_m.id AND s.kind = 'personal'), '[]'),
	    'memberships', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'organization', jsonb_build_object('id', o.id, 'slug', o.slug,
	            'name', o.name),
	        'role', ms.role, 'status', ms.status,
	        'created_at', api.ts(ms.created_at)) ORDER BY o.id)
	        FROM memberships ms JOIN organizations o
	            ON o.id = ms.organization_id
	        WHERE ms.member_id = v_m.id), '[]'),
	    'notifications', coalesce((SELECT jsonb_agg(api.notification_json(n)
	        ORDER BY n.id) FROM notifications n
	        WHERE n.member_id = v_m.id), '[]')));
END;
$$;

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
	  AND id::text <> current_setting('il.session_id');
	RETURN api.ok(204, NULL);
END;
$$;

-- Directory -----------------------------------------------------------------

-- Words of q as a prefix tsquery ("story ti" -> 'story':* & 'ti':*);
-- only letters and digits survive, so the query text cannot inject
-- tsquery syntax.
CREATE FUNCTION api.prefix_query(p_q text)
RETURNS tsquery LANGUAGE sql IMMUTABLE AS $$
	SELECT to_tsquery('simple', string_agg(quote_literal(w) || ':*', ' & '))
	FROM regexp_split_to_table(lower(p_q), '[^[:alnum:]]+') AS w
	WHERE w <> '';
$$;

CREATE FUNCTION api.members_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 2);
	v_tsq	tsquery := api.prefix_query(p_query->>'q');
	v_org	bigint;
	v_rows	jsonb;
	v_last	jsonb;
	v_n	integer;
BEGIN
	IF p_query ? 'q' AND v_tsq IS NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must contain a letter or digit', 'q');
	END IF;
	IF p_query ? 'organization' THEN
		v_org := api.org_id(p_query->>'organization', 'organization');
	END IF;
	WITH page AS (
		SELECT m.*
		FROM members m
		WHERE m.suspended_at IS NULL
		  AND (v_tsq IS NULL OR m.search @@ v_tsq)
		  AND (NOT p_query ? 'skill' OR (m.skills @> ARRAY[p_query->>'skill']
		      AND m.visibility_about <> 'private'))
		  AND (NOT p_query ? 'interest' OR
		      (m.interests @> ARRAY[p_query->>'interest']
		      AND m.visibility_about <> 'private'))
		  AND (NOT p_query ? 'city' OR (lower(m.city) =
		      lower(p_query->>'city') AND m.visibility_about <> 'private'))
		  AND (NOT p_query ? 'mentoring' OR (m.mentoring_available
		      AND m.visibility_mentoring <> 'private'))
		  AND (v_org IS NULL OR (m.visibility_affiliations <> 'private'
		      AND EXISTS (SELECT 1 FROM memberships ms
		          WHERE ms.member_id = m.id AND ms.organization_id = v_org
		            AND ms.status = 'active')))
		  AND (v_cur IS NULL OR (lower(m.display_name), m.id) >
		      (v_cur->>0, (v_cur->>1)::bigint))
		ORDER BY lower(m.display_name), m.id
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(api.member_view(page, v_me)
	           ORDER BY lower(page.display_name), page.id),
	       count(*)
	INTO v_rows, v_n FROM page;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_last := v_rows->(v_limit - 1);
		RETURN api.ok(200, jsonb_build_object('data', v_rows,
		    'next_cursor', api.cursor_encode(jsonb_build_array(
		        lower(v_last->>'display_name'), (v_last->>'id')::bigint))),
		    NULL, api.cursor_encode(jsonb_build_array(
		        lower(v_last->>'display_name'), (v_last->>'id')::bigint)));
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', NULL));
END;
$$;

CREATE FUNCTION api.member_get(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_m	members;
	v	jsonb;
BEGIN
	SELECT * INTO v_m FROM members WHERE id = (p_args->>'id')::bigint
	  AND (suspended_at IS NULL OR v_me.role = 'admin');
	v := api.member_view(v_m, v_me);
	IF v_m.id IS NULL OR v IS NULL THEN
		PERFORM api.fail(404, 'not_found', 'no such member');
	END IF;
	RETURN api.ok(200, v);
END;
$$;

CREATE FUNCTION api.member_suspend(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_admin	members := api.require_admin(p_token, true);
	v_id	bigint := (p_args->>'id')::bigint;
BEGIN
	IF v_id = v_admin.id THEN
		PERFORM api.fail(409, 'conflict', 'you cannot suspend yourself');
	END IF;
	UPDATE members SET suspended_at = coalesce(suspended_at, now()),
	    updated_at = now()
	WHERE id = v_id;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such member');
	END IF;
	UPDATE sessions SET revoked_at = now()
	WHERE member_id = v_id AND revoked_at IS NULL;
	RETURN api.ok(204, NULL);
END;
$$;

CREATE FUNCTION api.member_unsuspend(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_admin	members := api.require_admin(p_token, true);
BEGIN
	UPDATE members SET suspended_at = NULL, updated_at = now()
	WHERE id = (p_args->>'id')::bigint;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such member');
	END IF;
	RETURN api.ok(204, NULL);
END;
$$;

-- Notifications -------------------------------------------------------------

CREATE FUNCTION api.notification_json(n notifications)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', n.id, 'type', n.type,
	    'created_at', api.ts(n.created_at), 'read', n.read,
	    'subject', jsonb_build_object('type', n.subject_type,
	        'id', n.subject_id),
	    'text', n.text);
$$;

CREATE FUNCTION api.notify(p_member bigint, p_type text, p_subject_type text,
    p_subject_id bigint, p_text text)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO notifications (member_id, type, subject_type, subject_id, text)
	VALUES (p_member, p_type, p_subject_type, p_subject_id, p_text);
$$;

-- Unread first, then newest first; keyset on (read, created_at, id).
CREATE FUNCTION api.notifications_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, false);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 3);
	v_rows	jsonb;
	v_n	integer;
	v_last	notifications;
BEGIN
	WITH page AS (
		SELECT n.* FROM notifications n
		WHERE n.member_id = v_m.id
		  AND (NOT p_query ? 'unread' OR n.read = NOT (p_query->>'unread')::boolean)
		  AND (v_cur IS NULL OR (n.read, -extract(epoch FROM n.created_at), -n.id) >
		      ((v_cur->>0)::boolean, -(v_cur->>1)::numeric, -(v_cur->>2)::bigint))
		ORDER BY n.read, n.created_at DESC, n.id DESC
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(api.notification_json(page)
	           ORDER BY page.read, page.created_at DESC, page.id DESC),
	       count(*)
	INTO v_rows, v_n FROM page;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		SELECT * INTO v_last FROM notifications
		WHERE id = (v_rows->(v_limit - 1)->>'id')::bigint;
		RETURN api.ok(200, jsonb_build_object('data', v_rows,
		    'next_cursor', api.cursor_encode(jsonb_build_array(v_last.read,
		        extract(epoch FROM v_last.created_at), v_last.id))),
		    NULL, api.cursor_encode(jsonb_build_array(v_last.read,
		        extract(epoch FROM v_last.created_at), v_last.id)));
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', NULL));
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
