#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The consumer headers must build against kernels they do not come from:
# - include/rudma/dma-attrs.h without the rudma series, where
#   DMA_ATTR_PERSISTENT_STREAMING must be 0 (passing it changes nothing),
#   and with it (the series' value must win);
# - include/rudma/dma-iova.h on a kernel whose <linux/dma-mapping.h> has
#   the two-stage API (6.16+: the header must add nothing) and on one
#   without it (6.12: it declares the API).
# Compiled against stand-in kernel headers; the modules' build covers the
# real 6.12 ones.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-clang}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/without/linux" "$tmp/with/linux"
common='#pragma once
typedef unsigned long long u64; typedef u64 dma_addr_t, phys_addr_t;
typedef __SIZE_TYPE__ size_t; typedef _Bool bool; struct device;
enum dma_data_direction { DMA_BIDIRECTIONAL };
#define DMA_ATTR_PRIVILEGED (1UL << 9)'
for d in without with; do
	printf '#pragma once\n#define BIT_ULL(n) (1ULL << (n))\n' > "$tmp/$d/linux/bits.h"
done
printf '%s\n' "$common" > "$tmp/without/linux/dma-mapping.h"
# A 6.16-like header: the attribute and the two-stage API are there.
printf '%s\n' "$common" '#define DMA_ATTR_PERSISTENT_STREAMING (1UL << 31)' \
	'struct dma_iova_state { dma_addr_t addr; u64 __size; };' \
	'#define DMA_IOVA_USE_SWIOTLB (1ULL << 63)' \
	'bool dma_iova_try_alloc(struct device *, struct dma_iova_state *, phys_addr_t, size_t);' \
	> "$tmp/with/linux/dma-mapping.h"
cat > "$tmp/t.c" <<'C'
#include <rudma/dma-attrs.h>
#include <rudma/dma-iova.h>
_Static_assert(DMA_ATTR_PERSISTENT_STREAMING == EXPECTED, "attribute value");
bool consumer(struct device *dev, struct dma_iova_state *s)
{
	return dma_iova_try_alloc(dev, s, 0, 4096) && s->addr;
}
C
"$CC" -fsyntax-only -Wall -Werror -I"$TOP/include" -I"$tmp/without" \
	-DEXPECTED=0 "$tmp/t.c"
"$CC" -fsyntax-only -Wall -Werror -I"$TOP/include" -I"$tmp/with" \
	-DEXPECTED='(1UL << 31)' "$tmp/t.c"
echo "header-check: include/rudma/{dma-attrs,dma-iova}.h build on 6.12-like and 6.16-like kernels"
