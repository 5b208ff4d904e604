#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bounce semantics and DMA API misuse behind the pool (NVMe's domain):
# a partial sync copies only its range, a scatterlist bounced into one
# slot comes back intact, a bidirectional mapping takes syncs named in
# any direction without a report; double unmap, unmap of an address
# inside a mapping, wrong size, wrong direction and a sync outside a
# mapping are each reported (one WARN in all, a log line each), counted,
# and corrupt nothing; a list unmapped with the mapped count instead of
# its own is reported and still copied back; afterwards nothing is in
# flight and detach succeeds at once.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_scratch_disk
ktap_set_plan 15

nvme=$(rudma_nvme_bdf)
RUN=/sys/kernel/debug/rudma_test_misuse/run
rudma_insmod rudma
rudma_write $RUDMA_SYSFS/attach $nvme || ktap_exit_fail_msg "attach failed"
rudma_insmod rudma_test_misuse || ktap_exit_fail_msg "rudma_test_misuse does not load"

rudma_test "partial sync copies only its range" rudma_write $RUN "$nvme partial-sync"
rudma_test "3-entry scatterlist bounced and synced back intact" rudma_write $RUN "$nvme sg-roundtrip"
rudma_test "the scatterlist became one DMA segment" sh -c \
	"dmesg | grep -q 'sg of 3 entries mapped as 1 segment'"

bad0=$(rudma_pool_stat bad)
rudma_test "bidirectional mapping synced as from- and to-device: copies right" \
	rudma_write $RUN "$nvme bidir-sync"
rudma_test "... and is no misuse (bad stays $bad0)" test "$(rudma_pool_stat bad)" = "$bad0"

warn0=$(dmesg | grep -c 'WARNING: CPU')
# dma-debug reports each misuse too; both are declared.
rudma_expect_begin misuse "WARNING: CPU|DMA-API"
for c in double-unmap mid-address wrong-size wrong-dir sync-outside; do
	rudma_test "misuse $c: reported, buffer intact" rudma_write $RUN "$nvme $c"
done
rudma_test "unmap_sg with the mapped count: reported, data copied back" \
	rudma_write $RUN "$nvme sg-nents"
rudma_expect_end misuse
bad1=$(rudma_pool_stat bad)
rudma_test "6 misuses counted (bad $bad0 -> $bad1)" test $((bad1 - bad0)) = 6
rudma_test "rudma logged each with device and address" sh -c \
	"[ \$(dmesg | grep -c 'rudma: .*: 0x[0-9a-f]* size [0-9]* (driver nvme)') -ge 6 ]"
rudma_test "nothing left in flight" test "$(rudma_pool_sum inuse)" = 0
rudma_test "detach succeeds at once" rudma_write $RUDMA_SYSFS/detach $nvme
rmmod rudma_test_misuse
rmmod rudma
echo "# WARN headers during misuse: $(( $(dmesg | grep -c 'WARNING: CPU') - warn0 ))"
ktap_finished
