#!/usr/bin/env bash
# `make bench`: every benchmark in turn (each starts and stops its own
# stack on 127.0.0.1).  Figures are ratios within one run: this machine is
# shared and noisy.  Run one alone with e.g. `bash bench/events.sh`.
set -uo pipefail
cd "$(dirname "$0")"
rc=0
for b in foundation members events reads feeds mentors series cluster; do
	[ -f "$b.sh" ] || continue
	echo
	bash "$b.sh" || rc=1
done
exit "$rc"
