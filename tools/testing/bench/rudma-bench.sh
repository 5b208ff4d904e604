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
#           asked for, read-only (fio --readonly);
#  map      dma_map_benchmark on a spare PCI device (QEMU's edu device when
#           present, else --map-device), each thread count and granule;
#  iova     rudma_edu's iova_bench on QEMU's edu device: N pages mapped one
#           by one (dma_map_page) versus linked with one sync (rudma_iova).
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
#   --skip LIST            any of fio,map,iova
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
# (info, cmd, map, iova, fio-begin/fio-end around fio's JSON, done).
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

# --- dma_map_benchmark ---------------------------------------------------------
map_bench() {
	local t g out drv
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
				failed "dma_map_benchmark -t $t -g $g"
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

fio_bench() {
	local rw bs j f sz sectors b0 t0 b1 t1 rc
	command -v fio >/dev/null || { failed "no fio"; return; }
	sectors=$(cat /sys/block/$device/size)
	for rw in $rws; do
		f=$here/fio/$rw.fio
		[ -f "$f" ] || { failed "no job file $f"; continue; }
		for bs in $bss; do
			for j in $jobs; do
				# Each job reads its own region: SIZE, or its share of the disk.
				sz=$(awk -v s="$size" -v sec="$sectors" -v j="$j" 'BEGIN {
					m = s + 0; u = toupper(substr(s, length(m "") + 1, 1))
					if (u == "K") m *= 1024; else if (u == "M") m *= 1048576
					else if (u == "G") m *= 1073741824; else if (u == "T") m *= 1099511627776
					lim = int(sec * 512 / j / 1048576)
					print (m / 1048576 < lim ? int(m / 1048576) : lim) "M" }')
				say "cmd BENCH_DISK=/dev/$device BENCH_BS=$bs BENCH_JOBS=$j BENCH_SIZE=$sz" \
					"BENCH_RUNTIME=$runtime BENCH_RAMP=$ramp fio --readonly --output-format=json $f"
				set -- $(cpu_ticks)
				b0=$1 t0=$2
				BENCH_DISK=/dev/$device BENCH_BS=$bs BENCH_JOBS=$j BENCH_SIZE=$sz \
					BENCH_RUNTIME=$runtime BENCH_RAMP=$ramp \
					fio --readonly --output-format=json "$f" > /tmp/rudma-bench.json 2> /tmp/rudma-bench.err
				rc=$?
				set -- $(cpu_ticks)
				b1=$1 t1=$2
				say "fio-begin rw=$rw bs=$bs jobs=$j"
				cat /tmp/rudma-bench.json
				say "fio-end rw=$rw bs=$bs jobs=$j rc=$rc busy_ticks=$((b1 - b0)) total_ticks=$((t1 - t0))"
				if [ $rc -ne 0 ]; then
					sed 's/^/fio: /' /tmp/rudma-bench.err | tail -n 5
					failed "fio $rw bs=$bs jobs=$j exit $rc"
				fi
			done
		done
	done
	rm -f /tmp/rudma-bench.json /tmp/rudma-bench.err
}

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
