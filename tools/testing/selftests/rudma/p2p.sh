#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PCI peer-to-peer memory behind rudma: a P2PDMA page handed to
# dma_map_page() on a device rudma is attached to must be mapped in
# place by iommu-dma, never bounced through rudma's pool (a bounce slot is
# not the peer's memory, and sub-page mappings would be copied), and
# dma_pci_p2pdma_supported() must stay true while rudma is attached.
# The provider is rudma_test_p2p on QEMU's ivshmem-plain (its 4 MiB BAR
# 2, which the runner gives every boot); the client is the edu device.
# Without the edu or the ivshmem device the test skips (in the runner's
# guest, which has both, it fails); without P2PDMA support it fails.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
rudma_require_ivshmem
ktap_set_plan 17

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
ivsh=$(rudma_ivshmem_bdf)
[ -n "$ivsh" ] || ktap_exit_fail_msg "no ivshmem-plain device (1af4:1110)"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
insmod $RUDMA_MODDIR/rudma_test_p2p.ko ||
	ktap_exit_fail_msg "rudma_test_p2p does not load"
D=/sys/kernel/debug/rudma_edu/$edu
P=/sys/kernel/debug/rudma_test_p2p

# The provider: bound, its BAR published as P2P memory.
p2p_provider() {
	local drv size
	drv=$(basename "$(readlink -f /sys/bus/pci/devices/$ivsh/driver)")
	size=$(cat /sys/bus/pci/devices/$ivsh/p2pmem/size 2>/dev/null)
	[ "$drv" = rudma_test_p2p ] && [ "${size:-0}" -gt 0 ] ||
		{ echo "# $ivsh: driver '$drv', p2pmem size '$size'"; return 1; }
}

# p2p_checks WHERE: supported, a whole page and 512 bytes at 1024 in place.
p2p_checks() {
	rudma_test "$1: dma_pci_p2pdma_supported() for edu" rudma_write $P/supported $edu
	rudma_test "$1: P2P page mapped in place" rudma_write $P/map $edu
	rudma_test "$1: 512 P2P bytes at offset 1024 mapped in place" \
		rudma_write $P/map "$edu 512 1024"
}

rudma_test "ivshmem $ivsh bound, BAR 2 published as P2P memory" p2p_provider
p2p_provider || ktap_exit_fail_msg "no P2P memory to test with (CONFIG_PCI_P2PDMA?)"

p2p_checks "iommu-dma"
rudma_test "bad requests refused" sh -c ". '$here/lib.sh'
	rudma_expect_errno 'Invalid argument' rudma_write $P/map x &&
	rudma_expect_errno 'Invalid argument' rudma_write $P/map '$edu 512' &&
	rudma_expect_errno 'Invalid argument' rudma_write $P/map '$edu 0 0' &&
	rudma_expect_errno 'Invalid argument' rudma_write $P/map '$edu 512 3585' &&
	rudma_expect_errno 'Invalid argument' rudma_write $P/supported '$edu 512 0' &&
	rudma_expect_errno 'No such device' rudma_write $P/map 0000:7f:1f.7 &&
	rudma_expect_errno 'No such device' rudma_write $P/supported 0000:7f:1f.7"

rudma_insmod rudma || ktap_exit_fail_msg "rudma does not load"
rudma_write $RUDMA_SYSFS/attach $edu || ktap_exit_fail_msg "attach failed"
rudma_test "edu attached with a pool" sh -c "grep -q '^$edu .*pool=yes' $RUDMA_SYSFS/attached"
m0=$(rudma_pool_sum maps)
p2p_checks "rudma"
m1=$(rudma_pool_sum maps)
rudma_test "P2P mappings not bounced (pool maps $m0 -> $m1)" test "$m1" = "$m0"
rudma_test "ordinary round trips still bounce correctly" rudma_write $D/roundtrip "4095 0"
m2=$(rudma_pool_sum maps)
rudma_test "round trips went through the pool (pool maps $m1 -> $m2)" \
	test $((m2 - m1)) -ge 2
rudma_test "no misuse reported" test "$(rudma_pool_stat bad)" = 0
rudma_test "detach" rudma_write $RUDMA_SYSFS/detach $edu

p2p_checks "detached"
rmmod rudma
rmmod rudma_test_p2p
rudma_unload_edu
ktap_finished
