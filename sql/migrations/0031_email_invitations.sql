-- Invitations by email to people who are not members yet (issue 17):
-- one message invites a person to an event and to join Interlibrary
-- (sql/api/invitations.sql, api.event_invite).  An address is known by
-- its SHA-256 (api.address_hash, as in email_suppressions); the address
-- itself is kept only to write the mail and is cleared when the invitee
-- registers from the link, or after 90 days (api.mail_jobs).  The link's
-- token is random and only its SHA-256 is stored.

CREATE TABLE email_invitations (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id	bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	sender_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	address_hash	bytea NOT NULL CHECK (length(address_hash) = 32),
	email		text CHECK (length(email) BETWEEN 3 AND 254),
	token_hash	bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	status		text NOT NULL DEFAULT 'pending'
	    CHECK (status IN ('pending', 'accepted', 'reported_spam')),
	-- Who registered from the link.
	member_id	bigint REFERENCES members ON DELETE SET NULL,
	-- The report a spam mark put in the site admins' queue; resolving
	-- it (api.report_patch) sets spam_resolved_at.
	report_id	bigint REFERENCES reports ON DELETE SET NULL,
	responded_at	timestamptz,
	spam_resolved_at timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (event_id, address_hash),
	CHECK (spam_resolved_at IS NULL OR status = 'reported_spam'),
	CHECK (status <> 'accepted' OR email IS NULL)
);

-- The sender's rolling 24-hour cap; the 3 per address per 30 days; open
-- spam marks; the 90-day clean-up.
CREATE INDEX email_invitations_sender_idx ON email_invitations
    (sender_id, created_at);
CREATE INDEX email_invitations_address_idx ON email_invitations
    (address_hash, created_at);
CREATE INDEX email_invitations_spam_idx ON email_invitations (sender_id)
    WHERE status = 'reported_spam' AND spam_resolved_at IS NULL;
CREATE INDEX email_invitations_report_idx ON email_invitations (report_id)
    WHERE report_id IS NOT NULL;
CREATE INDEX email_invitations_created_idx ON email_invitations (created_at)
    WHERE email IS NOT NULL OR status = 'pending';
