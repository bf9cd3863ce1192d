#!/usr/bin/env bash
# Load sql/demo/*.sql (in name order, one transaction) into an empty
# database; a database that already has members is left alone, so running
# `make run` again keeps whatever was changed.
#
# The demo queues mail (notifications, sql/demo/50_mail.sql) whose links
# need the public URLs, as the API's and the sender's connections have them.
#
#   DATABASE_URL=... PUBLIC_API_URL=... PUBLIC_WEB_URL=... scripts/demo.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
: "${DATABASE_URL:?DATABASE_URL is required}"
: "${PUBLIC_API_URL:?PUBLIC_API_URL is required (links in the demo's mail)}"
: "${PUBLIC_WEB_URL:?PUBLIC_WEB_URL is required (links in the demo's mail)}"
export PGOPTIONS="-c il.public_api_url=$PUBLIC_API_URL -c il.public_web_url=$PUBLIC_WEB_URL"
n=$(psql "$DATABASE_URL" -X -qAt -c 'SELECT count(*) FROM members')
if [ "$n" != 0 ]; then
	echo "demo: the database has $n members already; demo data not loaded again"
	exit 0
fi
args=()
for f in "$top"/sql/demo/*.sql; do args+=(-f "$f"); done
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 --single-transaction "${args[@]}" >/dev/null
echo "demo: loaded $(psql "$DATABASE_URL" -X -qAt -c 'SELECT count(*) FROM members') members, $(psql "$DATABASE_URL" -X -qAt -c 'SELECT count(*) FROM organizations') organizations"
