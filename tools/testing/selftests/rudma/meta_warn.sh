#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Passes its own TAP but makes the kernel WARN: the `meta-warn` suite
# checks that the runner fails a run on the guest log alone.

. /rudma/ktap_helpers.sh
. /rudma/lib.sh

ktap_print_header
ktap_set_plan 1
rudma_test "insmod rudma_selftest_warn warn=1" \
	insmod "$RUDMA_MODDIR/rudma_selftest_warn.ko" warn=1
ktap_finished
