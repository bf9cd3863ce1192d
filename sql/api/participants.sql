-- Participants of collaborations: members, or organizations through one
-- of their admins, asking to join, approved or declined by the owners,
-- with an optional cost share.

-- Helpers ----------------------------------------------------------------

-- Active ISO 4217 currency codes (funds and precious metals left out).
CREATE FUNCTION api.is_currency(p text)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT p = ANY ('{AED,AFN,ALL,AMD,ANG,AOA,ARS,AUD,AWG,AZN,BAM,BBD,BDT,'
	    'BGN,BHD,BIF,BMD,BND,BOB,BRL,BSD,BTN,BWP,BYN,BZD,CAD,CDF,CHF,CLP,'
	    'CNY,COP,CRC,CUP,CVE,CZK,DJF,DKK,DOP,DZD,EGP,ERN,ETB,EUR,FJD,FKP,'
	    'GBP,GEL,GHS,GIP,GMD,GNF,GTQ,GYD,HKD,HNL,HTG,HUF,IDR,ILS,INR,IQD,'
	    'IRR,ISK,JMD,JOD,JPY,KES,KGS,KHR,KMF,KPW,KRW,KWD,KYD,KZT,LAK,LBP,'
	    'LKR,LRD,LSL,LYD,MAD,MDL,MGA,MKD,MMK,MNT,MOP,MRU,MUR,MVR,MWK,MXN,'
	    'MYR,MZN,NAD,NGN,NIO,NOK,NPR,NZD,OMR,PAB,PEN,PGK,PHP,PKR,PLN,PYG,'
	    'QAR,RON,RSD,RUB,RWF,SAR,SBD,SCR,SDG,SEK,SGD,SHP,SLE,SOS,SRD,SSP,'
	    'STN,SVC,SYP,SZL,THB,TJS,TMT,TND,TOP,TRY,TTD,TWD,TZS,UAH,UGX,USD,'
	    'UYU,UZS,VES,VND,VUV,WST,XAF,XCD,XCG,XOF,XPF,YER,ZAR,ZMW,ZWG}'::text[]);
$$;

-- Messages and cost shares only for insiders and the participant.
CREATE FUNCTION api.participant_json(p collaboration_participants,
    p_viewer members, p_insider boolean)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', p.id,
	    'collaboration_id', p.collaboration_id,
	    'member', api.co_member_ref(p.member_id, p_viewer),
	    'organization', api.org_ref(p.organization_id),
	    'role', p.role, 'status', p.status,
	    'skills_offered', to_jsonb(p.skills_offered),
	    'message', CASE WHEN v_full THEN p.message END,
	    'cost_share', CASE WHEN v_full AND p.cost_amount IS NOT NULL THEN
	        jsonb_build_object('amount', api.co_money(p.cost_amount),
	            'currency', p.cost_currency, 'note', p.cost_note) END,
	    'created_at', api.ts(p.created_at),
	    'updated_at', api.ts(p.updated_at),
	    'decided_at', api.ts(p.decided_at))
	FROM (SELECT coalesce(p_insider OR p.member_id = p_viewer.id, false)
	    AS v_full) f;
$$;

-- A cost share from p_share merged over the current one (amount,
-- currency, note); p_share null clears it.  Checks the currency.
CREATE FUNCTION api.co_cost_apply(p collaboration_participants,
    p_share jsonb)
RETURNS collaboration_participants LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_cur	text;
BEGIN
	IF p_share IS NULL OR jsonb_typeof(p_share) = 'null' THEN
		p.cost_amount := NULL;
		p.cost_currency := NULL;
		p.cost_note := NULL;
		RETURN p;
	END IF;
	IF p_share ? 'amount' THEN
		p.cost_amount := (p_share->>'amount')::numeric(12,2);
	END IF;
	IF p_share ? 'currency' THEN
		v_cur := p_share->>'currency';
		IF NOT api.is_currency(v_cur) THEN
			PERFORM api.fail(400, 'validation_failed', 'must be an '
			    'ISO 4217 currency code in capitals, like "USD"',
			    'cost_share.currency');
		END IF;
		p.cost_currency := v_cur;
	END IF;
	IF p_share ? 'note' THEN
		p.cost_note := api.clean(p_share->>'note');
	END IF;
	IF p.cost_amount IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'is required',
		    'cost_share.amount');
	END IF;
	IF p.cost_currency IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'is required',
		    'cost_share.currency');
	END IF;
	RETURN p;
END;
$$;

-- Endpoints --------------------------------------------------------------

-- Insiders see everyone; others the approved participants and their own
-- rows.  Sorted by id; status filter.
CREATE FUNCTION api.collaboration_participants(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	v_me		members := api.viewer(p_token);
	c		collaborations := api.co_visible((p_args->>'id')::bigint,
	    v_me);
	v_insider	boolean := api.co_is_insider(c, v_me);
	v_owner		boolean := api.co_is_owner(c, v_me);
	v_cur		jsonb := api.cursor_decode('collaboration_participants:' || c.id, p_query, '{bigint}');
BEGIN
	RETURN (WITH page AS (
		SELECT p.* FROM collaboration_participants p
		WHERE p.collaboration_id = c.id
		  AND (p.status = 'approved' OR v_owner
		      OR p.member_id = v_me.id)
		  AND (NOT p_query ? 'status' OR p.status = p_query->>'status')
		  AND (v_cur IS NULL OR p.id > (v_cur->>0)::bigint)
		ORDER BY p.id
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('collaboration_participants:' || c.id,
	    array_agg(api.participant_json(page, v_me, v_insider)
	        ORDER BY page.id),
	    array_agg(jsonb_build_array(page.id) ORDER BY page.id), p_query)
	FROM page);
END;
$$;
-- Ask to join, as oneself or for an organization the caller admins:
-- pending, and the owners are notified.
CREATE FUNCTION api.participant_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	c	collaborations := api.co_visible((p_args->>'id')::bigint, v_me,
	    true);
	v_o	organizations := api.co_admined_org(p_body, 'organization', v_me);
	p	collaboration_participants;
BEGIN
	IF c.status IN ('completed', 'archived') THEN
		PERFORM api.fail(409, 'closed', 'this collaboration is ' ||
		    c.status || ' and takes no new participants');
	END IF;
	PERFORM api.co_require_text(p_body, 'message');
	p.collaboration_id := c.id;
	p.member_id := v_me.id;
	p.organization_id := v_o.id;
	p.message := btrim(p_body->>'message');
	p.skills_offered := api.text_array(p_body->'skills_offered');
	IF p_body ? 'cost_share' THEN
		p := api.co_cost_apply(p, p_body->'cost_share');
	END IF;
	BEGIN
		INSERT INTO collaboration_participants (collaboration_id,
		    member_id, organization_id, message, skills_offered,
		    cost_amount, cost_currency, cost_note)
		VALUES (p.collaboration_id, p.member_id, p.organization_id,
		    p.message, p.skills_offered, p.cost_amount, p.cost_currency,
		    p.cost_note)
		RETURNING * INTO p;
	EXCEPTION WHEN unique_violation THEN
		PERFORM api.fail(409, 'already_participant', CASE
		    WHEN v_o.id IS NULL THEN 'you already take part in or asked '
		        'to join this collaboration'
		    ELSE v_o.name || ' already takes part in or asked to join '
		        'this collaboration' END);
	END;
	PERFORM api.notify(o.member_id, 'participation_requested',
	    'collaboration', c.id, v_me.display_name || ' asked to join "' ||
	    c.title || '"' || coalesce(' for ' || v_o.name, '') || '.')
	FROM collaboration_participants o
	WHERE o.collaboration_id = c.id AND o.role = 'owner'
	  AND o.status = 'approved' AND o.member_id <> v_me.id;
	RETURN api.ok(201, api.participant_json(p, v_me,
	    api.co_is_insider(c, v_me)),
	    '/v1/collaborations/' || c.id || '/participants/' || p.id);
END;
$$;

-- Owners approve or decline pending requests and set roles; anyone may
-- change their own message, skills and cost share and leave; owners
-- may set anyone's cost share.  The last owner cannot leave or be
-- demoted (trigger).
CREATE FUNCTION api.participant_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	c	collaborations := api.co_visible((p_args->>'id')::bigint, v_me,
	    true);
	v_owner	boolean := api.co_is_owner(c, v_me);
	v_old	collaboration_participants;
	p	collaboration_participants;
	v_self	boolean;
	v_to	text := p_body->>'status';
	v_ok	text;
BEGIN
	SELECT * INTO v_old FROM collaboration_participants
	WHERE id = (p_args->>'pid')::bigint AND collaboration_id = c.id
	FOR UPDATE;
	IF NOT FOUND OR NOT (v_owner OR v_old.member_id = v_me.id
	    OR (v_old.status = 'approved'
	        AND api.co_is_insider(c, v_me))) THEN
		PERFORM api.fail(404, 'not_found',
		    'no such participant in this collaboration');
	END IF;
	v_self := v_old.member_id = v_me.id;
	p := v_old;

	IF v_to IS NOT NULL AND v_to <> v_old.status THEN
		IF v_to = 'left' THEN
			IF NOT v_self THEN
				PERFORM api.fail(403, 'forbidden', 'only the '
				    'participant can leave; owners decline '
				    'requests instead', 'status');
			END IF;
			v_ok := CASE WHEN v_old.status IN ('pending', 'approved')
			    THEN 'ok' END;
		ELSE
			IF NOT v_owner THEN
				PERFORM api.fail(403, 'forbidden', 'only the '
				    'owners approve or decline requests', 'status');
			END IF;
			v_ok := CASE WHEN v_old.status = 'pending' THEN 'ok' END;
		END IF;
		IF v_ok IS NULL THEN
			PERFORM api.fail(409, 'invalid_transition',
			    'a participation cannot move from ' || v_old.status ||
			    ' to ' || v_to || CASE v_old.status
			    WHEN 'pending' THEN '; allowed: approved, declined '
			        '(owners), left (the participant)'
			    WHEN 'approved' THEN '; allowed: left (the participant)'
			    ELSE '; it is ' || v_old.status || ' for good' END,
			    'status');
		END IF;
		p.status := v_to;
		p.decided_at := now();
		IF v_to <> 'approved' THEN
			p.role := 'participant';
		END IF;
	END IF;

	IF p_body ? 'role' AND p_body->>'role' <> p.role THEN
		IF NOT v_owner THEN
			PERFORM api.fail(403, 'forbidden',
			    'only the owners set roles', 'role');
		END IF;
		IF p.status <> 'approved' THEN
			PERFORM api.fail(409, 'conflict', 'approve the request '
			    '("status": "approved") before making them an owner',
			    'role');
		END IF;
		p.role := p_body->>'role';
	END IF;

	IF p_body ? 'message' OR p_body ? 'skills_offered' THEN
		IF NOT v_self THEN
			PERFORM api.fail(403, 'forbidden', 'only the participant '
			    'edits their message and skills',
			    CASE WHEN p_body ? 'message' THEN 'message'
			    ELSE 'skills_offered' END);
		END IF;
		IF p_body ? 'message' THEN
			p.message := api.clean(p_body->>'message');
		END IF;
		IF p_body ? 'skills_offered' THEN
			p.skills_offered := api.text_array(p_body->'skills_offered');
		END IF;
	END IF;

	IF p_body ? 'cost_share' THEN
		IF NOT (v_self OR v_owner) THEN
			PERFORM api.fail(403, 'forbidden', 'only the participant '
			    'or an owner sets a cost share', 'cost_share');
		END IF;
		p := api.co_cost_apply(p, p_body->'cost_share');
	END IF;

	IF (p.status, p.role, p.message, p.skills_offered, p.cost_amount,
	    p.cost_currency, p.cost_note) IS DISTINCT FROM (v_old.status,
	    v_old.role, v_old.message, v_old.skills_offered, v_old.cost_amount,
	    v_old.cost_currency, v_old.cost_note) THEN
		UPDATE collaboration_participants SET status = p.status,
		    role = p.role, message = p.message,
		    skills_offered = p.skills_offered,
		    cost_amount = p.cost_amount, cost_currency = p.cost_currency,
		    cost_note = p.cost_note, decided_at = p.decided_at,
		    updated_at = now()
		WHERE id = p.id
		RETURNING * INTO p;
	END IF;

	IF v_old.status = 'pending' AND p.status IN ('approved', 'declined')
	    THEN
		PERFORM api.notify(p.member_id, 'participation_' || p.status,
		    'collaboration', c.id, 'Your request to join "' || c.title ||
		    '" was ' || p.status || '.');
	END IF;
	RETURN api.ok(200, api.participant_json(p, v_me,
	    api.co_is_insider(c, v_me) OR v_owner));
END;
$$;
