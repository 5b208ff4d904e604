#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The consumer header include/rudma/dma-attrs.h must also build against a
# kernel without the rudma series: there DMA_ATTR_PERSISTENT_STREAMING
# must be 0 (so passing it changes nothing).  Compiled against a stand-in
# <linux/dma-mapping.h> that lacks the attribute, and one that has it (the
# series' value must win).  The modules' build covers the real header.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-clang}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/without/linux" "$tmp/with/linux"
echo '#define DMA_ATTR_PRIVILEGED (1UL << 9)' > "$tmp/without/linux/dma-mapping.h"
printf '%s\n' '#define DMA_ATTR_PRIVILEGED (1UL << 9)' \
	'#define DMA_ATTR_PERSISTENT_STREAMING (1UL << 31)' > "$tmp/with/linux/dma-mapping.h"
cat > "$tmp/t.c" <<'C'
#include <rudma/dma-attrs.h>
_Static_assert(DMA_ATTR_PERSISTENT_STREAMING == EXPECTED, "attribute value");
int main(void) { return 0; }
C
"$CC" -fsyntax-only -Wall -Werror -I"$TOP/include" -I"$tmp/without" \
	-DEXPECTED=0 "$tmp/t.c"
"$CC" -fsyntax-only -Wall -Werror -I"$TOP/include" -I"$tmp/with" \
	-DEXPECTED='(1UL << 31)' "$tmp/t.c"
echo "header-check: include/rudma/dma-attrs.h builds with and without the series"
