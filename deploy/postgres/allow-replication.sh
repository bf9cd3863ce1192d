#!/usr/bin/env bash
# docker-compose "scale" profile, primary: an init script of the postgres
# image (/docker-entrypoint-initdb.d/, run once when the database is made)
# that lets the replica make its copy (scripts/pg-standby.sh) and stream WAL:
# replication connections from the compose network, with a password.
set -eu
echo "host replication all samenet scram-sha-256" >>"$PGDATA/pg_hba.conf"
