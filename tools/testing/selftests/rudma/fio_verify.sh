#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Data integrity on the NVMe disk through whatever DMA path the device has:
# fio writes 64 MiB with crc32c checksums, then reads and verifies them.
# Block sizes are given by RUDMA_FIO_BS (default "4k 128k").

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_scratch_disk
bs_list=${RUDMA_FIO_BS:-4k 128k}
ktap_set_plan $(echo $bs_list | wc -w)

disk=$(rudma_scratch_disk) || ktap_exit_fail_msg "no scratch disk"
for bs in $bs_list; do
	if fio --name=verify-$bs --filename="$disk" --direct=1 --ioengine=libaio \
		--iodepth=16 --rw=write --bs="$bs" --size=64M --verify=crc32c \
		--do_verify=1 --verify_fatal=1 --output=/tmp/fio-$bs.log >/dev/null 2>&1 &&
	   grep -q "err= 0" /tmp/fio-$bs.log; then
		ktap_test_pass "fio write+verify crc32c 64M bs=$bs"
	else
		sed 's/^/# /' /tmp/fio-$bs.log
		ktap_test_fail "fio write+verify crc32c 64M bs=$bs"
	fi
done

ktap_finished
