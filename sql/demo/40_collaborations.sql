-- Demo data: collaborations between the Springfield region's libraries
-- (after 10_members_organizations.sql).  A shared summer reading
-- programme (active), a joint advocacy day (seeking partners), an oral
-- history archive (proposed) and a seed library launch (completed), with
-- partners, cost shares, updates, and the notifications of the requests
-- still waiting.  Rows go in directly (the status trigger only checks
-- moves), with dates in the past.

CREATE TEMP TABLE demo_collabs (
	key text, title text, summary text, skills text[], status text,
	org text, creator text, age interval, completed_ago interval
) ON COMMIT DROP;

INSERT INTO demo_collabs VALUES
('summer', 'Springfield Summer Reading Challenge',
 'One summer reading challenge across the region''s public and school libraries: shared reading logs, a joint prize draw and a kickoff party at every branch.',
 '{"summer reading","event planning",design,outreach}', 'active',
 'springfield-central', 'ada@interlibrary.example', interval '75 days', NULL),
('advocacy', 'Library Advocacy Day at City Hall',
 'Librarians from every library speak at the city council''s budget hearing together, with one set of talking points and a shared rally.',
 '{advocacy,"public speaking","talking points"}', 'seeking_partners',
 'springfield-library-association', 'kara@interlibrary.example', interval '20 days', NULL),
('oral-history', 'Regional Oral History Archive',
 'Record and preserve the stories of long-time library users and staff across the region, with a shared catalogue of the recordings.',
 '{"oral history",archives,preservation,metadata}', 'proposed',
 NULL, 'hugo@interlibrary.example', interval '6 days', NULL),
('seeds', 'Seed Library Launch',
 'A seed library at Central and Riverside: seed packets, a shared catalogue and spring planting workshops.',
 '{gardening,cataloguing,workshops}', 'completed',
 NULL, 'noah@interlibrary.example', interval '200 days', interval '60 days');

INSERT INTO collaborations (title, summary, skills_wanted, status,
    organization_id, created_by, completed_at, created_at, updated_at)
SELECT d.title, d.summary, d.skills, d.status, o.id, m.id,
    now() - d.completed_ago, now() - d.age,
    now() - coalesce(d.completed_ago, d.age / 3)
FROM demo_collabs d
JOIN members m ON m.email = d.creator
LEFT JOIN organizations o ON o.slug = d.org
ORDER BY d.age DESC;

CREATE TEMP TABLE demo_participants (
	key text, email text, org text, role text, status text,
	message text, skills text[], amount numeric, currency text, note text,
	age interval
) ON COMMIT DROP;

INSERT INTO demo_participants VALUES
-- Summer reading: Ada for Central (creator), Bianca, Riverside,
-- Shelbyville, and Lincoln High still waiting.
('summer', 'ada@interlibrary.example', 'springfield-central', 'owner', 'approved',
 NULL, '{}', 1200, 'USD', 'Prizes and the kickoff party', interval '75 days'),
('summer', 'bianca@interlibrary.example', NULL, 'owner', 'approved',
 'I can run the kickoff events and the prize draw.', '{"event planning","public speaking"}',
 NULL, NULL, NULL, interval '74 days'),
('summer', 'dev@interlibrary.example', 'riverside-branch', 'participant', 'approved',
 'Riverside is in: storytimes and the reading garden.', '{storytime,outreach}',
 750, 'USD', 'Reading logs and stickers', interval '70 days'),
('summer', 'vera@interlibrary.example', 'shelbyville-public', 'participant', 'approved',
 'Shelbyville will bring the bookmobile to every school.', '{budgeting,outreach}',
 600, 'USD', 'Bookmobile fuel and printing', interval '68 days'),
('summer', 'imani@interlibrary.example', 'lincoln-high', 'participant', 'pending',
 'Could the teens at Lincoln High join too?', '{"reader advisory"}',
 200, 'USD', NULL, interval '3 days'),
-- Advocacy day: the association hosts; Shelbyville, the law library and
-- Zoe are in; Riverside asked.
('advocacy', 'kara@interlibrary.example', 'springfield-library-association', 'owner', 'approved',
 NULL, '{}', 400, 'USD', 'Rally signs and coffee', interval '20 days'),
('advocacy', 'liam@interlibrary.example', 'shelbyville-public', 'participant', 'approved',
 'We can drive people over in the bookmobile.', '{outreach}',
 300, 'USD', 'Transport', interval '15 days'),
('advocacy', 'jonah@interlibrary.example', 'springfield-law', 'participant', 'approved',
 'The law library will help with the talking points.', '{"legal research"}',
 NULL, NULL, NULL, interval '12 days'),
('advocacy', 'zoe@interlibrary.example', NULL, 'participant', 'approved',
 'First advocacy day for me: happy to hand out flyers.', '{outreach}',
 NULL, NULL, NULL, interval '9 days'),
('advocacy', 'dev@interlibrary.example', 'riverside-branch', 'participant', 'pending',
 'Riverside would like to speak about branch hours.', '{advocacy}',
 NULL, NULL, NULL, interval '1 day'),
-- Oral history: just proposed; Olivia asked to help.
('oral-history', 'hugo@interlibrary.example', NULL, 'owner', 'approved',
 NULL, '{}', NULL, NULL, NULL, interval '6 days'),
('oral-history', 'olivia@interlibrary.example', NULL, 'participant', 'pending',
 'I would love to help with the recordings for my MLIS practicum.', '{research}',
 NULL, NULL, NULL, interval '2 days'),
-- Seed library: done, with partners in two currencies (a seed company
-- across the border paid in Canadian dollars).
('seeds', 'noah@interlibrary.example', NULL, 'owner', 'approved',
 NULL, '{}', NULL, NULL, NULL, interval '200 days'),
('seeds', 'pablo@interlibrary.example', 'riverside-branch', 'participant', 'declined',
 'Riverside could print the seed packet labels.', '{"3D printing"}',
 NULL, NULL, NULL, interval '190 days'),
('seeds', 'dev@interlibrary.example', 'riverside-branch', 'participant', 'approved',
 'Riverside will host a second seed cabinet.', '{gardening}',
 150, 'USD', 'The cabinet', interval '185 days'),
('seeds', 'chloe@interlibrary.example', NULL, 'participant', 'approved',
 'I will catalogue the seeds.', '{cataloguing,metadata}',
 80, 'CAD', 'Seed packets from the Windsor seed swap', interval '180 days');

INSERT INTO collaboration_participants (collaboration_id, member_id,
    organization_id, role, status, message, skills_offered, cost_amount,
    cost_currency, cost_note, created_at, updated_at, decided_at)
SELECT c.id, m.id, o.id, p.role, p.status, p.message, p.skills, p.amount,
    p.currency, p.note, now() - p.age, now() - p.age + interval '1 day',
    CASE WHEN p.status <> 'pending' THEN now() - p.age + interval '1 day' END
FROM demo_participants p
JOIN demo_collabs d ON d.key = p.key
JOIN collaborations c ON c.title = d.title
JOIN members m ON m.email = p.email
LEFT JOIN organizations o ON o.slug = p.org;

INSERT INTO collaboration_updates (collaboration_id, author_id, body,
    created_at)
SELECT c.id, m.id, u.body, now() - u.age
FROM (VALUES
    ('Springfield Summer Reading Challenge', 'bianca@interlibrary.example',
     'Reading logs are printed: 4,000 copies, one design for every library.', interval '40 days'),
    ('Springfield Summer Reading Challenge', 'dev@interlibrary.example',
     'Riverside signed up 212 readers in the first week.', interval '12 days'),
    ('Springfield Summer Reading Challenge', 'ada@interlibrary.example',
     'Kickoff parties confirmed at all four branches; the prize draw is on the last Friday of August.', interval '2 days'),
    ('Library Advocacy Day at City Hall', 'kara@interlibrary.example',
     'The budget hearing is confirmed; the talking points draft is ready for comments.', interval '4 days'),
    ('Seed Library Launch', 'chloe@interlibrary.example',
     '312 seed varieties catalogued and searchable in the catalogue.', interval '120 days'),
    ('Seed Library Launch', 'noah@interlibrary.example',
     'Both seed cabinets are open. Thank you, everyone!', interval '61 days')
) AS u(title, email, body, age)
JOIN collaborations c ON c.title = u.title
JOIN members m ON m.email = u.email;

-- The owners were told about the requests still waiting.
INSERT INTO notifications (member_id, type, subject_type, subject_id, text,
    created_at)
SELECT o.member_id, 'participation_requested', 'collaboration', c.id,
    m.display_name || ' asked to join "' || c.title || '"' ||
    coalesce(' for ' || org.name, '') || '.', p.created_at
FROM collaboration_participants p
JOIN collaborations c ON c.id = p.collaboration_id
JOIN members m ON m.id = p.member_id
LEFT JOIN organizations org ON org.id = p.organization_id
JOIN collaboration_participants o ON o.collaboration_id = p.collaboration_id
    AND o.role = 'owner' AND o.status = 'approved'
WHERE p.status = 'pending';

-- And the decided ones were told the outcome.
INSERT INTO notifications (member_id, type, subject_type, subject_id, text,
    read, created_at)
SELECT p.member_id, 'participation_' || p.status, 'collaboration', c.id,
    'Your request to join "' || c.title || '" was ' || p.status || '.',
    true, p.decided_at
FROM collaboration_participants p
JOIN collaborations c ON c.id = p.collaboration_id
WHERE p.status IN ('approved', 'declined') AND p.role = 'participant';
