-- Email: the outbox the sender (api/sender/) drains, the addresses that
-- must never get mail again, the single-use tokens of verification and
-- password reset, and each member's choice of the mail they get.
--
-- A message is written to the outbox in the transaction of the change
-- that causes it, with its subject and both bodies already rendered
-- (sql/api/mail.sql); the sender claims rows with FOR UPDATE SKIP LOCKED,
-- sends them and records the outcome.  Delivery is at least once: a
-- message whose sender died after the SMTP server took it is sent again
-- when its lease runs out, with the same Message-ID.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- The key that signs unsubscribe links (HMAC-SHA-256), made here once,
-- and the sender's heartbeat: when it last asked for work, and whether
-- it has an SMTP server to send to.
CREATE TABLE mail_state (
	only_row	boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	link_key	bytea NOT NULL DEFAULT gen_random_bytes(32),
	sender_seen_at	timestamptz,
	sender_smtp	boolean NOT NULL DEFAULT false
);

INSERT INTO mail_state DEFAULT VALUES;

CREATE TABLE outbox (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind		text NOT NULL CHECK (kind IN ('verification',
	    'password_reset', 'invitation', 'reminder', 'confirmation',
	    'change', 'digest', 'mentorship', 'collaboration', 'message')),
	-- The recipient: a member, or (invitations) an address only.
	member_id	bigint REFERENCES members ON DELETE CASCADE,
	to_addr		text NOT NULL CHECK (length(to_addr) BETWEEN 3 AND 254),
	subject		text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
	-- Emptied once sent: a sent message keeps no copy of its tokens.
	body_text	text,
	body_html	text,
	-- The event of the text/calendar part, if any.
	event_id	bigint REFERENCES events ON DELETE SET NULL,
	-- Signed unsubscribe token (mail that is not transactional).
	unsubscribe	text,
	status		text NOT NULL DEFAULT 'queued'
	    CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
	-- Due time: of the first or next attempt, or, while sending, the
	-- end of the sender's lease.
	due_at		timestamptz NOT NULL DEFAULT now(),
	attempts	integer NOT NULL DEFAULT 0,
	claims		integer NOT NULL DEFAULT 0,
	message_id	text,
	last_error	text CHECK (length(last_error) <= 300),
	created_at	timestamptz NOT NULL DEFAULT now(),
	sent_at		timestamptz,
	CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);

CREATE INDEX outbox_due_idx ON outbox (due_at, id)
    WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_member_idx ON outbox (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX outbox_created_idx ON outbox (created_at);

-- Addresses that get no mail, as SHA-256 of the lowercased address: a
-- recipient's "never email me again", or a permanent SMTP rejection.
CREATE TABLE email_suppressions (
	address_hash	bytea PRIMARY KEY CHECK (length(address_hash) = 32),
	reason		text NOT NULL CHECK (reason IN ('unsubscribed',
	    'rejected')),
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- Single-use tokens sent by email; only their SHA-256 is kept.
CREATE TABLE email_tokens (
	token_hash	bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	purpose		text NOT NULL CHECK (purpose IN ('verify', 'reset')),
	-- The address the token was sent to: verifying proves this one.
	email		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz
);

CREATE INDEX email_tokens_member_idx ON email_tokens (member_id, purpose);
CREATE INDEX email_tokens_expires_idx ON email_tokens (expires_at);

-- Password reset requests, for their limits per address and per client.
CREATE TABLE password_reset_requests (
	key		text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX password_reset_requests_idx ON password_reset_requests (key, at);

-- What mail a member wants, per kind.  Verification and password reset
-- are not a choice.  No row: the defaults.
CREATE TABLE email_preferences (
	member_id	bigint PRIMARY KEY REFERENCES members ON DELETE CASCADE,
	invitations	boolean NOT NULL DEFAULT true,
	reminders	boolean NOT NULL DEFAULT true,
	changes		boolean NOT NULL DEFAULT true,
	digest		boolean NOT NULL DEFAULT false,
	mentorship	boolean NOT NULL DEFAULT true,
	collaboration	boolean NOT NULL DEFAULT true,
	messages	boolean NOT NULL DEFAULT true,
	updated_at	timestamptz NOT NULL DEFAULT now()
);

-- Reminders sent, so each is sent once per member and start time.
CREATE TABLE mail_reminders (
	event_id	bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	starts_at	timestamptz NOT NULL,
	PRIMARY KEY (event_id, member_id, starts_at)
);

-- Digests sent: one a member a week.
CREATE TABLE mail_digests (
	member_id	bigint PRIMARY KEY REFERENCES members ON DELETE CASCADE,
	sent_at		timestamptz NOT NULL
);

-- New rows wake the sender at once instead of at its next poll.
CREATE FUNCTION core.outbox_wake()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('outbox', '');
	RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_wake AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION core.outbox_wake();
