-- Messages between members: one-to-one conversations, blocks, and the
-- copies of reported messages.  Who may start a conversation, the daily
-- cap on first messages and the stop after spam reports are
-- sql/api/conversations.sql.
--
-- Invariants in the schema:
--   * one conversation per pair of members: the pair is stored lower id
--     first (member_low < member_high) under a unique index, so two
--     members writing to each other at the same moment end up in one
--     conversation (the second insert conflicts and joins it);
--   * a message has a text exactly while it has a sender: deleting an
--     account sets its messages' sender to NULL (the foreign key) and a
--     trigger removes their text in the same statement; the message
--     keeps its place in the other member's history;
--   * a reported message is copied into message_reports, one row per
--     report: what a site admin reads is that copy and nothing else of
--     the conversation.
--
-- conversation_members holds each member's own view of a conversation:
-- how far they have read, what they cleared by leaving it, and whether
-- it is out of their list (left_at, until a new message arrives).

-- Widen a CHECK (column IN (...)) constraint by p_values, keeping every
-- value it allows now, whichever migrations added them (so migrations
-- that each add a value to a shared list, like the notification types
-- and report subjects, do not undo each other).
CREATE FUNCTION core.allow_values(p_table regclass, p_constraint text,
    p_column text, p_values text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_def	text;
	v_have	text[];
BEGIN
	SELECT pg_get_constraintdef(oid) INTO v_def FROM pg_constraint
	WHERE conrelid = p_table AND conname = p_constraint AND contype = 'c';
	IF v_def IS NULL OR v_def !~ ('^CHECK \(\(' || p_column ||
	    ' = ANY \(ARRAY\[') THEN
		RAISE EXCEPTION 'core.allow_values: % on % is not a CHECK (% IN '
		    '(...)): %', p_constraint, p_table, p_column, v_def;
	END IF;
	SELECT array_agg(replace(m[1], '''''', '''') ORDER BY n) INTO v_have
	FROM regexp_matches(v_def, '''((?:[^'']|'''')*)''::text', 'g')
	    WITH ORDINALITY AS t(m, n);
	EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', p_table,
	    p_constraint);
	EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%I IN (%s))',
	    p_table, p_constraint, p_column,
	    (SELECT string_agg(quote_literal(v), ', ' ORDER BY o)
	     FROM (SELECT v, min(o) AS o
	           FROM unnest(v_have || p_values) WITH ORDINALITY AS u(v, o)
	           GROUP BY v) s));
END;
$$;

SELECT core.allow_values('notifications', 'notifications_type_check', 'type',
    ARRAY['message_received']);
SELECT core.allow_values('reports', 'reports_subject_type_check',
    'subject_type', ARRAY['message']);

CREATE TABLE conversations (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- The pair, lower id first; NULL once that member deleted their
	-- account (the other keeps the history).
	member_low	bigint REFERENCES members ON DELETE SET NULL,
	member_high	bigint REFERENCES members ON DELETE SET NULL,
	-- Who wrote the first message: the daily cap counts these.
	started_by	bigint REFERENCES members ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_message_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (member_low < member_high)
);

CREATE UNIQUE INDEX conversations_pair_key
    ON conversations (member_low, member_high);
CREATE INDEX conversations_high_idx ON conversations (member_high);
-- First messages per sender in the last 24 hours (the daily cap).
CREATE INDEX conversations_started_idx
    ON conversations (started_by, created_at);

CREATE TABLE conversation_members (
	conversation_id	bigint NOT NULL REFERENCES conversations
	    ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	-- The newest message this member has read (0: none).
	last_read_id	bigint NOT NULL DEFAULT 0,
	-- Messages up to this id are gone from this member's view: they
	-- left the conversation after them.
	cleared_id	bigint NOT NULL DEFAULT 0,
	-- Out of the member's list since they left, until a new message.
	left_at		timestamptz,
	-- The conversation's last_message_at, here for the list's index.
	last_message_at	timestamptz NOT NULL,
	PRIMARY KEY (conversation_id, member_id),
	CHECK (last_read_id >= cleared_id)
);

-- GET /v1/conversations: the caller's, newest message first.
CREATE INDEX conversation_members_list_idx ON conversation_members
    (member_id, last_message_at DESC, conversation_id DESC)
    WHERE left_at IS NULL;

CREATE TABLE messages (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id	bigint NOT NULL REFERENCES conversations
	    ON DELETE CASCADE,
	sender_id	bigint REFERENCES members ON DELETE SET NULL,
	text		text CHECK (length(text) BETWEEN 1 AND 4000),
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK ((sender_id IS NULL) = (text IS NULL))
);

-- A conversation's messages (newest first, and the unread counts).
CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);
CREATE INDEX messages_sender_idx ON messages (sender_id);

-- The sender's account is deleted: the message keeps its place, not its
-- text.
CREATE FUNCTION core.messages_sender_gone()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.sender_id IS NULL THEN
		NEW.text := NULL;
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER messages_sender_gone
    BEFORE UPDATE OF sender_id ON messages
    FOR EACH ROW EXECUTE FUNCTION core.messages_sender_gone();

-- A new message: the conversation moves to the top of both lists (a
-- member who left gets it back), and the sender has read everything up
-- to their own message.
CREATE FUNCTION core.messages_after_insert()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE conversations SET last_message_at = NEW.created_at
	WHERE id = NEW.conversation_id;
	UPDATE conversation_members SET last_message_at = NEW.created_at,
	    left_at = NULL,
	    last_read_id = CASE WHEN member_id = NEW.sender_id THEN NEW.id
	        ELSE last_read_id END
	WHERE conversation_id = NEW.conversation_id;
	RETURN NULL;
END;
$$;

CREATE TRIGGER messages_after_insert
    AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION core.messages_after_insert();

-- Blocks: the blocker and the blocked cannot write to each other (in
-- either direction), whatever else they share.
CREATE TABLE member_blocks (
	blocker_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	blocked_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (blocker_id, blocked_id),
	CHECK (blocker_id <> blocked_id)
);

CREATE INDEX member_blocks_blocked_idx ON member_blocks (blocked_id);

-- The copy of a reported message (reports.subject_type 'message'): the
-- text as it was when reported, kept with the report.
CREATE TABLE message_reports (
	report_id	bigint PRIMARY KEY REFERENCES reports ON DELETE CASCADE,
	message_id	bigint REFERENCES messages ON DELETE SET NULL,
	sender_id	bigint REFERENCES members ON DELETE SET NULL,
	text		text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
	sent_at		timestamptz NOT NULL
);

-- Open reports against a sender (the stop after three reporters).
CREATE INDEX message_reports_sender_idx ON message_reports (sender_id);
CREATE INDEX message_reports_message_idx ON message_reports (message_id);
