# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for rudma's shell kselftests (busybox ash).  Sourced after
# the kernel's kselftest/ktap_helpers.sh, which the initramfs carries.

# rudma's modules: the QEMU guest's /lib/modules/rudma, else those make
# install put under the running kernel's updates/rudma (loaded with
# modprobe, see rudma_insmod).
RUDMA_MODDIR=${RUDMA_MODDIR:-/lib/modules/rudma}
[ -f "$RUDMA_MODDIR/rudma.ko" ] || [ ! -d "/lib/modules/$(uname -r)/updates/rudma" ] ||
	RUDMA_MODDIR=/lib/modules/$(uname -r)/updates/rudma

# --- The scratch disk ---------------------------------------------------------
# The one disk rudma's tests may write, unbind from its driver or attach
# rudma to: the namespace of the NVMe controller QEMU's runner creates with
# serial "rudma0" (tools/testing/qemu/run), or the disk the user names:
#
#   RUDMA_SCRATCH_DISK=/dev/nvmeXnY   (its data is destroyed)
#
# A disk is never chosen by position: on a real host nvme0n1 may hold the
# root file system.  Without a scratch disk every test that needs one
# skips (exit 4) with the reason; none writes anything.  A disk in use
# (mounted, swap, or held by device-mapper/md) is refused even when named.
RUDMA_SCRATCH_SERIAL=rudma0

# Why a namespace (nvmeXnY) may not be written, or nothing when it may.
rudma_disk_in_use() {
	local d=$1 h
	grep -q "^/dev/$d[p ]" /proc/mounts && { echo "/dev/$d is mounted"; return 0; }
	grep -q "^/dev/$d[p ]" /proc/swaps 2>/dev/null && { echo "/dev/$d is swap"; return 0; }
	for h in /sys/block/$d/holders/* /sys/block/$d/$d*/holders/*; do
		[ -e "$h" ] && { echo "/dev/$d is held by ${h##*/}"; return 0; }
	done
	return 1
}

# The NVMe controller (nvmeN) whose serial is SERIAL, or status 1.
rudma_nvme_ctrl_of_serial() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[ -r "$c/serial" ] && [ "$(tr -d ' ' < "$c/serial")" = "$1" ] &&
			{ echo "${c##*/}"; return 0; }
	done
	return 1
}

# Prints the scratch disk (/dev/nvmeXnY), or the reason there is none on
# stderr and returns 1.
rudma_scratch_disk() {
	local c n d why
	if [ -n "${RUDMA_SCRATCH_DISK:-}" ]; then
		d=${RUDMA_SCRATCH_DISK#/dev/}
		case "$d" in
		nvme[0-9]*n[0-9]*) ;;
		*) echo "RUDMA_SCRATCH_DISK=$RUDMA_SCRATCH_DISK: not an NVMe namespace (/dev/nvmeXnY)" >&2
		   return 1 ;;
		esac
		[ -b "/dev/$d" ] && [ -d "/sys/block/$d" ] ||
			{ echo "RUDMA_SCRATCH_DISK=$RUDMA_SCRATCH_DISK: no such block device" >&2; return 1; }
	else
		d=
		c=$(rudma_nvme_ctrl_of_serial "$RUDMA_SCRATCH_SERIAL") &&
			for n in /sys/class/nvme/$c/${c}n*; do
				[ -d "$n" ] && { d=${n##*/}; break; }
			done
		[ -n "$d" ] || { echo "no scratch disk: no NVMe controller with serial" \
			"$RUDMA_SCRATCH_SERIAL (QEMU's), and RUDMA_SCRATCH_DISK is not set" >&2
			return 1; }
	fi
	if why=$(rudma_disk_in_use "$d"); then
		echo "refusing $why" >&2
		return 1
	fi
	echo "/dev/$d"
}

# For a test that needs the scratch disk: skips the whole test (TAP plan
# 1..0 # SKIP, exit 4) with the reason when there is none.  In the
# runner's QEMU guest (RUDMA_QEMU_GUEST=1) the disk is always there, so its
# absence fails the test instead (a CI that skipped every disk test would
# pass on nothing) -- unless RUDMA_EXPECT_NO_SCRATCH=1 says the caller took
# it away on purpose (scratch_disk.sh).  Either way nothing is written.
rudma_require_scratch_disk() {
	local why
	why=$(rudma_scratch_disk 2>&1 >/dev/null) && return 0
	[ "${RUDMA_QEMU_GUEST:-0}" = 1 ] && [ "${RUDMA_EXPECT_NO_SCRATCH:-0}" != 1 ] &&
		ktap_exit_fail_msg "$why (in the runner's QEMU guest)"
	ktap_skip_all "$why"
	exit "$KSFT_SKIP"
}

# The PCI address of the scratch disk's NVMe controller, e.g. 0000:00:04.0.
rudma_nvme_bdf() {
	local d
	d=$(rudma_scratch_disk 2>/dev/null) || return 1
	d=${d#/dev/}
	basename "$(readlink -f "/sys/class/nvme/${d%n*}/device")"
}

# The scratch disk, or nothing (and status 1) when there is none.
rudma_nvme_disk() {
	rudma_scratch_disk 2>/dev/null
}

# The directory of the tests and of this file: /rudma in the QEMU guest,
# INSTALL_PATH/rudma in a kselftest install (ktap_helpers.sh is in
# ../kselftest/ of both).  Each test sets $here, its own directory, before
# it sources lib.sh.
RUDMA_DIR=${here:-$(dirname "$(readlink -f "$0")")}

# The iommu group type (sysfs name) of a PCI device, or "none".
rudma_group_type() {
	local g=/sys/bus/pci/devices/$1/iommu_group
	if [ -e "$g/type" ]; then cat "$g/type"; else echo none; fi
}

# The translated domain type the boot command line asks for.
rudma_expected_domain() {
	case " $(cat /proc/cmdline) " in
	*" iommu.passthrough=1 "*) echo identity ;;
	*" iommu.strict=0 "*) echo DMA-FQ ;;
	*) echo DMA ;;
	esac
}

# Run a command that must fail with a given errno name, as the shell sees
# it in the write error ("Invalid argument" ...).  Usage:
#   rudma_expect_errno "Invalid argument" rudma_write /sys/... x
rudma_expect_errno() {
	local want=$1 out
	shift
	out=$("$@" 2>&1) && { echo "# expected '$want', command succeeded"; return 1; }
	case "$out" in
	*"$want"*) return 0 ;;
	*) echo "# expected '$want', got: $out"; return 1 ;;
	esac
}

# Loads one of rudma's modules with its parameters: insmod from
# RUDMA_MODDIR when that is a directory of built modules (the QEMU guest),
# modprobe when they are installed (make install: modprobe also resolves
# their dependencies).  Usage: rudma_insmod NAME [PARAM=VALUE ...]
# rudma_insmod MODULE [PARAM=VALUE ...]
#   rudma is loaded with pool_route=pool unless a pool_route is given: the
#   suites test the pool's mechanics, and under the default (auto) which
#   path serves a size class depends on the costs this machine measures.
#   route.sh tests auto.
rudma_insmod() {
	local m=$1
	shift
	if [ "$m" = rudma ]; then
		case " $* " in
		*" pool_route="*) ;;
		*) set -- "$@" pool_route=pool ;;
		esac
	fi
	case "$RUDMA_MODDIR" in
	/lib/modules/*/updates/rudma) modprobe "$m" "$@" ;;
	*) insmod "$RUDMA_MODDIR/$m.ko" "$@" ;;
	esac
}

rudma_module_loaded() {
	[ -d "/sys/module/$1" ]
}

# ktap_test_result with its command kept as separate words (the kernel's
# helper expands "$@" unquoted).  Usage: rudma_test "description" cmd args...
rudma_test() {
	local desc=$1
	shift
	if "$@"; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc"
	fi
}

RUDMA_SYSFS=/sys/kernel/rudma

# The line /sys/kernel/rudma/attached has for a device, or nothing.
rudma_attached_line() {
	grep "^$1 " $RUDMA_SYSFS/attached
}

# Where the DMA API routes a device (iommu-dma, ops or direct), as
# rudma_core reports it; rudma_core must be loaded.
rudma_dma_route() {
	echo "$1" > /sys/module/rudma_core/parameters/devices &&
	sed -n "s/^$1 .* dma=\([a-z-]*\).*/\1/p" /sys/module/rudma_core/parameters/devices
}

# A shell whose failed writes name their errno ("write error: Invalid
# argument"), as rudma_expect_errno needs: busybox ash (the QEMU guest's
# sh) and bash do; dash (/bin/sh on Debian hosts) says "I/O error"
# whatever the errno.
rudma_errno_sh() {
	local s
	for s in sh bash "busybox sh"; do
		case "$($s -c 'echo x > /dev/full' 2>&1)" in
		*"No space left on device"*) echo "$s"; return 0 ;;
		esac
	done
	echo sh
}
RUDMA_SH=$(rudma_errno_sh)

# Writes a value to a sysfs file, failing with the shell's error message.
# The value is passed as an argument, so any bytes (quotes too) go through
# unchanged; the error message is the child shell's "write error: ...".
rudma_write() {
	$RUDMA_SH -c 'echo "$2" > "$1"' rudma_write "$1" "$2"
}

# fio write+verify of SIZE at block size BS on the NVMe disk, quietly
# (rudma_fio below, one job at depth 16).
rudma_fio_verify() {
	rudma_fio write "$1" 16 1 "$2"
}

# The PCI address of the first device with the given vendor and device id.
rudma_pci_find() {
	local d
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat $d/vendor)" = "$1" ] && [ "$(cat $d/device)" = "$2" ]; then
			basename $d
			return
		fi
	done
}

# The PCI address of a device with a driver but no IOMMU: virtio-iommu
# itself on x86-64 (virtio vendor, modern device id 0x1057); on arm64 the
# 16550 behind the root port on bus 1, which the runner's device tree
# leaves out of the SMMU's iommu-map (1b36:0002 without an iommu_group).
rudma_untranslated_bdf() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ -e $d/driver ] && [ ! -e $d/iommu_group ] || continue
		case "$(cat $d/vendor):$(cat $d/device)" in
		0x1af4:0x1057|0x1b36:0x0002) basename $d; return ;;
		esac
	done
}

# The PCI address of QEMU's edu device (1234:11e8).
rudma_edu_bdf() {
	rudma_pci_find 0x1234 0x11e8
}

# The PCI address of QEMU's ivshmem-plain (1af4:1110), p2p.sh's provider.
rudma_ivshmem_bdf() {
	rudma_pci_find 0x1af4 0x1110
}

# --- What a test needs of the machine -----------------------------------------
# A test that needs a device the machine does not have (QEMU's edu or
# ivshmem-plain, a PCI device no IOMMU translates), or a boot option it
# was not booted with, skips as a whole with the reason (plan "1..0 #
# SKIP", exit 4); call these after ktap_print_header, before the plan.
# Only absence skips: a device that is there but misbehaves fails.  In
# the runner's QEMU guest (RUDMA_QEMU_GUEST=1, set by run-suite) the
# machine has every one of these devices and each suite its boot options
# (check-suites): a missing one is a runner bug and fails the test.
rudma_skip_absent() {
	[ "${RUDMA_QEMU_GUEST:-0}" = 1 ] && ktap_exit_fail_msg "$1 (in the runner's QEMU guest)"
	ktap_skip_all "$1"
	exit "$KSFT_SKIP"
}

# One result of a test that runs without the device it needs: SKIP (FAIL
# in the runner's QEMU guest).  Usage: rudma_test_absent "description"
rudma_test_absent() {
	if [ "${RUDMA_QEMU_GUEST:-0}" = 1 ]; then
		ktap_test_fail "$1"
	else
		ktap_test_skip "$1"
	fi
}

rudma_require_edu() {
	[ -n "$(rudma_edu_bdf)" ] ||
		rudma_skip_absent "no edu device (QEMU's 1234:11e8)"
}

rudma_require_ivshmem() {
	[ -n "$(rudma_ivshmem_bdf)" ] ||
		rudma_skip_absent "no ivshmem-plain device (QEMU's 1af4:1110)"
}

rudma_require_untranslated() {
	[ -n "$(rudma_untranslated_bdf)" ] ||
		rudma_skip_absent "no PCI device without an IOMMU (QEMU's virtio-iommu, or the runner's 1b36:0002 on arm64)"
}

# Booted with the kernel argument WORD (e.g. iommu.passthrough=1).
rudma_require_cmdline() {
	case " $(cat /proc/cmdline) " in
	*" $1 "*) return 0 ;;
	esac
	rudma_skip_absent "not booted with $1"
}

# Declares kernel log lines matching REGEX as expected (they do not fail
# the run) until rudma_expect_end LABEL.  Usage:
#   rudma_expect_begin LABEL REGEX ... rudma_expect_end LABEL
rudma_expect_begin() {
	echo "rudma-expect-begin: $1 $2" > /dev/kmsg
}

rudma_expect_end() {
	echo "rudma-expect-end: $1" > /dev/kmsg
}

# IOMMU fault reports in the kernel log, per IOMMU driver: virtio-iommu
# logs "page fault from EP <n> at <iova> [...]", one line per event;
# arm-smmu-v3 logs "event 0x10 received:" and the event's four words, the
# third being the input address.  Both rate-limit (10 events per 5 s) and
# report each access QEMU's device model makes (4 bytes at a time on the
# SMMUv3), so tests fault with short transfers.
RUDMA_FAULT_RE='page fault from EP|arm-smmu-v3 .*: (event 0x[0-9a-f]+ received:|\s+0x[0-9a-f]{16})'

# Kernel log lines so far (a mark for rudma_fault_pages).
rudma_log_mark() {
	dmesg | wc -l
}

# The distinct IOVA pages reported faulting after log line MARK, one per line.
rudma_fault_pages() {
	dmesg | tail -n +$(($1 + 1)) | awk '
		/fault from EP [0-9]+ at 0x/ {
			for (i = 1; i <= NF; i++) if ($i == "at") print $(i + 1)
		}
		/arm-smmu-v3 .*: event 0x[0-9a-f]+ received:/ { w = 0; next }
		w >= 0 && /arm-smmu-v3 .*:[ \t]+0x[0-9a-f]+$/ {
			if (++w == 3) print $NF
		}' | while read -r a; do
		printf '0x%x\n' $(($a & ~4095))
	done | sort -u
}

RUDMA_POOLS=/sys/kernel/debug/rudma/pools

# A counter of a size class of the (first) pool: rudma_pool_class SIZE FIELD
rudma_pool_class() {
	awk -v size="size=$1" -v key="$2" '
		$1 == "class" && $2 == size {
			for (i = 2; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == key) { print kv[2]; exit }
			}
		}' $RUDMA_POOLS
}

# A counter of the (first) pool: rudma_pool_stat FIELD
rudma_pool_stat() {
	sed -n "s/^pool .* $1=\([0-9-]*\).*/\1/p" $RUDMA_POOLS | head -n1
}

# Sum of a class counter over all classes of all pools.
rudma_pool_sum() {
	sed -n "s/^  class .* $1=\([0-9-]*\).*/\1/p" $RUDMA_POOLS |
		awk '{ s += $1 } END { print s + 0 }'
}

# fio with crc32c verification on the NVMe disk: rudma_fio RW BS DEPTH JOBS SIZE
# Each job verifies its own region (offset_increment), so jobs never
# overwrite each other's checksummed data.
rudma_fio() {
	local rw=$1 bs=$2 depth=$3 jobs=$4 size=$5 log=/tmp/fio-$1-$2-$3-$4.log disk
	disk=$(rudma_scratch_disk 2>&1) || { echo "# fio not run: $disk"; return 1; }
	fio --name=v --filename="$disk" --direct=1 --ioengine=libaio \
		--rw="$rw" --bs="$bs" --iodepth="$depth" --numjobs="$jobs" \
		--size="$size" --offset_increment="$size" --verify=crc32c \
		--do_verify=1 --verify_fatal=1 --group_reporting \
		--output=$log >/dev/null 2>&1 && grep -q "err= 0" $log ||
		{ sed 's/^/# /' $log | tail -n 20; return 1; }
}

# One continuous fio verify of the scratch disk in the background:
# rudma_fio_running starts a randrw 4k run when none is running (call it
# often), rudma_fio_wait waits for the current one.  Every run's verify
# must pass: fio_bad is 1 once one failed, fio_runs counts them.
fio_pid="" fio_runs=0 fio_bad=0
rudma_fio_wait() {
	[ -n "$fio_pid" ] || return 0
	wait $fio_pid || { echo "# fio verify run $fio_runs failed"; fio_bad=1; }
}
rudma_fio_running() {
	[ -n "$fio_pid" ] && kill -0 $fio_pid 2>/dev/null && return
	rudma_fio_wait
	rudma_fio randrw 4k 16 1 32M &
	fio_pid=$! fio_runs=$((fio_runs + 1))
}

# rudma_edu's parameters for this boot: the edu device's DMA width when
# the runner widened it (--edu-dma-bits, kernel argument rudma.edu_dma_bits).
rudma_edu_args() {
	local b
	b=$(sed -n 's/.*rudma\.edu_dma_bits=\([0-9]*\).*/\1/p' /proc/cmdline)
	[ -n "$b" ] && echo "dma_bits=$b"
}

# Loads the edu test driver and rudma_iova.ko, whose two-stage API it uses.
rudma_load_edu() {
	{ rudma_module_loaded rudma_iova || rudma_insmod rudma_iova; } &&
		rudma_insmod rudma_edu $(rudma_edu_args)
}

rudma_unload_edu() {
	rmmod rudma_edu && rmmod rudma_iova
}

# Fault injection with fail-nth (tools/testing/selftests/rudma/fail_nth.c):
# next to the tests in a kselftest install, on PATH in the QEMU guest.
if [ -x "$RUDMA_DIR/fail_nth" ]; then
	RUDMA_FAIL_NTH=$RUDMA_DIR/fail_nth
else
	RUDMA_FAIL_NTH=fail_nth
fi
RUDMA_FI=/sys/kernel/debug
RUDMA_FAIL_NTH_MAX=${RUDMA_FAIL_NTH_MAX:-300}

# fail-nth counts only allocations the fault attributes do not ignore:
# include sleeping ones and order-0 pages, and keep the log readable.
rudma_fail_nth_setup() {
	local f
	[ -d $RUDMA_FI/failslab ] && [ -d $RUDMA_FI/fail_page_alloc ] &&
		[ -e /proc/thread-self/fail-nth ] || return 1
	for f in failslab fail_page_alloc; do
		echo N > $RUDMA_FI/$f/ignore-gfp-wait
		echo 0 > $RUDMA_FI/$f/verbose
	done
	echo 0 > $RUDMA_FI/fail_page_alloc/min-order
}

# rudma_fail_nth_sweep NAME PREPARE FILE DATA VERIFY CLEANUP
#   For N = 1.. : run PREPARE, write DATA to FILE with the Nth allocation
#   failing, run VERIFY (given "ok" or "failed"), then CLEANUP.  A write
#   must succeed or fail with ENOMEM; VERIFY must hold after both.
rudma_fail_nth_sweep() {
	local name=$1 prep=$2 file=$3 data=$4 verify=$5 cleanup=$6
	local n=1 ret err inj ok=0 failed=0 bad=0 how out
	while :; do
		echo "rudma-faults: $name N=$n" > /dev/kmsg
		if ! eval "$prep"; then
			echo "# $name: N=$n: set-up failed"
			bad=$((bad + 1))
			break
		fi
		# A write that hangs fails the sweep with the blocked tasks'
		# stacks in the log (sysrq-w) instead of stalling the suite.
		out=$(timeout 60 "$RUDMA_FAIL_NTH" $n "$file" "$data")
		if [ $? -ne 0 ]; then
			echo "# $name: N=$n: fail_nth did not finish"
			echo w > /proc/sysrq-trigger
			bad=$((bad + 1))
			break
		fi
		read -r ret err inj <<-EOF
		$out
		EOF
		if [ "$ret" -ge 0 ] 2>/dev/null; then
			ok=$((ok + 1)) how=ok
		elif [ "$err" = 12 ]; then
			failed=$((failed + 1)) how=failed
		else
			echo "# $name: N=$n: write returned $ret errno $err"
			bad=$((bad + 1)) how=failed
		fi
		if ! eval "$verify $how"; then
			echo "# $name: N=$n ($how): check failed"
			bad=$((bad + 1))
		fi
		eval "$cleanup"
		[ "$inj" = 1 ] || break
		n=$((n + 1))
		if [ $n -gt $RUDMA_FAIL_NTH_MAX ]; then
			echo "# $name: still failing at N=$RUDMA_FAIL_NTH_MAX"
			bad=$((bad + 1))
			break
		fi
	done
	echo "# $name: $n allocation points, $failed failed with ENOMEM, $ok got through, $bad bad"
	[ $bad -eq 0 ] && [ $failed -gt 0 ]
}

# "START END" (hex) of a kernel text symbol: from its address to the next
# symbol's.
rudma_sym_range() {
	sort /proc/kallsyms |
		awk -v s="$1" 'f { print $1; exit } $3 == s { printf "%s ", $1; f = 1 }'
}

# The first of the given kernel symbols that exists: the one of the IOMMU
# driver this kernel has (virtio-iommu on x86-64, arm-smmu-v3 on arm64).
rudma_first_sym() {
	local s
	for s in "$@"; do
		grep -q " $s\$" /proc/kallsyms && { echo "$s"; return 0; }
	done
	return 1
}

# No injection on call stacks through SYMBOL (both fault attributes).
rudma_fi_reject() {
	local f
	set -- $(rudma_sym_range "$1")
	[ $# -eq 2 ] || return 1
	for f in failslab fail_page_alloc; do
		echo 0x$1 > $RUDMA_FI/$f/reject-start
		echo 0x$2 > $RUDMA_FI/$f/reject-end
	done
}

# Back to the defaults: no random failures, no stack filter.
rudma_fi_reset() {
	local f
	for f in failslab fail_page_alloc; do
		echo 0 > $RUDMA_FI/$f/probability
		echo 0 > $RUDMA_FI/$f/require-start
		echo 0xffffffffffffffff > $RUDMA_FI/$f/require-end
		echo 0 > $RUDMA_FI/$f/reject-start
		echo 0 > $RUDMA_FI/$f/reject-end
	done
}
