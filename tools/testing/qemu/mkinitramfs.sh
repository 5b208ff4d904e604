#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test guest's initramfs (an uncompressed newc cpio: fio's shared
# libraries make it ~90 MB, and unpacking plain cpio under TCG is faster
# than decompressing it).
#
#   mkinitramfs.sh ARCH KSRC OUT.cpio MODDIR
#
# Contents: busybox-static, fio with its shared libraries (the host's on
# x86_64; Debian's arm64 packages unpacked by guest-sysroot.sh on arm64),
# static C tools built for the guest, rudma's modules (MODDIR/*.ko, the
# flavour's module build directory), the kselftests and their suites in
# /rudma, the benchmark script and its fio job files (tools/testing/bench),
# the kernel's ktap_helpers.sh in /kselftest (the tests source
# ../kselftest/ktap_helpers.sh, as in a kselftest install), and /init.

set -euo pipefail

ARCH_NAME=${1:?usage: mkinitramfs.sh ARCH KSRC OUT MODDIR}
KSRC=${2:?usage: mkinitramfs.sh ARCH KSRC OUT MODDIR}
OUT=${3:?usage: mkinitramfs.sh ARCH KSRC OUT MODDIR}
MODDIR=${4:?usage: mkinitramfs.sh ARCH KSRC OUT MODDIR}
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
STAGE=$OUT.d

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }

# SYSROOT: where the guest's busybox, fio and libraries come from.
# CC: a compiler for the guest's static C tools.
case "$ARCH_NAME" in
x86_64)	SYSROOT=; TRIPLET=x86_64-linux-gnu; CC=(clang) ;;
arm64)	SYSROOT=$("$TOP/tools/testing/qemu/guest-sysroot.sh" arm64 "$(dirname "$OUT")/sysroot-arm64") ||
		die "no arm64 sysroot"
	TRIPLET=aarch64-linux-gnu; CC=(aarch64-linux-gnu-gcc) ;;
*) die "no guest userspace for '$ARCH_NAME'" ;;
esac

rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,lib/modules/rudma,rudma/suites,kselftest}
mknod -m 600 "$STAGE/dev/console" c 5 1
mknod -m 666 "$STAGE/dev/null" c 1 3

cp "$SYSROOT/bin/busybox" "$STAGE/bin/busybox"
file -L "$SYSROOT/bin/busybox" | grep -q 'statically linked' ||
	die "$SYSROOT/bin/busybox is not busybox-static"

# The dynamic section's NEEDED, RUNPATH/RPATH or interpreter of an ELF file.
elf_needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
elf_runpath() { readelf -d "$1" | sed -n 's/.*(R[UN]*PATH).*\[\(.*\)\]/\1/p' | tr ':' ' '; }
elf_interp() { readelf -l "$1" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p'; }

# A file of the sysroot, installed at the same path in the guest, its
# symlinks resolved inside the sysroot (absolute links point into it, not
# into the host).
install_file() {
	local path=$1 real=$1 t n=0
	while [ -L "$SYSROOT$real" ] && [ $n -lt 16 ]; do
		t=$(readlink "$SYSROOT$real")
		case "$t" in /*) real=$t ;; *) real=$(dirname "$real")/$t ;; esac
		n=$((n + 1))
	done
	[ -f "$SYSROOT$real" ] || die "$SYSROOT$path missing"
	[ -e "$STAGE$path" ] || install -D -m 755 "$SYSROOT$real" "$STAGE$path"
}

# A dynamically linked program with every library it needs (NEEDED,
# transitively, searched in RUNPATH and the multiarch directories), at the
# same paths: ld.so finds them without an ld.so.cache.
copy_prog() {
	local queue=("$1") seen=" " f lib d found
	install_file "$(elf_interp "$SYSROOT$1")"
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}; queue=("${queue[@]:1}")
		install_file "$f"
		for lib in $(elf_needed "$SYSROOT$f"); do
			case "$seen" in *" $lib "*) continue ;; esac
			seen="$seen$lib "
			found=
			for d in $(elf_runpath "$SYSROOT$f") /lib/$TRIPLET /usr/lib/$TRIPLET /lib /usr/lib; do
				[ -e "$SYSROOT$d/$lib" ] && { found=$d/$lib; break; }
			done
			[ -n "$found" ] || die "$f needs $lib, not found under ${SYSROOT:-/}"
			queue+=("$found")
		done
	done
}
copy_prog /usr/bin/fio

# The kernel's own DMA map benchmark tool (CONFIG_DMA_MAP_BENCHMARK),
# static, from the same tree.
"${CC[@]}" -static -O2 -w -I"$KSRC/include/uapi" -I"$KSRC/include" \
	-o "$STAGE/usr/bin/dma_map_benchmark" \
	"$KSRC/tools/testing/selftests/dma/dma_map_benchmark.c" ||
	die "cannot build dma_map_benchmark"
# fail_nth: one write(2) with its Nth allocation failing (suite faults).
"${CC[@]}" -static -O2 -Wall -Werror -o "$STAGE/usr/bin/fail_nth" \
	"$TOP/tools/testing/selftests/rudma/fail_nth.c" || die "cannot build fail_nth"

shopt -s nullglob
kos=("$MODDIR"/*.ko)
[ ${#kos[@]} -gt 0 ] || die "no modules built (run make modules)"
cp "${kos[@]}" "$STAGE/lib/modules/rudma/"

ST=$TOP/tools/testing/selftests/rudma
cp "$ST"/*.sh "$STAGE/rudma/"
cp "$ST"/suites/* "$STAGE/rudma/suites/"
for bin in "$ST"/bin/*; do cp "$bin" "$STAGE/rudma/"; done
# The layout of a kselftest install (make -C tools/testing/selftests/rudma
# install): the tests in rudma/, the kernel's helpers in kselftest/.
cp "$KSRC/tools/testing/selftests/kselftest/ktap_helpers.sh" "$STAGE/kselftest/"
# rudma-bench.sh finds its job files in fio/ next to it, as in the tree.
install -m 755 "$TOP/tools/testing/bench/rudma-bench.sh" "$STAGE/rudma/rudma-bench.sh"
mkdir -p "$STAGE/rudma/fio"
cp "$TOP"/tools/testing/bench/fio/*.fio "$STAGE/rudma/fio/"
install -m 755 "$TOP/tools/testing/qemu/init" "$STAGE/init"
install -m 755 "$TOP/tools/testing/qemu/run-suite" "$STAGE/rudma/run-suite"

(cd "$STAGE" && find . -print0 | sort -z | cpio --null -o -H newc -R 0:0 --quiet) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
rm -rf "$STAGE"
echo "mkinitramfs: $OUT ($(du -h "$OUT" | cut -f1))"
