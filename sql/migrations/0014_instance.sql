-- This installation's identity: one row holding a random uuid, made once
-- when the database is created or migrated to this layout.  The feeds
-- build their UIDs from it (event-<id>@<uuid>.interlibrary, see
-- sql/api/feeds.sql), so a subscriber's calendar keeps recognising its
-- events across restarts and changes of PUBLIC_WEB_URL or PUBLIC_API_URL;
-- a copy of the database (a restored backup) keeps it too.

CREATE TABLE instance (
	only_row	boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	id		uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	created_at	timestamptz NOT NULL DEFAULT now()
);

INSERT INTO instance DEFAULT VALUES;
