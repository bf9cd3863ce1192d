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
		SELECT near.*,
		    ARRAY(SELECT x FROM unnest((near.mem).mentoring_topics) AS x
		        WHERE lower(x) = ANY (v_interests)) AS topics,
		    (v_city IS NOT NULL AND lower((near.mem).city) = v_city)
		        AS same_city
		FROM near
	    )
	    SELECT jsonb_agg(j || jsonb_build_object('distance_band', b,
	        'reasons', jsonb_build_array(CASE b
	            WHEN 'under_5_km' THEN 'Based under 5 km away'
	            WHEN '5_to_20_km' THEN 'Based 5 to 20 km away'
	            ELSE 'Based over 20 km away' END) || (j->'reasons'))
	        ORDER BY s.d, s.id)
	    FROM scored s,
	        LATERAL api.distance_band(s.d) b,
	        LATERAL api.suggestion_json(s.mem, p_me,
	            10 * least(cardinality(s.topics), 9) +
	            CASE WHEN s.same_city THEN 1 ELSE 0 END, NULL, NULL, NULL,
	            NULL, NULL, NULL, s.topics, s.same_city) j), '[]')));
END;
$$;

-- Ranked mentors for the caller: {member, score, reasons[]}.
--
-- score = met + 100 x shared organizations + 10 x shared topics + city:
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
-- Two queries, the second only when needed.  Anyone met or sharing a
-- visible organization scores at least 100, anyone else at most 91, so:
--   1. people met (through the caller's few events: one scan of each
--      event's RSVPs and attendance) and mentors among the active members
--      of the caller's organizations (index-only) are scored and ranked;
--   2. only when they do not fill the page, mentors of the caller's
--      interests (GIN on lower-cased topics) and in the caller's city
--      fill the rest.
-- The score needs only those sets and the candidate's own row; the
-- candidates are sorted once, and the checks that need a probe (capacity,
-- an open mentorship) run in that order only until the page is full.
--
-- random_page_cost: the rows it reads are hot (members, memberships, a
-- caller's few events); with the default cost of 4 the planner prefers
-- reading all 5,000 mentors in id order to 100 index lookups by city.
CREATE FUNCTION api.mentor_suggestions(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET random_page_cost = 1.1 AS $$
DECLARE
	v_me		members := api.auth(p_token, false);
	v_limit		integer := (p_query->>'limit')::integer;
	v_orgs		bigint[];
	v_interests	text[] := core.lower_array(v_me.interests);
	v_city		text := lower(api.clean(v_me.city));
	v_rows		jsonb;
	v_more		jsonb;
	v_seen		bigint[];
	v_pt		earth := api.near_point(p_query, v_me);
BEGIN
	IF v_limit > 50 THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must be from 1 to 50', 'limit');
	END IF;
	IF v_pt IS NOT NULL THEN
		RETURN api.mentor_suggestions_near(p_query, v_me, v_pt);
	END IF;
	SELECT coalesce(array_agg(ms.organization_id), '{}') INTO v_orgs
	FROM memberships ms JOIN organizations o ON o.id = ms.organization_id
	WHERE ms.member_id = v_me.id AND ms.status = 'active'
	  AND NOT o.archived;

	-- 1. People met and people of the caller's organizations.
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
	), met AS (
		SELECT DISTINCT ON (member_id) member_id, id AS event_id, title,
		    venue, starts_at, ends_at, timezone,
		    count(*) OVER (PARTITION BY member_id) AS n
		FROM met_all
		ORDER BY member_id, ends_at DESC, id DESC
	), shared AS (
		-- Mentors among the active members of the caller's organizations.
		SELECT ms.member_id, count(*) AS n
		FROM memberships ms
		WHERE ms.organization_id = ANY (v_orgs) AND ms.status = 'active'
		  AND ms.member_id IN (SELECT m.id FROM members m
		      WHERE m.mentoring_available AND m.suspended_at IS NULL)
		GROUP BY ms.member_id
	), scored AS (
		-- Narrow rows: the whole member row only for the page (top).
		SELECT m.id, met.title, met.venue, met.starts_at, met.timezone,
		    met.n,
		    CASE WHEN met.member_id IS NOT NULL THEN 1000 + greatest(0,
		        99 - floor(extract(epoch FROM now() - met.ends_at) /
		            604800))::integer
		    ELSE 0 END AS met_points,
		    CASE WHEN api.can_see(m.visibility_affiliations, v_me, m.id)
		    THEN coalesce(shared.n, 0) ELSE 0 END AS n_orgs,
		    tp.topics,
		    (v_city IS NOT NULL AND lower(m.city) = v_city
		        AND api.can_see(m.visibility_about, v_me, m.id)) AS same_city
		-- A full join is never a nested loop: linear whatever the
		-- (generic) plan guesses of how many share an organization.
		FROM met FULL JOIN shared ON shared.member_id = met.member_id
		JOIN members m ON m.id = coalesce(met.member_id, shared.member_id)
		-- Once per row (OFFSET 0: not copied into the score).
		CROSS JOIN LATERAL (SELECT ARRAY(SELECT t
		    FROM unnest(m.mentoring_topics) AS t
		    WHERE lower(t) = ANY (v_interests)) AS topics OFFSET 0) tp
		WHERE m.id <> v_me.id
		  AND m.mentoring_available AND m.suspended_at IS NULL
		  AND api.can_see(m.visibility_mentoring, v_me, m.id)
	), ranked AS MATERIALIZED (
		SELECT s.*, s.met_points + 100 * least(s.n_orgs, 9) +
		    10 * least(cardinality(s.topics), 9) +
		    CASE WHEN s.same_city THEN 1 ELSE 0 END AS score
		FROM scored s
		WHERE s.met_points > 0 OR s.n_orgs > 0
		ORDER BY score DESC, s.id
	), top AS (
		-- In rank order, each row looked up only until the page is full.
		SELECT r.*, m.mem FROM ranked r
		CROSS JOIN LATERAL (SELECT m AS mem FROM members m
		    WHERE m.id = r.id) m
		WHERE api.mentor_may_suggest(m.mem, v_me)
		LIMIT v_limit
	)
	SELECT (SELECT jsonb_agg(api.suggestion_json(top.mem, v_me, top.score,
	           top.title, top.venue, top.starts_at, top.timezone, top.n,
	           CASE WHEN top.n_orgs > 0 THEN ARRAY(SELECT o.name
	               FROM memberships ms
	               JOIN organizations o ON o.id = ms.organization_id
	               WHERE ms.member_id = top.id
	                 AND ms.status = 'active'
	                 AND ms.organization_id = ANY (v_orgs)
	               ORDER BY lower(o.name), o.id) END,
	           top.topics, top.same_city)
	           ORDER BY top.score DESC, top.id) FROM top),
	       (SELECT array_agg(top.id) FROM top)
	INTO v_rows, v_seen;

	-- 2. When the page is not full: shared topics and the same city,
	-- without those already on it (v_seen).  Anyone else ranked in 1 was
	-- left out by api.mentor_may_suggest, which leaves them out here too.
	IF coalesce(jsonb_array_length(v_rows), 0) < v_limit THEN
		WITH cand AS (
			SELECT m.id FROM members m
			WHERE m.mentoring_available AND m.suspended_at IS NULL
			  AND core.lower_array(m.mentoring_topics) && v_interests
			UNION
			SELECT m.id FROM members m
			WHERE m.mentoring_available AND m.suspended_at IS NULL
			  AND lower(m.city) = v_city
		), scored AS (
			SELECT m AS mem,
			    ARRAY(SELECT t FROM unnest(m.mentoring_topics) AS t
			        WHERE lower(t) = ANY (v_interests)) AS topics,
			    (v_city IS NOT NULL AND lower(m.city) = v_city
			        AND api.can_see(m.visibility_about, v_me, m.id))
			        AS same_city
			FROM members m
			WHERE m.id IN (SELECT id FROM cand)
			  AND m.id <> v_me.id
			  AND m.id <> ALL (coalesce(v_seen, '{}'))
			  AND api.can_see(m.visibility_mentoring, v_me, m.id)
		), ranked AS MATERIALIZED (
			SELECT s.*, 10 * least(cardinality(s.topics), 9) +
			    CASE WHEN s.same_city THEN 1 ELSE 0 END AS score
			FROM scored s
			WHERE cardinality(s.topics) > 0 OR s.same_city
			ORDER BY score DESC, (s.mem).id
		), top AS (
			SELECT * FROM ranked r
			WHERE api.mentor_may_suggest(r.mem, v_me)
			LIMIT v_limit - coalesce(jsonb_array_length(v_rows), 0)
		)
		SELECT jsonb_agg(api.suggestion_json(top.mem, v_me, top.score,
		    NULL, NULL, NULL, NULL, NULL, NULL, top.topics, top.same_city)
		    ORDER BY top.score DESC, (top.mem).id)
		INTO v_more FROM top;
		v_rows := coalesce(v_rows, '[]') || coalesce(v_more, '[]');
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]')));
END;
$$;
