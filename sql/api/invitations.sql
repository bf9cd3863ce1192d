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

-- Invite up to 50 members.  All or nothing against the cap of 200
-- "invited" results per sender per rolling 24 hours: the request runs
-- whole, then fails with 429 (rolling everything back) when it passed
-- the cap.  Requests of one sender are serialized by an advisory lock.
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
BEGIN
	PERFORM api.event_require_open(e);
	PERFORM pg_advisory_xact_lock(hashtext('invite:' || v_me.id));
	IF (SELECT count(DISTINCT recipient_id) FROM invitations
	    WHERE sender_id = v_me.id AND status = 'reported_spam'
	      AND spam_resolved_at IS NULL) >= 3 THEN
		PERFORM api.fail(403, 'invitations_suspended', 'your invitations '
		    'were reported as spam and are suspended until a site '
		    'admin has reviewed the reports');
	END IF;

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

	SELECT count(*) INTO v_used FROM invitations
	WHERE sender_id = v_me.id AND created_at > now() - interval '24 hours';
	IF v_used > v_cap THEN
		-- The invitation whose expiry brings the count back to the cap.
		SELECT created_at INTO v_free_at FROM invitations
		WHERE sender_id = v_me.id
		  AND created_at > now() - interval '24 hours'
		ORDER BY created_at, id
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
