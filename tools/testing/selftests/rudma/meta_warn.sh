#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Passes its own TAP but makes the kernel WARN: the `meta-warn` suite
# checks that the runner fails a run on the guest log alone.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
ktap_set_plan 1
rudma_test "insmod rudma_selftest_warn warn=1" \
	rudma_insmod rudma_selftest_warn warn=1
ktap_finished
