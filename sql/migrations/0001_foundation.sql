-- Foundation: the api schema's calling convention and shared helpers.
--
-- Every endpoint is one call of a function in schema "api":
--   api.<name>(token_hash bytea, args jsonb, query jsonb, body jsonb,
--              client inet) RETURNS api.reply
-- where args are the path parameters, query the validated query string
-- and body the validated request body (the C side checked types and
-- lengths; these functions check meaning, authorization and invariants).
--
-- Errors that must roll the transaction back are raised with api.fail():
-- SQLSTATE 'IL' || status, MESSAGE = detail, HINT = code, COLUMN = field,
-- DETAIL = Retry-After seconds.  Errors whose effects must be kept (a
-- counted failed login) are returned as rows made by api.problem().

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SCHEMA api;

CREATE TYPE api.reply AS (
	status		integer,
	body		jsonb,
	location	text,
	next_cursor	text,
	retry_after	integer
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
	SELECT ROW(p_status, p_body, p_location, p_next_cursor, NULL)::api.reply;
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
	    'errors', '[]'::jsonb), NULL, NULL, p_retry)::api.reply;
$$;

-- Keyset cursors: an opaque base64url text of a JSON array of the sort
-- key values of the last row returned.
CREATE FUNCTION api.cursor_encode(p_key jsonb)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT rtrim(translate(encode(convert_to(p_key::text, 'UTF8'),
	    'base64'), E'+/\n', '-_'), '=');
$$;

CREATE FUNCTION api.cursor_decode(p_cursor text, p_len integer)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v_b64	text;
	v_key	jsonb;
BEGIN
	IF p_cursor IS NULL THEN
		RETURN NULL;
	END IF;
	BEGIN
		v_b64 := translate(p_cursor, '-_', '+/');
		v_b64 := v_b64 || repeat('=', (4 - length(v_b64) % 4) % 4);
		v_key := convert_from(decode(v_b64, 'base64'), 'UTF8')::jsonb;
	EXCEPTION WHEN OTHERS THEN
		v_key := NULL;
	END;
	IF v_key IS NULL OR jsonb_typeof(v_key) <> 'array' OR
	    jsonb_array_length(v_key) <> p_len THEN
		PERFORM api.fail(400, 'validation_failed',
		    'is not a cursor this list gave out', 'cursor');
	END IF;
	RETURN v_key;
END;
$$;

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

-- Readiness: proves a pooled connection can run a query.
CREATE FUNCTION api.ready()
RETURNS api.reply LANGUAGE sql AS $$
	SELECT api.ok(200, jsonb_build_object('status', 'ready',
	    'database', 'ok'));
$$;
