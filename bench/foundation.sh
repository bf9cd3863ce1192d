#!/usr/bin/env bash
# Foundation: req/s and p99 of GET /healthz and GET /readyz (a query
# through the pool) next to nginx serving a small static JSON file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_start
mkdir -p "$BENCH_DIR/static"
printf '{"status":"ok"}' >"$BENCH_DIR/static/healthz.json"
bench_nginx "$BENCH_DIR/static" 18898

echo "== foundation (wrk -t2 -c${CONNS:-64} -d${DURATION}s, 2 API workers)"
wrk_run "nginx static json" "http://127.0.0.1:18898/healthz.json"; n_rps=$RPS; n_p99=$P99
wrk_run "api GET /healthz" "$API/healthz"; h_rps=$RPS; h_p99=$P99
wrk_run "api GET /readyz" "$API/readyz"; r_rps=$RPS; r_p99=$P99
echo
echo "ratios to nginx (req/s):  healthz $(ratio "$h_rps" "$n_rps")   readyz $(ratio "$r_rps" "$n_rps")"
echo "p99 ratios to nginx:      healthz $(ratio "$h_p99" "$n_p99")   readyz $(ratio "$r_p99" "$n_p99")"
