// SPDX-License-Identifier: GPL-2.0
/*
 * A device's DMA routing state: its dma_ops pointer and the dma_iommu and
 * dma_skip_sync bitfields.  set_dma_ops()/get_dma_ops() are static inlines
 * and the flags are bitfields, so Rust reaches them through these helpers.
 *
 * With the rudma series (IOMMU_DMA_OPS_OVERRIDE), ops installed on a device
 * iommu-dma translates take over its streaming paths while dma_iommu stays
 * set, and each DMA API call decides on one read of dev->dma_ops: ops are
 * installed and removed by a single store, under the device lock.
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/pci.h>

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
 * The flag shares a word with other DMA bitfields; the device lock orders
 * this store against probe and dma_set_mask().
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

/**
 * rudma_dev_is_untrusted() - whether a device is an untrusted PCI device
 * @dev: the device
 *
 * Untrusted devices (external ports, see pci_dev->untrusted) must never
 * see memory beyond the bytes they were given.
 *
 * Return: true for an untrusted PCI device.
 */
bool rudma_dev_is_untrusted(struct device *dev)
{
	return dev_is_pci(dev) && to_pci_dev(dev)->untrusted;
}

/**
 * rudma_dma_max_seg_size() - largest DMA segment a device accepts
 * @dev: the device
 *
 * Return: dma_get_max_seg_size(@dev).
 */
unsigned int rudma_dma_max_seg_size(struct device *dev)
{
	return dma_get_max_seg_size(dev);
}

/**
 * rudma_dma_seg_boundary() - boundary a device's DMA segments must not cross
 * @dev: the device
 *
 * Return: dma_get_seg_boundary(@dev), a mask of the form 2^n - 1.
 */
unsigned long rudma_dma_seg_boundary(struct device *dev)
{
	return dma_get_seg_boundary(dev);
}

/**
 * rudma_dma_limit() - highest DMA address a device can reach now
 * @dev: the device
 *
 * Return: the smaller of its streaming DMA mask and its bus's limit.
 */
u64 rudma_dma_limit(struct device *dev)
{
	return min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
}
