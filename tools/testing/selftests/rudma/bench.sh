#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make bench` (tools/testing/bench/bench.py): runs
# rudma-bench.sh, the same script a real host runs, with the arguments
# given on the kernel command line as rudma.bench=WORD,WORD,... (e.g.
# rudma.bench=--config,rudma,--runtime,3).  Its output, fio's JSON
# included, lands in the TAP as comments, where bench.py reads it.
# Passes when every measurement completed; timing is not a test result.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"

ktap_print_header
ktap_set_plan 1
args=$(sed -n 's/.*rudma\.bench=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
# shellcheck disable=SC2086
"$here/rudma-bench.sh" $args
rc=$?
if [ $rc -eq 0 ]; then
	ktap_test_pass "rudma-bench.sh $args"
else
	ktap_test_fail "rudma-bench.sh $args (exit $rc)"
fi
ktap_finished
