#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Booted with iommu.passthrough=1: the NVMe disk is in an identity domain
# and rudma must refuse it (there is no IOVA space to manage).

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_scratch_disk
rudma_require_cmdline iommu.passthrough=1
ktap_set_plan 2
nvme=$(rudma_nvme_bdf)
rudma_insmod rudma || ktap_exit_fail_msg "rudma does not load"
rudma_test "identity domain: EOPNOTSUPP" \
	rudma_expect_errno "Operation not supported" rudma_write $RUDMA_SYSFS/attach $nvme
rudma_test "nothing attached" sh -c "! grep -q . $RUDMA_SYSFS/attached"
rmmod rudma
ktap_finished
