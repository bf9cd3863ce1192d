-- Email (tables: sql/migrations/0030_mail.sql).  Every message is
-- rendered here, in the transaction of the change that causes it, into
-- the outbox; the sender (api/sender/) claims, sends and reports back
-- through the functions of sql/api/outbox.sql.  The endpoints about mail
-- (verification, password resets, preferences, unsubscribing) are
-- sql/api/email.sql.
--
-- Consent is decided in one place, api.mail_allowed(): a member gets
-- mail of a kind when the address is verified, not suppressed, and the
-- member's preference for the kind is on.  Verification and password
-- reset are transactional: sent whenever asked for (but never to an
-- address a server rejected for good), without List-Unsubscribe.

-- Links and text -------------------------------------------------------------

-- PUBLIC_WEB_URL and PUBLIC_API_URL, from the connection's options (the
-- API and the sender set them from their environment).
CREATE FUNCTION api.public_url(p_which text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v	text := current_setting('il.public_' || p_which || '_url', true);
BEGIN
	IF coalesce(v, '') = '' THEN
		RAISE EXCEPTION 'il.public_%_url is not set: mail needs the '
		    'public URLs (PGOPTIONS)', p_which;
	END IF;
	RETURN v;
END;
$$;

CREATE FUNCTION api.b64url(p bytea)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT translate(encode(p, 'base64'), E'+/=\n', '-_');
$$;

-- The key of an address in email_suppressions.
CREATE FUNCTION api.address_hash(p_addr text)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
	SELECT sha256(convert_to(lower(btrim(p_addr)), 'UTF8'));
$$;

CREATE FUNCTION api.html(p text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT replace(replace(replace(replace(replace(p, '&', '&amp;'),
	    '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
$$;

-- A time as people read it where the event happens:
-- "Thursday 10 December 2026, 18:00 CST".
CREATE FUNCTION api.local_time(p_ts timestamptz, p_tz text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_saved	text := current_setting('TimeZone');
	v	text;
BEGIN
	PERFORM set_config('TimeZone', p_tz, true);
	v := to_char(p_ts, 'FMDay FMDD FMMonth YYYY, HH24:MI TZ');
	PERFORM set_config('TimeZone', v_saved, true);
	RETURN v;
END;
$$;

-- When and where, one line each, for mail about an event.
CREATE FUNCTION api.event_when_where(e events)
RETURNS text[] LANGUAGE sql AS $$
	SELECT ARRAY['When: ' || api.local_time(e.starts_at, e.timezone) ||
	    ' until ' || CASE WHEN (e.ends_at AT TIME ZONE e.timezone)::date =
	        (e.starts_at AT TIME ZONE e.timezone)::date
	        THEN to_char(e.ends_at AT TIME ZONE e.timezone, 'HH24:MI')
	        ELSE api.local_time(e.ends_at, e.timezone) END,
	    'Where: ' || coalesce(nullif(concat_ws(', ', e.venue, e.address,
	        e.city), ''), e.online_url, 'to be announced')];
$$;

-- Consent ---------------------------------------------------------------------

-- The preference column of each kind of mail; NULL: transactional.
CREATE FUNCTION api.mail_preference(p_kind text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_kind
	    WHEN 'invitation' THEN 'invitations'
	    WHEN 'reminder' THEN 'reminders'
	    WHEN 'confirmation' THEN 'reminders'
	    WHEN 'change' THEN 'changes'
	    WHEN 'digest' THEN 'digest'
	    WHEN 'mentorship' THEN 'mentorship'
	    WHEN 'collaboration' THEN 'collaboration'
	    WHEN 'message' THEN 'messages' END;
$$;

CREATE FUNCTION api.email_preferences_of(p_member bigint)
RETURNS email_preferences LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT p FROM email_preferences p
	    WHERE p.member_id = p_member),
	    ROW(p_member, true, true, true, false, true, true, true,
	        now())::email_preferences);
$$;

CREATE FUNCTION api.suppressed(p_addr text, p_rejected_only boolean)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM email_suppressions
	    WHERE address_hash = api.address_hash(p_addr)
	      AND (NOT p_rejected_only OR reason = 'rejected'));
$$;

-- Whether member m may get mail of kind p_kind now.
CREATE FUNCTION api.mail_allowed(m members, p_kind text)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_pref	text := api.mail_preference(p_kind);
BEGIN
	IF v_pref IS NULL THEN
		RETURN NOT api.suppressed(m.email, true);
	END IF;
	IF NOT m.email_verified OR m.suspended_at IS NOT NULL OR
	    api.suppressed(m.email, false) THEN
		RETURN false;
	END IF;
	RETURN (to_jsonb(api.email_preferences_of(m.id))->>v_pref)::boolean;
END;
$$;

-- Unsubscribe links ----------------------------------------------------------
--
-- A link names who and what: "m.<member id>.<preference>" (turn that
-- preference off) or "a.<address hash, hex>.all" (an address that is not
-- a member's: never mail it again), then "." and the first 128 bits of
-- its HMAC-SHA-256 under mail_state.link_key, in hex.  Nothing is stored
-- per link, and a link works for as long as the key is kept.

CREATE FUNCTION api.unsubscribe_token(p_member bigint, p_addr text,
    p_pref text)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT payload || '.' || left(encode(hmac(convert_to(payload, 'UTF8'),
	    (SELECT link_key FROM mail_state), 'sha256'), 'hex'), 32)
	FROM (SELECT CASE WHEN p_member IS NOT NULL
	    THEN 'm.' || p_member || '.' || p_pref
	    ELSE 'a.' || encode(api.address_hash(p_addr), 'hex') || '.all'
	    END AS payload) t;
$$;

-- The parts of a valid link, or 404 (a forged or mistyped link).
CREATE FUNCTION api.unsubscribe_parse(p_token text, OUT member_id bigint,
    OUT address_hash bytea, OUT preference text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v	text[] := regexp_match(coalesce(p_token, ''),
	    '^(m\.([0-9]{1,18})\.([a-z]+)|a\.([0-9a-f]{64})\.all)\.([0-9a-f]{32})$');
BEGIN
	IF v IS NULL OR v[5] <> left(encode(hmac(convert_to(v[1], 'UTF8'),
	    (SELECT link_key FROM mail_state), 'sha256'), 'hex'), 32) THEN
		PERFORM api.fail(404, 'not_found', 'this unsubscribe link is '
		    'not valid: copy the whole link from the email', 'token');
	END IF;
	IF v[2] IS NOT NULL THEN
		member_id := v[2]::bigint;
		preference := v[3];
		IF NOT EXISTS (SELECT 1 FROM members m WHERE m.id = member_id) THEN
			PERFORM api.fail(404, 'not_found', 'the account this '
			    'link was for no longer exists: it gets no mail',
			    'token');
		END IF;
	ELSE
		address_hash := decode(v[4], 'hex');
		preference := 'all';
	END IF;
END;
$$;

-- Writing mail ---------------------------------------------------------------

-- Render a message and queue it.  p_paragraphs are plain text (a
-- paragraph may hold line breaks); the action is one link, shown as a
-- button.  Mail that is not transactional carries the footer that says
-- why it came, links to the preferences and an unsubscribe link (also
-- its List-Unsubscribe header, added by the sender).  Returns the
-- outbox id.  Consent is the caller's to check (api.mail_allowed).
CREATE FUNCTION api.mail_queue(p_kind text, p_member bigint, p_to text,
    p_subject text, p_greeting text, p_paragraphs text[],
    p_action_label text, p_action_url text, p_event bigint DEFAULT NULL,
    p_why text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_web	text := api.public_url('web');
	v_pref	text := api.mail_preference(p_kind);
	v_unsub	text;
	v_text	text;
	v_html	text;
	v_para	text;
	v_id	bigint;
BEGIN
	IF v_pref IS NOT NULL THEN
		v_unsub := api.unsubscribe_token(p_member, p_to, v_pref);
	END IF;

	v_text := CASE WHEN p_greeting IS NOT NULL
	    THEN p_greeting || E'\n\n' ELSE '' END;
	v_html := '<!DOCTYPE html><html><head><meta charset="utf-8">'
	    '<meta name="viewport" content="width=device-width">'
	    '<title>' || api.html(p_subject) || '</title></head>'
	    '<body style="margin:0;padding:24px;background:#f6f5f1;'
	    'font-family:Georgia,serif;color:#1f2a2e">'
	    '<div style="max-width:560px;margin:0 auto;background:#fff;'
	    'padding:24px;border-radius:8px">'
	    '<p style="margin:0 0 16px;font:bold 14px sans-serif;'
	    'color:#35605a">Interlibrary</p>' ||
	    CASE WHEN p_greeting IS NOT NULL
	        THEN '<p>' || api.html(p_greeting) || '</p>' ELSE '' END;
	FOREACH v_para IN ARRAY coalesce(p_paragraphs, '{}') LOOP
		v_text := v_text || v_para || E'\n\n';
		v_html := v_html || '<p style="line-height:1.5">' ||
		    replace(api.html(v_para), E'\n', '<br>') || '</p>';
	END LOOP;
	IF p_action_url IS NOT NULL THEN
		v_text := v_text || p_action_label || E':\n' || p_action_url ||
		    E'\n\n';
		v_html := v_html || '<p style="margin:24px 0"><a href="' ||
		    api.html(p_action_url) || '" style="background:#35605a;'
		    'color:#fff;padding:10px 18px;border-radius:4px;'
		    'text-decoration:none;font-family:sans-serif">' ||
		    api.html(p_action_label) || '</a></p>';
	END IF;

	v_text := v_text || E'-- \nInterlibrary, the libraries of your region '
	    'together: ' || v_web || E'\n';
	v_html := v_html || '<hr style="border:0;border-top:1px solid #ddd;'
	    'margin:24px 0"><p style="font:12px sans-serif;color:#666">' ||
	    'Interlibrary, the libraries of your region together: <a href="' ||
	    api.html(v_web) || '">' || api.html(v_web) || '</a>';
	IF p_why IS NOT NULL THEN
		v_text := v_text || p_why || E'\n';
		v_html := v_html || '<br>' || api.html(p_why);
	END IF;
	IF v_unsub IS NOT NULL THEN
		IF p_member IS NOT NULL THEN
			v_text := v_text || 'Choose the mail you get: ' || v_web ||
			    E'/#/me/email\n';
			v_html := v_html || '<br><a href="' || api.html(v_web) ||
			    '/#/me/email">Choose the mail you get</a>';
		END IF;
		v_text := v_text || CASE WHEN p_member IS NOT NULL
		    THEN 'Stop this kind of mail: '
		    ELSE 'Never email me again: ' END ||
		    v_web || '/#/unsubscribe/' || v_unsub || E'\n';
		v_html := v_html || '<br><a href="' || api.html(v_web) ||
		    '/#/unsubscribe/' || v_unsub || '">' ||
		    CASE WHEN p_member IS NOT NULL
		    THEN 'Stop this kind of mail' ELSE 'Never email me again'
		    END || '</a>';
	END IF;
	v_html := v_html || '</p></div></body></html>';

	INSERT INTO outbox (kind, member_id, to_addr, subject, body_text,
	    body_html, event_id, unsubscribe)
	VALUES (p_kind, p_member, p_to, left(p_subject, 300), v_text, v_html,
	    p_event, v_unsub)
	RETURNING id INTO v_id;
	RETURN v_id;
END;
$$;

-- A single-use token for p_purpose ('verify' or 'reset'), valid p_valid:
-- 32 random bytes as 43 characters of base64url go into the mail; the
-- SHA-256 of those characters into email_tokens (the API hashes a token
-- it is given the same way, EP_HASH_TOKEN, before calling).
CREATE FUNCTION api.email_token_new(m members, p_purpose text,
    p_valid interval)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	v_token	text := api.b64url(gen_random_bytes(32));
BEGIN
	INSERT INTO email_tokens (token_hash, member_id, purpose, email,
	    expires_at)
	VALUES (sha256(convert_to(v_token, 'UTF8')), m.id, p_purpose, m.email,
	    now() + p_valid);
	RETURN v_token;
END;
$$;

-- The verification mail of member m.
CREATE FUNCTION api.mail_verification(m members)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_token	text;
BEGIN
	IF api.suppressed(m.email, true) THEN
		RETURN;
	END IF;
	v_token := api.email_token_new(m, 'verify', interval '7 days');
	PERFORM api.mail_queue('verification', m.id, m.email,
	    'Confirm your email address for Interlibrary',
	    'Hello ' || m.display_name || ',',
	    ARRAY['Please confirm that this is your email address, so that '
	        'Interlibrary can send you invitations, reminders and the '
	        'other mail you choose.',
	        'The link works once, for 7 days. If you did not make an '
	        'account on Interlibrary, ignore this message: nothing more '
	        'will be sent.'],
	    'Confirm my address',
	    api.public_url('web') || '/#/verify-email/' || v_token);
END;
$$;

-- Mail for an in-app notification (api.notify), when the member wants
-- that kind: the notice itself, a link to what it is about and, for an
-- event, the calendar part.
CREATE FUNCTION api.mail_notice(p_member bigint, p_type text,
    p_subject_type text, p_subject_id bigint, p_text text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_kind	text;
	v_m	members;
	e	events;
	v_path	text;
	v_subj	text;
	v_paras	text[] := ARRAY[p_text];
BEGIN
	v_kind := CASE
	    WHEN p_type = 'invitation_received' THEN 'invitation'
	    WHEN p_type IN ('event_cancelled', 'event_changed',
	        'rsvp_promoted') THEN 'change'
	    WHEN p_type LIKE 'mentorship\_%' THEN 'mentorship'
	    WHEN p_type LIKE 'participation\_%' THEN 'collaboration'
	    WHEN p_type LIKE 'message\_%' THEN 'message' END;
	IF v_kind IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO v_m FROM members WHERE id = p_member;
	IF NOT FOUND OR NOT api.mail_allowed(v_m, v_kind) THEN
		RETURN;
	END IF;
	-- New messages: at most one mail per conversation per hour (the
	-- upsert is atomic, so concurrent messages mail once).
	IF p_subject_type = 'conversation' THEN
		INSERT INTO mail_conversation_notices AS n
		    (member_id, conversation_id, mailed_at)
		VALUES (p_member, p_subject_id, now())
		ON CONFLICT (member_id, conversation_id) DO UPDATE
		    SET mailed_at = now()
		    WHERE n.mailed_at <= now() - interval '1 hour';
		IF NOT FOUND THEN
			RETURN;
		END IF;
		v_paras := v_paras || 'More messages in this conversation '
		    'within the hour are not mailed; they wait for you in '
		    'Interlibrary.'::text;
	END IF;

	IF p_subject_type = 'invitation' THEN
		SELECT ev.* INTO e FROM invitations i
		    JOIN events ev ON ev.id = i.event_id
		WHERE i.id = p_subject_id;
		v_path := '/#/invitations';
	ELSIF p_subject_type = 'event' THEN
		SELECT * INTO e FROM events WHERE id = p_subject_id;
		v_path := '/#/events/' || p_subject_id;
	ELSE
		v_path := '/#/' || p_subject_type || 's/' || p_subject_id;
	END IF;
	IF e.id IS NOT NULL THEN
		v_paras := v_paras || api.event_when_where(e);
	END IF;
	v_subj := CASE p_type
	    WHEN 'invitation_received' THEN 'Invitation: ' || e.title
	    WHEN 'event_cancelled' THEN 'Cancelled: ' || e.title
	    WHEN 'event_changed' THEN 'Changed: ' || e.title
	    WHEN 'rsvp_promoted' THEN 'You have a place: ' || e.title
	    -- The notice's sentence, without its parenthesis or final stop.
	    ELSE rtrim(regexp_replace(p_text, '\s*\(.*$', ''), '.') END;
	IF length(v_subj) > 100 THEN
		v_subj := left(v_subj, 99) || '…';
	END IF;
	PERFORM api.mail_queue(v_kind, p_member, v_m.email, v_subj,
	    'Hello ' || v_m.display_name || ',', v_paras, 'Open in Interlibrary',
	    api.public_url('web') || v_path,
	    CASE WHEN e.id IS NOT NULL AND e.hidden_at IS NULL THEN e.id END,
	    'You get this because you use Interlibrary.');
END;
$$;

-- The confirmation of an RSVP (going, or on the waitlist), with the
-- event for the calendar when going.
CREATE FUNCTION api.mail_rsvp_confirmation(e events, p_member bigint,
    p_status text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_m	members;
BEGIN
	SELECT * INTO v_m FROM members WHERE id = p_member;
	IF NOT api.mail_allowed(v_m, 'confirmation') THEN
		RETURN;
	END IF;
	PERFORM api.mail_queue('confirmation', v_m.id, v_m.email,
	    CASE p_status WHEN 'going' THEN 'You are going: '
	        ELSE 'You are on the waitlist: ' END || e.title,
	    'Hello ' || v_m.display_name || ',',
	    ARRAY[CASE p_status WHEN 'going' THEN 'Your place at ' || e.title ||
	        ' is confirmed. The calendar file attached adds it to your '
	        'calendar.'
	        ELSE e.title || ' is full, so you are on its waitlist. If a '
	        'place frees up it goes to the first person waiting, and '
	        'you will hear from us.' END] || api.event_when_where(e),
	    'See the event', api.public_url('web') || '/#/events/' || e.id,
	    CASE WHEN p_status = 'going' AND e.hidden_at IS NULL THEN e.id END,
	    'You get this because you answered an event''s RSVP.');
END;
$$;
