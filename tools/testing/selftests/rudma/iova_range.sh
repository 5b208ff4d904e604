#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The patch series' IOVA-first primitives on the NVMe device's live domain
# (iommu_dma_alloc_iova_range/free, iommu_map_nosync + one iommu_sync_map,
# unmap), run in-kernel by rudma_iova_test through rudma's Rust wrappers;
# and the refusal for a device iommu-dma does not translate.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_scratch_disk
ktap_set_plan 4

nvme=$(rudma_nvme_bdf)
untr=$(rudma_untranslated_bdf)
M=$RUDMA_MODDIR/rudma_iova_test.ko
P=/sys/module/rudma_iova_test/parameters/device

rudma_test "in-kernel IOVA range test on $nvme" insmod $M device=$nvme
checks=$(dmesg | grep -c "rudma_iova_test: ok ")
[ "$checks" -eq 14 ] && ktap_test_pass "all 14 in-kernel checks logged ok" ||
	ktap_test_fail "in-kernel checks: $checks ok, want 14"
if [ -n "$untr" ]; then
	rudma_test "untranslated device ($untr) gets no IOVA" rudma_write $P $untr
else
	rudma_test_absent "untranslated device gets no IOVA: none in this machine"
fi
rudma_test "bad device name: EINVAL" \
	rudma_expect_errno "Invalid argument" rudma_write $P 0000:00:zz.0
rmmod rudma_iova_test
ktap_finished
