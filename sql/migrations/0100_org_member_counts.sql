-- How many active members each organization has, kept beside it, so that
-- a page of organizations never counts memberships: an association with
-- 20,000 members cost every organizations page about 2 ms to count.
--
-- A table of its own, not a column of organizations: an UPDATE of the
-- organization row would bump its version (0013_versions.sql) and lock it
-- against its admins' edits.
--
-- Exact by construction, as the event counts of 0008 are: a trigger on
-- memberships adjusts the count in the statement that changes a
-- membership, and the counter row's lock serializes the changes of one
-- organization.  A bulk load that skips triggers (session_replication_role
-- = replica) calls core.org_counts_refresh() afterwards.

CREATE TABLE organization_counts (
	organization_id	bigint PRIMARY KEY
	    REFERENCES organizations ON DELETE CASCADE,
	active_members	integer NOT NULL DEFAULT 0 CHECK (active_members >= 0)
);

CREATE FUNCTION core.memberships_count()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.organization_id = NEW.organization_id
	    AND OLD.status = NEW.status THEN
		RETURN NULL;
	END IF;
	-- Only an UPDATE: when the organization itself is being deleted its
	-- counter row may already be gone, and must not come back.
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
		UPDATE organization_counts SET active_members = active_members - 1
		WHERE organization_id = OLD.organization_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'active' THEN
		INSERT INTO organization_counts AS c (organization_id, active_members)
		VALUES (NEW.organization_id, 1)
		ON CONFLICT (organization_id) DO UPDATE
		SET active_members = c.active_members + 1;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER memberships_count
    AFTER INSERT OR UPDATE OF organization_id, status OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION core.memberships_count();

-- The counts recomputed from the memberships, for the organizations whose
-- count differs: after a bulk load, and here for those there are already.
CREATE FUNCTION core.org_counts_refresh()
RETURNS bigint LANGUAGE sql AS $$
	WITH c AS (
		SELECT o.id, count(ms.*) AS n
		FROM organizations o
		LEFT JOIN memberships ms ON ms.organization_id = o.id
		    AND ms.status = 'active'
		GROUP BY o.id
	), u AS (
		INSERT INTO organization_counts AS k (organization_id, active_members)
		SELECT c.id, c.n FROM c
		ON CONFLICT (organization_id) DO UPDATE
		SET active_members = EXCLUDED.active_members
		WHERE k.active_members <> EXCLUDED.active_members
		RETURNING 1
	)
	SELECT count(*) FROM u;
$$;

SELECT core.org_counts_refresh();
