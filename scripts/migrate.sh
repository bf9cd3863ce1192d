#!/usr/bin/env bash
# Apply sql/migrations/NNNN_*.sql in order, each in its own transaction
# together with its row in schema_migrations, under an advisory lock so two
# runs cannot interleave.  Applied files are skipped (safe to run twice); a
# file changed after it was applied is an error.
#
#   DATABASE_URL="host=... port=... dbname=... user=..." scripts/migrate.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
: "${DATABASE_URL:?DATABASE_URL is required}"
psql_() { psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_ -c "CREATE TABLE IF NOT EXISTS schema_migrations (
	version text PRIMARY KEY,
	checksum text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now())" 2>&1 | grep -v 'already exists, skipping' || true

applied=0
for f in "$top"/sql/migrations/[0-9][0-9][0-9][0-9]_*.sql; do
	name=$(basename "$f" .sql)
	sum=$(sha256sum "$f" | cut -d' ' -f1)
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
SELECT pg_advisory_xact_lock(7215001);
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
