#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CPU cache maintenance of bounce slots.  A device whose DMA is not cache
# coherent (arm64 with a PCIe host lacking dma-coherent in the device
# tree: the runner's --noncoherent) needs each slot cleaned before the
# device reads it and invalidated before the CPU reads what the device
# wrote; a coherent one needs neither.  The pool does both through
# iommu-dma's sync helpers, which kprobes here count by slot IOVA.  TCG
# does not model caches, so a missing clean could not corrupt data in
# QEMU: counting the calls is how this is checked.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
ktap_set_plan 4

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"
rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
D=/sys/kernel/debug/rudma_edu/$edu
rudma_insmod rudma
rudma_write $RUDMA_SYSFS/attach $edu || ktap_exit_fail_msg "attach failed"

# What the platform says: PCI devices are coherent unless a device-tree
# PCIe host lacks dma-coherent (no device tree on x86: coherent).
want=1
for n in /proc/device-tree/pcie@*; do
	[ -d "$n" ] && [ ! -e "$n/dma-coherent" ] && want=0
done
rudma_write $D/roundtrip "4095 0"
got=$(rudma_pool_stat coherent)
rudma_test "the pool's coherent=$got is the platform's ($want)" test "$got" = "$want"

T=/sys/kernel/tracing
grep -q " $T " /proc/mounts || mount -t tracefs nodev $T
echo 'p:rudma_pc/dev iommu_dma_sync_single_for_device iova=$arg2:x64 len=$arg3:u64' >> $T/kprobe_events &&
	echo 'p:rudma_pc/cpu iommu_dma_sync_single_for_cpu iova=$arg2:x64 len=$arg3:u64' >> $T/kprobe_events
rudma_test "kprobes on iommu-dma's sync helpers" test -d $T/events/rudma_pc

N=20
echo > $T/trace
echo 1 > $T/events/rudma_pc/enable
echo 1 > $T/tracing_on
i=0
while [ $i -lt $N ]; do
	rudma_write $D/roundtrip "4095 0" || break
	i=$((i + 1))
done
echo 0 > $T/events/rudma_pc/enable
base=$(rudma_pool_class 4096 base)
slots=$(rudma_pool_class 4096 slots)
# Calls on an IOVA of the 4 KiB class's slots, from trace lines
# "... dev: (iommu_dma_sync_single_for_device+0x0/...) iova=0x... len=...".
count() {
	local n=0 a
	for a in $(sed -n "s/.* $1: (.* iova=\(0x[0-9a-f]*\) .*/\1/p" $T/trace); do
		[ $((a)) -ge $((base)) ] && [ $((a)) -lt $((base + slots * 4096)) ] && n=$((n + 1))
	done
	echo $n
}
dev=$(count dev)
cpu=$(count cpu)
echo "# $i round trips on slots $base + $slots x 4 KiB: $dev for-device, $cpu for-cpu syncs"
if [ "$want" = 0 ]; then
	# Each round trip maps one slot for the device to read (clean) and one
	# for it to write (invalidate before and after).
	rudma_test "non-coherent: every slot mapped for the device is cleaned ($dev >= $((2 * N)))" \
		test $i -eq $N -a "$dev" -ge $((2 * N))
	rudma_test "non-coherent: every slot the device wrote is invalidated for the CPU ($cpu >= $N)" \
		test "$cpu" -ge $N
else
	rudma_test "coherent: no cache maintenance on slots ($dev for-device)" \
		test $i -eq $N -a "$dev" -eq 0
	rudma_test "coherent: no cache maintenance on slots ($cpu for-cpu)" test "$cpu" -eq 0
fi
echo > $T/kprobe_events 2>/dev/null

rudma_write $RUDMA_SYSFS/detach $edu
rmmod rudma
rudma_unload_edu
ktap_finished
