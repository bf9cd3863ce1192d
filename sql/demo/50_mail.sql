-- The demo's mail (README: Email).  Within a minute of `make run` the
-- sender queues the scheduled mail this sets up, and the local mail server
-- keeps it in the state folder's mail/: reminders for tomorrow's lunch
-- meetup (to the members going) and Ada's weekly digest.

-- Ada reads the weekly digest; Ben turned reminders off (his "Email" page
-- shows it, and he gets no reminder).
INSERT INTO email_preferences (member_id, digest)
SELECT id, true FROM members WHERE email = 'ada@interlibrary.example';
INSERT INTO email_preferences (member_id, reminders)
SELECT id, false FROM members WHERE email = 'ben@interlibrary.example';

-- A lunchtime meetup starting 20 hours from now, whatever the time of
-- day the demo is loaded: the reminder window (the day before) is open.
INSERT INTO events (title, description, kind, tags, starts_at, ends_at, timezone, venue,
    address, city, accessibility_notes, capacity, guest_limit, organization_id,
    created_by, created_at, updated_at)
SELECT 'Brown-Bag Lunch: Reader''s Advisory Swap',
    'Bring lunch and three books you keep recommending; leave with thirty. Every library in the region welcome.',
    'meetup', '{readers advisory,lunch}',
    date_trunc('hour', now()) + interval '20 hours',
    date_trunc('hour', now()) + interval '21 hours',
    'America/Chicago', 'Springfield Central Library, Staff Lounge', '400 Main Street, Springfield',
    'Springfield', 'Step-free; the lounge has a fridge and a microwave.', 30, 0, o.id, m.id,
    now() - interval '10 days', now() - interval '10 days'
FROM organizations o, members m
WHERE o.slug = 'springfield-central' AND m.email = 'ada@interlibrary.example';

INSERT INTO event_organizers (event_id, member_id, added_at)
SELECT e.id, e.created_by, e.created_at FROM events e
WHERE e.title = 'Brown-Bag Lunch: Reader''s Advisory Swap';

INSERT INTO rsvps (event_id, member_id, response, status, guests, requested_at,
    created_at, updated_at)
SELECT e.id, m.id, 'going', 'going', 0, e.created_at + n * interval '1 hour',
    e.created_at + n * interval '1 hour', e.created_at + n * interval '1 hour'
FROM events e,
    unnest(ARRAY['ada', 'ben', 'chloe', 'noah', 'grace']) WITH ORDINALITY AS p(name, n)
JOIN members m ON m.email = p.name || '@interlibrary.example'
WHERE e.title = 'Brown-Bag Lunch: Reader''s Advisory Swap';
