#!/usr/bin/env bash
# `make run` (scripts/run.sh), run for real on free ports with throwaway state folders
# (INTERLIBRARY_STATE), so a real `make run` of this checkout is never touched:
#   - a bad API setting (API_WORKERS=abc), or an API, web or PostgreSQL port already taken
#     (by a program that even answers /healthz and echoes X-Request-Id, like the API):
#     it exits non-zero with the reason, never says "Interlibrary is running", and leaves
#     nothing running
#   - a successful run, started while its state folder's PostgreSQL was left running by an
#     earlier run, stopped with SIGTERM to its process group: it exits 0, and no process of
#     the group and no PostgreSQL of its state folder remains
# Every wait polls for a specific state and has a deadline.
#
#   bash tests/make-run.sh    "ok: ..." and "FAILED: ..." lines, then
#                             "make-run: N passed, N failed"; exit status 0 when all passed
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# The impostor below is a node one-liner: the pinned Node.js of the tests.
. scripts/node-toolchain.sh
node_toolchain_path

# Only the settings each case sets: none of the caller's.
unset API_LISTEN API_WORKERS PUBLIC_API_URL PUBLIC_WEB_URL DATABASE_URL SMTP_URL SMTP_USER SMTP_PASSWORD MAIL_FROM

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }

# Under /tmp and 0755: the postgres user must reach the state folders.
work=$(mktemp -d /tmp/interlibrary-make-run.XXXXXX)
chmod 755 "$work"
impostor_pid=""
run_pid=""

cleanup() {
	local d
	if [ -n "$run_pid" ]; then
		kill -TERM -- "-$run_pid" 2>/dev/null
		poll 60 gone "$run_pid" || kill -KILL -- "-$run_pid" 2>/dev/null
	fi
	stop_impostor
	for d in "$work"/*/pg; do
		[ -d "$d" ] && bash scripts/pg.sh stop "$d" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# poll <seconds> <command...>: succeeds as soon as the command does; fails at the deadline.
poll() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
gone() { ! kill -0 "$1" 2>/dev/null; }
group_gone() { ! pgrep -g "$1" >/dev/null; }
mail_sending() { curl -fs "http://127.0.0.1:$1/readyz" | grep -q '"status": "sending"'; }
# Exited, or a zombie its new parent has not reaped yet (a postmaster is orphaned by
# pg_ctl, so whoever adopts it reaps it).
exited() { gone "$1" || [[ $(ps -o stat= -p "$1") == Z* ]]; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free() { ! listening "$1"; }
pg_of() { pgrep -f -- "-D $1/pg/data" >/dev/null; }	# a postgres of state folder $1 runs
# The PostgreSQL of state folder $1, postmaster $2, has stopped and cleaned up.
pg_stopped() { exited "$2" && ! pg_of "$1" && [ ! -e "$1/pg/data/postmaster.pid" ]; }

# free_port <var>: sets <var> to a port no one listens on and this test has not used yet
# (from tests/free-port.sh's range: below the ephemeral ports, which the tests' own
# outgoing connections hold without listening).
. "$top/tests/free-port.sh"
used=" "
free_port() {
	local p
	while :; do
		p=$(port_candidate)
		case "$used" in *" $p "*) continue ;; esac
		if free "$p"; then
			used="$used$p "
			printf -v "$1" %s "$p"
			return
		fi
	done
}

# A program on <port> that poses as the API: 200 {"status":"ok"} on every path, with the
# caller's X-Request-Id echoed back.
start_impostor() {
	local port=$1
	node -e '
		const http = require("node:http");
		http.createServer((req, res) => {
			res.setHeader("X-Request-Id", req.headers["x-request-id"] || "impostor-0001");
			res.setHeader("Content-Type", "application/json");
			res.end("{\"status\":\"ok\"}");
		}).listen(Number(process.argv[1]), "127.0.0.1");' "$port" &
	impostor_pid=$!
	poll 20 curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"
}
stop_impostor() {
	[ -n "$impostor_pid" ] || return 0
	kill "$impostor_pid" 2>/dev/null
	wait "$impostor_pid" 2>/dev/null
	impostor_pid=""
}

# refused <name> <message regex> [VAR=value...]: scripts/run.sh, with these settings on
# free ports and a state folder of its own, must exit non-zero with the message.
refused() {
	local name=$1 want=$2 state="$work/$1" rc api web pg mail
	shift 2
	free_port api
	free_port web
	free_port pg
	free_port mail
	env API_PORT="$api" WEB_PORT="$web" PG_PORT="$pg" MAIL_PORT="$mail" \
	    INTERLIBRARY_STATE="$state" "$@" \
	    timeout -k 5 120 bash scripts/run.sh >"$work/$name.log" 2>&1
	rc=$?
	local why=""
	[ "$rc" -ne 0 ] || why="it exited 0"
	[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || why="it did not finish within 120 s"
	grep -qE "$want" "$work/$name.log" || why="${why:+$why; }no message matching /$want/"
	! grep -q "Interlibrary is running" "$work/$name.log" || why="${why:+$why; }it said \"Interlibrary is running\""
	! pg_of "$state" || why="${why:+$why; }its PostgreSQL is still running"
	if [ -z "$why" ]; then
		ok "make run refuses ($name): $(grep -m1 'did not start' "$work/$name.log")"
	else
		bad "make run ($name): $why; its output:"
		sed 's/^/    /' "$work/$name.log" | tail -20
	fi
}

echo "== make run refuses to start, saying why"
refused bad-config 'Interlibrary did not start: the API stopped: configuration: API_WORKERS="abc" is not valid' \
    API_WORKERS=abc

for which in API_PORT WEB_PORT PG_PORT MAIL_PORT; do
	free_port taken
	if ! start_impostor "$taken"; then
		bad "the impostor on port $taken did not start"
		continue
	fi
	refused "taken-${which,,}" "Interlibrary did not start: port $taken \\($which\\) is already in use" \
	    "$which=$taken"
	stop_impostor
done

# started_and_stopped <key> <label> <command...>: the command (scripts/run.sh, or make run) runs
# in a process group of its own on free ports with state folder $state, must say
# "Interlibrary is running", and after SIGTERM to the group must exit 0 leaving nothing.
started_and_stopped() {
	local label=$2 api web pg mail log="$work/$1.log" postmaster rc pgid
	shift 2
	free_port api
	free_port web
	free_port pg
	free_port mail
	# setsid: this shell's background jobs are no group leaders, so setsid runs the
	# command in place and $! is the new group's id.
	API_PORT=$api WEB_PORT=$web PG_PORT=$pg MAIL_PORT=$mail INTERLIBRARY_STATE=$state \
	    setsid "$@" >"$log" 2>&1 &
	run_pid=$!
	if poll 300 grep -qE 'Interlibrary is running|did not start' "$log" &&
	    grep -q 'Interlibrary is running' "$log"; then
		ok "$label starts on free ports with a state folder of its own (INTERLIBRARY_STATE)"
	else
		bad "$label did not start; its output:"
		sed 's/^/    /' "$log" | tail -20
	fi
	if curl -fs -o /dev/null "http://127.0.0.1:$api/readyz" &&
	    curl -fs -o /dev/null "http://127.0.0.1:$web/"; then
		ok "$label: its API is ready and its web app answers"
	else
		bad "$label: its API or web app does not answer"
	fi
	# Mail goes out: the sender is alive with an SMTP server (/readyz), and a message
	# the API queues reaches the local mail server's folder.
	if poll 30 mail_sending "$api" &&
	    curl -fs -o /dev/null -H 'content-type: application/json' \
	        -d '{"email":"ada@interlibrary.example"}' "http://127.0.0.1:$api/v1/password-resets" &&
	    poll 30 grep -lq 'Reset your Interlibrary password' -r "$state/mail" &&
	    grep -q "mail: .*$state/mail/" "$log"; then
		ok "$label: its mail reaches the local mail server, kept in the state folder as it says"
	else
		bad "$label: no mail in $state/mail (readyz: $(curl -s "http://127.0.0.1:$api/readyz"))"
	fi
	postmaster=$(head -1 "$state/pg/data/postmaster.pid" 2>/dev/null)
	pgid=$(ps -o pgid= -p "$run_pid" | tr -d ' ')
	[ "$pgid" = "$run_pid" ] || bad "$label is not the leader of its process group ($pgid)"

	kill -TERM -- "-$run_pid"
	if ! poll 90 gone "$run_pid"; then
		bad "$label did not stop within 90 s of SIGTERM"
		return
	fi
	wait "$run_pid"
	rc=$?
	run_pid=""
	# make reports a child stopped by a signal as an error; scripts/run.sh itself exits 0.
	if [ "$rc" -eq 0 ] || { [ "$1" = make ] && [ "$rc" -eq 143 ]; }; then
		ok "$label: SIGTERM to its process group stops it (exit status $rc)"
	else
		bad "$label: after SIGTERM it exited $rc"
	fi
	# make exits as soon as the signal reaches it; scripts/run.sh, in the same
	# group, is still stopping PostgreSQL then: wait for that, boundedly.
	if [ -n "$postmaster" ] && poll 90 pg_stopped "$state" "$postmaster"; then
		ok "$label: no PostgreSQL of its state folder remains"
	else
		bad "$label: PostgreSQL of $state is still running after it stopped" \
		    "(postmaster ${postmaster:-?}: $(ps -o pid=,stat=,cmd= -p "${postmaster:-1}"))"
	fi
	if poll 30 group_gone "$pgid" && free "$api" && free "$web" && free "$pg" &&
	    free "$mail"; then
		ok "$label: nothing of its process group remains; its ports are free"
	else
		bad "$label: processes or listeners remain: $(pgrep -g "$pgid" -a | head -3)"
	fi
	grep -q "stopped; the data stays in $state" "$log" || bad "$label did not say it stopped"
}

echo "== a run stopped with SIGTERM to its process group stops PostgreSQL too"
state="$work/ok"
# What an earlier run that was killed left behind: its PostgreSQL, still running.
free_port leftover
if bash scripts/pg.sh start "$state/pg" "$leftover" >"$work/leftover.log" 2>&1; then
	started_and_stopped run-sh "scripts/run.sh" bash scripts/run.sh
	if grep -q "left running by an earlier run: stopping it" "$work/run-sh.log"; then
		ok "scripts/run.sh stops its state folder's PostgreSQL that an earlier run left running"
	else
		bad "scripts/run.sh did not say it stopped the leftover PostgreSQL"
	fi
else
	bad "could not start the leftover PostgreSQL"
	cat "$work/leftover.log"
fi
# Through make, as a newcomer runs it: SIGTERM reaches make and run.sh, and make sends
# run.sh a second one while it is stopping.
started_and_stopped make-run "make run" make run

echo "make-run: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
