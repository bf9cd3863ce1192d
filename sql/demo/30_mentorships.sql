-- Demo data: mentors and mentorships in the Springfield region.  Runs
-- after 10_ (members, organizations) and, when present, 20_ (events), in
-- one transaction on an empty database.  It brings its own two past
-- events with recorded attendance, so the mentor suggestions have people
-- "met" to rank first whether or not 20_ recorded any.
--
-- What the demo logins see:
--   ada@ (a mentor): Imani's accepted mentorship with check-ins, Elena's
--       request waiting for an answer, and suggestions led by the people
--       she met at events (the Autumn Social here);
--   olivia@ (an MLIS student looking for an archives mentor): one pending
--       request, and Hugo Lefèvre (archives, preservation) at the top of
--       her suggestions, met at Oral History Day.
--
-- Every status change goes through the status machine (the trigger of
-- 0006): il.actor names who makes it, exactly as the API does.

-- Two more mentors, so more of the region's interests have one.
UPDATE members SET mentoring_available = true,
    mentoring_topics = '{outreach,bookmobile,"rural libraries"}',
    mentoring_capacity = 2
WHERE email = 'liam@interlibrary.example';
UPDATE members SET mentoring_available = true,
    mentoring_topics = '{"oral history","local history",genealogy}',
    mentoring_capacity = 1
WHERE email = 'sam@interlibrary.example';
-- Hugo takes up to three mentees, and joins the association, where
-- Olivia (an MLIS student looking for an archives mentor) is a member.
UPDATE members SET mentoring_capacity = 3
WHERE email = 'hugo@interlibrary.example';
INSERT INTO memberships (organization_id, member_id, role, status)
SELECT o.id, m.id, 'member', 'active'
FROM organizations o, members m
WHERE o.slug = 'springfield-library-association'
  AND m.email = 'hugo@interlibrary.example'
ON CONFLICT DO NOTHING;

-- Past events with attendance --------------------------------------------------

CREATE TEMP TABLE demo_mt_events (
	key text, org text, creator text, title text, kind text, tags text[],
	days_ago integer, venue text, address text, description text,
	people text[]
) ON COMMIT DROP;

INSERT INTO demo_mt_events VALUES
('autumn-social', 'springfield-central', 'ada@interlibrary.example',
 'Autumn Social', 'social', '{social}', 50,
 'Springfield Central Library', '400 Main Street, Springfield',
 'Cocoa, a book swap and the year in pictures: an evening for everyone who works in the region''s libraries.',
 '{ada,ben,bianca,kara,tara,farid,liam,olivia,noah,will}'),
('oral-history', 'springfield-university', 'hugo@interlibrary.example',
 'Oral History Day', 'training', '{archives,"oral history"}', 70,
 'Springfield University Library, Special Collections', '1 College Avenue, Springfield',
 'Recording, transcribing and cataloguing oral histories, with the university''s project team.',
 '{hugo,olivia,dana,sam,grace,xin,chloe}');

CREATE TEMP TABLE demo_mt_event_ids ON COMMIT DROP AS
WITH ins AS (
	INSERT INTO events (title, description, kind, tags, starts_at, ends_at,
	    timezone, venue, address, city, capacity, organization_id,
	    created_by, created_at, updated_at)
	SELECT d.title, d.description, d.kind, d.tags,
	    ((now() AT TIME ZONE 'America/Chicago')::date - d.days_ago
	        + time '17:30') AT TIME ZONE 'America/Chicago',
	    ((now() AT TIME ZONE 'America/Chicago')::date - d.days_ago
	        + time '20:00') AT TIME ZONE 'America/Chicago',
	    'America/Chicago', d.venue, d.address, 'Springfield', 60, o.id, m.id,
	    now() - (d.days_ago + 21) * interval '1 day',
	    now() - (d.days_ago + 21) * interval '1 day'
	FROM demo_mt_events d
	JOIN organizations o ON o.slug = d.org
	JOIN members m ON m.email = d.creator
	RETURNING id, title
)
SELECT d.key, ins.id FROM ins JOIN demo_mt_events d ON d.title = ins.title;

INSERT INTO event_organizers (event_id, member_id)
SELECT i.id, e.created_by
FROM demo_mt_event_ids i JOIN events e ON e.id = i.id;

INSERT INTO rsvps (event_id, member_id, response, status, requested_at,
    created_at, updated_at)
SELECT i.id, m.id, 'going', 'going', e.created_at + p.n * interval '1 hour',
    e.created_at + p.n * interval '1 hour', e.created_at + p.n * interval '1 hour'
FROM demo_mt_events d
JOIN demo_mt_event_ids i ON i.key = d.key
JOIN events e ON e.id = i.id
CROSS JOIN LATERAL unnest(d.people) WITH ORDINALITY AS p(who, n)
JOIN members m ON m.email = p.who || '@interlibrary.example';

INSERT INTO attendance (event_id, member_id, attended, recorded_by, recorded_at)
SELECT r.event_id, r.member_id, true, e.created_by, e.ends_at + interval '1 hour'
FROM rsvps r
JOIN demo_mt_event_ids i ON i.id = r.event_id
JOIN events e ON e.id = r.event_id;

-- Mentorships -------------------------------------------------------------------

-- (key, mentee, mentor, topic, message, goals, days ago, final status).
CREATE TEMP TABLE demo_mt (
	key text, mentee text, mentor text, topic text, message text,
	goals text[], days_ago integer, final text
) ON COMMIT DROP;

INSERT INTO demo_mt VALUES
('imani-ada', 'imani', 'ada', 'advocacy',
 'I want to speak at the budget hearing without freezing. Could you help me prepare?',
 '{"speak at the city council budget hearing","build a school library advocacy plan"}', 60, 'accepted'),
('zoe-dev', 'zoe', 'dev', 'management',
 'First year in a branch and already covering the manager''s shifts. I would love a guide.',
 '{"run a staff meeting","understand the branch budget"}', 45, 'accepted'),
('noah-ben', 'noah', 'ben', 'teen services',
 'I run the seed library and want to start a teen gardening club.',
 '{"plan a six-week teen program","recruit two volunteers"}', 30, 'accepted'),
('caleb-pablo', 'caleb', 'pablo', 'digital literacy',
 'Seniors keep asking about smartphones: how do I build a class series?',
 '{"design a four-class smartphone series","run the first class"}', 120, 'completed'),
('maya-rosa', 'maya', 'rosa', 'adult literacy',
 'Our ESL group is growing faster than our tutors.',
 '{"train three new tutors"}', 90, 'completed'),
('elena-ada', 'elena', 'ada', 'advocacy',
 'Storytime parents keep asking how to support the library. Where do I start?',
 '{"start a Friends group at Riverside"}', 3, 'requested'),
('olivia-tara', 'olivia', 'tara', 'instruction',
 'I would like to practise teaching a one-shot information literacy session.',
 '{"teach one class with feedback"}', 5, 'requested'),
('yusuf-kara', 'yusuf', 'kara', 'fundraising',
 'The Friends want to run their first appeal letter campaign.',
 '{"write the appeal letter","plan the donor thank-yous"}', 2, 'requested'),
('will-farid', 'will', 'farid', 'library systems',
 'Could you help me set up the district catalogue for our middle school?',
 '{}', 40, 'declined'),
('chloe-grace', 'chloe', 'grace', 'open access',
 'Curious about repository metadata.', '{}', 20, 'withdrawn');

INSERT INTO mentorships (mentor_id, mentee_id, topic, message, goals,
    created_at, updated_at)
SELECT mr.id, me.id, d.topic, d.message, d.goals,
    now() - d.days_ago * interval '1 day', now() - d.days_ago * interval '1 day'
FROM demo_mt d
JOIN members me ON me.email = d.mentee || '@interlibrary.example'
JOIN members mr ON mr.email = d.mentor || '@interlibrary.example'
ORDER BY d.days_ago DESC;

CREATE TEMP TABLE demo_mt_ids ON COMMIT DROP AS
SELECT d.*, x.id, x.mentor_id, x.mentee_id
FROM demo_mt d
JOIN members me ON me.email = d.mentee || '@interlibrary.example'
JOIN mentorships x ON x.mentee_id = me.id
JOIN members mr ON mr.id = x.mentor_id
    AND mr.email = d.mentor || '@interlibrary.example';

-- One status change of mentorship p_key by p_who through the machine.
CREATE FUNCTION pg_temp.demo_mt_move(p_key text, p_who text, p_status text,
    p_reason text, p_days_ago integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_id	bigint := (SELECT id FROM demo_mt_ids WHERE key = p_key);
BEGIN
	PERFORM set_config('il.actor', (SELECT id::text FROM members
	    WHERE email = p_who || '@interlibrary.example'), true);
	UPDATE mentorships SET status = p_status, status_reason = p_reason
	WHERE id = v_id;
	UPDATE mentorships SET
	    accepted_at = CASE WHEN p_status = 'accepted'
	        THEN now() - p_days_ago * interval '1 day' ELSE accepted_at END,
	    ended_at = CASE WHEN p_status <> 'accepted'
	        THEN now() - p_days_ago * interval '1 day' ELSE ended_at END,
	    updated_at = now() - p_days_ago * interval '1 day'
	WHERE id = v_id;
	UPDATE notifications SET created_at = now() - p_days_ago * interval '1 day',
	    read = p_days_ago > 7
	WHERE subject_type = 'mentorship' AND subject_id = v_id
	  AND created_at = now();
END;
$$;

-- The requests were notified when they were made.
UPDATE notifications n SET created_at = x.created_at, read = x.created_at < now() - interval '7 days'
FROM mentorships x
WHERE n.subject_type = 'mentorship' AND n.subject_id = x.id
  AND n.type = 'mentorship_requested';

SELECT pg_temp.demo_mt_move('imani-ada', 'ada', 'accepted', NULL, 58);
SELECT pg_temp.demo_mt_move('zoe-dev', 'dev', 'accepted', NULL, 44);
SELECT pg_temp.demo_mt_move('noah-ben', 'ben', 'accepted', NULL, 27);
SELECT pg_temp.demo_mt_move('caleb-pablo', 'pablo', 'accepted', NULL, 118);
SELECT pg_temp.demo_mt_move('maya-rosa', 'rosa', 'accepted', NULL, 88);
SELECT pg_temp.demo_mt_move('will-farid', 'farid', 'declined',
    'The district catalogue is run by the county; I will introduce you to their systems team.', 38);
SELECT pg_temp.demo_mt_move('chloe-grace', 'chloe', 'withdrawn', NULL, 18);

-- Check-ins while accepted: (key, author, days ago, note, goals).
INSERT INTO mentorship_check_ins (mentorship_id, author_id, on_date, note, goals,
    created_at)
SELECT i.id, m.id, current_date - c.days_ago, c.note, c.goals::text[],
    now() - c.days_ago * interval '1 day'
FROM (VALUES
    ('imani-ada', 'imani', 50, 'Drafted a two-minute comment; Ada marked the three numbers to lead with.',
     '{"speak at the city council budget hearing"}'),
    ('imani-ada', 'ada', 36, 'Practised out loud twice. Timing is 1:55 now. Next: the school board version.',
     '{"speak at the city council budget hearing"}'),
    ('imani-ada', 'imani', 12, 'Outlined the advocacy plan: three asks, two allies, one calendar.',
     '{"build a school library advocacy plan"}'),
    ('zoe-dev', 'zoe', 38, 'Ran my first staff meeting with Dev''s agenda template. Ten minutes over.',
     '{"run a staff meeting"}'),
    ('zoe-dev', 'dev', 21, 'Walked through the branch budget lines; homework: the materials line.',
     '{"understand the branch budget"}'),
    ('noah-ben', 'noah', 20, 'Program outline done: six Saturdays, seeds to salad.',
     '{"plan a six-week teen program"}'),
    ('noah-ben', 'ben', 9, 'Two volunteers from the garden club said yes.',
     '{"recruit two volunteers"}'),
    ('caleb-pablo', 'caleb', 100, 'Class plans for weeks 1-4 drafted; Pablo suggested a handout per class.',
     '{"design a four-class smartphone series"}'),
    ('caleb-pablo', 'pablo', 75, 'First class ran with 11 seniors. Keep the pace slower in week 2.',
     '{"run the first class"}'),
    ('maya-rosa', 'maya', 70, 'Tutor training outline agreed; recruiting through the ESL group.',
     '{"train three new tutors"}'),
    ('maya-rosa', 'rosa', 40, 'Three tutors trained and matched with learners.',
     '{"train three new tutors"}')
) AS c(key, who, days_ago, note, goals)
JOIN demo_mt_ids i ON i.key = c.key
JOIN members m ON m.email = c.who || '@interlibrary.example';

SELECT pg_temp.demo_mt_move('caleb-pablo', 'caleb', 'completed',
    'All four classes ran; the series is now on the fall calendar.', 60);
SELECT pg_temp.demo_mt_move('maya-rosa', 'rosa', 'completed', NULL, 30);

-- Caleb and Pablo both agreed to share theirs in the community activity;
-- Maya and Rosa's stays private (only Rosa agreed).
UPDATE mentorships SET mentor_shares = true, mentee_shares = true
WHERE id = (SELECT id FROM demo_mt_ids WHERE key = 'caleb-pablo');
UPDATE mentorships SET mentor_shares = true
WHERE id = (SELECT id FROM demo_mt_ids WHERE key = 'maya-rosa');
