-- The demo's mail (README: Email).  Within a minute of `make run` the
-- sender queues the scheduled mail this sets up, and the local mail server
-- keeps it in the state folder's mail/: reminders for tomorrow's lunch
-- meetup (to the members going), Ada's weekly digest, and two email
-- invitations to people who are not members yet.

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

-- Ada invited two colleagues who are not members yet to the lunch meetup
-- by email (README: Email): their invitations are pending, and the mail
-- folder has each one's message, whose link opens the event with "Sign up
-- and go".  Made as the API makes them: a random token, only its hash kept.
DO $$
DECLARE
	v_me	members;
	e	events;
	v_addr	text;
	v_token	text;
BEGIN
	SELECT * INTO v_me FROM members WHERE email = 'ada@interlibrary.example';
	SELECT * INTO e FROM events
	WHERE title = 'Brown-Bag Lunch: Reader''s Advisory Swap';
	FOREACH v_addr IN ARRAY ARRAY['rosa.alvarez@shelbyville-library.example',
	    'tom.nguyen@ogdenville-library.example'] LOOP
		v_token := api.b64url(gen_random_bytes(32));
		INSERT INTO email_invitations (event_id, sender_id, address_hash,
		    email, token_hash, created_at)
		VALUES (e.id, v_me.id, api.address_hash(v_addr), v_addr,
		    sha256(convert_to(v_token, 'UTF8')), now() - interval '1 day');
		PERFORM api.mail_email_invitation(v_me, e, v_addr, v_token);
	END LOOP;
END;
$$;
