-- Each member's mentor suggestions ranked once and kept, so that a
-- suggestions page no longer scores every mentor of the caller's
-- organizations: an association of 20,000 members has some 10,000
-- mentors, about 60 ms a page at 1,000,000 events where a library's
-- members cost 7 ms (sql/api/mentor_suggestions.sql).
--
-- What is kept is the order of the mentors the caller may be suggested
-- by what they share without having met (organizations, topics, city),
-- and only the first ones: people met and the checks that change with
-- every mentorship (a free place, an open request) are read live.  A
-- ranking is valid while
--   - what it was ranked for is still the caller's: organizations,
--     interests, city and whether the caller is a site admin (kept in the
--     row and compared with the caller's on every read);
--   - no mentor has changed since: mentor_ranking_epoch counts the
--     transactions that changed what ranks a mentor (being available,
--     suspended, the visibility of the mentoring, about and affiliations
--     groups, city, topics, memberships), and a ranking keeps the count
--     it was made under.
-- A stale ranking is made again by the next read; nothing else writes
-- them.
--
-- The count is raised at commit (deferred triggers), once per
-- transaction: its row lock is then the last lock a transaction takes,
-- held for the commit only, so it can neither deadlock nor make writers
-- wait on each other for longer.  A reader that reads the count before
-- ranking can only rank data as new as the count or newer.  A bulk load
-- that skips triggers (session_replication_role = replica) calls
-- core.mentor_rankings_stale() afterwards.

CREATE TABLE mentor_ranking_epoch (
	only_row	boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	epoch		bigint NOT NULL
);
INSERT INTO mentor_ranking_epoch (epoch) VALUES (1);

-- ids: the mentors in rank order, the first ones only unless complete.
CREATE TABLE mentor_rankings (
	member_id	bigint PRIMARY KEY REFERENCES members ON DELETE CASCADE,
	epoch		bigint NOT NULL,
	organizations	bigint[] NOT NULL,
	interests	text[] NOT NULL,
	city		text,
	site_admin	boolean NOT NULL,
	ids		bigint[] NOT NULL,
	complete	boolean NOT NULL
);

-- Every ranking stale from the next commit on.
CREATE FUNCTION core.mentor_rankings_stale()
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('il.mentor_rankings_stale', true)
	    IS DISTINCT FROM 'on' THEN
		UPDATE mentor_ranking_epoch SET epoch = epoch + 1;
		PERFORM set_config('il.mentor_rankings_stale', 'on', true);
	END IF;
END;
$$;

CREATE FUNCTION core.mentors_changed()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM core.mentor_rankings_stale();
	RETURN NULL;
END;
$$;

-- A membership counts when its member is a mentor at commit (one who
-- stopped being one in the same transaction was counted by members).
CREATE FUNCTION core.mentor_memberships_changed()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM members m
	    WHERE m.id IN (OLD.member_id, NEW.member_id)
	      AND m.mentoring_available) THEN
		PERFORM core.mentor_rankings_stale();
	END IF;
	RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER members_mentor_insert
    AFTER INSERT ON members DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.mentoring_available)
    EXECUTE FUNCTION core.mentors_changed();
CREATE CONSTRAINT TRIGGER members_mentor_update
    AFTER UPDATE ON members DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN ((OLD.mentoring_available OR NEW.mentoring_available)
        AND (OLD.mentoring_available, OLD.suspended_at,
            OLD.visibility_mentoring, OLD.visibility_about,
            OLD.visibility_affiliations, OLD.city, OLD.mentoring_topics)
        IS DISTINCT FROM (NEW.mentoring_available, NEW.suspended_at,
            NEW.visibility_mentoring, NEW.visibility_about,
            NEW.visibility_affiliations, NEW.city, NEW.mentoring_topics))
    EXECUTE FUNCTION core.mentors_changed();
CREATE CONSTRAINT TRIGGER members_mentor_delete
    AFTER DELETE ON members DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.mentoring_available)
    EXECUTE FUNCTION core.mentors_changed();
CREATE CONSTRAINT TRIGGER memberships_mentor
    AFTER INSERT OR DELETE ON memberships DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION core.mentor_memberships_changed();
CREATE CONSTRAINT TRIGGER memberships_mentor_update
    AFTER UPDATE ON memberships DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN ((OLD.member_id, OLD.organization_id, OLD.status)
        IS DISTINCT FROM (NEW.member_id, NEW.organization_id, NEW.status))
    EXECUTE FUNCTION core.mentor_memberships_changed();
