// SPDX-License-Identifier: GPL-2.0
/*
 * The IOVA-first DMA API of Linux 6.16+ for 6.12, exported under the
 * upstream names (include/rudma/dma-iova.h).  The work is done in Rust
 * (rust/rudma_iova/); these are the exported entry points, plus
 * dma_need_unmap(), which only reads device state.
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/swiotlb.h>

#include <rudma/dma-iova.h>

#include "rudma_shims.h"

MODULE_IMPORT_NS(IOMMU_DMA_OPS);

/**
 * dma_iova_try_alloc() - reserve IOVA space for a two-stage mapping
 * @dev: the device
 * @state: filled in (zeroed first, also on failure)
 * @phys: an address with the alignment of the data to be linked at
 *	  offset 0 (0 for page-aligned data)
 * @size: bytes to reserve
 *
 * Context: any; does not sleep.
 * Return: true if IOVA was reserved; false if the device is not
 * translated by iommu-dma (identity domain, no IOMMU), is untrusted, or
 * @size is 0 or too large (over 256 MiB): the caller then uses the classic
 * per-page DMA API.
 */
bool dma_iova_try_alloc(struct device *dev, struct dma_iova_state *state,
			phys_addr_t phys, size_t size)
{
	return rudma_iova_try_alloc(dev, state, phys, size);
}
EXPORT_SYMBOL_GPL(dma_iova_try_alloc);

/**
 * dma_iova_free() - give back a reservation with nothing linked
 * @dev: the device
 * @state: the reservation
 *
 * Ranges still linked are misuse: they are unlinked (WARN) before the
 * space is freed, so nothing leaks and the device keeps no access.
 */
void dma_iova_free(struct device *dev, struct dma_iova_state *state)
{
	rudma_iova_free(dev, state);
}
EXPORT_SYMBOL_GPL(dma_iova_free);

/**
 * dma_iova_destroy() - unlink the first @mapped_len bytes and free
 * @dev: the device
 * @state: the reservation
 * @mapped_len: bytes linked from offset 0 (0: nothing)
 * @dir: direction of the links
 * @attrs: DMA attributes (DMA_ATTR_SKIP_CPU_SYNC skips cache maintenance)
 *
 * One IOTLB invalidation for the whole range.
 */
void dma_iova_destroy(struct device *dev, struct dma_iova_state *state,
		      size_t mapped_len, enum dma_data_direction dir,
		      unsigned long attrs)
{
	rudma_iova_destroy(dev, state, mapped_len, dir, attrs);
}
EXPORT_SYMBOL_GPL(dma_iova_destroy);

/**
 * dma_iova_link() - map physical memory into a reservation, without sync
 * @dev: the device
 * @state: the reservation
 * @phys: first byte to map
 * @offset: where in the reservation (bytes from dma_iova_try_alloc's start)
 * @size: bytes to map
 * @dir: direction
 * @attrs: DMA attributes
 *
 * The mapping is usable by the device after dma_iova_sync().  All but the
 * first link must start on an IOMMU granule boundary, all but the last end
 * on one, and @phys must have the same offset within a granule as the
 * IOVA.  Context: any; does not sleep.
 *
 * Return: 0, -EINVAL for a link breaking those rules, outside the
 * reservation, overlapping a linked range, or on an unknown state, or
 * -ENOMEM.
 */
int dma_iova_link(struct device *dev, struct dma_iova_state *state,
		  phys_addr_t phys, size_t offset, size_t size,
		  enum dma_data_direction dir, unsigned long attrs)
{
	return rudma_iova_link(dev, state, phys, offset, size, dir, attrs);
}
EXPORT_SYMBOL_GPL(dma_iova_link);

/**
 * dma_iova_sync() - make linked ranges visible to the device
 * @dev: the device
 * @state: the reservation
 * @offset: start of the range to sync
 * @size: bytes
 *
 * One IOTLB sync for everything linked in the range.
 * Return: 0, or -EINVAL for a range outside the reservation or not linked.
 */
int dma_iova_sync(struct device *dev, struct dma_iova_state *state,
		  size_t offset, size_t size)
{
	return rudma_iova_sync(dev, state, offset, size);
}
EXPORT_SYMBOL_GPL(dma_iova_sync);

/**
 * dma_iova_unlink() - unmap a linked range, keeping the reservation
 * @dev: the device
 * @state: the reservation
 * @offset: start of the range, as linked
 * @size: bytes
 * @dir: direction of the links
 * @attrs: DMA attributes
 *
 * One IOTLB invalidation.  A range not (wholly) linked is misuse: WARN,
 * nothing is unmapped.
 */
void dma_iova_unlink(struct device *dev, struct dma_iova_state *state,
		     size_t offset, size_t size, enum dma_data_direction dir,
		     unsigned long attrs)
{
	rudma_iova_unlink(dev, state, offset, size, dir, attrs);
}
EXPORT_SYMBOL_GPL(dma_iova_unlink);

/**
 * dma_need_unmap() - whether unmapping a streaming mapping does work
 * @dev: the device
 *
 * False only when unmap is a no-op a caller may skip: dma-direct on a
 * coherent device that never bounced, with dma-debug off.  True with an
 * IOMMU (iommu-dma or DMA ops, e.g. rudma's pool), bouncing (swiotlb),
 * non-coherent cache maintenance, or dma-debug's bookkeeping.
 *
 * Return: true if the caller must unmap.
 */
bool dma_need_unmap(struct device *dev)
{
	if (rudma_dev_dma_iommu(dev) || get_dma_ops(dev))
		return true;
	if (!dev_is_dma_coherent(dev) || is_swiotlb_force_bounce(dev))
		return true;
	/* dma_skip_sync is cleared on the first swiotlb bounce. */
	if (!rudma_dev_dma_skip_sync(dev))
		return true;
	return IS_ENABLED(CONFIG_DMA_API_DEBUG);
}
EXPORT_SYMBOL_GPL(dma_need_unmap);
