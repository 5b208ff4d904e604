#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The bounce pool on the NVMe disk behind virtio-iommu (strict domain):
# fio with crc32c verification across block sizes (512 B .. 1 MiB, the
# last larger than the top class), queue depths 1 and 64 and two jobs;
# the pool's counters prove which sizes it served and that 1 MiB fell
# back; a tiny pool (2 slots per class) still passes with fallbacks
# counted; idle slots age out; detach returns every slot and byte; the
# pool's module parameters refuse malformed values.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_scratch_disk
ktap_set_plan 44

nvme=$(rudma_nvme_bdf)
[ -n "$nvme" ] || ktap_exit_fail_msg "no NVMe device"
P=/sys/module/rudma/parameters

rudma_insmod rudma pool_cache_ms=2000 || ktap_exit_fail_msg "rudma does not load"
rudma_test "attach with a pool" rudma_write $RUDMA_SYSFS/attach $nvme
rudma_test "attached line says pool=yes" sh -c \
	"grep -q '^$nvme .* pool=yes' $RUDMA_SYSFS/attached"
rudma_test "debugfs shows one pool, one device" sh -c \
	"[ \$(grep -c '^pool ' $RUDMA_POOLS) = 1 ] && grep -q '^pool .* devices=1 ' $RUDMA_POOLS"

# Data integrity at every size, depth 1 and 64, sequential write then
# verify, and random mixed read/write with verify.
for bs in 512 4k 16k 64k 128k 1M; do
	for depth in 1 64; do
		rudma_test "fio write+verify bs=$bs iodepth=$depth jobs=2" \
			rudma_fio write $bs $depth 2 8M
	done
	rudma_test "fio randrw+verify bs=$bs iodepth=64 jobs=2" rudma_fio randrw $bs 64 2 8M
done

# Which sizes the pool served: every class up to 128 KiB saw mappings and
# reuse; 1 MiB requests went to iommu-dma.
for size in 4096 16384 65536 131072; do
	maps=$(rudma_pool_class $size maps)
	hits=$(rudma_pool_class $size hits)
	echo "# class $size: maps=$maps hits=$hits misses=$(rudma_pool_class $size misses)"
	rudma_test "class $size served mappings, mostly from cache" \
		test "${maps:-0}" -gt 0 -a "${hits:-0}" -gt $((maps / 2))
done
# NVMe caps requests at dma_opt_mapping_size() (128 KiB, iommu-dma's
# IOVA cache limit), so the block layer splits 1 MiB I/O and the pool
# serves the pieces: nothing reaches it oversize at the default top class.
oversize=$(rudma_pool_stat oversize)
rudma_test "1 MiB I/O arrives split to the top class (oversize=$oversize)" test "${oversize:-1}" = 0
bad=$(rudma_pool_stat bad)
rudma_test "no misuse reported (bad=$bad)" test "$bad" = 0
rudma_test "nothing in flight once idle" test "$(rudma_pool_sum inuse)" = 0

# Aging: with I/O stopped, cached slots stay for pool_cache_ms and are
# released within 1.5 timeouts after it.  Counted under a long cache time
# first: a slow kernel (KASAN under TCG) takes seconds to end fio, longer
# than the 2 s this pool caches for.  The new time applies at the next
# aging pass (at most 1 s away).
echo 60000 > $P/pool_cache_ms
sleep 1
rudma_fio write 4k 16 1 4M
rudma_test "slots are cached after I/O" test "$(rudma_pool_sum cached)" -gt 0
echo 2000 > $P/pool_cache_ms
sleep 4
rudma_test "idle slots aged out: nothing cached, no memory held" \
	test "$(rudma_pool_sum cached)" = 0 -a "$(rudma_pool_sum mem)" = 0

rudma_test "detach" rudma_write $RUDMA_SYSFS/detach $nvme
rudma_test "detach destroyed the pool" sh -c "! grep -q '^pool ' $RUDMA_POOLS"
rmmod rudma

# Exhaustion and oversize: two slots per class under depth 64, top class
# 64 KiB: everything still verifies; the excess and every 128 KiB mapping
# fall back to iommu-dma and are counted.
rudma_insmod rudma pool_slots=2 pool_max_size=65536
rudma_write $RUDMA_SYSFS/attach $nvme
rudma_test "tiny pool: fio randrw+verify 4k iodepth=64" rudma_fio randrw 4k 64 2 8M
rudma_test "tiny pool: fio write+verify 64k iodepth=64" rudma_fio write 64k 64 2 8M
rudma_test "top class 64k: fio write+verify 128k iodepth=16" rudma_fio write 128k 16 2 8M
fb=$(rudma_pool_class 4096 fallbacks)
rudma_test "tiny pool: fallbacks counted (4k class: $fb)" test "${fb:-0}" -gt 0
oversize=$(rudma_pool_stat oversize)
rudma_test "128 KiB mappings fell back as oversize ($oversize)" test "${oversize:-0}" -gt 0
rudma_test "tiny pool: only classes up to 64 KiB" sh -c \
	"! grep -q '^  class size=131072' $RUDMA_POOLS"
rudma_test "tiny pool: at most 2 slots of a class ever mapped" sh -c \
	"! grep '^  class' $RUDMA_POOLS | grep -qv ' slots=[0-2] '"
rudma_write $RUDMA_SYSFS/detach $nvme

# Module parameters: malformed values refused, old value kept.
params_ok=0
for bad in "pool_max_size 0" "pool_max_size 3000" "pool_max_size 2097152" \
	"pool_max_size -1" "pool_max_size abc" "pool_max_size ''" \
	"pool_slots 0" "pool_slots 65537" "pool_slots -5" \
	"pool_cache_ms 60001" "pool_cache_ms x"; do
	set -- $bad
	if ! rudma_expect_errno "Invalid argument" rudma_write $P/$1 "$(eval echo $2)"; then
		echo "# $1=$2 was accepted"
		params_ok=1
	fi
done
rudma_test "malformed parameters refused with EINVAL" test $params_ok = 0
rudma_test "parameters unchanged" test "$(cat $P/pool_max_size) $(cat $P/pool_slots)" = "65536 2"
rudma_test "good values accepted" sh -c "echo 1048576 > $P/pool_max_size && echo 0 > $P/pool_cache_ms"
rmmod rudma
bad_param_refused() {
	! rudma_insmod rudma pool_max_size=12345 2>/dev/null
}
rudma_test "load refused with a bad parameter" bad_param_refused
rudma_test "module not loaded after refusal" test ! -d /sys/module/rudma
ktap_finished
