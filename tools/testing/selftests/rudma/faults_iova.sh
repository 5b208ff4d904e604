#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fail-nth over the two-stage API (see faults.sh): rudma_edu's iova run
# reserves, pins and links 2 pages, syncs, has the device check them,
# unlinks and destroys, with its Nth allocation failing, for N = 1, 2, ...
# (kmalloc or page, in rudma_iova, iommu-dma or virtio-iommu, except
# under iommu-dma's unmap, see below).  Each run
# must check every byte it moved or fail with ENOMEM, and the next run
# must work; at the end no reservation may be left in rudma_iova.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
ktap_set_plan 2
rudma_fail_nth_setup ||
	ktap_exit_fail_msg "kernel without FAILSLAB/FAIL_PAGE_ALLOC/FAULT_INJECTION_DEBUG_FS"
edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
D=/sys/kernel/debug/rudma_edu/$edu
# iommu-dma WARNs when an unmap fails, and then reuses an IOVA the host
# still maps (an upstream limit of virtio-iommu: its UNMAP request is
# allocated with GFP_ATOMIC).  rudma_edu's own classic mappings go through
# iommu-dma, so no failure is injected under __iommu_dma_unmap; rudma_iova's
# unlinks do not go through it and are failed like the rest.
rudma_fi_reject __iommu_dma_unmap || ktap_exit_fail_msg "no __iommu_dma_unmap in kallsyms"
rudma_expect_begin faults-iova 'page allocation failure|FAULT_INJECTION|iova: unmapped|iova: leaking'

# A successful run checked every byte (bad=0; classic mode when the
# reservation itself failed); after a failed one the next run works.
iova_check() {
	if [ "$1" = ok ]; then
		grep -q ' bad=0$' $D/iova
	else
		dd if=/dev/zero of=$D/iova bs=8192 count=1 2>/dev/null &&
			grep -q '^mode=iova .* bad=0$' $D/iova
	fi
}
rudma_test "fail-nth: two-stage reservation and links" \
	rudma_fail_nth_sweep two-stage : $D/iova @8192 iova_check :

rudma_fi_reset
rmmod rudma_edu
dmesg -c >/dev/null
rmmod rudma_iova
rudma_test "rudma_iova: no reservation left behind" \
	sh -c '! dmesg | grep -q "reservations were never freed"'
rudma_expect_end faults-iova
ktap_finished
