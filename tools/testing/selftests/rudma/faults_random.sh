#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Random failures of rudma's own allocations (fail_page_alloc and
# failslab limited to call stacks through rudma.ko) under fio verify on a
# pool of two slots per class: every failure must fall back or retry, no
# data may be lost, the log must stay clean.
#
# Booted with nvme.sgl_threshold=0 (check-suites): the injected failures
# make iommu-dma's 32-bit IOVA attempt fail in rudma's fallback, iommu-dma
# moves the NVMe to 64-bit IOVAs for good and hands out the topmost range
# (0xffffffffffff0000 + 64 KiB), and QEMU 7.2's NVMe rejects an SGL data
# block ending exactly at 2^64 (off by one: status 0xf, Data SGL Length
# Invalid).  Stock iommu-dma without rudma fails the same way after one
# failed alloc_iova_fast(); PRPs are not affected.  See testing.rst.
# By hand: make suite SUITE=faults-random RUN_ARGS="--append 'kmemleak=on nvme.sgl_threshold=0'"

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_scratch_disk
ktap_set_plan 5
rudma_fail_nth_setup ||
	ktap_exit_fail_msg "kernel without FAILSLAB/FAIL_PAGE_ALLOC/FAULT_INJECTION_DEBUG_FS"
A=$RUDMA_SYSFS/attach
DT=$RUDMA_SYSFS/detach
t=$(cat /sys/module/nvme/parameters/sgl_threshold 2>/dev/null)
[ "$t" = 0 ] || echo "# nvme.sgl_threshold=$t: QEMU's NVMe may reject a 64-bit IOVA range ending at 2^64 (see the header)"
rudma_expect_begin faults-random 'page allocation failure|FAULT_INJECTION'

# Random failures of rudma's own allocations under load.  The fault
# attributes fail only when a frame of rudma.ko's text is on the stack
# (require-start/-end), so the NVMe driver, fio and the page cache are
# not hit directly -- only through the DMA mappings rudma makes.
rudma_insmod rudma pool_slots=2 || ktap_exit_fail_msg "rudma does not load"
nvme=$(rudma_nvme_bdf)
rudma_write $A $nvme
# Failures only on call stacks through rudma.ko's text (from its first
# text symbol to the symbol after its last), and none under the IOMMU
# driver's unmap: a failed virtio-iommu UNMAP request (allocated with
# GFP_ATOMIC) leaves the range mapped at the host while virtio-iommu
# forgets it (arm-smmu-v3's io-pgtable may allocate to split a block on
# unmap, with the same outcome), and iommu-dma then WARNs, or reuses the
# IOVA after iommu_map()'s own roll-back failed -- upstream limits.
# rudma's handling of a failed unmap (quarantine) is swept with fail-nth
# in faults.sh.
range=$(sort /proc/kallsyms | awk '
	m && !e { e = $1 }
	$4 == "[rudma]" && ($2 == "t" || $2 == "T") { if (!s) s = $1; m = 1; e = "" }
	END { if (s && e) print s, e }')
unmap=$(rudma_first_sym viommu_unmap_pages arm_smmu_unmap_pages)
set -- $range
if [ $# -eq 2 ] && [ -n "$unmap" ] && rudma_fi_reject $unmap; then
	for f in failslab fail_page_alloc; do
		echo 0x$1 > $RUDMA_FI/$f/require-start
		echo 0x$2 > $RUDMA_FI/$f/require-end
		echo 10 > $RUDMA_FI/$f/probability
		echo 1 > $RUDMA_FI/$f/interval
		echo -1 > $RUDMA_FI/$f/times
	done
else
	set --
fi
rudma_test "stack filter: rudma.ko's text ($1..$2), not ${unmap:-the IOMMU unmap}" test $# -eq 2
fb0=$(rudma_pool_sum fallbacks)
rudma_test "fio randrw verify, 2-slot pool, 10% of rudma's allocations failing" \
	rudma_fio randrw 4k 64 2 32M
rudma_test "fio write verify 64k, same" rudma_fio write 64k 16 1 32M
rudma_fi_reset
fb1=$(rudma_pool_sum fallbacks)
echo "# fallbacks during the random-failure runs: $((fb1 - fb0))"
rudma_test "the pool fell back under failures and exhaustion" test $((fb1 - fb0)) -gt 0
rudma_write $DT $nvme
rudma_test "rmmod rudma after the fault runs" rmmod rudma

rudma_expect_end faults-random
ktap_finished
