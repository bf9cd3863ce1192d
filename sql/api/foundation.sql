-- The API schema: the calling convention and the helpers every resource
-- file uses.  scripts/migrate.sh installs this file first, then the other
-- files of sql/api/ in name order, all in one transaction after dropping
-- schema api, so every function here is defined exactly once.
--
-- Every endpoint is one call of a function in schema "api":
--   api.<name>(token_hash bytea, args jsonb, query jsonb, body jsonb,
--              client inet) RETURNS api.reply
-- where args are the path parameters (and "if_match", the request's
-- If-Match header as sent, when there is one: the precondition is about
-- the resource the path names), query the validated query string and
-- body the validated request body (the C side checked types and lengths;
-- these functions check meaning, authorization and invariants).
--
-- Writes that honour If-Match compare it with the version of what they
-- can change (api.if_match, 412 precondition_failed) after locking the
-- row, and answer with that version as their ETag (api.ok_version).
--
-- Errors that must roll the transaction back are raised with api.fail():
-- SQLSTATE 'IL' || status, MESSAGE = detail, HINT = code, COLUMN = field,
-- DETAIL = Retry-After seconds.  Errors whose effects must be kept (a
-- counted failed login) are returned as rows made by api.problem().
--
-- Lists are keyset-paged: the query reads api.page_size() rows (the
-- limit and one more) with their sort keys, and api.page() makes the
-- reply (data, next_cursor).  Cursors are read back with
-- api.cursor_decode(), which checks the type of every key and that the
-- cursor was given out by the same list with the same filters: every
-- list names itself to both (its name, and the ids of the path or the
-- member that pick one list of its kind, like 'org_members:7').
--
-- Filters are written once, in static SQL, as
--   (NOT p_query ? 'city' OR lower(m.city) = lower(p_query->>'city'))
-- and list functions with filters are declared SET plan_cache_mode =
-- force_custom_plan: each call is planned with its own values, so absent
-- filters fold away and a present filter uses its index (a cached
-- generic plan could do neither).
--
-- A helper called from a query is LANGUAGE sql only when PostgreSQL can
-- inline it: one SELECT of expressions, with no FROM and no subquery
-- (and an argument used twice must be cheap).  Any other helper is
-- PL/pgSQL: PostgreSQL 15 parses and plans a SQL function it does not
-- inline again on every execution of the statement that calls it (about
-- 0.1-0.2 ms each time, measured), where PL/pgSQL keeps its plans for the
-- session.  And such a SQL helper is STABLE, not IMMUTABLE, even when
-- its result depends on its arguments alone: PostgreSQL runs an
-- IMMUTABLE function whose arguments are constants (every argument, in a
-- statement planned with its values: force_custom_plan) while it plans,
-- as a SQL function, parsed and planned, instead of inlining it.
-- pg_stat_user_functions with track_functions = 'all' lists the SQL
-- functions a call did not inline.

-- data: a page of a list, the JSON array of its rows as the database
-- serialized it (api.page); the API adds it to body, the page's envelope
-- (next_cursor and what else the list says), as the member "data".
-- NULL for everything that is not a list.
-- etag: the ETag of a write's answer ('"v7"', api.version_tag), NULL for
-- everything else (a GET's ETag is the API's hash of the body).
CREATE TYPE api.reply AS (
	status		integer,
	body		jsonb,
	location	text,
	next_cursor	text,
	retry_after	integer,
	data		text,
	etag		text
);

CREATE FUNCTION api.fail(p_status integer, p_code text, p_detail text,
    p_field text DEFAULT NULL, p_retry integer DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING
	    ERRCODE = 'IL' || p_status::text,
	    MESSAGE = p_detail,
	    HINT = p_code,
	    COLUMN = coalesce(p_field, ''),
	    DETAIL = coalesce(p_retry::text, '');
END;
$$;

CREATE FUNCTION api.ok(p_status integer, p_body jsonb,
    p_location text DEFAULT NULL, p_next_cursor text DEFAULT NULL)
RETURNS api.reply LANGUAGE sql IMMUTABLE AS $$
	SELECT ROW(p_status, p_body, p_location, p_next_cursor, NULL,
	    NULL, NULL)::api.reply;
$$;

CREATE FUNCTION api.problem(p_status integer, p_code text, p_detail text,
    p_retry integer DEFAULT NULL)
RETURNS api.reply LANGUAGE sql IMMUTABLE AS $$
	SELECT ROW(p_status, jsonb_build_object(
	    'type', 'https://interlibrary.example/problems/' || p_code,
	    'title', CASE p_status WHEN 401 THEN 'Unauthorized'
	        WHEN 403 THEN 'Forbidden' WHEN 404 THEN 'Not Found'
	        WHEN 409 THEN 'Conflict' WHEN 429 THEN 'Too Many Requests'
	        ELSE 'Error' END,
	    'status', p_status, 'detail', p_detail, 'code', p_code,
	    'errors', '[]'::jsonb), NULL, NULL, p_retry, NULL, NULL)::api.reply;
$$;

-- Versions and If-Match ---------------------------------------------------

-- The entity tag of version p_version of a resource's editable state.
CREATE FUNCTION api.version_tag(p_version bigint)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT '"v' || p_version || '"';
$$;

-- The precondition of a write: nothing when the request has no If-Match
-- (p_args->>'if_match'); otherwise 412 precondition_failed unless one of
-- its entity tags is the current version's (strong comparison, RFC 9110:
-- a weak tag W/"..." never matches) or it is "*" (the resource exists,
-- which the caller has checked).  Call it with the row locked, so that
-- the version cannot change before the write.
CREATE FUNCTION api.if_match(p_args jsonb, p_version bigint)
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v_tag	text := api.version_tag(p_version);
BEGIN
	IF NOT p_args ? 'if_match' THEN
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM regexp_split_to_table(p_args->>'if_match',
	    '\s*,\s*') AS t(x) WHERE btrim(x) IN ('*', v_tag)) THEN
		RETURN;
	END IF;
	PERFORM api.fail(412, 'precondition_failed', 'this was changed '
	    'since you read it (If-Match: ' || left(p_args->>'if_match', 100)
	    || ', current version: ' || v_tag || '): read it again, then '
	    'make your change');
END;
$$;

-- api.ok() for a write that honours If-Match: its answer carries the
-- version the write left, as ETag.
CREATE FUNCTION api.ok_version(p_status integer, p_body jsonb,
    p_version bigint)
RETURNS api.reply LANGUAGE sql IMMUTABLE AS $$
	SELECT ROW(p_status, p_body, NULL, NULL, NULL, NULL,
	    api.version_tag(p_version))::api.reply;
$$;

-- Paging ----------------------------------------------------------------------

-- Keyset cursors: an opaque base64url text of a JSON array: the stamp of
-- the list and filters that gave it out (api.cursor_stamp), then the sort
-- key values of the last row returned.

-- What binds a cursor to its list: a short digest of the list's name
-- p_list and of its query p_query but the cursor and the limit (a page
-- may be of another size).  jsonb's text is canonical (keys in one
-- order), so the same filters give the same stamp however they were
-- written in the query string.
--
-- STABLE, as convert_to() and jsonb_build_array() are: PostgreSQL
-- inlines a SQL function only when its body is no more volatile than it
-- is declared, and one it does not inline (declared IMMUTABLE here) is
-- parsed and planned again at each first call in a statement, which cost
-- more than a whole page of rows.  Inlined, this and api.cursor_encode
-- are plain expressions of their caller's cached plan.
CREATE FUNCTION api.cursor_stamp(p_list text, p_query jsonb)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT left(encode(sha256(convert_to(p_list || ' ' ||
	    (p_query - 'cursor' - 'limit')::text, 'UTF8')), 'hex'), 16);
$$;

CREATE FUNCTION api.cursor_encode(p_list text, p_query jsonb, p_key jsonb)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT rtrim(translate(encode(convert_to((jsonb_build_array(
	    api.cursor_stamp(p_list, p_query)) || p_key)::text, 'UTF8'),
	    'base64'), E'+/\n', '-_'), '=');
$$;

-- The key array of the cursor of list p_list's query p_query (NULL when
-- it has none), each element checked against its type in p_types:
-- 'bigint', 'integer', 'numeric' (JSON numbers), 'text' (a string),
-- 'boolean', 'timestamptz' or 'date' (strings of a finite value).
-- Anything else, a cursor that does not decode, or one another list or
-- other filters gave out, is 400 naming "cursor": a caller may cast the
-- elements freely.
CREATE FUNCTION api.cursor_decode(p_list text, p_query jsonb,
    p_types text[])
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v_b64	text := translate(p_query->>'cursor', '-_', '+/');
	v_all	jsonb;
	v_key	jsonb;
	v_ok	boolean := true;
	e	jsonb;
	i	integer;
BEGIN
	IF v_b64 IS NULL THEN
		RETURN NULL;
	END IF;
	BEGIN
		v_b64 := v_b64 || repeat('=', (4 - length(v_b64) % 4) % 4);
		v_all := convert_from(decode(v_b64, 'base64'), 'UTF8')::jsonb;
		v_ok := jsonb_typeof(v_all) = 'array' AND
		    jsonb_array_length(v_all) = cardinality(p_types) + 1 AND
		    jsonb_typeof(v_all->0) = 'string';
		v_key := v_all - 0;
		FOR i IN 1 .. cardinality(p_types) LOOP
			EXIT WHEN NOT v_ok;
			e := v_key->(i - 1);
			v_ok := CASE p_types[i]
			    WHEN 'bigint' THEN jsonb_typeof(e) = 'number'
			        AND (e #>> '{}')::bigint IS NOT NULL
			    WHEN 'integer' THEN jsonb_typeof(e) = 'number'
			        AND (e #>> '{}')::integer IS NOT NULL
			    WHEN 'numeric' THEN jsonb_typeof(e) = 'number'
			    WHEN 'text' THEN jsonb_typeof(e) = 'string'
			    WHEN 'boolean' THEN jsonb_typeof(e) = 'boolean'
			    WHEN 'timestamptz' THEN jsonb_typeof(e) = 'string'
			        AND isfinite((e #>> '{}')::timestamptz)
			    WHEN 'date' THEN jsonb_typeof(e) = 'string'
			        AND isfinite((e #>> '{}')::date)
			    END;
		END LOOP;
	EXCEPTION WHEN OTHERS THEN
		v_ok := false;
	END;
	IF NOT coalesce(v_ok, false) THEN
		PERFORM api.fail(400, 'validation_failed',
		    'is not a cursor this list gave out', 'cursor');
	END IF;
	IF v_all->>0 <> api.cursor_stamp(p_list, p_query) THEN
		PERFORM api.fail(400, 'validation_failed', 'was given out by '
		    'another list or with other filters: use it with the '
		    'same list and filters (the limit may change), or start '
		    'again without it', 'cursor');
	END IF;
	RETURN v_key;
END;
$$;

-- How many rows a list reads for one page of its query p_query: the
-- page ("limit", which the API always sets) and one more, which tells
-- whether there is a next page.
CREATE FUNCTION api.page_size(p_query jsonb)
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT (p_query->>'limit')::integer + 1;
$$;

-- The reply of one page of list p_list (as named to api.cursor_decode)
-- with query p_query: p_rows are the rows read (at most
-- api.page_size(p_query)) in order, p_next the sort key of row number
-- "limit" of them (the last row kept when there is a next page; NULL
-- when there are fewer rows).  A row beyond the limit only says that
-- there is a next page: it is left out, and p_next becomes next_cursor,
-- stamped with the list and its filters.  The rows go out as data, the
-- JSON array of their texts (see api.reply), so a page is never rebuilt
-- as one big jsonb document, and rows a list keeps as text
-- (api.event_view's body) are never parsed.  A list whose keys cost
-- something to make gives this the one it needs (api.events_list);
-- others give all their keys to api.page().
CREATE FUNCTION api.page_next(p_list text, p_rows text[], p_next jsonb,
    p_query jsonb)
RETURNS api.reply LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v_limit	integer := (p_query->>'limit')::integer;
	v_next	text;
BEGIN
	IF cardinality(p_rows) > v_limit THEN
		v_next := api.cursor_encode(p_list, p_query, p_next);
	END IF;
	RETURN ROW(200, jsonb_build_object('next_cursor', v_next), NULL, v_next,
	    NULL, '[' || coalesce(array_to_string(p_rows[1:v_limit], ', '), '')
	    || ']',
	    NULL)::api.reply;
END;
$$;

-- The same, with p_keys the sort keys of p_rows.  Inlined: no more
-- costly than api.page_next.
CREATE FUNCTION api.page(p_list text, p_rows text[], p_keys jsonb[],
    p_query jsonb)
RETURNS api.reply LANGUAGE sql IMMUTABLE AS $$
	SELECT api.page_next(p_list, p_rows,
	    p_keys[(p_query->>'limit')::integer], p_query);
$$;

-- The same, with rows as jsonb: each goes out as its text, which is what
-- json_agg() would write for it.
CREATE FUNCTION api.page(p_list text, p_rows jsonb[], p_keys jsonb[],
    p_query jsonb)
RETURNS api.reply LANGUAGE sql IMMUTABLE AS $$
	SELECT api.page(p_list, p_rows::text[], p_keys, p_query);
$$;

-- Values ----------------------------------------------------------------------

-- Trims a text value; empty becomes NULL.
CREATE FUNCTION api.clean(p text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT nullif(btrim(p), '');
$$;

-- A JSON array of strings as text[], trimmed, without duplicates or
-- empty items, order kept.
CREATE FUNCTION api.text_array(p jsonb)
RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(array_agg(v ORDER BY first), '{}')
	FROM (SELECT btrim(x) AS v, min(o) AS first
	      FROM jsonb_array_elements_text(coalesce(p, '[]')) WITH ORDINALITY
	          AS t(x, o)
	      WHERE btrim(x) <> ''
	      GROUP BY btrim(x)) s;
$$;

-- RFC 3339 in UTC with a Z, the one format every *_at field uses.
CREATE FUNCTION api.ts(p timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT to_char(p AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
$$;

-- A timestamp parameter (already RFC 3339 shaped by the API) or 400
-- naming p_field (e.g. 2026-02-30).  Whole seconds.
CREATE FUNCTION api.time_arg(p text, p_field text)
RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p IS NULL THEN
		RETURN NULL;
	END IF;
	BEGIN
		RETURN date_trunc('second', p::timestamptz);
	EXCEPTION WHEN data_exception THEN
		PERFORM api.fail(400, 'validation_failed',
		    'is not a valid date-time', p_field);
	END;
	RETURN NULL;
END;
$$;

-- Words of q as a prefix tsquery ("story ti" -> 'story':* & 'ti':*);
-- only letters and digits survive, so the query text cannot inject
-- tsquery syntax.
CREATE FUNCTION api.prefix_query(p_q text)
RETURNS tsquery LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN (SELECT to_tsquery('simple',
	    string_agg(quote_literal(w) || ':*', ' & '))
	    FROM regexp_split_to_table(lower(p_q), '[^[:alnum:]]+') AS w
	    WHERE w <> '');
END;
$$;

-- The search of a list's "q" parameter (NULL when absent); 400 naming q
-- when it has no letter or digit to search for.
CREATE FUNCTION api.search_arg(p_query jsonb)
RETURNS tsquery LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v_tsq	tsquery := api.prefix_query(p_query->>'q');
BEGIN
	IF p_query ? 'q' AND v_tsq IS NULL THEN
		PERFORM api.fail(400, 'validation_failed',
		    'must contain a letter or digit', 'q');
	END IF;
	RETURN v_tsq;
END;
$$;

-- "a", "a and b", "a, b and c".  STABLE, as array_to_string is: declared
-- IMMUTABLE it could not be inlined and was planned again on every call.
CREATE FUNCTION api.words_and(p text[])
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN cardinality(p) <= 1 THEN p[1]
	    ELSE array_to_string(p[1:cardinality(p) - 1], ', ') || ' and ' ||
	        p[cardinality(p)] END;
$$;

-- Nearby ----------------------------------------------------------------------

-- Distances are those of the earthdistance module (sql/migrations/
-- 0040_nearby.sql): points are ll_to_earth(latitude, longitude), lists
-- "near" a point keep what is within "within_km" of it and order by the
-- cube distance <-> (a chord, ordered as the great-circle distance is),
-- then id.  Their cursors carry that chord and the id.
--
-- A near list opens a cursor on its rows (id, d: the chord) ordered by
-- the chord alone, with earth_box(point, radius) @> position as a
-- condition: the GiST index then reads the box's rows nearest first and
-- stops when asked (a plpgsql cursor is planned for its first rows).
-- PostgreSQL cannot add "then id" to that order without sorting the
-- whole box, so api.near_take() reads the page and every row as near as
-- its last one (ties), and the list sorts those few by (chord, id).

-- The point of a list's "near" parameter (NULL when absent): "lat,lon"
-- in degrees, "my_library" (the position of the caller's earliest
-- active affiliation that has one) or "my_home" (the caller's home
-- area); anything else, or a caller without one, is 400 naming near.
-- "within_km" without "near" is 400 naming within_km.
CREATE FUNCTION api.near_point(p_query jsonb, p_me members)
RETURNS earth LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_near	text := p_query->>'near';
	v_m	text[];
	v_lat	double precision;
	v_lon	double precision;
BEGIN
	IF v_near IS NULL THEN
		IF p_query ? 'within_km' THEN
			PERFORM api.fail(400, 'validation_failed',
			    'is only used with near', 'within_km');
		END IF;
		RETURN NULL;
	END IF;
	IF v_near = 'my_library' THEN
		SELECT o.latitude, o.longitude INTO v_lat, v_lon
		FROM memberships ms JOIN organizations o ON o.id = ms.organization_id
		WHERE ms.member_id = p_me.id AND ms.status = 'active'
		  AND o.latitude IS NOT NULL
		ORDER BY ms.created_at, o.id LIMIT 1;
		IF v_lat IS NULL THEN
			PERFORM api.fail(400, 'validation_failed', CASE WHEN
			    p_me.id IS NULL THEN 'my_library needs you signed in'
			    ELSE 'none of your organizations has a position: use '
			    'near=latitude,longitude' END, 'near');
		END IF;
	ELSIF v_near = 'my_home' THEN
		v_lat := p_me.home_latitude;
		v_lon := p_me.home_longitude;
		IF v_lat IS NULL THEN
			PERFORM api.fail(400, 'validation_failed', CASE WHEN
			    p_me.id IS NULL THEN 'my_home needs you signed in'
			    ELSE 'you have set no home area: use '
			    'near=latitude,longitude' END, 'near');
		END IF;
	ELSE
		v_m := regexp_match(v_near, '^\s*([-+]?[0-9]{1,3}(?:\.[0-9]{1,12})?)\s*,'
		    '\s*([-+]?[0-9]{1,3}(?:\.[0-9]{1,12})?)\s*$');
		v_lat := v_m[1]::double precision;
		v_lon := v_m[2]::double precision;
		IF v_m IS NULL OR v_lat NOT BETWEEN -90 AND 90
		    OR v_lon NOT BETWEEN -180 AND 180 THEN
			PERFORM api.fail(400, 'validation_failed', 'must be '
			    '"latitude,longitude" in degrees (-90..90, '
			    '-180..180), "my_library" or "my_home"', 'near');
		END IF;
	END IF;
	RETURN ll_to_earth(v_lat, v_lon);
END;
$$;

-- A body's latitude and longitude (fields p_klat and p_klon; the API
-- checked their ranges) must leave a position with both or neither,
-- given the current ones (NULL, NULL for a new row): else 400 naming the
-- one the body lacks (or the one it sets to null).
CREATE FUNCTION api.check_position(p jsonb, p_klat text, p_klon text,
    p_lat numeric, p_lon numeric)
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v_lat	boolean := CASE WHEN p ? p_klat
	    THEN jsonb_typeof(p->p_klat) = 'number' ELSE p_lat IS NOT NULL END;
	v_lon	boolean := CASE WHEN p ? p_klon
	    THEN jsonb_typeof(p->p_klon) = 'number' ELSE p_lon IS NOT NULL END;
BEGIN
	IF v_lat <> v_lon THEN
		PERFORM api.fail(400, 'validation_failed', p_klat || ' and ' ||
		    p_klon || ' go together: give both, or null for both',
		    CASE WHEN NOT p ? p_klon THEN p_klon
		        WHEN NOT p ? p_klat THEN p_klat
		        WHEN v_lat THEN p_klon ELSE p_klat END);
	END IF;
END;
$$;

-- The first rows of a near list from p_rows, an open cursor of (id, d)
-- in the order of d (the chord): at least p_size (when there are), and
-- every further row at the same d as the last one (so that sorting them
-- by (d, id) gives the true first p_size), none farther than p_radius
-- metres (great-circle, as earth_distance), where the read stops.
-- Closes p_rows.
CREATE FUNCTION api.near_take(p_rows refcursor, p_size integer,
    p_radius double precision, OUT ids bigint[], OUT chords double precision[])
LANGUAGE plpgsql AS $$
DECLARE
	r	record;
	v_last	double precision;
BEGIN
	ids := '{}';
	chords := '{}';
	LOOP
		FETCH p_rows INTO r;
		EXIT WHEN NOT FOUND OR sec_to_gc(r.d) > p_radius OR
		    (cardinality(ids) >= p_size AND r.d > v_last);
		ids := ids || r.id;
		chords := chords || r.d;
		v_last := r.d;
	END LOOP;
	CLOSE p_rows;
END;
$$;

-- The radius of a near list in metres: "within_km" (the API checked
-- 1..500), 50 km when absent.
CREATE FUNCTION api.near_radius(p_query jsonb)
RETURNS double precision LANGUAGE sql STABLE AS $$
	SELECT coalesce((p_query->>'within_km')::double precision, 50) * 1000;
$$;

-- A chord between two points (the <-> of their cubes) as the
-- great-circle distance in kilometres, to one decimal.
CREATE FUNCTION api.distance_km(p_chord double precision)
RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
	SELECT round((sec_to_gc(p_chord) / 1000)::numeric, 1);
$$;

-- What others are told of the distance to a member's home area: a band.
CREATE FUNCTION api.distance_band(p_chord double precision)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN sec_to_gc(p_chord) < 5000 THEN 'under_5_km'
	    WHEN sec_to_gc(p_chord) <= 20000 THEN '5_to_20_km'
	    ELSE 'over_20_km' END;
$$;

-- Settings and health ---------------------------------------------------------

-- Settings come from the API's connection options (PGOPTIONS, set from
-- its environment at start); p_default applies to psql sessions.
CREATE FUNCTION api.setting(p_name text, p_default integer)
RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT coalesce(nullif(current_setting('il.' || p_name, true), '')::integer,
	    p_default);
$$;

-- Readiness: proves a pooled connection can run a query, and says
-- whether mail goes out (api.mail_status, sql/api/outbox.sql).
CREATE FUNCTION api.ready()
RETURNS api.reply LANGUAGE plpgsql AS $$
BEGIN
	RETURN api.ok(200, jsonb_build_object('status', 'ready',
	    'database', 'ok', 'mail', api.mail_status()));
END;
$$;
