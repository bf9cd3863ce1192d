-- Available mentors with what ranks them, so that mentor suggestions
-- (sql/api/mentor_suggestions.sql) score the mentors of the caller's
-- organizations from the index alone.  An association of 20,000 members
-- has some 10,000 mentors to score; fetching each one's whole row (bio,
-- search vector) from the heap cost about 11 ms of a 65 ms answer at
-- 1,000,000 events.  It replaces the index of their ids only.
DROP INDEX members_mentor_ids_idx;
CREATE INDEX members_mentor_cards_idx ON members (id)
    INCLUDE (visibility_mentoring, visibility_affiliations, visibility_about,
        city, mentoring_topics)
    WHERE mentoring_available AND suspended_at IS NULL;
