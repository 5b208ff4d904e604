#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rudma-bench.sh: one machine's measurements for rudma's benchmark, run
# unchanged in the QEMU guest (suite "bench", driven by bench.py) and on
# a real host booted into the patched kernel.  POSIX sh (busybox ash in
# the guest); needs fio, and for the map benchmark the kernel's
# dma_map_benchmark tool (CONFIG_DMA_MAP_BENCHMARK=y).
#
#   rudma-bench.sh [--config stock|rudma] [--device nvme0n1] [options]
#
# --config stock measures the DMA path the machine was booted with
# (strict, lazy or passthrough IOMMU: that is the kernel command line's
# business); --config rudma loads rudma.ko and attaches its bounce pool
# to the disk's PCI device (and the map device) for the run.  Everything
# changed is put back on exit, also on error or signal: devices
# detached, modules this script loaded unloaded, the map device given
# back to its driver.
#
# Measurements (each skipped when its requirements are missing, and said so):
#  fio      fio/read.fio and fio/randread.fio (next to this script): direct
#           libaio reads at iodepth 64, every block size and job count
#           asked for, read-only (fio --readonly); and randread at iodepth
#           1, one job, for latency (points named randread-qd1);
#  map      dma_map_benchmark on a spare PCI device (QEMU's edu device when
#           present, else --map-device), each thread count and granule;
#           and, with rudma_copy_bench.ko (a test module), the time of one
#           cache-hot memcpy of each granule's size, which make bench
#           subtracts from rudma's map+unmap time (the pool's own cost);
#  iova     rudma_edu's iova_bench on QEMU's edu device: N pages mapped one
#           by one (dma_map_page) versus linked with one sync (rudma_iova).
#  counts   after each fio point and each map point, a short second run of
#           the same work with kprobes counting the events that cost on
#           real machines: DMA API calls, virtio-iommu requests and their
#           synchronous round trips, SMMUv3 command batches and CMD_SYNCs;
#           and rudma's pool counters (hits, misses, fallbacks, bytes
#           copied).  Counted apart from the timed run, so the probes do
#           not slow what is timed.  Needs tracefs and kprobe events.
#
# Options:
#   --config stock|rudma   (stock)
#   --device NAME          block device to read, e.g. nvme0n1 (first NVMe namespace)
#   --bdf DDDD:BB:DD.F     the device's PCI function, if sysfs does not lead to it
#   --modules DIR          rudma's .ko files (/lib/modules/rudma, else the
#                          source tree this script is in)
#   --rudma-params 'K=V ..'  insmod parameters for rudma.ko
#   --rw LIST --bs LIST --jobs LIST   (read,randread  4k,16k,64k,128k  1,<CPUs>)
#   --runtime S --ramp S --size SIZE  per fio run (3, 1, 256M per job)
#   --map-device BDF       device for dma_map_benchmark: unbound from its
#                          driver for the run, rebound after (QEMU's edu if present)
#   --map-tool PATH        dma_map_benchmark binary (PATH, then next to this script)
#   --map-bits N --map-secs S --map-threads LIST --granules LIST
#                          (64; 2; 1,<CPUs>; 1,4,16,32)
#   --iova-rounds N        rounds per two-stage measurement, 0 = skip (200)
#   --iova-pages LIST      (1,4,16,32)
#   --lat-bs LIST          block sizes of the queue-depth-1 latency runs
#                          (randread, one job; 4k,128k; none = no such runs)
#   --count-secs S         seconds of each counting run (1; 0 = no counts)
#   --skip LIST            any of fio,map,iova,counts
#   --dry-run              print what the run would change and measure, then
#                          exit without changing anything
#   --yes                  go ahead on a machine that is not the QEMU guest
#   --help                 this text
#
# Safety: fio only reads.  In the QEMU guest the disk is the runner's
# scratch NVMe (serial rudma0) and the run proceeds.  Anywhere else the
# disk must be named (--device) and the run changes the machine only with
# --yes: it prints its plan (modules it loads, devices it attaches or
# takes from their driver) and stops otherwise.
# Lists are separated by commas, colons or spaces.
#
# Output: readable progress, and for bench.py lines starting "rudma-bench: "
# (info, cmd, map, iova, counts, fio-begin/fio-end around fio's JSON, done).
# Exit status: 0 when every measurement asked for and possible completed.

set -u

say() { echo "rudma-bench: $*"; }
die() { say "error: $*"; exit 2; }
list() { echo "$*" | tr ',:' '  '; }

ncpu=$(nproc 2>/dev/null || grep -c ^processor /proc/cpuinfo)
here=$(cd "$(dirname "$0")" && pwd)

config=stock
device=
bdf=
moddir=
rudma_params=
rws="read randread"
bss="4k 16k 64k 128k"
jobs="1 $ncpu"
runtime=3
ramp=1
size=256M
map_dev=
map_tool=
# The mask dma_map_benchmark sets on its device: it maps and unmaps but
# never has the device do DMA, so the device's own limit (edu: 28 bits)
# does not matter, and a full mask keeps swiotlb out of passthrough runs.
map_bits=64
map_secs=2
map_threads="1 $ncpu"
granules="1 4 16 32"
iova_rounds=200
iova_pages="1 4 16 32"
lat_bss="4k 128k"
count_secs=1
skip=
dry_run=0
yes=0

while [ $# -gt 0 ]; do
	opt=$1
	case "$opt" in
	-h|--help)
		awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"
		exit 0
		;;
	--dry-run) dry_run=1; shift; continue ;;
	--yes) yes=1; shift; continue ;;
	--*) [ $# -ge 2 ] || die "$opt needs a value" ;;
	*) die "unknown argument '$opt' (see the head of $0)" ;;
	esac
	val=$2
	shift 2
	case "$opt" in
	--config) config=$val ;;
	--device) device=${val#/dev/} ;;
	--bdf) bdf=$val ;;
	--modules) moddir=$val ;;
	--rudma-params) rudma_params=$val ;;
	--rw) rws=$(list "$val") ;;
	--bs) bss=$(list "$val") ;;
	--jobs) jobs=$(list "$val") ;;
	--runtime) runtime=$val ;;
	--ramp) ramp=$val ;;
	--size) size=$val ;;
	--map-device) map_dev=$val ;;
	--map-tool) map_tool=$val ;;
	--map-bits) map_bits=$val ;;
	--map-secs) map_secs=$val ;;
	--map-threads) map_threads=$(list "$val") ;;
	--granules) granules=$(list "$val") ;;
	--iova-rounds) iova_rounds=$val ;;
	--iova-pages) iova_pages=$(list "$val") ;;
	--lat-bs) lat_bss=$(list "$val"); [ "$lat_bss" != none ] || lat_bss= ;;
	--count-secs) count_secs=$val ;;
	--skip) skip=$(list "$val") ;;
	*) die "unknown option '$opt' (see the head of $0)" ;;
	esac
done
case "$config" in stock|rudma) ;; *) die "--config is stock or rudma" ;; esac
[ "$(id -u)" = 0 ] || [ $dry_run = 1 ] || die "needs root (sysfs, debugfs, insmod, raw device reads)"
# One job count once, in order (1 and <CPUs> are the same on one CPU).
jobs=$(for j in $jobs; do echo "$j"; done | awk '!seen[$0]++' | tr '\n' ' ')
map_threads=$(for j in $map_threads; do echo "$j"; done | awk '!seen[$0]++' | tr '\n' ' ')
skipped() { case " $skip " in *" $1 "*) return 0 ;; esac; return 1; }

# --- what the script changed, undone by cleanup() --------------------------
loaded=""		# modules insmodded here, newest first
attached=""		# devices attached to rudma here
map_bound=""		# map device bound to dma_map_benchmark here
map_old_driver=""	# its driver before
map_old_override=""	# its driver_override before
# Counting probes, NAME:FUNCTION.  A function this kernel lacks (not
# built, or inlined) is not counted and is named in an "info
# counts_missing=" line.
# virtio-iommu: every MAP and UNMAP request is queued by __viommu_add_req
# (a VMM exit once kicked); every synchronous round trip (kick and wait)
# is __viommu_sync_req.  SMMUv3: every command batch written to the queue
# is arm_smmu_cmdq_issue_cmdlist, every CMD_SYNC waited for
# arm_smmu_cmdq_poll_until_sync.
COUNT_PROBES="dma_map_page:dma_map_page_attrs dma_unmap_page:dma_unmap_page_attrs
dma_map_sg:dma_map_sg_attrs dma_map_sgtable:dma_map_sgtable dma_unmap_sg:dma_unmap_sg_attrs
viommu_req:__viommu_add_req viommu_sync:__viommu_sync_req
smmu_batch:arm_smmu_cmdq_issue_cmdlist smmu_sync:arm_smmu_cmdq_poll_until_sync"
TRACE=/sys/kernel/tracing
# The counting probes record into their own trace instance, switched off,
# so they only count, and the machine's own tracing is left as it was.
INST=$TRACE/instances/rudma_bench
counted=""		# counting probes defined here
trace_mounted=0		# tracefs mounted here
RUDMA=/sys/kernel/rudma
PCI=/sys/bus/pci

detach() {
	echo "$1" > $RUDMA/detach 2>/dev/null || { sleep 2; echo "$1" > $RUDMA/detach; }
}

unbind_map_dev() {
	[ -n "$map_bound" ] || return 0
	echo "$map_bound" > $PCI/drivers/dma_map_benchmark/unbind 2>/dev/null
	# An empty write clears driver_override.
	echo "$map_old_override" > $PCI/devices/$map_bound/driver_override
	if [ -n "$map_old_driver" ]; then
		echo "$map_bound" > $PCI/drivers/$map_old_driver/bind 2>/dev/null ||
			echo "$map_bound" > $PCI/drivers_probe
	fi
	map_bound=""
}

cleanup() {
	local d m rc=0
	trap - EXIT INT TERM
	for d in $attached; do
		detach "$d" || { say "warning: cannot detach $d"; rc=1; }
	done
	attached=""
	unbind_map_dev
	for m in $loaded; do
		rmmod "$m" || { say "warning: cannot unload $m"; rc=1; }
	done
	loaded=""
	counts_clear
	[ $trace_mounted = 0 ] || umount $TRACE 2>/dev/null
	trace_mounted=0
	[ $rc -eq 0 ] || say "warning: state not fully restored"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- where things are --------------------------------------------------------
if [ -z "$moddir" ]; then
	if [ -f /lib/modules/rudma/rudma.ko ]; then
		moddir=/lib/modules/rudma
	else
		moddir=$(cd "$here/../../.." && pwd)
	fi
fi

# The PCI function above a block device: the last DDDD:BB:DD.F in its
# sysfs path; for an NVMe namespace, else its controller's.
pci_of_block() {
	local p c
	p=$(readlink -f "/sys/block/$1") || return 1
	p=$(echo "$p" | tr / '\n' | grep -E '^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$' | tail -n1)
	if [ -z "$p" ]; then
		c=$(echo "$1" | sed -n 's/^\(nvme[0-9]*\)n[0-9]*$/\1/p')
		[ -n "$c" ] && p=$(basename "$(readlink -f /sys/class/nvme/$c/device)")
	fi
	[ -n "$p" ] && echo "$p"
}

pci_find() {
	local d
	for d in $PCI/devices/*; do
		[ "$(cat $d/vendor)" = "$1" ] && [ "$(cat $d/device)" = "$2" ] &&
			{ basename $d; return 0; }
	done
	return 1
}

group_type() {
	if [ -r $PCI/devices/$1/iommu_group/type ]; then
		cat $PCI/devices/$1/iommu_group/type
	else
		echo none
	fi
}

load() {
	local m=$1
	shift
	[ -d /sys/module/$m ] && return 0
	if [ -f "$moddir/$m.ko" ]; then
		say "cmd insmod $moddir/$m.ko $*"
		# shellcheck disable=SC2068
		insmod "$moddir/$m.ko" $@ || return 1
	else
		# Installed by make install (updates/rudma): modprobe loads its
		# dependencies too.
		local core=0
		[ -d /sys/module/rudma_core ] && core=1
		say "cmd modprobe $m $*"
		# shellcheck disable=SC2068
		modprobe "$m" $@ || return 1
		# rudma_core, if modprobe loaded it for m, goes after m.
		[ $core = 0 ] && [ -d /sys/module/rudma_core ] && [ "$m" != rudma_core ] &&
			loaded="rudma_core $loaded"
	fi
	loaded="$m $loaded"
}

attach() {
	say "cmd echo $1 > $RUDMA/attach"
	echo "$1" > $RUDMA/attach || return 1
	attached="$1 $attached"
}

unattach() {
	case " $attached " in
	*" $1 "*) detach "$1" && attached=$(echo " $attached " | sed "s/ $1 / /") ;;
	esac
}

[ $dry_run = 1 ] || grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# The QEMU guest's scratch disk: the namespace of the NVMe controller
# with serial rudma0 (tools/testing/qemu/run), or nothing.
scratch_disk() {
	local c n
	for c in /sys/class/nvme/nvme*; do
		[ -r "$c/serial" ] && [ "$(tr -d ' ' < "$c/serial")" = rudma0 ] || continue
		for n in "$c/${c##*/}"n*; do
			[ -d "$n" ] && { echo "${n##*/}"; return 0; }
		done
	done
	return 1
}
scratch=$(scratch_disk || true)
if [ -z "$device" ]; then
	device=$scratch
	[ -n "$device" ] || die "not QEMU's guest (no NVMe with serial rudma0): name the disk to read with --device"
fi
[ -b "/dev/$device" ] || die "/dev/$device is not a block device"
[ -n "$bdf" ] || bdf=$(pci_of_block "$device") || die "no PCI device above $device: give --bdf"
edu=$(pci_find 0x1234 0x11e8 || true)
[ -n "$map_dev" ] || map_dev=$edu
[ "$map_dev" != "$bdf" ] || die "--map-device must not be the disk under test"

# What the run would change and measure; with --dry-run, or on a machine
# that is not the QEMU guest without --yes, nothing else happens.
plan() {
	local drv
	say "plan device=/dev/$device bdf=$bdf group_type=$(group_type $bdf) config=$config" \
		"scratch=$([ "$device" = "$scratch" ] && echo yes || echo no)"
	if [ "$config" = rudma ]; then
		say "plan load rudma.ko from $moddir${rudma_params:+ ($rudma_params)}; attach $bdf" \
			"(its DMA goes through rudma's pool for the run), detach and unload after"
	fi
	if ! skipped iova && [ "$iova_rounds" != 0 ] && [ -n "$edu" ]; then
		say "plan load rudma_iova.ko and rudma_edu.ko (binds QEMU's edu $edu)"
	fi
	if ! skipped map && [ -n "$map_dev" ]; then
		drv=$(readlink $PCI/devices/$map_dev/driver 2>/dev/null || true)
		say "plan unbind $map_dev from ${drv:+${drv##*/}}${drv:-no driver}, bind it to" \
			"dma_map_benchmark for the run, give it back after"
	fi
	if ! skipped fio; then
		say "plan fio --readonly on /dev/$device: $(echo $rws | wc -w) workloads x" \
			"$(echo $bss | wc -w) block sizes x $(echo $jobs | wc -w) job counts," \
			"${runtime}s + ${ramp}s ramp each; nothing is written"
	fi
}
if [ $dry_run = 1 ]; then
	plan
	say "dry run: nothing changed"
	trap - EXIT
	exit 0
fi
if [ "$device" != "$scratch" ] && [ $yes = 0 ]; then
	plan
	die "/dev/$device is not QEMU's scratch disk: check the plan above, then run again with --yes"
fi

failures=0
failed() { say "error: $*"; failures=$((failures + 1)); }

say "info config=$config device=/dev/$device bdf=$bdf group_type=$(group_type $bdf)" \
	"map_device=${map_dev:-none} cpus=$ncpu kernel=$(uname -r)" \
	"mem_kib=$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
say "cmdline $(cat /proc/cmdline)"

if [ "$config" = rudma ]; then
	[ -f "$moddir/rudma.ko" ] || modinfo rudma >/dev/null 2>&1 ||
		die "no rudma.ko in $moddir and none installed: give --modules"
	# shellcheck disable=SC2086
	load rudma $rudma_params || die "cannot load rudma.ko"
	if ! grep -q "^$bdf " $RUDMA/attached; then
		attach "$bdf" || die "cannot attach $bdf (group type $(group_type $bdf))"
	fi
	say "attached $(grep "^$bdf " $RUDMA/attached)"
elif grep -qs "^$bdf " $RUDMA/attached; then
	die "$bdf is attached to rudma: detach it for a stock run"
fi

# --- counts: kprobe hits around a short second run of the same work ----------
counting() { [ -n "$counted" ]; }

counts_init() {
	local p name fn missing=""
	skipped counts && return 0
	[ "$count_secs" != 0 ] || return 0
	if [ ! -f $TRACE/kprobe_events ]; then
		mount -t tracefs nodev $TRACE 2>/dev/null && trace_mounted=1
	fi
	if [ ! -f $TRACE/kprobe_events ] || [ ! -f $TRACE/kprobe_profile ]; then
		say "skip counts: needs tracefs with kprobe events (CONFIG_KPROBE_EVENTS)"
		return 0
	fi
	# Left over from an interrupted run: its probes cannot be redefined.
	counts_clear
	mkdir $INST 2>/dev/null || { say "skip counts: cannot create $INST"; return 0; }
	echo 0 > $INST/tracing_on
	for p in $COUNT_PROBES; do
		name=${p%%:*} fn=${p#*:}
		if grep -q " [tT] $fn\$" /proc/kallsyms &&
			echo "p:rudma_bench/rudma_bench_$name $fn" >> $TRACE/kprobe_events 2>/dev/null; then
			counted="$counted $name"
		else
			missing="$missing,$name"
		fi
	done
	say "info counts=$(echo $counted | tr ' ' ,) counts_missing=${missing#,}"
	counting || say "skip counts: none of the probed functions exists"
}

counts_on() { echo 1 > $INST/events/rudma_bench/enable; }
counts_off() { echo 0 > $INST/events/rudma_bench/enable; }

# The instance and the probes go (the probes only once no instance has
# them enabled).
counts_clear() {
	local p
	counted=""
	[ -d $INST ] || return 0
	echo 0 > $INST/events/rudma_bench/enable 2>/dev/null
	rmdir $INST 2>/dev/null
	for p in $COUNT_PROBES; do
		echo "-:rudma_bench/rudma_bench_${p%%:*}" >> $TRACE/kprobe_events 2>/dev/null
	done
}

# NAME=HITS of every probe, and rudma's pool counters summed over pools and
# classes (rudma_maps: served from a slot; rudma_copied: bytes).
counts_read() {
	awk '$1 ~ /^rudma_bench_/ { sub(/^rudma_bench_/, "", $1); printf "%s=%s ", $1, $2 }' \
		$TRACE/kprobe_profile
	[ "$config" = rudma ] && [ -r /sys/kernel/debug/rudma/pools ] || return 0
	awk '$1 == "class" || $1 == "pool" {
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] ~ /^(maps|hits|misses|fallbacks|routed|copied|oversize|persistent)$/)
				s[kv[1]] += kv[2]
		}
	}
	END { for (k in s) printf "rudma_%s=%.0f ", k, s[k] }' /sys/kernel/debug/rudma/pools
}

# counts_delta BEFORE AFTER: NAME=AFTER-BEFORE for every NAME of AFTER.
counts_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, w, " ")
		for (i = 1; i <= n; i++) { split(w[i], kv, "="); was[kv[1]] = kv[2] }
		n = split(b, w, " ")
		for (i = 1; i <= n; i++) {
			split(w[i], kv, "=")
			printf "%s%s=%.0f", (i > 1 ? " " : ""), kv[1], kv[2] - was[kv[1]]
		}
	}'
}

# --- two-stage: N map_page versus link + one sync (rudma_edu, edu) -----------
iova_bench() {
	local d=/sys/kernel/debug/rudma_edu/$edu n mode out
	if [ -z "$edu" ] || { [ ! -f "$moddir/rudma_edu.ko" ] && ! modinfo rudma_edu >/dev/null 2>&1; }; then
		say "skip iova: needs QEMU's edu device and rudma_edu.ko"
		return 0
	fi
	if [ -e $PCI/devices/$edu/driver ] && [ ! -d /sys/module/rudma_edu ]; then
		say "skip iova: $edu has another driver"
		return 0
	fi
	# Without translation (the disk's group tells: edu has no group before
	# a driver binds) there is no two-stage path, and rudma_edu does not
	# bind: edu's 28-bit DMA mask cannot reach all memory without an IOMMU.
	if [ "$(group_type $bdf)" = identity ]; then
		for n in $iova_pages; do
			say "iova mode=classic pages=$n unavailable=identity-domain"
			say "iova mode=iova pages=$n unavailable=identity-domain"
		done
		return 0
	fi
	{ load rudma_iova && load rudma_edu; } || { failed "cannot load rudma_edu"; return; }
	[ "$config" = rudma ] && { attach "$edu" || failed "cannot attach $edu"; }
	for n in $iova_pages; do
		for mode in classic iova; do
			say "cmd echo '$mode $n $iova_rounds' > $d/iova_bench"
			if echo "$mode $n $iova_rounds" > $d/iova_bench && out=$(cat $d/iova_bench); then
				say "iova mode=$mode pages=$n rounds=$iova_rounds $out"
			else
				failed "iova_bench $mode $n"
			fi
		done
	done
	unattach "$edu"
	# rudma_edu stays bound: the map benchmark takes edu from it and gives
	# it back, as it would take a device from its driver on a real host.
}

# --- the time of one memcpy (rudma_copy_bench.ko) ----------------------------
copy_bench() {
	local f=/sys/kernel/debug/rudma_copy_bench g out page
	page=$(getconf PAGESIZE 2>/dev/null || echo 4096)
	if [ ! -f "$moddir/rudma_copy_bench.ko" ] && ! modinfo rudma_copy_bench >/dev/null 2>&1; then
		say "skip copy: needs rudma_copy_bench.ko (a test module)"
		return 0
	fi
	load rudma_copy_bench || { failed "cannot load rudma_copy_bench"; return; }
	for g in $granules; do
		say "cmd echo '$((g * page)) 20000' > $f"
		if echo "$((g * page)) 20000" > $f && out=$(cat $f); then
			say "copy granule=$g $out"
		else
			failed "rudma_copy_bench $((g * page))"
		fi
	done
}

# --- dma_map_benchmark ---------------------------------------------------------
map_bench() {
	local t g out drv c0 rc
	[ -n "$map_tool" ] || map_tool=$(command -v dma_map_benchmark || echo "$here/dma_map_benchmark")
	if [ -z "$map_dev" ]; then
		say "skip map: no device for dma_map_benchmark (--map-device)"
		return 0
	fi
	if [ ! -x "$map_tool" ] || [ ! -d $PCI/drivers/dma_map_benchmark ]; then
		say "skip map: needs the dma_map_benchmark tool and CONFIG_DMA_MAP_BENCHMARK=y"
		return 0
	fi
	[ -d $PCI/devices/$map_dev ] || { failed "no PCI device $map_dev"; return; }
	drv=$(readlink $PCI/devices/$map_dev/driver 2>/dev/null || true)
	map_old_driver=${drv##*/}
	map_old_override=$(cat $PCI/devices/$map_dev/driver_override)
	[ "$map_old_override" = "(null)" ] && map_old_override=""
	map_bound=$map_dev
	say "cmd echo dma_map_benchmark > $PCI/devices/$map_dev/driver_override"
	[ -n "$map_old_driver" ] && echo "$map_dev" > $PCI/drivers/$map_old_driver/unbind
	echo dma_map_benchmark > $PCI/devices/$map_dev/driver_override
	echo "$map_dev" > $PCI/drivers_probe
	[ -e $PCI/drivers/dma_map_benchmark/$map_dev ] ||
		{ failed "$map_dev does not bind to dma_map_benchmark"; unbind_map_dev; return; }
	if [ "$config" = rudma ]; then
		attach "$map_dev" || { failed "cannot attach $map_dev"; unbind_map_dev; return; }
	fi
	say "info map_device=$map_dev group_type=$(group_type $map_dev)"
	copy_bench
	for t in $map_threads; do
		for g in $granules; do
			say "cmd $map_tool -t $t -s $map_secs -g $g -b $map_bits"
			out=$("$map_tool" -t "$t" -s "$map_secs" -g "$g" -b "$map_bits" 2>&1 | awk '
				/average map latency/ { gsub(/[a-z():]+/, " "); m = $1; ms = $2 }
				/average unmap latency/ { gsub(/[a-z():]+/, " "); u = $1; us = $2 }
				END {
					if (m !~ /^[0-9.]+$/ || u !~ /^[0-9.]+$/) exit 1
					printf "map_us=%s map_sd=%s unmap_us=%s unmap_sd=%s", m, ms, u, us
				}') && say "map threads=$t granule=$g $out" ||
				{ failed "dma_map_benchmark -t $t -g $g"; continue; }
			counting || continue
			c0=$(counts_read)
			counts_on
			"$map_tool" -t "$t" -s "$count_secs" -g "$g" -b "$map_bits" > /dev/null 2>&1
			rc=$?
			counts_off
			[ $rc -eq 0 ] || { failed "dma_map_benchmark -t $t -g $g (counted run)"; continue; }
			say "counts what=map threads=$t granule=$g $(counts_delta "$c0" "$(counts_read)")"
		done
	done
	unattach "$map_dev"
	unbind_map_dev
}

# --- fio ---------------------------------------------------------------------
# Busy and total jiffies of all CPUs so far (from /proc/stat).
cpu_ticks() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i
			   print t - $5 - $6, t; exit }' /proc/stat
}

# Reads completed and sectors read on the disk so far.
disk_reads() {
	awk '{ print $1, $3 }' /sys/block/$device/stat
}

# fio_point LABEL JOBFILE BS JOBS DEPTH: one timed fio run, its JSON between
# fio-begin and fio-end, then (counts) a short counted run of the same job.
fio_point() {
	local label=$1 f=$2 bs=$3 j=$4 depth=$5 sz b0 t0 b1 t1 rc c0 c1 r0 s0
	# Each job reads its own region: SIZE, or its share of the disk.
	sz=$(awk -v s="$size" -v sec="$sectors" -v j="$j" 'BEGIN {
		m = s + 0; u = toupper(substr(s, length(m "") + 1, 1))
		if (u == "K") m *= 1024; else if (u == "M") m *= 1048576
		else if (u == "G") m *= 1073741824; else if (u == "T") m *= 1099511627776
		lim = int(sec * 512 / j / 1048576)
		print (m / 1048576 < lim ? int(m / 1048576) : lim) "M" }')
	say "cmd BENCH_DISK=/dev/$device BENCH_BS=$bs BENCH_JOBS=$j BENCH_SIZE=$sz" \
		"BENCH_IODEPTH=$depth BENCH_RUNTIME=$runtime BENCH_RAMP=$ramp" \
		"fio --readonly --output-format=json+ $f"
	set -- $(cpu_ticks)
	b0=$1 t0=$2
	BENCH_DISK=/dev/$device BENCH_BS=$bs BENCH_JOBS=$j BENCH_SIZE=$sz \
		BENCH_IODEPTH=$depth BENCH_RUNTIME=$runtime BENCH_RAMP=$ramp \
		fio --readonly --output-format=json+ "$f" > /tmp/rudma-bench.json 2> /tmp/rudma-bench.err
	rc=$?
	set -- $(cpu_ticks)
	b1=$1 t1=$2
	say "fio-begin rw=$label bs=$bs jobs=$j"
	cat /tmp/rudma-bench.json
	say "fio-end rw=$label bs=$bs jobs=$j rc=$rc busy_ticks=$((b1 - b0)) total_ticks=$((t1 - t0))"
	if [ $rc -ne 0 ]; then
		sed 's/^/fio: /' /tmp/rudma-bench.err | tail -n 5
		failed "fio $label bs=$bs jobs=$j exit $rc"
		return
	fi
	counting || return 0
	set -- $(disk_reads)
	r0=$1 s0=$2
	c0=$(counts_read)
	counts_on
	BENCH_DISK=/dev/$device BENCH_BS=$bs BENCH_JOBS=$j BENCH_SIZE=$sz \
		BENCH_IODEPTH=$depth BENCH_RUNTIME=$count_secs BENCH_RAMP=0 \
		fio --readonly --output-format=json "$f" > /dev/null 2> /tmp/rudma-bench.err
	rc=$?
	counts_off
	c1=$(counts_read)
	set -- $(disk_reads)
	if [ $rc -ne 0 ]; then
		failed "fio $label bs=$bs jobs=$j (counted run) exit $rc"
		return
	fi
	say "counts what=fio rw=$label bs=$bs jobs=$j ios=$(($1 - r0)) sectors=$(($2 - s0))" \
		"$(counts_delta "$c0" "$c1")"
}

fio_bench() {
	local rw bs j f
	command -v fio >/dev/null || { failed "no fio"; return; }
	sectors=$(cat /sys/block/$device/size)
	for rw in $rws; do
		f=$here/fio/$rw.fio
		[ -f "$f" ] || { failed "no job file $f"; continue; }
		for bs in $bss; do
			for j in $jobs; do
				fio_point "$rw" "$f" "$bs" "$j" 64
			done
		done
	done
	# Latency: one request at a time, where each I/O waits for its own
	# map and unmap (the 4k figure the 2023 virtio-iommu work reports).
	for bs in $lat_bss; do
		fio_point randread-qd1 "$here/fio/randread.fio" "$bs" 1 1
	done
	rm -f /tmp/rudma-bench.json /tmp/rudma-bench.err
}

counts_init
skipped iova || [ "$iova_rounds" = 0 ] || iova_bench
skipped map || map_bench
skipped fio || fio_bench
if [ "$config" = rudma ]; then
	say "attached $(grep "^$bdf " $RUDMA/attached)"
	[ -r /sys/kernel/debug/rudma/pools ] && sed 's/^/rudma-bench: pools /' /sys/kernel/debug/rudma/pools
fi
cleanup
say "done failures=$failures"
[ $failures -eq 0 ]
