#!/usr/bin/env bash
# Install what Interlibrary needs on Debian 12, as root: Debian packages
# (only those missing, so a second run is quick) and, with "test", the
# npm packages of tests/ from its lock file.
#
#   scripts/install-deps.sh run     what `make run` needs
#   scripts/install-deps.sh test    what `make test` needs too
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-run}

pkgs=(kore libjansson-dev libsodium-dev libpq-dev gcc make
      postgresql-15 postgresql-client-15
      nginx-light curl ca-certificates coreutils)
if [ "$what" = test ]; then
	pkgs+=(clang libclang-rt-14-dev chromium docker-compose wrk
	       fonts-dejavu-core)
fi
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$what" = test ]; then
	cd "$top/tests"
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
		echo "install-deps: npm ci in tests/"
		npm ci --no-audit --no-fund --loglevel=error
	fi
fi
