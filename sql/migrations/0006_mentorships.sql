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
CREATE FUNCTION core.lower_array(p text[])
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
    ON members USING gin (core.lower_array(mentoring_topics))
    WHERE mentoring_available AND suspended_at IS NULL;
CREATE INDEX members_mentor_city_idx ON members (lower(city))
    WHERE mentoring_available AND suspended_at IS NULL;
CREATE INDEX members_mentor_ids_idx ON members (id)
    WHERE mentoring_available AND suspended_at IS NULL;
-- Mentors among the members of the caller's organizations (index-only).
CREATE INDEX memberships_active_idx ON memberships (organization_id, member_id)
    WHERE status = 'active';

-- A new mentorship: status requested, the mentee's lock held while the
-- open-request limit, the duplicate rule and the mentor's availability
-- and capacity are checked.
CREATE FUNCTION core.mentorships_before_insert()
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
    FOR EACH ROW EXECUTE FUNCTION core.mentorships_before_insert();

-- Every UPDATE naming status: a row of mentorship_transitions, by the
-- party it names (il.actor); accepting locks the mentor and checks the
-- capacity.
CREATE FUNCTION core.mentorships_transition()
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
    FOR EACH ROW EXECUTE FUNCTION core.mentorships_transition();

-- The parties never change.
CREATE FUNCTION core.mentorships_fixed()
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
    FOR EACH ROW EXECUTE FUNCTION core.mentorships_fixed();

CREATE FUNCTION core.mentorships_notify()
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
    FOR EACH ROW EXECUTE FUNCTION core.mentorships_notify();
CREATE TRIGGER mentorships_notify_update
    AFTER UPDATE OF status ON mentorships
    FOR EACH ROW EXECUTE FUNCTION core.mentorships_notify();

-- Check-ins only while accepted, only by the two parties.  The
-- mentorship row is share-locked, so a check-in and a status change
-- cannot cross.
CREATE FUNCTION core.check_ins_before_insert()
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
    FOR EACH ROW EXECUTE FUNCTION core.check_ins_before_insert();
