#!/usr/bin/env bash
# Install what Interlibrary needs on Debian 12, as root: Debian packages
# (only those missing, so a second run is quick) and, with "test", the
# pinned Node.js of scripts/node-toolchain.sh and the npm packages of
# tests/ from its lock file.
#
#   scripts/install-deps.sh run     what `make run` needs (no Node.js)
#   scripts/install-deps.sh test    what `make test` needs too
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-run}

# libcurl4-openssl-dev: the mail sender's SMTP and URL parsing;
# python3-aiosmtpd: the local mail server of make run and make test;
# python3-icalendar: the tests read the calendar part of mail with it;
# jq: the README's curl examples, which the tests run, read answers with it.
# libical-dev: the API expands recurring events' rules (RFC 5545 RRULE);
# libxxhash-dev: the ETag of every answer (XXH3, http/reply.c);
# python3-dateutil, python3-recurring-ical-events: the tests check those
# expansions and the published series against independent implementations.
# nginx: the web app's server, and the balancer of the cluster tests
# (tests/cluster/cluster.sh; Debian 12's nginx-light is a transitional
# package that installs it); gettext-base: envsubst renders the nginx
# templates of docker-compose for the tests.
pkgs=(kore libjansson-dev libsodium-dev libpq-dev libcurl4-openssl-dev
      libical-dev libxxhash-dev pkg-config
      gcc make postgresql-15 postgresql-client-15
      nginx curl ca-certificates coreutils python3-aiosmtpd)
if [ "$what" = test ]; then
	pkgs+=(clang libclang-rt-14-dev chromium docker-compose wrk
	       fonts-dejavu-core python3-icalendar python3-dateutil
	       python3-recurring-ical-events jq gettext-base)
fi

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
	. "$top/scripts/node-toolchain.sh"
	node_toolchain_install
	node_toolchain_path
	cd "$top/tests"
	# Reinstall when the lock file or the Node.js release changed.
	stamp=node_modules/.installed-with
	if [ ! -d node_modules ] || [ package-lock.json -nt "$stamp" ] ||
	    [ "$(cat "$stamp" 2>/dev/null)" != "node $NODE_VERSION" ]; then
		echo "install-deps: npm ci in tests/ (node $NODE_VERSION, npm $NPM_VERSION)"
		# tests/.npmrc sets engine-strict: a package that does not
		# support this Node.js stops the install with EBADENGINE.
		npm ci --no-audit --no-fund --loglevel=warn
		echo "node $NODE_VERSION" >"$stamp"
	fi
fi
