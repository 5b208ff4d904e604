#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A quick, same-boot throughput comparison of stock iommu-dma and rudma's
# bounce pool on the NVMe disk (fio read, libaio, iodepth 64, direct I/O),
# at 4k, 16k, 64k and 128k, alternating the two (A B A B) so drift hits
# both alike.  Prints a table and the pool's hit rate; passes when every
# run completed.  Not part of `make check` (timing is not a test result);
# run with `make suite SUITE=pool-perf`.  `make bench` is the full
# comparison across boot configurations.

. /rudma/ktap_helpers.sh
. /rudma/lib.sh

SECS=${RUDMA_PERF_SECS:-4}
ROUNDS=${RUDMA_PERF_ROUNDS:-2}
ktap_print_header
ktap_set_plan 1

nvme=$(rudma_nvme_bdf)
disk=$(rudma_nvme_disk)
insmod $RUDMA_MODDIR/rudma.ko

# Read bandwidth in KiB/s of one fio run (terse output, field 7).
bw() {
	fio --name=p --filename=$disk --direct=1 --ioengine=libaio --rw=read \
		--bs=$1 --iodepth=64 --size=256M --time_based --runtime=$SECS \
		--minimal 2>/dev/null | awk -F';' '{ print $7 }'
}

ok=0
echo "# bs      stock-strict KiB/s   rudma-pool KiB/s   ratio"
for bs in 4k 16k 64k 128k; do
	s=0 r=0
	for i in $(seq $ROUNDS); do
		a=$(bw $bs) || ok=1
		rudma_write $RUDMA_SYSFS/attach $nvme || ok=1
		b=$(bw $bs) || ok=1
		rudma_write $RUDMA_SYSFS/detach $nvme || ok=1
		s=$((s + ${a:-0})) r=$((r + ${b:-0}))
	done
	[ $s -gt 0 ] && [ $r -gt 0 ] || ok=1
	printf "# %-6s %18d %18d   %s\n" $bs $((s / ROUNDS)) $((r / ROUNDS)) \
		"$(awk "BEGIN { printf \"%.2fx\", $r / ($s ? $s : 1) }")"
done
# Hit rate of one more pool run, counters read before detach.
rudma_write $RUDMA_SYSFS/attach $nvme
bw 4k >/dev/null
maps=$(rudma_pool_class 4096 maps) hits=$(rudma_pool_class 4096 hits)
echo "# 4k class: maps=$maps hits=$hits hit rate $(awk "BEGIN { printf \"%.4f\", $hits / ($maps ? $maps : 1) }")"
rudma_write $RUDMA_SYSFS/detach $nvme
rmmod rudma
rudma_test "all runs completed" test $ok = 0
ktap_finished
