-- Members, sessions and personal access tokens, login throttling,
-- notifications.
--
-- Settings come from the API's connection options (PGOPTIONS, set from
-- its environment at start); the defaults here apply to psql sessions.

CREATE TABLE members (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email			text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	password_hash		text NOT NULL,
	display_name		text NOT NULL
	    CHECK (length(display_name) BETWEEN 1 AND 80),
	pronouns		text CHECK (length(pronouns) <= 40),
	title			text CHECK (length(title) <= 120),
	bio			text CHECK (length(bio) <= 2000),
	city			text CHECK (length(city) <= 80),
	skills			text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(skills) <= 20),
	interests		text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(interests) <= 20),
	mentoring_available	boolean NOT NULL DEFAULT false,
	mentoring_topics	text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(mentoring_topics) <= 10),
	mentoring_capacity	integer NOT NULL DEFAULT 0
	    CHECK (mentoring_capacity BETWEEN 0 AND 10),
	visibility_about	text NOT NULL DEFAULT 'members'
	    CHECK (visibility_about IN ('public', 'members', 'private')),
	visibility_affiliations	text NOT NULL DEFAULT 'members'
	    CHECK (visibility_affiliations IN ('public', 'members', 'private')),
	visibility_mentoring	text NOT NULL DEFAULT 'members'
	    CHECK (visibility_mentoring IN ('public', 'members', 'private')),
	invitations		text NOT NULL DEFAULT 'organizations'
	    CHECK (invitations IN ('anyone', 'met', 'organizations', 'nobody')),
	role			text NOT NULL DEFAULT 'member'
	    CHECK (role IN ('member', 'admin')),
	email_verified		boolean NOT NULL DEFAULT false,
	suspended_at		timestamptz,
	created_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	-- Directory search: PostgreSQL full-text search with the 'simple'
	-- configuration (names and library jargon should not be stemmed as
	-- English) and prefix queries, over a GIN index.  Only what every
	-- member may see is indexed: title and bio drop out when the about
	-- group is private, so a search can never reveal them.  Full-text
	-- was chosen over trigrams: word-prefix matching is what people type
	-- into a directory, and the index stays small at 100,000 members.
	search			tsvector GENERATED ALWAYS AS (
	    to_tsvector('simple', display_name || ' ' ||
	        CASE WHEN visibility_about <> 'private'
	        THEN coalesce(title, '') || ' ' || coalesce(bio, '') ||
	            ' ' || coalesce(city, '')
	        ELSE '' END)) STORED
);

CREATE UNIQUE INDEX members_email_key ON members (lower(email));
CREATE INDEX members_name_idx ON members (lower(display_name), id);
CREATE INDEX members_search_idx ON members USING gin (search);
CREATE INDEX members_skills_idx ON members USING gin (skills);
CREATE INDEX members_interests_idx ON members USING gin (interests);
CREATE INDEX members_city_idx ON members (lower(city));
CREATE INDEX members_mentors_idx ON members (lower(display_name), id)
    WHERE mentoring_available;

-- Browser sessions (kind 'session': idle and absolute expiry) and
-- personal access tokens (kind 'personal': absolute expiry, a scope).
-- Only a BLAKE2b hash of a token is stored.
CREATE TABLE sessions (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	token_hash	bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	kind		text NOT NULL CHECK (kind IN ('session', 'personal')),
	name		text CHECK (length(name) <= 80),
	scope		text NOT NULL DEFAULT 'write'
	    CHECK (scope IN ('read', 'write')),
	user_agent	text,
	client		inet,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	revoked_at	timestamptz
);

CREATE INDEX sessions_member_idx ON sessions (member_id, kind);

CREATE TABLE login_failures (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email_key	text NOT NULL,
	client		inet NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX login_failures_email_idx ON login_failures (email_key, at);
CREATE INDEX login_failures_client_idx ON login_failures (client, at);

CREATE TABLE registrations (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	client		inet NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX registrations_client_idx ON registrations (client, at);

CREATE TABLE notifications (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	type		text NOT NULL CHECK (type IN ('invitation_received',
	    'rsvp_promoted', 'event_cancelled', 'membership_requested',
	    'membership_approved', 'mentorship_requested',
	    'mentorship_accepted', 'mentorship_declined',
	    'mentorship_cancelled', 'mentorship_completed',
	    'participation_requested', 'participation_approved',
	    'participation_declined')),
	subject_type	text NOT NULL,
	subject_id	bigint NOT NULL,
	text		text NOT NULL,
	read		boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX notifications_member_idx
    ON notifications (member_id, read, created_at DESC, id DESC);
