-- Events: one event, and the list with its filters (shared with the
-- feeds, sql/api/feeds.sql).  Their JSON is sql/api/events.sql.

-- A hidden event (reports) is found by its organizers only.
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
	RETURN api.ok(200, api.event_json(e, v_me));
END;
$$;

-- The events of a list or a feed, in (starts_at, id) order: those that
-- have not ended by p_from (they start at or after it, or are under way
-- at it), start before p_to (when given), come after the keyset position
-- (p_after_ts, p_after_id) (when given), match the filters of p_query
-- (p_org and p_tsq stand for its organization and q, already resolved;
-- kind, city and tag are read from it), and are not hidden, unless
-- p_viewer manages them: at most p_limit.
--
-- Two branches, each ordered and limited on its own, so each reads one
-- index from p_from and stops after a page: events starting at or after
-- p_from (events_start_idx, or the filter's own index: events_org_idx,
-- events_kind_idx, events_city_idx, events_tags_idx, events_search_idx),
-- and events under way at p_from (events_ongoing_idx, the GiST index on
-- the [starts_at, ends_at] range, so the past is never scanned row by
-- row, whatever the number of events).  A SQL function PostgreSQL
-- inlines into its caller's statement: how that statement is planned
-- decides which indexes serve (see api.events_list).
--
-- Each row is the three columns a page needs, not the event: PostgreSQL
-- keeps every column of a UNION ALL, so whole rows (some thirty columns,
-- the search vector among them) were formed and copied through both
-- branches, the merge and the limit for each row, a sixth of a signed-in
-- page's time.  A caller that needs the event reads it by id.
CREATE FUNCTION api.event_rows(p_query jsonb, p_org bigint, p_tsq tsquery,
    p_viewer members, p_from timestamptz, p_to timestamptz,
    p_after_ts timestamptz, p_after_id bigint, p_limit integer)
RETURNS TABLE (id bigint, starts_at timestamptz, kind text)
LANGUAGE sql STABLE AS $$
	WITH f AS NOT MATERIALIZED (
		SELECT e.id, e.starts_at, e.ends_at, e.kind FROM events e
		WHERE (e.hidden_at IS NULL OR api.event_can_manage(e, p_viewer))
		  AND (p_to IS NULL OR e.starts_at < p_to)
		  AND (p_org IS NULL OR e.organization_id = p_org)
		  AND (NOT p_query ? 'kind' OR e.kind = p_query->>'kind')
		  AND (NOT p_query ? 'city' OR lower(e.city) = lower(p_query->>'city'))
		  AND (NOT p_query ? 'tag' OR e.tags @> ARRAY[lower(p_query->>'tag')])
		  AND (p_tsq IS NULL OR e.search @@ p_tsq)
		  AND (p_after_ts IS NULL OR (e.starts_at, e.id) >
		      (p_after_ts, p_after_id))
		  -- collapse=series: a series by its next occurrence, the
		  -- first of it that has not ended at p_from.  One that has
		  -- not ended started at most 31 days before p_from (the
		  -- events CHECK): so the earlier ones are read from
		  -- events_series_start_idx between those two starts only.
		  AND (p_query->>'collapse' IS DISTINCT FROM 'series'
		      OR e.series_id IS NULL OR NOT EXISTS (SELECT 1 FROM events o
		          WHERE o.series_id = e.series_id AND o.ends_at >= p_from
		            AND o.starts_at >= p_from - interval '31 days'
		            AND o.starts_at <= e.starts_at
		            AND (o.starts_at, o.id) < (e.starts_at, e.id)
		            AND (o.hidden_at IS NULL
		                OR api.event_can_manage(o, p_viewer))))
	)
	SELECT u.id, u.starts_at, u.kind FROM (
		(SELECT f.id, f.starts_at, f.kind FROM f
		 WHERE f.starts_at >= greatest(p_from, p_after_ts)
		 ORDER BY f.starts_at, f.id LIMIT p_limit)
		UNION ALL
		-- Under way at p_from and started before it (one that starts at
		-- p_from is the first branch's): written so that no plan reads
		-- events_start_idx for "started before", which is all the past.
		-- None comes after a keyset position at or after p_from (a
		-- page past the first): that test needs no row, so a plan makes
		-- it once and then does not search the index at all.
		(SELECT f.id, f.starts_at, f.kind FROM f
		 WHERE tstzrange(f.starts_at, f.ends_at, '[]') @> p_from
		   AND f.starts_at IS DISTINCT FROM p_from
		   AND (p_after_ts IS NULL OR p_after_ts < p_from))) u
	ORDER BY u.starts_at, u.id
	LIMIT p_limit;
$$;

-- The events of a list without filters, as api.event_rows gives them for
-- an empty query and no upper bound (the same rows in the same order),
-- read from the stored documents (event_docs_start_idx and
-- event_docs_ongoing_idx, sql/migrations/0120_event_docs_list.sql), each
-- with its document and text: a page reads no event row, and no
-- document by id.  A hidden event's own row is read only to ask whether
-- p_viewer manages it.
CREATE FUNCTION api.event_docs_rows(p_viewer members, p_from timestamptz,
    p_after_ts timestamptz, p_after_id bigint, p_limit integer)
RETURNS TABLE (id bigint, starts_at timestamptz, kind text, doc jsonb,
    body text)
LANGUAGE sql STABLE AS $$
	WITH f AS NOT MATERIALIZED (
		SELECT d.event_id, d.starts_at, d.ends_at, d.kind, d.doc, d.body
		FROM event_docs d
		WHERE (d.hidden_at IS NULL OR api.event_can_manage(
		      (SELECT e FROM events e WHERE e.id = d.event_id), p_viewer))
		  AND (p_after_ts IS NULL OR (d.starts_at, d.event_id) >
		      (p_after_ts, p_after_id))
	)
	SELECT u.event_id, u.starts_at, u.kind, u.doc, u.body FROM (
		(SELECT f.* FROM f
		 WHERE f.starts_at >= greatest(p_from, p_after_ts)
		 ORDER BY f.starts_at, f.event_id LIMIT p_limit)
		UNION ALL
		-- Under way at p_from (see api.event_rows).
		(SELECT f.* FROM f
		 WHERE tstzrange(f.starts_at, f.ends_at, '[]') @> p_from
		   AND f.starts_at IS DISTINCT FROM p_from
		   AND (p_after_ts IS NULL OR p_after_ts < p_from))) u
	ORDER BY u.starts_at, u.event_id
	LIMIT p_limit;
$$;

-- Whether a list's query p_query filters more than by time: kind, city,
-- tag, q, organization, to, collapse.
CREATE FUNCTION api.events_filtered(p_query jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT p_query ?| ARRAY['kind', 'city', 'tag', 'q', 'organization', 'to',
	    'collapse'];
$$;

-- One page of the list, as a statement planned with its own values: a
-- filter's index then serves (see api.events_list).
CREATE FUNCTION api.events_page_filtered(p_query jsonb, p_viewer members,
    p_from timestamptz, p_cur jsonb)
RETURNS api.reply LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_to	timestamptz := api.time_arg(p_query->>'to', 'to');
	v_tsq	tsquery := api.search_arg(p_query);
	v_org	bigint;
BEGIN
	IF v_to IS NOT NULL AND v_to <= p_from THEN
		PERFORM api.fail(400, 'validation_failed', 'must be after from '
		    '(which defaults to now)', 'to');
	END IF;
	IF p_query ? 'organization' THEN
		v_org := api.org_id(p_query->>'organization', 'organization');
	END IF;
	RETURN (SELECT api.page_next('events', array_agg(p.body),
	    api.event_key((array_agg(p.starts_at))[(p_query->>'limit')::integer],
	        (array_agg(p.id))[(p_query->>'limit')::integer]), p_query)
	FROM (SELECT v.body, e.starts_at, e.id
	    FROM api.event_rows(p_query, v_org, v_tsq, p_viewer, p_from, v_to,
	        (p_cur->>0)::timestamptz, (p_cur->>1)::bigint,
	        api.page_size(p_query)) e,
	        LATERAL api.event_view_of(e.id, e.kind, e.starts_at, p_viewer) v
	    ORDER BY e.starts_at, e.id) p);
END;
$$;

-- GET /v1/events?near=...: events within the radius of p_pt
-- (api.near_point) that have not ended at p_from and match the other
-- filters, nearest first, then by id, each with its distance_km.  The
-- rows come nearest first from events_position_idx, as few as the page
-- needs (api.near_take); the time and the filters are checked on the way.
CREATE FUNCTION api.events_near(p_query jsonb, p_viewer members,
    p_from timestamptz, p_pt earth)
RETURNS api.reply LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_cur	jsonb := api.cursor_decode('events', p_query, '{numeric,bigint}');
	v_r	double precision := api.near_radius(p_query);
	v_to	timestamptz := api.time_arg(p_query->>'to', 'to');
	v_tsq	tsquery := api.search_arg(p_query);
	v_org	bigint;
	v_rows	refcursor;
	v_ids	bigint[];
	v_ds	double precision[];
BEGIN
	IF v_to IS NOT NULL AND v_to <= p_from THEN
		PERFORM api.fail(400, 'validation_failed', 'must be after from '
		    '(which defaults to now)', 'to');
	END IF;
	IF p_query ? 'organization' THEN
		v_org := api.org_id(p_query->>'organization', 'organization');
	END IF;
	OPEN v_rows FOR
		SELECT e.id, ll_to_earth(e.latitude, e.longitude) <-> p_pt AS d
		FROM events e
		WHERE earth_box(p_pt, v_r) @> ll_to_earth(e.latitude, e.longitude)
		  AND e.ends_at >= p_from
		  AND (e.hidden_at IS NULL OR api.event_can_manage(e, p_viewer))
		  AND (v_to IS NULL OR e.starts_at < v_to)
		  AND (v_org IS NULL OR e.organization_id = v_org)
		  AND (NOT p_query ? 'kind' OR e.kind = p_query->>'kind')
		  AND (NOT p_query ? 'city' OR lower(e.city) = lower(p_query->>'city'))
		  AND (NOT p_query ? 'tag' OR e.tags @> ARRAY[lower(p_query->>'tag')])
		  AND (v_tsq IS NULL OR e.search @@ v_tsq)
		  AND (v_cur IS NULL OR (ll_to_earth(e.latitude, e.longitude) <->
		      p_pt, e.id) > ((v_cur->>0)::double precision,
		      (v_cur->>1)::bigint))
		ORDER BY ll_to_earth(e.latitude, e.longitude) <-> p_pt;
	SELECT t.ids, t.chords INTO v_ids, v_ds
	FROM api.near_take(v_rows, api.page_size(p_query), v_r) t;
	RETURN (WITH page AS (
		SELECT t.id, t.d FROM unnest(v_ids, v_ds) AS t(id, d)
		ORDER BY t.d, t.id
		LIMIT api.page_size(p_query)
	)
	SELECT api.page('events',
	    array_agg(v.doc || jsonb_build_object('distance_km',
	        api.distance_km(page.d)) ORDER BY page.d, page.id),
	    array_agg(jsonb_build_array(page.d, page.id)
	        ORDER BY page.d, page.id), p_query)
	FROM page, LATERAL api.event_view(page.id, p_viewer) v);
END;
$$;

-- GET /v1/events: from `from` (default now) on.  The cursor keeps
-- starts_at to the microsecond (rows written by SQL may have fractions),
-- as UTC text.
--
-- Planning costs more than running this list, so its common shape (no
-- filter but time and cursor) is one statement with a cached plan, whose
-- indexes (event_docs_start_idx and event_docs_ongoing_idx) need no
-- other value: api.event_docs_rows, which reads the rows with their
-- documents.  A filter is planned with its values
-- (api.events_page_filtered), over events (api.event_rows).
--
-- Both read a page the same way, for what each row costs: the rows come
-- already in list order (a LIMIT over a merge of two ordered branches),
-- which the subquery's ORDER BY keeps without a sort, so the aggregates
-- need no ORDER BY of their own (with one, each would sort the page
-- again, row texts and all); the view of each row (api.event_view_doc,
-- api.event_view_of) takes what was read with it instead of reading the
-- event again by id; and of the list keys only the one next_cursor
-- needs, that of row "limit", is made (api.page_next).
CREATE FUNCTION api.events_list(p_token bytea, p_args jsonb, p_query jsonb,
    p_body jsonb, p_client inet)
RETURNS api.reply LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	v_me	members := api.viewer(p_token);
	v_pt	earth := api.near_point(p_query, v_me);
	v_cur	jsonb;
	v_from	timestamptz := coalesce(api.time_arg(p_query->>'from', 'from'),
	    now());
BEGIN
	IF v_pt IS NOT NULL THEN
		RETURN api.events_near(p_query, v_me, v_from, v_pt);
	END IF;
	v_cur := api.cursor_decode('events', p_query, '{timestamptz,bigint}');
	IF api.events_filtered(p_query) THEN
		RETURN api.events_page_filtered(p_query, v_me, v_from, v_cur);
	END IF;
	RETURN (SELECT api.page_next('events', array_agg(p.body),
	    api.event_key((array_agg(p.starts_at))[(p_query->>'limit')::integer],
	        (array_agg(p.id))[(p_query->>'limit')::integer]), p_query)
	FROM (SELECT v.body, e.starts_at, e.id
	    FROM api.event_docs_rows(v_me, v_from, (v_cur->>0)::timestamptz,
	        (v_cur->>1)::bigint, api.page_size(p_query)) e,
	        LATERAL api.event_view_doc(e.id, e.kind, e.starts_at, e.doc,
	            e.body, v_me) v
	    ORDER BY e.starts_at, e.id) p);
END;
$$;
