-- The list reads its rows from the stored documents themselves.
--
-- A page of GET /v1/events without filters read 20 events in time order
-- from events (events_start_idx, events_ongoing_idx), then each one's
-- stored document and text by id: 20 more index descents and heap
-- fetches, about half the buffers a signed-in page touched.  Each
-- document now carries the event's place in time, its kind and whether
-- it is hidden, with the same two indexes, so the page is read in time
-- order from event_docs alone (api.event_docs_rows,
-- sql/api/events_read.sql).  core.event_docs_refresh writes them with the
-- document, from the event row, in the statement that changes the event
-- (the events_doc trigger, 0009): they are never older than the document.
--
-- The table is emptied and filled again rather than updated in place: an
-- UPDATE leaves each row's old version (columns still NULL) behind until
-- the transaction commits, and the index built in that transaction holds
-- those versions too; tstzrange(NULL, NULL) is the unbounded range, so
-- every search of event_docs_ongoing_idx would visit the whole index.
-- The documents are copied as they are stored (lz4, 0090); body is
-- generated again from them.
CREATE TEMP TABLE event_docs_copy ON COMMIT DROP AS
SELECT event_id, doc FROM event_docs;
TRUNCATE event_docs;
ALTER TABLE event_docs
    ADD COLUMN starts_at timestamptz NOT NULL,
    ADD COLUMN ends_at timestamptz NOT NULL,
    ADD COLUMN kind text NOT NULL,
    ADD COLUMN hidden_at timestamptz;
INSERT INTO event_docs (event_id, starts_at, ends_at, kind, hidden_at, doc)
SELECT c.event_id, e.starts_at, e.ends_at, e.kind, e.hidden_at, c.doc
FROM event_docs_copy c JOIN events e ON e.id = c.event_id;

CREATE INDEX event_docs_start_idx ON event_docs (starts_at, event_id);
CREATE INDEX event_docs_ongoing_idx ON event_docs
    USING gist (tstzrange(starts_at, ends_at, '[]'));

CREATE OR REPLACE FUNCTION core.event_docs_refresh(p_ids bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF to_regprocedure('api.event_stored_doc(bigint)') IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO event_docs (event_id, starts_at, ends_at, kind, hidden_at,
	    doc)
	SELECT e.id, e.starts_at, e.ends_at, e.kind, e.hidden_at,
	    api.event_stored_doc(e.id)
	FROM events e WHERE e.id = ANY (p_ids)
	ON CONFLICT (event_id) DO UPDATE SET starts_at = EXCLUDED.starts_at,
	    ends_at = EXCLUDED.ends_at, kind = EXCLUDED.kind,
	    hidden_at = EXCLUDED.hidden_at, doc = EXCLUDED.doc;
END;
$$;
