#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The pool's IOVA footprint on a device with a small DMA mask: edu
# reaches 28 bits (256 MiB of IOVA).  With a mapping of every pool class
# held at once (every class reserves its region), the pool's regions stay
# within a quarter of the space below the mask, and a 2 MiB mapping
# (larger than the top class: iommu-dma's) still finds IOVA space.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
ktap_set_plan 4

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
rudma_insmod rudma || ktap_exit_fail_msg "rudma does not load"
rudma_insmod rudma_test_misuse || ktap_exit_fail_msg "rudma_test_misuse does not load"
bits=$(sed -n 's/.*rudma\.edu_dma_bits=\([0-9]*\).*/\1/p' /proc/cmdline)
bits=${bits:-28}

rudma_test "attach edu" rudma_write $RUDMA_SYSFS/attach $edu
rudma_test "every class in use, then 2 MiB: all mapped" \
	rudma_write /sys/kernel/debug/rudma_test_misuse/run "$edu footprint"
reserved=$(sed -n 's/^  class size=\([0-9]*\) slots=\([0-9]*\) .*/\1 \2/p' $RUDMA_POOLS |
	awk '{ s += $1 * $2 } END { print s + 0 }')
classes=$(grep -c '^  class .* slots=[1-9]' $RUDMA_POOLS)
echo "# $classes classes reserved $reserved bytes of IOVA below 2^$bits"
rudma_test "every class reserved its region ($classes)" test "$classes" = 6
rudma_test "the regions take at most a quarter of the device's IOVA space" \
	test "$reserved" -le $(((1 << bits) / 4))

rudma_write $RUDMA_SYSFS/detach $edu
rmmod rudma_test_misuse
rmmod rudma
rudma_unload_edu
ktap_finished
