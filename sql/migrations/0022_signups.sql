-- Sign-up lists of events: slots the organizers add ("bring snacks" x 5,
-- "set-up crew" x 2) and the claims of members who are going.  The API
-- side is sql/api/signups.sql.
--
-- Invariants in the schema:
--   * a slot's claimed count is kept by a trigger on signup_claims and
--     never passes its places (CHECK): however many claims arrive at
--     once, no slot holds more than it offers.  (The API also takes the
--     event's lock before a claim, as every RSVP change does, so claims
--     run one after the other and the full ones get 409, not this
--     CHECK);
--   * only members who are going hold claims: when an RSVP stops being
--     "going" (withdrawn, maybe, not going, or the account deleted), its
--     member's claims at that event are released in the same statement.

CREATE TABLE signup_slots (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id	bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
	note		text CHECK (length(note) <= 500),
	places		integer NOT NULL CHECK (places BETWEEN 1 AND 100),
	claimed		integer NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (claimed BETWEEN 0 AND places)
);

CREATE INDEX signup_slots_event_idx ON signup_slots (event_id, id);

CREATE TABLE signup_claims (
	slot_id		bigint NOT NULL REFERENCES signup_slots ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	-- What the member brings or does ("hummus and pita").
	note		text CHECK (length(note) <= 200),
	claimed_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (slot_id, member_id)
);

CREATE INDEX signup_claims_member_idx ON signup_claims (member_id);

CREATE FUNCTION core.signup_claims_count()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE signup_slots SET claimed = claimed + 1
		WHERE id = NEW.slot_id;
	ELSE
		UPDATE signup_slots SET claimed = claimed - 1
		WHERE id = OLD.slot_id;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER signup_claims_count
    AFTER INSERT OR DELETE ON signup_claims
    FOR EACH ROW EXECUTE FUNCTION core.signup_claims_count();

-- An RSVP that was "going" stops being so: the member's claims at the
-- event are released.
CREATE FUNCTION core.rsvps_release_claims()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM signup_claims c
	USING signup_slots s
	WHERE s.id = c.slot_id AND s.event_id = OLD.event_id
	  AND c.member_id = OLD.member_id;
	RETURN NULL;
END;
$$;

CREATE TRIGGER rsvps_release_claims_update
    AFTER UPDATE OF status ON rsvps
    FOR EACH ROW WHEN (OLD.status = 'going' AND NEW.status <> 'going')
    EXECUTE FUNCTION core.rsvps_release_claims();
CREATE TRIGGER rsvps_release_claims_delete
    AFTER DELETE ON rsvps
    FOR EACH ROW WHEN (OLD.status = 'going')
    EXECUTE FUNCTION core.rsvps_release_claims();
