#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# DMA_ATTR_PERSISTENT_STREAMING with QEMU's edu device as the consumer
# (rudma_edu's "persistent" check): one buffer mapped once, written by the
# CPU and read by the device, then written by the device and read by the
# CPU, with no dma_sync_*() call.  With the attribute every observation is
# fresh, with or without rudma's pool; without it, behind the pool, both
# directions see stale data -- the documented reason the attribute exists
# (checked here as expected behaviour).  On an untrusted device the
# attribute is honoured, warned about once per device and counted.

. /rudma/ktap_helpers.sh
. /rudma/lib.sh

ktap_print_header
ktap_set_plan 14

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
D=/sys/kernel/debug/rudma_edu/$edu
PER=$D/persistent

# persistent_run ROUNDS ATTR WANT: WANT is "fresh=N stale=M".
persistent_run() {
	rudma_write $PER "$1 $2" || return 1
	local got=$(cat $PER)
	[ "$got" = "$3" ] || { echo "# persistent $1 $2: $got, want $3"; return 1; }
}

rudma_test "iommu-dma, attribute: all fresh" persistent_run 10 1 "fresh=20 stale=0"
rudma_test "iommu-dma, no attribute: all fresh (mapped in place)" persistent_run 10 0 "fresh=20 stale=0"
rudma_test "bad requests refused" sh -c ". /rudma/lib.sh
	rudma_expect_errno 'Invalid argument' rudma_write $PER '0 1' &&
	rudma_expect_errno 'Invalid argument' rudma_write $PER '101 1' &&
	rudma_expect_errno 'Invalid argument' rudma_write $PER '1 2' &&
	rudma_expect_errno 'Invalid argument' rudma_write $PER x"

insmod $RUDMA_MODDIR/rudma.ko
rudma_write $RUDMA_SYSFS/attach $edu || ktap_exit_fail_msg "attach failed"
p0=$(rudma_pool_stat persistent)
rudma_test "pool, attribute: all fresh" persistent_run 10 1 "fresh=20 stale=0"
p1=$(rudma_pool_stat persistent)
rudma_test "persistent mappings counted ($p0 -> $p1)" test $((p1 - p0)) -ge 1
rudma_test "pool, no attribute: stale both ways, as documented" persistent_run 10 0 "fresh=0 stale=20"
rudma_test "ordinary round trips still bounce correctly" rudma_write $D/roundtrip "4095 0"
rudma_test "no misuse reported" test "$(rudma_pool_stat bad)" = 0
rudma_write $RUDMA_SYSFS/detach $edu

# Untrusted: the attribute is honoured (in place, not bounced by anyone),
# warned about once per device, counted.
rudma_write $D/untrusted 1
rudma_write $RUDMA_SYSFS/attach $edu
w0=$(dmesg | grep -c "driver rudma_edu maps DMA_ATTR_PERSISTENT_STREAMING")
rudma_test "untrusted, attribute: all fresh" persistent_run 5 1 "fresh=10 stale=0"
rudma_test "untrusted, attribute again: all fresh" persistent_run 5 1 "fresh=10 stale=0"
w1=$(dmesg | grep -c "driver rudma_edu maps DMA_ATTR_PERSISTENT_STREAMING")
rudma_test "warned once, naming the driver" test $((w1 - w0)) = 1
rudma_test "untrusted persistent mappings counted" test "$(rudma_pool_stat persistent_untrusted)" -ge 2
rudma_test "untrusted: round trips through the pool" rudma_write $D/roundtrip "100 5"
rudma_test "detach" rudma_write $RUDMA_SYSFS/detach $edu
rudma_write $D/untrusted 0
rmmod rudma
rudma_unload_edu
ktap_finished
