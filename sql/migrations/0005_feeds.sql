-- The personal calendar key of the event feeds (the feeds themselves are
-- sql/api/feeds.sql).

-- One calendar key per member.  Only its BLAKE2b-256 hash is stored (the
-- API mints the key and shows it once); rotating replaces the row, so
-- the old key stops working at once; revoking deletes it.
CREATE TABLE calendar_keys (
	member_id	bigint PRIMARY KEY REFERENCES members ON DELETE CASCADE,
	key_hash	bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz
);
