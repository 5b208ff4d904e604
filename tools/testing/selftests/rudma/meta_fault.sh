#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Passes its own TAP but makes the device fault in the IOMMU without
# declaring it: the `meta-fault` suite checks that the runner fails a run
# on an unexpected IOMMU fault in the guest log.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
ktap_set_plan 1
edu=$(rudma_edu_bdf)
rudma_load_edu
rudma_test "device writes through a stale IOVA (undeclared fault)" \
	rudma_write /sys/kernel/debug/rudma_edu/$edu/stale 1
sleep 1
ktap_finished
