-- The outbox as the sender (api/sender/) sees it: its heartbeat, claiming
-- and reporting messages, and the periodic mail jobs (reminders, digests).
-- Messages are written into the outbox by sql/api/mail.sql.

-- The sender's heartbeat: it is alive, and has (or has not) an SMTP
-- server.  /readyz reads it.
CREATE FUNCTION api.mail_heartbeat(p_smtp boolean)
RETURNS void LANGUAGE sql AS $$
	UPDATE mail_state SET sender_seen_at = now(), sender_smtp = p_smtp;
$$;

-- For /readyz: whether a sender runs and has an SMTP server, and how
-- many messages wait.
CREATE FUNCTION api.mail_status()
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('status', CASE
	        WHEN s.sender_seen_at IS NULL OR
	            s.sender_seen_at < now() - interval '2 minutes'
	            THEN 'no_sender'
	        WHEN NOT s.sender_smtp THEN 'not_configured'
	        ELSE 'sending' END,
	    'detail', CASE
	        WHEN s.sender_seen_at IS NULL OR
	            s.sender_seen_at < now() - interval '2 minutes'
	            THEN 'no mail sender has run in the last 2 minutes: mail '
	            'stays queued'
	        WHEN NOT s.sender_smtp THEN 'SMTP_URL is not set: mail stays '
	            'queued'
	        ELSE 'mail is being sent' END,
	    'queued', (SELECT count(*) FROM outbox
	        WHERE status IN ('queued', 'sending')))
	FROM mail_state s;
$$;

-- Claim up to p_batch due messages for p_lease_seconds.  Rows another
-- sender holds are skipped, not waited for.  A row keeps the Message-ID
-- of its first claim, so a repeat after a crash is recognizable.
CREATE FUNCTION api.outbox_claim(p_batch integer, p_lease_seconds integer,
    p_domain text)
RETURNS TABLE (id bigint, kind text, to_addr text, subject text,
    body_text text, body_html text, unsubscribe text, message_id text,
    created_epoch bigint, ics_doc text)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY
	WITH due AS (
		SELECT o.id FROM outbox o
		WHERE o.status IN ('queued', 'sending') AND o.due_at <= now()
		ORDER BY o.due_at, o.id
		LIMIT p_batch
		FOR UPDATE SKIP LOCKED
	), claimed AS (
		UPDATE outbox o SET status = 'sending',
		    due_at = now() + make_interval(secs => p_lease_seconds),
		    claims = o.claims + 1,
		    message_id = coalesce(o.message_id, 'il.' || o.id || '.' ||
		        extract(epoch FROM o.created_at)::bigint || '@' || p_domain)
		FROM due WHERE o.id = due.id
		RETURNING o.*
	)
	SELECT c.id, c.kind, c.to_addr, c.subject, c.body_text, c.body_html,
	    CASE WHEN c.unsubscribe IS NOT NULL THEN
	        api.public_url('api') || '/v1/unsubscribe?token=' || c.unsubscribe
	        END,
	    c.message_id, extract(epoch FROM c.created_at)::bigint,
	    (SELECT api.feed_event_doc(e)::text FROM events e
	     WHERE e.id = c.event_id AND e.hidden_at IS NULL)
	FROM claimed c ORDER BY c.id;
END;
$$;

-- The outcome of one claimed message: 'sent'; 'temporary' (retry with
-- backoff: p_retry_seconds doubled each attempt, at most 64 times it;
-- 'failed' after p_max_attempts); 'permanent' (failed now; when the
-- server refused the recipient, the address is suppressed); 'released'
-- (not tried: back to the queue in p_retry_seconds, no attempt counted).
CREATE FUNCTION api.outbox_result(p_id bigint, p_outcome text, p_reason text,
    p_recipient_rejected boolean, p_retry_seconds integer,
    p_max_attempts integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	o	outbox;
BEGIN
	SELECT * INTO o FROM outbox WHERE id = p_id FOR UPDATE;
	IF NOT FOUND OR o.status <> 'sending' THEN
		RETURN;
	END IF;
	IF p_outcome = 'sent' THEN
		UPDATE outbox SET status = 'sent', sent_at = now(),
		    attempts = attempts + 1, last_error = NULL,
		    body_text = NULL, body_html = NULL
		WHERE id = p_id;
	ELSIF p_outcome = 'released' THEN
		UPDATE outbox SET status = 'queued',
		    due_at = now() + make_interval(secs => p_retry_seconds),
		    last_error = left(p_reason, 300)
		WHERE id = p_id;
	ELSIF p_outcome = 'temporary' AND o.attempts + 1 < p_max_attempts THEN
		UPDATE outbox SET status = 'queued', attempts = attempts + 1,
		    due_at = now() + make_interval(secs => p_retry_seconds *
		        power(2, least(o.attempts, 6))::integer),
		    last_error = left(p_reason, 300)
		WHERE id = p_id;
	ELSE
		UPDATE outbox SET status = 'failed', attempts = attempts + 1,
		    last_error = left(p_reason, 300),
		    body_text = NULL, body_html = NULL
		WHERE id = p_id;
		IF p_outcome = 'permanent' AND p_recipient_rejected THEN
			INSERT INTO email_suppressions (address_hash, reason)
			VALUES (api.address_hash(o.to_addr), 'rejected')
			ON CONFLICT (address_hash) DO NOTHING;
		END IF;
	END IF;
END;
$$;

-- Scheduled mail and clean-up, run by the sender about once a minute
-- (one runner at a time: the others skip).  Returns how many messages
-- it queued.
CREATE FUNCTION api.mail_jobs()
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	v_n	integer := 0;
BEGIN
	IF NOT pg_try_advisory_xact_lock(7215017) THEN
		RETURN 0;
	END IF;
	v_n := v_n + api.mail_reminders();
	v_n := v_n + api.mail_digests();
	-- Tokens and sent mail are kept a while for support, then go.
	DELETE FROM email_tokens WHERE expires_at < now() - interval '7 days';
	DELETE FROM outbox WHERE status IN ('sent', 'failed')
	  AND created_at < now() - interval '30 days';
	DELETE FROM mail_reminders WHERE starts_at < now() - interval '7 days';
	-- Invitees' addresses: cleared at registration, else gone after 90
	-- days (a spam mark stays, by the address's hash only).
	DELETE FROM email_invitations
	WHERE status = 'pending' AND created_at < now() - interval '90 days';
	UPDATE email_invitations SET email = NULL
	WHERE email IS NOT NULL AND created_at < now() - interval '90 days';
	RETURN v_n;
END;
$$;

-- The day before an event, a reminder to everyone going; for advocacy
-- the talking points come with it.
CREATE FUNCTION api.mail_reminders()
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	r	record;
	v_n	integer := 0;
	v_paras	text[];
BEGIN
	FOR r IN
		SELECT e, m FROM events e
		    JOIN rsvps v ON v.event_id = e.id AND v.status = 'going'
		    JOIN members m ON m.id = v.member_id
		WHERE e.status = 'scheduled' AND e.hidden_at IS NULL
		  AND e.starts_at > now() AND e.starts_at <= now() + interval '24 hours'
		  AND NOT EXISTS (SELECT 1 FROM mail_reminders x
		      WHERE x.event_id = e.id AND x.member_id = m.id
		        AND x.starts_at = e.starts_at)
		ORDER BY e.starts_at, e.id, m.id
		LIMIT 500
	LOOP
		INSERT INTO mail_reminders (event_id, member_id, starts_at)
		VALUES ((r.e).id, (r.m).id, (r.e).starts_at);
		IF NOT api.mail_allowed(r.m, 'reminder') THEN
			CONTINUE;
		END IF;
		v_paras := ARRAY[(r.e).title || ' is soon, and you are going.']
		    || api.event_when_where(r.e);
		IF (r.e).kind = 'advocacy' THEN
			v_paras := v_paras || ARRAY['Target: ' ||
			    coalesce((r.e).target, 'see the event page')];
			IF (r.e).talking_points IS NOT NULL THEN
				v_paras := v_paras || ARRAY['Talking points:',
				    (r.e).talking_points];
			END IF;
		END IF;
		IF (r.e).accessibility_notes IS NOT NULL THEN
			v_paras := v_paras || ARRAY['Accessibility: ' ||
			    (r.e).accessibility_notes];
		END IF;
		PERFORM api.mail_queue('reminder', (r.m).id, (r.m).email,
		    'Tomorrow: ' || (r.e).title,
		    'Hello ' || (r.m).display_name || ',', v_paras,
		    'See the event', api.public_url('web') || '/#/events/' ||
		    (r.e).id, (r.e).id,
		    'You get this because you said you are going.');
		v_n := v_n + 1;
	END LOOP;
	RETURN v_n;
END;
$$;

-- Once a week, for members who chose it: the coming fortnight's events
-- near them (within 50 km of their home area when both it and the event
-- have a position, else in their city, or everywhere when they set
-- neither), collaborations opened in the past week, and mentorship
-- requests waiting for them.
CREATE FUNCTION api.mail_digests()
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	m	members;
	v_n	integer := 0;
	v_ev	text[];
	v_co	text[];
	v_mt	integer;
	v_paras	text[];
BEGIN
	FOR m IN
		SELECT mb.* FROM members mb
		    JOIN email_preferences p ON p.member_id = mb.id AND p.digest
		    LEFT JOIN mail_digests d ON d.member_id = mb.id
		WHERE mb.email_verified AND mb.suspended_at IS NULL
		  AND (d.sent_at IS NULL OR d.sent_at <= now() - interval '7 days')
		ORDER BY mb.id
		LIMIT 200
	LOOP
		INSERT INTO mail_digests (member_id, sent_at) VALUES (m.id, now())
		ON CONFLICT (member_id) DO UPDATE SET sent_at = now();
		IF NOT api.mail_allowed(m, 'digest') THEN
			CONTINUE;
		END IF;
		SELECT array_agg(line ORDER BY starts_at) INTO v_ev FROM (
			SELECT e.starts_at, '• ' || e.title || ', ' ||
			    api.local_time(e.starts_at, e.timezone) ||
			    coalesce(' in ' || e.city, '') || E'\n  ' ||
			    api.public_url('web') || '/#/events/' || e.id AS line
			FROM events e
			WHERE e.status = 'scheduled' AND e.hidden_at IS NULL
			  AND e.starts_at > now()
			  AND e.starts_at <= now() + interval '14 days'
			  AND CASE WHEN m.home_latitude IS NOT NULL
			        AND e.latitude IS NOT NULL THEN
			      earth_distance(ll_to_earth(m.home_latitude::float8,
			          m.home_longitude::float8),
			          ll_to_earth(e.latitude, e.longitude)) <= 50000
			    ELSE m.city IS NULL OR lower(e.city) = lower(m.city) END
			ORDER BY e.starts_at LIMIT 10) x;
		SELECT array_agg('• ' || c.title || E'\n  ' ||
		    api.public_url('web') || '/#/collaborations/' || c.id
		    ORDER BY c.created_at DESC) INTO v_co
		FROM (SELECT * FROM collaborations c
		    WHERE c.created_at > now() - interval '7 days'
		      AND c.hidden_at IS NULL AND c.status <> 'archived'
		    ORDER BY c.created_at DESC LIMIT 5) c;
		SELECT count(*) INTO v_mt FROM mentorships
		WHERE mentor_id = m.id AND status = 'requested';
		IF v_ev IS NULL AND v_co IS NULL AND v_mt = 0 THEN
			CONTINUE;
		END IF;
		v_paras := '{}';
		IF v_ev IS NOT NULL THEN
			v_paras := v_paras || ARRAY['Coming up' ||
			    CASE WHEN m.home_latitude IS NOT NULL THEN ' near you'
			        ELSE coalesce(' in ' || m.city, '') END || E':\n' ||
			    array_to_string(v_ev, E'\n')];
		END IF;
		IF v_co IS NOT NULL THEN
			v_paras := v_paras || ARRAY[E'New collaborations:\n' ||
			    array_to_string(v_co, E'\n')];
		END IF;
		IF v_mt > 0 THEN
			v_paras := v_paras || ARRAY[v_mt || CASE WHEN v_mt = 1
			    THEN ' mentorship request is' ELSE
			    ' mentorship requests are' END ||
			    ' waiting for your answer.'];
		END IF;
		PERFORM api.mail_queue('digest', m.id, m.email,
		    'Your week in Interlibrary', 'Hello ' || m.display_name || ',',
		    v_paras, 'Open Interlibrary', api.public_url('web') || '/#/',
		    NULL, 'You get this weekly because you chose the digest.');
		v_n := v_n + 1;
	END LOOP;
	RETURN v_n;
END;
$$;
