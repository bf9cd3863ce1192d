-- Versions of what a write can change, for If-Match (sql/api/foundation.sql,
-- api.if_match): organizations, collaborations, mentorships and members
-- (the own profile, /v1/me) get a version that grows by one on every
-- change of their editable state; events already have one, sequence,
-- bumped by every edit and by cancelling (sql/api/events.sql).  Counts,
-- memberships, participants, updates and other rows that merely point at
-- a resource are not its editable state: other members' actions never
-- make an edit of it fail.

-- The version of a row goes up by one when one of the columns named in
-- the trigger's arguments changes, and never otherwise (a statement
-- setting it is ignored).  The arguments are the columns a write through
-- the API can change: name a new editable column there too.
CREATE FUNCTION core.version_bump()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_old	jsonb := to_jsonb(OLD);
	v_new	jsonb := to_jsonb(NEW);
	c	text;
BEGIN
	NEW.version := OLD.version;
	FOREACH c IN ARRAY TG_ARGV LOOP
		IF v_old->c IS DISTINCT FROM v_new->c THEN
			NEW.version := OLD.version + 1;
			EXIT;
		END IF;
	END LOOP;
	RETURN NEW;
END;
$$;

ALTER TABLE organizations
    ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
CREATE TRIGGER organizations_version
    BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION core.version_bump('slug', 'name', 'kind',
        'city', 'website', 'description', 'archived');

ALTER TABLE collaborations
    ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
CREATE TRIGGER collaborations_version
    BEFORE UPDATE ON collaborations
    FOR EACH ROW EXECUTE FUNCTION core.version_bump('title', 'summary',
        'skills_wanted', 'status', 'organization_id');

-- Named to run after mentorships_transition and mentorships_fixed
-- (triggers of one event run in name order).
ALTER TABLE mentorships
    ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
CREATE TRIGGER mentorships_version
    BEFORE UPDATE ON mentorships
    FOR EACH ROW EXECUTE FUNCTION core.version_bump('status',
        'status_reason', 'mentor_shares', 'mentee_shares');

ALTER TABLE members
    ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
CREATE TRIGGER members_version
    BEFORE UPDATE ON members
    FOR EACH ROW EXECUTE FUNCTION core.version_bump('display_name',
        'pronouns', 'title', 'bio', 'city', 'skills', 'interests',
        'mentoring_available', 'mentoring_topics', 'mentoring_capacity',
        'visibility_about', 'visibility_affiliations', 'visibility_mentoring',
        'invitations');
