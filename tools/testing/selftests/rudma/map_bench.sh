#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's dma_map_benchmark on QEMU's edu device (bound to the
# dma_map_benchmark driver through driver_override), through stock
# iommu-dma and through rudma's pool, one thread and one per CPU, 1, 4, 16
# and 32 pages per mapping: mean map and unmap time per call, in one boot.
# Timing is not a test result: run by hand (make suite SUITE=map-bench);
# it passes when every run completed.

. /rudma/ktap_helpers.sh
. /rudma/lib.sh

SECS=${RUDMA_MAP_BENCH_SECS:-3}
ktap_print_header
ktap_set_plan 1

edu=$(rudma_edu_bdf)
echo dma_map_benchmark > /sys/bus/pci/devices/$edu/driver_override
echo $edu > /sys/bus/pci/drivers_probe
insmod $RUDMA_MODDIR/rudma.ko

# One run: prints "map_us unmap_us" (means, from the tool's output).
run() {
	dma_map_benchmark -t $1 -s $SECS -g $2 -b 28 2>&1 |
		awk '/average map latency/ { sub(/^.*latency\(us\):/, ""); m = $1 }
		     /average unmap latency/ { sub(/^.*latency\(us\):/, ""); u = $1 }
		     END { if (m !~ /^[0-9.]+$/ || u !~ /^[0-9.]+$/) exit 1; print m, u }'
}

ok=0
cpus=$(grep -c ^processor /proc/cpuinfo)
echo "# threads pages   stock map/unmap us   rudma map/unmap us"
for t in 1 $cpus; do
	for g in 1 4 16 32; do
		a=$(run $t $g) || ok=1
		rudma_write $RUDMA_SYSFS/attach $edu || ok=1
		b=$(run $t $g) || ok=1
		rudma_write $RUDMA_SYSFS/detach $edu || ok=1
		printf "# %7s %5s %20s %20s\n" $t $g "$(echo $a | tr ' ' /)" "$(echo $b | tr ' ' /)"
	done
done
rmmod rudma
rudma_test "every benchmark run completed" test $ok = 0
ktap_finished
