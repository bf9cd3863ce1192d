-- Thanks and celebration (never a leaderboard): thank-you notes between
-- members, and the member's choice to show their milestones (computed
-- from what they did, sql/api/thanks.sql) on their profile.
--
-- Invariants in the schema:
--   * a thank-you names at most one of an event, a mentorship and a
--     collaboration (whether the thanker has a real link to it is checked
--     when it is written, sql/api/thanks.sql);
--   * consent is each party's own: to_shares (the recipient shows it on
--     their profile; private by default) and from_shares (the thanker
--     agrees to it being public); with both it appears in the community
--     activity, from shared_at, which a trigger keeps: set when the
--     second consent arrives, cleared when either is taken back.

SELECT core.allow_values('notifications', 'notifications_type_check', 'type',
    ARRAY['thanks_received']);

CREATE TABLE thanks (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	from_id		bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	to_id		bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	text		text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
	event_id	bigint REFERENCES events ON DELETE SET NULL,
	mentorship_id	bigint REFERENCES mentorships ON DELETE SET NULL,
	collaboration_id bigint REFERENCES collaborations ON DELETE SET NULL,
	from_shares	boolean NOT NULL DEFAULT false,
	to_shares	boolean NOT NULL DEFAULT false,
	shared_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (from_id <> to_id),
	CHECK (num_nonnulls(event_id, mentorship_id, collaboration_id) <= 1),
	CHECK ((shared_at IS NOT NULL) = (from_shares AND to_shares))
);

-- Received (the recipient's list), shown on a profile, given.
CREATE INDEX thanks_to_idx ON thanks (to_id, id);
CREATE INDEX thanks_profile_idx ON thanks (to_id, id) WHERE to_shares;
CREATE INDEX thanks_from_idx ON thanks (from_id, id);
-- The community activity's branch.
CREATE INDEX thanks_shared_idx ON thanks (shared_at, id)
    WHERE shared_at IS NOT NULL;
CREATE INDEX thanks_event_idx ON thanks (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX thanks_mentorship_idx ON thanks (mentorship_id)
    WHERE mentorship_id IS NOT NULL;
CREATE INDEX thanks_collaboration_idx ON thanks (collaboration_id)
    WHERE collaboration_id IS NOT NULL;

CREATE FUNCTION core.thanks_shared_at()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NOT (NEW.from_shares AND NEW.to_shares) THEN
		NEW.shared_at := NULL;
	ELSIF TG_OP = 'INSERT' OR NOT (OLD.from_shares AND OLD.to_shares) THEN
		NEW.shared_at := now();
	ELSE
		NEW.shared_at := OLD.shared_at;
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER thanks_shared_at
    BEFORE INSERT OR UPDATE ON thanks
    FOR EACH ROW EXECUTE FUNCTION core.thanks_shared_at();

-- Milestones on the profile: only when the member opts in.
ALTER TABLE members
    ADD COLUMN show_milestones boolean NOT NULL DEFAULT false;
