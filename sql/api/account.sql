-- The account as a whole: what keeps a member from deleting it, deleting
-- it, and exporting everything the member has (data portability).

-- What keeps a member from deleting their account (NULL: nothing): being
-- the last admin of an organization or the last owner of a collaboration
-- (the triggers would refuse too; this names them all).
CREATE FUNCTION api.account_blockers(p_member bigint)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_last	text;
BEGIN
	SELECT string_agg(o.name, ', ' ORDER BY o.name) INTO v_last
	FROM memberships ms JOIN organizations o ON o.id = ms.organization_id
	WHERE ms.member_id = p_member AND ms.role = 'admin'
	  AND ms.status = 'active'
	  AND NOT EXISTS (SELECT 1 FROM memberships x
	      WHERE x.organization_id = ms.organization_id AND x.role = 'admin'
	        AND x.status = 'active' AND x.member_id <> p_member);
	IF v_last IS NOT NULL THEN
		RETURN 'you are the last admin of ' || v_last ||
		    ': make someone else an admin first';
	END IF;
	SELECT string_agg('"' || c.title || '"', ', ' ORDER BY c.title, c.id)
	INTO v_last
	FROM collaboration_participants p
	JOIN collaborations c ON c.id = p.collaboration_id
	WHERE p.member_id = p_member AND p.role = 'owner'
	  AND p.status = 'approved'
	  AND NOT EXISTS (SELECT 1 FROM collaboration_participants x
	      WHERE x.collaboration_id = p.collaboration_id
	        AND x.role = 'owner' AND x.status = 'approved'
	        AND x.member_id <> p_member);
	IF v_last IS NOT NULL THEN
		RETURN 'you are the last owner of the collaboration' ||
		    CASE WHEN v_last LIKE '%", "%' THEN 's ' ELSE ' ' END ||
		    v_last || ': make someone else an owner first';
	END IF;
	RETURN NULL;
END;
$$;

-- Deleting an account removes the member row and, through the foreign
-- keys, everything personal.
CREATE FUNCTION api.me_delete(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.me_lock(api.auth(p_token, true), p_args);
	v_why	text := api.account_blockers(v_m.id);
BEGIN
	IF v_why IS NOT NULL THEN
		PERFORM api.fail(409, 'hand_over_first', v_why);
	END IF;
	DELETE FROM members WHERE id = v_m.id;
	RETURN api.ok(204, NULL);
END;
$$;

-- Export ----------------------------------------------------------------------

-- The member's events: organized, RSVPs, attendance, invitations.
CREATE FUNCTION api.export_events(p_member bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'events_organized', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'id', e.id, 'title', e.title, 'starts_at', api.ts(e.starts_at),
	        'status', e.status) ORDER BY e.id)
	        FROM event_organizers o JOIN events e ON e.id = o.event_id
	        WHERE o.member_id = p_member), '[]'),
	    'rsvps', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'event', jsonb_build_object('id', e.id, 'title', e.title,
	            'starts_at', api.ts(e.starts_at)),
	        'response', r.response, 'status', r.status, 'guests', r.guests,
	        'requested_at', api.ts(r.requested_at),
	        'updated_at', api.ts(r.updated_at)) ORDER BY r.id)
	        FROM rsvps r JOIN events e ON e.id = r.event_id
	        WHERE r.member_id = p_member), '[]'),
	    'attendance', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'event', jsonb_build_object('id', e.id, 'title', e.title),
	        'attended', a.attended, 'recorded_at', api.ts(a.recorded_at))
	        ORDER BY e.id)
	        FROM attendance a JOIN events e ON e.id = a.event_id
	        WHERE a.member_id = p_member), '[]'),
	    'invitations_received', coalesce((SELECT jsonb_agg(
	        api.invitation_json(i) ORDER BY i.id)
	        FROM invitations i WHERE i.recipient_id = p_member), '[]'),
	    'invitations_sent', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'id', i.id, 'event', jsonb_build_object('id', i.event_id),
	        'recipient', api.member_ref(i.recipient_id),
	        'status', CASE WHEN i.status = 'reported_spam' THEN 'pending'
	            ELSE i.status END,
	        'created_at', api.ts(i.created_at)) ORDER BY i.id)
	        FROM invitations i WHERE i.sender_id = p_member), '[]'));
$$;

-- The member's mentorships (as mentor and as mentee) with their
-- check-ins.
CREATE FUNCTION api.export_mentorships(p_member bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'mentorships', coalesce((SELECT jsonb_agg(
	        api.mentorship_json(x, m) || jsonb_build_object('check_ins',
	            coalesce((SELECT jsonb_agg(api.check_in_json(c)
	                ORDER BY c.on_date, c.id)
	                FROM mentorship_check_ins c
	                WHERE c.mentorship_id = x.id), '[]'))
	        ORDER BY x.id)
	        FROM mentorships x, members m
	        WHERE m.id = p_member
	          AND (x.mentor_id = p_member OR x.mentee_id = p_member)), '[]'));
$$;

-- The member's collaborations, participations, updates and reports.
CREATE FUNCTION api.export_collaborations(p_member bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'collaborations_created', coalesce((SELECT jsonb_agg(
	        jsonb_build_object('id', c.id, 'title', c.title,
	            'status', c.status, 'created_at', api.ts(c.created_at))
	        ORDER BY c.id)
	        FROM collaborations c WHERE c.created_by = p_member), '[]'),
	    'collaboration_participations', coalesce((SELECT jsonb_agg(
	        jsonb_build_object('id', p.id,
	            'collaboration', jsonb_build_object('id', c.id,
	                'title', c.title),
	            'organization', api.org_ref(p.organization_id),
	            'role', p.role, 'status', p.status, 'message', p.message,
	            'skills_offered', to_jsonb(p.skills_offered),
	            'cost_share', CASE WHEN p.cost_amount IS NOT NULL THEN
	                jsonb_build_object('amount', api.co_money(p.cost_amount),
	                    'currency', p.cost_currency, 'note', p.cost_note) END,
	            'created_at', api.ts(p.created_at),
	            'updated_at', api.ts(p.updated_at)) ORDER BY p.id)
	        FROM collaboration_participants p
	        JOIN collaborations c ON c.id = p.collaboration_id
	        WHERE p.member_id = p_member), '[]'),
	    'collaboration_updates', coalesce((SELECT jsonb_agg(
	        jsonb_build_object('id', u.id,
	            'collaboration', jsonb_build_object('id', c.id,
	                'title', c.title),
	            'body', u.body, 'created_at', api.ts(u.created_at))
	        ORDER BY u.id)
	        FROM collaboration_updates u
	        JOIN collaborations c ON c.id = u.collaboration_id
	        WHERE u.author_id = p_member), '[]'),
	    'reports_filed', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'id', r.id, 'subject', jsonb_build_object('type', r.subject_type,
	            'id', r.subject_id),
	        'reason', r.reason, 'status', r.status,
	        'created_at', api.ts(r.created_at)) ORDER BY r.id)
	        FROM reports r WHERE r.reporter_id = p_member), '[]'));
$$;

CREATE FUNCTION api.me_export(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_m	members := api.auth(p_token, false);
BEGIN
	RETURN api.ok(200, jsonb_build_object(
	    'exported_at', api.ts(now()),
	    'profile', api.member_own(v_m),
	    'sessions', coalesce((SELECT jsonb_agg(api.session_json(s, p_token)
	        ORDER BY s.id) FROM sessions s
	        WHERE s.member_id = v_m.id AND s.kind = 'session'), '[]'),
	    'tokens', coalesce((SELECT jsonb_agg(api.token_json(s)
	        ORDER BY s.id) FROM sessions s
	        WHERE s.member_id = v_m.id AND s.kind = 'personal'), '[]'),
	    'memberships', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'organization', jsonb_build_object('id', o.id, 'slug', o.slug,
	            'name', o.name),
	        'role', ms.role, 'status', ms.status,
	        'created_at', api.ts(ms.created_at)) ORDER BY o.id)
	        FROM memberships ms JOIN organizations o
	            ON o.id = ms.organization_id
	        WHERE ms.member_id = v_m.id), '[]'),
	    'notifications', coalesce((SELECT jsonb_agg(api.notification_json(n)
	        ORDER BY n.id) FROM notifications n
	        WHERE n.member_id = v_m.id), '[]'))
	    || api.export_events(v_m.id) || api.export_mentorships(v_m.id)
	    || api.export_collaborations(v_m.id)
	    || api.export_conversations(v_m.id) || api.export_thanks(v_m)
	    || api.export_signups(v_m.id));
END;
$$;
