#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Tests write only to the scratch disk.  Booted with a second NVMe
# controller (the runner's --user-disk, serial user-disk0) that stands for
# a real host's disk:
#  * the scratch disk found is the namespace of rudma0, QEMU's scratch
#    controller, whichever of the two probed first;
#  * with rudma0 unbound from its driver (a host without QEMU's disk), the
#    tests that write to the disk, unbind its driver or attach rudma to it
#    skip with the reason (exit 4), and the other disk is not written;
#  * RUDMA_SCRATCH_DISK naming something that is not an NVMe namespace, or
#    one that does not exist, is refused the same way;
#  * named explicitly, the other disk becomes the scratch disk (the user's
#    choice): fio_verify.sh writes and verifies on it.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
ktap_set_plan 9

user_ctrl=$(rudma_nvme_ctrl_of_serial user-disk0) ||
	ktap_exit_fail_msg "no second NVMe controller (boot with the runner's --user-disk)"
scratch_ctrl=$(rudma_nvme_ctrl_of_serial "$RUDMA_SCRATCH_SERIAL") ||
	ktap_exit_fail_msg "no scratch controller (serial $RUDMA_SCRATCH_SERIAL)"
user_disk=/dev/${user_ctrl}n1
scratch_bdf=$(basename "$(readlink -f /sys/class/nvme/$scratch_ctrl/device)")
echo "# scratch: $scratch_ctrl ($scratch_bdf); other disk: $user_disk"

rudma_test "the scratch disk is rudma0's namespace, not the other disk" \
	[ "$(rudma_scratch_disk)" = "/dev/${scratch_ctrl}n1" ]

sum_before=$(md5sum < "$user_disk")

# Runs a test as the runner does, with the environment given (env's
# NAME=VALUE ... COMMAND), shows its lines that match RE, and succeeds when
# it exited RC with such a line.  Usage: ends_with RC RE NAME=VALUE... CMD
ends_with() {
	local want=$1 re=$2 out rc
	shift 2
	out=$(env "$@" 2>&1)
	rc=$?
	echo "$out" | sed -n "s/^/#   /; \|$re|p"
	[ $rc -eq "$want" ] && echo "$out" | grep -q "$re"
}
# Skipped (exit 4) with a plan "1..0 # SKIP <reason>": the scratch disk was
# taken away on purpose.
skips() {
	ends_with 4 '1\.\.0 # SKIP .' RUDMA_EXPECT_NO_SCRATCH=1 "$@"
}

rudma_write /sys/bus/pci/drivers/nvme/unbind "$scratch_bdf" ||
	ktap_exit_fail_msg "cannot unbind $scratch_bdf"
writers_skip() {
	[ ! -e /sys/class/nvme/$scratch_ctrl ] || { echo "# $scratch_ctrl still there"; return 1; }
	skips "$here/fio_verify.sh" && skips "$here/load.sh" &&
		skips "$here/attach.sh" && skips "$here/pool.sh"
}
rudma_test "without the scratch disk: fio_verify.sh, load.sh, attach.sh, pool.sh skip" \
	writers_skip
rudma_test "without the scratch disk: rudma_fio writes nothing and fails" \
	sh -c ". '$here/../kselftest/ktap_helpers.sh'; . '$here/lib.sh'; ! rudma_fio write 4k 1 1 1M"
# In the runner's guest a missing scratch disk is a runner bug: the test
# fails (Bail out!) rather than skip, still without writing.
guest_fails() {
	ends_with 1 'Bail out!  *no scratch disk' RUDMA_QEMU_GUEST=1 "$here/fio_verify.sh"
}
rudma_test "without the scratch disk in the runner's guest: fio_verify.sh fails, writes nothing" \
	guest_fails
rudma_test "RUDMA_SCRATCH_DISK=/dev/null (not an NVMe namespace): refused" \
	skips RUDMA_SCRATCH_DISK=/dev/null "$here/fio_verify.sh"
rudma_test "RUDMA_SCRATCH_DISK=/dev/nvme9n9 (absent): refused" \
	skips RUDMA_SCRATCH_DISK=/dev/nvme9n9 "$here/fio_verify.sh"
rudma_test "the other disk was not written" [ "$(md5sum < "$user_disk")" = "$sum_before" ]

# Its TAP indented below this test's, as a subtest's.
named_disk_used() {
	local rc
	env RUDMA_SCRATCH_DISK=$user_disk RUDMA_FIO_BS=4k "$here/fio_verify.sh" > /tmp/named.out 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/named.out
	[ $rc -eq 0 ] && grep -q '^ok 1 fio write+verify' /tmp/named.out
}
rudma_test "RUDMA_SCRATCH_DISK=$user_disk (named): fio_verify.sh writes and verifies it" \
	named_disk_used

rudma_write /sys/bus/pci/drivers/nvme/bind "$scratch_bdf"
i=0
while [ $i -lt 50 ] && ! rudma_scratch_disk >/dev/null 2>&1; do
	sleep 0.2
	i=$((i + 1))
done
rudma_test "rebound: the scratch disk is rudma0's again" \
	[ "$(rudma_scratch_disk)" = "/dev/$(rudma_nvme_ctrl_of_serial "$RUDMA_SCRATCH_SERIAL")n1" ]

ktap_finished
