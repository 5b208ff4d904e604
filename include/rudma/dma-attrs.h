/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA attributes of the rudma patch series, for drivers that must also
 * build against kernels without it.
 *
 * DMA_ATTR_PERSISTENT_STREAMING marks a long-lived streaming mapping whose
 * owner keeps CPU caches coherent without dma_sync_*() calls; DMA ops that
 * bounce (rudma's pool) map such buffers in place.  On a kernel without
 * the series no DMA ops bounce behind the driver's back, and the attribute
 * is 0: passing it changes nothing.
 */
#ifndef _RUDMA_DMA_ATTRS_H
#define _RUDMA_DMA_ATTRS_H

#include <linux/dma-mapping.h>

#ifndef DMA_ATTR_PERSISTENT_STREAMING
#define DMA_ATTR_PERSISTENT_STREAMING	0
#endif

#endif /* _RUDMA_DMA_ATTRS_H */
