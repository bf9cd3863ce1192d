#!/usr/bin/env bash
# Prove README's two commands on a fresh Debian 12, on demand (never part
# of `make test`): build a minimal Debian 12 root with debootstrap, add
# only git, make and ca-certificates, give it this machine's Debian
# sources, apt settings, npm configuration and local CA certificates (so
# it reaches the registries the way a fresh machine on this network
# would, and nothing else this machine has), clone the committed HEAD of
# this checkout into it, then run inside it, as root:
#
#   make test    must end "N passed, 0 failed"
#   make run     must serve the demo (API /readyz and the web app), then
#                stop cleanly on SIGTERM
#
# and print how long each took.
#
#   scripts/fresh-debian.sh [root-dir]     default /var/lib/interlibrary/fresh-debian
#   KEEP_ROOT=1 scripts/fresh-debian.sh    keep the root afterwards
#
# The root shares this machine's network, so `make run` needs ports 8080
# and 8081 free here.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/lib/interlibrary/fresh-debian}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mounts=()

say() { printf '\n== fresh-debian: %s\n' "$*"; }

umount_all() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount -l "${mounts[$i]}" 2>/dev/null || true
	done
	mounts=()
}

cleanup() {
	[ -n "${run_pid:-}" ] && kill -TERM -- "-$run_pid" 2>/dev/null || true
	umount_all
	if [ -z "${KEEP_ROOT:-}" ] && [ -d "$root" ]; then
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT

in_root() { chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 "$@"; }

mount_in() {	# <type-or-bind> <source> <target> [options]
	mkdir -p "$root$3"
	if [ "$1" = bind ]; then
		mount --bind "$2" "$root$3"
	else
		mount -t "$1" ${4:+-o "$4"} "$2" "$root$3"
	fi
	mounts+=("$root$3")
}

for p in 8080 8081; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		echo "fresh-debian: port $p is in use here; make run inside needs it" >&2
		exit 1
	fi
done

command -v debootstrap >/dev/null || {
	say "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
}

if [ -e "$root" ]; then
	say "removing the previous root $root"
	rm -rf --one-file-system "$root"
fi
mkdir -p "$(dirname "$root")"

say "debootstrap bookworm (minbase) into $root"
t0=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { tail -20 "$root.debootstrap.log"; exit 1; }
rm -f "$root.debootstrap.log"
echo "debootstrap: $(( $(date +%s) - t0 )) s"

# This machine's Debian sources and apt settings; third-party sources
# (anything that is not a Debian archive) stay out.
rm -f "$root/etc/apt/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	grep -qE 'deb\.debian\.org|debian-security|snapshot\.debian\.org' "$f" || continue
	mkdir -p "$root$(dirname "$f")"
	cp "$f" "$root$f"
done
cp -n /etc/apt/apt.conf.d/* "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
cp /etc/resolv.conf "$root/etc/resolv.conf"
# npm's configuration (registry, CA file), as a fresh machine here has it.
for f in /root/.npmrc /etc/npmrc /usr/etc/npmrc; do
	[ -f "$f" ] || continue
	mkdir -p "$root$(dirname "$f")"
	cp "$f" "$root$f"
done

mount_in proc proc /proc
mount_in sysfs sys /sys
mount_in bind /dev /dev
mount_in bind /dev/pts /dev/pts
mount_in tmpfs tmpfs /dev/shm "mode=1777"
mount_in tmpfs tmpfs /run "mode=755"

# No init system runs in a chroot: services that packages would start
# (PostgreSQL's default cluster, nginx) stay stopped, as in any chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

say "apt-get install git make ca-certificates (nothing else)"
in_root apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -q \
    --no-install-recommends git make ca-certificates >/dev/null
# Local CA certificates of this network (its TLS egress), as an
# administrator installs them on any machine here.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
	in_root update-ca-certificates >/dev/null 2>&1
fi

say "cloning $(git -C "$top" rev-parse --short HEAD) into /srv/interlibrary"
[ -z "$(git -C "$top" status --porcelain)" ] ||
    echo "fresh-debian: note: uncommitted changes of $top are not part of the test"
git clone -q --no-hardlinks "$top" "$root/srv/interlibrary"

say "make test"
t0=$(date +%s)
set +e
in_root bash -c 'cd /srv/interlibrary && make test' 2>&1 | tee "$root/make-test.log"
test_rc=${PIPESTATUS[0]}
set -e
test_s=$(( $(date +%s) - t0 ))
summary=$(tail -1 "$root/make-test.log")

say "make run"
t0=$(date +%s)
setsid chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c 'cd /srv/interlibrary && exec make run' >"$root/make-run.log" 2>&1 &
run_pid=$!
run_ok=0
for _ in $(seq 1 1200); do
	if grep -q 'Interlibrary is running' "$root/make-run.log" &&
	    curl -fs http://127.0.0.1:8080/readyz >/dev/null &&
	    curl -fs http://127.0.0.1:8081/ | grep -q '<title>' &&
	    curl -fs http://127.0.0.1:8080/v1/organizations | grep -q springfield; then
		run_ok=1
		break
	fi
	kill -0 "$run_pid" 2>/dev/null || break
	sleep 0.5
done
run_s=$(( $(date +%s) - t0 ))
kill -TERM -- "-$run_pid" 2>/dev/null || true
wait "$run_pid" 2>/dev/null || true
run_pid=
tail -15 "$root/make-run.log"

say "results"
echo "make test: exit $test_rc in ${test_s} s: $summary"
if [ "$run_ok" = 1 ]; then
	echo "make run: served the demo ${run_s} s after it started"
else
	echo "make run: did NOT serve the demo (see above)"
fi
[ "$test_rc" = 0 ] && [ "$run_ok" = 1 ]
