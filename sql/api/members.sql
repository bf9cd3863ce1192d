-- Members: who a token belongs to, profiles and who may see what of them,
-- registration, the directory, and suspension by site admins.  Logging
-- in, sessions and tokens are sql/api/sessions.sql; the account as a
-- whole (export, deletion) is sql/api/account.sql.

-- Identity ---------------------------------------------------------------

-- The member a bearer token belongs to, or an error: 401 when the token
-- is unknown, expired or revoked, 403 when a read-only token writes or
-- the member is suspended.  Touches last_used_at (NULL until the first
-- use) at most once a minute; a login session's idle expiry counts from
-- its last use or, never used, from its creation.
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
	  AND (kind = 'personal' OR coalesce(last_used_at, created_at) >
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
	IF v_s.last_used_at IS NULL
	    OR v_s.last_used_at < now() - interval '1 minute' THEN
		UPDATE sessions SET last_used_at = now() WHERE id = v_s.id;
	END IF;
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

-- Views of a member ------------------------------------------------------

CREATE FUNCTION api.can_see(p_visibility text, p_viewer members,
    p_owner bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT p_visibility = 'public'
	    OR (p_viewer.id IS NOT NULL AND (p_visibility = 'members'
	        OR p_viewer.id = p_owner OR p_viewer.role = 'admin'));
$$;

-- The active affiliations of a member (memberships: 0003).
-- SET plan_cache_mode = auto: called per row by lists that are
-- force_custom_plan (members, mentors), which would otherwise plan this
-- query again for every row.
CREATE FUNCTION api.member_affiliations(p_member bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE SET plan_cache_mode = auto AS $$
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.id,
	    'slug', o.slug, 'name', o.name, 'role', ms.role)
	    ORDER BY o.name, o.id), '[]')
	    FROM memberships ms JOIN organizations o ON o.id = ms.organization_id
	    WHERE ms.member_id = p_member AND ms.status = 'active'
	      AND NOT o.archived);
END;
$$;

-- A profile as p_viewer may see it; NULL when nothing is visible.  Site
-- admins also see whether the member is suspended.
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
	IF p_viewer.role = 'admin' THEN
		v := v || jsonb_build_object('suspended', m.suspended_at IS NOT NULL);
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
	    'invitations', m.invitations,
	    'home_latitude', m.home_latitude, 'home_longitude', m.home_longitude,
	    'role', m.role,
	    'suspended', m.suspended_at IS NOT NULL,
	    'version', m.version,
	    'created_at', api.ts(m.created_at),
	    'updated_at', api.ts(m.updated_at));
$$;

-- Registration -----------------------------------------------------------

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

-- With "invitation" (the SHA-256 in hex of an email invitation's token:
-- the API hashes it before the call), the new member answers "going" to
-- the event (through api.rsvp_apply: the waitlist when it is full; not
-- when the event was cancelled or is over), the invitation is accepted
-- and its address forgotten, and when the account's address is the one
-- invited, the link proved it: verified, no verification mail.
CREATE FUNCTION api.register(p_body jsonb, p_hash text)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members;
	v_inv	email_invitations;
	e	events;
BEGIN
	INSERT INTO members (email, password_hash, display_name)
	VALUES (btrim(p_body->>'email'), p_hash,
	    btrim(p_body->>'display_name'))
	RETURNING * INTO v_m;
	IF p_body ? 'invitation' THEN
		v_inv := api.email_invitation_find(p_body->>'invitation',
		    'invitation');
		IF v_inv.status <> 'pending' THEN
			PERFORM api.fail(409, 'conflict', 'this invitation was '
			    'already used or reported: register without it',
			    'invitation');
		END IF;
		UPDATE email_invitations SET status = 'accepted', email = NULL,
		    member_id = v_m.id, responded_at = now()
		WHERE id = v_inv.id;
		IF api.address_hash(v_m.email) = v_inv.address_hash THEN
			UPDATE members SET email_verified = true
			WHERE id = v_m.id
			RETURNING * INTO v_m;
			-- Registering is asking for mail (as verifying is).
			DELETE FROM email_suppressions
			WHERE address_hash = v_inv.address_hash
			  AND reason = 'unsubscribed';
		END IF;
		SELECT * INTO e FROM events WHERE id = v_inv.event_id;
		IF e.status = 'scheduled' AND e.ends_at > now()
		    AND e.hidden_at IS NULL THEN
			PERFORM api.rsvp_apply(e.id, v_m.id, 'going', 0);
		END IF;
	END IF;
	IF NOT v_m.email_verified THEN
		PERFORM api.mail_verification(v_m);
	END IF;
	RETURN api.ok(201, api.member_own(v_m), '/v1/members/' || v_m.id);
EXCEPTION WHEN unique_violation THEN
	PERFORM api.fail(409, 'email_taken',
	    'an account with this email address already exists', 'email');
	RETURN NULL;
END;
$$;

-- Own profile ------------------------------------------------------------

-- The caller's own row locked for a write that honours If-Match (its
-- version compared with the request's, api.if_match).
CREATE FUNCTION api.me_lock(p_me members, p_args jsonb)
RETURNS members LANGUAGE plpgsql AS $$
DECLARE
	v_m	members;
BEGIN
	SELECT * INTO v_m FROM members WHERE id = p_me.id FOR NO KEY UPDATE;
	PERFORM api.if_match(p_args, v_m.version);
	RETURN v_m;
END;
$$;

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
	v_m := api.me_lock(v_m, p_args);
	PERFORM api.check_position(p, 'home_latitude', 'home_longitude',
	    v_m.home_latitude, v_m.home_longitude);
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
	    -- Coarse: rounded to 0.01 degree (the columns keep no more).
	    home_latitude = CASE WHEN p ? 'home_latitude'
	        THEN round((p->>'home_latitude')::numeric, 2) ELSE home_latitude END,
	    home_longitude = CASE WHEN p ? 'home_longitude'
	        THEN round((p->>'home_longitude')::numeric, 2)
	        ELSE home_longitude END,
	    updated_at = now()
	WHERE id = v_m.id
	RETURNING * INTO v_m;
	RETURN api.ok_version(200, api.member_own(v_m), v_m.version);
END;
$$;

-- Directory --------------------------------------------------------------

CREATE FUNCTION api.members_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_pt	earth := api.near_point(p_query, v_me);
	v_cur	jsonb;
	v_tsq	tsquery := api.search_arg(p_query);
	v_org	bigint;
BEGIN
	IF p_query ? 'organization' THEN
		v_org := api.org_id(p_query->>'organization', 'organization');
	END IF;
	IF v_pt IS NOT NULL THEN
		RETURN api.members_near(p_query, v_me, v_pt, v_tsq, v_org);
	END IF;
	v_cur := api.cursor_decode('members', p_query, '{text,bigint}');
	RETURN (WITH page AS (
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
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('members',
	    array_agg(api.member_view(page, v_me)
	        ORDER BY lower(page.display_name), page.id),
	    array_agg(jsonb_build_array(lower(page.display_name), page.id) ORDER BY lower(page.display_name), page.id), p_query)
	FROM page);
END;
$$;

-- GET /v1/members?near=... (people nearby): the other members whose home
-- area is within the radius of p_pt and whose about group p_me may see
-- (consent: a member who sets no home area, or keeps about private, is
-- never listed), with the other filters, nearest first, then by id.  The
-- distance is told only as a band (api.distance_band).  The rows come
-- nearest first from members_home_area_idx (api.near_take).
CREATE FUNCTION api.members_near(p_query jsonb, p_me members, p_pt earth,
    p_tsq tsquery, p_org bigint)
RETURNS api.reply LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_cur	jsonb := api.cursor_decode('members', p_query, '{numeric,bigint}');
	v_r	double precision := api.near_radius(p_query);
	v_rows	refcursor;
	v_ids	bigint[];
	v_ds	double precision[];
BEGIN
	OPEN v_rows FOR
		SELECT m.id, ll_to_earth(m.home_latitude::double precision,
		    m.home_longitude::double precision) <-> p_pt AS d
		FROM members m
		WHERE earth_box(p_pt, v_r) @> ll_to_earth(
		      m.home_latitude::double precision,
		      m.home_longitude::double precision)
		  AND m.id <> p_me.id AND m.suspended_at IS NULL
		  AND api.can_see(m.visibility_about, p_me, m.id)
		  AND (p_tsq IS NULL OR m.search @@ p_tsq)
		  AND (NOT p_query ? 'skill' OR m.skills @> ARRAY[p_query->>'skill'])
		  AND (NOT p_query ? 'interest' OR
		      m.interests @> ARRAY[p_query->>'interest'])
		  AND (NOT p_query ? 'city' OR lower(m.city) = lower(p_query->>'city'))
		  AND (NOT p_query ? 'mentoring' OR (m.mentoring_available
		      AND m.visibility_mentoring <> 'private'))
		  AND (p_org IS NULL OR (m.visibility_affiliations <> 'private'
		      AND EXISTS (SELECT 1 FROM memberships ms
		          WHERE ms.member_id = m.id AND ms.organization_id = p_org
		            AND ms.status = 'active')))
		  AND (v_cur IS NULL OR (ll_to_earth(
		      m.home_latitude::double precision,
		      m.home_longitude::double precision) <-> p_pt, m.id) >
		      ((v_cur->>0)::double precision, (v_cur->>1)::bigint))
		ORDER BY ll_to_earth(m.home_latitude::double precision,
		    m.home_longitude::double precision) <-> p_pt;
	SELECT t.ids, t.chords INTO v_ids, v_ds
	FROM api.near_take(v_rows, api.page_size(p_query), v_r) t;
	RETURN (WITH page AS (
		SELECT m AS mem, t.id, t.d
		FROM unnest(v_ids, v_ds) AS t(id, d) JOIN members m ON m.id = t.id
		ORDER BY t.d, t.id
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('members',
	    array_agg(api.member_view(page.mem, p_me) ||
	        jsonb_build_object('distance_band', api.distance_band(page.d))
	        ORDER BY page.d, page.id),
	    array_agg(jsonb_build_array(page.d, page.id)
	        ORDER BY page.d, page.id), p_query)
	FROM page);
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
	-- Thank-you notes and milestones the member shows (sql/api/thanks.sql).
	RETURN api.ok(200, v || api.member_celebrations(v_m, v_me));
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
