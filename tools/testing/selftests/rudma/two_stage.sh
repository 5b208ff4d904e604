#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The two-stage (IOVA-first) DMA API on 6.12 (rudma_iova.ko), with QEMU's
# edu device as the consumer (rudma_edu's "iova" files): a user buffer of
# up to 1 MiB, pinned, linked page by page into one IOVA range with one
# sync, read and written by the device at its start, across a page
# boundary and at its end, every byte checked, then destroyed -- through
# iommu-dma and with rudma's pool attached; misuse of the API refused or
# cleaned up; and, measured in one run, N=32 pages mapped one by one
# versus linked with one sync, with the IOMMU requests and IOTLB syncs
# each issued (kprobe hit counts; virtio-iommu or arm-smmu-v3).

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
ktap_set_plan 18

edu=$(rudma_edu_bdf)
[ -n "$edu" ] || ktap_exit_fail_msg "no edu device"

rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
D=/sys/kernel/debug/rudma_edu/$edu

# iova_run SIZE: the consumer with SIZE random bytes; must use the IOVA path.
iova_run() {
	dd if=/dev/urandom of=/tmp/iova-src bs=$1 count=1 2>/dev/null &&
	dd if=/tmp/iova-src of=$D/iova bs=$1 count=1 2>/dev/null || return 1
	case "$(cat $D/iova)" in
	"mode=iova "*" bad=0") return 0 ;;
	*) echo "# $1 bytes: $(cat $D/iova)"; return 1 ;;
	esac
}
for size in 1048576 1 4095 4096 5000 65659; do
	rudma_test "link/sync/device r+w/destroy: $size bytes" iova_run $size
done
rudma_test "1 MiB: three device checks, all good" sh -c \
	"dd if=/dev/urandom of=$D/iova bs=1048576 count=1 2>/dev/null && grep -q 'checks=3 bad=0' $D/iova"
rudma_test "bad size refused" rudma_expect_errno "Invalid argument" sh -c \
	"dd if=/dev/zero of=$D/iova bs=1048577 count=1 2>&1"

# Misuse: each refused (-EINVAL) or cleaned up, and reported.
misuse_ok=0
rudma_expect_begin iova-misuse "WARNING: CPU|DMA-API"
for c in unaligned outside twice sync-unlinked unlink-never free-linked bogus-state; do
	rudma_write $D/iova_misuse $c || { echo "# misuse $c"; misuse_ok=1; }
done
rudma_expect_end iova-misuse
rudma_test "7 misuse cases refused or cleaned up" test $misuse_ok = 0
rudma_test "misuse reported with device and address" sh -c \
	"[ \$(dmesg | grep -c 'rudma: dma_iova_.*(driver rudma_edu)') -ge 5 ]"

# Alongside rudma's pool: same domain, same allocator.
rudma_insmod rudma
rudma_write $RUDMA_SYSFS/attach $edu
rudma_test "with the pool attached: 1 MiB link/sync/destroy" iova_run 1048576
rudma_test "with the pool attached: ordinary round trip" rudma_write $D/roundtrip "4095 0"
rudma_write $RUDMA_SYSFS/detach $edu
rmmod rudma

# Measurement: N=32 pages, classic per-page map/unmap vs link+sync/destroy.
T=/sys/kernel/tracing
grep -q " $T " /proc/mounts || mount -t tracefs nodev $T
# Per IOMMU driver: "vreq" counts requests to the IOMMU (virtio-iommu
# requests; SMMUv3 command-queue batches), "vsync" IOTLB syncs (a
# virtio-iommu request sync; an SMMUv3 iotlb_sync, which invalidates and
# waits for a CMD_SYNC).
probes=""
req=$(rudma_first_sym __viommu_add_req arm_smmu_cmdq_issue_cmdlist) &&
	sync=$(rudma_first_sym __viommu_sync_req arm_smmu_iotlb_sync) &&
	echo "p:rudma/vreq $req" >> $T/kprobe_events &&
	echo "p:rudma/vsync $sync" >> $T/kprobe_events && probes="$req $sync"
[ -n "$probes" ] && echo 1 > $T/events/rudma/enable && echo 0 > $T/tracing_on
hits() {
	awk -v e="$1" '$1 == e || $1 == "rudma/" e { print $2 }' $T/kprobe_profile 2>/dev/null
}
ROUNDS=50
bench() {
	local r0 s0 r1 s1
	r0=$(hits vreq) s0=$(hits vsync)
	rudma_write $D/iova_bench "$1 32 $ROUNDS" || return 1
	r1=$(hits vreq) s1=$(hits vsync)
	eval "${1}_t='$(cat $D/iova_bench)'"
	eval "${1}_req=$(( (${r1:-0} - ${r0:-0}) / ROUNDS ))"
	eval "${1}_sync=$(( (${s1:-0} - ${s0:-0}) / ROUNDS ))"
}
rudma_test "classic: 32 pages mapped and unmapped one by one" bench classic
rudma_test "two-stage: 32 pages linked, one sync, destroyed" bench iova
echo "# N=32 pages, mean per round of $ROUNDS (TCG; counted at $probes):"
echo "#   classic   $classic_t  IOMMU requests=$classic_req syncs=$classic_sync"
echo "#   two-stage $iova_t  IOMMU requests=$iova_req syncs=$iova_sync"
rudma_test "kprobes count IOMMU requests and syncs ($probes)" test -n "$probes" -a "$classic_sync" -gt 0
rudma_test "two-stage: at most 2 IOTLB syncs per round (link+sync, destroy)" test "$iova_sync" -le 2
rudma_test "two-stage: fewer syncs than classic ($iova_sync < $classic_sync)" test "$iova_sync" -lt "$classic_sync"
echo 0 > $T/events/rudma/enable 2>/dev/null
echo > $T/kprobe_events 2>/dev/null
rmmod rudma_edu
rudma_test "rudma_iova unloads (no reservation left)" sh -c \
	"rmmod rudma_iova && ! dmesg | grep -q 'reservations were never freed'"
ktap_finished
