-- Invitations to events, with consent (the recipient's "invitations"
-- setting), at most 3 per sender and recipient per rolling 24 hours (the
-- 4th is "not_accepting", sent to nobody), a cap of 200 per sender per
-- rolling 24 hours that is all or nothing (requests of one sender
-- serialize on a transaction advisory lock, hashtext('invite:' ||
-- sender), so both counts see every earlier request), and spam marks:
-- each one is a report in the site admins' queue (reports,
-- sql/api/reports.sql), and three open ones from three different
-- recipients stop the sender from inviting (403 invitations_suspended)
-- until a site admin resolves them.
--
-- Invitations by email (email_invitations, 0031_email_invitations.sql)
-- reach people who are not members yet: one message invites to the event
-- and to join.  An address gets the same results whether or not it is a
-- member's, so results never tell who is a member: not_accepting when it
-- is on the suppression list or already had 3 email invitations in 30
-- days from all senders together (requests lock each address, in order,
-- before counting), already_invited when it was invited to the event
-- before, else invited.  They count toward the same cap of 200.  The
-- mail goes to an address that is not a member's, and to a member's
-- only when the member's settings allow the sender (else nothing is
-- sent, and the answer is the same).  The invitee's spam mark (from the
-- link, no account needed) counts toward the sender's suspension like a
-- member's, and registering from the link answers "going".

-- Why p_sender may invite p_to, in words p_to may see, or NULL when
-- p_to's "invitations" setting does not allow it.
CREATE FUNCTION api.invitation_reason(p_sender members, p_to members)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_org	text;
	v_met	events;
BEGIN
	IF p_to.invitations = 'nobody' THEN
		RETURN NULL;
	END IF;
	IF p_to.invitations IN ('anyone', 'organizations') THEN
		SELECT o.name INTO v_org
		FROM memberships a JOIN memberships b
		    ON b.organization_id = a.organization_id
		    JOIN organizations o ON o.id = a.organization_id
		WHERE a.member_id = p_sender.id AND a.status = 'active'
		  AND b.member_id = p_to.id AND b.status = 'active'
		  AND NOT o.archived
		ORDER BY lower(o.name), o.id LIMIT 1;
		IF v_org IS NOT NULL THEN
			IF api.can_see(p_sender.visibility_affiliations, p_to,
			    p_sender.id) THEN
				RETURN 'you both belong to ' || v_org;
			END IF;
			RETURN 'you both belong to one of your organizations';
		END IF;
	END IF;
	IF p_to.invitations IN ('anyone', 'met') THEN
		v_met := api.met_event(p_sender.id, p_to.id);
		IF v_met.id IS NOT NULL THEN
			RETURN 'you both went to ' || v_met.title || ' on ' ||
			    to_char(v_met.starts_at AT TIME ZONE v_met.timezone,
			    CASE WHEN extract(year FROM v_met.starts_at) =
			        extract(year FROM now()) THEN 'FMDD Mon'
			    ELSE 'FMDD Mon YYYY' END);
		END IF;
	END IF;
	IF p_to.invitations = 'anyone' THEN
		RETURN 'open to invitations from anyone';
	END IF;
	RETURN NULL;
END;
$$;

CREATE FUNCTION api.invitation_json(i invitations)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', i.id,
	    'event', jsonb_build_object('id', e.id, 'title', e.title,
	        'starts_at', api.ts(e.starts_at), 'ends_at', api.ts(e.ends_at),
	        'timezone', e.timezone, 'city', e.city, 'status', e.status),
	    'sender', api.member_ref(i.sender_id),
	    'reason', i.reason, 'status', i.status,
	    'created_at', api.ts(i.created_at),
	    'responded_at', api.ts(i.responded_at))
	FROM events e WHERE e.id = i.event_id;
$$;

-- Invitations one sender may send one recipient per rolling 24 hours.
CREATE FUNCTION api.invitations_per_recipient()
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
	SELECT 3;
$$;

-- Email invitations one address may get per rolling 30 days, from all
-- senders together.
CREATE FUNCTION api.invitations_per_address()
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
	SELECT 3;
$$;

-- Whether p looks like an email address, as the API's FT_EMAIL checks
-- one (input_is_email, api/src/http/input_text.c): 3 to 254 characters,
-- one @ not first, a dot after it but not right after it nor last, no
-- spaces, controls or <>,;"\.
CREATE FUNCTION api.is_email(p text)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT length(p) BETWEEN 3 AND 254
	    AND p ~ '^[^@[:space:][:cntrl:]<>,;"\\]+@[^@.[:space:][:cntrl:]<>,;"\\][^@[:space:][:cntrl:]<>,;"\\]*$'
	    AND split_part(p, '@', 2) LIKE '%.%' AND right(p, 1) <> '.';
$$;

-- Open spam marks against a sender, one per recipient (a member, or an
-- address invited by email): three suspend the sender's invitations.
CREATE FUNCTION api.invitation_spam_marks(p_sender bigint)
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT count(*)::integer FROM (
		SELECT 'm' || recipient_id FROM invitations
		WHERE sender_id = p_sender AND status = 'reported_spam'
		  AND spam_resolved_at IS NULL
		UNION
		SELECT 'a' || encode(address_hash, 'hex') FROM email_invitations
		WHERE sender_id = p_sender AND status = 'reported_spam'
		  AND spam_resolved_at IS NULL) t;
$$;

-- The invitation mail to an address (which may be a member's: then only
-- when the member's settings allow p_sender, and with the member's own
-- footer).  p_token goes into the link; the event's calendar part comes
-- with it.
CREATE FUNCTION api.mail_email_invitation(p_sender members, e events,
    p_addr text, p_token text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_m	members;
BEGIN
	SELECT * INTO v_m FROM members WHERE lower(email) = lower(p_addr);
	IF FOUND AND (NOT api.mail_allowed(v_m, 'invitation') OR
	    api.invitation_reason(p_sender, v_m) IS NULL) THEN
		RETURN;
	END IF;
	PERFORM api.mail_queue('invitation', v_m.id, p_addr,
	    p_sender.display_name || ' invited you to ' || e.title,
	    'Hello,',
	    ARRAY[p_sender.display_name || ' invited you to ' || e.title ||
	        ', an event on Interlibrary, where the staff of the region''s '
	        'libraries meet.'] || api.event_when_where(e) ||
	    ARRAY['Follow the link to see the event. To go, sign up there '
	        '(it is free) or sign in: your place is kept as you register.',
	        'If you do not know ' || p_sender.display_name || ' or did not '
	        'expect this, ignore it, or report it as unwanted on the same '
	        'page. No address gets more than ' ||
	        api.invitations_per_address() || ' invitations in 30 days.'],
	    'See the invitation', api.public_url('web') || '/#/events/' ||
	        e.id || '?invitation=' || p_token,
	    CASE WHEN e.hidden_at IS NULL THEN e.id END,
	    'You get this because ' || p_sender.display_name || ' entered your '
	    'address to invite you. Interlibrary keeps it 90 days at most.');
END;
$$;

-- Invite up to 50 members and addresses in all.  All or nothing against
-- the cap of 200 "invited" results per sender per rolling 24 hours
-- (member and email invitations together): the request runs whole, then
-- fails with 429 (rolling everything back, mail included) when it passed
-- the cap.  Requests of one sender are serialized by an advisory lock;
-- requests naming the same address, by a lock per address, taken in
-- order (no deadlock) before anything is counted.
CREATE FUNCTION api.event_invite(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me		members := api.auth(p_token, true);
	e		events := api.event_find((p_args->>'id')::bigint);
	v_cap		integer := 200;
	v_to		members;
	v_id		bigint;
	v_reason	text;
	v_inv		invitations;
	v_result	text;
	v_results	jsonb := '[]';
	v_sent		integer := 0;
	v_used		integer;
	v_free_at	timestamptz;
	v_addr		text;
	v_hash		bytea;
	v_token		text;
	v_new		bigint;
BEGIN
	IF jsonb_array_length(coalesce(p_body->'member_ids', '[]')) +
	    jsonb_array_length(coalesce(p_body->'emails', '[]'))
	    NOT BETWEEN 1 AND 50 THEN
		PERFORM api.fail(400, 'validation_failed', 'name 1 to 50 members '
		    'and email addresses in all', CASE WHEN p_body ? 'emails'
		    THEN 'emails' ELSE 'member_ids' END);
	END IF;
	FOR v_addr IN SELECT btrim(x)
	    FROM jsonb_array_elements_text(p_body->'emails') t(x) LOOP
		IF NOT api.is_email(v_addr) THEN
			PERFORM api.fail(400, 'validation_failed', 'is not an '
			    'email address: ' || left(v_addr, 254), 'emails');
		END IF;
	END LOOP;
	PERFORM api.event_require_open(e);
	PERFORM pg_advisory_xact_lock(hashtext('invite:' || v_me.id));
	IF api.invitation_spam_marks(v_me.id) >= 3 THEN
		PERFORM api.fail(403, 'invitations_suspended', 'your invitations '
		    'were reported as spam and are suspended until a site '
		    'admin has reviewed the reports');
	END IF;
	-- Ordered by the lock keys themselves: every request takes them in
	-- one order, so two requests never wait for each other in a circle.
	PERFORM pg_advisory_xact_lock(k)
	FROM (SELECT DISTINCT hashtext('invite-address:' ||
	        encode(api.address_hash(x), 'hex')) AS k
	    FROM jsonb_array_elements_text(p_body->'emails') t(x)
	    ORDER BY 1) a;

	FOR v_id IN SELECT x::bigint
	    FROM jsonb_array_elements_text(p_body->'member_ids') t(x) LOOP
		v_result := NULL;
		SELECT * INTO v_to FROM members WHERE id = v_id;
		IF NOT FOUND THEN
			v_result := 'not_found';
		ELSIF v_to.id = v_me.id OR v_to.suspended_at IS NOT NULL THEN
			v_result := 'not_accepting';
		ELSIF EXISTS (SELECT 1 FROM invitations
		    WHERE event_id = e.id AND recipient_id = v_id) THEN
			v_result := 'already_invited';
		ELSIF (SELECT count(*) FROM invitations
		    WHERE sender_id = v_me.id AND recipient_id = v_id
		      AND created_at > now() - interval '24 hours')
		    >= api.invitations_per_recipient() THEN
			v_result := 'not_accepting';
		ELSE
			v_reason := api.invitation_reason(v_me, v_to);
			IF v_reason IS NULL THEN
				v_result := 'not_accepting';
			END IF;
		END IF;
		IF v_result IS NULL THEN
			v_inv := NULL;
			INSERT INTO invitations (event_id, sender_id, recipient_id,
			    reason)
			VALUES (e.id, v_me.id, v_id, v_reason)
			ON CONFLICT (event_id, recipient_id) DO NOTHING
			RETURNING * INTO v_inv;
			IF v_inv.id IS NULL THEN
				v_result := 'already_invited';
			ELSE
				v_result := 'invited';
				v_sent := v_sent + 1;
				PERFORM api.notify(v_id, 'invitation_received',
				    'invitation', v_inv.id, v_me.display_name ||
				    ' invited you to ' || e.title || ' (' ||
				    v_reason || ').');
			END IF;
		END IF;
		v_results := v_results || jsonb_build_array(jsonb_build_object(
		    'member_id', v_id, 'result', v_result));
	END LOOP;

	-- Addresses: nothing here may depend on whether one is a member's.
	FOR v_addr IN SELECT btrim(x)
	    FROM jsonb_array_elements_text(p_body->'emails') t(x) LOOP
		v_hash := api.address_hash(v_addr);
		IF lower(v_addr) = lower(v_me.email)
		    OR api.suppressed(v_addr, false) THEN
			v_result := 'not_accepting';
		ELSIF EXISTS (SELECT 1 FROM email_invitations
		    WHERE event_id = e.id AND address_hash = v_hash) THEN
			v_result := 'already_invited';
		ELSIF (SELECT count(*) FROM email_invitations
		    WHERE address_hash = v_hash
		      AND created_at > now() - interval '30 days')
		    >= api.invitations_per_address() THEN
			v_result := 'not_accepting';
		ELSE
			v_token := api.b64url(gen_random_bytes(32));
			v_new := NULL;
			INSERT INTO email_invitations (event_id, sender_id,
			    address_hash, email, token_hash)
			VALUES (e.id, v_me.id, v_hash, v_addr,
			    sha256(convert_to(v_token, 'UTF8')))
			ON CONFLICT (event_id, address_hash) DO NOTHING
			RETURNING id INTO v_new;
			IF v_new IS NULL THEN
				v_result := 'already_invited';
			ELSE
				v_result := 'invited';
				v_sent := v_sent + 1;
				PERFORM api.mail_email_invitation(v_me, e, v_addr,
				    v_token);
			END IF;
		END IF;
		v_results := v_results || jsonb_build_array(jsonb_build_object(
		    'email', v_addr, 'result', v_result));
	END LOOP;

	SELECT count(*) INTO v_used FROM (
		SELECT created_at FROM invitations
		WHERE sender_id = v_me.id
		  AND created_at > now() - interval '24 hours'
		UNION ALL
		SELECT created_at FROM email_invitations
		WHERE sender_id = v_me.id
		  AND created_at > now() - interval '24 hours') t;
	IF v_used > v_cap THEN
		-- The invitation whose expiry brings the count back to the cap.
		SELECT created_at INTO v_free_at FROM (
			SELECT created_at FROM invitations
			WHERE sender_id = v_me.id
			  AND created_at > now() - interval '24 hours'
			UNION ALL
			SELECT created_at FROM email_invitations
			WHERE sender_id = v_me.id
			  AND created_at > now() - interval '24 hours') t
		ORDER BY created_at
		OFFSET v_used - v_cap - 1 LIMIT 1;
		PERFORM api.fail(429, 'rate_limited', 'this would send ' ||
		    v_sent || ' invitations but only ' ||
		    greatest(v_cap - (v_used - v_sent), 0) || ' of your ' ||
		    v_cap || ' per 24 hours are left: nothing was sent', NULL,
		    greatest(1, ceil(extract(epoch FROM v_free_at +
		        interval '24 hours' - now())))::integer);
	END IF;
	RETURN api.ok(200, jsonb_build_object('results', v_results,
	    'remaining', v_cap - v_used));
END;
$$;

CREATE FUNCTION api.invitations_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me	members := api.auth(p_token, false);
	v_cur	jsonb := api.cursor_decode('my_invitations:' || v_me.id, p_query, '{bigint}');
BEGIN
	RETURN (WITH page AS (
		SELECT i.* FROM invitations i
		WHERE i.recipient_id = v_me.id
		  AND (NOT p_query ? 'status' OR i.status = p_query->>'status')
		  AND (v_cur IS NULL OR i.id < (v_cur->>0)::bigint)
		ORDER BY i.id DESC
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('my_invitations:' || v_me.id,
	    array_agg(api.invitation_json(page)
	        ORDER BY page.id DESC),
	    array_agg(jsonb_build_array(page.id) ORDER BY page.id DESC), p_query)
	FROM page);
END;
$$;

-- The reason of the report a spam mark makes: what a site admin needs to
-- judge it (the invitation itself is the recipient's).  The same words
-- as sql/migrations/0011_invitation_spam_reports.sql.
CREATE FUNCTION api.invitation_spam_reason(i invitations)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT left('Marked as spam by its recipient: an invitation from ' ||
	    coalesce((SELECT display_name FROM members WHERE id = i.sender_id),
	        'a member') || ' (member ' || i.sender_id || ') to "' ||
	    coalesce((SELECT title FROM events WHERE id = i.event_id), '?') ||
	    '" (event ' || i.event_id || ').', 2000);
$$;

-- accepted: an RSVP "going" through the same place and waitlist logic
-- (kept as it is when already going or waitlisted); declined; or
-- reported_spam, which is final and puts a report (subject type
-- invitation, by the recipient) in the site admins' queue; resolving it
-- there lifts the mark's weight against the sender (api.report_patch).
CREATE FUNCTION api.invitation_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_inv	invitations;
	v_r	rsvps;
BEGIN
	SELECT * INTO v_inv FROM invitations
	WHERE id = (p_args->>'id')::bigint AND recipient_id = v_me.id
	FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such invitation');
	END IF;
	IF NOT p_body ? 'status' THEN
		SELECT * INTO v_r FROM rsvps
		WHERE event_id = v_inv.event_id AND member_id = v_me.id;
		RETURN api.ok(200, api.invitation_json(v_inv) ||
		    jsonb_build_object('rsvp', api.rsvp_json(v_r)));
	END IF;
	IF v_inv.status = 'reported_spam'
	    AND p_body->>'status' <> 'reported_spam' THEN
		PERFORM api.fail(409, 'conflict', 'an invitation reported as '
		    'spam cannot be answered', 'status');
	END IF;
	SELECT * INTO v_r FROM rsvps
	WHERE event_id = v_inv.event_id AND member_id = v_me.id;
	IF p_body->>'status' = 'accepted' THEN
		IF v_r.status IS DISTINCT FROM 'going'
		    AND v_r.status IS DISTINCT FROM 'waitlisted' THEN
			v_r := api.rsvp_apply(v_inv.event_id, v_me.id, 'going', 0);
		END IF;
	END IF;
	IF p_body->>'status' = 'reported_spam'
	    AND v_inv.status <> 'reported_spam' THEN
		-- One open report per reporter and subject: one made with
		-- POST /v1/reports already stands for this mark.
		INSERT INTO reports (reporter_id, subject_type, subject_id, reason)
		VALUES (v_me.id, 'invitation', v_inv.id,
		    api.invitation_spam_reason(v_inv))
		ON CONFLICT (reporter_id, subject_type, subject_id)
		    WHERE status = 'open' DO NOTHING;
	END IF;
	UPDATE invitations SET status = p_body->>'status',
	    responded_at = CASE WHEN status = p_body->>'status'
	        THEN responded_at ELSE now() END
	WHERE id = v_inv.id
	RETURNING * INTO v_inv;
	RETURN api.ok(200, api.invitation_json(v_inv) ||
	    jsonb_build_object('rsvp', api.rsvp_json(v_r)));
END;
$$;

-- The email invitation of a link's token (its SHA-256 in hex: the API
-- hashes it before the call), locked, or 404 naming p_field.
CREATE FUNCTION api.email_invitation_find(p_hash text, p_field text)
RETURNS email_invitations LANGUAGE plpgsql AS $$
DECLARE
	v	email_invitations;
BEGIN
	SELECT * INTO v FROM email_invitations
	WHERE token_hash = decode(p_hash, 'hex')
	FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'this invitation link is not '
		    'valid (links last 90 days): copy the whole link from the '
		    'email', p_field);
	END IF;
	RETURN v;
END;
$$;

-- POST /v1/email-invitations/report {token}: the invitee (no account
-- needed: the link is the proof) marks the invitation as unwanted.  The
-- mark counts toward the sender's suspension like a member's, and puts
-- a report about the sender in the site admins' queue (no reporter:
-- the invitee is not a member); resolving that report lifts the mark
-- (api.report_patch).  Once is enough: again is the same 200.
CREATE FUNCTION api.email_invitation_report(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v	email_invitations := api.email_invitation_find(p_body->>'token',
	    'token');
	v_report	bigint;
BEGIN
	IF v.status = 'accepted' THEN
		PERFORM api.fail(409, 'conflict', 'this invitation was accepted: '
		    'report it from your account instead', 'token');
	END IF;
	IF v.status = 'pending' THEN
		INSERT INTO reports (reporter_id, subject_type, subject_id, reason)
		SELECT NULL, 'member', v.sender_id, left('Reported as unwanted '
		    'by its recipient: an email invitation from ' ||
		    coalesce(m.display_name, 'a member') || ' (member ' ||
		    v.sender_id || ') to "' || coalesce(e.title, '?') ||
		    '" (event ' || v.event_id || ').', 2000)
		FROM (SELECT 1) x
		    LEFT JOIN members m ON m.id = v.sender_id
		    LEFT JOIN events e ON e.id = v.event_id
		RETURNING id INTO v_report;
		UPDATE email_invitations SET status = 'reported_spam',
		    report_id = v_report, responded_at = now()
		WHERE id = v.id;
	END IF;
	RETURN api.ok(200, jsonb_build_object('status', 'reported_spam'));
END;
$$;
