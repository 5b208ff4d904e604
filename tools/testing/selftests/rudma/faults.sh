#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failures on every path rudma allocates on, in the style of the
# iommufd selftests' fail-nth tests: for N = 1, 2, ... the Nth allocation
# (kmalloc or page) of one operation fails, until the operation gets
# through with fewer than N.  Operations: attaching a device, its pool's
# first mapping (region reservation and the first slot), a slot's growth
# in an existing region (pool_cache_ms=0: every mapping needs a new slot),
# and a two-stage reservation with its links.  Each run must succeed with
# correct data or fail with -ENOMEM, and leave rudma in a state where the
# operation then works; nothing may leak (the suite boots with kmemleak=on
# and the guest scans at the end) and the log must stay clean.
#
# Then random failures of rudma's own allocations (fail_page_alloc and
# failslab limited to call stacks through rudma.ko) under fio verify on a
# pool of two slots per class: every failure falls back or retries, no
# data is lost.

. /rudma/ktap_helpers.sh
. /rudma/lib.sh

MAX=${RUDMA_FAIL_NTH_MAX:-300}
FI=/sys/kernel/debug
ENOMEM=12

ktap_print_header
ktap_set_plan 13

[ -d $FI/failslab ] && [ -d $FI/fail_page_alloc ] && [ -e /proc/thread-self/fail-nth ] ||
	ktap_exit_fail_msg "kernel without FAILSLAB/FAIL_PAGE_ALLOC/FAULT_INJECTION_DEBUG_FS"

# fail-nth counts only allocations the fault attributes do not ignore:
# include sleeping ones and order-0 pages, and keep the log readable.
for f in failslab fail_page_alloc; do
	echo N > $FI/$f/ignore-gfp-wait
	echo 0 > $FI/$f/verbose
done
echo 0 > $FI/fail_page_alloc/min-order

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
D=/sys/kernel/debug/rudma_edu/$edu
insmod $RUDMA_MODDIR/rudma.ko || ktap_exit_fail_msg "rudma does not load"
A=$RUDMA_SYSFS/attach
DT=$RUDMA_SYSFS/detach

# Allocation failures make the page allocator complain; those lines are
# expected for the whole suite (they are not WARNs).
rudma_expect_begin faults 'page allocation failure|FAULT_INJECTION'

# sweep NAME PREPARE FILE DATA VERIFY CLEANUP
#   For N = 1.. : run PREPARE, write DATA to FILE with the Nth allocation
#   failing, run VERIFY (given "ok" or "failed"), then CLEANUP.  A write
#   must succeed or fail with ENOMEM; VERIFY must hold after both.
sweep() {
	local name=$1 prep=$2 file=$3 data=$4 verify=$5 cleanup=$6
	local n=1 ret err inj ok=0 failed=0 bad=0 how out
	while :; do
		echo "rudma-faults: $name N=$n" > /dev/kmsg
		if ! eval "$prep"; then
			echo "# $name: N=$n: set-up failed"
			bad=$((bad + 1))
			break
		fi
		# A write that hangs fails the sweep with the blocked tasks'
		# stacks in the log (sysrq-w) instead of stalling the suite.
		out=$(timeout 60 fail_nth $n "$file" "$data")
		if [ $? -ne 0 ]; then
			echo "# $name: N=$n: fail_nth did not finish"
			echo w > /proc/sysrq-trigger
			bad=$((bad + 1))
			break
		fi
		read -r ret err inj <<-EOF
		$out
		EOF
		if [ "$ret" -ge 0 ] 2>/dev/null; then
			ok=$((ok + 1)) how=ok
		elif [ "$err" = $ENOMEM ]; then
			failed=$((failed + 1)) how=failed
		else
			echo "# $name: N=$n: write returned $ret errno $err"
			bad=$((bad + 1)) how=failed
		fi
		if ! eval "$verify $how"; then
			echo "# $name: N=$n ($how): check failed"
			bad=$((bad + 1))
		fi
		eval "$cleanup"
		[ "$inj" = 1 ] || break
		n=$((n + 1))
		if [ $n -gt $MAX ]; then
			echo "# $name: still failing at N=$MAX"
			bad=$((bad + 1))
			break
		fi
	done
	echo "# $name: $n allocation points, $failed failed with ENOMEM, $ok got through, $bad bad"
	[ $bad -eq 0 ] && [ $failed -gt 0 ]
}

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
	sweep attach : $A $edu attach_check attach_cleanup

# The round trip's data is compared by rudma_edu (-EIO on a mismatch): a
# successful write is checked data.  After a failure the next one works.
rt_check() {
	[ "$1" = ok ] || rudma_write $D/roundtrip 4095
}
rudma_test "fail-nth: first mapping of a new pool" \
	sweep first-map "rudma_write $A $edu" $D/roundtrip "4095 100" rt_check \
	"rudma_write $DT $edu; no_pool"
rudma_test "fail-nth: first mapping of a sub-page size" \
	sweep first-map-small "rudma_write $A $edu" $D/roundtrip 64 rt_check \
	"rudma_write $DT $edu; no_pool"

# Slot growth in a reserved region: with caching off, every mapping takes
# a new slot (pages, IOMMU mapping) and frees it at unmap.
echo 0 > /sys/module/rudma/parameters/pool_cache_ms
rudma_write $A $edu
rudma_write $D/roundtrip 4095
rudma_test "fail-nth: slot growth (no cache)" \
	sweep slot-growth : $D/roundtrip 4095 rt_check :
rudma_test "pool: no slot in use after the slot-growth sweep" \
	test "$(rudma_pool_sum inuse)" = 0
rudma_write $DT $edu
echo 1000 > /sys/module/rudma/parameters/pool_cache_ms
rudma_test "no pool left after the sweeps" no_pool

# Two-stage: reserve, pin and link 16 pages, sync, device checks, unlink,
# destroy -- any allocation of it failing.  Not attached to the pool.
# A successful run checked every byte (bad=0; classic mode when the
# reservation itself failed); after a failed one the next run works.
iova_check() {
	if [ "$1" = ok ]; then
		grep -q ' bad=0$' $D/iova
	else
		dd if=/dev/zero of=$D/iova bs=65536 count=1 2>/dev/null &&
			grep -q '^mode=iova .* bad=0$' $D/iova
	fi
}
rudma_test "fail-nth: two-stage reservation and links" \
	sweep two-stage : $D/iova @65536 iova_check :

rmmod rudma_edu
dmesg -c >/dev/null
rmmod rudma_iova
rudma_test "rudma_iova: no reservation left behind" \
	sh -c '! dmesg | grep -q "reservations were never freed"'

# Random failures of rudma's own allocations under load.  The fault
# attributes fail only when a frame of rudma.ko's text is on the stack
# (require-start/-end), so the NVMe driver, fio and the page cache are
# not hit directly -- only through the DMA mappings rudma makes.
rmmod rudma
insmod $RUDMA_MODDIR/rudma.ko pool_slots=2
nvme=$(rudma_nvme_bdf)
rudma_write $A $nvme
range=$(awk '$4 == "[rudma]" && ($2 == "t" || $2 == "T") { print $1 }' /proc/kallsyms |
	sort | sed -n '1p;$p' | tr '\n' ' ')
set -- $range
if [ $# -eq 2 ]; then
	for f in failslab fail_page_alloc; do
		echo $((0x$1)) > $FI/$f/require-start
		echo $((0x$2 + 4096)) > $FI/$f/require-end
		echo 10 > $FI/$f/probability
		echo 1 > $FI/$f/interval
		echo -1 > $FI/$f/times
	done
	f0=$(cat $FI/fail_page_alloc/times)
fi
rudma_test "rudma's text range found for the stack filter ($range)" test $# -eq 2
fb0=$(rudma_pool_sum fallbacks)
rudma_test "fio randrw verify, 2-slot pool, 10% of rudma's allocations failing" \
	rudma_fio randrw 4k 64 2 32M
rudma_test "fio write verify 64k, same" rudma_fio write 64k 16 1 32M
for f in failslab fail_page_alloc; do
	echo 0 > $FI/$f/probability
	echo 0 > $FI/$f/require-start
	echo 0 > $FI/$f/require-end
done
fb1=$(rudma_pool_sum fallbacks)
echo "# fallbacks during the random-failure runs: $((fb1 - fb0)) (times left: $f0)"
rudma_test "the pool fell back under failures and exhaustion" test $((fb1 - fb0)) -gt 0
rudma_write $DT $nvme
rudma_test "rmmod rudma after the fault runs" rmmod rudma

rudma_expect_end faults
ktap_finished
