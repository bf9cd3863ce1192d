-- Collaborations between libraries and their progress updates.  The
-- status machine and the last-owner rule are triggers of
-- sql/migrations/0007_collaborations.sql; participants (requests to
-- join, cost shares) are sql/api/participants.sql.
--
-- Who is who:
--   owner        an approved participant with role 'owner' (the creator
--                is the first); site admins may do what owners do;
--   insider      an owner, an approved participant, or a site admin: sees
--                messages and cost shares, and hidden collaborations;
--   anyone else  sees collaborations that are not hidden, their approved
--                participants, updates and cost totals.  Member names
--                follow the profile rule of the contract: members see
--                every display_name, anonymous callers only those whose
--                "about" group is public.
--
-- Functions here lock the collaboration before touching participant
-- rows (one lock order, as the last-owner trigger does).

-- Helpers ----------------------------------------------------------------

-- The helpers that read tables are PL/pgSQL: called per row, a SQL
-- function with a FROM or a subquery is not inlined and is planned again
-- on every call, where PL/pgSQL keeps its plans for the session.  SET
-- plan_cache_mode = auto: most lists that call them are
-- force_custom_plan, which would otherwise hold here too and plan their
-- query again on every call.  Call them in a select list, not as a
-- LATERAL function in FROM: a function scan per row (a tuplestore each)
-- cost an activity page about 90 us a row.

-- {id, display_name} of a member as p_viewer may see the name: members
-- see every name, anonymous callers only names whose "about" group is
-- public (api.md, profile fields).  NULL otherwise.
CREATE FUNCTION api.co_member_ref(p_member bigint, p_viewer members)
RETURNS jsonb LANGUAGE plpgsql STABLE SET plan_cache_mode = auto AS $$
BEGIN
	RETURN (SELECT jsonb_build_object('id', m.id, 'display_name', m.display_name)
	    FROM members m
	    WHERE m.id = p_member
	      AND (p_viewer.id IS NOT NULL OR m.visibility_about = 'public'));
END;
$$;

CREATE FUNCTION api.co_find(p_id bigint, p_lock boolean DEFAULT false)
RETURNS collaborations LANGUAGE plpgsql AS $$
DECLARE
	c	collaborations;
BEGIN
	IF p_lock THEN
		SELECT * INTO c FROM collaborations WHERE id = p_id
		FOR NO KEY UPDATE;
	ELSE
		SELECT * INTO c FROM collaborations WHERE id = p_id;
	END IF;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such collaboration');
	END IF;
	RETURN c;
END;
$$;

-- The viewer's role: 'owner', 'participant' (approved), or NULL.
CREATE FUNCTION api.co_role(p_collab bigint, p_member bigint)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN bool_or(role = 'owner') THEN 'owner'
	    WHEN count(*) > 0 THEN 'participant' END
	FROM collaboration_participants
	WHERE collaboration_id = p_collab AND member_id = p_member
	  AND status = 'approved';
$$;

CREATE FUNCTION api.co_is_owner(c collaborations, p_member members)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT p_member.id IS NOT NULL AND (p_member.role = 'admin'
	    OR coalesce(api.co_role(c.id, p_member.id) = 'owner', false));
$$;

CREATE FUNCTION api.co_is_insider(c collaborations, p_member members)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT p_member.id IS NOT NULL AND (p_member.role = 'admin'
	    OR api.co_role(c.id, p_member.id) IS NOT NULL);
$$;

-- The collaboration as p_viewer may see it, or 404: hidden ones only to
-- insiders.
CREATE FUNCTION api.co_visible(p_id bigint, p_viewer members,
    p_lock boolean DEFAULT false)
RETURNS collaborations LANGUAGE plpgsql AS $$
DECLARE
	c	collaborations := api.co_find(p_id, p_lock);
BEGIN
	IF c.hidden_at IS NOT NULL AND NOT api.co_is_insider(c, p_viewer) THEN
		PERFORM api.fail(404, 'not_found', 'no such collaboration');
	END IF;
	RETURN c;
END;
$$;

CREATE FUNCTION api.co_require_owner(c collaborations, p_member members)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT api.co_is_owner(c, p_member) THEN
		PERFORM api.fail(403, 'forbidden',
		    'only the owners of this collaboration can do this');
	END IF;
END;
$$;

-- 400 naming p_field when a required text is only blanks.
CREATE FUNCTION api.co_require_text(p_body jsonb, p_field text)
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_body ? p_field AND api.clean(p_body->>p_field) IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    p_field);
	END IF;
END;
$$;

CREATE FUNCTION api.co_money(p numeric)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(round(p, 2), 'FM9999999999999999990.00');
$$;

CREATE FUNCTION api.co_cost_totals(p_collab bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE SET plan_cache_mode = auto AS $$
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('currency', cur,
	    'amount', api.co_money(total)) ORDER BY cur), '[]')
	    FROM (SELECT cost_currency AS cur, sum(cost_amount) AS total
	          FROM collaboration_participants
	          WHERE collaboration_id = p_collab AND status = 'approved'
	            AND cost_amount IS NOT NULL
	          GROUP BY cost_currency) t);
END;
$$;

CREATE FUNCTION api.co_allowed(p_status text)
RETURNS jsonb LANGUAGE plpgsql STABLE SET plan_cache_mode = auto AS $$
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(t.to_status ORDER BY s.position), '[]')
	    FROM collaboration_transitions t
	    JOIN collaboration_statuses s ON s.status = t.to_status
	    WHERE t.from_status = p_status);
END;
$$;

-- SET plan_cache_mode = auto: the lists that call this per row are
-- force_custom_plan, which would otherwise hold here and in the helpers
-- too, planning each of their statements again on every row.
CREATE FUNCTION api.collaboration_json(c collaborations, p_viewer members)
RETURNS jsonb LANGUAGE plpgsql STABLE SET plan_cache_mode = auto AS $$
DECLARE
	v_mine	jsonb;
BEGIN
	IF p_viewer.id IS NOT NULL THEN
		SELECT jsonb_build_object('id', p.id, 'role', p.role,
		    'status', p.status)
		INTO v_mine
		FROM collaboration_participants p
		WHERE p.collaboration_id = c.id AND p.member_id = p_viewer.id
		ORDER BY (p.status = 'approved') DESC,
		    (p.status = 'pending') DESC, (p.role = 'owner') DESC,
		    p.id DESC
		LIMIT 1;
	END IF;
	RETURN jsonb_build_object(
	    'id', c.id, 'title', c.title, 'summary', c.summary,
	    'skills_wanted', to_jsonb(c.skills_wanted), 'status', c.status,
	    'allowed_transitions', api.co_allowed(c.status),
	    'organization', api.org_ref(c.organization_id),
	    'created_by', api.co_member_ref(c.created_by, p_viewer),
	    'owners', coalesce((SELECT to_jsonb(array_remove(array_agg(
	            api.co_member_ref(p.member_id, p_viewer) ORDER BY p.id), NULL))
	        FROM collaboration_participants p
	        WHERE p.collaboration_id = c.id AND p.role = 'owner'
	          AND p.status = 'approved'), '[]'),
	    'partner_organizations', coalesce((SELECT jsonb_agg(
	        api.org_ref(x.organization_id) ORDER BY x.first)
	        FROM (SELECT organization_id, min(id) AS first
	              FROM collaboration_participants
	              WHERE collaboration_id = c.id AND status = 'approved'
	                AND organization_id IS NOT NULL
	              GROUP BY organization_id) x), '[]'),
	    'participant_count', (SELECT count(*) FROM collaboration_participants
	        WHERE collaboration_id = c.id AND status = 'approved'),
	    'cost_totals', api.co_cost_totals(c.id),
	    'my_participation', v_mine,
	    'hidden', c.hidden_at IS NOT NULL,
	    'version', c.version,
	    'completed_at', api.ts(c.completed_at),
	    'created_at', api.ts(c.created_at),
	    'updated_at', api.ts(c.updated_at));
END;
$$;

CREATE FUNCTION api.update_json(u collaboration_updates, p_viewer members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', u.id,
	    'collaboration_id', u.collaboration_id,
	    'author', api.co_member_ref(u.author_id, p_viewer),
	    'body', u.body, 'created_at', api.ts(u.created_at));
$$;

-- The organization named in p_body->p_field, which p_member must admin
-- (site admins may name any); NULL when absent or null.
CREATE FUNCTION api.co_admined_org(p_body jsonb, p_field text,
    p_member members)
RETURNS organizations LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_o	organizations;
BEGIN
	IF coalesce(jsonb_typeof(p_body->p_field), 'null')
	    NOT IN ('string', 'number') THEN
		RETURN NULL;
	END IF;
	SELECT * INTO v_o FROM organizations
	WHERE id = api.org_id(p_body->>p_field, p_field);
	IF NOT api.is_org_admin(v_o.id, p_member) THEN
		PERFORM api.fail(403, 'forbidden', 'only admins of ' || v_o.name ||
		    ' can act for it', p_field);
	END IF;
	IF v_o.archived THEN
		PERFORM api.fail(409, 'archived', v_o.name || ' is archived',
		    p_field);
	END IF;
	RETURN v_o;
END;
$$;

-- Collaborations ---------------------------------------------------------

CREATE FUNCTION api.collaborations_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_admin	boolean := coalesce(v_me.role = 'admin', false);
	v_cur	jsonb := api.cursor_decode('collaborations', p_query, '{bigint}');
	v_tsq	tsquery := api.search_arg(p_query);
	v_org	bigint;
BEGIN
	IF p_query ? 'organization' THEN
		v_org := api.org_id(p_query->>'organization', 'organization');
	END IF;
	RETURN (WITH page AS (
		SELECT c.* FROM collaborations c
		WHERE (c.hidden_at IS NULL OR v_admin OR (v_me.id IS NOT NULL
		      AND api.co_role(c.id, v_me.id) IS NOT NULL))
		  AND (NOT p_query ? 'status' OR c.status = p_query->>'status')
		  AND (NOT p_query ? 'skill' OR
		      c.skills_wanted @> ARRAY[p_query->>'skill'])
		  AND (v_tsq IS NULL OR c.search @@ v_tsq)
		  AND (v_org IS NULL OR c.organization_id = v_org OR EXISTS (
		      SELECT 1 FROM collaboration_participants p
		      WHERE p.collaboration_id = c.id AND p.organization_id = v_org
		        AND p.status = 'approved'))
		  AND (v_cur IS NULL OR c.id < (v_cur->>0)::bigint)
		ORDER BY c.id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('collaborations',
	    array_agg(api.collaboration_json(page, v_me)
	        ORDER BY page.id DESC),
	    array_agg(jsonb_build_array(page.id) ORDER BY page.id DESC), p_query)
	FROM page);
END;
$$;
CREATE FUNCTION api.collaboration_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_o	organizations := api.co_admined_org(p_body, 'organization', v_me);
	c	collaborations;
BEGIN
	PERFORM api.co_require_text(p_body, 'title');
	PERFORM api.co_require_text(p_body, 'summary');
	INSERT INTO collaborations (title, summary, skills_wanted,
	    organization_id, created_by)
	VALUES (btrim(p_body->>'title'), btrim(p_body->>'summary'),
	    api.text_array(p_body->'skills_wanted'), v_o.id, v_me.id)
	RETURNING * INTO c;
	INSERT INTO collaboration_participants (collaboration_id, member_id,
	    organization_id, role, status, decided_at)
	VALUES (c.id, v_me.id, v_o.id, 'owner', 'approved', now());
	RETURN api.ok(201, api.collaboration_json(c, v_me),
	    '/v1/collaborations/' || c.id);
END;
$$;

CREATE FUNCTION api.collaboration_get(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
BEGIN
	RETURN api.ok(200, api.collaboration_json(
	    api.co_visible((p_args->>'id')::bigint, v_me), v_me));
END;
$$;

-- Owners edit (merge patch) and move the status; the status trigger
-- refuses moves outside collaboration_transitions.
CREATE FUNCTION api.collaboration_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	c	collaborations := api.co_visible((p_args->>'id')::bigint, v_me,
	    true);
	p	jsonb := p_body;
	v_org	bigint := c.organization_id;
BEGIN
	PERFORM api.co_require_owner(c, v_me);
	PERFORM api.if_match(p_args, c.version);
	IF c.status = 'archived' AND p - 'status' <> '{}' THEN
		PERFORM api.fail(409, 'archived',
		    'an archived collaboration cannot be edited');
	END IF;
	PERFORM api.co_require_text(p, 'title');
	PERFORM api.co_require_text(p, 'summary');
	IF p ? 'organization' THEN
		IF jsonb_typeof(p->'organization') = 'null' THEN
			v_org := NULL;
		ELSIF api.org_id(p->>'organization', 'organization')
		    IS DISTINCT FROM c.organization_id THEN
			v_org := (api.co_admined_org(p, 'organization', v_me)).id;
		END IF;
	END IF;
	UPDATE collaborations SET
	    title = CASE WHEN p ? 'title' THEN btrim(p->>'title') ELSE title END,
	    summary = CASE WHEN p ? 'summary' THEN btrim(p->>'summary')
	        ELSE summary END,
	    skills_wanted = CASE WHEN p ? 'skills_wanted'
	        THEN api.text_array(p->'skills_wanted') ELSE skills_wanted END,
	    status = coalesce(p->>'status', status),
	    organization_id = v_org,
	    updated_at = now()
	WHERE id = c.id
	RETURNING * INTO c;
	RETURN api.ok_version(200, api.collaboration_json(c, v_me), c.version);
END;
$$;

-- Updates ----------------------------------------------------------------

CREATE FUNCTION api.collaboration_updates(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	c	collaborations := api.co_visible((p_args->>'id')::bigint, v_me);
	v_cur	jsonb := api.cursor_decode('collaboration_updates:' || c.id, p_query, '{bigint}');
BEGIN
	RETURN (WITH page AS (
		SELECT u.* FROM collaboration_updates u
		WHERE u.collaboration_id = c.id
		  AND (v_cur IS NULL OR u.id < (v_cur->>0)::bigint)
		ORDER BY u.id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('collaboration_updates:' || c.id,
	    array_agg(api.update_json(page, v_me)
	        ORDER BY page.id DESC),
	    array_agg(jsonb_build_array(page.id) ORDER BY page.id DESC), p_query)
	FROM page);
END;
$$;
CREATE FUNCTION api.collaboration_update_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	c	collaborations := api.co_visible((p_args->>'id')::bigint, v_me);
	u	collaboration_updates;
BEGIN
	IF api.co_role(c.id, v_me.id) IS NULL AND v_me.role <> 'admin' THEN
		PERFORM api.fail(403, 'forbidden', 'only approved participants '
		    'and owners post updates');
	END IF;
	IF c.status = 'archived' THEN
		PERFORM api.fail(409, 'archived',
		    'an archived collaboration takes no updates');
	END IF;
	PERFORM api.co_require_text(p_body, 'body');
	INSERT INTO collaboration_updates (collaboration_id, author_id, body)
	VALUES (c.id, v_me.id, btrim(p_body->>'body'))
	RETURNING * INTO u;
	UPDATE collaborations SET updated_at = now() WHERE id = c.id;
	RETURN api.ok(201, api.update_json(u, v_me),
	    '/v1/collaborations/' || c.id || '/updates');
END;
$$;
