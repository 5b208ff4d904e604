#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Refuses a kernel tree rudma's modules cannot be built against, before a
# file is compiled, with the reason and the fix:
#
#   tools/kdir-check.sh KDIR RUSTC
#
# KDIR must be a completely built 6.12 tree (in-tree or O= build) of a
# source with rudma's series applied: Module.symvers exporting every
# symbol the series adds, CONFIG_RUST=y and CONFIG_IOMMU_DMA_OPS_OVERRIDE=y,
# built by the same rustc as RUSTC (a Rust module links against the
# kernel crate's metadata, which only that rustc reads).

set -euo pipefail

KDIR=${1:?usage: kdir-check.sh KDIR RUSTC}
RUSTC=${2:?usage: kdir-check.sh KDIR RUSTC}
TOP=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "kdir-check: $KDIR: $*" >&2; exit 1; }
conf() { sed -n "s/^$1=//p" "$KDIR/.config"; }

[ -f "$KDIR/Makefile" ] || die "not a kernel tree (no Makefile)"
[ -f "$KDIR/.config" ] || die "not configured (no .config)"
[ -f "$KDIR/Module.symvers" ] ||
	die "not built (no Module.symvers): run 'make' in the tree first; Rust modules also need its rust/ metadata"
[ "$(conf CONFIG_MODULES)" = y ] || die "CONFIG_MODULES is not set"
[ "$(conf CONFIG_RUST)" = y ] ||
	die "CONFIG_RUST is not set (6.12: needs MODVERSIONS off and a rustc the kernel supports; see Documentation/admin-guide.rst)"
[ -f "$KDIR/rust/kernel.o" ] || [ -f "$KDIR/rust/libkernel.rmeta" ] ||
	die "the kernel crate is not built (rust/libkernel.rmeta): run 'make' in the tree"

krel=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null) || die "no include/config/kernel.release"
case "$krel" in
6.12.*|6.12) ;;
*) die "kernel $krel: rudma's series is for 6.12 only" ;;
esac

# The series: the source tree (O= builds link it as KDIR/source) must have
# it applied, and the built tree must export what it adds.
# A headers-only tree (a distribution's or DKMS's /lib/modules/R/build)
# has no drivers/iommu/dma-iommu.c to check the series against: there the
# headers the series changes must carry its declarations.
src=$KDIR
[ -e "$KDIR/source" ] && src=$(readlink -f "$KDIR/source")
if [ -f "$src/drivers/iommu/dma-iommu.c" ]; then
	if ! out=$("$TOP/tools/patches/series.sh" check "$src" 2>&1); then
		echo "$out" >&2
		die "rudma's series is not applied to $src (make patches-check / make apply-patches KSRC=$src)"
	fi
else
	grep -qs DMA_ATTR_PERSISTENT_STREAMING "$src/include/linux/dma-mapping.h" &&
		grep -qs iommu_map_nosync "$src/include/linux/iommu.h" ||
		die "headers-only tree without the series' declarations (include/linux/dma-mapping.h, iommu.h)"
fi
[ "$(conf CONFIG_IOMMU_DMA_OPS_OVERRIDE)" = y ] ||
	die "CONFIG_IOMMU_DMA_OPS_OVERRIDE is not set (the series' patch 0003): enable it and rebuild"
missing=()
for sym in $(sed -n 's/^+EXPORT_SYMBOL[_A-Z]*(\([A-Za-z0-9_]*\).*/\1/p' "$TOP"/patches/0*.patch | sort -u); do
	grep -q "[[:space:]]$sym[[:space:]]" "$KDIR/Module.symvers" || missing+=("$sym")
done
[ ${#missing[@]} -eq 0 ] ||
	die "Module.symvers lacks the series' exports (${missing[*]}): rebuild the tree after applying the series"

# The same rustc, by its version text (CONFIG_RUSTC_VERSION_TEXT).
want=$(conf CONFIG_RUSTC_VERSION_TEXT | tr -d '"')
have=$("$RUSTC" --version 2>/dev/null) || die "RUSTC=$RUSTC does not run"
[ -z "$want" ] || [ "$want" = "$have" ] ||
	die "built by '$want', but RUSTC=$RUSTC is '$have': give RUSTC= the compiler that built the kernel"

echo "kdir-check: $KDIR: $krel, series applied, CONFIG_RUST and CONFIG_IOMMU_DMA_OPS_OVERRIDE set, $have"
