#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failures on every path rudma allocates on, in the style of the
# iommufd selftests' fail-nth tests: for N = 1, 2, ... the Nth allocation
# (kmalloc or page) of one operation fails, until the operation gets
# through with fewer than N.  Operations: attaching a device, its pool's
# first mapping (region reservation and the first slot), a slot's growth
# in an existing region (pool_cache_ms=0: every mapping needs a new slot);
# the two-stage API's are in faults_iova.sh.  Each run must succeed with
# correct data or fail with -ENOMEM, and leave rudma in a state where the
# operation then works; nothing may leak (the suite boots with kmemleak=on
# and the guest scans at the end) and the log must stay clean.
#
# Random failures under load are in faults_random.sh (suite faults-random).

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
ktap_set_plan 6

rudma_fail_nth_setup || ktap_exit_fail_msg "kernel without FAILSLAB/FAIL_PAGE_ALLOC/FAULT_INJECTION_DEBUG_FS"

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
D=/sys/kernel/debug/rudma_edu/$edu
rudma_insmod rudma || ktap_exit_fail_msg "rudma does not load"
A=$RUDMA_SYSFS/attach
DT=$RUDMA_SYSFS/detach

# Allocation failures make the page allocator complain; those lines are
# expected for the whole suite (they are not WARNs).
rudma_expect_begin faults 'page allocation failure|FAULT_INJECTION'

# No pool left behind: debugfs lists no pool.
no_pool() {
	! grep -q '^pool ' $RUDMA_POOLS
}

# After an attach run: attached with a working pool, or not attached at
# all (and attachable now).
attach_check() {
	if [ "$1" = ok ]; then
		rudma_attached_line $edu | grep -q 'pool=yes' && rudma_write $D/roundtrip 4095
	else
		! rudma_attached_line $edu >/dev/null &&
			rudma_write $A $edu && rudma_write $D/roundtrip 4095 &&
			rudma_write $DT $edu
	fi
}
attach_cleanup() {
	rudma_attached_line $edu >/dev/null && rudma_write $DT $edu
	no_pool || echo "# a pool outlived its device's detach"
}
rudma_test "fail-nth: attach" \
	rudma_fail_nth_sweep attach : $A $edu attach_check attach_cleanup

# The round trip's data is compared by rudma_edu (-EIO on a mismatch): a
# successful write is checked data.  After a failure the next one works.
rt_check() {
	[ "$1" = ok ] || rudma_write $D/roundtrip 4095
}
rudma_test "fail-nth: first mapping of a new pool" \
	rudma_fail_nth_sweep first-map "rudma_write $A $edu" $D/roundtrip "4095 100" rt_check \
	"rudma_write $DT $edu; no_pool"
rudma_test "fail-nth: first mapping of a sub-page size" \
	rudma_fail_nth_sweep first-map-small "rudma_write $A $edu" $D/roundtrip 64 rt_check \
	"rudma_write $DT $edu; no_pool"

# Slot growth in a reserved region: with caching off, every mapping takes
# a new slot (pages, IOMMU mapping) and frees it at unmap.
echo 0 > /sys/module/rudma/parameters/pool_cache_ms
rudma_write $A $edu
rudma_write $D/roundtrip 4095
rudma_test "fail-nth: slot growth (no cache)" \
	rudma_fail_nth_sweep slot-growth : $D/roundtrip 4095 rt_check :
rudma_test "pool: no slot in use after the slot-growth sweep" \
	test "$(rudma_pool_sum inuse)" = 0
rudma_write $DT $edu
echo 1000 > /sys/module/rudma/parameters/pool_cache_ms
rudma_test "no pool left after the sweeps" no_pool

rmmod rudma
rudma_unload_edu

rudma_expect_end faults
ktap_finished
