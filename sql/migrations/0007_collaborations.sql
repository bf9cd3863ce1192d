-- Collaborations between libraries, their participants (members, or
-- organizations through one of their admins), cost shares, progress
-- updates; the community activity feed (JSON and RSS 2.0); reports and
-- hiding by site admins.
--
-- Invariants in the schema:
--   * status moves only along collaboration_transitions (a trigger;
--     anything else is 409 naming the allowed moves);
--   * a collaboration keeps at least one approved owner: the
--     participants trigger locks the collaboration row (FOR NO KEY
--     UPDATE) before counting, so owners leaving or being demoted at the
--     same time run one after the other and the last one is refused,
--     like memberships_keep_admin in 0003.  Functions here lock the
--     collaboration before touching participant rows (one lock order);
--   * cost shares are numeric(12,2) in a currency of three capital
--     letters (the API also checks it against the ISO 4217 list below);
--   * one open participation (pending or approved) per member and
--     organization, and per organization.
--
-- Who is who:
--   owner        an approved participant with role 'owner' (the creator
--                is the first); site admins may do what owners do;
--   insider      an owner, an approved participant, or a site admin: sees
--                messages and cost shares, and hidden collaborations;
--   anyone else  sees collaborations that are not hidden, their approved
--                participants, updates and cost totals.  Member names
--                follow the profile rule of the contract: members see
--                every display_name, anonymous callers only those whose
--                "about" group is public.
--
-- The activity feed is api.activity_items(), a UNION ALL of public facts
-- (mentorships of 0006 only when both sides agreed to share), each
-- branch reading its own index on (at, id) from the cursor.

-- Events: hiding (reports) and when the recap was published ---------------------

ALTER TABLE events ADD COLUMN recap_at timestamptz;
UPDATE events SET recap_at = updated_at WHERE recap IS NOT NULL;
ALTER TABLE events ADD CONSTRAINT events_recap_at_check
    CHECK ((recap IS NULL) = (recap_at IS NULL));

-- A recap is "published" when it first appears; edits keep the date.
-- (The API takes a recap only in edits; a row inserted with one, as demo
-- data is, counts as published a day after the event at the latest.)
CREATE FUNCTION api.events_recap_at()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.recap IS NULL THEN
		NEW.recap_at := NULL;
	ELSIF TG_OP = 'INSERT' THEN
		NEW.recap_at := coalesce(NEW.recap_at,
		    least(now(), NEW.ends_at + interval '1 day'));
	ELSIF OLD.recap IS NULL THEN
		NEW.recap_at := now();
	ELSE
		NEW.recap_at := OLD.recap_at;
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER events_recap_at
    BEFORE INSERT OR UPDATE OF recap ON events
    FOR EACH ROW EXECUTE FUNCTION api.events_recap_at();

-- Collaborations ------------------------------------------------------------

CREATE TABLE collaboration_statuses (
	status		text PRIMARY KEY,
	position	integer NOT NULL UNIQUE
);

INSERT INTO collaboration_statuses VALUES
    ('proposed', 1), ('seeking_partners', 2), ('active', 3),
    ('completed', 4), ('archived', 5);

-- The moves owners may make; anything else is refused by the trigger.
CREATE TABLE collaboration_transitions (
	from_status	text NOT NULL REFERENCES collaboration_statuses,
	to_status	text NOT NULL REFERENCES collaboration_statuses,
	PRIMARY KEY (from_status, to_status),
	CHECK (from_status <> to_status)
);

INSERT INTO collaboration_transitions VALUES
    ('proposed', 'seeking_partners'), ('seeking_partners', 'active'),
    ('active', 'completed'), ('proposed', 'archived'),
    ('seeking_partners', 'archived'), ('active', 'archived'),
    ('completed', 'archived');

CREATE TABLE collaborations (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	summary		text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
	skills_wanted	text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(skills_wanted) <= 20),
	status		text NOT NULL DEFAULT 'proposed'
	    REFERENCES collaboration_statuses,
	-- The organization hosting it (set by one of its admins), if any.
	organization_id	bigint REFERENCES organizations ON DELETE RESTRICT,
	created_by	bigint REFERENCES members ON DELETE SET NULL,
	completed_at	timestamptz,
	hidden_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	search		tsvector GENERATED ALWAYS AS (to_tsvector('simple',
	    title || ' ' || summary)) STORED,
	CHECK (status <> 'completed' OR completed_at IS NOT NULL)
);

-- GET /v1/collaborations is newest first (id DESC, the primary key);
-- filters: status, organization, skill (GIN), q (GIN full-text).
CREATE INDEX collaborations_status_idx ON collaborations (status, id);
CREATE INDEX collaborations_org_idx ON collaborations (organization_id, id);
CREATE INDEX collaborations_skills_idx ON collaborations USING gin (skills_wanted);
CREATE INDEX collaborations_search_idx ON collaborations USING gin (search);
-- The activity feed's branches.
CREATE INDEX collaborations_created_idx ON collaborations (created_at, id)
    WHERE hidden_at IS NULL;
CREATE INDEX collaborations_completed_idx ON collaborations (completed_at, id)
    WHERE hidden_at IS NULL AND completed_at IS NOT NULL;

CREATE FUNCTION api.collaborations_status()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_allowed	text;
BEGIN
	IF NEW.status = OLD.status THEN
		RETURN NEW;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM collaboration_transitions
	    WHERE from_status = OLD.status AND to_status = NEW.status) THEN
		SELECT string_agg(t.to_status, ', ' ORDER BY s.position)
		INTO v_allowed
		FROM collaboration_transitions t
		JOIN collaboration_statuses s ON s.status = t.to_status
		WHERE t.from_status = OLD.status;
		PERFORM api.fail(409, 'invalid_transition', 'a collaboration '
		    'cannot move from ' || OLD.status || ' to ' || NEW.status ||
		    coalesce('; allowed: ' || v_allowed,
		        '; it is ' || OLD.status || ' for good'), 'status');
	END IF;
	IF NEW.status = 'completed' THEN
		NEW.completed_at := now();
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER collaborations_status
    BEFORE UPDATE OF status ON collaborations
    FOR EACH ROW EXECUTE FUNCTION api.collaborations_status();

CREATE TABLE collaboration_participants (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	collaboration_id bigint NOT NULL REFERENCES collaborations
	    ON DELETE CASCADE,
	member_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	-- Taking part on behalf of this organization (its admin asked).
	organization_id	bigint REFERENCES organizations ON DELETE RESTRICT,
	role		text NOT NULL DEFAULT 'participant'
	    CHECK (role IN ('owner', 'participant')),
	status		text NOT NULL DEFAULT 'pending'
	    CHECK (status IN ('pending', 'approved', 'declined', 'left')),
	message		text CHECK (length(message) <= 2000),
	skills_offered	text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(skills_offered) <= 20),
	cost_amount	numeric(12,2) CHECK (cost_amount >= 0),
	cost_currency	text CHECK (cost_currency ~ '^[A-Z]{3}$'),
	cost_note	text CHECK (length(cost_note) <= 500),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	decided_at	timestamptz,
	-- Only approved participants can be owners.
	CHECK (role = 'participant' OR status = 'approved'),
	CHECK ((cost_amount IS NULL) = (cost_currency IS NULL)),
	CHECK (cost_note IS NULL OR cost_amount IS NOT NULL)
);

CREATE UNIQUE INDEX collaboration_participants_open_key
    ON collaboration_participants (collaboration_id, member_id,
        coalesce(organization_id, 0))
    WHERE status IN ('pending', 'approved');
CREATE UNIQUE INDEX collaboration_participants_org_key
    ON collaboration_participants (collaboration_id, organization_id)
    WHERE organization_id IS NOT NULL AND status IN ('pending', 'approved');
CREATE INDEX collaboration_participants_list_idx
    ON collaboration_participants (collaboration_id, status, id);
CREATE INDEX collaboration_participants_member_idx
    ON collaboration_participants (member_id, status);
CREATE INDEX collaboration_participants_org_idx
    ON collaboration_participants (organization_id)
    WHERE organization_id IS NOT NULL;

-- Refuse any change that leaves a collaboration without an approved
-- owner.  The collaboration row is locked first, so concurrent leaves
-- and demotions run one after the other and each counts what the one
-- before committed.  When the collaboration itself is being deleted its
-- row is gone and there is nothing to protect.
CREATE FUNCTION api.collaboration_participants_keep_owner()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_c	collaborations;
BEGIN
	IF OLD.role <> 'owner' OR OLD.status <> 'approved' THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'UPDATE' AND NEW.role = 'owner' AND NEW.status = 'approved'
	    THEN
		RETURN NULL;
	END IF;
	SELECT * INTO v_c FROM collaborations
	WHERE id = OLD.collaboration_id FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM collaboration_participants
	    WHERE collaboration_id = OLD.collaboration_id AND role = 'owner'
	      AND status = 'approved') THEN
		PERFORM api.fail(409, 'last_owner', '"' || v_c.title || '" must '
		    'keep at least one owner: make someone else an owner first');
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER collaboration_participants_keep_owner
    AFTER UPDATE OR DELETE ON collaboration_participants
    FOR EACH ROW EXECUTE FUNCTION api.collaboration_participants_keep_owner();

CREATE TABLE collaboration_updates (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	collaboration_id bigint NOT NULL REFERENCES collaborations
	    ON DELETE CASCADE,
	author_id	bigint NOT NULL REFERENCES members ON DELETE CASCADE,
	body		text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX collaboration_updates_list_idx
    ON collaboration_updates (collaboration_id, id);
CREATE INDEX collaboration_updates_author_idx
    ON collaboration_updates (author_id);
CREATE INDEX collaboration_updates_created_idx
    ON collaboration_updates (created_at, id);

-- Reports -----------------------------------------------------------------------

-- subject_id names a row of the table subject_type names (checked when
-- the report is filed; the subject may be deleted later).
CREATE TABLE reports (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	reporter_id	bigint REFERENCES members ON DELETE SET NULL,
	subject_type	text NOT NULL CHECK (subject_type IN ('member', 'event',
	    'collaboration', 'invitation')),
	subject_id	bigint NOT NULL,
	reason		text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
	status		text NOT NULL DEFAULT 'open'
	    CHECK (status IN ('open', 'resolved')),
	subject_hidden	boolean NOT NULL DEFAULT false,
	resolved_by	bigint REFERENCES members ON DELETE SET NULL,
	resolved_at	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
	CHECK (NOT subject_hidden OR subject_type IN ('event', 'collaboration'))
);

-- One open report per reporter and subject.
CREATE UNIQUE INDEX reports_open_key ON reports (reporter_id, subject_type,
    subject_id) WHERE status = 'open';
CREATE INDEX reports_status_idx ON reports (status, id);
CREATE INDEX reports_subject_idx ON reports (subject_type, subject_id);

-- Activity indexes on events (created_at for new events, recap_at for
-- recaps; hidden and cancelled events never appear).
CREATE INDEX events_activity_created_idx ON events (created_at, id)
    WHERE hidden_at IS NULL AND status = 'scheduled';
CREATE INDEX events_activity_recap_idx ON events (recap_at, id)
    WHERE hidden_at IS NULL AND recap_at IS NOT NULL;

-- Helpers -----------------------------------------------------------------------

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

-- {id, display_name} of a member as p_viewer may see the name: members
-- see every name, anonymous callers only names whose "about" group is
-- public (api.md, profile fields).  NULL otherwise.
CREATE FUNCTION api.co_member_ref(p_member bigint, p_viewer members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', m.id, 'display_name', m.display_name)
	FROM members m
	WHERE m.id = p_member
	  AND (p_viewer.id IS NOT NULL OR m.visibility_about = 'public');
$$;

CREATE FUNCTION api.co_find(p_id bigint, p_lock boolean DEFAULT false)
RETURNS collaborations LANGUAGE plpgsql AS $$
DECLARE
	c	collaborations;
BEGIN
	IF p_lock THEN
		SELECT * INTO c FROM collaborations WHERE id = p_id
		FOR NO KEY UPDATE;
	ELSE
		SELECT * INTO c FROM collaborations WHERE id = p_id;
	END IF;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such collaboration');
	END IF;
	RETURN c;
END;
$$;

-- The viewer's role: 'owner', 'participant' (approved), or NULL.
CREATE FUNCTION api.co_role(p_collab bigint, p_member bigint)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN bool_or(role = 'owner') THEN 'owner'
	    WHEN count(*) > 0 THEN 'participant' END
	FROM collaboration_participants
	WHERE collaboration_id = p_collab AND member_id = p_member
	  AND status = 'approved';
$$;

CREATE FUNCTION api.co_is_owner(c collaborations, p_member members)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT p_member.id IS NOT NULL AND (p_member.role = 'admin'
	    OR coalesce(api.co_role(c.id, p_member.id) = 'owner', false));
$$;

CREATE FUNCTION api.co_is_insider(c collaborations, p_member members)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT p_member.id IS NOT NULL AND (p_member.role = 'admin'
	    OR api.co_role(c.id, p_member.id) IS NOT NULL);
$$;

-- The collaboration as p_viewer may see it, or 404: hidden ones only to
-- insiders.
CREATE FUNCTION api.co_visible(p_id bigint, p_viewer members,
    p_lock boolean DEFAULT false)
RETURNS collaborations LANGUAGE plpgsql AS $$
DECLARE
	c	collaborations := api.co_find(p_id, p_lock);
BEGIN
	IF c.hidden_at IS NOT NULL AND NOT api.co_is_insider(c, p_viewer) THEN
		PERFORM api.fail(404, 'not_found', 'no such collaboration');
	END IF;
	RETURN c;
END;
$$;

CREATE FUNCTION api.co_require_owner(c collaborations, p_member members)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT api.co_is_owner(c, p_member) THEN
		PERFORM api.fail(403, 'forbidden',
		    'only the owners of this collaboration can do this');
	END IF;
END;
$$;

CREATE FUNCTION api.co_money(p numeric)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(round(p, 2), 'FM9999999999999999990.00');
$$;

CREATE FUNCTION api.co_cost_totals(p_collab bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('currency', cur,
	    'amount', api.co_money(total)) ORDER BY cur), '[]')
	FROM (SELECT cost_currency AS cur, sum(cost_amount) AS total
	      FROM collaboration_participants
	      WHERE collaboration_id = p_collab AND status = 'approved'
	        AND cost_amount IS NOT NULL
	      GROUP BY cost_currency) t;
$$;

CREATE FUNCTION api.co_allowed(p_status text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(t.to_status ORDER BY s.position), '[]')
	FROM collaboration_transitions t
	JOIN collaboration_statuses s ON s.status = t.to_status
	WHERE t.from_status = p_status;
$$;

CREATE FUNCTION api.collaboration_json(c collaborations, p_viewer members)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_mine	jsonb;
BEGIN
	IF p_viewer.id IS NOT NULL THEN
		SELECT jsonb_build_object('id', p.id, 'role', p.role,
		    'status', p.status)
		INTO v_mine
		FROM collaboration_participants p
		WHERE p.collaboration_id = c.id AND p.member_id = p_viewer.id
		ORDER BY (p.status = 'approved') DESC,
		    (p.status = 'pending') DESC, (p.role = 'owner') DESC,
		    p.id DESC
		LIMIT 1;
	END IF;
	RETURN jsonb_build_object(
	    'id', c.id, 'title', c.title, 'summary', c.summary,
	    'skills_wanted', to_jsonb(c.skills_wanted), 'status', c.status,
	    'allowed_transitions', api.co_allowed(c.status),
	    'organization', api.org_ref(c.organization_id),
	    'created_by', api.co_member_ref(c.created_by, p_viewer),
	    'owners', coalesce((SELECT jsonb_agg(r ORDER BY p.id)
	        FROM collaboration_participants p,
	            LATERAL api.co_member_ref(p.member_id, p_viewer) r
	        WHERE p.collaboration_id = c.id AND p.role = 'owner'
	          AND p.status = 'approved' AND r IS NOT NULL), '[]'),
	    'partner_organizations', coalesce((SELECT jsonb_agg(
	        api.org_ref(x.organization_id) ORDER BY x.first)
	        FROM (SELECT organization_id, min(id) AS first
	              FROM collaboration_participants
	              WHERE collaboration_id = c.id AND status = 'approved'
	                AND organization_id IS NOT NULL
	              GROUP BY organization_id) x), '[]'),
	    'participant_count', (SELECT count(*) FROM collaboration_participants
	        WHERE collaboration_id = c.id AND status = 'approved'),
	    'cost_totals', api.co_cost_totals(c.id),
	    'my_participation', v_mine,
	    'hidden', c.hidden_at IS NOT NULL,
	    'completed_at', api.ts(c.completed_at),
	    'created_at', api.ts(c.created_at),
	    'updated_at', api.ts(c.updated_at));
END;
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

CREATE FUNCTION api.update_json(u collaboration_updates, p_viewer members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', u.id,
	    'collaboration_id', u.collaboration_id,
	    'author', api.co_member_ref(u.author_id, p_viewer),
	    'body', u.body, 'created_at', api.ts(u.created_at));
$$;

-- The organization named in p_body->p_field, which p_member must admin
-- (site admins may name any); NULL when absent or null.
CREATE FUNCTION api.co_admined_org(p_body jsonb, p_field text,
    p_member members)
RETURNS organizations LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_o	organizations;
BEGIN
	IF coalesce(jsonb_typeof(p_body->p_field), 'null')
	    NOT IN ('string', 'number') THEN
		RETURN NULL;
	END IF;
	SELECT * INTO v_o FROM organizations
	WHERE id = api.org_id(p_body->>p_field, p_field);
	IF NOT api.is_org_admin(v_o.id, p_member) THEN
		PERFORM api.fail(403, 'forbidden', 'only admins of ' || v_o.name ||
		    ' can act for it', p_field);
	END IF;
	IF v_o.archived THEN
		PERFORM api.fail(409, 'archived', v_o.name || ' is archived',
		    p_field);
	END IF;
	RETURN v_o;
END;
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

-- 400 naming p_field when a required text is only blanks.
CREATE FUNCTION api.co_require_text(p_body jsonb, p_field text)
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_body ? p_field AND api.clean(p_body->>p_field) IS NULL THEN
		PERFORM api.fail(400, 'validation_failed', 'must not be empty',
		    p_field);
	END IF;
END;
$$;

-- Collaborations: endpoints --------------------------------------------------

CREATE FUNCTION api.collaborations_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_admin	boolean := coalesce(v_me.role = 'admin', false);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 1);
	v_tsq	tsquery := api.prefix_query(p_query->>'q');
	v_org	bigint;
	v_after	bigint;
	v_rows	jsonb;
	v_n	integer;
	v_next	text;
BEGIN
	IF p_query ? 'q' AND v_tsq IS NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must contain a letter or digit', 'q');
	END IF;
	IF p_query ? 'organization' THEN
		v_org := api.org_id(p_query->>'organization', 'organization');
	END IF;
	IF v_cur IS NOT NULL THEN
		IF jsonb_typeof(v_cur->0) <> 'number' THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is not a cursor this list gave out', 'cursor');
		END IF;
		v_after := (v_cur->>0)::bigint;
	END IF;
	WITH page AS (
		SELECT c.* FROM collaborations c
		WHERE (c.hidden_at IS NULL OR v_admin OR (v_me.id IS NOT NULL
		      AND api.co_role(c.id, v_me.id) IS NOT NULL))
		  AND (NOT p_query ? 'status' OR c.status = p_query->>'status')
		  AND (NOT p_query ? 'skill' OR
		      c.skills_wanted @> ARRAY[p_query->>'skill'])
		  AND (v_tsq IS NULL OR c.search @@ v_tsq)
		  AND (v_org IS NULL OR c.organization_id = v_org OR EXISTS (
		      SELECT 1 FROM collaboration_participants p
		      WHERE p.collaboration_id = c.id AND p.organization_id = v_org
		        AND p.status = 'approved'))
		  AND (v_after IS NULL OR c.id < v_after)
		ORDER BY c.id DESC
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(api.collaboration_json(page, v_me) ORDER BY page.id DESC),
	    count(*)
	INTO v_rows, v_n FROM page;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_next := api.cursor_encode(jsonb_build_array(
		    (v_rows->(v_limit - 1)->>'id')::bigint));
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', v_next), NULL, v_next);
END;
$$;

CREATE FUNCTION api.collaboration_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_o	organizations := api.co_admined_org(p_body, 'organization', v_me);
	c	collaborations;
BEGIN
	PERFORM api.co_require_text(p_body, 'title');
	PERFORM api.co_require_text(p_body, 'summary');
	INSERT INTO collaborations (title, summary, skills_wanted,
	    organization_id, created_by)
	VALUES (btrim(p_body->>'title'), btrim(p_body->>'summary'),
	    api.text_array(p_body->'skills_wanted'), v_o.id, v_me.id)
	RETURNING * INTO c;
	INSERT INTO collaboration_participants (collaboration_id, member_id,
	    organization_id, role, status, decided_at)
	VALUES (c.id, v_me.id, v_o.id, 'owner', 'approved', now());
	RETURN api.ok(201, api.collaboration_json(c, v_me),
	    '/v1/collaborations/' || c.id);
END;
$$;

CREATE FUNCTION api.collaboration_get(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
BEGIN
	RETURN api.ok(200, api.collaboration_json(
	    api.co_visible((p_args->>'id')::bigint, v_me), v_me));
END;
$$;

-- Owners edit (merge patch) and move the status; the status trigger
-- refuses moves outside collaboration_transitions.
CREATE FUNCTION api.collaboration_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	c	collaborations := api.co_visible((p_args->>'id')::bigint, v_me,
	    true);
	p	jsonb := p_body;
	v_org	bigint := c.organization_id;
BEGIN
	PERFORM api.co_require_owner(c, v_me);
	IF c.status = 'archived' AND p - 'status' <> '{}' THEN
		PERFORM api.fail(409, 'archived',
		    'an archived collaboration cannot be edited');
	END IF;
	PERFORM api.co_require_text(p, 'title');
	PERFORM api.co_require_text(p, 'summary');
	IF p ? 'organization' THEN
		IF jsonb_typeof(p->'organization') = 'null' THEN
			v_org := NULL;
		ELSIF api.org_id(p->>'organization', 'organization')
		    IS DISTINCT FROM c.organization_id THEN
			v_org := (api.co_admined_org(p, 'organization', v_me)).id;
		END IF;
	END IF;
	UPDATE collaborations SET
	    title = CASE WHEN p ? 'title' THEN btrim(p->>'title') ELSE title END,
	    summary = CASE WHEN p ? 'summary' THEN btrim(p->>'summary')
	        ELSE summary END,
	    skills_wanted = CASE WHEN p ? 'skills_wanted'
	        THEN api.text_array(p->'skills_wanted') ELSE skills_wanted END,
	    status = coalesce(p->>'status', status),
	    organization_id = v_org,
	    updated_at = now()
	WHERE id = c.id
	RETURNING * INTO c;
	RETURN api.ok(200, api.collaboration_json(c, v_me));
END;
$$;

-- Participants ---------------------------------------------------------------

-- Insiders see everyone; others the approved participants and their own
-- rows.  Sorted by id; status filter.
CREATE FUNCTION api.collaboration_participants(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me		members := api.viewer(p_token);
	c		collaborations := api.co_visible((p_args->>'id')::bigint,
	    v_me);
	v_insider	boolean := api.co_is_insider(c, v_me);
	v_owner		boolean := api.co_is_owner(c, v_me);
	v_limit		integer := (p_query->>'limit')::integer;
	v_cur		jsonb := api.cursor_decode(p_query->>'cursor', 1);
	v_after		bigint;
	v_rows		jsonb;
	v_n		integer;
	v_next		text;
BEGIN
	IF v_cur IS NOT NULL THEN
		IF jsonb_typeof(v_cur->0) <> 'number' THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is not a cursor this list gave out', 'cursor');
		END IF;
		v_after := (v_cur->>0)::bigint;
	END IF;
	WITH page AS (
		SELECT p.* FROM collaboration_participants p
		WHERE p.collaboration_id = c.id
		  AND (p.status = 'approved' OR v_owner
		      OR p.member_id = v_me.id)
		  AND (NOT p_query ? 'status' OR p.status = p_query->>'status')
		  AND (v_after IS NULL OR p.id > v_after)
		ORDER BY p.id
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(api.participant_json(page, v_me, v_insider)
	    ORDER BY page.id), count(*)
	INTO v_rows, v_n FROM page;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_next := api.cursor_encode(jsonb_build_array(
		    (v_rows->(v_limit - 1)->>'id')::bigint));
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', v_next), NULL, v_next);
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

-- Updates --------------------------------------------------------------------

CREATE FUNCTION api.collaboration_updates(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	c	collaborations := api.co_visible((p_args->>'id')::bigint, v_me);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 1);
	v_after	bigint;
	v_rows	jsonb;
	v_n	integer;
	v_next	text;
BEGIN
	IF v_cur IS NOT NULL THEN
		IF jsonb_typeof(v_cur->0) <> 'number' THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is not a cursor this list gave out', 'cursor');
		END IF;
		v_after := (v_cur->>0)::bigint;
	END IF;
	WITH page AS (
		SELECT u.* FROM collaboration_updates u
		WHERE u.collaboration_id = c.id
		  AND (v_after IS NULL OR u.id < v_after)
		ORDER BY u.id DESC
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(api.update_json(page, v_me) ORDER BY page.id DESC),
	    count(*)
	INTO v_rows, v_n FROM page;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_next := api.cursor_encode(jsonb_build_array(
		    (v_rows->(v_limit - 1)->>'id')::bigint));
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', v_next), NULL, v_next);
END;
$$;

CREATE FUNCTION api.collaboration_update_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	c	collaborations := api.co_visible((p_args->>'id')::bigint, v_me);
	u	collaboration_updates;
BEGIN
	IF api.co_role(c.id, v_me.id) IS NULL AND v_me.role <> 'admin' THEN
		PERFORM api.fail(403, 'forbidden', 'only approved participants '
		    'and owners post updates');
	END IF;
	IF c.status = 'archived' THEN
		PERFORM api.fail(409, 'archived',
		    'an archived collaboration takes no updates');
	END IF;
	PERFORM api.co_require_text(p_body, 'body');
	INSERT INTO collaboration_updates (collaboration_id, author_id, body)
	VALUES (c.id, v_me.id, btrim(p_body->>'body'))
	RETURNING * INTO u;
	UPDATE collaborations SET updated_at = now() WHERE id = c.id;
	RETURN api.ok(201, api.update_json(u, v_me),
	    '/v1/collaborations/' || c.id || '/updates');
END;
$$;

-- Community activity ------------------------------------------------------------

CREATE TYPE api.activity_item AS (
	at		timestamptz,
	kind		text,
	id		bigint,
	subject_type	text,
	subject_id	bigint,
	title		text,
	text		text,
	organization_id	bigint,
	member_ids	bigint[]
);

-- The p_n newest items older than (p_at, p_kind, p_id) in the feed's
-- order (at DESC, kind DESC, id DESC); p_at 'infinity' for the first
-- page.  Public facts only, one branch per kind: no participations, no
-- hidden events or collaborations (nor the updates of hidden ones), no
-- cancelled events, mentorships (0006) only when completed and both
-- sides agreed to share; member ids only, named by the reader's rules in
-- api.activity_json.
--
-- Index-friendly: each branch reads its own index on (at, id) under the
-- same predicate backwards from the cursor and stops after p_n rows
-- (kind is a constant per branch, so a branch's order is (at, id)); only
-- the at most 6 x p_n rows read are sorted.  A later migration adds a
-- kind by replacing this function with one more branch.
CREATE FUNCTION api.activity_items(p_at timestamptz, p_kind text,
    p_id bigint, p_n integer)
RETURNS SETOF api.activity_item LANGUAGE sql STABLE AS $$
	SELECT * FROM (
	(SELECT e.created_at, 'event_created', e.id, 'event', e.id, e.title,
	    e.description, e.organization_id, ARRAY[e.created_by]
	 FROM events e
	 WHERE e.hidden_at IS NULL AND e.status = 'scheduled'
	   AND e.created_at <= p_at AND (e.created_at < p_at
	       OR ('event_created', e.id) < (p_kind, p_id))
	 ORDER BY e.created_at DESC, e.id DESC LIMIT p_n)
	UNION ALL
	(SELECT e.recap_at, 'event_recap', e.id, 'event', e.id, e.title,
	    e.recap, e.organization_id, ARRAY[e.created_by]
	 FROM events e
	 WHERE e.hidden_at IS NULL AND e.recap_at IS NOT NULL
	   AND e.recap_at <= p_at AND (e.recap_at < p_at
	       OR ('event_recap', e.id) < (p_kind, p_id))
	 ORDER BY e.recap_at DESC, e.id DESC LIMIT p_n)
	UNION ALL
	(SELECT c.created_at, 'collaboration_created', c.id, 'collaboration',
	    c.id, c.title, c.summary, c.organization_id, ARRAY[c.created_by]
	 FROM collaborations c
	 WHERE c.hidden_at IS NULL
	   AND c.created_at <= p_at AND (c.created_at < p_at
	       OR ('collaboration_created', c.id) < (p_kind, p_id))
	 ORDER BY c.created_at DESC, c.id DESC LIMIT p_n)
	UNION ALL
	(SELECT c.completed_at, 'collaboration_completed', c.id,
	    'collaboration', c.id, c.title, c.summary, c.organization_id,
	    ARRAY[c.created_by]
	 FROM collaborations c
	 WHERE c.hidden_at IS NULL AND c.completed_at IS NOT NULL
	   AND c.completed_at <= p_at AND (c.completed_at < p_at
	       OR ('collaboration_completed', c.id) < (p_kind, p_id))
	 ORDER BY c.completed_at DESC, c.id DESC LIMIT p_n)
	UNION ALL
	(SELECT u.created_at, 'collaboration_update', u.id, 'collaboration',
	    c.id, c.title, u.body, c.organization_id, ARRAY[u.author_id]
	 FROM collaboration_updates u
	 JOIN collaborations c ON c.id = u.collaboration_id
	 WHERE c.hidden_at IS NULL
	   AND u.created_at <= p_at AND (u.created_at < p_at
	       OR ('collaboration_update', u.id) < (p_kind, p_id))
	 ORDER BY u.created_at DESC, u.id DESC LIMIT p_n)
	UNION ALL
	(SELECT m.ended_at, 'mentorship_completed', m.id, 'mentorship', m.id,
	    m.topic, NULL, NULL, ARRAY[m.mentor_id, m.mentee_id]
	 FROM mentorships m
	 WHERE m.status = 'completed' AND m.mentor_shares AND m.mentee_shares
	   AND m.ended_at <= p_at AND (m.ended_at < p_at
	       OR ('mentorship_completed', m.id) < (p_kind, p_id))
	 ORDER BY m.ended_at DESC, m.id DESC LIMIT p_n)
	) a
	ORDER BY 1 DESC, 2 DESC, 3 DESC
	LIMIT p_n;
$$;

CREATE FUNCTION api.activity_json(a api.activity_item, p_viewer members)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'id', a.kind || ':' || a.id, 'kind', a.kind, 'at', api.ts(a.at),
	    'subject', jsonb_build_object('type', a.subject_type,
	        'id', a.subject_id),
	    'title', a.title, 'text', a.text,
	    'organization', api.org_ref(a.organization_id),
	    'members', coalesce((SELECT jsonb_agg(r ORDER BY o)
	        FROM unnest(a.member_ids) WITH ORDINALITY AS x(mid, o),
	            LATERAL api.co_member_ref(x.mid, p_viewer) r
	        WHERE r IS NOT NULL), '[]'));
$$;

-- One page, newest first.  The cursor is (at to the microsecond, kind,
-- id) of the last item.
CREATE FUNCTION api.activity_page(p_viewer members, p_limit integer,
    p_cursor text, OUT rows jsonb, OUT next_cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_cur	jsonb := api.cursor_decode(p_cursor, 3);
	v_at	timestamptz := 'infinity';
	v_kind	text := '';
	v_id	bigint := 0;
	v_n	integer;
	v_last	jsonb;
BEGIN
	IF v_cur IS NOT NULL THEN
		BEGIN
			v_at := (v_cur->>0)::timestamptz;
			v_kind := v_cur->>1;
			v_id := (v_cur->>2)::bigint;
		EXCEPTION WHEN data_exception THEN
			v_at := NULL;
		END;
		IF v_at IS NULL OR v_kind IS NULL OR v_id IS NULL
		    OR NOT isfinite(v_at) THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is not a cursor this list gave out', 'cursor');
		END IF;
	END IF;
	SELECT jsonb_agg(api.activity_json(ROW(a.at, a.kind, a.id,
	        a.subject_type, a.subject_id, a.title, a.text, a.organization_id,
	        a.member_ids)::api.activity_item, p_viewer) ORDER BY o),
	    count(*),
	    (array_agg(jsonb_build_array(to_char(a.at AT TIME ZONE 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.kind, a.id)
	        ORDER BY o))[p_limit]
	INTO rows, v_n, v_last
	FROM api.activity_items(v_at, v_kind, v_id, p_limit + 1)
	    WITH ORDINALITY AS a(at, kind, id, subject_type, subject_id, title,
	        text, organization_id, member_ids, o);
	rows := coalesce(rows, '[]');
	IF v_n > p_limit THEN
		rows := rows - p_limit;
		next_cursor := api.cursor_encode(v_last);
	END IF;
END;
$$;

CREATE FUNCTION api.activity_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_page	record;
BEGIN
	SELECT * INTO v_page FROM api.activity_page(v_me,
	    (p_query->>'limit')::integer, p_query->>'cursor');
	RETURN api.ok(200, jsonb_build_object('data', v_page.rows,
	    'next_cursor', v_page.next_cursor), NULL, v_page.next_cursor);
END;
$$;

-- Text safe for XML 1.0: the control characters it forbids removed
-- (xmlelement escapes &, < and > itself).
CREATE FUNCTION api.xml_text(p text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT regexp_replace(p, E'[\\x01-\\x08\\x0B\\x0C\\x0E-\\x1F\\uFFFE\\uFFFF]',
	    '', 'g');
$$;

CREATE FUNCTION api.rss_date(p timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT to_char(p AT TIME ZONE 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS') ||
	    ' +0000';
$$;

-- RSS 2.0 of the latest 50 items as an anonymous reader sees them.  The
-- document is returned as a JSON string (the API sends its text with
-- Content-Type application/rss+xml); p_web and p_api are PUBLIC_WEB_URL
-- and PUBLIC_API_URL.
CREATE FUNCTION api.activity_rss(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet, p_web text, p_api text)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_anon	members;
	v_items	xml;
	v_last	timestamptz;
	v_doc	xml;
BEGIN
	WITH page AS (
		SELECT * FROM api.activity_items('infinity', '', 0, 50)
	)
	SELECT xmlagg(xmlelement(name item,
	        xmlelement(name title, api.xml_text(
	            CASE page.kind
	            WHEN 'event_created' THEN 'New event: '
	            WHEN 'event_recap' THEN 'Recap: '
	            WHEN 'collaboration_created' THEN 'New collaboration: '
	            WHEN 'collaboration_completed' THEN 'Completed: '
	            WHEN 'collaboration_update' THEN 'Update: '
	            WHEN 'mentorship_completed' THEN 'Mentorship completed: '
	            ELSE '' END || page.title)),
	        xmlelement(name link, p_web || '/#/' ||
	            CASE page.subject_type
	            WHEN 'event' THEN 'events/' || page.subject_id
	            WHEN 'collaboration' THEN 'collaborations/' ||
	                page.subject_id
	            ELSE 'activity' END),
	        xmlelement(name description,
	            api.xml_text(left(coalesce(page.text, ''), 2000))),
	        xmlelement(name category, page.kind),
	        xmlelement(name guid, xmlattributes('false' AS "isPermaLink"),
	            'interlibrary:activity:' || page.kind || ':' || page.id),
	        xmlelement(name "pubDate", api.rss_date(page.at)))
	    ORDER BY page.at DESC, page.kind DESC, page.id DESC),
	    max(page.at)
	INTO v_items, v_last FROM page;
	v_doc := xmlelement(name rss, xmlattributes('2.0' AS version,
	        'http://www.w3.org/2005/Atom' AS "xmlns:atom"),
	    xmlelement(name channel,
	        xmlelement(name title, 'Interlibrary: community activity'),
	        xmlelement(name link, p_web || '/'),
	        xmlelement(name description, 'New events, event recaps, '
	            'collaborations and their progress, and completed '
	            'mentorships in the Interlibrary community.'),
	        xmlelement(name language, 'en'),
	        xmlelement(name "atom:link", xmlattributes(
	            p_api || '/v1/activity.rss' AS href, 'self' AS rel,
	            'application/rss+xml' AS type)),
	        xmlelement(name "lastBuildDate",
	            api.rss_date(coalesce(v_last, 'epoch'::timestamptz))),
	        v_items));
	RETURN api.ok(200, to_jsonb('<?xml version="1.0" encoding="UTF-8"?>'
	    || E'\n' || v_doc::text || E'\n'));
END;
$$;

-- Reports --------------------------------------------------------------------

CREATE FUNCTION api.report_json(r reports)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', r.id,
	    'subject', jsonb_build_object('type', r.subject_type,
	        'id', r.subject_id),
	    'reason', r.reason, 'status', r.status,
	    'reporter', api.member_ref(r.reporter_id),
	    'subject_hidden', r.subject_hidden,
	    'resolved_by', api.member_ref(r.resolved_by),
	    'resolved_at', api.ts(r.resolved_at),
	    'created_at', api.ts(r.created_at));
$$;

-- Any member reports what they can see: 404 otherwise.
CREATE FUNCTION api.report_create(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.auth(p_token, true);
	v_type	text := p_body->>'subject_type';
	v_id	bigint := (p_body->>'subject_id')::bigint;
	v_seen	boolean;
	r	reports;
BEGIN
	CASE v_type
	WHEN 'member' THEN
		v_seen := EXISTS (SELECT 1 FROM members
		    WHERE id = v_id AND id <> v_me.id);
	WHEN 'event' THEN
		v_seen := EXISTS (SELECT 1 FROM events e WHERE e.id = v_id
		    AND (e.hidden_at IS NULL OR api.event_can_manage(e, v_me)));
	WHEN 'collaboration' THEN
		v_seen := EXISTS (SELECT 1 FROM collaborations c
		    WHERE c.id = v_id AND (c.hidden_at IS NULL
		        OR api.co_is_insider(c, v_me)));
	WHEN 'invitation' THEN
		v_seen := EXISTS (SELECT 1 FROM invitations
		    WHERE id = v_id AND recipient_id = v_me.id);
	END CASE;
	IF NOT coalesce(v_seen, false) THEN
		PERFORM api.fail(404, 'not_found', 'there is no ' || v_type ||
		    ' ' || v_id || ' you can report', 'subject_id');
	END IF;
	PERFORM api.co_require_text(p_body, 'reason');
	BEGIN
		INSERT INTO reports (reporter_id, subject_type, subject_id, reason)
		VALUES (v_me.id, v_type, v_id, btrim(p_body->>'reason'))
		RETURNING * INTO r;
	EXCEPTION WHEN unique_violation THEN
		PERFORM api.fail(409, 'already_reported', 'you already reported '
		    'this ' || v_type || '; a site admin will review it');
	END;
	RETURN api.ok(201, api.report_json(r), '/v1/reports/' || r.id);
END;
$$;

CREATE FUNCTION api.reports_list(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.require_admin(p_token, false);
	v_limit	integer := (p_query->>'limit')::integer;
	v_cur	jsonb := api.cursor_decode(p_query->>'cursor', 1);
	v_after	bigint;
	v_rows	jsonb;
	v_n	integer;
	v_next	text;
BEGIN
	IF v_cur IS NOT NULL THEN
		IF jsonb_typeof(v_cur->0) <> 'number' THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is not a cursor this list gave out', 'cursor');
		END IF;
		v_after := (v_cur->>0)::bigint;
	END IF;
	WITH page AS (
		SELECT r.* FROM reports r
		WHERE (NOT p_query ? 'status' OR r.status = p_query->>'status')
		  AND (NOT p_query ? 'subject_type'
		      OR r.subject_type = p_query->>'subject_type')
		  AND (v_after IS NULL OR r.id < v_after)
		ORDER BY r.id DESC
		LIMIT v_limit + 1
	)
	SELECT jsonb_agg(api.report_json(page) ORDER BY page.id DESC), count(*)
	INTO v_rows, v_n FROM page;
	IF v_n > v_limit THEN
		v_rows := v_rows - v_limit;
		v_next := api.cursor_encode(jsonb_build_array(
		    (v_rows->(v_limit - 1)->>'id')::bigint));
	END IF;
	RETURN api.ok(200, jsonb_build_object('data', coalesce(v_rows, '[]'),
	    'next_cursor', v_next), NULL, v_next);
END;
$$;

-- {status: resolved, hide_subject?}.  Hiding sets hidden_at on an event
-- or a collaboration; resolving a report of an invitation also resolves
-- the invitation's spam report (0004), which may let its sender invite
-- again.
CREATE FUNCTION api.report_patch(p_token bytea, p_args jsonb,
    p_query jsonb, p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.require_admin(p_token, true);
	r	reports;
	v_hide	boolean := coalesce((p_body->>'hide_subject')::boolean, false);
BEGIN
	SELECT * INTO r FROM reports WHERE id = (p_args->>'id')::bigint
	FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM api.fail(404, 'not_found', 'no such report');
	END IF;
	IF p_body->>'status' IS NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'is required: "resolved"', 'status');
	END IF;
	IF r.status = 'resolved' THEN
		PERFORM api.fail(409, 'conflict', 'this report is already resolved');
	END IF;
	IF v_hide AND r.subject_type NOT IN ('event', 'collaboration') THEN
		PERFORM api.fail(400, 'validation_failed', 'only events and '
		    'collaborations can be hidden (suspend a member with POST '
		    '/v1/members/{id}/suspend)', 'hide_subject');
	END IF;
	IF v_hide AND r.subject_type = 'event' THEN
		UPDATE events SET hidden_at = coalesce(hidden_at, now())
		WHERE id = r.subject_id;
	ELSIF v_hide THEN
		UPDATE collaborations SET hidden_at = coalesce(hidden_at, now())
		WHERE id = r.subject_id;
	END IF;
	IF r.subject_type = 'invitation' THEN
		UPDATE invitations SET spam_resolved_at = now()
		WHERE id = r.subject_id AND status = 'reported_spam'
		  AND spam_resolved_at IS NULL;
	END IF;
	UPDATE reports SET status = 'resolved', resolved_at = now(),
	    resolved_by = v_me.id, subject_hidden = v_hide
	WHERE id = r.id
	RETURNING * INTO r;
	RETURN api.ok(200, api.report_json(r));
END;
$$;

-- Hidden events (events.hidden_at, 0004): the list shows them to their
-- organizers only; here event_get, feed_events and feed_event are wrapped
-- so they disappear from GET and the public feeds too.

ALTER FUNCTION api.event_get(bytea, jsonb, jsonb, jsonb, inet)
    RENAME TO event_get_before_0007;

CREATE FUNCTION api.event_get(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	e	events := api.event_find((p_args->>'id')::bigint);
BEGIN
	IF e.hidden_at IS NOT NULL AND NOT api.event_can_manage(e, v_me) THEN
		PERFORM api.fail(404, 'not_found', 'no such event');
	END IF;
	RETURN api.event_get_before_0007(p_token, p_args, p_query, p_body,
	    p_client);
END;
$$;

-- The public event feeds (0005) leave hidden events out too: wrapped.
ALTER FUNCTION api.feed_events(jsonb, jsonb) RENAME TO feed_events_before_0007;

CREATE FUNCTION api.feed_events(p_args jsonb, p_query jsonb)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT f || jsonb_build_object('events', coalesce((SELECT jsonb_agg(x
	    ORDER BY o)
	    FROM jsonb_array_elements(f->'events') WITH ORDINALITY AS t(x, o)
	    WHERE NOT EXISTS (SELECT 1 FROM events e
	        WHERE e.id = (x->>'id')::bigint AND e.hidden_at IS NOT NULL)),
	    '[]'))
	FROM api.feed_events_before_0007(p_args, p_query) AS f;
$$;

ALTER FUNCTION api.feed_event(bigint) RENAME TO feed_event_before_0007;

CREATE FUNCTION api.feed_event(p_id bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF (api.event_find(p_id)).hidden_at IS NOT NULL THEN
		PERFORM api.fail(404, 'not_found', 'no such event');
	END IF;
	RETURN api.feed_event_before_0007(p_id);
END;
$$;

-- Hooks of earlier migrations, wrapped (others may wrap them too) ---------------

ALTER FUNCTION api.org_in_use(bigint) RENAME TO org_in_use_before_0007;

CREATE FUNCTION api.org_in_use(p_org bigint)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN coalesce(api.org_in_use_before_0007(p_org),
	    CASE WHEN EXISTS (SELECT 1 FROM collaborations
	        WHERE organization_id = p_org)
	      OR EXISTS (SELECT 1 FROM collaboration_participants
	        WHERE organization_id = p_org)
	    THEN 'collaborations' END);
END;
$$;

ALTER FUNCTION api.account_blockers(bigint)
    RENAME TO account_blockers_before_0007;

CREATE FUNCTION api.account_blockers(p_member bigint)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_last	text;
BEGIN
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
	RETURN coalesce(api.account_blockers_before_0007(p_member),
	    'you are the last owner of the collaboration' ||
	    CASE WHEN v_last LIKE '%", "%' THEN 's ' ELSE ' ' END || v_last ||
	    ': make someone else an owner first');
END;
$$;

ALTER FUNCTION api.export_extra(bigint) RENAME TO export_extra_before_0007;

CREATE FUNCTION api.export_extra(p_member bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT api.export_extra_before_0007(p_member) || jsonb_build_object(
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
