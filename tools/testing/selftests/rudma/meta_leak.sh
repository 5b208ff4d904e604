#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Passes its own TAP but leaks kernel memory: the `meta-leak` suite checks
# that a kmemleak report (from /init's scans after the suite) fails the run.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
ktap_set_plan 1
rudma_test "insmod rudma_selftest_warn leak=1" \
	rudma_insmod rudma_selftest_warn leak=1
ktap_finished
