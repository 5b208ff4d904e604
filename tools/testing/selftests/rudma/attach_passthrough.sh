#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Booted with iommu.passthrough=1: the NVMe disk is in an identity domain
# and rudma must refuse it (there is no IOVA space to manage).

. /rudma/ktap_helpers.sh
. /rudma/lib.sh

ktap_print_header
ktap_set_plan 2
nvme=$(rudma_nvme_bdf)
insmod $RUDMA_MODDIR/rudma.ko || ktap_exit_fail_msg "rudma does not load"
rudma_test "identity domain: EOPNOTSUPP" \
	rudma_expect_errno "Operation not supported" rudma_write $RUDMA_SYSFS/attach $nvme
rudma_test "nothing attached" sh -c "! grep -q . $RUDMA_SYSFS/attached"
rmmod rudma
ktap_finished
