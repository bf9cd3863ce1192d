#!/usr/bin/env bash
# Nearby at scale: loads 100,000 organizations with positions (a tenth of
# them around Springfield, Illinois, the rest over the continental United
# States) into a scratch database, then prints the EXPLAIN (ANALYZE) of
# GET /v1/organizations?near=...&within_km=... as api.orgs_near runs it
# (auto_explain: the GiST index organizations_position_idx serves the
# radius and the order) and the time per query inside PostgreSQL over
# 500 random points, first pages and fourth pages (keyset cursor).
# Not part of make test.  No API needed: PostgreSQL only.  About a
# minute here.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/interlibrary-bench-nearby}
PG_PORT=${PG_PORT:-55496}
N=${N:-100000}

cleanup() { bash "$top/scripts/pg.sh" stop "$BENCH_DIR/pg" >/dev/null 2>&1 || true; }
trap cleanup EXIT
bash "$top/scripts/pg.sh" stop "$BENCH_DIR/pg" >/dev/null 2>&1 || true
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"
chmod 755 "$BENCH_DIR"
bash "$top/scripts/pg.sh" start "$BENCH_DIR/pg" "$PG_PORT" >/dev/null
export DATABASE_URL
DATABASE_URL=$(bash "$top/scripts/pg.sh" url "$BENCH_DIR/pg" "$PG_PORT")
bash "$top/scripts/migrate.sh" >/dev/null
export PGOPTIONS="-c client_min_messages=warning"
psql_() { psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "== seeding $N organizations"
psql_ -v n="$N" <<'SQL'
SELECT setseed(0.19) \gset
INSERT INTO organizations (slug, name, kind, city, latitude, longitude)
SELECT 'bench-org-' || g, 'Bench library ' || g, 'public_library', 'City ' || g % 500,
    CASE WHEN g % 10 = 0 THEN 39.80 + (random() - 0.5) * 0.6
        ELSE 25 + random() * 24 END,
    CASE WHEN g % 10 = 0 THEN -89.64 + (random() - 0.5) * 0.8
        ELSE -124 + random() * 57 END
FROM generate_series(1, :n) g;
ANALYZE organizations;
SQL

echo "== EXPLAIN ANALYZE (auto_explain) of near=39.80,-89.64&within_km=25, first page of 20, warm"
cat >"$BENCH_DIR/explain.sql" <<'SQL'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_nested_statements = on;
SET client_min_messages = log;
SELECT status FROM api.orgs_list(NULL, '{}', '{"near": "39.80,-89.64", "within_km": 25, "limit": 20}', NULL, NULL);
SELECT status FROM api.orgs_list(NULL, '{}', '{"near": "39.80,-89.64", "within_km": 25, "limit": 20}', NULL, NULL);
SQL
psql "$DATABASE_URL" -X -q -f "$BENCH_DIR/explain.sql" >"$BENCH_DIR/explain.log" 2>&1 || true
/usr/bin/python3 - "$BENCH_DIR/explain.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
plans = re.split(r"LOG:  duration: ", text)[1:]
big = [p for p in plans if "FROM organizations o" in p and "ORDER BY" in p][-1]
print("  statement: %s ms" % big.split(" ")[0])
for line in big.splitlines():
    if re.search(r"Index Scan|Index Cond|Order By|Sort|Seq Scan|Limit|Buffers|Rows Removed", line):
        print("  " + line.strip()[:150])
if "organizations_position_idx" not in big or "Seq Scan" in big:
    print("nearby: the query does not use organizations_position_idx", file=sys.stderr)
    sys.exit(1)
PY

echo "  (organizations within those 25 km: $(psql_ -At -c "SELECT count(*) FROM organizations
    WHERE earth_distance(ll_to_earth(latitude, longitude), ll_to_earth(39.80, -89.64)) <= 25000");
the scan reads the page, one row more, and stops)"

echo "== time per query inside PostgreSQL (500 random points within the continental US, within_km=50, limit 20)"
psql_ -At <<'SQL'
SELECT setseed(0.42) \gset
CREATE TEMP TABLE pts AS
SELECT g, round((30 + random() * 18)::numeric, 4) AS lat,
    round((-120 + random() * 45)::numeric, 4) AS lon
FROM generate_series(1, 500) g;
DO $$
DECLARE
	p	record;
	r	api.reply;
	t0	timestamptz;
	n	bigint := 0;
	c	text;
	v_first	interval;
	v_next	interval := '0';
	v_pages	integer := 0;
	q	jsonb;
BEGIN
	t0 := clock_timestamp();
	FOR p IN SELECT * FROM pts LOOP
		r := api.orgs_list(NULL, '{}', jsonb_build_object('near',
		    p.lat || ',' || p.lon, 'within_km', 50, 'limit', 20),
		    NULL, NULL);
		n := n + json_array_length(r.data);
	END LOOP;
	v_first := clock_timestamp() - t0;
	RAISE WARNING 'first pages: % ms per query (% rows in all)',
	    round(extract(epoch FROM v_first) * 1000 / 500, 3), n;
	-- Pages 2 to 4 of the 500 points (as far as they go), by cursor.
	t0 := clock_timestamp();
	FOR p IN SELECT * FROM pts LOOP
		q := jsonb_build_object('near', p.lat || ',' || p.lon,
		    'within_km', 50, 'limit', 20);
		r := api.orgs_list(NULL, '{}', q, NULL, NULL);
		FOR i IN 2 .. 4 LOOP
			EXIT WHEN r.next_cursor IS NULL;
			r := api.orgs_list(NULL, '{}', q || jsonb_build_object(
			    'cursor', r.next_cursor), NULL, NULL);
			v_pages := v_pages + 1;
		END LOOP;
	END LOOP;
	RAISE WARNING 'with pages 2 to 4: % pages after the first, % ms per page (first pages included)',
	    v_pages, round(extract(epoch FROM clock_timestamp() - t0) * 1000
	    / (500 + v_pages), 3);
END;
$$;
SQL
