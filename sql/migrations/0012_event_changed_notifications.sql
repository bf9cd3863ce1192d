-- A new notification type: event_changed, for everyone going to or
-- waitlisted at an event whose time (starts_at, ends_at, timezone) or
-- place (venue, address, city, online_url) an organizer changed
-- (sql/api/events.sql, api.event_patch).
ALTER TABLE notifications DROP CONSTRAINT notifications_type_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_type_check
    CHECK (type IN ('invitation_received', 'rsvp_promoted', 'event_cancelled',
        'event_changed', 'membership_requested', 'membership_approved',
        'mentorship_requested', 'mentorship_accepted', 'mentorship_declined',
        'mentorship_cancelled', 'mentorship_completed',
        'participation_requested', 'participation_approved',
        'participation_declined'));
