#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every input rudma takes from user space, fed malformed values from one
# table: the sysfs attach/detach files, the read-only attached and pools
# files, the bounce pool's module parameters (at run time and at load) and
# attach= at load.  Each bad value must be refused with its errno, leave
# the old value or state as it was, and never WARN or crash (the runner
# checks the log).  Wrong-state requests (attach twice, detach of a device
# not attached, rmmod while attached, a device without an IOMMU or without
# a driver) are in the same table.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_scratch_disk
rudma_require_edu
rudma_require_untranslated

nvme=$(rudma_nvme_bdf)
edu=$(rudma_edu_bdf)
untr=$(rudma_untranslated_bdf)
[ -n "$nvme" ] && [ -n "$edu" ] && [ -n "$untr" ] ||
	ktap_exit_fail_msg "need the NVMe, edu and an untranslated device"
rudma_insmod rudma || ktap_exit_fail_msg "rudma does not load"
A=$RUDMA_SYSFS/attach
DT=$RUDMA_SYSFS/detach
P=/sys/module/rudma/parameters
HUGE=$(head -c 5000 /dev/zero | tr '\0' '9')
ALONG=$(head -c 5000 /dev/zero | tr '\0' 'a')

# "@NAME" in the table stands for a value computed here.
value() {
	case "$1" in
	@nvme) echo "$nvme" ;;
	@edu) echo "$edu" ;;
	@untranslated) echo "$untr" ;;
	@two) echo "$nvme $nvme" ;;
	@huge) echo "$HUGE" ;;
	@along) echo "$ALONG" ;;
	@empty) echo "" ;;
	*) echo "$1" ;;
	esac
}

# One table row: FILE|VALUE|ERROR (the shell's strerror text; ERROR/ERROR
#   for either).  The write must fail so; a parameter must keep its value,
#   the attached list must not change.
reject() {
	local file=$1 val old_param old_list out
	val=$(value "$2")
	old_param=$(cat $file 2>/dev/null)
	old_list=$(cat $RUDMA_SYSFS/attached)
	if out=$(rudma_write "$file" "$val" 2>&1); then
		echo "# $file <- '$2': accepted"
		return 1
	fi
	if ! echo "$out" | grep -qE "$(echo "$3" | tr / '|')"; then
		echo "# $file <- '$2': expected '$3', got: $out"
		return 1
	fi
	case "$file" in
	$P/*)
		[ "$(cat $file)" = "$old_param" ] ||
			{ echo "# $file changed to $(cat $file)"; return 1; }
		;;
	esac
	[ "$(cat $RUDMA_SYSFS/attached)" = "$old_list" ] ||
		{ echo "# the attached list changed"; return 1; }
}

TABLE='
attach|@empty|Invalid argument
attach|   |Invalid argument
attach|@huge|Invalid argument/Argument list too long
attach|@along|Invalid argument/Argument list too long
attach|-1|Invalid argument
attach|0000:00:zz.0|Invalid argument
attach|0000:00:20.0|Invalid argument
attach|0000:00:03.8|Invalid argument
attach|0000:100:00.0|Invalid argument
attach|10000:00:00.0|Invalid argument
attach|00:04.0:0000|Invalid argument
attach|@two|Invalid argument
attach|0000:7f:1f.7|No such device
attach|@untranslated|No such device or address
detach|@empty|Invalid argument
detach|@huge|Invalid argument/Argument list too long
detach|xyz|Invalid argument
detach|0000:7f:1f.7|No such device
detach|@nvme|Invalid argument
detach|@two|Invalid argument
attached|@nvme|Permission denied
pool_max_size|@empty|Invalid argument
pool_max_size|abc|Invalid argument
pool_max_size|-4096|Invalid argument
pool_max_size|0|Invalid argument
pool_max_size|4095|Invalid argument
pool_max_size|12288|Invalid argument
pool_max_size|2097152|Invalid argument
pool_max_size|4294967296|Invalid argument
pool_max_size|@huge|Invalid argument/Argument list too long
pool_slots|@empty|Invalid argument
pool_slots|0|Invalid argument
pool_slots|65537|Invalid argument
pool_slots|-1|Invalid argument
pool_slots|1e3|Invalid argument
pool_slots|18446744073709551617|Invalid argument
pool_cache_ms|60001|Invalid argument
pool_cache_ms|-1|Invalid argument
pool_cache_ms|1s|Invalid argument
pool_cache_ms|@along|Invalid argument/Argument list too long
pool|2|Invalid argument
pool|maybe|Invalid argument
pool|@empty|Invalid argument
pool_route|@empty|Invalid argument
pool_route|maybe|Invalid argument
pool_route|AUTO|Invalid argument
pool_route|pool iommu|Invalid argument
pool_route|@along|Invalid argument/Argument list too long
route_delay|@empty|Invalid argument
route_delay|pool|Invalid argument
route_delay|pool x|Invalid argument
route_delay|pool 1000001|Invalid argument
route_delay|disk 5|Invalid argument
route_delay|@huge|Invalid argument/Argument list too long
'

path() {
	case "$1" in
	attach|detach|attached) echo $RUDMA_SYSFS/$1 ;;
	route_delay) echo /sys/kernel/debug/rudma/$1 ;;
	*) echo $P/$1 ;;
	esac
}

n=0 bad=0
while IFS='|' read -r file val err; do
	[ -n "$file" ] || continue
	n=$((n + 1))
	reject "$(path $file)" "$val" "$err" || bad=$((bad + 1))
done <<EOF
$TABLE
EOF
ktap_set_plan 12
rudma_test "$n malformed writes refused with their errno, nothing changed" test $bad = 0
pools_ro() {
	local before
	before=$(cat $RUDMA_POOLS)
	! rudma_write $RUDMA_POOLS x 2>/dev/null && [ "$(cat $RUDMA_POOLS)" = "$before" ]
}
rudma_test "debugfs pools takes no writes" pools_ro

# Wrong state, each with the state before and after checked.
attach_twice() {
	rudma_write $A $nvme &&
		rudma_expect_errno 'File exists' rudma_write $A $nvme &&
		[ "$(grep -c "^$nvme " $RUDMA_SYSFS/attached)" = 1 ]
}
rmmod_attached() {
	rudma_expect_errno 'Resource temporarily unavailable' rmmod rudma &&
		rudma_attached_line $nvme >/dev/null
}
detach_twice() {
	rudma_write $DT $nvme &&
		rudma_expect_errno 'Invalid argument' rudma_write $DT $nvme
}
# edu was never bound in this boot: on ACPI (VIOT) the IOMMU probes a
# device when a driver binds, so it has no IOMMU group yet.
attach_unprobed() {
	[ ! -e /sys/bus/pci/devices/$edu/driver ] &&
		rudma_expect_errno 'No such device or address' rudma_write $A $edu &&
		! grep -q "^$edu " $RUDMA_SYSFS/attached
}
# NVMe unbound: behind the IOMMU, but no driver to have a DMA mask yet.
attach_unbound() {
	echo $nvme > /sys/bus/pci/drivers/nvme/unbind &&
		rudma_expect_errno 'Resource temporarily unavailable' rudma_write $A $nvme &&
		! grep -q "^$nvme " $RUDMA_SYSFS/attached
	local rc=$?
	echo $nvme > /sys/bus/pci/drivers_probe
	return $rc
}
param_good() {
	echo 65536 > $P/pool_max_size && [ "$(cat $P/pool_max_size)" = 65536 ] &&
		echo 131072 > $P/pool_max_size &&
		echo iommu > $P/pool_route && [ "$(cat $P/pool_route)" = iommu ] &&
		echo pool > $P/pool_route
}
rudma_test "attach twice: EEXIST, attached once" attach_twice
rudma_test "rmmod while attached: refused, still attached" rmmod_attached
rudma_test "detach twice: EINVAL the second time" detach_twice
rudma_test "attach a device the IOMMU never probed: ENXIO, nothing left" attach_unprobed
rudma_test "attach an unbound device: EAGAIN, nothing left" attach_unbound
rudma_test "a parameter still takes good values" param_good
rmmod rudma

# At load: a bad parameter fails the load, with a log line naming it.
load_fails() {
	dmesg -c >/dev/null
	if rudma_insmod rudma "$1" 2>/dev/null; then
		echo "# insmod rudma $1: loaded"
		rmmod rudma
		return 1
	fi
	dmesg | grep -q "${1%%=*}" || { echo "# insmod rudma $1: no log line"; return 1; }
}
bad_loads() {
	load_fails pool_max_size=12345 && load_fails pool_slots=0 &&
		load_fails pool_cache_ms=x && load_fails pool=maybe &&
		load_fails pool_route=sometimes &&
		! rudma_module_loaded rudma
}
rudma_test "insmod with a bad pool parameter fails, naming it" bad_loads

# attach= takes a list; bad names are skipped with a log line so that one
# typo does not stop the module (and every other device) from loading.
attach_list() {
	dmesg -c >/dev/null
	rudma_insmod rudma attach=0000:00:zz.0,$nvme &&
		dmesg | grep -q "'0000:00:zz.0' is not a PCI device name" &&
		rudma_attached_line $nvme >/dev/null &&
		rudma_write $DT $nvme && rmmod rudma
}
# A pending attach can be cancelled with detach, even of an absent device.
attach_absent() {
	rudma_insmod rudma attach=0000:7f:1f.7 &&
		grep -q '^0000:7f:1f.7 pending' $RUDMA_SYSFS/attached &&
		rudma_write $DT 0000:7f:1f.7 &&
		! grep -q 0000:7f:1f.7 $RUDMA_SYSFS/attached
}
rudma_test "insmod attach=<garbage>,<nvme>: loads, garbage skipped and logged" attach_list
rudma_test "attach= of an absent device: pending, cancelled by detach" attach_absent
rudma_test "rmmod rudma at the end" rmmod rudma
ktap_finished
