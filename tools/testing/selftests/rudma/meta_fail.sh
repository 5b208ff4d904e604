#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Deliberately failing test: the `meta-fail` suite boots only this, and
# make check requires the runner to report the run as failed.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"

ktap_print_header
ktap_set_plan 1
ktap_test_fail "deliberate failure (the runner must catch this)"
ktap_finished
