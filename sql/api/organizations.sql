-- Organizations (libraries, branches, associations) and their members.
-- The last-admin rule is the trigger core.memberships_keep_admin
-- (sql/migrations/0003_organizations.sql).

-- Resolving {id|slug} ----------------------------------------------------

-- The organization p_id locked for a write that honours If-Match (its
-- version compared with the request's, api.if_match); 404 when unknown.
CREATE FUNCTION api.org_lock(p_id bigint, p_args jsonb)
RETURNS organizations LANGUAGE plpgsql AS $$
DECLARE
	v_o	organizations;
BEGIN
	SELECT * INTO v_o FROM organizations WHERE id = p_id FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such organization');
	END IF;
	PERFORM api.if_match(p_args, v_o.version);
	RETURN v_o;
END;
$$;

-- The id of the organization named by an id or a slug; 404 naming
-- p_field when there is none.
CREATE FUNCTION api.org_id(p_ref text, p_field text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_id	bigint;
BEGIN
	IF p_ref ~ '^[0-9]{1,18}$' THEN
		SELECT id INTO v_id FROM organizations WHERE id = p_ref::bigint;
	ELSE
		SELECT id INTO v_id FROM organizations WHERE slug = lower(p_ref);
	END IF;
	IF v_id IS NULL THEN
		IF p_field IS NULL THEN
			PERFORM api.fail(404, 'not_found', 'no such organization');
		END IF;
		PERFORM api.fail(400, 'validation_failed',
		    'names no organization', p_field);
	END IF;
	RETURN v_id;
END;
$$;

CREATE FUNCTION api.org_role(p_org bigint, p_member bigint)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT CASE WHEN ms.status = 'active' THEN ms.role ELSE 'pending'
	    END FROM memberships ms
	    WHERE ms.organization_id = p_org AND ms.member_id = p_member);
END;
$$;

CREATE FUNCTION api.is_org_admin(p_org bigint, p_member members)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT p_member.role = 'admin' OR coalesce(api.org_role(p_org,
	    p_member.id) = 'admin', false);
$$;

CREATE FUNCTION api.require_org_admin(p_org bigint, p_member members)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT api.is_org_admin(p_org, p_member) THEN
		PERFORM api.fail(403, 'forbidden',
		    'only admins of this organization can do this');
	END IF;
END;
$$;

-- PL/pgSQL and plan_cache_mode auto: as the helpers of collaborations.sql.
CREATE FUNCTION api.org_ref(p_org bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE SET plan_cache_mode = auto AS $$
BEGIN
	RETURN (SELECT jsonb_build_object('id', o.id, 'slug', o.slug,
	    'name', o.name) FROM organizations o WHERE o.id = p_org);
END;
$$;

CREATE FUNCTION api.org_json(o organizations, p_viewer members)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN jsonb_build_object('id', o.id, 'slug', o.slug, 'name', o.name,
	    'kind', o.kind, 'city', o.city, 'website', o.website,
	    'description', o.description,
	    'latitude', o.latitude, 'longitude', o.longitude,
	    'archived', o.archived,
	    'member_count', coalesce((SELECT c.active_members
	        FROM organization_counts c WHERE c.organization_id = o.id), 0),
	    'membership', CASE WHEN p_viewer.id IS NULL THEN NULL ELSE
	        (SELECT jsonb_build_object('role', role, 'status', status)
	         FROM memberships WHERE organization_id = o.id
	           AND member_id = p_viewer.id) END,
	    'version', o.version,
	    'created_at', api.ts(o.created_at),
	    'updated_at', api.ts(o.updated_at));
END;
$$;

-- A slug from a name: lower case, runs of other characters to '-',
-- trimmed to 64; "org-" in front when it would have no letter.
CREATE FUNCTION api.slugify(p_name text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN s ~ '[a-z]' AND length(s) >= 3 THEN s
	    ELSE left('org-' || s, 64) END
	FROM (SELECT btrim(left(btrim(regexp_replace(lower(
	    translate(p_name, 'àáâãäåçèéêëìíîïñòóôõöùúûüýÿ',
	    'aaaaaaceeeeiiiinooooouuuuyy')), '[^a-z0-9]+', '-', 'g'), '-'), 64),
	    '-') AS s) t;
$$;

CREATE FUNCTION api.check_slug(p_slug text)
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_slug !~ '^[a-z0-9-]{3,64}$' THEN
		PERFORM api.fail(400, 'validation_failed', 'must be 3 to 64 '
		    'characters from a-z, 0-9 and -', 'slug');
	END IF;
	IF p_slug !~ '[a-z]' THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must contain at least one letter', 'slug');
	END IF;
END;
$$;

-- Endpoints --------------------------------------------------------------

CREATE FUNCTION api.orgs_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_pt	earth := api.near_point(p_query, v_me);
	v_cur	jsonb;
	v_tsq	tsquery := api.search_arg(p_query);
BEGIN
	IF v_pt IS NOT NULL THEN
		RETURN api.orgs_near(p_query, v_me, v_pt, v_tsq);
	END IF;
	v_cur := api.cursor_decode('organizations', p_query, '{text,bigint}');
	RETURN (WITH page AS (
		SELECT o.* FROM organizations o
		WHERE o.archived = coalesce((p_query->>'archived')::boolean, false)
		  AND (v_tsq IS NULL OR o.search @@ v_tsq)
		  AND (NOT p_query ? 'city' OR lower(o.city) = lower(p_query->>'city'))
		  AND (NOT p_query ? 'kind' OR o.kind = p_query->>'kind')
		  AND (v_cur IS NULL OR (lower(o.name), o.id) >
		      (v_cur->>0, (v_cur->>1)::bigint))
		ORDER BY lower(o.name), o.id
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('organizations',
	    array_agg(api.org_json(page, v_me)
	        ORDER BY lower(page.name), page.id),
	    array_agg(jsonb_build_array(lower(page.name), page.id) ORDER BY lower(page.name), page.id), p_query)
	FROM page);
END;
$$;

-- GET /v1/organizations?near=...: the organizations within the radius
-- of p_pt (api.near_point), nearest first, then by id, each with its
-- distance_km.  The rows come nearest first from
-- organizations_position_idx, as few as the page needs (api.near_take).
CREATE FUNCTION api.orgs_near(p_query jsonb, p_me members, p_pt earth,
    p_tsq tsquery)
RETURNS api.reply LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_cur	jsonb := api.cursor_decode('organizations', p_query,
	    '{numeric,bigint}');
	v_r	double precision := api.near_radius(p_query);
	v_rows	refcursor;
	v_ids	bigint[];
	v_ds	double precision[];
BEGIN
	OPEN v_rows FOR
		SELECT o.id, ll_to_earth(o.latitude, o.longitude) <-> p_pt AS d
		FROM organizations o
		WHERE earth_box(p_pt, v_r) @> ll_to_earth(o.latitude, o.longitude)
		  AND o.archived = coalesce((p_query->>'archived')::boolean, false)
		  AND (p_tsq IS NULL OR o.search @@ p_tsq)
		  AND (NOT p_query ? 'city' OR lower(o.city) = lower(p_query->>'city'))
		  AND (NOT p_query ? 'kind' OR o.kind = p_query->>'kind')
		  AND (v_cur IS NULL OR (ll_to_earth(o.latitude, o.longitude) <->
		      p_pt, o.id) > ((v_cur->>0)::double precision,
		      (v_cur->>1)::bigint))
		ORDER BY ll_to_earth(o.latitude, o.longitude) <-> p_pt;
	SELECT t.ids, t.chords INTO v_ids, v_ds
	FROM api.near_take(v_rows, api.page_size(p_query), v_r) t;
	RETURN (WITH page AS (
		SELECT o AS org, t.id, t.d
		FROM unnest(v_ids, v_ds) AS t(id, d)
		    JOIN organizations o ON o.id = t.id
		ORDER BY t.d, t.id
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('organizations',
	    array_agg(api.org_json(page.org, p_me) ||
	        jsonb_build_object('distance_km', api.distance_km(page.d))
	        ORDER BY page.d, page.id),
	    array_agg(jsonb_build_array(page.d, page.id)
	        ORDER BY page.d, page.id), p_query)
	FROM page);
END;
$$;

CREATE FUNCTION api.org_create(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_slug	text := coalesce(p_body->>'slug', api.slugify(p_body->>'name'));
	v_o	organizations;
BEGIN
	IF api.clean(p_body->>'name') IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'name');
	END IF;
	IF api.clean(p_body->>'city') IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'city');
	END IF;
	PERFORM api.check_slug(v_slug);
	PERFORM api.check_position(p_body, 'latitude', 'longitude', NULL, NULL);
	BEGIN
		INSERT INTO organizations (slug, name, kind, city, website,
		    description, latitude, longitude, created_by)
		VALUES (v_slug, btrim(p_body->>'name'), p_body->>'kind',
		    btrim(p_body->>'city'), api.clean(p_body->>'website'),
		    api.clean(p_body->>'description'),
		    (p_body->>'latitude')::double precision,
		    (p_body->>'longitude')::double precision, v_me.id)
		RETURNING * INTO v_o;
	EXCEPTION WHEN unique_violation THEN
		PERFORM api.fail(409, 'slug_taken', 'the slug "' || v_slug ||
		    '" is taken: choose another', 'slug');
	END;
	INSERT INTO memberships (organization_id, member_id, role, status)
	VALUES (v_o.id, v_me.id, 'admin', 'active');
	RETURN api.ok(201, api.org_json(v_o, v_me),
	    '/v1/organizations/' || v_o.id);
END;
$$;

CREATE FUNCTION api.org_get(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_o	organizations;
BEGIN
	SELECT * INTO v_o FROM organizations
	WHERE id = api.org_id(p_args->>'org');
	RETURN api.ok(200, api.org_json(v_o, v_me));
END;
$$;

CREATE FUNCTION api.org_patch(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_id	bigint := api.org_id(p_args->>'org');
	p	jsonb := p_body;
	v_o	organizations;
BEGIN
	PERFORM api.require_org_admin(v_id, v_me);
	v_o := api.org_lock(v_id, p_args);
	IF p ? 'slug' THEN
		PERFORM api.check_slug(p->>'slug');
	END IF;
	IF p ? 'name' AND api.clean(p->>'name') IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'name');
	END IF;
	IF p ? 'city' AND api.clean(p->>'city') IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'city');
	END IF;
	PERFORM api.check_position(p, 'latitude', 'longitude', v_o.latitude::numeric,
	    v_o.longitude::numeric);
	BEGIN
		UPDATE organizations SET
		    slug = CASE WHEN p ? 'slug' THEN p->>'slug' ELSE slug END,
		    latitude = CASE WHEN p ? 'latitude'
		        THEN (p->>'latitude')::double precision ELSE latitude END,
		    longitude = CASE WHEN p ? 'longitude'
		        THEN (p->>'longitude')::double precision ELSE longitude END,
		    name = CASE WHEN p ? 'name' THEN btrim(p->>'name') ELSE name END,
		    kind = CASE WHEN p ? 'kind' THEN p->>'kind' ELSE kind END,
		    city = CASE WHEN p ? 'city' THEN btrim(p->>'city') ELSE city END,
		    website = CASE WHEN p ? 'website'
		        THEN api.clean(p->>'website') ELSE website END,
		    description = CASE WHEN p ? 'description'
		        THEN api.clean(p->>'description') ELSE description END,
		    archived = CASE WHEN p ? 'archived'
		        THEN (p->>'archived')::boolean ELSE archived END,
		    updated_at = now()
		WHERE id = v_id
		RETURNING * INTO v_o;
	EXCEPTION WHEN unique_violation THEN
		PERFORM api.fail(409, 'slug_taken', 'the slug "' ||
		    (p->>'slug') || '" is taken: choose another', 'slug');
	END;
	RETURN api.ok_version(200, api.org_json(v_o, v_me), v_o.version);
END;
$$;

-- What keeps an organization from being deleted (NULL: nothing): its
-- events, or collaborations it hosts or takes part in.
CREATE FUNCTION api.org_in_use(p_org bigint)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE
	    WHEN EXISTS (SELECT 1 FROM events WHERE organization_id = p_org)
	        THEN 'events'
	    WHEN EXISTS (SELECT 1 FROM collaborations
	            WHERE organization_id = p_org)
	        OR EXISTS (SELECT 1 FROM collaboration_participants
	            WHERE organization_id = p_org)
	        THEN 'collaborations' END;
$$;

CREATE FUNCTION api.org_delete(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_id	bigint := api.org_id(p_args->>'org');
	v_use	text;
BEGIN
	PERFORM api.require_org_admin(v_id, v_me);
	PERFORM api.org_lock(v_id, p_args);
	v_use := api.org_in_use(v_id);
	IF v_use IS NOT NULL THEN
		PERFORM api.fail(409, 'in_use', 'this organization has ' || v_use
		    || ' and cannot be deleted: set "archived": true instead');
	END IF;
	DELETE FROM organizations WHERE id = v_id;
	RETURN api.ok(204, NULL);
END;
$$;

-- Members ----------------------------------------------------------------

CREATE FUNCTION api.org_membership_json(ms memberships, p_admin boolean)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('member', api.member_ref(ms.member_id),
	    'role', ms.role, 'status', ms.status,
	    'created_at', api.ts(ms.created_at));
$$;

-- Admins (and site admins) see everyone, pending requests included;
-- others see active members whose affiliations are visible to them.
CREATE FUNCTION api.org_members_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_id	bigint := api.org_id(p_args->>'org');
	v_admin	boolean := v_me.id IS NOT NULL AND api.is_org_admin(v_id, v_me);
	v_cur	jsonb := api.cursor_decode('org_members:' || v_id, p_query, '{bigint}');
BEGIN
	IF p_query ? 'status' AND NOT v_admin AND p_query->>'status' <> 'active' THEN
		PERFORM api.fail(403, 'forbidden',
		    'only admins of this organization see pending requests');
	END IF;
	RETURN (WITH page AS (
		SELECT ms.* FROM memberships ms JOIN members m ON m.id = ms.member_id
		WHERE ms.organization_id = v_id
		  AND (v_admin OR (ms.status = 'active'
		      AND api.can_see(m.visibility_affiliations, v_me, m.id)))
		  AND (NOT p_query ? 'status' OR ms.status = p_query->>'status')
		  AND (v_cur IS NULL OR ms.member_id > (v_cur->>0)::bigint)
		ORDER BY ms.member_id
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('org_members:' || v_id,
	    array_agg(api.org_membership_json(page, v_admin)
	        ORDER BY page.member_id),
	    array_agg(jsonb_build_array(page.member_id) ORDER BY page.member_id), p_query)
	FROM page);
END;
$$;

-- Without member_id: the caller asks to join (pending; admins notified).
-- With member_id: an admin adds that member directly (active).
CREATE FUNCTION api.org_member_add(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_id	bigint := api.org_id(p_args->>'org');
	v_o	organizations;
	v_who	bigint := coalesce((p_body->>'member_id')::bigint, v_me.id);
	v_ms	memberships;
	v_admin	boolean := api.is_org_admin(v_id, v_me);
BEGIN
	SELECT * INTO v_o FROM organizations WHERE id = v_id;
	IF v_o.archived THEN
		PERFORM api.fail(409, 'archived', 'this organization is archived');
	END IF;
	IF v_who <> v_me.id OR p_body ? 'role' THEN
		IF NOT v_admin THEN
			PERFORM api.fail(403, 'forbidden', 'only admins of this '
			    'organization can add other members or set roles');
		END IF;
		IF NOT EXISTS (SELECT 1 FROM members WHERE id = v_who
		    AND suspended_at IS NULL) THEN
			PERFORM api.fail(400, 'validation_failed',
			    'names no member', 'member_id');
		END IF;
		INSERT INTO memberships (organization_id, member_id, role, status)
		VALUES (v_id, v_who, coalesce(p_body->>'role', 'member'), 'active')
		ON CONFLICT (organization_id, member_id) DO NOTHING
		RETURNING * INTO v_ms;
		IF v_ms.member_id IS NULL THEN
			PERFORM api.fail(409, 'already_member', 'this member '
			    'already belongs to or asked to join the organization');
		END IF;
		PERFORM api.notify(v_who, 'membership_approved', 'organization',
		    v_id, 'You are now a member of ' || v_o.name || '.');
	ELSE
		INSERT INTO memberships (organization_id, member_id, role, status)
		VALUES (v_id, v_who, 'member', 'pending')
		ON CONFLICT (organization_id, member_id) DO NOTHING
		RETURNING * INTO v_ms;
		IF v_ms.member_id IS NULL THEN
			PERFORM api.fail(409, 'already_member', 'you already '
			    'belong to or asked to join this organization');
		END IF;
		PERFORM api.notify(a.member_id, 'membership_requested',
		    'organization', v_id, v_me.display_name || ' asked to join '
		    || v_o.name || '.')
		FROM memberships a
		WHERE a.organization_id = v_id AND a.role = 'admin'
		  AND a.status = 'active';
	END IF;
	RETURN api.ok(201, api.org_membership_json(v_ms, v_admin),
	    '/v1/organizations/' || v_id || '/members/' || v_who);
END;
$$;

-- Admins approve ({status: active}) and promote or demote ({role}).
CREATE FUNCTION api.org_member_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_id	bigint := api.org_id(p_args->>'org');
	v_who	bigint := (p_args->>'member_id')::bigint;
	v_old	memberships;
	v_ms	memberships;
BEGIN
	PERFORM api.require_org_admin(v_id, v_me);
	SELECT * INTO v_old FROM memberships
	WHERE organization_id = v_id AND member_id = v_who FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found',
		    'this member has no membership here');
	END IF;
	IF p_body->>'status' = 'pending' AND v_old.status = 'active' THEN
		PERFORM api.fail(409, 'conflict',
		    'an active membership cannot go back to pending');
	END IF;
	IF v_old.status = 'pending' AND p_body->>'role' = 'admin'
	    AND coalesce(p_body->>'status', 'pending') <> 'active' THEN
		PERFORM api.fail(409, 'conflict', 'approve the request '
		    '("status": "active") before making them an admin', 'role');
	END IF;
	UPDATE memberships SET
	    status = coalesce(p_body->>'status', status),
	    role = coalesce(p_body->>'role', role),
	    updated_at = now()
	WHERE organization_id = v_id AND member_id = v_who
	RETURNING * INTO v_ms;
	IF v_old.status = 'pending' AND v_ms.status = 'active' THEN
		PERFORM api.notify(v_who, 'membership_approved', 'organization',
		    v_id, 'Your request to join ' || name || ' was approved.')
		FROM organizations WHERE id = v_id;
	END IF;
	RETURN api.ok(200, api.org_membership_json(v_ms, true));
END;
$$;

-- Remove (admin), decline a request (admin) or leave (self).
CREATE FUNCTION api.org_member_delete(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_id	bigint := api.org_id(p_args->>'org');
	v_who	bigint := (p_args->>'member_id')::bigint;
BEGIN
	IF v_who <> v_me.id THEN
		PERFORM api.require_org_admin(v_id, v_me);
	END IF;
	DELETE FROM memberships WHERE organization_id = v_id AND member_id = v_who;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found',
		    'this member has no membership here');
	END IF;
	RETURN api.ok(204, NULL);
END;
$$;
