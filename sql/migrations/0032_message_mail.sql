-- Mail about new messages is batched: at most one mail per conversation
-- per hour to each member (sql/api/mail.sql, api.mail_notice); the in-app
-- notice is kept up to date meanwhile (sql/api/conversations.sql).
-- A row says when that member was last mailed about that conversation.

CREATE TABLE mail_conversation_notices (
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	conversation_id	bigint NOT NULL REFERENCES conversations
	    ON DELETE CASCADE,
	mailed_at	timestamptz NOT NULL,
	PRIMARY KEY (member_id, conversation_id)
);
