#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the patched 6.12 kernel rudma is tested on.
#
#   build-kernel.sh ARCH BUILD_DIR [VARIANT]
#
# VARIANT (e.g. "kasan") adds tools/testing/qemu/VARIANT.config on top of
# the arch fragment and builds into BUILD_DIR/kernel-ARCH-VARIANT.
#
# Stages, each skipped when its content-hash stamp matches:
#   source  unpack Debian's linux-source-6.12 tarball, check its version,
#           apply patches/ in `series` order;
#   config  tinyconfig + tools/testing/qemu/{common,ARCH}.config (+ RUDMA_EXTRA_CONFIG
#           fragments), every requested symbol checked;
#   build   bzImage/Image + Module.symvers, ready for M= module builds.
#
# The kernel and all rudma modules are built with the same rustc
# (Debian's /usr/bin/rustc): PATH puts /usr/bin first.

set -euo pipefail

ARCH_NAME=${1:?usage: build-kernel.sh ARCH BUILD_DIR}
BUILD=${2:?usage: build-kernel.sh ARCH BUILD_DIR}
VARIANT=${3:-}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TARBALL=${RUDMA_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
KVER_EXPECTED=6.12.117
export PATH=/usr/bin:/usr/local/bin:$PATH
# A kernel build of its own: not silenced or throttled by a calling make.
unset MAKEFLAGS MFLAGS MAKELEVEL

case "$ARCH_NAME" in
x86_64)	KARCH=x86_64; IMAGE=arch/x86/boot/bzImage; CROSS= ;;
arm64)	KARCH=arm64;  IMAGE=arch/arm64/boot/Image; CROSS= ;;
*)	echo "build-kernel: unknown arch '$ARCH_NAME' (x86_64, arm64)" >&2; exit 2 ;;
esac

KSRC=$BUILD/linux-source-6.12
KOBJ=$BUILD/kernel-$ARCH_NAME${VARIANT:+-$VARIANT}
FRAGS=("$TOP/tools/testing/qemu/common.config" "$TOP/tools/testing/qemu/$ARCH_NAME.config")
if [ -n "$VARIANT" ]; then
	[ -f "$TOP/tools/testing/qemu/$VARIANT.config" ] ||
		{ echo "build-kernel: no fragment for variant '$VARIANT'" >&2; exit 2; }
	FRAGS+=("$TOP/tools/testing/qemu/$VARIANT.config")
fi
for f in ${RUDMA_EXTRA_CONFIG:-}; do FRAGS+=("$TOP/$f"); done
KMAKE=(make -C "$KSRC" O="$KOBJ" ARCH="$KARCH" LLVM=1 RUSTC=/usr/bin/rustc
       BINDGEN=/usr/local/bin/bindgen -j"$(nproc)")

log() { echo "build-kernel: $*"; }
die() { echo "build-kernel: error: $*" >&2; exit 1; }

[ -r "$TARBALL" ] || die "$TARBALL not found (run tools/testing/deps.sh)"
[ -f "$TOP/patches/series" ] || die "patches/series missing"

# Patches named in the series, in order; comments and blank lines ignored.
mapfile -t PATCHES < <(grep -Ev '^[[:space:]]*(#|$)' "$TOP/patches/series")
for p in "${PATCHES[@]}"; do
	[ -f "$TOP/patches/$p" ] || die "series names patches/$p, which does not exist"
done

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

mkdir -p "$BUILD"

# --- source -----------------------------------------------------------------
# The tarball is hashed by its identity (size, mtime, dpkg version), not its
# 150 MB of content, to keep the no-op path fast.
tar_id=$(stat -c '%s %Y' "$TARBALL"; dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
src_hash=$( { echo "$tar_id"; for p in "${PATCHES[@]}"; do echo "$p"; cat "$TOP/patches/$p"; done; } | sha256sum | cut -d' ' -f1)
src_stamp=$BUILD/.stamp-source
if [ "$(cat "$src_stamp" 2>/dev/null)" != "$src_hash" ] || [ ! -f "$KSRC/Makefile" ]; then
	log "unpacking $TARBALL"
	old_touched=()
	[ -f "$BUILD/.patched-files" ] && mapfile -t old_touched < "$BUILD/.patched-files"
	# Keep the previously patched files, with their mtimes: a file the new
	# series leaves as it was keeps its old mtime, so it rebuilds nothing.
	prev=$BUILD/.patched-prev
	rm -rf "$prev"
	for f in "${old_touched[@]}"; do
		[ -e "$KSRC/$f" ] && install -D -p "$KSRC/$f" "$prev/$f"
	done
	rm -rf "$KSRC" "$src_stamp"
	tar -C "$BUILD" -xf "$TARBALL"
	[ -f "$KSRC/Makefile" ] || die "tarball did not unpack to $KSRC"
	kver=$(make -s -C "$KSRC" kernelversion)
	[ "$kver" = "$KVER_EXPECTED" ] ||
		die "kernel source is $kver, rudma's patch series is for $KVER_EXPECTED only"
	: > "$BUILD/.patched-files.new"
	for p in "${PATCHES[@]}"; do
		log "applying $p"
		patch -d "$KSRC" -p1 --forward --no-backup-if-mismatch -s < "$TOP/patches/$p" ||
			die "patches/$p does not apply to $KVER_EXPECTED"
		sed -n 's|^+++ b/||p' "$TOP/patches/$p" >> "$BUILD/.patched-files.new"
	done
	# Files patched now or by the previous series get a fresh mtime, so the
	# kept object tree rebuilds exactly what changed, including files whose
	# patch was dropped (they went back to the tarball's older mtime).
	for f in "${old_touched[@]}" $(cat "$BUILD/.patched-files.new"); do
		[ -e "$KSRC/$f" ] || continue
		if [ -e "$prev/$f" ] && cmp -s "$prev/$f" "$KSRC/$f"; then
			touch -r "$prev/$f" "$KSRC/$f"
		else
			touch "$KSRC/$f"
		fi
	done
	rm -rf "$prev"
	mv "$BUILD/.patched-files.new" "$BUILD/.patched-files"
	echo "$src_hash" > "$src_stamp"
fi

# --- config -----------------------------------------------------------------
tool_id=$(/usr/bin/rustc --version; clang --version | head -1; /usr/local/bin/bindgen --version)
cfg_hash=$( { echo "$src_hash"; echo "$tool_id"; cat "${FRAGS[@]}"; } | sha256sum | cut -d' ' -f1)
cfg_stamp=$KOBJ/.stamp-config
if [ "$(cat "$cfg_stamp" 2>/dev/null)" != "$cfg_hash" ] || [ ! -f "$KOBJ/.config" ]; then
	log "configuring $ARCH_NAME (tinyconfig + ${FRAGS[*]#$TOP/})"
	rm -f "$cfg_stamp" "$KOBJ/.stamp-build"
	mkdir -p "$KOBJ"
	"${KMAKE[@]}" -s tinyconfig
	"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KOBJ" "$KOBJ/.config" "${FRAGS[@]}" >/dev/null
	"${KMAKE[@]}" -s olddefconfig
	# Each symbol's last request counts: a later fragment (the variant's)
	# overrides an earlier one, as merge_config.sh does.
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$KOBJ/.config" || {
				echo "build-kernel: requested '$line', got '$(grep -E "^(# )?${line%%=*}[= ]" "$KOBJ/.config" || echo unset)'" >&2
				bad=1; }
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			! grep -q "^$sym=" "$KOBJ/.config" || {
				echo "build-kernel: requested $sym off, but it is on" >&2; bad=1; }
			;;
		esac
	done < <(awk '/^CONFIG_[A-Za-z0-9_]+=/ { s = $0; sub(/=.*/, "", s); last[s] = $0 }
		      /^# CONFIG_[A-Za-z0-9_]+ is not set$/ { last[$2] = $0 }
		      END { for (s in last) print last[s] }' "${FRAGS[@]}")
	[ $bad -eq 0 ] || die "config fragment not honoured (unmet dependencies above)"
	echo "$cfg_hash" > "$cfg_stamp"
fi

# --- build ------------------------------------------------------------------
build_stamp=$KOBJ/.stamp-build
if [ "$(cat "$build_stamp" 2>/dev/null)" != "$cfg_hash" ] || [ ! -f "$KOBJ/$IMAGE" ] ||
   [ ! -f "$KOBJ/Module.symvers" ]; then
	log "building $ARCH_NAME kernel (log: $KOBJ/build.log)"
	start=$(date +%s)
	# A heartbeat every minute: elapsed time and the build's last stage
	# (its latest line), so a 5-10 minute build is not silent.
	(
		while sleep 60; do
			log "building $ARCH_NAME: $(( ($(date +%s) - start) / 60 ))m elapsed," \
				"last: $(tail -n1 "$KOBJ/build.log" 2>/dev/null | cut -c1-90)"
		done
	) &
	heartbeat=$!
	rc=0
	"${KMAKE[@]}" all > "$KOBJ/build.log" 2>&1 || rc=$?
	kill "$heartbeat" 2>/dev/null
	wait "$heartbeat" 2>/dev/null || true
	if [ $rc -ne 0 ]; then
		tail -40 "$KOBJ/build.log" >&2
		die "kernel build failed (full log: $KOBJ/build.log)"
	fi
	rel=$("${KMAKE[@]}" -s kernelrelease)
	echo "$rel" > "$KOBJ/KERNELRELEASE"
	echo "$cfg_hash" > "$build_stamp"
	log "built $rel in $(( $(date +%s) - start ))s"
fi
log "kernel $(cat "$KOBJ/KERNELRELEASE") ready: $KOBJ/$IMAGE"
