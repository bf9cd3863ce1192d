#!/usr/bin/env bash
# Make a PostgreSQL streaming replica (a hot standby) of a running primary:
# pg_basebackup copies the primary's data folder over a replication
# connection and, with -R, writes standby.signal and primary_conninfo, so the
# copy starts as a standby that follows the primary.  Nothing happens when
# <datadir> already holds a cluster (a restart keeps the standby it has).
#
#   scripts/pg-standby.sh <primary conninfo> <datadir>
#
# Run as the user that will own the cluster (postgres): as root, it runs
# pg_basebackup as postgres.  The primary must allow a replication
# connection from here in pg_hba.conf (initdb's default allows it from
# 127.0.0.1; deploy/postgres/allow-replication.sh for docker-compose) and
# have wal_level replica (the default) and a free WAL sender (max_wal_senders,
# 10 by default).  Used by tests/cluster/cluster.sh (make test) and by the
# replica service of docker-compose's "scale" profile.  A password comes from
# PGPASSWORD, never from the command line.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/pg_basebackup" ] || PGBIN=$(dirname "$(command -v pg_basebackup)")
primary=${1:?usage: $0 <primary conninfo> <datadir>}
datadir=${2:?usage: $0 <primary conninfo> <datadir>}

if [ -f "$datadir/PG_VERSION" ]; then
	echo "pg-standby: $datadir already holds a cluster; keeping it"
	exit 0
fi

run() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- env ${PGPASSWORD:+PGPASSWORD="$PGPASSWORD"} "$@"
	else
		"$@"
	fi
}

# Wait (bounded) for the primary: in docker-compose it may still be starting.
for _ in $(seq 1 60); do
	run "$PGBIN/pg_isready" -q -d "$primary" && break
	sleep 1
done

# -X stream: the WAL written during the copy comes over a second connection,
# so the copy is consistent however busy the primary is; -c fast: start with
# an immediate checkpoint instead of waiting for the next one.
run "$PGBIN/pg_basebackup" -d "$primary" -D "$datadir" -R -X stream -c fast \
    --no-sync -w
[ -f "$datadir/standby.signal" ] || { echo "pg-standby: no standby.signal in $datadir" >&2; exit 1; }
echo "pg-standby: $datadir is a standby of the primary"
