/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Headers rudma's Rust modules need bindings for, beyond what the kernel
 * crate's bindings_helper.h covers in 6.12.  Kbuild runs bindgen on this
 * file against the built kernel tree; the output is never checked in.
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/iova.h>
#include <linux/pci.h>

#include "rudma_shims.h"
