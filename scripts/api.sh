#!/usr/bin/env bash
# Run the API in the foreground: Kore without chroot or privilege drop
# (development and tests; production would use a dedicated user).
#
#   DATABASE_URL=... [API_PORT=8080 ...] scripts/api.sh <run_dir>
#
# Every other setting comes from the environment (README: Configuration);
# the API itself checks them and stops with a clear message on a bad one.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
run_dir=${1:?usage: $0 <run_dir>}
mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)
sed -e "s|@API_BUILD@|$top/api/build|" -e "s|@RUN_DIR@|$run_dir|" \
    "$top/api/conf/interlibrary.conf" \
    >"$run_dir/interlibrary.conf"
cd "$top/api"
exec stdbuf -oL -eL kore -fnr -c "$run_dir/interlibrary.conf"
