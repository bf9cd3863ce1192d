#!/usr/bin/env bash
# Load sql/demo/*.sql (in name order, one transaction) into an empty
# database; a database that already has members is left alone, so running
# `make run` again keeps whatever was changed.
#
#   DATABASE_URL=... scripts/demo.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
: "${DATABASE_URL:?DATABASE_URL is required}"
n=$(psql "$DATABASE_URL" -X -qAt -c 'SELECT count(*) FROM members')
if [ "$n" != 0 ]; then
	echo "demo: the database has $n members already; demo data not loaded again"
	exit 0
fi
args=()
for f in "$top"/sql/demo/*.sql; do args+=(-f "$f"); done
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 --single-transaction "${args[@]}" >/dev/null
echo "demo: loaded $(psql "$DATABASE_URL" -X -qAt -c 'SELECT count(*) FROM members') members, $(psql "$DATABASE_URL" -X -qAt -c 'SELECT count(*) FROM organizations') organizations"
