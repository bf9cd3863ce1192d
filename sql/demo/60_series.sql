-- Recurring events (issue 18): a monthly "First Friday social" and a
-- weekly book club whose 40 weeks always cross a change of daylight
-- saving time (the longest stretch between two changes is 34 weeks), so
-- the demo shows 6:00 PM staying 6:00 PM in America/Chicago.  Made here
-- in SQL like the other demo events: each occurrence is what the API
-- makes of the rule (it expands rules with libical,
-- api/src/resources/recurrence.c), an event of its own with RSVPs.

CREATE TEMP TABLE demo_series ON COMMIT DROP AS
SELECT * FROM (VALUES
    ('first-friday', 'springfield-central', 'ada@interlibrary.example',
     'First Friday social', 'social', '{social,after work}'::text[],
     'FREQ=MONTHLY;BYDAY=1FR;COUNT=12', '18:00'::time, 120,
     'The Reading Room Café', '410 Main Street, Springfield', 'Springfield', 40,
     'Step-free; alcohol-free drinks on the menu.',
     'Library staff from every branch meet after work on the first Friday of the month. No agenda, no speeches; the first round of snacks is on the Friends of the Library.'),
    ('book-club', 'riverside-branch', 'dev@interlibrary.example',
     'Staff book club', 'meetup', '{books,reader advisory}'::text[],
     'FREQ=WEEKLY;BYDAY=TU;COUNT=40', '18:00'::time, 90,
     'Riverside Branch Library, Reading Lounge', '12 River Road, Riverside', 'Riverside', 15,
     'Step-free entrance; large-print copies on request.',
     'One short book or a few chapters a week, chosen together. Come when you can: every Tuesday stands on its own.')
) AS v(key, org, creator, title, kind, tags, rrule, start_time, minutes, venue, address,
    city, capacity, access, description);

-- The local start days: the first Friday of each of the next 12 months,
-- and the next 40 Tuesdays, from tomorrow in Chicago.
CREATE TEMP TABLE demo_series_days ON COMMIT DROP AS
SELECT 'first-friday' AS key, d AS day FROM (
    SELECT (m + ((5 - extract(dow FROM m)::integer + 7) % 7) * interval '1 day')::date AS d
    FROM generate_series(date_trunc('month', (SELECT today FROM demo_day)),
        date_trunc('month', (SELECT today FROM demo_day)) + interval '13 months',
        interval '1 month') m) f
WHERE d > (SELECT today FROM demo_day)
UNION ALL
SELECT 'book-club', t.first + k * 7
FROM (SELECT today + 1 + (2 - extract(dow FROM today + 1)::integer + 7) % 7 AS first
    FROM demo_day) t, generate_series(0, 39) k;

DELETE FROM demo_series_days WHERE key = 'first-friday' AND day > (SELECT max(day)
    FROM (SELECT day FROM demo_series_days WHERE key = 'first-friday'
        ORDER BY day LIMIT 12) x);

INSERT INTO series (rrule, timezone, dtstart_local, duration, count, materialized_until,
    template, organization_id, created_by)
SELECT s.rrule, 'America/Chicago', min(d.day) + s.start_time, s.minutes * interval '1 minute',
    count(*), (max(d.day) + s.start_time) AT TIME ZONE 'America/Chicago',
    jsonb_build_object('title', s.title, 'kind', s.kind, 'tags', s.tags,
        'timezone', 'America/Chicago', 'venue', s.venue, 'address', s.address,
        'city', s.city, 'capacity', s.capacity, 'accessibility_notes', s.access,
        'description', s.description, 'organization', s.org),
    o.id, m.id
FROM demo_series s
JOIN demo_series_days d ON d.key = s.key
JOIN organizations o ON o.slug = s.org
JOIN members m ON m.email = s.creator
GROUP BY s.key, s.rrule, s.start_time, s.minutes, s.title, s.kind, s.tags, s.venue,
    s.address, s.city, s.capacity, s.access, s.description, s.org, o.id, m.id;

INSERT INTO events (title, description, kind, tags, starts_at, ends_at, timezone, venue,
    address, city, accessibility_notes, capacity, organization_id, created_by, series_id,
    recurrence_id)
SELECT s.title, s.description, s.kind, s.tags,
    (d.day + s.start_time) AT TIME ZONE 'America/Chicago',
    (d.day + s.start_time) AT TIME ZONE 'America/Chicago' + s.minutes * interval '1 minute',
    'America/Chicago', s.venue, s.address, s.city, s.access, s.capacity, r.organization_id,
    r.created_by, r.id, (d.day + s.start_time) AT TIME ZONE 'America/Chicago'
FROM demo_series s
JOIN demo_series_days d ON d.key = s.key
JOIN series r ON r.rrule = s.rrule AND r.template->>'title' = s.title
ORDER BY d.day;

INSERT INTO event_organizers (event_id, member_id)
SELECT e.id, e.created_by FROM events e WHERE e.series_id IS NOT NULL;

-- A few members going to the next occurrences.
INSERT INTO rsvps (event_id, member_id, response, status)
SELECT e.id, m.id, 'going', 'going'
FROM events e
JOIN series r ON r.id = e.series_id
JOIN members m ON m.email IN ('bianca@interlibrary.example', 'chloe@interlibrary.example',
    'noah@interlibrary.example')
WHERE e.starts_at < now() + interval '40 days';
