#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Real device DMA through QEMU's edu device: CPU data reaches the device
# and comes back intact, at several sizes and sub-page offsets, through
# iommu-dma and through rudma's ops; bad requests are refused; and the
# strict IOMMU stops the device writing through an unmapped (stale) or a
# never-mapped IOVA: virtio-iommu reports both faults, memory is intact.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
ktap_set_plan 10

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
RT=/sys/kernel/debug/rudma_edu/$edu/roundtrip
rudma_test "rudma_edu bound to $edu" test -e /sys/bus/pci/drivers/rudma_edu/$edu
got=$(rudma_group_type $edu)
[ "$got" = "$(rudma_expected_domain)" ] && ktap_test_pass "edu domain is $got" ||
	ktap_test_fail "edu domain is $got"

roundtrips() {
	for req in "1 0" "64 0" "4095 0" "1000 3000" "4095 100"; do
		rudma_write $RT "$req" || { echo "# round trip '$req' failed"; return 1; }
	done
}
# Each stale run makes the device write at the stale and the never-mapped
# IOVA; the IOMMU reports the faults (virtio-iommu or arm-smmu-v3, see
# RUDMA_FAULT_RE), rate-limited to 10 events per 5 s: wait that out so
# this run's faults are logged.
# Through iommu-dma both IOVAs fault; behind a bounce pool the stale one
# is a cached slot (mapped, to the slot only), so only the other does:
# the driver says how many faults to expect, and every one of them must
# be reported at its own IOVA page.
STALE=/sys/kernel/debug/rudma_edu/$edu/stale
stale_expected() {
	sed -n 's/^faults_expected=//p' $STALE
}
stale() {
	local want=$1 mark pages e0 e1
	sleep 6
	mark=$(rudma_log_mark)
	e0=$(stale_expected)
	rudma_expect_begin iommu-fault "$RUDMA_FAULT_RE"
	rudma_write $STALE 1 || return 1
	# Fault events arrive asynchronously: let them land inside the window.
	sleep 1
	rudma_expect_end iommu-fault
	pages=$(rudma_fault_pages $mark | wc -l)
	e1=$(stale_expected)
	[ $((e1 - e0)) -ge "$want" ] ||
		{ echo "# driver expected $((e1 - e0)) faults, want >= $want"; return 1; }
	[ "$pages" -ge $((e1 - e0)) ] ||
		{ echo "# faults reported at $pages IOVA pages, want $((e1 - e0))"; return 1; }
}
rudma_test "round trips through iommu-dma (1..4095 B, offsets)" roundtrips
rudma_test "stale and never-mapped IOVAs fault, memory intact (iommu-dma)" stale 2
rudma_test "bad requests: EINVAL" sh -c "
	. '$here/lib.sh'
	rudma_expect_errno 'Invalid argument' rudma_write $RT 0 &&
	rudma_expect_errno 'Invalid argument' rudma_write $RT 4096 &&
	rudma_expect_errno 'Invalid argument' rudma_write $RT '16 4096' &&
	rudma_expect_errno 'Invalid argument' rudma_write $RT abc"

rudma_insmod rudma
rudma_test "attach rudma to edu" rudma_write $RUDMA_SYSFS/attach $edu
rudma_test "round trips through rudma ops" roundtrips
rudma_test "stale IOVA hits only a bounce slot, never-mapped faults, memory intact (rudma ops)" stale 1
rudma_test "detach rudma from edu" rudma_write $RUDMA_SYSFS/detach $edu
rmmod rudma
case "$(cat $RT)" in
"good=10 bad=0") ktap_test_pass "10 good round trips, none bad" ;;
*) ktap_test_fail "counters: $(cat $RT)" ;;
esac
rudma_unload_edu
ktap_finished
