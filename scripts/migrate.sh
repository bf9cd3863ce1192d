#!/usr/bin/env bash
# Bring the database to the current schema and install the API afresh.
#
#   1. A database made by the first release's migrations (recognized by
#      the checksums they recorded, sql/legacy/0009.checksums) is brought
#      to today's layout by sql/legacy/0009.sql, once.
#   2. sql/migrations/NNNN_*.sql (tables, constraints, indexes, triggers,
#      data changes) are applied in order, each in its own transaction
#      together with its row in schema_migrations.  Applied files are
#      skipped (safe to run twice); a file changed after it was applied is
#      an error.
#   3. Schema api is dropped and installed again from sql/api/ (foundation
#      first, then the other files in name order) in one transaction, and
#      every function in it is checked; nothing outside schema api may
#      depend on it.  So each API function is defined once, in its file.
#      Data derived by API code (the stored event documents) is rebuilt
#      when that code changed.
#
# Every step holds the same advisory lock, so two runs cannot interleave.
#
#   DATABASE_URL="host=... port=... dbname=... user=..." scripts/migrate.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
: "${DATABASE_URL:?DATABASE_URL is required}"
psql_() { psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
lock="SELECT pg_advisory_xact_lock(7215001);"

psql_ -c "CREATE TABLE IF NOT EXISTS schema_migrations (
	version text PRIMARY KEY,
	checksum text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now())" 2>&1 | grep -v 'already exists, skipping' || true

sum_of() { sha256sum "$1" | cut -d' ' -f1; }

# 1. The first release's layout.
legacy=$top/sql/legacy/0009.checksums
applied=$(psql_ -At -F' ' -c "SELECT version, checksum FROM schema_migrations ORDER BY version")
matches=$(grep -cxF -f <(printf '%s\n' "$applied") "$legacy" || true)
if [ "$matches" -gt 0 ]; then
	if [ "$matches" -ne "$(wc -l <"$legacy")" ]; then
		echo "migrate: this database was made by part of the first release's migrations; finish them with that release first" >&2
		exit 1
	fi
	updates=""
	for f in "$top"/sql/migrations/000[1-7]_*.sql; do
		updates+="UPDATE schema_migrations SET checksum = '$(sum_of "$f")' WHERE version = '$(basename "$f" .sql)';"$'\n'
	done
	psql_ --single-transaction >/dev/null <<SQL
$lock
\i '$top/sql/legacy/0009.sql'
DELETE FROM schema_migrations WHERE version IN ('0008_rate_limit_headers', '0009_member_extras');
$updates
SQL
	echo "migrate: brought a database of the first release to the current layout"
fi

# 2. Migrations.
applied=0
for f in "$top"/sql/migrations/[0-9][0-9][0-9][0-9]_*.sql; do
	name=$(basename "$f" .sql)
	sum=$(sum_of "$f")
	have=$(psql_ -At -c "SELECT checksum FROM schema_migrations WHERE version = '$name'")
	if [ -n "$have" ]; then
		if [ "$have" != "$sum" ]; then
			echo "migrate: $name was changed after it was applied" >&2
			exit 1
		fi
		continue
	fi
	# One transaction: lock, re-check, apply, record.
	psql_ --single-transaction >/dev/null <<SQL
$lock
SELECT NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = '$name') AS todo \gset
\if :todo
\i '$f'
INSERT INTO schema_migrations (version, checksum) VALUES ('$name', '$sum');
\endif
SQL
	echo "migrate: applied $name"
	applied=$((applied + 1))
done
echo "migrate: $applied applied, database is current"

# 3. The API, afresh.  Function bodies are checked once everything is
# there (so files may call each other in any order), by the validators
# PostgreSQL itself runs on CREATE FUNCTION.
files=("$top/sql/api/foundation.sql")
for f in "$top"/sql/api/*.sql; do
	[ "$f" = "$top/sql/api/foundation.sql" ] || files+=("$f")
done
{
	echo '\o /dev/null'
	echo "$lock"
	cat <<'SQL'
DO $$
DECLARE
	v_dep	text;
BEGIN
	SELECT string_agg(DISTINCT pg_describe_object(d.classid, d.objid,
	    d.objsubid) || ' uses ' || pg_describe_object(d.refclassid,
	    d.refobjid, 0), '; ')
	INTO v_dep
	FROM pg_depend d
	WHERE d.deptype IN ('n', 'a')
	  AND (d.refclassid = 'pg_proc'::regclass AND d.refobjid IN
	      (SELECT oid FROM pg_proc WHERE pronamespace = to_regnamespace('api'))
	    OR d.refclassid = 'pg_type'::regclass AND d.refobjid IN
	      (SELECT oid FROM pg_type WHERE typnamespace = to_regnamespace('api')))
	  AND NOT (d.classid = 'pg_proc'::regclass AND d.objid IN
	      (SELECT oid FROM pg_proc WHERE pronamespace = to_regnamespace('api')))
	  AND NOT (d.classid = 'pg_type'::regclass AND d.objid IN
	      (SELECT oid FROM pg_type WHERE typnamespace = to_regnamespace('api')))
	  AND NOT (d.classid = 'pg_class'::regclass AND d.objid IN
	      (SELECT oid FROM pg_class WHERE relnamespace = to_regnamespace('api')));
	IF v_dep IS NOT NULL THEN
		RAISE EXCEPTION 'objects outside schema api depend on it, so it '
		    'cannot be installed afresh: %', v_dep;
	END IF;
END;
$$;
SET LOCAL client_min_messages = warning;
DROP SCHEMA IF EXISTS api CASCADE;
CREATE SCHEMA api;
SET LOCAL check_function_bodies = off;
SQL
	for f in "${files[@]}"; do echo "\\i '$f'"; done
	cat <<'SQL'
SET LOCAL check_function_bodies = on;
SELECT count(*) AS n,
    count(CASE l.lanname WHEN 'sql' THEN fmgr_sql_validator(p.oid)::text
        WHEN 'plpgsql' THEN plpgsql_validator(p.oid)::text END) AS checked
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = to_regnamespace('api') \gset
\echo 'migrate: installed' :n 'API functions from sql/api/'
SELECT n AS docs, n > 0 AS rebuilt
FROM (SELECT api.event_docs_current() AS n) x \gset
\if :rebuilt
\echo 'migrate: rebuilt' :docs 'event documents for this API'
\endif
SQL
} | psql_ --single-transaction
