-- Counts of an event's RSVPs on the event itself, so reading an event (a
-- list of them above all) never counts RSVPs: going_count, waitlist_count
-- and places_taken (1 + guests of each RSVP going).
--
-- Exact by construction: a trigger on rsvps adjusts them in the statement
-- that changes an RSVP, and its UPDATE of the event row serializes with
-- every other change of that event (the API locks the event row before
-- any RSVP change anyway, see sql/api/events.sql).  A bulk load that
-- skips triggers (session_replication_role = replica) calls
-- core.event_counts_refresh() afterwards.

ALTER TABLE events
    ADD COLUMN going_count integer NOT NULL DEFAULT 0
        CHECK (going_count >= 0),
    ADD COLUMN waitlist_count integer NOT NULL DEFAULT 0
        CHECK (waitlist_count >= 0),
    ADD COLUMN places_taken integer NOT NULL DEFAULT 0
        CHECK (places_taken >= going_count);

CREATE FUNCTION core.rsvps_count()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('going', 'waitlisted')
	    THEN
		UPDATE events SET
		    going_count = going_count -
		        CASE WHEN OLD.status = 'going' THEN 1 ELSE 0 END,
		    waitlist_count = waitlist_count -
		        CASE WHEN OLD.status = 'waitlisted' THEN 1 ELSE 0 END,
		    places_taken = places_taken -
		        CASE WHEN OLD.status = 'going' THEN 1 + OLD.guests ELSE 0 END
		WHERE id = OLD.event_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('going', 'waitlisted')
	    THEN
		UPDATE events SET
		    going_count = going_count +
		        CASE WHEN NEW.status = 'going' THEN 1 ELSE 0 END,
		    waitlist_count = waitlist_count +
		        CASE WHEN NEW.status = 'waitlisted' THEN 1 ELSE 0 END,
		    places_taken = places_taken +
		        CASE WHEN NEW.status = 'going' THEN 1 + NEW.guests ELSE 0 END
		WHERE id = NEW.event_id;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER rsvps_count
    AFTER INSERT OR UPDATE OF event_id, status, guests OR DELETE ON rsvps
    FOR EACH ROW EXECUTE FUNCTION core.rsvps_count();

-- The counts recomputed from the RSVPs, for the events whose counts
-- differ: after a bulk load, and here for the events there are already.
CREATE FUNCTION core.event_counts_refresh()
RETURNS bigint LANGUAGE sql AS $$
	WITH c AS (
		SELECT e.id,
		    count(r.*) FILTER (WHERE r.status = 'going') AS going,
		    count(r.*) FILTER (WHERE r.status = 'waitlisted') AS waiting,
		    coalesce(sum(1 + r.guests) FILTER (WHERE r.status = 'going'), 0)
		        AS taken
		FROM events e
		LEFT JOIN rsvps r ON r.event_id = e.id
		    AND r.status IN ('going', 'waitlisted')
		GROUP BY e.id
	), u AS (
		UPDATE events e SET going_count = c.going, waitlist_count = c.waiting,
		    places_taken = c.taken
		FROM c
		WHERE e.id = c.id AND (e.going_count, e.waitlist_count,
		    e.places_taken) IS DISTINCT FROM (c.going, c.waiting, c.taken)
		RETURNING 1
	)
	SELECT count(*) FROM u;
$$;

SELECT core.event_counts_refresh();
