#!/usr/bin/env bash
# The whole test suite (`make test`): installs what is missing, builds with
# -Werror, runs the C unit tests and fuzzers under sanitizers, lints the
# OpenAPI contract, compares it with the C field tables and the web app's
# limits (tests/contract/), checks docker-compose.yml, runs `make run` itself
# (tests/make-run.sh, on free ports and throwaway state), then starts a throwaway
# PostgreSQL cluster and the real API (2 workers, 2+ connections each) on
# free ports and runs the black-box API tests and the browser tests.
# Everything it started is stopped, and the cluster removed, on any exit.
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

passed=0
failed=0
failures=()
pids=()
tmp=""

note() { printf '\n== %s\n' "$*"; }
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); failures+=("$*"); echo "FAILED: $*"; }

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 1 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "$tmp" ]; then
		[ -d "$tmp/cluster" ] &&
		    bash "$top/tests/cluster/cluster.sh" stop "$tmp/cluster" >/dev/null 2>&1
		bash "$top/scripts/pg.sh" stop "$tmp/pg" >/dev/null 2>&1
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$top/tests/free-port.sh"

# Counts from node's TAP reporter ("# pass N", "# fail N"); a test that
# timed out or never ran ("# cancelled N") counts as failed.  With
# TEST_FILES (paths from the repository root, space-separated) only those
# files of the suite run, for working on one part; make test sets none.
node_suite() {
	local name=$1
	shift
	local log="$tmp/$name.tap" p f c t keep=()
	if [ -n "${TEST_FILES:-}" ]; then
		for t in "$@"; do
			case " $TEST_FILES " in *" $t "*) keep+=("$t") ;; esac
		done
		[ "${#keep[@]}" -eq 0 ] && return 0
		set -- "${keep[@]}"
	fi
	node --test --test-reporter=tap --test-concurrency=1 \
	    --test-timeout=300000 "$@" >"$log" 2>&1
	p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
	c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$log" | tail -1)
	f=$(( ${f:-0} + ${c:-0} ))
	# Every failing test at any depth, with its error block.
	grep -E '^\s*not ok' -A 30 "$log" | grep -vE '^\s*(ok |# )' | head -150
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ -z "$p" ]; then
		bad "$name: the runner did not finish (see its log below)"
		tail -30 "$log"
	elif [ "${f:-0}" -gt 0 ]; then
		failures+=("$name: $f failed")
	fi
	echo "$name: ${p:-0} passed, ${f:-0} failed"
}

note "installing dependencies"
if ! bash scripts/install-deps.sh test; then
	bad "install-deps"
	echo "0 passed, 1 failed"
	exit 1
fi
# The JavaScript tests run on the pinned Node.js (scripts/node-toolchain.sh),
# whatever node the machine has.
. scripts/node-toolchain.sh
node_toolchain_path
if [ "$(node --version 2>/dev/null)" = "v$NODE_VERSION" ]; then
	ok "tests run on node v$NODE_VERSION (tests/package.json engines: $(sed -n 's/.*"node": "\(.*\)".*/\1/p' tests/package.json))"
else
	bad "node is $(node --version 2>/dev/null || echo missing), not the pinned v$NODE_VERSION"
	echo "$passed passed, $failed failed"
	exit 1
fi

tmp=$(mktemp -d /tmp/interlibrary-test.XXXXXX)
chmod 755 "$tmp"

note "building the API with -Werror"
if make -C api -s >"$tmp/build.log" 2>&1; then
	ok "api builds with -Werror"
else
	cat "$tmp/build.log"
	bad "api build"
	echo "$passed passed, $failed failed"
	exit 1
fi

note "C unit tests (ASan+UBSan)"
make -C api -s check feed-unit >"$tmp/unit.log" 2>&1
unit_rc=$?
cat "$tmp/unit.log" | grep -vE '^\s*$' | tail -40
while read -r n f; do
	passed=$((passed + n - f))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failures+=("unit tests: $f failed")
done < <(sed -n 's/^[a-z_]*: \([0-9]*\) checks, \([0-9]*\) failed$/\1 \2/p' "$tmp/unit.log")
[ "$unit_rc" -eq 0 ] || bad "make check exited $unit_rc"

if grep -q '^feed-fuzz:' api/tests/Makefile.feed 2>/dev/null; then
	note "feed renderer fuzzers (libFuzzer, ASan+UBSan, ${FUZZ_SECONDS:-30} s each)"
	if make -C api -s feed-fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}" >"$tmp/fuzz.log" 2>&1; then
		ok "fuzzers ran without a crash"
		grep -E '^#[0-9]+.*DONE|Done [0-9]+ runs' "$tmp/fuzz.log" | tail -5
	else
		tail -40 "$tmp/fuzz.log"
		bad "fuzzers"
	fi
fi

note "OpenAPI lint (@redocly/cli)"
if (cd tests && REDOCLY_TELEMETRY=off ./node_modules/.bin/redocly lint ../openapi.yaml \
    --format=stylish) >"$tmp/lint.log" 2>&1; then
	ok "openapi.yaml lints with zero errors"
	grep -iE 'warning' "$tmp/lint.log" | tail -5
else
	tail -40 "$tmp/lint.log"
	bad "openapi lint"
fi

# Before any server starts: the C field tables and the web app's limits
# (frontend/lib/limits.js) say what openapi.yaml says.
note "contract: C field tables and web app limits match openapi.yaml"
node_suite contract tests/contract/*.test.mjs

note "docker-compose.yml"
if bash tests/check-compose.sh; then ok "docker-compose.yml: valid on a clean clone, safe defaults, web config"; else bad "compose"; fi

note "make run (scripts/run.sh: refusals, and a run stopped with SIGTERM; throwaway state)"
bash tests/make-run.sh >"$tmp/make-run.log" 2>&1
grep -vE '^\s*$' "$tmp/make-run.log" | tail -40
read -r p f < <(sed -n 's/^make-run: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$tmp/make-run.log")
if [ -z "${p:-}" ]; then
	bad "make-run: the test did not finish"
else
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || failures+=("make-run: $f failed")
fi

note "starting PostgreSQL and the API"
pg_port=$(free_port)
if ! bash scripts/pg.sh start "$tmp/pg" "$pg_port" >"$tmp/pg.log" 2>&1; then
	cat "$tmp/pg.log"
	bad "postgres start"
	echo "$passed passed, $failed failed"
	exit 1
fi
# Over TCP, as in docker-compose and most deployments (libpq then tries
# TLS first, which needs more of the sandbox than a unix socket does).
export DATABASE_URL="host=127.0.0.1 port=$pg_port dbname=interlibrary user=postgres"
if bash scripts/migrate.sh >"$tmp/migrate.log" 2>&1 &&
    bash scripts/migrate.sh >>"$tmp/migrate.log" 2>&1; then
	ok "migrations apply, and a second run applies nothing"
	grep -q '0 applied' "$tmp/migrate.log" || bad "second migrate run was not a no-op"
else
	cat "$tmp/migrate.log"
	bad "migrate"
fi

# The demo data `make run` loads, into a database of its own.
if psql "host=127.0.0.1 port=$pg_port dbname=postgres user=postgres" -X -q \
    -c 'CREATE DATABASE interlibrary_demo' >"$tmp/demo.log" 2>&1 &&
    DATABASE_URL="host=127.0.0.1 port=$pg_port dbname=interlibrary_demo user=postgres" \
    bash scripts/migrate.sh >>"$tmp/demo.log" 2>&1 &&
    DATABASE_URL="host=127.0.0.1 port=$pg_port dbname=interlibrary_demo user=postgres" \
    PUBLIC_API_URL=http://127.0.0.1:8080 PUBLIC_WEB_URL=http://127.0.0.1:8081 \
    bash scripts/demo.sh >>"$tmp/demo.log" 2>&1 &&
    grep -q 'demo: loaded 30 members' "$tmp/demo.log"; then
	ok "demo data loads on a fresh database"
else
	cat "$tmp/demo.log"
	bad "demo data"
fi

# A database of the first release, migrated in place (tests/migrate/).
bash tests/migrate/legacy.sh "host=127.0.0.1 port=$pg_port user=postgres" \
    >"$tmp/legacy.log" 2>&1
legacy_rc=$?
while IFS= read -r line; do
	case "$line" in
	"ok: "*) ok "${line#ok: }" ;;
	"FAILED: "*) bad "${line#FAILED: }" ;;
	*) echo "$line" ;;
	esac
done <"$tmp/legacy.log"
[ "$legacy_rc" -eq 0 ] || grep -q '^FAILED: ' "$tmp/legacy.log" ||
    bad "tests/migrate/legacy.sh exited $legacy_rc"

api_port=$(free_port)
export API_PORT=$api_port API_LISTEN=127.0.0.1 API_WORKERS=2 DB_POOL_PER_WORKER=3
export PUBLIC_API_URL="http://127.0.0.1:$api_port"
web_port=$(free_port)
export PUBLIC_WEB_URL="http://127.0.0.1:$web_port"
# Small login limits so the throttling tests stay short.
export LOGIN_FAILS_PER_ACCOUNT=5 LOGIN_FAILS_PER_ADDRESS=1000 REGISTRATIONS_PER_ADDRESS=100000
# Every reset request of the tests comes from 127.0.0.1: the per-client limit
# is tested in SQL with other client addresses (tests/api/mail.test.mjs).
export PASSWORD_RESETS_PER_CLIENT=100000
bash scripts/api.sh "$tmp/api" >"$tmp/api.log" 2>&1 &
api_pid=$!
pids+=("$api_pid")
for _ in $(seq 1 100); do
	curl -fs "http://127.0.0.1:$api_port/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
if curl -fs "http://127.0.0.1:$api_port/healthz" >/dev/null; then
	ok "API answers /healthz"
else
	tail -30 "$tmp/api.log"
	bad "API did not start"
fi

export API_URL="http://127.0.0.1:$api_port"
export API_PID=$api_pid PG_DIR="$tmp/pg" PG_PORT=$pg_port
export API_LOG="$tmp/api.log"

# Mail: a local SMTP server that keeps each message as a file in $MAIL_DIR
# (scripts/mail-catcher.py), and the sender, with short retries, leases and
# job intervals so the mail tests wait seconds, not minutes.
mail_port=$(free_port)
export MAIL_DIR="$tmp/mail"
/usr/bin/python3 scripts/mail-catcher.py --port "$mail_port" --dir "$MAIL_DIR" --quiet \
    >"$tmp/mail-catcher.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$mail_port") 2>/dev/null && break
	sleep 0.1
done
export SMTP_URL="smtp://127.0.0.1:$mail_port" MAIL_RETRY_SECONDS=1 MAIL_MAX_ATTEMPTS=3 \
    MAIL_LEASE_SECONDS=5 MAIL_JOBS_SECONDS=2
api/build/il-sender >"$tmp/sender.log" 2>&1 &
sender_pid=$!
pids+=("$sender_pid")
export SENDER_PID=$sender_pid SENDER_LOG="$tmp/sender.log" SMTP_PORT=$mail_port
if (exec 3<>"/dev/tcp/127.0.0.1/$mail_port") 2>/dev/null && kill -0 "$sender_pid"; then
	ok "the local mail server and the sender run"
else
	cat "$tmp/mail-catcher.log" "$tmp/sender.log"
	bad "mail server or sender did not start"
fi

note "API tests (real Kore, real PostgreSQL, responses checked against openapi.yaml)"
node_suite api tests/api/*.test.mjs

note "fault tests (PostgreSQL stopped and started under the running API)"
node_suite faults tests/api/faults/*.test.mjs

note "browser tests (Debian chromium via playwright-core)"
bash scripts/serve-frontend.sh "$web_port" "$API_URL" "$tmp/web" >"$tmp/web.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 50); do
	curl -fs "http://127.0.0.1:$web_port/" >/dev/null 2>&1 && break
	sleep 0.1
done
export WEB_URL="http://127.0.0.1:$web_port"
node_suite browser tests/browser/*.test.mjs

# After every single-node suite: the several-machines shape
# (tests/cluster/cluster.sh: a streaming replica of this primary, two API
# nodes reading from it, nginx balancing them with
# deploy/nginx/balancer.conf.template), and its tests through the balancer.
# API_URL becomes the balancer's; tests/cluster/lib.mjs reads the rest.
cluster_files=()
for t in tests/cluster/*.test.mjs; do
	case " ${TEST_FILES:- $t } " in *" $t "*) cluster_files+=("$t") ;; esac
done
if [ "${#cluster_files[@]}" -gt 0 ]; then
	note "cluster tests (a streaming replica, two API nodes, nginx in front: tests/cluster/)"
	if bash tests/cluster/cluster.sh start "$tmp/cluster" >"$tmp/cluster.log" 2>&1; then
		grep '^cluster: ' "$tmp/cluster.log"
		ok "cluster: a replica made by pg_basebackup, two API nodes and the balancer run"
		set -a
		. "$tmp/cluster/env"
		set +a
		export API_URL=$CLUSTER_URL CLUSTER_DIR="$tmp/cluster"
		node_suite cluster tests/cluster/*.test.mjs
	else
		tail -40 "$tmp/cluster.log"
		bad "the cluster did not start"
	fi
fi

if cat "$tmp/api.log" "$tmp"/cluster/node-?.log 2>/dev/null |
    grep -q 'died from sandbox violation\|worker.*died'; then
	cat "$tmp/api.log" "$tmp"/cluster/node-?.log 2>/dev/null | grep 'died' | head -5
	bad "a Kore worker died during the tests"
else
	ok "no Kore worker died during the tests"
fi

if [ "${#failures[@]}" -gt 0 ]; then
	note "failures"
	printf ' - %s\n' "${failures[@]}"
	# Keep the server logs for whoever reads the failure.
	mkdir -p tests/artifacts
	cp "$tmp/api.log" tests/artifacts/api.log 2>/dev/null
	cp "$tmp/sender.log" tests/artifacts/sender.log 2>/dev/null
	cp "$tmp/pg/postgres.log" tests/artifacts/postgres.log 2>/dev/null
	echo "API log lines about errors (all of it in tests/artifacts/api.log):"
	grep -aE 'sql error|unavailable|no reply|died|lost' "$tmp/api.log" | tail -20
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
