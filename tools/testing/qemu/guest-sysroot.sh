#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest's userspace for a foreign architecture: Debian's own
# busybox-static and fio (the same versions as the x86-64 guest's) with
# every package they depend on, downloaded from the archive and unpacked
# into a directory.  Nothing is installed on the host.
#
#   guest-sysroot.sh ARCH DIR
#
# Prints DIR when it is ready.  x86_64 guests use the host's own files and
# need no sysroot.  The download is resolved against an empty dpkg status,
# so the whole dependency closure is fetched whatever the host has; the
# unpacked tree is reused while the package list (names and versions) is
# unchanged.  Needs `dpkg --add-architecture ARCH` (tools/testing/deps.sh).

set -euo pipefail

ARCH_NAME=${1:?usage: guest-sysroot.sh ARCH DIR}
DIR=${2:?usage: guest-sysroot.sh ARCH DIR}
PKGS=(busybox-static fio)

die() { echo "guest-sysroot: error: $*" >&2; exit 1; }

case "$ARCH_NAME" in
arm64) DEBARCH=arm64 ;;
*) die "no foreign sysroot for '$ARCH_NAME' (x86_64 guests use the host's files)" ;;
esac
dpkg --print-foreign-architectures | grep -qx "$DEBARCH" ||
	die "dpkg has no $DEBARCH architecture (run tools/testing/deps.sh)"

CACHE=$DIR.debs
mkdir -p "$CACHE/partial"
: > "$CACHE/empty-status"
apt_opts=(-qq -o "Dir::State::status=$CACHE/empty-status"
	  -o "Dir::Cache::archives=$CACHE" -o APT::Install-Recommends=false
	  -o Debug::NoLocking=1)
# The closure as apt resolves it from nothing, "Inst name (version ...
# [arch])", keeping the guest's architecture and "all": host-architecture
# packages come in only through the maintainer scripts' dependencies of
# "all" packages (perl, debconf), which the guest never runs.
plan=$(apt-get "${apt_opts[@]}" -s install "${PKGS[@]/%/:$DEBARCH}" 2>/dev/null |
	sed -n 's/^Inst \([^ :]*\)[^ ]* (\([^ ]*\) .*\[\([a-z0-9]*\)\]).*/\1 \2 \3/p' |
	awk -v a="$DEBARCH" '$3 == a || $3 == "all"' | sort) ||
	die "apt cannot resolve ${PKGS[*]} for $DEBARCH (apt-get update?)"
[ -n "$plan" ] || die "apt resolved nothing for ${PKGS[*]}:$DEBARCH"
want=$(echo "$plan" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$DIR/.stamp" 2>/dev/null)" = "$want" ]; then
	echo "$DIR"
	exit 0
fi

echo "guest-sysroot: downloading $(echo "$plan" | wc -l) packages for $DEBARCH" >&2
apt-get "${apt_opts[@]}" -y --download-only install "${PKGS[@]/%/:$DEBARCH}" >&2 ||
	die "download failed"
rm -rf "$DIR"
mkdir -p "$DIR"
while read -r name ver arch; do
	# apt's archive file names escape the epoch's colon as %3a.
	f=$CACHE/${name}_${ver/:/%3a}_$arch.deb
	[ -f "$f" ] || die "$name $ver ($arch) was not downloaded"
	dpkg-deb -x "$f" "$DIR"
done <<< "$plan"
[ -x "$DIR/bin/busybox" ] && [ -x "$DIR/usr/bin/fio" ] || die "unpacked tree lacks busybox or fio"
echo "$want" > "$DIR/.stamp"
echo "$DIR"
