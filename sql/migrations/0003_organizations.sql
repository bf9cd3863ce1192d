-- Organizations (libraries, branches, associations) and memberships.
--
-- The last-admin rule lives here, in a trigger that serializes on the
-- organization row: two admins demoting each other at once cannot leave
-- an organization without an admin.

CREATE TABLE organizations (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug		text NOT NULL UNIQUE
	    CHECK (slug ~ '^[a-z0-9-]{3,64}$' AND slug ~ '[a-z]'),
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
	kind		text NOT NULL CHECK (kind IN ('public_library',
	    'academic_library', 'school_library', 'special_library',
	    'association', 'other')),
	city		text NOT NULL CHECK (length(city) BETWEEN 1 AND 80),
	website		text CHECK (length(website) <= 300),
	description	text CHECK (length(description) <= 4000),
	archived	boolean NOT NULL DEFAULT false,
	created_by	bigint REFERENCES members ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	search		tsvector GENERATED ALWAYS AS (to_tsvector('simple',
	    name || ' ' || city || ' ' || coalesce(description, ''))) STORED
);

CREATE INDEX organizations_name_idx ON organizations (lower(name), id);
CREATE INDEX organizations_city_idx ON organizations (lower(city));
CREATE INDEX organizations_search_idx ON organizations USING gin (search);

CREATE TABLE memberships (
	organization_id	bigint NOT NULL REFERENCES organizations ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	role		text NOT NULL DEFAULT 'member'
	    CHECK (role IN ('admin', 'member')),
	status		text NOT NULL DEFAULT 'pending'
	    CHECK (status IN ('pending', 'active')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (organization_id, member_id),
	-- Pending memberships confer nothing, so they carry no admin role.
	CHECK (status = 'active' OR role = 'member')
);

CREATE INDEX memberships_member_idx ON memberships (member_id, status);

-- Refuse any change that leaves an organization with no active admin.
-- The organization row is locked first, so concurrent demotions and
-- removals run one after the other and each counts what the previous
-- one committed.  When the organization itself is being deleted its row
-- is gone and there is nothing to protect.
CREATE FUNCTION core.memberships_keep_admin()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_org	organizations;
BEGIN
	IF OLD.role <> 'admin' OR OLD.status <> 'active' THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'UPDATE' AND NEW.role = 'admin' AND NEW.status = 'active' THEN
		RETURN NULL;
	END IF;
	SELECT * INTO v_org FROM organizations
	WHERE id = OLD.organization_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM memberships
	    WHERE organization_id = OLD.organization_id AND role = 'admin'
	      AND status = 'active') THEN
		PERFORM api.fail(409, 'last_admin', v_org.name || ' must keep at '
		    'least one admin: make someone else an admin first');
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER memberships_keep_admin
    AFTER UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION core.memberships_keep_admin();
