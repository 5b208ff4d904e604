#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test guest's initramfs (an uncompressed newc cpio: fio's shared
# libraries make it ~90 MB, and unpacking plain cpio under TCG is faster
# than decompressing it).
#
#   mkinitramfs.sh ARCH KSRC OUT.cpio
#
# Contents: busybox-static, fio with its shared libraries, rudma's modules
# (*.ko at the top of the tree), the kselftests and their suites, the
# benchmark script and its fio job files (tools/testing/bench), the
# kernel's ktap_helpers.sh, and /init.

set -euo pipefail

ARCH_NAME=${1:?usage: mkinitramfs.sh ARCH KSRC OUT}
KSRC=${2:?usage: mkinitramfs.sh ARCH KSRC OUT}
OUT=${3:?usage: mkinitramfs.sh ARCH KSRC OUT}
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
STAGE=$OUT.d

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }

case "$ARCH_NAME" in
x86_64) ;;
*) die "no guest userspace for '$ARCH_NAME' yet" ;;
esac

rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,lib/modules/rudma,rudma/suites}
mknod -m 600 "$STAGE/dev/console" c 5 1
mknod -m 666 "$STAGE/dev/null" c 1 3

cp /bin/busybox "$STAGE/bin/busybox"
file -L /bin/busybox | grep -q 'statically linked' || die "/bin/busybox is not busybox-static"

# A dynamically linked program with every library it needs, at the same paths.
copy_prog() {
	local prog=$1 lib
	install -D -m 755 "$prog" "$STAGE$prog"
	for lib in $(ldd "$prog" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}'); do
		[ -e "$STAGE$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$STAGE$lib"
	done
}
copy_prog /usr/bin/fio

# The kernel's own DMA map benchmark tool (CONFIG_DMA_MAP_BENCHMARK),
# static, from the same tree.
clang -static -O2 -w -I"$KSRC/include/uapi" -I"$KSRC/include" \
	-o "$STAGE/usr/bin/dma_map_benchmark" \
	"$KSRC/tools/testing/selftests/dma/dma_map_benchmark.c" ||
	die "cannot build dma_map_benchmark"
# fail_nth: one write(2) with its Nth allocation failing (suite faults).
clang -static -O2 -Wall -Werror -o "$STAGE/usr/bin/fail_nth" \
	"$TOP/tools/testing/selftests/rudma/fail_nth.c" || die "cannot build fail_nth"

shopt -s nullglob
kos=("$TOP"/*.ko)
[ ${#kos[@]} -gt 0 ] || die "no modules built (run make modules)"
cp "${kos[@]}" "$STAGE/lib/modules/rudma/"

ST=$TOP/tools/testing/selftests/rudma
cp "$ST"/*.sh "$STAGE/rudma/"
cp "$ST"/suites/* "$STAGE/rudma/suites/"
for bin in "$ST"/bin/*; do cp "$bin" "$STAGE/rudma/"; done
cp "$KSRC/tools/testing/selftests/kselftest/ktap_helpers.sh" "$STAGE/rudma/"
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
