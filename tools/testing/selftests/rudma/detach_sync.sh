#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Detach keeps the syncs of mappings swiotlb bounced before attach.  On an
# untrusted edu, iommu-dma bounces a 64-byte mapping through swiotlb
# (booted with swiotlb=force: x86-64 guests under 4 GiB have no swiotlb
# otherwise), which clears dev->dma_skip_sync for good; rudma attaches and
# detaches while that mapping is live; afterwards the device writes into
# it and dma_sync_single_for_cpu() must still copy the data out of the
# bounce buffer.  A detach that recomputed dma_skip_sync ("coherent: no
# sync needed") would make the sync a no-op on a production kernel:
# stale data.  The test kernel has DMA_API_DEBUG, under which the inline
# dma_sync_*() calls never skip, so the flag itself is checked too.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
ktap_set_plan 8

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
D=/sys/kernel/debug/rudma_edu/$edu
rudma_insmod rudma || ktap_exit_fail_msg "rudma does not load"
rudma_write $D/untrusted 1

rudma_test "control, no rudma: a held swiotlb-bounced mapping syncs fresh data" \
	sh -c "echo map > $D/held && echo check > $D/held"
rudma_test "untrusted edu: 64 bytes mapped from-device by iommu-dma (swiotlb)" \
	rudma_write $D/held map
rudma_test "the bounce cleared dma_skip_sync" test "$(cat $D/held)" = skip_sync=0
rudma_test "attach with the mapping live" rudma_write $RUDMA_SYSFS/attach $edu
rudma_test "detach with the mapping live" rudma_write $RUDMA_SYSFS/detach $edu
rudma_test "after detach: dma_skip_sync still clear" test "$(cat $D/held)" = skip_sync=0
rudma_test "after detach: the sync brings the device's data to the CPU" \
	rudma_write $D/held check
rudma_test "no 'bounce buffers are inactive' refusal (swiotlb present)" \
	sh -c "! dmesg | grep -q 'DMA bounce buffers are inactive'"

rudma_write $D/untrusted 0
rmmod rudma
rudma_unload_edu
ktap_finished
