#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# DMA_ATTR_PERSISTENT_STREAMING with QEMU's edu device as the consumer
# (rudma_edu's "persistent" check): one buffer mapped once, written by the
# CPU and read by the device, then written by the device and read by the
# CPU, with no dma_sync_*() call.  With the attribute every observation is
# fresh, with or without rudma's pool; without it, behind the pool, both
# directions see stale data -- the documented reason the attribute exists
# (checked here as expected behaviour).  On an untrusted device a
# persistent mapping of whole IOMMU granules is mapped in place; one that
# is not would let the device reach whatever shares its granules, and is
# refused (DMA_MAPPING_ERROR), reported once per device and counted.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
ktap_set_plan 16

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
D=/sys/kernel/debug/rudma_edu/$edu
PER=$D/persistent

# persistent_run ROUNDS ATTR WANT [PAGE]: WANT is "fresh=N stale=M";
# with PAGE 1 the buffer is a whole page instead of 256 bytes.
persistent_run() {
	rudma_write $PER "$1 $2 ${4:-0}" || return 1
	local got=$(cat $PER)
	[ "$got" = "$3" ] || { echo "# persistent $1 $2: $got, want $3"; return 1; }
}
# 64 persistent bytes amid a page of secret: refused, no secret reachable.
persistent_secret() {
	rudma_write $D/persistent_secret 1 || return 1
	local got=$(cat $D/persistent_secret)
	[ "$got" = "refused=1 leaked=0" ] || { echo "# persistent_secret: $got"; return 1; }
}
REFUSAL="driver rudma_edu maps DMA_ATTR_PERSISTENT_STREAMING buffers that are not whole IOMMU granules"


rudma_test "iommu-dma, attribute: all fresh" persistent_run 10 1 "fresh=20 stale=0"
rudma_test "iommu-dma, no attribute: all fresh (mapped in place)" persistent_run 10 0 "fresh=20 stale=0"
rudma_test "bad requests refused" sh -c ". '$here/lib.sh'
	rudma_expect_errno 'Invalid argument' rudma_write $PER '0 1' &&
	rudma_expect_errno 'Invalid argument' rudma_write $PER '101 1' &&
	rudma_expect_errno 'Invalid argument' rudma_write $PER '1 2' &&
	rudma_expect_errno 'Invalid argument' rudma_write $PER x"

rudma_insmod rudma
rudma_write $RUDMA_SYSFS/attach $edu || ktap_exit_fail_msg "attach failed"
p0=$(rudma_pool_stat persistent)
rudma_test "pool, attribute: all fresh" persistent_run 10 1 "fresh=20 stale=0"
p1=$(rudma_pool_stat persistent)
rudma_test "persistent mappings counted ($p0 -> $p1)" test $((p1 - p0)) -ge 1
rudma_test "pool, no attribute: stale both ways, as documented" persistent_run 10 0 "fresh=0 stale=20"
rudma_test "ordinary round trips still bounce correctly" rudma_write $D/roundtrip "4095 0"
rudma_test "no misuse reported" test "$(rudma_pool_stat bad)" = 0
rudma_write $RUDMA_SYSFS/detach $edu

# Untrusted: whole granules in place, anything less refused.
rudma_write $D/untrusted 1
rudma_write $RUDMA_SYSFS/attach $edu
w0=$(dmesg | grep -c "$REFUSAL")
rudma_test "untrusted, attribute, whole page: all fresh (in place)" \
	persistent_run 5 1 "fresh=10 stale=0" 1
rudma_test "untrusted, attribute, 256 bytes: refused" \
	rudma_expect_errno "Cannot allocate memory" rudma_write $PER "5 1"
rudma_test "untrusted, 64 persistent bytes amid a secret: refused, none reachable" \
	persistent_secret
w1=$(dmesg | grep -c "$REFUSAL")
rudma_test "refusal reported once, naming the driver" test $((w1 - w0)) = 1
rudma_test "refusals counted" test "$(rudma_pool_stat persistent_refused)" = 2
rudma_test "untrusted persistent mappings counted" \
	test "$(rudma_pool_stat persistent_untrusted)" -ge 3
rudma_test "untrusted: round trips through the pool" rudma_write $D/roundtrip "100 5"
rudma_test "detach" rudma_write $RUDMA_SYSFS/detach $edu
rudma_write $D/untrusted 0
rmmod rudma
rudma_unload_edu
ktap_finished
