#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load through the bounce pool, with data checked:
#  * fio randrw with crc32c verification over 1 GiB of the NVMe disk,
#    block sizes 512 B .. 1 MiB, iodepth 64, one job per CPU: no
#    mismatch, no I/O error;
#  * 1000 attach/detach cycles of the NVMe device, data written between
#    each attach and detach and read back after the detach (and the other
#    way round), so every cycle moves data across a change of DMA ops; no
#    pool left, not one of rudma's bounce pages left (its exact count),
#    and no slab object (kmemleak).
# The stress of every CPU mapping at once (60 s) is in pool_stress.sh.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

CYCLES=${RUDMA_LOAD_CYCLES:-1000}
ktap_print_header
rudma_require_scratch_disk
ktap_set_plan 8

nvme=$(rudma_nvme_bdf)
disk=$(rudma_scratch_disk) || ktap_exit_fail_msg "no scratch disk"
cpus=$(nproc)
rudma_insmod rudma || ktap_exit_fail_msg "rudma does not load"
A=$RUDMA_SYSFS/attach
DT=$RUDMA_SYSFS/detach
rudma_write $A $nvme || ktap_exit_fail_msg "attach failed"

# 1 GiB in one region per job; randrw writes about half of it, and every
# block written is read back and checked at the end (do_verify).
per=$((1024 / cpus))
log=/tmp/fio-load.log
start=$(date +%s)
fio --name=load --filename=$disk --direct=1 --ioengine=libaio --rw=randrw \
	--bssplit=512/10:4k/25:16k/20:64k/20:128k/15:1m/10 --iodepth=64 \
	--numjobs=$cpus --size=${per}M --offset_increment=${per}M \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --group_reporting \
	--output=$log >/dev/null 2>&1
rc=$?
secs=$(($(date +%s) - start))
sed -n 's/^ *\(read\|write\|READ\|WRITE\):/# &/p' $log
echo "# fio: $cpus jobs x ${per} MiB, ${secs}s, exit $rc"
rudma_test "fio randrw verify, 1 GiB, 512B..1M, depth 64, $cpus jobs" \
	sh -c "[ $rc = 0 ] && grep -q 'err= 0' $log && ! grep -qi 'verify.*fail\|bad magic\|crc32c' $log"
maps=$(rudma_pool_sum maps)
echo "# pool: $maps mappings through slots, $(rudma_pool_sum fallbacks) fallbacks, oversize $(rudma_pool_stat oversize)"
rudma_test "the pool served the load ($maps slot mappings)" test "${maps:-0}" -gt 1000
rudma_write $DT $nvme

# One cycle: attach; write a pattern (through the pool); detach; read it
# back (through iommu-dma); then write through iommu-dma and read it back
# through the pool of the next cycle.  8 KiB blocks at a moving offset.
pattern() {
	# 8 KiB, distinct per cycle.
	printf '%08d' $(seq $1 $(($1 + 1023))) | head -c 8192
}
# A /proc/meminfo field, kB.
meminfo() {
	sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo
}
# rudma's own bounce pages now (exact: counted at allocation and free).
pages_held() {
	sed -n 's/^memory pages=\([0-9-]*\)/\1/p' $RUDMA_POOLS
}
# put BLOCK FILE: writes FILE (8 KiB) to a block of the disk, O_DIRECT.
put() {
	dd if=$2 of=$disk bs=8192 seek=$1 oflag=direct conv=notrunc 2>/dev/null
}
# check BLOCK FILE HOW: reads the block back (O_DIRECT) and compares.
check() {
	dd if=$disk of=/tmp/got bs=8192 skip=$1 count=1 iflag=direct 2>/dev/null
	cmp -s /tmp/got $2 && return
	echo "# cycle $i: block $1 differs (read $3)"
	cycle_bad=$((cycle_bad + 1))
}
cycle_bad=0 cycle_err=0
p0=$(pages_held)
m0=$(meminfo MemAvailable) f0=$(meminfo MemFree) s0=$(meminfo Slab) u0=$(meminfo SUnreclaim)
start=$(date +%s)
i=0
pattern 0 > /tmp/prev
put 0 /tmp/prev
while [ $i -lt $CYCLES ]; do
	nb=$(((i + 1) % 4096))
	rudma_write $A $nvme || { cycle_err=1; break; }
	# Written before this attach through iommu-dma, read through the pool.
	check $((i % 4096)) /tmp/prev "via the pool"
	pattern $((i * 1024 + 7)) > /tmp/new
	put $nb /tmp/new
	rudma_write $DT $nvme || { cycle_err=1; break; }
	# Written through the pool, read through iommu-dma.
	check $nb /tmp/new "via iommu-dma"
	# The next cycle reads what iommu-dma writes now.
	pattern $((i * 1024 + 11)) > /tmp/prev
	put $nb /tmp/prev
	i=$((i + 1))
done
secs=$(($(date +%s) - start))
p1=$(pages_held)
m1=$(meminfo MemAvailable) f1=$(meminfo MemFree) s1=$(meminfo Slab) u1=$(meminfo SUnreclaim)
echo "# $i cycles in ${secs}s; rudma pages $p0 -> $p1"
# For the record (not a verdict: caches, KASAN's quarantine and per-CPU
# lists move these): where memory went over the cycles.
echo "# kB: MemAvailable $m0 -> $m1, MemFree $f0 -> $f1, Slab $s0 -> $s1, SUnreclaim $u0 -> $u1"
rudma_test "$CYCLES attach/detach cycles completed" test $i = $CYCLES -a $cycle_err = 0
rudma_test "every block read back as written, across ops changes" test $cycle_bad = 0
rudma_test "not attached after the cycles" sh -c "! grep -q '^$nvme ' $RUDMA_SYSFS/attached"
rudma_test "no pool left after the cycles" sh -c "! grep -q '^pool ' $RUDMA_POOLS"
# Leaks, exactly: every bounce page rudma allocated is freed again (its
# own page count), and every slab object it allocated is freed or
# kmemleak, which this suite boots with, reports it and fails the run.
rudma_test "every bounce page freed after the cycles (pages $p0 -> $p1)" \
	test "$p0" = 0 -a "$p1" = 0
rudma_test "rmmod rudma after the load" rmmod rudma
ktap_finished
