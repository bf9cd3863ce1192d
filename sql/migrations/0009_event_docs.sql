-- Every event's JSON, built once when the event changes rather than on
-- every read: event_docs holds, per event, everything its JSON says but
-- what depends on the reader (my_rsvp) or on the clock (attended_count),
-- which a read adds (sql/api/events.sql, api.event_docs).
--
-- What a document shows comes from the event row (its counts included,
-- 0008), its organization's name and slug, and its organizers' names;
-- the triggers below rebuild the documents a change touches, in the
-- statement that makes it.  The document's shape is API code
-- (api.event_stored_doc, in sql/api/events.sql): scripts/migrate.sh
-- rebuilds every document when a new API is installed with another
-- definition of it (core.derived keeps the definition the documents were
-- built with).

CREATE TABLE event_docs (
	event_id	bigint PRIMARY KEY REFERENCES events ON DELETE CASCADE,
	doc		jsonb NOT NULL
);

-- Derived data and the definition it was built with.
CREATE TABLE core.derived (
	name		text PRIMARY KEY,
	definition	text NOT NULL
);

-- Rebuild the documents of the events p_ids.  Until an API is installed
-- (a fresh database is migrated before its API), there is nothing to
-- build with: scripts/migrate.sh builds them all after installing it.
CREATE FUNCTION core.event_docs_refresh(p_ids bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF to_regprocedure('api.event_stored_doc(bigint)') IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO event_docs (event_id, doc)
	SELECT e.id, api.event_stored_doc(e.id)
	FROM events e WHERE e.id = ANY (p_ids)
	ON CONFLICT (event_id) DO UPDATE SET doc = EXCLUDED.doc;
END;
$$;

CREATE FUNCTION core.events_doc()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM core.event_docs_refresh(ARRAY[NEW.id]);
	RETURN NULL;
END;
$$;

CREATE TRIGGER events_doc
    AFTER INSERT OR UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION core.events_doc();

CREATE FUNCTION core.event_organizers_doc()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM core.event_docs_refresh(CASE TG_OP
	    WHEN 'INSERT' THEN ARRAY[NEW.event_id]
	    WHEN 'DELETE' THEN ARRAY[OLD.event_id]
	    ELSE ARRAY[OLD.event_id, NEW.event_id] END);
	RETURN NULL;
END;
$$;

CREATE TRIGGER event_organizers_doc
    AFTER INSERT OR UPDATE OR DELETE ON event_organizers
    FOR EACH ROW EXECUTE FUNCTION core.event_organizers_doc();

-- An organization's name or slug, or an organizer's name, changed.
CREATE FUNCTION core.organizations_doc()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM core.event_docs_refresh(ARRAY(SELECT id FROM events
	    WHERE organization_id = NEW.id));
	RETURN NULL;
END;
$$;

CREATE TRIGGER organizations_doc
    AFTER UPDATE OF name, slug ON organizations
    FOR EACH ROW WHEN ((OLD.name, OLD.slug) IS DISTINCT FROM
        (NEW.name, NEW.slug))
    EXECUTE FUNCTION core.organizations_doc();

CREATE FUNCTION core.members_doc()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM core.event_docs_refresh(ARRAY(SELECT event_id
	    FROM event_organizers WHERE member_id = NEW.id));
	RETURN NULL;
END;
$$;

CREATE TRIGGER members_doc
    AFTER UPDATE OF display_name ON members
    FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
    EXECUTE FUNCTION core.members_doc();
