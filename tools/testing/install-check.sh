#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make install as a user runs it, checked: a clean clone of this tree
# (HEAD: uncommitted changes are not in it) builds rudma's modules against
# the test kernel's tree and installs them into a staging root,
#
#   make KDIR=build/kernel-FLAVOUR modules
#   make KDIR=build/kernel-FLAVOUR install DESTDIR=STAGE
#
# then the staged tree is checked (the three modules in updates/rudma, no
# test module, depmod's modules.dep, MODULE_VERSION = git describe) and
# packed as a cpio that the suite "install" (install.sh) appends to the
# guest's initramfs and loads with modprobe.  make uninstall is checked
# on a copy of the staging root.
#
#   install-check.sh FLAVOUR OUT.cpio     (FLAVOUR: x86_64, arm64, x86_64-kasan ...)
#
# Prints one line per step; exit 1 at the first failure.

set -euo pipefail
export PATH=$PATH:/sbin:/usr/sbin

FLAVOUR=${1:?usage: install-check.sh FLAVOUR OUT.cpio}
OUT=${2:?usage: install-check.sh FLAVOUR OUT.cpio}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
KDIR=$TOP/build/kernel-$FLAVOUR
W=$TOP/build/install-check-$FLAVOUR
MODS=(rudma_core rudma rudma_iova)

say() { echo "install-check: $*"; }
die() { echo "install-check: FAILED: $*" >&2; exit 1; }

[ -f "$KDIR/Module.symvers" ] || die "$KDIR is not built (make kernel)"
git -C "$TOP" diff --quiet HEAD 2>/dev/null ||
	say "note: the tree has uncommitted changes; the clone checks HEAD"

rm -rf "$W"
mkdir -p "$W"
git clone --quiet --no-hardlinks "$TOP" "$W/src"
version=$(git -C "$W/src" describe --tags --dirty --always)
say "clone of $version in $W/src"

t0=$SECONDS
make -s -C "$W/src" KDIR="$KDIR" modules > "$W/build.log" 2>&1 ||
	{ tail -30 "$W/build.log" >&2; die "make KDIR=$KDIR modules (log: $W/build.log)"; }
make -s -C "$W/src" KDIR="$KDIR" install DESTDIR="$W/root" >> "$W/build.log" 2>&1 ||
	{ tail -30 "$W/build.log" >&2; die "make install DESTDIR=$W/root (log: $W/build.log)"; }
say "built and installed in $((SECONDS - t0))s"

krel=$(cat "$KDIR/include/config/kernel.release")
dir=$W/root/lib/modules/$krel/updates/rudma
got=$(cd "$dir" && ls | sort | tr '\n' ' ')
want=$(printf '%s.ko\n' "${MODS[@]}" | sort | tr '\n' ' ')
[ "$got" = "$want" ] || die "updates/rudma holds '$got', expected '$want'"
for m in "${MODS[@]}"; do
	v=$(modinfo -F version "$dir/$m.ko")
	[ "$v" = "$version" ] || die "$m.ko: version '$v', expected '$version'"
done
for m in "${MODS[@]}"; do
	grep -q "^updates/rudma/$m.ko:" "$W/root/lib/modules/$krel/modules.dep" ||
		die "modules.dep lacks updates/rudma/$m.ko"
done
say "staged $krel/updates/rudma: ${MODS[*]}, version $version, modules.dep ok"

# make uninstall, on a copy: everything install put there goes.
cp -a "$W/root" "$W/root-uninstall"
make -s -C "$W/src" KDIR="$KDIR" uninstall DESTDIR="$W/root-uninstall" >> "$W/build.log" 2>&1 ||
	die "make uninstall (log: $W/build.log)"
[ ! -e "$W/root-uninstall/lib/modules/$krel/updates/rudma" ] || die "uninstall left updates/rudma"
! grep -q rudma "$W/root-uninstall/lib/modules/$krel/modules.dep" ||
	die "modules.dep still names rudma after uninstall"
rm -rf "$W/root-uninstall"
say "make uninstall removed them"

# The guest's expectations, next to the staged modules.
mkdir -p "$W/root/rudma-install"
printf 'version=%s\nrelease=%s\nmodules=%s\n' "$version" "$krel" "${MODS[*]}" \
	> "$W/root/rudma-install/expect"
(cd "$W/root" && find . -print0 | sort -z | cpio --null -o -H newc -R 0:0 --quiet) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "$OUT"
