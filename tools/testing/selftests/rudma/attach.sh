#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rudma attach/detach with the passthrough ops: the device's DMA goes
# through rudma's ops while attached and back to iommu-dma after, data
# stays intact, every refusal returns its errno, detach waits for or
# refuses pool slots still mapped (but not mappings iommu-dma made, such
# as persistent ones) and works under fio load, driver unbind detaches,
# the module cannot go while attached, and boot-time attach works.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_scratch_disk
ktap_set_plan 32

nvme=$(rudma_nvme_bdf)
group=$(basename "$(readlink -f /sys/bus/pci/devices/$nvme/iommu_group)")
untr=$(rudma_untranslated_bdf)
A=$RUDMA_SYSFS/attach
D=$RUDMA_SYSFS/detach
M=$RUDMA_MODDIR

insmod $M/rudma_core.ko || ktap_exit_fail_msg "rudma_core does not load"
insmod $M/rudma_test_hold.ko || ktap_exit_fail_msg "rudma_test_hold does not load"
rudma_test "insmod rudma" insmod $M/rudma.ko
rudma_test "/sys/kernel/rudma has attach, detach, attached" \
	test -w $A -a -w $D -a -r $RUDMA_SYSFS/attached

route=$(rudma_dma_route $nvme)
[ "$route" = iommu-dma ] && ktap_test_pass "before attach: DMA via iommu-dma" ||
	ktap_test_fail "before attach: DMA via '$route'"

rudma_test "attach $nvme" rudma_write $A $nvme
route=$(rudma_dma_route $nvme)
[ "$route" = ops ] && ktap_test_pass "attached: streaming DMA via rudma ops" ||
	ktap_test_fail "attached: DMA via '$route'"
rudma_test "attach again: EEXIST" rudma_expect_errno "File exists" rudma_write $A $nvme
rudma_test "group type change refused while attached: EPERM" \
	rudma_expect_errno "Operation not permitted" \
	rudma_write /sys/kernel/iommu_groups/$group/type identity
rudma_test "rmmod refused while attached: EAGAIN" \
	rudma_expect_errno "Resource temporarily unavailable" rmmod rudma

rudma_test "fio verify 64M bs=4k through rudma ops" rudma_fio_verify 4k 64M
rudma_test "fio verify 64M bs=128k through rudma ops" rudma_fio_verify 128k 64M
maps=$(rudma_attached_line $nvme | sed -n 's/.* maps=\([0-9]*\).*/\1/p')
[ "${maps:-0}" -gt 1000 ] && ktap_test_pass "ops served the I/O ($maps maps)" ||
	ktap_test_fail "ops served the I/O (maps=${maps:-none})"

# Detach with a mapping held must wait, then refuse; after release it works.
rudma_write /sys/kernel/debug/rudma_test_hold/map $nvme
rudma_test "detach with a mapping in flight: EBUSY" \
	rudma_expect_errno "Device or resource busy" rudma_write $D $nvme
rudma_test "still attached after refused detach" rudma_attached_line $nvme
rudma_write /sys/kernel/debug/rudma_test_hold/unmap 1
rudma_test "detach after the mapping is released" rudma_write $D $nvme
route=$(rudma_dma_route $nvme)
[ "$route" = iommu-dma ] && ktap_test_pass "detached: DMA via iommu-dma again" ||
	ktap_test_fail "detached: DMA via '$route'"

# Detach waits for a mapping released while it waits.
rudma_write $A $nvme
rudma_write /sys/kernel/debug/rudma_test_hold/map $nvme
(sleep 0.5; rudma_write /sys/kernel/debug/rudma_test_hold/unmap 1) &
rudma_test "detach waits for a mapping released meanwhile" rudma_write $D $nvme
wait
route=$(rudma_dma_route $nvme)
[ "$route" = iommu-dma ] && ktap_test_pass "detached after waiting: DMA via iommu-dma" ||
	ktap_test_fail "detached: DMA via '$route'"
rudma_test "fio verify 16M bs=4k after detach" rudma_fio_verify 4k 16M

# A persistent mapping is iommu-dma's: detach does not wait for it, and
# iommu-dma unmaps it afterwards.
rudma_write $A $nvme
rudma_write /sys/kernel/debug/rudma_test_hold/map "$nvme persistent"
rudma_test "detach with a persistent mapping held succeeds" rudma_write $D $nvme
rudma_test "the persistent mapping unmaps after detach" \
	rudma_write /sys/kernel/debug/rudma_test_hold/unmap 1

# Detach of a busy device: attach/detach cycles while fio verify runs;
# each detach returns within 3 s (the pool's slots drain as their I/O
# completes; iommu-dma's mappings are not waited for), at least 3 of them
# while fio is still running, and fio's verify passes across them.
detach_under_load() {
	local i=0 t0 t1 bad=0
	rudma_fio randrw 4k 32 1 128M &
	local fio=$!
	sleep 1
	while [ $i -lt 10 ] && kill -0 $fio 2>/dev/null; do
		rudma_write $A $nvme || bad=1
		sleep 0.5
		t0=$(cut -d' ' -f1 /proc/uptime)
		rudma_write $D $nvme || { echo "# detach $i under load failed"; bad=1; }
		t1=$(cut -d' ' -f1 /proc/uptime)
		echo "# detach $i under load: $t0 -> $t1 s"
		awk -v a=$t0 -v b=$t1 'BEGIN { exit !(b - a <= 3) }' || bad=1
		i=$((i + 1))
	done
	wait $fio || { echo "# fio verify failed across the cycles"; bad=1; }
	[ $i -ge 3 ] || { echo "# only $i detaches while fio ran"; bad=1; }
	[ $bad = 0 ]
}
rudma_test "detach under fio verify load: each within 3 s, data intact" \
	detach_under_load

# Refusals, each with its errno.
rudma_test "detach when not attached: EINVAL" \
	rudma_expect_errno "Invalid argument" rudma_write $D $nvme
rudma_test "malformed and multiple names: EINVAL" sh -c "
	. '$here/lib.sh'
	rudma_expect_errno 'Invalid argument' rudma_write $A 0000:00:zz.0 &&
	rudma_expect_errno 'Invalid argument' rudma_write $A '' &&
	rudma_expect_errno 'Invalid argument' rudma_write $A '$nvme $nvme' &&
	rudma_expect_errno 'Invalid argument' rudma_write $A 0000:00:20.0"
rudma_test "absent device: ENODEV" \
	rudma_expect_errno "No such device" rudma_write $A 0000:7f:1f.7
if [ -n "$untr" ]; then
	rudma_test "device not behind an IOMMU ($untr): ENXIO" \
		rudma_expect_errno "No such device or address" rudma_write $A $untr
else
	rudma_test_absent "device not behind an IOMMU: none in this machine"
fi

# Driver unbind detaches; no driver refuses; boot-time attach waits for bind.
rudma_write $A $nvme
rudma_write /sys/bus/pci/drivers/nvme/unbind $nvme
if ! rudma_attached_line $nvme >/dev/null && [ "$(rudma_dma_route $nvme)" = iommu-dma ]; then
	ktap_test_pass "driver unbind detaches"
else
	ktap_test_fail "driver unbind detaches"
fi
rudma_test "no driver bound: EAGAIN" \
	rudma_expect_errno "Resource temporarily unavailable" rudma_write $A $nvme
rmmod rudma
rudma_test "insmod rudma attach=$nvme with no driver: pending" sh -c "
	insmod $M/rudma.ko attach=$nvme && grep -q '^$nvme pending' $RUDMA_SYSFS/attached"
rudma_write /sys/bus/pci/drivers/nvme/bind $nvme
sleep 1
rudma_test "driver bind attaches the pending device" sh -c "
	grep -q '^$nvme slots=' $RUDMA_SYSFS/attached"
rudma_test "fio verify 16M bs=16k after boot-time attach" rudma_fio_verify 16k 16M

# Attach/detach cycles under I/O: fio verify runs throughout (a new run
# whenever one ends, each run's verify must pass), so data written in one
# state is read back in another.  Every attached window lasts until the
# ops served a mapping (the attached line's maps= grows), every detached
# one until the disk completed I/O through iommu-dma (its stat grows).
cycles=${RUDMA_ATTACH_CYCLES:-100}
disk_stat=/sys/block/$(basename "$(rudma_scratch_disk)")/stat
disk_ios() {
	awk '{ print $1 + $5 }' $disk_stat
}
# wait_for WHAT CMD...: until CMD succeeds, fio kept running; 10 s at most.
wait_for() {
	local what=$1 t=0
	shift
	until "$@"; do
		rudma_fio_running
		t=$((t + 1))
		[ $t -le 100 ] || { echo "# cycle $i: $what within 10 s"; return 1; }
		sleep 0.1
	done
}
ops_served() {
	rudma_attached_line $nvme | grep -q ' maps=[1-9]'
}
ios_grew() {
	[ "$(disk_ios)" -gt "$1" ]
}
attach_cycles() {
	local ios
	i=0
	rudma_write $D $nvme || return 1
	while [ $i -lt $cycles ] && [ $fio_bad = 0 ]; do
		rudma_fio_running
		rudma_write $A $nvme || { echo "# attach $i failed"; return 1; }
		wait_for "no mapping through the ops" ops_served || return 1
		rudma_write $D $nvme || { echo "# detach $i failed"; return 1; }
		ios=$(disk_ios)
		wait_for "no I/O through iommu-dma" ios_grew "$ios" || return 1
		i=$((i + 1))
	done
	rudma_fio_wait
	echo "# $i cycles, $fio_runs fio verify runs"
	[ $fio_bad = 0 ] && [ $i = $cycles ]
}
rudma_test "$cycles attach/detach cycles under fio verify, I/O in every state" attach_cycles
wait

rudma_test "rmmod rudma" rmmod rudma
rmmod rudma_test_hold
rmmod rudma_core
ktap_finished
