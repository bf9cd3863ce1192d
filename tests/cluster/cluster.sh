#!/usr/bin/env bash
# The several-machines shape on one machine, for make test (tests/run.sh) and
# bench/cluster.sh: a streaming replica of the test primary (a second local
# cluster made by scripts/pg-standby.sh), two API nodes (Kore, scripts/api.sh)
# on ports of their own reading anonymous requests from the replica
# (DATABASE_REPLICA_URL), and nginx balancing between them with
# deploy/nginx/balancer.conf.template, run as root in the foreground with its
# pid, logs and temp files under <dir>.  Every port is free when picked.
#
#   cluster.sh start <dir>          start everything; writes <dir>/env
#   cluster.sh stop <dir>           stop everything it started
#   cluster.sh node-stop <dir> a|b  stop one API node (SIGTERM, waits)
#   cluster.sh node-start <dir> a|b start it again, on its port; waits for /healthz
#   cluster.sh replica-stop <dir> / replica-start <dir>
#   cluster.sh primary-restart <dir> stop the primary (fast) and start it again
#
# start needs, from the environment, the primary: DATABASE_URL (libpq
# key=value, host=127.0.0.1), PG_DIR and PG_PORT (scripts/pg.sh's folder and
# port), and the API's other settings (README: Configuration); each node gets
# them with its own API_PORT.  <dir> must be reachable by the postgres user.
# <dir>/env (KEY=value lines, shell-quoted: source it with set -a) says where everything is:
#   CLUSTER_URL      the balancer, http://127.0.0.1:<port>
#   NODE_A_URL, NODE_B_URL, NODE_A_PID, NODE_B_PID   the API nodes (direct: tests only)
#   REPLICA_PORT, REPLICA_DIR, DATABASE_REPLICA_URL  the standby
#   BALANCER_PID, BALANCER_LOG
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/free-port.sh"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: $0 start|stop|node-stop|node-start|replica-stop|replica-start|primary-restart <dir> [a|b]}
dir=${2:?usage: $0 $cmd <dir>}

say() { echo "cluster: $*"; }
die() { echo "cluster: $*" >&2; exit 1; }

# wait_for <seconds> <command...>: poll every 0.1 s until the command succeeds.
wait_for() {
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# stop_pid <pidfile>: SIGTERM, wait up to 10 s, then SIGKILL.
stop_pid() {
	local f=$1 p
	[ -f "$f" ] || return 0
	p=$(cat "$f")
	if kill -0 "$p" 2>/dev/null; then
		kill -TERM "$p" 2>/dev/null || true
		wait_for 10 bash -c "! kill -0 $p" || kill -KILL "$p" 2>/dev/null || true
	fi
	rm -f "$f"
}

node_start() {
	local n=$1
	[ -f "$dir/node-$n.env" ] || die "no $dir/node-$n.env: start the cluster first"
	# The node's settings, written by start; a new session so a test's
	# signal to the node reaches only it.
	(
		set -a
		. "$dir/node-$n.env"
		set +a
		exec setsid bash "$top/scripts/api.sh" "$dir/node-$n" \
		    >>"$dir/node-$n.log" 2>&1 </dev/null
	) &
	echo $! >"$dir/node-$n.pid"
	local port
	port=$(. "$dir/node-$n.env" && echo "$API_PORT")
	wait_for 30 curl -fs "http://127.0.0.1:$port/healthz" ||
	    { tail -20 "$dir/node-$n.log" >&2; die "API node $n did not answer /healthz"; }
}

replica_streaming() {
	[ "$(psql "$(. "$dir/env" && echo "$DATABASE_REPLICA_URL")" -XAtc \
	    "SELECT status FROM pg_stat_wal_receiver")" = streaming ]
}

case "$cmd" in
start)
	: "${DATABASE_URL:?DATABASE_URL (the primary) is required}"
	: "${PG_DIR:?PG_DIR is required}" "${PG_PORT:?PG_PORT is required}"
	mkdir -p "$dir"
	chmod 755 "$dir"
	dir=$(cd "$dir" && pwd)
	replica_port=$(free_port)
	mkdir -p "$dir/replica"
	chown postgres:postgres "$dir/replica"
	bash "$top/scripts/pg-standby.sh" "host=127.0.0.1 port=$PG_PORT user=postgres" \
	    "$dir/replica/data" >"$dir/replica.log" 2>&1 ||
	    { cat "$dir/replica.log" >&2; die "pg_basebackup failed"; }
	bash "$top/scripts/pg.sh" start "$dir/replica" "$replica_port" >>"$dir/replica.log" 2>&1 ||
	    { cat "$dir/replica.log" >&2; die "the replica did not start"; }
	replica_url="host=127.0.0.1 port=$replica_port dbname=interlibrary user=postgres"
	a_port=$(free_port)
	b_port=$(free_port)
	while [ "$b_port" = "$a_port" ]; do b_port=$(free_port); done
	lb_port=$(free_port)
	while [ "$lb_port" = "$a_port" ] || [ "$lb_port" = "$b_port" ]; do lb_port=$(free_port); done
	cat >"$dir/env" <<-ENV
	CLUSTER_URL=http://127.0.0.1:$lb_port
	NODE_A_URL=http://127.0.0.1:$a_port
	NODE_B_URL=http://127.0.0.1:$b_port
	REPLICA_PORT=$replica_port
	REPLICA_DIR=$dir/replica
	DATABASE_REPLICA_URL='$replica_url'
	BALANCER_LOG=$dir/nginx/error.log
	ENV
	wait_for 30 replica_streaming || die "the replica does not stream from the primary"
	say "replica on 127.0.0.1:$replica_port streams from the primary"

	# Each node: this environment (the API's settings), its own port, the
	# balancer's address as its public one, and the replica.
	for n in a b; do
		port=$a_port
		[ "$n" = b ] && port=$b_port
		{
			env | grep -E '^(DATABASE_URL|API_WORKERS|DB_POOL_PER_WORKER|DB_QUEUE_LIMIT|HASH_[A-Z_]*|PUBLIC_WEB_URL|SESSION_[A-Z_]*|LOGIN_[A-Z_]*|REGISTRATION[A-Z_]*|PASSWORD_RESET[A-Z_]*|REPLICA_MAX_LAG_MS)=' || true
			echo "API_LISTEN=127.0.0.1"
			echo "API_PORT=$port"
			echo "PUBLIC_API_URL=http://127.0.0.1:$lb_port"
			echo "DATABASE_REPLICA_URL=$replica_url"
			echo "TRUSTED_PROXIES=127.0.0.1"	# the balancer
		} | sed "s/'/'\\\\''/g; s/=\(.*\)/='\1'/" >"$dir/node-$n.env"
		node_start "$n"
		echo "NODE_$(echo "$n" | tr a-z A-Z)_PID=$(cat "$dir/node-$n.pid")" >>"$dir/env"
	done
	say "API nodes on 127.0.0.1:$a_port (a) and 127.0.0.1:$b_port (b)"

	# nginx: the template as docker-compose's nginx image renders it, in a
	# main configuration of our own (prefix, pid, logs and temp under <dir>).
	mkdir -p "$dir/nginx/temp"
	BALANCER_LISTEN="127.0.0.1:$lb_port" API_NODE_A="127.0.0.1:$a_port" \
	    API_NODE_B="127.0.0.1:$b_port" \
	    envsubst '${BALANCER_LISTEN} ${API_NODE_A} ${API_NODE_B}' \
	    <"$top/deploy/nginx/balancer.conf.template" |
	    sed "s|access_log /dev/stdout|access_log $dir/nginx/access.log|" \
	    >"$dir/nginx/balancer.conf"
	cat >"$dir/nginx/nginx.conf" <<-NGINX
	$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
	daemon off;
	worker_processes 1;
	pid $dir/nginx/nginx.pid;
	error_log $dir/nginx/error.log warn;
	events { worker_connections 1024; }
	http {
	  include /etc/nginx/mime.types;
	  client_body_temp_path $dir/nginx/temp/body;
	  proxy_temp_path $dir/nginx/temp/proxy;
	  fastcgi_temp_path $dir/nginx/temp/fastcgi;
	  uwsgi_temp_path $dir/nginx/temp/uwsgi;
	  scgi_temp_path $dir/nginx/temp/scgi;
	  include $dir/nginx/balancer.conf;
	}
	NGINX
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	"$nginx" -e "$dir/nginx/error.log" -p "$dir/nginx/" -c "$dir/nginx/nginx.conf" -t -q ||
	    die "the balancer's configuration is invalid"
	setsid "$nginx" -e "$dir/nginx/error.log" -p "$dir/nginx/" -c "$dir/nginx/nginx.conf" \
	    >>"$dir/nginx/stdout.log" 2>&1 </dev/null &
	echo $! >"$dir/balancer.pid"
	echo "BALANCER_PID=$!" >>"$dir/env"
	wait_for 10 curl -fs "http://127.0.0.1:$lb_port/healthz" ||
	    { cat "$dir/nginx/error.log" >&2; die "the balancer does not answer"; }
	say "balancer on 127.0.0.1:$lb_port"
	;;
stop)
	stop_pid "$dir/balancer.pid"
	stop_pid "$dir/node-a.pid"
	stop_pid "$dir/node-b.pid"
	bash "$top/scripts/pg.sh" stop "$dir/replica" >/dev/null 2>&1 || true
	;;
node-stop)
	n=${3:?a or b}
	stop_pid "$dir/node-$n.pid"
	;;
node-start)
	n=${3:?a or b}
	node_start "$n"
	;;
replica-stop)
	bash "$top/scripts/pg.sh" stop "$dir/replica"
	;;
replica-start)
	port=$(. "$dir/env" && echo "$REPLICA_PORT")
	bash "$top/scripts/pg.sh" start "$dir/replica" "$port" >>"$dir/replica.log" 2>&1
	wait_for 30 replica_streaming || die "the replica does not stream again"
	;;
primary-restart)
	: "${PG_DIR:?PG_DIR is required}" "${PG_PORT:?PG_PORT is required}"
	bash "$top/scripts/pg.sh" stop "$PG_DIR"
	bash "$top/scripts/pg.sh" start "$PG_DIR" "$PG_PORT"
	;;
*)
	die "unknown command $cmd"
	;;
esac
