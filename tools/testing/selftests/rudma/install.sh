#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The modules make install put into /lib/modules/$(uname -r)/updates/rudma
# (tools/testing/install-check.sh: a clean clone built with make KDIR=...
# and installed with make install DESTDIR=..., appended to this guest's
# initramfs by the runner's --extra-cpio) load with modprobe, carry the
# clone's version, and work: the scratch NVMe disk attached, fio verify
# through the pool, detached, unloaded.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
expect=/rudma-install/expect
[ -f $expect ] || { ktap_skip_all "no staged install (run by make check after install-check.sh)"; exit 4; }
rudma_require_scratch_disk
ktap_set_plan 7

version=$(sed -n 's/^version=//p' $expect)
release=$(sed -n 's/^release=//p' $expect)
mods=$(sed -n 's/^modules=//p' $expect)
dir=/lib/modules/$(uname -r)/updates/rudma
nvme=$(rudma_nvme_bdf)

rudma_test "the running kernel is the one installed for ($release)" [ "$(uname -r)" = "$release" ]
installed() {
	local m v
	for m in $mods; do
		[ -f $dir/$m.ko ] || { echo "# no $dir/$m.ko"; return 1; }
		v=$(modinfo -F version $dir/$m.ko)
		[ "$v" = "$version" ] || { echo "# $m.ko: version '$v', expected '$version'"; return 1; }
	done
}
rudma_test "$mods installed, version $version" installed
rudma_test "modprobe rudma_core rudma (modules.dep names both)" \
	sh -c "modprobe -a rudma_core rudma && [ -d /sys/module/rudma ] && [ -d /sys/module/rudma_core ]"
rudma_test "the loaded rudma is version $version" \
	[ "$(cat /sys/module/rudma/version 2>/dev/null)" = "$version" ]
attach_io() {
	rudma_write $RUDMA_SYSFS/attach $nvme || return 1
	rudma_fio write 4k 16 1 8M || { rudma_write $RUDMA_SYSFS/detach $nvme; return 1; }
	grep "^$nvme " $RUDMA_SYSFS/attached | sed 's/^/# /'
	rudma_write $RUDMA_SYSFS/detach $nvme
}
rudma_test "attach $nvme, fio write+verify 8M, detach" attach_io
rudma_test "modprobe -r rudma, rudma_core" \
	sh -c "modprobe -r rudma && modprobe -r rudma_core && [ ! -d /sys/module/rudma ] && [ ! -d /sys/module/rudma_core ]"
rudma_test "modprobe rudma_iova, then -r" \
	sh -c "modprobe rudma_iova && [ \"\$(cat /sys/module/rudma_iova/version)\" = '$version' ] && modprobe -r rudma_iova"

ktap_finished
