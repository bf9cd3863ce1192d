-- Mentor suggestions: ranked mentors for the caller, with reasons in
-- words the caller may see.

-- "12 Dec" this year, "12 Dec 2024" otherwise, in the event's zone.
CREATE FUNCTION api.event_day(p_at timestamptz, p_tz text)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT to_char(p_at AT TIME ZONE p_tz, CASE WHEN
	    extract(year FROM p_at AT TIME ZONE p_tz) =
	    extract(year FROM now() AT TIME ZONE p_tz)
	    THEN 'FMDD Mon' ELSE 'FMDD Mon YYYY' END);
$$;

-- Whether m may be suggested to p_me now: a free place, and no open
-- (requested or accepted) mentorship between them either way.
CREATE FUNCTION api.mentor_may_suggest(m members, p_me members)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT count(*) FROM mentorships x WHERE x.mentor_id = m.id
	        AND x.status = 'accepted') < m.mentoring_capacity
	   AND NOT EXISTS (SELECT 1 FROM mentorships x
	        WHERE x.status IN ('requested', 'accepted')
	          AND ((x.mentor_id = m.id AND x.mentee_id = p_me.id)
	            OR (x.mentor_id = p_me.id AND x.mentee_id = m.id)));
END;
$$;

-- The score of a mentor for a caller, met or not: 100 x organizations
-- in common + 10 x topics in common + 1 for the same city, at most 9
-- organizations and 9 topics counted (api.mentor_suggestions says why).
CREATE FUNCTION api.mentor_score(p_orgs integer, p_topics integer,
    p_same_city boolean)
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT 100 * least(p_orgs, 9) + 10 * least(p_topics, 9) +
	    CASE WHEN p_same_city THEN 1 ELSE 0 END;
$$;

-- What mentor m and p_me have in common, as p_me may see it: the names
-- of the organizations among p_orgs (p_me's) both belong to (none when
-- m's affiliations are hidden from p_me), the topics of m's among
-- p_interests (p_me's, lower case), whether both name the same city
-- p_city (p_me's, lower case; m's about group visible), and the score
-- that makes (api.mentor_score).
CREATE FUNCTION api.mentor_fit(m members, p_me members, p_orgs bigint[],
    p_interests text[], p_city text, OUT orgs text[], OUT topics text[],
    OUT same_city boolean, OUT score integer)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	orgs := '{}';
	IF cardinality(p_orgs) > 0
	    AND api.can_see(m.visibility_affiliations, p_me, m.id) THEN
		orgs := ARRAY(SELECT o.name FROM memberships ms
		    JOIN organizations o ON o.id = ms.organization_id
		    WHERE ms.member_id = m.id AND ms.status = 'active'
		      AND ms.organization_id = ANY (p_orgs)
		    ORDER BY lower(o.name), o.id);
	END IF;
	topics := ARRAY(SELECT t FROM unnest(m.mentoring_topics) AS t
	    WHERE lower(t) = ANY (p_interests));
	same_city := p_city IS NOT NULL AND lower(m.city) = p_city
	    AND api.can_see(m.visibility_about, p_me, m.id);
	score := api.mentor_score(cardinality(orgs), cardinality(topics),
	    same_city);
END;
$$;

-- One suggestion: the profile as p_me sees it, the score and the
-- reasons, strongest first (p_title NULL: not met; p_orgs NULL or empty:
-- no visible organization in common).
CREATE FUNCTION api.suggestion_json(m members, p_me members, p_score bigint,
    p_title text, p_venue text, p_starts timestamptz, p_tz text, p_n bigint,
    p_orgs text[], p_topics text[], p_same_city boolean)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('member', api.member_view(m, p_me),
	    'score', p_score,
	    'reasons', to_jsonb(array_remove(ARRAY[
	        CASE WHEN p_title IS NOT NULL THEN 'You both attended ' ||
	            p_title || coalesce(' at ' || p_venue, '') || ' on ' ||
	            api.event_day(p_starts, p_tz) ||
	            CASE p_n WHEN 1 THEN '' WHEN 2 THEN ' and 1 other event'
	            ELSE ' and ' || (p_n - 1) || ' other events' END END,
	        CASE WHEN cardinality(p_orgs) > 0 THEN 'You both belong to ' ||
	            api.words_and(p_orgs) END,
	        CASE WHEN cardinality(p_topics) > 0 THEN 'Mentors in ' ||
	            api.words_and(p_topics) || ', which you are interested in'
	        END,
	        CASE WHEN p_same_city THEN 'Also based in ' || m.city END],
	        NULL)));
$$;

-- Mentors near p_pt (GET /v1/mentors/suggestions?near=...): mentors
-- p_me may be suggested (the same exclusions as below) whose home area
-- is within the radius and whose about group p_me may see, nearest
-- first, then by id, whatever their score (shared topics and city
-- only), each with a distance_band and that band as its first reason.
-- The rows come nearest first from members_home_area_idx
-- (api.near_take).
CREATE FUNCTION api.mentor_suggestions_near(p_query jsonb, p_me members,
    p_pt earth)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_interests	text[] := core.lower_array(p_me.interests);
	v_city		text := lower(api.clean(p_me.city));
	v_limit		integer := (p_query->>'limit')::integer;
	v_r		double precision := api.near_radius(p_query);
	v_rows		refcursor;
	v_ids		bigint[];
	v_ds		double precision[];
BEGIN
	OPEN v_rows FOR
		SELECT m.id, ll_to_earth(m.home_latitude::double precision,
		    m.home_longitude::double precision) <-> p_pt AS d
		FROM members m
		WHERE earth_box(p_pt, v_r) @> ll_to_earth(
		      m.home_latitude::double precision,
		      m.home_longitude::double precision)
		  AND m.id <> p_me.id
		  AND m.mentoring_available AND m.suspended_at IS NULL
		  AND api.can_see(m.visibility_mentoring, p_me, m.id)
		  AND api.can_see(m.visibility_about, p_me, m.id)
		  AND api.mentor_may_suggest(m, p_me)
		ORDER BY ll_to_earth(m.home_latitude::double precision,
		    m.home_longitude::double precision) <-> p_pt;
	SELECT t.ids, t.chords INTO v_ids, v_ds
	FROM api.near_take(v_rows, v_limit, v_r) t;
	RETURN api.ok(200, jsonb_build_object('data', coalesce((
	    WITH near AS (
		SELECT m AS mem, t.id, t.d
		FROM unnest(v_ids, v_ds) AS t(id, d) JOIN members m ON m.id = t.id
		ORDER BY t.d, t.id
		LIMIT v_limit
	    ), scored AS (
		SELECT near.*, f.*
		FROM near, LATERAL api.mentor_fit(near.mem, p_me, '{}',
		    v_interests, v_city) f
	    )
	    SELECT jsonb_agg(j || jsonb_build_object('distance_band', b,
	        'reasons', jsonb_build_array(CASE b
	            WHEN 'under_5_km' THEN 'Based under 5 km away'
	            WHEN '5_to_20_km' THEN 'Based 5 to 20 km away'
	            ELSE 'Based over 20 km away' END) || (j->'reasons'))
	        ORDER BY s.d, s.id)
	    FROM scored s,
	        LATERAL api.distance_band(s.d) b,
	        LATERAL api.suggestion_json(s.mem, p_me, s.score, NULL, NULL,
	            NULL, NULL, NULL, NULL, s.topics, s.same_city) j), '[]')));
END;
$$;


-- The mentors p_me may be suggested whatever they have met, with a score
-- above 0 (api.mentor_fit without the meeting), in rank order: score,
-- then id; the first p_limit (NULL: all).  The caller's capacity and
-- open mentorship checks are left to the reader (api.mentor_may_suggest),
-- as they change with every mentorship.
--
-- Linear in the candidates: the mentors of the caller's organizations
-- (from members_mentor_cards_idx alone), of the caller's interests (GIN
-- on lower-cased topics) and of the caller's city.  random_page_cost:
-- the rows it reads are hot; with the default cost of 4 the planner
-- prefers reading all mentors in id order to 100 index lookups by city.
CREATE FUNCTION api.mentor_ranking(p_me members, p_orgs bigint[],
    p_interests text[], p_city text, p_limit integer)
RETURNS bigint[] LANGUAGE plpgsql STABLE SET random_page_cost = 1.1 AS $$
BEGIN
	RETURN ARRAY(
	    WITH shared AS (
		SELECT ms.member_id, count(*)::integer AS n
		FROM memberships ms
		WHERE ms.organization_id = ANY (p_orgs) AND ms.status = 'active'
		  AND ms.member_id IN (SELECT m.id FROM members m
		      WHERE m.mentoring_available AND m.suspended_at IS NULL)
		GROUP BY ms.member_id
	    ), cand AS (
		SELECT shared.member_id AS id FROM shared
		UNION
		SELECT m.id FROM members m
		WHERE m.mentoring_available AND m.suspended_at IS NULL
		  AND core.lower_array(m.mentoring_topics) && p_interests
		UNION
		SELECT m.id FROM members m
		WHERE m.mentoring_available AND m.suspended_at IS NULL
		  AND lower(m.city) = p_city
	    ), scored AS (
		SELECT m.id, api.mentor_score(
		    CASE WHEN api.can_see(m.visibility_affiliations, p_me, m.id)
		    THEN coalesce(shared.n, 0) ELSE 0 END,
		    cardinality(ARRAY(SELECT t FROM unnest(m.mentoring_topics) AS t
		        WHERE lower(t) = ANY (p_interests))),
		    p_city IS NOT NULL AND lower(m.city) = p_city
		        AND api.can_see(m.visibility_about, p_me, m.id)) AS score
		FROM cand JOIN members m ON m.id = cand.id
		LEFT JOIN shared ON shared.member_id = m.id
		WHERE m.id <> p_me.id
		  AND m.mentoring_available AND m.suspended_at IS NULL
		  AND api.can_see(m.visibility_mentoring, p_me, m.id)
	    )
	    SELECT s.id FROM scored s
	    WHERE s.score > 0
	    ORDER BY s.score DESC, s.id
	    LIMIT p_limit);
END;
$$;

-- Suggestions from p_ids in their order (a ranking of api.mentor_ranking),
-- without p_met (people met, ranked apart): the first p_limit that
-- api.mentor_may_suggest lets through, each looked up only until the
-- page is full.  A JSON array, NULL for none.
--
-- The rows are read in order and no join may reorder them: each mentor
-- is read by a subquery of its own (a join with members could be planned
-- as a hash join that scans members, and the LIMIT would then keep any
-- rows), in a subquery that is not flattened (OFFSET 0), so that it runs
-- once per row.
CREATE FUNCTION api.mentor_suggestions_of(p_ids bigint[], p_met bigint[],
    p_me members, p_orgs bigint[], p_interests text[], p_city text,
    p_limit integer)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT jsonb_agg(api.suggestion_json(t.mem, p_me, (t.f).score,
	    NULL, NULL, NULL, NULL, NULL, (t.f).orgs, (t.f).topics,
	    (t.f).same_city) ORDER BY t.ord)
	FROM (
		SELECT x.ord, x.mem,
		    api.mentor_fit(x.mem, p_me, p_orgs, p_interests, p_city) AS f
		FROM (
			SELECT u.ord, (SELECT m FROM members m WHERE m.id = u.id)
			    AS mem
			FROM (SELECT i.id, i.ord FROM unnest(p_ids) WITH ORDINALITY
			    AS i(id, ord) ORDER BY i.ord) u
			WHERE u.id <> ALL (p_met)
			OFFSET 0) x
		WHERE api.mentor_may_suggest(x.mem, p_me)
		LIMIT p_limit) t);
END;
$$;

-- Ranked mentors for the caller: {member, score, reasons[]}.
--
-- score = met + api.mentor_score (100 x shared organizations + 10 x
-- shared topics + city):
--   met: 1000 + (99 - weeks since the latest event that has ended where
--       both took part, at least 0), when there is one ("met" as in
--       api.met_event: going or recorded as attended, neither recorded
--       absent, the event not cancelled);
--   shared organizations (at most 9 counted): active memberships of both,
--       only when the mentor's affiliations are visible to the caller;
--   shared topics (at most 9 counted): the mentor's topics among the
--       caller's interests (case-insensitive);
--   city: 1 when both name the same city and the mentor's about group is
--       visible to the caller.
-- The caps make the tiers strict: anyone met outranks anyone not met
-- (non-met scores are at most 991), k shared organizations outrank k - 1
-- with any topics and city, and so on.  Ties: member id.  Only mentors
-- with a score above 0 are listed.
--
-- Excluded: the caller, mentors not available or suspended or full,
-- mentors whose mentoring group the caller may not see, and mentors the
-- caller has an open (requested or accepted) mentorship with, either way.
--
-- People met come first, read live: through the caller's few events, one
-- scan of each event's RSVPs and attendance.  The rest of the page comes
-- from the caller's ranking (api.mentor_ranking) of everyone else, kept
-- in mentor_rankings (0130_mentor_rankings.sql) while it is valid: its
-- first 200 mentors, and all of them only when those do not fill the page
-- (full mentors, people met).  Then a page costs the same whatever the
-- size of the caller's organizations.
CREATE FUNCTION api.mentor_suggestions(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me		members := api.auth(p_token, false);
	v_limit		integer := (p_query->>'limit')::integer;
	v_orgs		bigint[];
	v_interests	text[] := core.lower_array(v_me.interests);
	v_city		text := lower(api.clean(v_me.city));
	v_pt		earth := api.near_point(p_query, v_me);
	v_rows		jsonb;
	v_met		bigint[];
	v_more		jsonb;
	v_need		integer;	-- suggestions still wanted after the met
	v_epoch		bigint;
	v_ids		bigint[];
	v_complete	boolean;
BEGIN
	IF v_limit > 50 THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must be from 1 to 50', 'limit');
	END IF;
	IF v_pt IS NOT NULL THEN
		RETURN api.mentor_suggestions_near(p_query, v_me, v_pt);
	END IF;
	SELECT coalesce(array_agg(ms.organization_id
	    ORDER BY ms.organization_id), '{}') INTO v_orgs
	FROM memberships ms JOIN organizations o ON o.id = ms.organization_id
	WHERE ms.member_id = v_me.id AND ms.status = 'active'
	  AND NOT o.archived;

	-- 1. People met.
	WITH mine AS (
		SELECT e.id, e.title, e.venue, e.starts_at, e.ends_at, e.timezone
		FROM events e
		WHERE e.id IN (SELECT t.id FROM api.took_part(v_me.id) AS t(id))
		  AND e.ends_at < now() AND e.status = 'scheduled'
	), met_all AS (
		-- Who else took part in each: going or attended, never absent.
		SELECT p.member_id, mine.*
		FROM mine CROSS JOIN LATERAL (
			SELECT x.member_id FROM (
				SELECT r.member_id, true AS yes FROM rsvps r
				WHERE r.event_id = mine.id AND r.status = 'going'
				UNION ALL
				SELECT a.member_id, a.attended FROM attendance a
				WHERE a.event_id = mine.id) x
			GROUP BY x.member_id
			HAVING bool_and(x.yes)) p
		WHERE p.member_id <> v_me.id
	), met AS MATERIALIZED (
		SELECT DISTINCT ON (member_id) member_id, id AS event_id, title,
		    venue, starts_at, ends_at, timezone,
		    count(*) OVER (PARTITION BY member_id) AS n
		FROM met_all
		ORDER BY member_id, ends_at DESC, id DESC
	), scored AS (
		SELECT met.*, m AS mem, f.orgs, f.topics, f.same_city,
		    1000 + greatest(0, 99 - floor(extract(epoch FROM
		        now() - met.ends_at) / 604800))::integer + f.score AS total
		FROM met JOIN members m ON m.id = met.member_id
		CROSS JOIN LATERAL api.mentor_fit(m, v_me, v_orgs, v_interests,
		    v_city) f
		WHERE m.mentoring_available AND m.suspended_at IS NULL
		  AND api.can_see(m.visibility_mentoring, v_me, m.id)
	), top AS (
		SELECT * FROM scored s
		WHERE api.mentor_may_suggest(s.mem, v_me)
		ORDER BY s.total DESC, s.member_id
		LIMIT v_limit
	)
	SELECT (SELECT jsonb_agg(api.suggestion_json(top.mem, v_me, top.total,
	           top.title, top.venue, top.starts_at, top.timezone, top.n,
	           top.orgs, top.topics, top.same_city)
	           ORDER BY top.total DESC, top.member_id) FROM top),
	       (SELECT coalesce(array_agg(met.member_id), '{}') FROM met)
	INTO v_rows, v_met;

	-- 2. Everyone else, from the caller's ranking.
	v_need := v_limit - coalesce(jsonb_array_length(v_rows), 0);
	IF v_need > 0 THEN
		-- Read before the ranking is made: it can only be as new.
		SELECT x.epoch INTO v_epoch FROM mentor_ranking_epoch x;
		SELECT r.ids, r.complete INTO v_ids, v_complete
		FROM mentor_rankings r
		WHERE r.member_id = v_me.id AND r.epoch = v_epoch
		  AND r.organizations = v_orgs AND r.interests = v_interests
		  AND r.city IS NOT DISTINCT FROM v_city
		  AND r.site_admin = (v_me.role = 'admin');
		IF NOT FOUND THEN
			v_ids := api.mentor_ranking(v_me, v_orgs, v_interests,
			    v_city, 201);
			v_complete := cardinality(v_ids) <= 200;
			v_ids := v_ids[1:200];
			INSERT INTO mentor_rankings AS r (member_id, epoch,
			    organizations, interests, city, site_admin, ids,
			    complete)
			VALUES (v_me.id, v_epoch, v_orgs, v_interests, v_city,
			    v_me.role = 'admin', v_ids, v_complete)
			ON CONFLICT (member_id) DO UPDATE
			SET epoch = EXCLUDED.epoch,
			    organizations = EXCLUDED.organizations,
			    interests = EXCLUDED.interests, city = EXCLUDED.city,
			    site_admin = EXCLUDED.site_admin, ids = EXCLUDED.ids,
			    complete = EXCLUDED.complete;
		END IF;
		v_more := api.mentor_suggestions_of(v_ids, v_met, v_me, v_orgs,
		    v_interests, v_city, v_need);
		IF coalesce(jsonb_array_length(v_more), 0) < v_need
		    AND NOT v_complete THEN
			v_more := api.mentor_suggestions_of(api.mentor_ranking(v_me,
			    v_orgs, v_interests, v_city, NULL), v_met, v_me, v_orgs,
			    v_interests, v_city, v_need);
		END IF;
		v_rows := coalesce(v_rows, '[]') || coalesce(v_more, '[]');
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]')));
END;
$$;
