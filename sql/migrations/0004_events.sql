-- Events, RSVPs with a first-come-first-served waitlist, attendance,
-- and invitations.  How the API keeps places and waitlists exact under
-- concurrency is described at the top of sql/api/events.sql.

CREATE TABLE events (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	title			text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	description		text CHECK (length(description) <= 10000),
	kind			text NOT NULL CHECK (kind IN ('social', 'meetup',
	    'training', 'tour', 'advocacy', 'celebration', 'conference')),
	tags			text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(tags) <= 10),
	starts_at		timestamptz NOT NULL,
	ends_at			timestamptz NOT NULL,
	timezone		text NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
	venue			text CHECK (length(venue) <= 200),
	address			text CHECK (length(address) <= 300),
	city			text CHECK (length(city) <= 80),
	online_url		text CHECK (length(online_url) <= 500),
	accessibility_notes	text CHECK (length(accessibility_notes) <= 2000),
	-- NULL: unlimited.
	capacity		integer CHECK (capacity BETWEEN 1 AND 100000),
	guest_limit		integer NOT NULL DEFAULT 0
	    CHECK (guest_limit BETWEEN 0 AND 20),
	status			text NOT NULL DEFAULT 'scheduled'
	    CHECK (status IN ('scheduled', 'cancelled')),
	cancel_reason		text CHECK (length(cancel_reason) <= 1000),
	cancelled_at		timestamptz,
	organization_id		bigint REFERENCES organizations ON DELETE RESTRICT,
	created_by		bigint REFERENCES members ON DELETE SET NULL,
	recap			text CHECK (length(recap) <= 10000),
	target			text CHECK (length(target) <= 300),
	talking_points		text CHECK (length(talking_points) <= 10000),
	-- iCalendar SEQUENCE: grows on every edit and on cancellation.
	sequence		integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
	-- Set when a site admin hides a reported event (reports: 0007);
	-- hidden events are listed for their organizers only.
	hidden_at		timestamptz,
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	search			tsvector GENERATED ALWAYS AS (to_tsvector('simple',
	    title || ' ' || coalesce(venue, '') || ' ' || coalesce(city, '') ||
	    ' ' || coalesce(description, ''))) STORED,
	-- At most 31 days long: the list relies on it (see events_list).
	CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '31 days'),
	CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
	CHECK (kind = 'advocacy' OR (target IS NULL AND talking_points IS NULL))
);

-- Indexes of GET /v1/events.  The list is the union of two scans, both in
-- (starts_at, id) order from `from` (default now) or the cursor:
--   events starting at or after `from`: events_start_idx, or the index of
--       the filter: events_org_idx (organization), events_kind_idx (kind),
--       events_city_idx (lower(city)), events_tags_idx (tag, GIN),
--       events_search_idx (q, GIN full-text);
--   events under way at `from` (started before, not yet ended):
--       events_ongoing_idx, a GiST index on the [starts_at, ends_at]
--       range, so the past is never scanned row by row, whatever the
--       number of events.
CREATE INDEX events_start_idx ON events (starts_at, id);
CREATE INDEX events_ongoing_idx ON events
    USING gist (tstzrange(starts_at, ends_at, '[]'));
CREATE INDEX events_org_idx ON events (organization_id, starts_at, id);
CREATE INDEX events_kind_idx ON events (kind, starts_at, id);
CREATE INDEX events_city_idx ON events (lower(city), starts_at, id);
CREATE INDEX events_tags_idx ON events USING gin (tags);
CREATE INDEX events_search_idx ON events USING gin (search);
CREATE INDEX events_creator_idx ON events (created_by);

-- The creator is always one of them.
CREATE TABLE event_organizers (
	event_id	bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	added_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (event_id, member_id)
);

CREATE INDEX event_organizers_member_idx ON event_organizers (member_id);

-- response is what the member asked for; status the outcome.  Only
-- status 'going' holds places (1 + guests).  requested_at is when the
-- member last asked to go (it orders the waitlist).
CREATE TABLE rsvps (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id	bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	response	text NOT NULL
	    CHECK (response IN ('going', 'maybe', 'not_going')),
	status		text NOT NULL
	    CHECK (status IN ('going', 'waitlisted', 'maybe', 'not_going')),
	guests		integer NOT NULL DEFAULT 0 CHECK (guests BETWEEN 0 AND 20),
	requested_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (event_id, member_id),
	CHECK (CASE response WHEN 'going' THEN status IN ('going', 'waitlisted')
	    ELSE status = response END)
);

-- Counts, places taken and the waitlist order of one event.
CREATE INDEX rsvps_event_idx ON rsvps (event_id, status, requested_at, id);
CREATE INDEX rsvps_member_idx ON rsvps (member_id, status);

-- Recorded by organizers once the event has started; walk-ins (no RSVP)
-- may be recorded too.
CREATE TABLE attendance (
	event_id	bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	attended	boolean NOT NULL,
	recorded_by	bigint REFERENCES members ON DELETE SET NULL,
	recorded_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (event_id, member_id)
);

CREATE INDEX attendance_member_idx ON attendance (member_id, attended);

-- One invitation per event and recipient, whoever sent it.
CREATE TABLE invitations (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id		bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	sender_id		bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	recipient_id		bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	reason			text NOT NULL CHECK (length(reason) <= 300),
	status			text NOT NULL DEFAULT 'pending'
	    CHECK (status IN ('pending', 'accepted', 'declined',
	        'reported_spam')),
	responded_at		timestamptz,
	spam_resolved_at	timestamptz,
	created_at		timestamptz NOT NULL DEFAULT now(),
	UNIQUE (event_id, recipient_id),
	CHECK (sender_id <> recipient_id),
	CHECK (spam_resolved_at IS NULL OR status = 'reported_spam')
);

-- The rolling 24-hour cap; the recipient's list; open spam reports.
CREATE INDEX invitations_sender_idx ON invitations (sender_id, created_at);
CREATE INDEX invitations_recipient_idx ON invitations (recipient_id, id);
CREATE INDEX invitations_spam_idx ON invitations (sender_id)
    WHERE status = 'reported_spam' AND spam_resolved_at IS NULL;

-- However an RSVP that held or awaited a place disappears (withdrawal,
-- account deletion), the waitlist moves up in the same transaction.
CREATE FUNCTION core.rsvps_after_delete()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM api.event_promote(OLD.event_id, NULL);
	RETURN NULL;
END;
$$;

CREATE TRIGGER rsvps_after_delete
    AFTER DELETE ON rsvps
    FOR EACH ROW WHEN (OLD.status IN ('going', 'waitlisted'))
    EXECUTE FUNCTION core.rsvps_after_delete();
