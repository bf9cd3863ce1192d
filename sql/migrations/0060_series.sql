-- Recurring events (issue 18).  A series is a rule and a template; each
-- occurrence is a real event row (its own id, page, capacity, RSVPs,
-- waitlist, attendance), so every feature works per occurrence.  The API
-- side is sql/api/series.sql; the rule is expanded in C with libical
-- (api/src/resources/recurrence.c) into local wall-clock times, which
-- SQL turns into instants with PostgreSQL's time zone data.
--
-- Invariants in the schema:
--   * an occurrence belongs to one series and keeps its original start
--     (recurrence_id, the iCalendar RECURRENCE-ID) however it is moved;
--     a series has one occurrence per original start;
--   * a rule ends by COUNT, by UNTIL or not at all, at most one.

CREATE TABLE series (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- The RRULE value (upper case, no "RRULE:" prefix), as published.
	rrule			text NOT NULL CHECK (length(rrule) BETWEEN 1 AND 500),
	timezone		text NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
	-- The first occurrence's local start (DTSTART in timezone) and the
	-- length of every occurrence.
	dtstart_local		timestamp NOT NULL,
	duration		interval NOT NULL
	    CHECK (duration > interval '0' AND duration <= interval '31 days'),
	-- How the rule ends: UNTIL as an instant, UNTIL as a local date
	-- (every occurrence on that day included), COUNT, or open-ended.
	until_at		timestamptz,
	until_date		date,
	count			integer CHECK (count BETWEEN 1 AND 200),
	-- Occurrences exist up to this start; an open-ended series is
	-- extended by the server past it.
	materialized_until	timestamptz NOT NULL,
	-- Original starts of occurrences that were deleted (EXDATE).
	exdates			timestamptz[] NOT NULL DEFAULT '{}',
	-- What new occurrences are made of: the event fields of the body that
	-- created the series (its times and rule aside).
	template		jsonb NOT NULL,
	organization_id		bigint REFERENCES organizations ON DELETE RESTRICT,
	created_by		bigint REFERENCES members ON DELETE SET NULL,
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	CHECK (num_nonnulls(until_at, until_date, count) <= 1)
);

CREATE INDEX series_org_idx ON series (organization_id);
CREATE INDEX series_creator_idx ON series (created_by);

ALTER TABLE events
	ADD COLUMN series_id bigint REFERENCES series ON DELETE RESTRICT,
	-- The occurrence's original start (RECURRENCE-ID), kept when moved.
	ADD COLUMN recurrence_id timestamptz,
	-- Changed on its own ("this occurrence": moved, another venue): an
	-- edit of the whole series passes it by.
	ADD COLUMN exception boolean NOT NULL DEFAULT false,
	ADD CHECK ((series_id IS NULL) = (recurrence_id IS NULL)),
	ADD CHECK (series_id IS NOT NULL OR NOT exception);

-- A series' occurrences in order (GET /v1/series/{id}, the feeds).
CREATE UNIQUE INDEX events_series_idx ON events (series_id, recurrence_id);

-- A deleted occurrence stays out of the rule's expansion (EXDATE).
CREATE FUNCTION core.events_series_exdate()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE series SET exdates = exdates || OLD.recurrence_id,
	    updated_at = now()
	WHERE id = OLD.series_id;
	RETURN NULL;
END;
$$;

CREATE TRIGGER events_series_exdate
    AFTER DELETE ON events
    FOR EACH ROW WHEN (OLD.series_id IS NOT NULL)
    EXECUTE FUNCTION core.events_series_exdate();

-- An event's document shows its series' rule: rebuild them when it
-- changes.
CREATE FUNCTION core.series_doc()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM core.event_docs_refresh(ARRAY(SELECT id FROM events
	    WHERE series_id = NEW.id));
	RETURN NULL;
END;
$$;

CREATE TRIGGER series_doc
    AFTER UPDATE OF rrule ON series
    FOR EACH ROW WHEN (OLD.rrule IS DISTINCT FROM NEW.rrule)
    EXECUTE FUNCTION core.series_doc();
