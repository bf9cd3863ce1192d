#!/usr/bin/env bash
# `make run`: the whole product with demo data on this machine.
#   - installs what is missing (Debian packages)
#   - refuses to start, saying why, when a port it needs is taken (the API's, the web
#     app's or its PostgreSQL's) or the API's configuration is bad: the API is started
#     first, before anything else, and checks its own environment (api/src/config.c);
#     it counts as started only when it answers /healthz with this run's own request id
#   - a private PostgreSQL cluster kept in the state folder (below)
#   - migrations, and the demo data the first time (dates relative to today)
#   - the API on 127.0.0.1:8080 and the front end on 127.0.0.1:8081
#   - the mail sender (api/build/il-sender); when SMTP_URL is not set, a local mail server
#     on 127.0.0.1:MAIL_PORT (scripts/mail-catcher.py) that keeps every message as a file
#     in $state/mail/, and the sender sends there
# "Interlibrary is running" is printed only once this run's API answers /readyz and this
# run's web server serves the app. Ctrl-C (or SIGTERM or SIGHUP to the process group)
# stops everything, PostgreSQL included; if the API or the web server stops on its own,
# the rest is stopped too. Running it again keeps the data.
#
# Environment (besides the API's own settings, README: Configuration):
#   API_PORT            the API's port (8080)
#   WEB_PORT            the web app's port (8081)
#   PG_PORT             PostgreSQL's port (40000 + a number drawn from the checkout's path)
#   MAIL_PORT           the local mail server's port (2525), when SMTP_URL is not set
#   SMTP_URL ...        a mail server of your own instead (README: Email)
#   INTERLIBRARY_STATE  the state folder: database, logs, generated configs
#                       (/var/lib/interlibrary/<key of the checkout's path>). The postgres
#                       user must reach it: not under /root or a mktemp -d folder.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

api_pid=""
web_pid=""
mail_pid=""
sender_pid=""
pg_dir=""	# set once PostgreSQL may be running

fail() {
	printf '\nInterlibrary did not start: %s\n' "$*" >&2
	exit 1
}

# Stops what this run started, PostgreSQL last. A second Ctrl-C or SIGTERM (make forwards
# SIGTERM to its child, so one `kill` of the group arrives twice) must not cut it short.
stop() {
	local rc=$? p i
	trap '' INT TERM HUP
	trap - EXIT
	set +e
	if [ -n "$api_pid$web_pid$pg_dir" ]; then
		echo
		echo "stopping..."
	fi
	for p in $api_pid $web_pid $sender_pid $mail_pid; do kill -TERM "$p" 2>/dev/null; done
	for p in $api_pid $web_pid $sender_pid $mail_pid; do
		for ((i = 0; i < 100; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "$pg_dir" ]; then
		bash scripts/pg.sh stop "$pg_dir"
		echo "stopped; the data stays in $state"
	fi
	exit "$rc"
}
trap stop EXIT
# The handler ignores further signals before it exits: make forwards the
# group's SIGTERM, and a second one arriving before stop() had ignored
# them ran this handler again, inside stop(), and ended the script before
# it stopped PostgreSQL.
trap 'trap "" INT TERM HUP; exit 0' INT TERM HUP

port_ok() { [[ $1 =~ ^[0-9]{1,5}$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }

# Exit status 0 when something accepts connections on 127.0.0.1:<port>.
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# "python3 (pid 1234)" for what listens on <port>, when ss can tell.
port_owner() {
	command -v ss >/dev/null 2>&1 || return 0
	ss -Hltnp "sport = :$1" 2>/dev/null |
	    sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -1
}

refuse_taken_port() {
	local port=$1 name=$2 who other=$(($1 + 10000))
	port_taken "$port" || return 0
	who=$(port_owner "$port")
	[ "$other" -le 65535 ] || other=$(($1 - 10000))
	fail "port $port ($name) is already in use${who:+ by $who}.
Stop that program, or choose another port, e.g.: $name=$other make run"
}

bash scripts/install-deps.sh run

key=$(printf '%s' "$top" | sha256sum | cut -c1-12)
state=${INTERLIBRARY_STATE:-/var/lib/interlibrary/$key}
mkdir -p "$state"
state=$(cd "$state" && pwd)
chmod 755 "$state"
[ -n "${INTERLIBRARY_STATE:-}" ] || chmod 755 /var/lib/interlibrary
runuser -u postgres -- test -x "$state" ||
    fail "the postgres user cannot reach $state (INTERLIBRARY_STATE): choose a folder outside /root and private temporary folders"

export API_PORT=${API_PORT:-8080}
web_port=${WEB_PORT:-8081}
pg_port=${PG_PORT:-$((40000 + 0x${key:0:4} % 10000))}
port_ok "$web_port" || fail "WEB_PORT=\"$web_port\" is not valid: it must be a port number from 1 to 65535"
port_ok "$pg_port" || fail "PG_PORT=\"$pg_port\" is not valid: it must be a port number from 1 to 65535"
mail_port=${MAIL_PORT:-2525}
[ -n "${SMTP_URL:-}" ] || port_ok "$mail_port" ||
    fail "MAIL_PORT=\"$mail_port\" is not valid: it must be a port number from 1 to 65535"
export PUBLIC_API_URL=${PUBLIC_API_URL:-http://127.0.0.1:$API_PORT}
export PUBLIC_WEB_URL=${PUBLIC_WEB_URL:-http://127.0.0.1:$web_port}

# One run per state folder. The lock's descriptor is closed for the programs started
# below, so a server outliving this script never holds it.
exec {lock}>"$state/run.lock"
flock -n "$lock" || fail "another 'make run' is using $state"

# A cluster of this state folder still running is a leftover of an earlier run (the lock
# says no run owns it now): stop it rather than refuse its port.
pid=$(head -1 "$state/pg/data/postmaster.pid" 2>/dev/null || true)
if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
    grep -qF -- "-D $state/pg/data "; then
	echo "PostgreSQL of $state was left running by an earlier run: stopping it"
	bash scripts/pg.sh stop "$state/pg" {lock}>&-
fi

# The API's port is checked here and again by the API itself when it binds it.
port_ok "$API_PORT" && refuse_taken_port "$API_PORT" API_PORT
refuse_taken_port "$web_port" WEB_PORT
refuse_taken_port "$pg_port" PG_PORT
[ -n "${SMTP_URL:-}" ] || refuse_taken_port "$mail_port" MAIL_PORT

echo "building the API..."
make -C api -s

# The API first: it checks its configuration and binds its port, or stops with the reason.
# Its own request id, echoed in X-Request-Id, tells its answers from another program's.
export DATABASE_URL
DATABASE_URL=$(bash scripts/pg.sh url "$state/pg" "$pg_port")
case "${API_LISTEN:-127.0.0.1}" in
0.0.0.0) api_local=127.0.0.1 ;;
::) api_local='[::1]' ;;
*:*) api_local="[${API_LISTEN}]" ;;
*) api_local=${API_LISTEN:-127.0.0.1} ;;
esac
api_local="http://$api_local:$API_PORT"
nonce=make-run-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
# The probes in the loops below write to files, not through $(...): with bash 5.2 a
# signal that lands while a command substitution starts is sometimes lost, or makes
# bash print a parse error, and Ctrl-C must always stop this script.
api_says() {	# <path> <status>: this run's API answers <path> with <status>
	curl -s -o /dev/null --max-time 3 -H "X-Request-Id: $nonce" \
	    -w '%{http_code} %header{x-request-id}\n' "$api_local$1" >"$state/probe" 2>/dev/null
	grep -qx "$2 $nonce" "$state/probe"
}
api_died() {
	local why
	api_pid=""
	why=$(sed -n 's/^kore: //p' "$state/api.log" | tail -3)
	fail "the API stopped: ${why:-see $state/api.log}"
}

echo "starting the API (it checks its configuration)..."
bash scripts/api.sh "$state/api" >"$state/api.log" 2>&1 {lock}>&- &
api_pid=$!
for ((i = 0; ; i++)); do
	kill -0 "$api_pid" 2>/dev/null || api_died
	api_says /healthz 200 && break
	[ "$i" -lt 300 ] || fail "the API did not answer on $api_local within 30 s (see $state/api.log)"
	sleep 0.1
done

echo "starting PostgreSQL..."
pg_dir=$state/pg
# In a session of its own: a Ctrl-C meant for this script must not kill pg_ctl halfway
# through a start, leaving a server that no one stops.
setsid -w bash scripts/pg.sh start "$pg_dir" "$pg_port" on {lock}>&-
bash scripts/migrate.sh
bash scripts/demo.sh

# Mail: to SMTP_URL when it is set, else to a local server that keeps each message in
# $state/mail/ (one .eml file a message).
if [ -z "${SMTP_URL:-}" ]; then
	echo "starting the local mail server..."
	/usr/bin/python3 scripts/mail-catcher.py --port "$mail_port" --dir "$state/mail" \
	    >"$state/mail.log" 2>&1 {lock}>&- &
	mail_pid=$!
	for ((i = 0; ; i++)); do
		kill -0 "$mail_pid" 2>/dev/null ||
		    fail "the local mail server stopped: $(tail -1 "$state/mail.log")"
		port_taken "$mail_port" && break
		[ "$i" -lt 100 ] || fail "the local mail server did not start (see $state/mail.log)"
		sleep 0.1
	done
	export SMTP_URL="smtp://127.0.0.1:$mail_port"
	mail_where="every message is a file in $state/mail/ (the mail server's log: $state/mail.log)"
else
	mail_where="sent to $(printf "%s" "$SMTP_URL" | sed -E "s#//[^/@]*@#//#")"
fi
echo "starting the mail sender..."
api/build/il-sender >"$state/sender.log" 2>&1 {lock}>&- &
sender_pid=$!

echo "starting the web server..."
bash scripts/serve-frontend.sh "$web_port" "$PUBLIC_API_URL" "$state/web" >"$state/web.log" 2>&1 {lock}>&- &
web_pid=$!
for ((i = 0; ; i++)); do
	kill -0 "$api_pid" 2>/dev/null || api_died
	kill -0 "$web_pid" 2>/dev/null ||
	    fail "the web server stopped: $(grep -m1 -E 'emerg|error' "$state/web.log" || echo "see $state/web.log")"
	kill -0 "$sender_pid" 2>/dev/null ||
	    fail "the mail sender stopped: $(grep -m1 'il-sender' "$state/sender.log" || echo "see $state/sender.log")"
	# Ready: this run's API reaches the database, and this run's nginx serves the
	# config.js it was given.
	if api_says /readyz 200 &&
	    curl -fs --max-time 3 -o "$state/probe" "http://127.0.0.1:$web_port/config.js" &&
	    cmp -s "$state/probe" "$state/web/config.js"; then
		break
	fi
	[ "$i" -lt 300 ] || fail "the API or the web server was not ready within 30 s (see $state/api.log, $state/web.log)"
	sleep 0.1
done

cat <<MSG

Interlibrary is running.
  web app:  $PUBLIC_WEB_URL
  API:      $PUBLIC_API_URL   (try: curl $PUBLIC_API_URL/v1/organizations)
  demo login: ada@interlibrary.example / librarians-unite
  mail:     $mail_where
  database: psql "$DATABASE_URL"
  logs:     $state/api.log, $state/web.log, $state/sender.log
Press Ctrl-C to stop.

MSG

# Until a signal, or until the API, the web server or the mail programs stop on their own.
set +e
wait -n $api_pid $web_pid $sender_pid $mail_pid
if ! kill -0 "$api_pid" 2>/dev/null; then
	echo "the API stopped (see $state/api.log)" >&2
elif ! kill -0 "$web_pid" 2>/dev/null; then
	echo "the web server stopped (see $state/web.log)" >&2
elif ! kill -0 "$sender_pid" 2>/dev/null; then
	echo "the mail sender stopped (see $state/sender.log)" >&2
else
	echo "the local mail server stopped (see $state/mail.log)" >&2
fi
exit 1
