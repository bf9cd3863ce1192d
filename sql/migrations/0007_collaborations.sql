-- Collaborations between libraries, their participants (members, or
-- organizations through one of their admins), cost shares, progress
-- updates; the community activity feed (JSON and RSS 2.0); reports and
-- hiding by site admins.
--
-- Invariants in the schema:
--   * status moves only along collaboration_transitions (a trigger;
--     anything else is 409 naming the allowed moves);
--   * a collaboration keeps at least one approved owner: the
--     participants trigger locks the collaboration row (FOR NO KEY
--     UPDATE) before counting, so owners leaving or being demoted at the
--     same time run one after the other and the last one is refused,
--     like memberships_keep_admin in 0003.  Functions here lock the
--     collaboration before touching participant rows (one lock order);
--   * cost shares are numeric(12,2) in a currency of three capital
--     letters (the API also checks it against the ISO 4217 list);
--   * one open participation (pending or approved) per member and
--     organization, and per organization.

-- Events: hiding (reports) and when the recap was published ---------------------

ALTER TABLE events ADD COLUMN recap_at timestamptz;
UPDATE events SET recap_at = updated_at WHERE recap IS NOT NULL;
ALTER TABLE events ADD CONSTRAINT events_recap_at_check
    CHECK ((recap IS NULL) = (recap_at IS NULL));

-- A recap is "published" when it first appears; edits keep the date.
-- (The API takes a recap only in edits; a row inserted with one, as demo
-- data is, counts as published a day after the event at the latest.)
CREATE FUNCTION core.events_recap_at()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.recap IS NULL THEN
		NEW.recap_at := NULL;
	ELSIF TG_OP = 'INSERT' THEN
		NEW.recap_at := coalesce(NEW.recap_at,
		    least(now(), NEW.ends_at + interval '1 day'));
	ELSIF OLD.recap IS NULL THEN
		NEW.recap_at := now();
	ELSE
		NEW.recap_at := OLD.recap_at;
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER events_recap_at
    BEFORE INSERT OR UPDATE OF recap ON events
    FOR EACH ROW EXECUTE FUNCTION core.events_recap_at();

-- Collaborations ------------------------------------------------------------

CREATE TABLE collaboration_statuses (
	status		text PRIMARY KEY,
	position	integer NOT NULL UNIQUE
);

INSERT INTO collaboration_statuses VALUES
    ('proposed', 1), ('seeking_partners', 2), ('active', 3),
    ('completed', 4), ('archived', 5);

-- The moves owners may make; anything else is refused by the trigger.
CREATE TABLE collaboration_transitions (
	from_status	text NOT NULL REFERENCES collaboration_statuses,
	to_status	text NOT NULL REFERENCES collaboration_statuses,
	PRIMARY KEY (from_status, to_status),
	CHECK (from_status <> to_status)
);

INSERT INTO collaboration_transitions VALUES
    ('proposed', 'seeking_partners'), ('seeking_partners', 'active'),
    ('active', 'completed'), ('proposed', 'archived'),
    ('seeking_partners', 'archived'), ('active', 'archived'),
    ('completed', 'archived');

CREATE TABLE collaborations (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	summary		text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
	skills_wanted	text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(skills_wanted) <= 20),
	status		text NOT NULL DEFAULT 'proposed'
	    REFERENCES collaboration_statuses,
	-- The organization hosting it (set by one of its admins), if any.
	organization_id	bigint REFERENCES organizations ON DELETE RESTRICT,
	created_by	bigint REFERENCES members ON DELETE SET NULL,
	completed_at	timestamptz,
	hidden_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	search		tsvector GENERATED ALWAYS AS (to_tsvector('simple',
	    title || ' ' || summary)) STORED,
	CHECK (status <> 'completed' OR completed_at IS NOT NULL)
);

-- GET /v1/collaborations is newest first (id DESC, the primary key);
-- filters: status, organization, skill (GIN), q (GIN full-text).
CREATE INDEX collaborations_status_idx ON collaborations (status, id);
CREATE INDEX collaborations_org_idx ON collaborations (organization_id, id);
CREATE INDEX collaborations_skills_idx ON collaborations USING gin (skills_wanted);
CREATE INDEX collaborations_search_idx ON collaborations USING gin (search);
-- The activity feed's branches.
CREATE INDEX collaborations_created_idx ON collaborations (created_at, id)
    WHERE hidden_at IS NULL;
CREATE INDEX collaborations_completed_idx ON collaborations (completed_at, id)
    WHERE hidden_at IS NULL AND completed_at IS NOT NULL;

CREATE FUNCTION core.collaborations_status()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_allowed	text;
BEGIN
	IF NEW.status = OLD.status THEN
		RETURN NEW;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM collaboration_transitions
	    WHERE from_status = OLD.status AND to_status = NEW.status) THEN
		SELECT string_agg(t.to_status, ', ' ORDER BY s.position)
		INTO v_allowed
		FROM collaboration_transitions t
		JOIN collaboration_statuses s ON s.status = t.to_status
		WHERE t.from_status = OLD.status;
		PERFORM api.fail(409, 'invalid_transition', 'a collaboration '
		    'cannot move from ' || OLD.status || ' to ' || NEW.status ||
		    coalesce('; allowed: ' || v_allowed,
		        '; it is ' || OLD.status || ' for good'), 'status');
	END IF;
	IF NEW.status = 'completed' THEN
		NEW.completed_at := now();
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER collaborations_status
    BEFORE UPDATE OF status ON collaborations
    FOR EACH ROW EXECUTE FUNCTION core.collaborations_status();

CREATE TABLE collaboration_participants (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	collaboration_id bigint NOT NULL REFERENCES collaborations
	    ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	-- Taking part on behalf of this organization (its admin asked).
	organization_id	bigint REFERENCES organizations ON DELETE RESTRICT,
	role		text NOT NULL DEFAULT 'participant'
	    CHECK (role IN ('owner', 'participant')),
	status		text NOT NULL DEFAULT 'pending'
	    CHECK (status IN ('pending', 'approved', 'declined', 'left')),
	message		text CHECK (length(message) <= 2000),
	skills_offered	text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(skills_offered) <= 20),
	cost_amount	numeric(12,2) CHECK (cost_amount >= 0),
	cost_currency	text CHECK (cost_currency ~ '^[A-Z]{3}$'),
	cost_note	text CHECK (length(cost_note) <= 500),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	decided_at	timestamptz,
	-- Only approved participants can be owners.
	CHECK (role = 'participant' OR status = 'approved'),
	CHECK ((cost_amount IS NULL) = (cost_currency IS NULL)),
	CHECK (cost_note IS NULL OR cost_amount IS NOT NULL)
);

CREATE UNIQUE INDEX collaboration_participants_open_key
    ON collaboration_participants (collaboration_id, member_id,
        coalesce(organization_id, 0))
    WHERE status IN ('pending', 'approved');
CREATE UNIQUE INDEX collaboration_participants_org_key
    ON collaboration_participants (collaboration_id, organization_id)
    WHERE organization_id IS NOT NULL AND status IN ('pending', 'approved');
CREATE INDEX collaboration_participants_list_idx
    ON collaboration_participants (collaboration_id, status, id);
CREATE INDEX collaboration_participants_member_idx
    ON collaboration_participants (member_id, status);
CREATE INDEX collaboration_participants_org_idx
    ON collaboration_participants (organization_id)
    WHERE organization_id IS NOT NULL;

-- Refuse any change that leaves a collaboration without an approved
-- owner.  The collaboration row is locked first, so concurrent leaves
-- and demotions run one after the other and each counts what the one
-- before committed.  When the collaboration itself is being deleted its
-- row is gone and there is nothing to protect.
CREATE FUNCTION core.collaboration_participants_keep_owner()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_c	collaborations;
BEGIN
	IF OLD.role <> 'owner' OR OLD.status <> 'approved' THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'UPDATE' AND NEW.role = 'owner' AND NEW.status = 'approved'
	    THEN
		RETURN NULL;
	END IF;
	SELECT * INTO v_c FROM collaborations
	WHERE id = OLD.collaboration_id FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM collaboration_participants
	    WHERE collaboration_id = OLD.collaboration_id AND role = 'owner'
	      AND status = 'approved') THEN
		PERFORM api.fail(409, 'last_owner', '"' || v_c.title || '" must '
		    'keep at least one owner: make someone else an owner first');
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER collaboration_participants_keep_owner
    AFTER UPDATE OR DELETE ON collaboration_participants
    FOR EACH ROW EXECUTE FUNCTION core.collaboration_participants_keep_owner();

CREATE TABLE collaboration_updates (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	collaboration_id bigint NOT NULL REFERENCES collaborations
	    ON DELETE CASCADE,
	author_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	body		text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX collaboration_updates_list_idx
    ON collaboration_updates (collaboration_id, id);
CREATE INDEX collaboration_updates_author_idx
    ON collaboration_updates (author_id);
CREATE INDEX collaboration_updates_created_idx
    ON collaboration_updates (created_at, id);

-- Reports -----------------------------------------------------------------------

-- subject_id names a row of the table subject_type names (checked when
-- the report is filed; the subject may be deleted later).
CREATE TABLE reports (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	reporter_id	bigint REFERENCES members ON DELETE SET NULL,
	subject_type	text NOT NULL CHECK (subject_type IN ('member', 'event',
	    'collaboration', 'invitation')),
	subject_id	bigint NOT NULL,
	reason		text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
	status		text NOT NULL DEFAULT 'open'
	    CHECK (status IN ('open', 'resolved')),
	subject_hidden	boolean NOT NULL DEFAULT false,
	resolved_by	bigint REFERENCES members ON DELETE SET NULL,
	resolved_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
	CHECK (NOT subject_hidden OR subject_type IN ('event', 'collaboration'))
);

-- One open report per reporter and subject.
CREATE UNIQUE INDEX reports_open_key ON reports (reporter_id, subject_type,
    subject_id) WHERE status = 'open';
CREATE INDEX reports_status_idx ON reports (status, id);
CREATE INDEX reports_subject_idx ON reports (subject_type, subject_id);

-- Activity indexes on events (created_at for new events, recap_at for
-- recaps; hidden and cancelled events never appear).
CREATE INDEX events_activity_created_idx ON events (created_at, id)
    WHERE hidden_at IS NULL AND status = 'scheduled';
CREATE INDEX events_activity_recap_idx ON events (recap_at, id)
    WHERE hidden_at IS NULL AND recap_at IS NOT NULL;
