#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Concurrency: streaming map/unmap from a thread on every CPU and from
# hard interrupt context for RUDMA_STRESS_SECS (default 60) seconds on the
# NVMe device behind the pool, while fio verifies data on the same
# device.  No caller's byte may change, nothing may stay in flight, and
# (on the debug kernel) lockdep sees the pool's locks used from every
# context.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

SECS=${RUDMA_STRESS_SECS:-60}
ktap_print_header
rudma_require_scratch_disk
ktap_set_plan 7

nvme=$(rudma_nvme_bdf)
rudma_insmod rudma
rudma_write $RUDMA_SYSFS/attach $nvme || ktap_exit_fail_msg "attach failed"
rudma_insmod rudma_test_stress || ktap_exit_fail_msg "rudma_test_stress does not load"
S=/sys/kernel/debug/rudma_test_stress/run

rudma_fio randrw 16k 32 2 16M > /tmp/stress-fio.out 2>&1 &
fio_pid=$!
rudma_test "map/unmap stress ${SECS}s on every CPU and in hardirq: no byte changed" \
	rudma_write $S "$nvme $SECS"
echo "# $(cat $S)"
rudma_test "fio randrw+verify alongside" wait $fio_pid
rudma_test "threads made progress" test "$(sed -n 's/^ops=\([0-9]*\) .*/\1/p' $S)" -gt 1000
rudma_test "hard-interrupt context made progress" \
	test "$(sed -n 's/.* irq_ops=\([0-9]*\) .*/\1/p' $S)" -gt 100
rudma_test "no mapping failed" grep -q "map_errors=0" $S
rudma_test "nothing in flight afterwards" test "$(rudma_pool_sum inuse)" = 0
rudma_test "detach succeeds at once" rudma_write $RUDMA_SYSFS/detach $nvme
rmmod rudma_test_stress
rmmod rudma
ktap_finished
