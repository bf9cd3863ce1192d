-- Demo data: the libraries of the fictional Springfield region and the
-- people who work in them.  Every demo member's password is
-- "librarians-unite" (one precomputed Argon2id hash); the documented demo
-- login is ada@interlibrary.example.  Ada is also a site admin.

CREATE TEMP TABLE demo_people (
	email text, display_name text, pronouns text, title text, city text,
	bio text, skills text[], interests text[], mentor boolean,
	topics text[], about text, org text, org_role text
) ON COMMIT DROP;

INSERT INTO demo_people VALUES
('ada@interlibrary.example', 'Ada Okafor', 'she/her', 'Head of Community Engagement', 'Springfield',
 'Twenty years in public libraries; runs the region''s advocacy days.', '{advocacy,"grant writing","event planning"}', '{"community organizing",outreach}', true, '{advocacy,"grant writing",leadership}', 'public', 'springfield-central', 'admin'),
('ben@interlibrary.example', 'Ben Castillo', 'he/him', 'Teen Services Librarian', 'Springfield',
 'Runs the after-school coding club and a teen zine workshop.', '{"teen services",coding,zines}', '{gaming,makerspaces}', true, '{"teen services",makerspaces}', 'public', 'springfield-central', 'member'),
('chloe@interlibrary.example', 'Chloe Nguyen', 'she/her', 'Cataloguing Librarian', 'Springfield',
 'Metadata nerd. Ask me about authority records.', '{cataloguing,metadata,RDA}', '{"linked data",archives}', false, '{}', 'members', 'springfield-central', 'member'),
('dev@interlibrary.example', 'Dev Patel', 'he/him', 'Branch Manager', 'Riverside',
 'Manages the Riverside branch; loves a good storytime.', '{management,storytime,budgeting}', '{"early literacy",advocacy}', true, '{management,budgeting}', 'public', 'riverside-branch', 'admin'),
('elena@interlibrary.example', 'Elena Rossi', 'she/her', 'Children''s Librarian', 'Riverside',
 'Storytimes in three languages.', '{storytime,"early literacy",spanish,italian}', '{"picture books",music}', false, '{}', 'public', 'riverside-branch', 'member'),
('farid@interlibrary.example', 'Farid Haddad', 'he/him', 'Systems Librarian', 'Springfield',
 'Keeps the ILS running and the Wi-Fi honest.', '{"library systems",linux,networking}', '{"open source",privacy}', true, '{"library systems","open source"}', 'members', 'springfield-university', 'admin'),
('grace@interlibrary.example', 'Grace Kim', 'she/her', 'Research Librarian', 'Springfield',
 'Subject librarian for the sciences; data management plans.', '{"research data","information literacy",instruction}', '{"open access",science}', true, '{"research data","open access"}', 'public', 'springfield-university', 'member'),
('hugo@interlibrary.example', 'Hugo Lefèvre', 'he/him', 'Archivist', 'Springfield',
 'Special collections and the university''s oral history project.', '{archives,preservation,"oral history"}', '{"local history",digitization}', true, '{archives,preservation}', 'public', 'springfield-university', 'member'),
('imani@interlibrary.example', 'Imani Johnson', 'she/her', 'School Librarian', 'Springfield',
 'Lincoln High''s library: banned books week every week.', '{"information literacy","reader advisory",instruction}', '{"intellectual freedom","young adult"}', false, '{}', 'public', 'lincoln-high', 'admin'),
('jonah@interlibrary.example', 'Jonah Berg', 'they/them', 'Law Librarian', 'Springfield',
 'Legal research for the public and the bar.', '{"legal research",reference}', '{"access to justice",advocacy}', true, '{"legal research"}', 'members', 'springfield-law', 'admin'),
('kara@interlibrary.example', 'Kara O''Neill', 'she/her', 'Association President', 'Shelbyville',
 'President of the Springfield Library Association.', '{advocacy,"public speaking",fundraising}', '{policy,"library funding"}', true, '{advocacy,fundraising,"public speaking"}', 'public', 'springfield-library-association', 'admin'),
('liam@interlibrary.example', 'Liam Walsh', 'he/him', 'Outreach Coordinator', 'Shelbyville',
 'Bookmobile driver and outreach coordinator.', '{outreach,bookmobile,"event planning"}', '{"rural libraries",accessibility}', false, '{}', 'public', 'shelbyville-public', 'admin'),
('maya@interlibrary.example', 'Maya Goldberg', 'she/her', 'Adult Services Librarian', 'Shelbyville',
 'Book clubs, ESL conversation groups, tax help.', '{"reader advisory","book clubs",ESL}', '{"adult literacy",immigration}', false, '{}', 'members', 'shelbyville-public', 'member'),
('noah@interlibrary.example', 'Noah Adeyemi', 'he/him', 'Library Assistant', 'Springfield',
 'Circulation desk and the seed library.', '{circulation,gardening}', '{"seed libraries",sustainability,"teen services"}', false, '{}', 'public', 'springfield-central', 'member'),
('olivia@interlibrary.example', 'Olivia Brandt', 'she/her', 'MLIS Student', 'Springfield',
 'Second-year MLIS student looking for a mentor in archives.', '{research}', '{archives,preservation,"oral history"}', false, '{}', 'public', 'springfield-library-association', 'member'),
('pablo@interlibrary.example', 'Pablo Ruiz', 'he/him', 'Digital Services Librarian', 'Riverside',
 'Makerspace, 3D printers and the laptop loan programme.', '{makerspaces,"3D printing","digital literacy"}', '{coding,"teen services"}', true, '{makerspaces,"digital literacy"}', 'public', 'riverside-branch', 'member'),
('quinn@interlibrary.example', 'Quinn Harper', 'they/them', 'Collections Librarian', 'Springfield',
 'Collection development and weeding with mercy.', '{"collection development",budgeting}', '{"graphic novels",comics}', false, '{}', 'private', 'springfield-central', 'member'),
('rosa@interlibrary.example', 'Rosa Delgado', 'she/her', 'Literacy Coordinator', 'Shelbyville',
 'Adult literacy tutors and family literacy nights.', '{"adult literacy",volunteers,"grant writing"}', '{ESL,"early literacy"}', true, '{"adult literacy",volunteers}', 'public', 'shelbyville-public', 'member'),
('sam@interlibrary.example', 'Sam Whitfield', 'he/him', 'Reference Librarian', 'Springfield',
 'Reference desk veteran, genealogy on Tuesdays.', '{reference,genealogy}', '{"local history",archives}', false, '{}', 'members', 'springfield-law', 'member'),
('tara@interlibrary.example', 'Tara Singh', 'she/her', 'Instruction Librarian', 'Springfield',
 'Teaches first-years how to find and judge sources.', '{instruction,"information literacy"}', '{"open educational resources",pedagogy}', true, '{instruction,pedagogy}', 'public', 'springfield-university', 'member'),
('umar@interlibrary.example', 'Umar Farouk', 'he/him', 'Facilities Coordinator', 'Riverside',
 'Keeps the buildings open, accessible and warm.', '{facilities,accessibility}', '{sustainability}', false, '{}', 'members', 'riverside-branch', 'member'),
('vera@interlibrary.example', 'Vera Novak', 'she/her', 'Library Director', 'Shelbyville',
 'Director of Shelbyville Public; budget season veteran.', '{leadership,budgeting,advocacy}', '{policy,"library funding"}', true, '{leadership,budgeting}', 'public', 'shelbyville-public', 'admin'),
('will@interlibrary.example', 'Will Thompson', 'he/him', 'Teacher Librarian', 'Springfield',
 'Middle school library and the district''s book fair.', '{"reader advisory","school libraries"}', '{"young adult","graphic novels"}', false, '{}', 'public', 'lincoln-high', 'member'),
('xin@interlibrary.example', 'Xin Li', 'she/her', 'Data Librarian', 'Springfield',
 'Data services, GIS and the open data portal.', '{"research data",GIS,python}', '{"open data",mapping}', true, '{"research data",GIS}', 'members', 'springfield-university', 'member'),
('yusuf@interlibrary.example', 'Yusuf Demir', 'he/him', 'Volunteer Coordinator', 'Springfield',
 'Friends of the Library liaison.', '{volunteers,fundraising}', '{"event planning",advocacy}', false, '{}', 'public', 'springfield-library-association', 'member'),
('zoe@interlibrary.example', 'Zoe Martins', 'she/her', 'Early Career Librarian', 'Riverside',
 'First year as a librarian; keen on outreach and advocacy.', '{outreach}', '{advocacy,management,storytime}', false, '{}', 'public', 'riverside-branch', 'member'),
('aaron@interlibrary.example', 'Aaron Blake', 'he/him', 'Paralegal Librarian', 'Springfield',
 'Court forms clinic on Thursdays.', '{"legal research",forms}', '{"access to justice"}', false, '{}', 'members', 'springfield-law', 'member'),
('bianca@interlibrary.example', 'Bianca Ferreira', 'she/her', 'Programs Librarian', 'Springfield',
 'Author talks, film nights and the summer reading kickoff.', '{"event planning","public speaking"}', '{film,"summer reading"}', true, '{"event planning"}', 'public', 'springfield-central', 'member'),
('caleb@interlibrary.example', 'Caleb Moore', 'he/him', 'Technology Trainer', 'Shelbyville',
 'Digital skills classes for seniors.', '{"digital literacy",instruction}', '{accessibility,seniors}', false, '{}', 'public', 'shelbyville-public', 'member'),
('dana@interlibrary.example', 'Dana Whitaker', 'she/her', 'Preservation Technician', 'Springfield',
 'Book repair and environmental monitoring.', '{preservation,"book repair"}', '{archives}', false, '{}', 'members', 'springfield-university', 'member');

INSERT INTO organizations (slug, name, kind, city, website, description) VALUES
('springfield-central', 'Springfield Central Library', 'public_library', 'Springfield',
 'https://central.springfield-library.example', 'The main library of the Springfield Public Library system.'),
('riverside-branch', 'Riverside Branch Library', 'public_library', 'Riverside',
 'https://riverside.springfield-library.example', 'A neighbourhood branch with a makerspace and a riverside reading garden.'),
('springfield-university', 'Springfield University Library', 'academic_library', 'Springfield',
 'https://library.springfield-university.example', 'Research library with special collections and a data services team.'),
('lincoln-high', 'Lincoln High School Library', 'school_library', 'Springfield',
 NULL, 'The library of Lincoln High School.'),
('springfield-law', 'Springfield County Law Library', 'special_library', 'Springfield',
 'https://lawlibrary.springfield-county.example', 'Free legal research help for the public.'),
('shelbyville-public', 'Shelbyville Public Library', 'public_library', 'Shelbyville',
 'https://shelbyville-library.example', 'Serving Shelbyville since 1911, bookmobile included.'),
('springfield-library-association', 'Springfield Library Association', 'association', 'Springfield',
 'https://sla.example', 'The regional association of library workers: advocacy, training and celebrations.');

-- Positions (issue 19, Nearby): around Springfield, Illinois, where the
-- demo events are (America/Chicago); Shelbyville is about 95 km away.
UPDATE organizations o SET latitude = v.lat, longitude = v.lon
FROM (VALUES
    ('springfield-central', 39.7990, -89.6478),
    ('riverside-branch', 39.8412, -89.5448),
    ('springfield-university', 39.7291, -89.6176),
    ('lincoln-high', 39.7846, -89.6762),
    ('springfield-law', 39.8016, -89.6502),
    ('shelbyville-public', 39.4063, -88.7902),
    ('springfield-library-association', 39.8022, -89.6437)
) AS v(slug, lat, lon)
WHERE o.slug = v.slug;

INSERT INTO members (email, password_hash, display_name, pronouns, title, city, bio,
    skills, interests, mentoring_available, mentoring_topics, mentoring_capacity,
    visibility_about, visibility_affiliations, visibility_mentoring, invitations,
    email_verified, created_at)
SELECT email,
    '$argon2id$v=19$m=65536,t=2,p=1$F9/rIQbuUxY8aPu05e1Y2A$xpuFgCx8oAk6YBe+QfeHCG39yHmE3G7+mPqXBuP4nEY',
    display_name, pronouns, title, city, bio, skills, interests, mentor, topics,
    CASE WHEN mentor THEN 2 ELSE 0 END, about, 'members', 'members',
    CASE WHEN display_name LIKE 'Q%' THEN 'nobody' WHEN mentor THEN 'anyone'
        ELSE 'organizations' END,
    true, now() - (row_number() OVER () * interval '9 days')
FROM demo_people;

UPDATE members SET role = 'admin' WHERE email = 'ada@interlibrary.example';

-- A few approximate home areas (0.01 degree), for "people nearby"; the
-- others set none.
UPDATE members m SET home_latitude = v.lat, home_longitude = v.lon
FROM (VALUES
    ('ada@interlibrary.example', 39.79, -89.65),
    ('dev@interlibrary.example', 39.84, -89.55),
    ('grace@interlibrary.example', 39.75, -89.60),
    ('imani@interlibrary.example', 39.81, -89.63),
    ('vera@interlibrary.example', 39.41, -88.80)
) AS v(email, lat, lon)
WHERE m.email = v.email;

INSERT INTO memberships (organization_id, member_id, role, status)
SELECT o.id, m.id, p.org_role, 'active'
FROM demo_people p
JOIN members m ON m.email = p.email
JOIN organizations o ON o.slug = p.org;

-- Everyone also belongs to the association; a few ask to join another
-- library (pending requests for the admins to approve).
INSERT INTO memberships (organization_id, member_id, role, status)
SELECT o.id, m.id, 'member', 'active'
FROM members m, organizations o
WHERE o.slug = 'springfield-library-association'
  AND m.email IN ('ada@interlibrary.example', 'dev@interlibrary.example',
      'imani@interlibrary.example', 'vera@interlibrary.example', 'grace@interlibrary.example')
ON CONFLICT DO NOTHING;

INSERT INTO memberships (organization_id, member_id, role, status)
SELECT o.id, m.id, 'member', 'pending'
FROM members m, organizations o
WHERE (o.slug, m.email) IN (('springfield-central', 'zoe@interlibrary.example'),
    ('springfield-university', 'olivia@interlibrary.example'),
    ('riverside-branch', 'ben@interlibrary.example'))
ON CONFLICT DO NOTHING;

UPDATE organizations SET created_by = (SELECT m.id FROM memberships ms
    JOIN members m ON m.id = ms.member_id
    WHERE ms.organization_id = organizations.id AND ms.role = 'admin' LIMIT 1);

INSERT INTO notifications (member_id, type, subject_type, subject_id, text)
SELECT a.member_id, 'membership_requested', 'organization', ms.organization_id,
    m.display_name || ' asked to join ' || o.name || '.'
FROM memberships ms
JOIN members m ON m.id = ms.member_id
JOIN organizations o ON o.id = ms.organization_id
JOIN memberships a ON a.organization_id = ms.organization_id AND a.role = 'admin'
WHERE ms.status = 'pending';
