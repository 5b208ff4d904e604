#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rudma_core loads, reports a device's IOMMU domain through its "devices"
# parameter (at load and at run time), rejects bad input with the right
# errno and leaves its state untouched, and unloads cleanly.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_scratch_disk
ktap_set_plan 9

nvme=$(rudma_nvme_bdf)
param=/sys/module/rudma_core/parameters/devices

if rudma_insmod rudma_core "devices=$nvme" && rudma_module_loaded rudma_core; then
	ktap_test_pass "insmod rudma_core devices=$nvme"
else
	ktap_exit_fail_msg "rudma_core does not load"
fi

line=$(cat $param)
want="$nvme group=$(basename "$(readlink -f /sys/bus/pci/devices/$nvme/iommu_group)") domain=$(rudma_group_type "$nvme")"
case "$line" in
"$want"*) ktap_test_pass "devices reports '$line'" ;;
*) ktap_test_fail "devices reports '$line', want '$want'" ;;
esac

if dmesg | grep -q "rudma_core: $nvme group=.* domain=$(rudma_group_type "$nvme")"; then
	ktap_test_pass "load-time report logged"
else
	ktap_test_fail "load-time report logged"
fi

rudma_test "malformed name: EINVAL" \
	rudma_expect_errno "Invalid argument" rudma_write $param 0000:00:zz.0
rudma_test "device out of range: EINVAL" \
	rudma_expect_errno "Invalid argument" rudma_write $param 0000:00:20.0
rudma_test "absent device: ENODEV" \
	rudma_expect_errno "No such device" rudma_write $param 0000:7f:1f.7
long=$(printf '0000:00:00.0,%.0s' $(seq 1 30))
rudma_test "list too long: ENOSPC" \
	rudma_expect_errno "No space left on device" rudma_write $param "$long"

case "$(cat $param)" in
"$want"*) ktap_test_pass "rejected writes left the list unchanged" ;;
*) ktap_test_fail "rejected writes changed the list to '$(cat $param)'" ;;
esac

if rmmod rudma_core && ! rudma_module_loaded rudma_core; then
	ktap_test_pass "rmmod rudma_core"
else
	ktap_test_fail "rmmod rudma_core"
fi

ktap_finished
