#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The two-stage API's fallback: on a device the IOMMU does not translate
# (booted with iommu.passthrough=1, in 256 MiB so that all memory is within
# the edu device's 28-bit DMA mask), dma_iova_try_alloc() says no and the
# edu consumer maps each page with dma_map_page() instead; the device's
# reads and writes are checked the same way.

here=$(dirname "$(readlink -f "$0")")
. "$here/../kselftest/ktap_helpers.sh"
. "$here/lib.sh"

ktap_print_header
rudma_require_edu
rudma_require_cmdline iommu.passthrough=1
ktap_set_plan 3

edu=$(rudma_edu_bdf)

rudma_load_edu || ktap_exit_fail_msg "rudma_edu does not load"
D=/sys/kernel/debug/rudma_edu/$edu
dd if=/dev/urandom of=/tmp/iova-src bs=65536 count=1 2>/dev/null
rudma_test "64 KiB buffer through the consumer" sh -c \
	"dd if=/tmp/iova-src of=$D/iova bs=65536 count=1 2>/dev/null"
rudma_test "dma_iova_try_alloc said no: classic per-page path used" sh -c \
	"grep -q '^mode=classic ' $D/iova"
rudma_test "device checks all good" sh -c "grep -q ' bad=0' $D/iova && ! grep -q 'checks=0' $D/iova"
rudma_unload_edu
ktap_finished
