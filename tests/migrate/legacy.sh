#!/usr/bin/env bash
# A database made by the first release (its migrations and demo data,
# kept in tests/fixtures/legacy-0009/) is migrated in place by today's
# scripts/migrate.sh with nothing lost: every table keeps its rows, the
# API answers the same (tests/migrate/answers.sql), the schema outside
# "api" equals a fresh database's, and a second run changes nothing.
#
#   tests/migrate/legacy.sh "<libpq string without dbname>"
# Prints "ok: ..." or "FAILED: ..." lines; exits non-zero on a failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
conn=${1:?usage: $0 "<libpq connection string without dbname>"}
fix=$top/tests/fixtures/legacy-0009
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
ok() { echo "ok: $*"; }
bad() { echo "FAILED: $*"; rc=1; }
q() { psql "$conn dbname=$1" -X -q -v ON_ERROR_STOP=1 "${@:2}"; }

for db in interlibrary_legacy interlibrary_fresh; do
	q postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
done

# The first release's scripts/migrate.sh: each file and its checksum.
q interlibrary_legacy -c "CREATE TABLE schema_migrations (version text
    PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL
    DEFAULT now())"
for f in "$fix"/migrations/*.sql; do
	q interlibrary_legacy --single-transaction -f "$f" \
	    -c "INSERT INTO schema_migrations VALUES ('$(basename "$f" .sql)',
	        '$(sha256sum "$f" | cut -d' ' -f1)')" >/dev/null ||
	    { bad "the first release's $(basename "$f") applies"; exit 1; }
done
args=()
for f in "$fix"/demo/*.sql; do args+=(-f "$f"); done
q interlibrary_legacy --single-transaction "${args[@]}" >/dev/null ||
    { bad "the first release's demo data loads"; exit 1; }

counts() {
	q interlibrary_legacy -At -c "SELECT string_agg(format('%s %s',
	    table_name, (xpath('/row/n/text()', query_to_xml(format(
	    'SELECT count(*) AS n FROM %I', table_name), false, true, '')))[1]),
	    E'\n' ORDER BY table_name) FROM information_schema.tables
	    WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
	      AND table_name <> 'schema_migrations'"
}
# answers.sql adds the session it reads with: count after it.
q interlibrary_legacy -f "$top/tests/migrate/answers.sql" >"$tmp/answers.before"
counts >"$tmp/counts.before"

if DATABASE_URL="$conn dbname=interlibrary_legacy" bash "$top/scripts/migrate.sh" \
    >"$tmp/migrate.log" 2>&1 &&
    grep -q 'brought a database of the first release' "$tmp/migrate.log"; then
	ok "migrate brings a first-release database to the current layout"
else
	cat "$tmp/migrate.log"
	bad "migrate a first-release database"
	exit 1
fi
q interlibrary_legacy -f "$top/tests/migrate/answers.sql" >"$tmp/answers.after"
counts >"$tmp/counts.after"
# Every table of the first release keeps its rows (tables added since
# may hold rows derived from them).
if [ -z "$(comm -23 <(sort "$tmp/counts.before") <(sort "$tmp/counts.after"))" ]; then
	ok "every table keeps its rows ($(wc -l <"$tmp/counts.before") tables, $(awk '{n += $2} END {print n}' "$tmp/counts.before") rows)"
else
	diff "$tmp/counts.before" "$tmp/counts.after"
	bad "row counts changed"
fi
if cmp -s "$tmp/answers.before" "$tmp/answers.after"; then
	ok "the API answers the same ($(wc -l <"$tmp/answers.after") answers compared)"
else
	diff <(tr ',' '\n' <"$tmp/answers.before") <(tr ',' '\n' <"$tmp/answers.after") | head -30
	bad "API answers changed"
fi

DATABASE_URL="$conn dbname=interlibrary_fresh" bash "$top/scripts/migrate.sh" >/dev/null 2>&1 ||
    bad "migrate a fresh database"
schema() {
	pg_dump "$conn dbname=$1" --schema-only --exclude-schema=api |
	    grep -vE '^(--|\\(un)?restrict )'
}
if diff <(schema interlibrary_legacy) <(schema interlibrary_fresh) >"$tmp/schema.diff"; then
	ok "its schema outside api equals a fresh database's"
else
	head -40 "$tmp/schema.diff"
	bad "the migrated schema differs from a fresh one"
fi
again=$(DATABASE_URL="$conn dbname=interlibrary_legacy" bash "$top/scripts/migrate.sh" 2>&1)
if [[ $again == *"0 applied"* && $again != *"brought"* ]]; then
	ok "a second run applies nothing"
else
	bad "a second run on the migrated database"
fi
for db in interlibrary_legacy interlibrary_fresh; do
	q postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null
done
exit $rc
