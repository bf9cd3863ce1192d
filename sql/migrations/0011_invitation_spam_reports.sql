-- A recipient's spam mark on an invitation is a report in the site
-- admins' queue (sql/api/invitations.sql, api.invitation_patch).  Marks
-- made before that never reached the queue: the open ones get their
-- report now, dated when the mark was made, with the words the API uses
-- (api.invitation_spam_reason).
INSERT INTO reports (reporter_id, subject_type, subject_id, reason, created_at)
SELECT i.recipient_id, 'invitation', i.id,
    left('Marked as spam by its recipient: an invitation from ' ||
        coalesce(m.display_name, 'a member') || ' (member ' || i.sender_id ||
        ') to "' || coalesce(e.title, '?') || '" (event ' || i.event_id ||
        ').', 2000),
    coalesce(i.responded_at, i.created_at)
FROM invitations i
    LEFT JOIN members m ON m.id = i.sender_id
    LEFT JOIN events e ON e.id = i.event_id
WHERE i.status = 'reported_spam' AND i.spam_resolved_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM reports r
      WHERE r.reporter_id = i.recipient_id AND r.subject_type = 'invitation'
        AND r.subject_id = i.id AND r.status = 'open');
