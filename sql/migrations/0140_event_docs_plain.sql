-- The stored event documents kept as they are, not compressed.
--
-- A row of event_docs (the document and its text, about 2.3 kB) is over
-- the size from which PostgreSQL compresses a row's long values (about
-- 2 kB, TOAST_TUPLE_TARGET), so every page of the list decompressed each
-- of its rows' text, though lz4 (0090).  Measured with pgbench (one
-- client, the signed-in first page of 20 of the peers' 100,000 events):
-- 305 us a statement with the rows compressed, 273 us without.  Rows
-- now stay as they are up to the most a page holds (8160 bytes); a
-- longer one is still compressed, with lz4, until it fits.  The table
-- takes about a third more room.
ALTER TABLE event_docs SET (toast_tuple_target = 8160);

-- A value keeps the way it was written: write each again (a new value of
-- doc, the same document, and so a new body).
UPDATE event_docs SET doc = doc || '{}';
