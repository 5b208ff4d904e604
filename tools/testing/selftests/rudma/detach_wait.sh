#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Detach waits for a DMA API caller that blocks inside rudma's ops.  On
# PREEMPT_RT a caller blocked on a contended spinlock_t (a pool lock, the
# IOMMU driver's) is off the runqueue, which RCU Tasks counts as a
# quiescent state; every callback is therefore also an SRCU read-side
# section, which detach waits out (c_shims/ops_section.c).  The same
# blocking is staged here on any kernel: rudma_test_slow's hook sleeps
# 3 s at the start of edu's map callback, inside the section, while the
# device is detached; the hook must wake before the detach returns.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
ktap_set_plan 5

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
rudma_insmod rudma || ktap_exit_fail_msg "rudma does not load"
rudma_insmod rudma_test_slow || ktap_exit_fail_msg "rudma_test_slow does not load"
S=/sys/kernel/debug/rudma_test_slow

rudma_test "attach edu" rudma_write $RUDMA_SYSFS/attach $edu
( rudma_write $S/map "$edu 3000"; echo $? > /tmp/slow-rc ) &
sleep 0.5
t0=$(cut -d' ' -f1 /proc/uptime)
rudma_test "detach while a caller sleeps inside the ops" rudma_write $RUDMA_SYSFS/detach $edu
t1=$(cut -d' ' -f1 /proc/uptime)
echo 1 > $S/detached
wait
echo "# detach: $t0 -> $t1 s; $(cat $S/map)"
rudma_test "the caller woke before detach returned" test "$(cat $S/map)" = "slept=1 raced=0"
rudma_test "its mapping succeeded" test "$(cat /tmp/slow-rc)" = 0
rudma_test "DMA still works after the detach" \
	rudma_write /sys/kernel/debug/rudma_edu/$edu/roundtrip "4095 1"

rmmod rudma_test_slow
rmmod rudma
rudma_unload_edu
ktap_finished
