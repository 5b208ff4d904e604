#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pool_route: under auto, each size class and direction of a pool goes
# the way measured cheaper (pool or iommu-dma), and follows when that
# changes; pool and iommu force a path.  The costs are made to differ on
# purpose with the test-only /sys/kernel/debug/rudma/route_delay, which
# adds a busy-wait to the timed calls of one path: the pool made 300 us
# dearer must lose 4 KiB to-device and from-device mappings to iommu-dma,
# and win them back once iommu-dma is the dear one.  A class routed to
# iommu-dma keeps a probe-sized region at most, none once idle, and gets
# a full one back with the pool route.  All of it under a
# continuous fio verify of the scratch disk, so no byte is lost across a
# route change.  Documentation/pool-design.rst, "Routing".

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
ktap_set_plan 12

nvme=$(rudma_nvme_bdf)
[ -n "$nvme" ] || ktap_exit_fail_msg "no NVMe device"
rudma_insmod rudma pool_route=auto || ktap_exit_fail_msg "rudma does not load"
P=/sys/module/rudma/parameters
RD=/sys/kernel/debug/rudma/route_delay
rudma_test "pool_route defaults to what insmod set: auto" test "$(cat $P/pool_route)" = auto
rudma_write $RUDMA_SYSFS/attach $nvme || ktap_exit_fail_msg "attach $nvme failed"

# route CLASS DIR FIELD: FIELD of the route line of class CLASS, DIR.
route() {
	awk -v sz="size=$1" -v d="dir=$2" -v f="$3" '
		$1 == "class" { cur = $2 }
		$1 == "route" && cur == sz && $2 == d {
			for (i = 3; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == f) { print kv[2]; exit }
			}
		}' $RUDMA_POOLS
}
# Both 4 KiB directions fio uses (reads: from-device, writes: to-device).
both_on() {
	[ "$(route 4096 to_device path)" = "$1" ] &&
		[ "$(route 4096 from_device path)" = "$1" ]
}
changes() {
	echo $(($(route 4096 to_device changes) + $(route 4096 from_device changes)))
}
# Every argument a number greater than zero (the route lines exist).
positive() {
	for v; do [ "${v:-0}" -gt 0 ] 2>/dev/null || return 1; done
}

# wait_for WHAT SECONDS CMD...: until CMD holds, fio kept running.
wait_for() {
	local what=$1 limit=$(($2 * 10)) t=0
	shift 2
	until "$@"; do
		rudma_fio_running
		t=$((t + 1))
		[ $t -le $limit ] || { echo "# $what: not within $((limit / 10)) s"; dump; return 1; }
		sleep 0.1
	done
}
dump() {
	grep -A4 '^  class size=4096 ' $RUDMA_POOLS | sed 's/^/# /'
}
calibrated() {
	for d in to_device from_device; do
		case "$(route 4096 $d pool_ns) $(route 4096 $d iommu_ns)" in
		*-*|" "*|*" ") return 1 ;;
		esac
	done
}

# Calibration times both paths of every class and direction used.
rudma_test "auto: both paths of 4 KiB to- and from-device measured" \
	wait_for "calibration" 60 calibrated
dump

echo "pool 300000" > $RD
rudma_test "auto: a dearer pool loses 4 KiB mappings to iommu-dma" \
	wait_for "route to iommu-dma" 90 both_on iommu
# region_is STATE MIN MAX: the 4 KiB class's region is STATE with
# MIN..MAX slots.
region_is() {
	local st slots
	st=$(rudma_pool_class 4096 region)
	slots=$(rudma_pool_class 4096 slots)
	[ "$st" = "$1" ] && [ "${slots:-0}" -ge "$2" ] && [ "${slots:-0}" -le "$3" ]
}
probe_sized() {
	region_is probe 1 8 || region_is none 0 0
}
rudma_test "auto: routed to iommu-dma, the class keeps a probe-sized region at most" \
	wait_for "probe-sized region" 30 probe_sized
routed_before=$(rudma_pool_class 4096 routed)
maps_before=$(rudma_pool_class 4096 maps)
changes_before=$(changes)
dump

echo "pool 0" > $RD
echo "iommu 300000" > $RD
rudma_test "auto: a dearer iommu-dma gives them back to the pool" \
	wait_for "route back to the pool" 90 both_on pool
dump
rudma_test "auto: back on the pool, the class has a full region again" \
	wait_for "full region" 30 region_is ready 9 1000000
changes_after=$(changes)
rudma_test "auto: iommu-dma served while routed there; both directions changed back" \
	positive "$routed_before" "$((changes_after - changes_before - 1))"
echo off > $RD

# Forced routes: iommu serves nothing from the pool, pool all of it.
grew() {
	local before=$2
	rudma_fio_running
	sleep 2
	rudma_fio_running
	[ "$(rudma_pool_class 4096 "$1")" -gt "$before" ]
}
forced() {
	local maps routed
	echo iommu > $P/pool_route || return 1
	sleep 0.5
	maps=$(rudma_pool_class 4096 maps)
	grew routed "$(rudma_pool_class 4096 routed)" || { echo "# iommu: nothing routed"; return 1; }
	[ "$(rudma_pool_class 4096 maps)" = "$maps" ] || { echo "# iommu: the pool served"; return 1; }
	echo pool > $P/pool_route || return 1
	sleep 0.5
	routed=$(rudma_pool_class 4096 routed)
	grew maps "$(rudma_pool_class 4096 maps)" || { echo "# pool: the pool served nothing"; return 1; }
	[ "$(rudma_pool_class 4096 routed)" = "$routed" ] || { echo "# pool: mappings routed away"; return 1; }
	echo auto > $P/pool_route
}
rudma_test "pool_route=iommu and =pool force the path" forced

# Forced to iommu-dma, nothing uses the region: it is given back whole.
released() {
	region_is none 0 0 && [ "$(rudma_pool_class 4096 mem)" = 0 ] &&
		[ "$(rudma_pool_class 4096 regions_freed)" -gt "$freed_before" ]
}
freed_before=$(rudma_pool_class 4096 regions_freed)
echo iommu > $P/pool_route
rudma_test "pool_route=iommu: the idle class gives its region and pages back" \
	wait_for "region freed" 30 released
dump
echo pool > $P/pool_route
maps_then=$(rudma_pool_class 4096 maps)
pooled_again() {
	region_is ready 9 1000000 && [ "$(rudma_pool_class 4096 maps)" -gt "$maps_then" ]
}
rudma_test "pool_route=pool: a full region is reserved again and serves" \
	wait_for "region back" 30 pooled_again
echo auto > $P/pool_route

finish() {
	rudma_fio_wait
	echo "# $fio_runs fio verify runs, 4 KiB maps by the pool before the pool got dear: $maps_before"
	[ $fio_bad = 0 ]
}
rudma_test "fio verify passed in every run across the route changes" finish
detached() {
	[ "$(rudma_pool_sum inuse)" = 0 ] || { echo "# slots still in use"; return 1; }
	rudma_write $RUDMA_SYSFS/detach $nvme && ! grep -q '^pool ' $RUDMA_POOLS
}
rudma_test "no slot left in use; detach leaves no pool" detached
rmmod rudma
ktap_finished
