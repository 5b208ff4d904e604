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
#include <linux/iommu-dma.h>
#include <linux/iova.h>
#include <linux/pci.h>

#include <rudma/dma-iova.h>

#include "rudma_shims.h"

/*
 * Constants bindgen cannot evaluate from their macros (casts, BIT()):
 * const globals with constant initialisers, which it does evaluate.
 */
const dma_addr_t RUDMA_CONST_DMA_MAPPING_ERROR = DMA_MAPPING_ERROR;
const unsigned long RUDMA_CONST_DMA_ATTR_PERSISTENT_STREAMING =
	DMA_ATTR_PERSISTENT_STREAMING;
const gfp_t RUDMA_CONST_GFP_KERNEL = GFP_KERNEL;
const gfp_t RUDMA_CONST_GFP_ATOMIC_NOWARN = GFP_ATOMIC | __GFP_NOWARN;
const unsigned long RUDMA_CONST_PAGE_SIZE = PAGE_SIZE;
