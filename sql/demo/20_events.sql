-- Demo data: a season of events across the Springfield region's
-- libraries, relative to the day the demo is loaded: three past events
-- with recorded attendance (who met whom: the mentor suggestions use
-- it), upcoming meetups, trainings, a tour, National Library Week, a
-- full holiday party with a waitlist, the Springfield City Council
-- budget hearing with talking points to speak from, one cancelled
-- workshop, RSVPs, a few invitations and the notifications they caused.
-- Times are local to each event's time zone.

CREATE TEMP TABLE demo_events (
	key text, org text, creator text, title text, kind text, tags text[],
	day date, start_time time, minutes integer, venue text, address text,
	city text, online_url text, capacity integer, guest_limit integer,
	access text, description text, recap text
) ON COMMIT DROP;

CREATE TEMP TABLE demo_day ON COMMIT DROP AS
SELECT (now() AT TIME ZONE 'America/Chicago')::date AS today;

-- National Library Week: the second full week of April (from the second
-- Sunday); the next one that has not started yet.
CREATE TEMP TABLE demo_dates ON COMMIT DROP AS
SELECT d.today,
    (SELECT s FROM (SELECT (make_date(y, 4, 8) +
        ((7 - extract(dow FROM make_date(y, 4, 8))::integer) % 7)) AS s
        FROM generate_series(extract(year FROM d.today)::integer,
            extract(year FROM d.today)::integer + 1) y) n
     WHERE s > d.today ORDER BY s LIMIT 1) AS library_week,
    -- The holiday party: the second Friday of December (next year's once
    -- this year's is less than five days away).
    (SELECT f FROM (SELECT (make_date(y, 12, 8) +
        ((5 - extract(dow FROM make_date(y, 12, 8))::integer + 7) % 7)) AS f
        FROM generate_series(extract(year FROM d.today)::integer,
            extract(year FROM d.today)::integer + 1) y) n
     WHERE f > d.today + 4 ORDER BY f LIMIT 1) AS holiday_party
FROM demo_day d;

INSERT INTO demo_events
SELECT key, org, creator, title, kind, tags::text[], (SELECT today FROM demo_dates) + day_offset,
    start_time, minutes, venue, address, city, online_url, capacity, guest_limit, access,
    description, recap
FROM (VALUES
-- Past: attendance recorded.
('roundtable', 'springfield-central', 'ada@interlibrary.example',
 'Reader Advisory Roundtable: Winter Reads', 'meetup', '{reader advisory,books}',
 -42, '18:00'::time, 120, 'Springfield Central Library, Community Room B',
 '400 Main Street, Springfield', 'Springfield', NULL, 30, 0,
 'Step-free entrance on Elm Street; hearing loop in Room B.',
 'Bring two titles you loved and one you could not finish. We build a shared list of read-alikes for the winter displays.',
 'Fourteen of us swapped 40 titles; the shared read-alike list is on the staff wiki.'),
('makerspace', 'riverside-branch', 'dev@interlibrary.example',
 'Intro to Makerspace Tools for Staff', 'training', '{makerspace,training}',
 -28, '10:00'::time, 180, 'Riverside Branch Library, Makerspace',
 '12 River Road, Riverside', 'Riverside', NULL, 12, 0,
 'Closed-toe shoes required. Seated workstations available.',
 'Hands-on safety basics for the 3D printers, the vinyl cutter and the sewing machines, so every shift can help patrons.',
 'Everyone printed a keychain and passed the vinyl cutter checklist.'),
('archives', 'springfield-university', 'farid@interlibrary.example',
 'Special Collections Behind the Scenes', 'tour', '{archives,special collections}',
 -14, '14:00'::time, 90, 'Springfield University Library, Special Collections',
 '1 College Avenue, Springfield', 'Springfield', NULL, 15, 0,
 'The reading room is on the ground floor; the stacks tour uses a lift.',
 'See the vault, the conservation lab and the 1911 Springfield newspaper run. Pencils only past the door!',
 NULL),
-- Upcoming.
('new-librarians', 'springfield-library-association', 'kara@interlibrary.example',
 'New Librarians Meetup: Coffee & Careers', 'meetup', '{careers,early career}',
 5, '17:30'::time, 90, 'Bean There Café, back room', '215 Oak Street, Springfield',
 'Springfield', NULL, 25, 0, 'Ground floor, accessible restroom.',
 'An informal evening for students and early-career library workers: CVs, interviews, and what the job is really like. Mentors welcome.',
 NULL),
('budget-hearing', 'springfield-library-association', 'kara@interlibrary.example',
 'Springfield City Council budget hearing', 'advocacy', '{advocacy,budget}',
 9, '18:30'::time, 150, 'Springfield City Hall, Council Chambers',
 '100 Civic Plaza, Springfield', 'Springfield', 'https://springfield.example/council/live',
 NULL, 0, 'Council Chambers have step-free access and a hearing loop; ASL interpretation on request 48 hours ahead (call the City Clerk).',
 'The proposed budget cuts library hours and the materials budget. Public comment is the one place where council members hear from us directly. Come, sign up to speak (or just fill a seat: a full room counts), and wear your library lanyard.',
 NULL),
('teen-swap', 'springfield-central', 'ada@interlibrary.example',
 'Teen Services Swap Shop', 'meetup', '{teens,programming}',
 12, '16:00'::time, 90, 'Springfield Central Library, Teen Zone',
 '400 Main Street, Springfield', 'Springfield', NULL, NULL, 0, NULL,
 'Bring one program that worked with teens and one that flopped. Ben brings the Dungeons & Dragons kit.',
 NULL),
('digital-literacy', 'shelbyville-public', 'liam@interlibrary.example',
 'Digital Literacy Train-the-Trainer', 'training', '{digital literacy,training}',
 16, '09:30'::time, 240, 'Shelbyville Public Library, Computer Lab',
 '7 Market Square, Shelbyville', 'Shelbyville', 'https://meet.example/shelbyville-dl',
 20, 0, 'Adjustable desks; screen readers installed on every lab computer.',
 'Teach patrons email, online forms and scam awareness. Leave with lesson plans and handouts in English and Spanish.',
 NULL),
('grant-writing', 'springfield-library-association', 'kara@interlibrary.example',
 'Grant Writing for Small Libraries (online)', 'training', '{grants,funding}',
 20, '12:00'::time, 75, NULL, NULL, NULL, 'https://meet.example/sla-grants', 100, 0,
 'Live captions on.',
 'From finding the right funder to writing a budget narrative: a lunchtime session with examples of funded proposals.',
 NULL),
('garden-tour', 'riverside-branch', 'dev@interlibrary.example',
 'Riverside Reading Garden & Makerspace Tour', 'tour', '{makerspace,outdoors}',
 23, '11:00'::time, 60, 'Riverside Branch Library, front steps',
 '12 River Road, Riverside', 'Riverside', NULL, 15, 1,
 'The garden paths are level gravel; a wheelchair is available at the desk.',
 'How a small branch turned a parking lot into a reading garden, and what it took to open a makerspace on a branch budget.',
 NULL),
('law-clinic', 'springfield-law', 'jonah@interlibrary.example',
 'Helping Patrons with Legal Questions', 'training', '{legal research,reference}',
 34, '15:00'::time, 120, 'Springfield County Law Library, Training Room',
 '50 Courthouse Lane, Springfield', 'Springfield', NULL, 24, 0, NULL,
 'Where reference ends and legal advice begins, the free self-help resources to point to, and when to refer to the law library.',
 NULL),
('bookmobile', 'shelbyville-public', 'vera@interlibrary.example',
 'Shelbyville Bookmobile Ride-Along', 'tour', '{outreach,bookmobile}',
 40, '09:00'::time, 240, 'Shelbyville Public Library, loading bay',
 '7 Market Square, Shelbyville', 'Shelbyville', NULL, 4, 0,
 'The bookmobile has a wheelchair lift.',
 'Four seats on the Tuesday rural route: six stops, a school visit and the best pie in the county.',
 NULL),
('zine-workshop', 'riverside-branch', 'pablo@interlibrary.example',
 'Zine Workshop for Library Staff', 'training', '{zines,programming}',
 7, '18:00'::time, 120, 'Riverside Branch Library, Makerspace',
 '12 River Road, Riverside', 'Riverside', NULL, 12, 0, NULL,
 'Make a zine, then learn to run the workshop with patrons.', NULL)
) AS v(key, org, creator, title, kind, tags, day_offset, start_time, minutes, venue, address,
    city, online_url, capacity, guest_limit, access, description, recap);

INSERT INTO demo_events
SELECT 'library-week', 'springfield-library-association', 'kara@interlibrary.example',
    'National Library Week Celebration', 'celebration', '{national library week,celebration}'::text[],
    library_week + 1, '17:00'::time, 150, 'Springfield Central Library, Atrium',
    '400 Main Street, Springfield', 'Springfield', NULL, 150, 2,
    'Step-free; quiet room on the mezzanine.',
    'Cake, the Library Worker of the Year award, and the region''s libraries showing off what they did this year. Bring your family.',
    NULL
FROM demo_dates
UNION ALL
SELECT 'holiday-party', 'springfield-central', 'ada@interlibrary.example',
    'Staff Holiday Party', 'social', '{party}'::text[],
    holiday_party, '18:30'::time, 180, 'Springfield Central Library, Community Rooms A+B',
    '400 Main Street, Springfield', 'Springfield', NULL, 20, 1,
    'Step-free; alcohol-free drinks; a quiet corner away from the music.',
    'Potluck and gift swap for everyone who works in the Springfield libraries. Partners and friends welcome (one guest each).',
    NULL
FROM demo_dates;

INSERT INTO events (title, description, kind, tags, starts_at, ends_at, timezone, venue,
    address, city, online_url, accessibility_notes, capacity, guest_limit, organization_id,
    created_by, recap, created_at, updated_at)
SELECT d.title, d.description, d.kind, d.tags,
    (d.day + d.start_time) AT TIME ZONE 'America/Chicago',
    (d.day + d.start_time) AT TIME ZONE 'America/Chicago' + d.minutes * interval '1 minute',
    'America/Chicago', d.venue, d.address, d.city, d.online_url, d.access, d.capacity,
    d.guest_limit, o.id, m.id, d.recap,
    least(now(), (d.day + d.start_time) AT TIME ZONE 'America/Chicago' - interval '30 days'),
    least(now(), (d.day + d.start_time) AT TIME ZONE 'America/Chicago' - interval '30 days')
FROM demo_events d
JOIN organizations o ON o.slug = d.org
JOIN members m ON m.email = d.creator
ORDER BY d.day, d.start_time;

UPDATE events SET
    target = 'Springfield City Council: public hearing on the proposed budget (library line: hours and materials)',
    talking_points = $talk$Sign up to speak at the clerk's table before 6:15 pm; each speaker gets 3 minutes. Say who you are, say what you ask for, give one local story, say thank you. Written comments can be handed to the clerk if you would rather not speak.

1. Who I am: "My name is ___. I live in ___ (ward ___) and I work at ___ library." If you are speaking as a resident, say so; if your employer has rules about speaking, say you speak for yourself.

2. The ask: "I ask the Council to restore the library's hours and materials budget to this year's level." One clear ask, repeated at the end.

3. What the cut means, in numbers people feel:
   - Fewer evening and Sunday hours: the hours when working parents, students and job seekers can come.
   - A smaller materials budget: longer holds lists, fewer large-print and world-language books, fewer digital licences.
   - Libraries return several dollars in value for every dollar spent (use the figure from the Association's fact sheet for Springfield).

4. One story (30 seconds): a patron who found a job, filed a form, learned to read to their child, or had nowhere else warm and safe to go. No names or details that identify them.

5. What the library does for the Council's own goals: workforce development, literacy, digital access, a safe place for teens after school, help with city services online.

6. Close: "Please restore the library's hours and materials budget. Thank you for your service and for listening."

Tips: be brief and kind (council members remember who was respectful); bring 10 printed copies of your remarks for the clerk; if someone already made your point, say "I agree with ___" and tell your story instead. Afterwards, email your council member a thank-you with your remarks attached.$talk$
WHERE title = 'Springfield City Council budget hearing';

CREATE TEMP TABLE demo_event_ids ON COMMIT DROP AS
SELECT d.key, e.id FROM demo_events d JOIN events e ON e.title = d.title;

INSERT INTO event_organizers (event_id, member_id, added_at)
SELECT e.id, e.created_by, e.created_at FROM events e
WHERE e.id IN (SELECT id FROM demo_event_ids);

INSERT INTO event_organizers (event_id, member_id, added_at)
SELECT i.id, m.id, e.created_at + interval '1 minute'
FROM (VALUES ('budget-hearing', 'vera@interlibrary.example'),
    ('budget-hearing', 'ada@interlibrary.example'),
    ('holiday-party', 'bianca@interlibrary.example'),
    ('library-week', 'yusuf@interlibrary.example'),
    ('zine-workshop', 'dev@interlibrary.example')) AS c(key, email)
JOIN demo_event_ids i ON i.key = c.key
JOIN members m ON m.email = c.email
JOIN events e ON e.id = i.id;

-- RSVPs: (event, person, response, status, guests), in request order.
CREATE TEMP TABLE demo_rsvps (
	n serial, key text, email text, response text, status text, guests integer
) ON COMMIT DROP;

INSERT INTO demo_rsvps (key, email, response, status, guests)
SELECT key, split_part(x, ':', 1) || '@interlibrary.example',
    coalesce(nullif(split_part(x, ':', 2), ''), 'going'),
    coalesce(nullif(split_part(x, ':', 3), ''),
        coalesce(nullif(split_part(x, ':', 2), ''), 'going')),
    coalesce(nullif(split_part(x, ':', 4), ''), '0')::integer
FROM (VALUES
    ('roundtable', '{ada,ben,chloe,noah,sam,tara,olivia,zoe,quinn,maya}'),
    ('makerspace', '{dev,elena,pablo,umar,zoe,caleb,bianca,olivia}'),
    ('archives', '{farid,grace,hugo,dana,xin,olivia,chloe,will,ben:maybe}'),
    ('new-librarians', '{kara,olivia,zoe,noah,tara,grace,yusuf:maybe}'),
    ('budget-hearing', '{kara,vera,ada,dev,imani,grace,liam,maya,rosa,sam,tara,ben,elena,yusuf,bianca,noah,chloe,hugo:not_going}'),
    ('teen-swap', '{ada,ben,imani,will,elena,bianca}'),
    ('digital-literacy', '{liam,caleb,rosa,maya,pablo,umar,xin:maybe}'),
    ('grant-writing', '{kara,vera,dev,imani,jonah,liam}'),
    ('garden-tour', '{dev,zoe,olivia:going:going:1,hugo,dana,elena:maybe}'),
    ('law-clinic', '{jonah,sam,aaron,grace}'),
    ('bookmobile', '{vera,rosa,caleb,maya,liam:going:waitlisted}'),
    ('library-week', '{kara,yusuf,ada:going:going:2,dev:going:going:1,vera,imani,farid,liam:going:going:2,jonah}'),
    -- 20 places: 15 members and 5 guests fill it; four wait.
    ('holiday-party', '{ada,bianca:going:going:1,ben:going:going:1,chloe,noah,quinn,sam:going:going:1,farid,grace:going:going:1,hugo,tara,xin:going:going:1,dana,will,imani,zoe:going:waitlisted,olivia:going:waitlisted:1,jonah:going:waitlisted,aaron:going:waitlisted,elena:maybe}'),
    ('zine-workshop', '{pablo,dev,zoe,elena,umar}')
) AS v(key, people), unnest(people::text[]) AS x;

INSERT INTO rsvps (event_id, member_id, response, status, guests, requested_at,
    created_at, updated_at)
SELECT i.id, m.id, r.response, r.status, r.guests,
    e.created_at + r.n * interval '37 minutes',
    e.created_at + r.n * interval '37 minutes',
    e.created_at + r.n * interval '37 minutes'
FROM demo_rsvps r
JOIN demo_event_ids i ON i.key = r.key
JOIN events e ON e.id = i.id
JOIN members m ON m.email = r.email
ORDER BY r.n;

-- Attendance at the past events: everyone going came, but for one
-- no-show at the makerspace training and a walk-in at the roundtable.
INSERT INTO attendance (event_id, member_id, attended, recorded_by, recorded_at)
SELECT r.event_id, r.member_id,
    NOT (i.key = 'makerspace' AND m.email = 'olivia@interlibrary.example'),
    e.created_by, e.ends_at + interval '1 hour'
FROM rsvps r
JOIN demo_event_ids i ON i.id = r.event_id
JOIN events e ON e.id = r.event_id
JOIN members m ON m.id = r.member_id
WHERE i.key IN ('roundtable', 'makerspace', 'archives') AND r.status = 'going';

INSERT INTO attendance (event_id, member_id, attended, recorded_by, recorded_at)
SELECT i.id, m.id, true, e.created_by, e.ends_at + interval '1 hour'
FROM demo_event_ids i JOIN events e ON e.id = i.id,
    members m
WHERE i.key = 'roundtable' AND m.email = 'aaron@interlibrary.example';

-- The zine workshop was cancelled; everyone with an RSVP was told.
UPDATE events SET status = 'cancelled', cancelled_at = now() - interval '2 days',
    cancel_reason = 'The makerspace is closed for repairs after a leak. We will reschedule in the spring.',
    sequence = sequence + 1, updated_at = now() - interval '2 days'
WHERE id = (SELECT id FROM demo_event_ids WHERE key = 'zine-workshop');

INSERT INTO notifications (member_id, type, subject_type, subject_id, text, created_at)
SELECT r.member_id, 'event_cancelled', 'event', e.id,
    e.title || ' on ' || to_char(e.starts_at AT TIME ZONE e.timezone, 'FMDD Mon YYYY') ||
    ' was cancelled: ' || e.cancel_reason, e.cancelled_at
FROM events e JOIN rsvps r ON r.event_id = e.id
WHERE e.id = (SELECT id FROM demo_event_ids WHERE key = 'zine-workshop')
  AND r.member_id <> (SELECT id FROM members WHERE email = 'pablo@interlibrary.example');

-- A place opened up at the holiday party for Hugo (who had been
-- waitlisted when Pablo withdrew).
INSERT INTO notifications (member_id, type, subject_type, subject_id, text, created_at)
SELECT m.id, 'rsvp_promoted', 'event', i.id,
    'A place opened up at Staff Holiday Party: you are now going.', now() - interval '1 day'
FROM demo_event_ids i, members m
WHERE i.key = 'holiday-party' AND m.email = 'hugo@interlibrary.example';

-- Invitations, each with the reason the recipient's consent allows
-- (api.invitation_reason: shared organization, or met at an event).
INSERT INTO invitations (event_id, sender_id, recipient_id, reason, status, responded_at,
    created_at)
SELECT i.id, s.id, t.id, api.invitation_reason(s, t), v.status,
    CASE WHEN v.status <> 'pending' THEN now() - interval '1 day' END,
    now() - interval '3 days'
FROM (VALUES
    ('budget-hearing', 'kara@interlibrary.example', 'olivia@interlibrary.example', 'pending'),
    ('budget-hearing', 'ada@interlibrary.example', 'quinn@interlibrary.example', 'pending'),
    ('budget-hearing', 'ada@interlibrary.example', 'chloe@interlibrary.example', 'accepted'),
    ('teen-swap', 'ada@interlibrary.example', 'noah@interlibrary.example', 'pending'),
    ('new-librarians', 'grace@interlibrary.example', 'dana@interlibrary.example', 'pending'),
    ('law-clinic', 'sam@interlibrary.example', 'tara@interlibrary.example', 'declined')
) AS v(key, sender, recipient, status)
JOIN demo_event_ids i ON i.key = v.key
JOIN members s ON s.email = v.sender
JOIN members t ON t.email = v.recipient
WHERE api.invitation_reason(s, t) IS NOT NULL;

INSERT INTO notifications (member_id, type, subject_type, subject_id, text, read, created_at)
SELECT n.recipient_id, 'invitation_received', 'invitation', n.id,
    s.display_name || ' invited you to ' || e.title || ' (' || n.reason || ').',
    n.status <> 'pending', n.created_at
FROM invitations n JOIN members s ON s.id = n.sender_id JOIN events e ON e.id = n.event_id;

-- Events at a venue take their organization's position (issue 19, Nearby).
UPDATE events e SET latitude = o.latitude, longitude = o.longitude
FROM organizations o
WHERE o.id = e.organization_id AND e.venue IS NOT NULL
  AND o.latitude IS NOT NULL;
