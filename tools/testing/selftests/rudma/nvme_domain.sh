#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The NVMe disk sits behind virtio-iommu in the domain type the command
# line asks for (strict DMA by default).

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_scratch_disk
ktap_set_plan 3

nvme=$(rudma_nvme_bdf)
if [ -e "/sys/bus/pci/devices/$nvme" ]; then
	ktap_test_pass "NVMe controller at $nvme"
else
	ktap_exit_fail_msg "no NVMe controller"
fi

if [ -e "/sys/bus/pci/devices/$nvme/iommu_group" ]; then
	ktap_test_pass "NVMe is in IOMMU group $(basename "$(readlink -f /sys/bus/pci/devices/$nvme/iommu_group)")"
else
	ktap_test_fail "NVMe is in an IOMMU group"
fi

got=$(rudma_group_type "$nvme")
want=$(rudma_expected_domain)
if [ "$got" = "$want" ]; then
	ktap_test_pass "NVMe domain type is $got"
else
	ktap_test_fail "NVMe domain type is $got, want $want"
fi

ktap_finished
