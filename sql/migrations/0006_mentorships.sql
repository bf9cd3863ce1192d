-- Mentorships: requests to mentors, a status machine enforced by the
-- schema, check-ins, sharing consent, and mentor suggestions.
--
-- The status machine lives in the table mentorship_transitions and the
-- trigger mentorships_transition: every UPDATE that names status must
-- follow a row of that table, made by the party the row names.  The
-- party is the member in the transaction setting il.actor (set by the API
-- functions with set_config('il.actor', id, true)); an update of status
-- without it fails, so no code path, psql included, can bypass the
-- machine:
--
--   requested -> accepted | declined   (the mentor)
--   requested -> withdrawn             (the mentee)
--   accepted  -> completed | cancelled (either)
--
-- Concurrency: an UPDATE locks the mentorship row, so of many concurrent
-- changes of one mentorship the first wins and the others see its result
-- (and get 409).  Accepting also locks the mentor's members row (FOR NO
-- KEY UPDATE) before counting the accepted mentorships, so concurrent
-- accepts of different requests to one mentor run one after the other and
-- never pass the capacity.  A new request locks the mentee's row, so the
-- limit of 5 open requests and the no-duplicate rule hold under
-- concurrent requests too.  Lock order is always mentorship, then member.
--
-- Notifications are written by triggers in the same transaction as the
-- change: mentorship_requested to the mentor; accepted, declined,
-- cancelled and completed to the other party (a withdrawal has no
-- notification type).

-- Lower-cased items of a text array (topics and interests match without
-- regard to case).
CREATE FUNCTION api.lower_array(p text[])
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT coalesce(array_agg(lower(x)), '{}') FROM unnest(p) AS x;
$$;

CREATE TABLE mentorship_transitions (
	from_status	text NOT NULL,
	to_status	text NOT NULL,
	actor		text NOT NULL CHECK (actor IN ('mentor', 'mentee', 'either')),
	notification	text,
	PRIMARY KEY (from_status, to_status)
);

INSERT INTO mentorship_transitions VALUES
	('requested', 'accepted', 'mentor', 'mentorship_accepted'),
	('requested', 'declined', 'mentor', 'mentorship_declined'),
	('requested', 'withdrawn', 'mentee', NULL),
	('accepted', 'completed', 'either', 'mentorship_completed'),
	('accepted', 'cancelled', 'either', 'mentorship_cancelled');

CREATE TABLE mentorships (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	mentor_id		bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	mentee_id		bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	topic			text NOT NULL CHECK (length(topic) BETWEEN 1 AND 40),
	message			text NOT NULL
	    CHECK (length(message) BETWEEN 1 AND 2000),
	goals			text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(goals) <= 10),
	status			text NOT NULL DEFAULT 'requested'
	    CHECK (status IN ('requested', 'accepted', 'declined', 'withdrawn',
	        'completed', 'cancelled')),
	status_reason		text CHECK (length(status_reason) <= 1000),
	status_changed_by	bigint,
	-- Consent to show the completed mentorship in the community
	-- activity: each party's own, both needed.
	mentor_shares		boolean NOT NULL DEFAULT false,
	mentee_shares		boolean NOT NULL DEFAULT false,
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	accepted_at		timestamptz,
	ended_at		timestamptz,
	CHECK (mentor_id <> mentee_id),
	CHECK (status = 'completed' OR NOT (mentor_shares OR mentee_shares)),
	CHECK ((status IN ('requested', 'accepted')) = (ended_at IS NULL))
);

-- One open mentorship per pair; the backstop of the duplicate check.
CREATE UNIQUE INDEX mentorships_open_key ON mentorships (mentor_id, mentee_id)
    WHERE status IN ('requested', 'accepted');
-- Capacity (accepted per mentor) and the open-request limit per mentee.
CREATE INDEX mentorships_accepted_idx ON mentorships (mentor_id)
    WHERE status = 'accepted';
CREATE INDEX mentorships_requested_idx ON mentorships (mentee_id)
    WHERE status = 'requested';
-- GET /v1/mentorships (newest first, as mentor or as mentee).
CREATE INDEX mentorships_mentor_idx ON mentorships (mentor_id, id);
CREATE INDEX mentorships_mentee_idx ON mentorships (mentee_id, id);
-- The community activity (a later issue): completed and shared by both.
CREATE INDEX mentorships_shared_idx ON mentorships (ended_at, id)
    WHERE status = 'completed' AND mentor_shares AND mentee_shares;

CREATE TABLE mentorship_check_ins (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	mentorship_id	bigint NOT NULL REFERENCES mentorships ON DELETE CASCADE,
	author_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	on_date		date NOT NULL,
	note		text NOT NULL CHECK (length(note) BETWEEN 1 AND 4000),
	goals		text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(goals) <= 10),
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX mentorship_check_ins_idx
    ON mentorship_check_ins (mentorship_id, on_date DESC, id DESC);
CREATE INDEX mentorship_check_ins_author_idx
    ON mentorship_check_ins (author_id);

-- Mentor search and suggestions: available mentors by topic and by city.
CREATE INDEX members_mentor_topics_idx
    ON members USING gin (api.lower_array(mentoring_topics))
    WHERE mentoring_available AND suspended_at IS NULL;
CREATE INDEX members_mentor_city_idx ON members (lower(city))
    WHERE mentoring_available AND suspended_at IS NULL;
CREATE INDEX members_mentor_ids_idx ON members (id)
    WHERE mentoring_available AND suspended_at IS NULL;
-- Mentors among the members of the caller's organizations (index-only).
CREATE INDEX memberships_active_idx ON memberships (organization_id, member_id)
    WHERE status = 'active';

-- The status machine ----------------------------------------------------------

-- Who may move a mentorship in status p_from, in words:
-- "accepted or declined (by the mentor), withdrawn (by the mentee)".
-- NULL for a final status.
CREATE FUNCTION api.mentorship_allowed_text(p_from text)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT string_agg(s, ', ' ORDER BY a)
	FROM (SELECT array_position(ARRAY['mentor', 'mentee', 'either'], actor)
	          AS a, string_agg(to_status, ' or '
	          ORDER BY to_status) || CASE actor
	          WHEN 'either' THEN ' (by either party)'
	          ELSE ' (by the ' || actor || ')' END AS s
	      FROM mentorship_transitions WHERE from_status = p_from
	      GROUP BY actor) t;
$$;

-- A new mentorship: status requested, the mentee's lock held while the
-- open-request limit, the duplicate rule and the mentor's availability
-- and capacity are checked.
CREATE FUNCTION api.mentorships_before_insert()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_mentor	members;
BEGIN
	IF NEW.status <> 'requested' THEN
		PERFORM api.fail(409, 'invalid_transition',
		    'a mentorship starts as requested', 'status');
	END IF;
	PERFORM 1 FROM members WHERE id = NEW.mentee_id FOR NO KEY UPDATE;
	IF EXISTS (SELECT 1 FROM mentorships
	    WHERE mentor_id = NEW.mentor_id AND mentee_id = NEW.mentee_id
	      AND status IN ('requested', 'accepted')) THEN
		PERFORM api.fail(409, 'duplicate_request', 'you already have an '
		    'open mentorship with this mentor', 'mentor_id');
	END IF;
	IF (SELECT count(*) FROM mentorships
	    WHERE mentee_id = NEW.mentee_id AND status = 'requested') >= 5 THEN
		PERFORM api.fail(409, 'request_limit', 'you have 5 open requests '
		    'already: wait for an answer or withdraw one first');
	END IF;
	SELECT * INTO v_mentor FROM members WHERE id = NEW.mentor_id;
	IF NOT v_mentor.mentoring_available
	    OR v_mentor.suspended_at IS NOT NULL THEN
		PERFORM api.fail(409, 'mentor_unavailable',
		    'this member is not available as a mentor', 'mentor_id');
	END IF;
	IF (SELECT count(*) FROM mentorships WHERE mentor_id = NEW.mentor_id
	    AND status = 'accepted') >= v_mentor.mentoring_capacity THEN
		PERFORM api.fail(409, 'mentor_full', v_mentor.display_name ||
		    ' has no free places for mentees right now', 'mentor_id');
	END IF;
	NEW.status_changed_by := NEW.mentee_id;
	NEW.accepted_at := NULL;
	NEW.ended_at := NULL;
	NEW.mentor_shares := false;
	NEW.mentee_shares := false;
	RETURN NEW;
END;
$$;

CREATE TRIGGER mentorships_before_insert
    BEFORE INSERT ON mentorships
    FOR EACH ROW EXECUTE FUNCTION api.mentorships_before_insert();

-- Every UPDATE naming status: a row of mentorship_transitions, by the
-- party it names (il.actor); accepting locks the mentor and checks the
-- capacity.
CREATE FUNCTION api.mentorships_transition()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_actor		bigint := nullif(current_setting('il.actor', true),
	    '')::bigint;
	v_role		text;
	v_allowed	text;
	t		mentorship_transitions;
	v_mentor	members;
BEGIN
	IF v_actor IS NULL THEN
		RAISE EXCEPTION 'a mentorship status change needs il.actor';
	END IF;
	v_role := CASE v_actor WHEN OLD.mentor_id THEN 'mentor'
	    WHEN OLD.mentee_id THEN 'mentee' END;
	IF v_role IS NULL THEN
		PERFORM api.fail(403, 'forbidden', 'only the mentor and the '
		    'mentee can change the status of a mentorship', 'status');
	END IF;
	SELECT * INTO t FROM mentorship_transitions
	WHERE from_status = OLD.status AND to_status = NEW.status;
	IF NOT FOUND THEN
		v_allowed := api.mentorship_allowed_text(OLD.status);
		IF v_allowed IS NULL THEN
			PERFORM api.fail(409, 'invalid_transition', 'this mentorship '
			    'is ' || OLD.status || ', which is final: no status '
			    'change is allowed', 'status');
		END IF;
		PERFORM api.fail(409, 'invalid_transition', 'a ' || OLD.status ||
		    ' mentorship can only become ' || v_allowed, 'status');
	END IF;
	IF t.actor <> 'either' AND t.actor <> v_role THEN
		PERFORM api.fail(403, 'forbidden', 'only the ' || t.actor ||
		    ' can move a ' || OLD.status || ' mentorship to ' ||
		    NEW.status, 'status');
	END IF;
	IF NEW.status = 'accepted' THEN
		SELECT * INTO v_mentor FROM members WHERE id = OLD.mentor_id
		FOR NO KEY UPDATE;
		IF (SELECT count(*) FROM mentorships WHERE mentor_id = OLD.mentor_id
		    AND status = 'accepted') >= v_mentor.mentoring_capacity THEN
			PERFORM api.fail(409, 'mentor_full', 'you are mentoring ' ||
			    v_mentor.mentoring_capacity || ' people already, your '
			    'capacity: raise it in your profile or finish a '
			    'mentorship first', 'status');
		END IF;
		NEW.accepted_at := now();
	ELSE
		NEW.ended_at := now();
	END IF;
	NEW.status_changed_by := v_actor;
	NEW.updated_at := now();
	RETURN NEW;
END;
$$;

CREATE TRIGGER mentorships_transition
    BEFORE UPDATE OF status ON mentorships
    FOR EACH ROW EXECUTE FUNCTION api.mentorships_transition();

-- The parties never change.
CREATE FUNCTION api.mentorships_fixed()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.mentor_id <> OLD.mentor_id OR NEW.mentee_id <> OLD.mentee_id
	    OR NEW.created_at <> OLD.created_at THEN
		PERFORM api.fail(409, 'conflict',
		    'the mentor and mentee of a mentorship cannot change');
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER mentorships_fixed
    BEFORE UPDATE ON mentorships
    FOR EACH ROW EXECUTE FUNCTION api.mentorships_fixed();

CREATE FUNCTION api.mentorships_notify()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_type	text;
	v_to	bigint;
	v_who	text;
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM api.notify(NEW.mentor_id, 'mentorship_requested',
		    'mentorship', NEW.id, (SELECT display_name FROM members
		    WHERE id = NEW.mentee_id) || ' asked you to be their mentor '
		    'in ' || NEW.topic || '.');
		RETURN NULL;
	END IF;
	IF NEW.status = OLD.status THEN
		RETURN NULL;
	END IF;
	SELECT notification INTO v_type FROM mentorship_transitions
	WHERE from_status = OLD.status AND to_status = NEW.status;
	IF v_type IS NULL THEN
		RETURN NULL;
	END IF;
	v_to := CASE WHEN NEW.status_changed_by = NEW.mentor_id
	    THEN NEW.mentee_id ELSE NEW.mentor_id END;
	SELECT display_name INTO v_who FROM members
	WHERE id = NEW.status_changed_by;
	PERFORM api.notify(v_to, v_type, 'mentorship', NEW.id,
	    v_who || CASE NEW.status
	    WHEN 'accepted' THEN ' accepted your request for mentoring in '
	    WHEN 'declined' THEN ' declined your request for mentoring in '
	    WHEN 'cancelled' THEN ' cancelled your mentorship in '
	    ELSE ' marked your mentorship as completed: ' END ||
	    NEW.topic || coalesce(' (' || NEW.status_reason || ')', '') || '.');
	RETURN NULL;
END;
$$;

CREATE TRIGGER mentorships_notify_insert
    AFTER INSERT ON mentorships
    FOR EACH ROW EXECUTE FUNCTION api.mentorships_notify();
CREATE TRIGGER mentorships_notify_update
    AFTER UPDATE OF status ON mentorships
    FOR EACH ROW EXECUTE FUNCTION api.mentorships_notify();

-- Check-ins only while accepted, only by the two parties.  The
-- mentorship row is share-locked, so a check-in and a status change
-- cannot cross.
CREATE FUNCTION api.check_ins_before_insert()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	x	mentorships;
BEGIN
	SELECT * INTO x FROM mentorships WHERE id = NEW.mentorship_id FOR SHARE;
	IF NEW.author_id IS DISTINCT FROM x.mentor_id
	    AND NEW.author_id IS DISTINCT FROM x.mentee_id THEN
		PERFORM api.fail(403, 'forbidden',
		    'only the mentor and the mentee can add check-ins');
	END IF;
	IF x.status <> 'accepted' THEN
		PERFORM api.fail(409, 'not_active', 'check-ins can be added only '
		    'while the mentorship is accepted; this one is ' || x.status);
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER check_ins_before_insert
    BEFORE INSERT ON mentorship_check_ins
    FOR EACH ROW EXECUTE FUNCTION api.check_ins_before_insert();

-- Views -------------------------------------------------------------------------

CREATE FUNCTION api.mentor_open_slots(m members)
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT greatest(m.mentoring_capacity - (SELECT count(*)::integer
	    FROM mentorships WHERE mentor_id = m.id AND status = 'accepted'), 0);
$$;

CREATE FUNCTION api.mentorship_json(x mentorships, p_viewer members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', x.id,
	    'mentor', api.member_ref(x.mentor_id),
	    'mentee', api.member_ref(x.mentee_id),
	    'role', CASE p_viewer.id WHEN x.mentor_id THEN 'mentor'
	        WHEN x.mentee_id THEN 'mentee' END,
	    'topic', x.topic, 'message', x.message, 'goals', to_jsonb(x.goals),
	    'status', x.status, 'status_reason', x.status_reason,
	    'allowed_statuses', (SELECT coalesce(jsonb_agg(t.to_status
	        ORDER BY t.to_status), '[]') FROM mentorship_transitions t
	        WHERE t.from_status = x.status
	          AND (t.actor = 'either' AND p_viewer.id IN (x.mentor_id,
	              x.mentee_id)
	            OR t.actor = 'mentor' AND p_viewer.id = x.mentor_id
	            OR t.actor = 'mentee' AND p_viewer.id = x.mentee_id)),
	    'sharing', jsonb_build_object('mentor', x.mentor_shares,
	        'mentee', x.mentee_shares,
	        'public', x.status = 'completed' AND x.mentor_shares
	            AND x.mentee_shares),
	    'check_in_count', (SELECT count(*) FROM mentorship_check_ins
	        WHERE mentorship_id = x.id),
	    'created_at', api.ts(x.created_at),
	    'updated_at', api.ts(x.updated_at),
	    'accepted_at', api.ts(x.accepted_at),
	    'ended_at', api.ts(x.ended_at));
$$;

CREATE FUNCTION api.check_in_json(c mentorship_check_ins)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', c.id,
	    'author', api.member_ref(c.author_id),
	    'date', to_char(c.on_date, 'YYYY-MM-DD'), 'note', c.note,
	    'goals', to_jsonb(c.goals), 'created_at', api.ts(c.created_at));
$$;

-- The mentorship if p_viewer is one of its parties or a site admin;
-- 404 otherwise (nobody else learns that it exists).
CREATE FUNCTION api.mentorship_find(p_id bigint, p_viewer members)
RETURNS mentorships LANGUAGE plpgsql STABLE AS $$
DECLARE
	x	mentorships;
BEGIN
	SELECT * INTO x FROM mentorships WHERE id = p_id;
	IF NOT FOUND OR (p_viewer.id NOT IN (x.mentor_id, x.mentee_id)
	    AND p_viewer.role <> 'admin') THEN
		PERFORM api.fail(404, 'not_found', 'no such mentorship');
	END IF;
	RETURN x;
END;
$$;

-- Mentors -------------------------------------------------------------------------

-- Available mentors whose mentoring group the caller may see, by name
-- (signed-in callers only, like the directory: every name is visible to
-- them, so the cursor reveals nothing).  topic matches a mentoring topic
-- without regard to case; city matches only where the about group is
-- visible.
CREATE FUNCTION api.mentors_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 2);
	v_topic	text := lower(api.clean(p_query->>'topic'));
	v_city	text := lower(api.clean(p_query->>'city'));
	v_rows	jsonb;
	v_keys	jsonb;
	v_n	integer;
	v_next	text;
BEGIN
	WITH page AS (
		SELECT m.* FROM members m
		WHERE m.mentoring_available AND m.suspended_at IS NULL
		  AND api.can_see(m.visibility_mentoring, v_me, m.id)
		  AND (v_topic IS NULL OR
		      api.lower_array(m.mentoring_topics) @> ARRAY[v_topic])
		  AND (v_city IS NULL OR (lower(m.city) = v_city
		      AND api.can_see(m.visibility_about, v_me, m.id)))
		  AND (v_cur IS NULL OR (lower(m.display_name), m.id) >
		      (v_cur->>0, (v_cur->>1)::bigint))
		ORDER BY lower(m.display_name), m.id
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(jsonb_build_object(
	           'member', api.member_view(page, v_me),
	           'open_slots', api.mentor_open_slots(page))
	           ORDER BY lower(page.display_name), page.id),
	       jsonb_agg(jsonb_build_array(lower(page.display_name), page.id)
	           ORDER BY lower(page.display_name), page.id),
	       count(*)
	INTO v_rows, v_keys, v_n FROM page;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_next := api.cursor_encode(v_keys->(v_limit - 1));
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', v_next), NULL, v_next);
END;
$$;

-- "12 Dec" this year, "12 Dec 2024" otherwise, in the event's zone.
CREATE FUNCTION api.event_day(p_at timestamptz, p_tz text)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT to_char(p_at AT TIME ZONE p_tz, CASE WHEN
	    extract(year FROM p_at AT TIME ZONE p_tz) =
	    extract(year FROM now() AT TIME ZONE p_tz)
	    THEN 'FMDD Mon' ELSE 'FMDD Mon YYYY' END);
$$;

-- "a", "a and b", "a, b and c".
CREATE FUNCTION api.words_and(p text[])
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN cardinality(p) <= 1 THEN p[1]
	    ELSE array_to_string(p[1:cardinality(p) - 1], ', ') || ' and ' ||
	        p[cardinality(p)] END;
$$;

-- Whether m may be suggested to p_me now: a free place, and no open
-- (requested or accepted) mentorship between them either way.
CREATE FUNCTION api.mentor_may_suggest(m members, p_me members)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT (SELECT count(*) FROM mentorships x WHERE x.mentor_id = m.id
	        AND x.status = 'accepted') < m.mentoring_capacity
	   AND NOT EXISTS (SELECT 1 FROM mentorships x
	        WHERE x.status IN ('requested', 'accepted')
	          AND ((x.mentor_id = m.id AND x.mentee_id = p_me.id)
	            OR (x.mentor_id = p_me.id AND x.mentee_id = m.id)));
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
	v_interests	text[] := api.lower_array(v_me.interests);
	v_city		text := lower(api.clean(v_me.city));
	v_rows		jsonb;
	v_more		jsonb;
	v_seen		bigint[];
BEGIN
	IF v_limit > 50 THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must be from 1 to 50', 'limit');
	END IF;
	SELECT coalesce(array_agg(ms.organization_id), '{}') INTO v_orgs
	FROM memberships ms JOIN organizations o ON o.id = ms.organization_id
	WHERE ms.member_id = v_me.id AND ms.status = 'active'
	  AND NOT o.archived;

	-- 1. People met and people of the caller's organizations.
	WITH mine AS (
		SELECT e.id, e.title, e.venue, e.starts_at, e.ends_at, e.timezone
		FROM events e
		WHERE e.id IN (SELECT api.took_part(v_me.id))
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
		SELECT m AS mem, met.title, met.venue, met.starts_at,
		    met.timezone, met.n,
		    CASE WHEN met.member_id IS NOT NULL THEN 1000 + greatest(0,
		        99 - floor(extract(epoch FROM now() - met.ends_at) /
		            604800))::integer
		    ELSE 0 END AS met_points,
		    CASE WHEN api.can_see(m.visibility_affiliations, v_me, m.id)
		    THEN coalesce(shared.n, 0) ELSE 0 END AS n_orgs,
		    ARRAY(SELECT t FROM unnest(m.mentoring_topics) AS t
		        WHERE lower(t) = ANY (v_interests)) AS topics,
		    (v_city IS NOT NULL AND lower(m.city) = v_city
		        AND api.can_see(m.visibility_about, v_me, m.id)) AS same_city
		FROM members m
		LEFT JOIN met ON met.member_id = m.id
		LEFT JOIN shared ON shared.member_id = m.id
		WHERE m.id IN (SELECT member_id FROM met
		               UNION SELECT member_id FROM shared)
		  AND m.id <> v_me.id
		  AND m.mentoring_available AND m.suspended_at IS NULL
		  AND api.can_see(m.visibility_mentoring, v_me, m.id)
	), ranked AS MATERIALIZED (
		SELECT s.*, s.met_points + 100 * least(s.n_orgs, 9) +
		    10 * least(cardinality(s.topics), 9) +
		    CASE WHEN s.same_city THEN 1 ELSE 0 END AS score
		FROM scored s
		WHERE s.met_points > 0 OR s.n_orgs > 0
		ORDER BY score DESC, (s.mem).id
	), top AS (
		SELECT * FROM ranked r
		WHERE api.mentor_may_suggest(r.mem, v_me)
		LIMIT v_limit
	)
	SELECT (SELECT jsonb_agg(api.suggestion_json(top.mem, v_me, top.score,
	           top.title, top.venue, top.starts_at, top.timezone, top.n,
	           CASE WHEN top.n_orgs > 0 THEN ARRAY(SELECT o.name
	               FROM memberships ms
	               JOIN organizations o ON o.id = ms.organization_id
	               WHERE ms.member_id = (top.mem).id
	                 AND ms.status = 'active'
	                 AND ms.organization_id = ANY (v_orgs)
	               ORDER BY lower(o.name), o.id) END,
	           top.topics, top.same_city)
	           ORDER BY top.score DESC, (top.mem).id) FROM top),
	       (SELECT array_agg((ranked.mem).id) FROM ranked)
	INTO v_rows, v_seen;

	-- 2. When the page is not full: shared topics and the same city.
	IF coalesce(jsonb_array_length(v_rows), 0) < v_limit THEN
		WITH cand AS (
			SELECT m.id FROM members m
			WHERE m.mentoring_available AND m.suspended_at IS NULL
			  AND api.lower_array(m.mentoring_topics) && v_interests
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

-- Mentorships ---------------------------------------------------------------------

CREATE FUNCTION api.mentorship_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me		members := api.auth(p_token, true);
	v_mentor	members;
	v_topic		text := api.clean(p_body->>'topic');
	v_message	text := api.clean(p_body->>'message');
	x		mentorships;
BEGIN
	IF (p_body->>'mentor_id')::bigint = v_me.id THEN
		PERFORM api.fail(400, 'validation_failed',
		    'you cannot be your own mentor', 'mentor_id');
	END IF;
	SELECT * INTO v_mentor FROM members
	WHERE id = (p_body->>'mentor_id')::bigint AND suspended_at IS NULL;
	IF NOT FOUND THEN
		PERFORM api.fail(400, 'validation_failed', 'names no member',
		    'mentor_id');
	END IF;
	-- Hidden and unavailable read alike: nothing hidden is revealed.
	IF NOT v_mentor.mentoring_available OR NOT api.can_see(
	    v_mentor.visibility_mentoring, v_me, v_mentor.id) THEN
		PERFORM api.fail(409, 'mentor_unavailable',
		    'this member is not available as a mentor', 'mentor_id');
	END IF;
	IF v_topic IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'topic');
	END IF;
	IF v_message IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'message');
	END IF;
	INSERT INTO mentorships (mentor_id, mentee_id, topic, message, goals)
	VALUES (v_mentor.id, v_me.id, v_topic, v_message,
	    api.text_array(p_body->'goals'))
	RETURNING * INTO x;
	RETURN api.ok(201, api.mentorship_json(x, v_me),
	    '/v1/mentorships/' || x.id);
EXCEPTION WHEN unique_violation THEN
	PERFORM api.fail(409, 'duplicate_request', 'you already have an open '
	    'mentorship with this mentor', 'mentor_id');
	RETURN NULL;
END;
$$;

-- Own mentorships (as mentor or mentee), newest first.
CREATE FUNCTION api.mentorships_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 1);
	v_role	text := p_query->>'role';
	v_rows	jsonb;
	v_n	integer;
	v_next	text;
BEGIN
	WITH page AS (
		SELECT x.* FROM mentorships x
		WHERE ((v_role IS DISTINCT FROM 'mentee' AND x.mentor_id = v_me.id)
		    OR (v_role IS DISTINCT FROM 'mentor' AND x.mentee_id = v_me.id))
		  AND (NOT p_query ? 'status' OR x.status = p_query->>'status')
		  AND (v_cur IS NULL OR x.id < (v_cur->>0)::bigint)
		ORDER BY x.id DESC
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(api.mentorship_json(page, v_me) ORDER BY page.id DESC),
	    count(*)
	INTO v_rows, v_n FROM page;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_next := api.cursor_encode(jsonb_build_array(
		    (v_rows->(v_limit - 1)->>'id')::bigint));
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', v_next), NULL, v_next);
END;
$$;

CREATE FUNCTION api.mentorship_get(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
BEGIN
	RETURN api.ok(200, api.mentorship_json(api.mentorship_find(
	    (p_args->>'id')::bigint, v_me), v_me));
END;
$$;

-- {status, reason?} through the status machine (the trigger decides 403
-- and 409), and/or {share_publicly} for the caller's own side of a
-- completed mentorship.
CREATE FUNCTION api.mentorship_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	x	mentorships := api.mentorship_find((p_args->>'id')::bigint, v_me);
	v_share	boolean := (p_body->>'share_publicly')::boolean;
BEGIN
	IF v_me.id NOT IN (x.mentor_id, x.mentee_id) THEN
		PERFORM api.fail(403, 'forbidden',
		    'only the mentor and the mentee can change a mentorship');
	END IF;
	IF p_body ? 'reason' AND NOT p_body ? 'status' THEN
		PERFORM api.fail(400, 'validation_failed',
		    'goes with a status change', 'reason');
	END IF;
	IF p_body ? 'status' THEN
		PERFORM set_config('il.actor', v_me.id::text, true);
		UPDATE mentorships SET status = p_body->>'status',
		    status_reason = api.clean(p_body->>'reason')
		WHERE id = x.id
		RETURNING * INTO x;
	END IF;
	IF v_share IS NOT NULL THEN
		UPDATE mentorships SET
		    mentor_shares = CASE WHEN v_me.id = mentor_id THEN v_share
		        ELSE mentor_shares END,
		    mentee_shares = CASE WHEN v_me.id = mentee_id THEN v_share
		        ELSE mentee_shares END,
		    updated_at = now()
		WHERE id = x.id AND status = 'completed'
		RETURNING * INTO x;
		IF NOT FOUND THEN
			PERFORM api.fail(409, 'not_completed', 'only a completed '
			    'mentorship can be shared', 'share_publicly');
		END IF;
	END IF;
	RETURN api.ok(200, api.mentorship_json(x, v_me));
END;
$$;

-- Check-ins ---------------------------------------------------------------------

-- Readable by the parties (and site admins) in any status; newest date
-- first.
CREATE FUNCTION api.check_ins_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	x	mentorships := api.mentorship_find((p_args->>'id')::bigint, v_me);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 2);
	v_cdate	date;
	v_rows	jsonb;
	v_n	integer;
	v_last	jsonb;
	v_next	text;
BEGIN
	IF v_cur IS NOT NULL THEN
		BEGIN
			v_cdate := (v_cur->>0)::date;
		EXCEPTION WHEN data_exception THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is not a cursor this list gave out', 'cursor');
		END;
	END IF;
	WITH page AS (
		SELECT c.* FROM mentorship_check_ins c
		WHERE c.mentorship_id = x.id
		  AND (v_cur IS NULL OR (c.on_date, c.id) <
		      (v_cdate, (v_cur->>1)::bigint))
		ORDER BY c.on_date DESC, c.id DESC
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(api.check_in_json(page)
	    ORDER BY page.on_date DESC, page.id DESC), count(*)
	INTO v_rows, v_n FROM page;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_last := v_rows->(v_limit - 1);
		v_next := api.cursor_encode(jsonb_build_array(v_last->>'date',
		    (v_last->>'id')::bigint));
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', v_next), NULL, v_next);
END;
$$;

-- {date?, note, goals?}: date (YYYY-MM-DD, default today) from the day
-- the mentorship was requested to tomorrow (time zones); goals are some
-- of the mentorship's goals.
CREATE FUNCTION api.check_in_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	x	mentorships := api.mentorship_find((p_args->>'id')::bigint, v_me);
	v_date	date := current_date;
	v_note	text := api.clean(p_body->>'note');
	v_goals	text[] := api.text_array(p_body->'goals');
	v_bad	integer;
	c	mentorship_check_ins;
BEGIN
	IF v_me.id NOT IN (x.mentor_id, x.mentee_id) THEN
		PERFORM api.fail(403, 'forbidden',
		    'only the mentor and the mentee can add check-ins');
	END IF;
	IF p_body ? 'date' THEN
		IF p_body->>'date' !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
			PERFORM api.fail(400, 'validation_failed',
			    'must be a date like 2026-03-01', 'date');
		END IF;
		BEGIN
			v_date := (p_body->>'date')::date;
		EXCEPTION WHEN data_exception THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is not a valid date', 'date');
		END;
		IF v_date > current_date + 1 THEN
			PERFORM api.fail(400, 'validation_failed',
			    'must not be in the future', 'date');
		END IF;
		IF v_date < (x.created_at AT TIME ZONE 'UTC')::date - 1 THEN
			PERFORM api.fail(400, 'validation_failed', 'must not be '
			    'before the mentorship was requested', 'date');
		END IF;
	END IF;
	IF v_note IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    'note');
	END IF;
	SELECT min(o - 1) INTO v_bad
	FROM jsonb_array_elements_text(coalesce(p_body->'goals', '[]'))
	    WITH ORDINALITY AS t(g, o)
	WHERE NOT btrim(g) = ANY (x.goals);
	IF v_bad IS NOT NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'is not one of the goals of this mentorship',
		    'goals[' || v_bad || ']');
	END IF;
	INSERT INTO mentorship_check_ins (mentorship_id, author_id, on_date,
	    note, goals)
	VALUES (x.id, v_me.id, v_date, v_note, v_goals)
	RETURNING * INTO c;
	RETURN api.ok(201, api.check_in_json(c));
END;
$$;

-- Hooks of earlier migrations -------------------------------------------------

-- The account export gains the member's mentorships (as mentor and as
-- mentee) with their check-ins.  Whatever api.export_extra returns when
-- this migration runs (0004's events data, and anything a migration
-- before this one added) is kept by wrapping it rather than restating
-- it; api.export_extra stays the hook for later migrations.
ALTER FUNCTION api.export_extra(bigint) RENAME TO export_extra_pre_0006;

CREATE FUNCTION api.export_extra(p_member bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT api.export_extra_pre_0006(p_member) || jsonb_build_object(
	    'mentorships', coalesce((SELECT jsonb_agg(
	        api.mentorship_json(x, m) || jsonb_build_object('check_ins',
	            coalesce((SELECT jsonb_agg(api.check_in_json(c)
	                ORDER BY c.on_date, c.id)
	                FROM mentorship_check_ins c
	                WHERE c.mentorship_id = x.id), '[]'))
	        ORDER BY x.id)
	        FROM mentorships x, members m
	        WHERE m.id = p_member
	          AND (x.mentor_id = p_member OR x.mentee_id = p_member)), '[]'));
$$;
