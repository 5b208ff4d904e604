#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Protection behind the pool, with QEMU's edu device as the DMA master:
# an untrusted device reading a whole bounce slot sees only its caller's
# bytes and zeros -- never a secret planted in the rest of the caller's
# page, nor one a recycled slot held; and after detach none of the
# pool's slot IOVAs still translates.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
ktap_set_plan 6

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
D=/sys/kernel/debug/rudma_edu/$edu
rudma_insmod rudma

rudma_write $D/untrusted 1
rudma_write $RUDMA_SYSFS/attach $edu || ktap_exit_fail_msg "attach failed"
rudma_test "untrusted: a slot shows the caller's bytes and zeros only" rudma_write $D/secret 1
rudma_test "untrusted: again, from a recycled slot" rudma_write $D/secret 1
rudma_test "the secret checks were served by the pool (cache hits)" \
	test "$(rudma_pool_class 4096 hits)" -gt 0
base=$(rudma_pool_class 4096 base)
slots=$(rudma_pool_class 4096 slots)
rudma_test "a cached slot translates while attached ($base)" rudma_write $D/translated "$base"
rudma_write $RUDMA_SYSFS/detach $edu
rudma_write $D/untrusted 0
gone() {
	local i=0 iova
	while [ $i -lt "${slots:-0}" ]; do
		iova=$(printf '0x%x' $((base + i * 4096)))
		if rudma_write $D/translated $iova 2>/dev/null; then
			echo "# $iova still translates"
			return 1
		fi
		i=$((i + 1))
	done
	echo "# checked $i slot IOVAs from $base"
	[ $i -gt 0 ]
}
rudma_test "after detach no 4 KiB slot IOVA translates ($slots slots)" gone
rudma_test "nothing left in debugfs" sh -c "! grep -q '^pool ' $RUDMA_POOLS"
rmmod rudma
rudma_unload_edu
ktap_finished
