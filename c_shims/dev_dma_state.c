// SPDX-License-Identifier: GPL-2.0
/*
 * A device's DMA routing state: its dma_ops pointer and the dma_iommu and
 * dma_skip_sync bitfields.  set_dma_ops()/get_dma_ops() are static inlines
 * and the flags are bitfields, so Rust reaches them through these helpers.
 *
 * The bitfields share a word with dma_coherent and dma_ops_bypass: the
 * caller holds the device lock, which serialises every other writer the
 * kernel has outside the DMA fast path (probe, dma_set_mask(), IOMMU group
 * changes).
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>

#include "rudma_shims.h"

/**
 * rudma_dev_set_dma_ops() - install or remove a device's DMA ops
 * @dev: the device, locked by the caller
 * @ops: the ops, or NULL to remove them
 */
void rudma_dev_set_dma_ops(struct device *dev, const struct dma_map_ops *ops)
{
	device_lock_assert(dev);
	set_dma_ops(dev, ops);
}

/**
 * rudma_dev_dma_ops() - the DMA ops installed on a device
 * @dev: the device
 *
 * Return: dev->dma_ops (not the architecture's default), possibly NULL.
 */
const struct dma_map_ops *rudma_dev_dma_ops(struct device *dev)
{
	return READ_ONCE(dev->dma_ops);
}

/**
 * rudma_dev_dma_iommu() - whether iommu-dma handles a device's DMA
 * @dev: the device
 *
 * Return: the dev->dma_iommu flag.
 */
bool rudma_dev_dma_iommu(struct device *dev)
{
	return dev->dma_iommu;
}

/**
 * rudma_dev_set_dma_iommu() - set or clear dev->dma_iommu
 * @dev: the device, locked by the caller
 * @on: the new value
 *
 * Ordered after any earlier store, such as installing ops: a concurrent
 * mapping call must never find neither iommu-dma nor the ops, or it would
 * hand the device a physical address through dma-direct.
 */
void rudma_dev_set_dma_iommu(struct device *dev, bool on)
{
	device_lock_assert(dev);
	/* Publish dev->dma_ops (attach) before the flag changes ... */
	smp_wmb();
	dev->dma_iommu = on;
	/* ... and the flag (detach) before dev->dma_ops is cleared. */
	smp_wmb();
}

/**
 * rudma_dev_dma_skip_sync() - whether the DMA API skips a device's syncs
 * @dev: the device
 *
 * Return: the dev->dma_skip_sync flag.
 */
bool rudma_dev_dma_skip_sync(struct device *dev)
{
#ifdef CONFIG_DMA_NEED_SYNC
	return dev->dma_skip_sync;
#else
	return false;
#endif
}

/**
 * rudma_dev_set_dma_skip_sync() - set or clear dev->dma_skip_sync
 * @dev: the device, locked by the caller
 * @skip: the new value
 *
 * Bounce-buffering ops must see every sync call: attach clears the flag.
 */
void rudma_dev_set_dma_skip_sync(struct device *dev, bool skip)
{
	device_lock_assert(dev);
#ifdef CONFIG_DMA_NEED_SYNC
	dev->dma_skip_sync = skip;
#endif
}

/**
 * rudma_dev_is_dma_coherent() - whether a device's DMA is cache coherent
 * @dev: the device
 *
 * Return: dev_is_dma_coherent(@dev).
 */
bool rudma_dev_is_dma_coherent(struct device *dev)
{
	return dev_is_dma_coherent(dev);
}

/**
 * rudma_dma_get_mask() - a device's streaming DMA mask
 * @dev: the device
 *
 * Return: dma_get_mask(@dev): the mask its driver set, or 32 bits.
 */
u64 rudma_dma_get_mask(struct device *dev)
{
	return dma_get_mask(dev);
}
