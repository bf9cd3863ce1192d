-- The stored event documents compressed with lz4 rather than pglz, the
-- default.  A row of event_docs (the document and its text, about 2 kB)
-- is over the size from which PostgreSQL compresses, so a list reads
-- each row's text (body) compressed and decompresses it for every row of
-- every page; lz4 decompresses several times faster, about as small.
ALTER TABLE event_docs
    ALTER COLUMN doc SET COMPRESSION lz4,
    ALTER COLUMN body SET COMPRESSION lz4;

-- A value keeps the compression it was written with: write each again
-- (a new value of doc, the same document, and so a new body).
UPDATE event_docs SET doc = doc || '{}';
