-- Several API nodes (issue 21): the public feeds cache of every worker of
-- every node is emptied by a notification that PostgreSQL sends when a
-- transaction that changed what the feeds and the anonymous event lists
-- show commits, whichever node (or psql session) made the change.
--
-- Channel "il_cache", payload "feeds": drop every public feed and list
-- entry (what the API's invalidation did before, by route).  NOTIFY
-- sends nothing for a transaction that rolls back, and collapses the same
-- channel and payload within one transaction into one notification, so a
-- statement-level trigger costs one notification per writing transaction.
-- The listening side is api/src/db/notify.c.

CREATE FUNCTION core.cache_notify()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('il_cache', 'feeds');
	RETURN NULL;
END;
$$;

CREATE TRIGGER events_cache_notify
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON events
FOR EACH STATEMENT EXECUTE FUNCTION core.cache_notify();

CREATE TRIGGER organizations_cache_notify
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organizations
FOR EACH STATEMENT EXECUTE FUNCTION core.cache_notify();

CREATE TRIGGER series_cache_notify
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON series
FOR EACH STATEMENT EXECUTE FUNCTION core.cache_notify();
