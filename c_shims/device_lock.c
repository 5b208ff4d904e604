// SPDX-License-Identifier: GPL-2.0
/*
 * Device locking and driver binding state, for attach and detach.
 *
 * device_lock() and friends are static inlines.  Device mutexes carry
 * lockdep's "novalidate" class, so the helpers that need the lock assert
 * it with device_lock_assert() rather than rely on lockdep ordering.
 */
#include <linux/device.h>
#include <linux/delay.h>
#include <linux/pci.h>
#include <linux/platform_device.h>

#include "rudma_shims.h"

/**
 * rudma_device_lock_interruptible() - take a device's lock
 * @dev: the device
 *
 * Return: 0 with the lock held, or -EINTR if a signal arrived first.
 */
int rudma_device_lock_interruptible(struct device *dev)
{
	return device_lock_interruptible(dev);
}

/**
 * rudma_device_unlock() - release a device's lock
 * @dev: the device, locked by the caller
 */
void rudma_device_unlock(struct device *dev)
{
	device_unlock(dev);
}

/**
 * rudma_device_lock_assert() - complain unless the device lock is held
 * @dev: the device
 */
void rudma_device_lock_assert(struct device *dev)
{
	device_lock_assert(dev);
}

/**
 * rudma_dev_driver_name() - the driver bound to a device
 * @dev: the device, locked by the caller so that the binding is stable
 *
 * Return: the driver's name, or NULL if no driver is bound.
 */
const char *rudma_dev_driver_name(struct device *dev)
{
	device_lock_assert(dev);
	return dev->driver ? dev->driver->name : NULL;
}

/**
 * rudma_dev_driver_manages_dma() - whether the bound driver owns the IOMMU
 * @dev: the device, locked by the caller
 *
 * PCI and platform drivers such as vfio-pci set driver_managed_dma and may replace the DMA
 * domain at any time: DMA API ops must not be stacked under them.
 *
 * Return: true if a bound driver manages DMA itself.
 */
bool rudma_dev_driver_manages_dma(struct device *dev)
{
	device_lock_assert(dev);
	if (!dev->driver)
		return false;
	if (dev_is_pci(dev))
		return to_pci_driver(dev->driver)->driver_managed_dma;
	if (dev_is_platform(dev))
		return to_platform_driver(dev->driver)->driver_managed_dma;
	return false;
}

/**
 * rudma_get_device() - take a reference on a device
 * @dev: the device
 *
 * Return: @dev.
 */
struct device *rudma_get_device(struct device *dev)
{
	return get_device(dev);
}

/**
 * rudma_put_device() - drop a reference from rudma_get_device()
 * @dev: the device
 */
void rudma_put_device(struct device *dev)
{
	put_device(dev);
}

/**
 * rudma_msleep() - sleep for at least @ms milliseconds
 * @ms: the time to sleep
 */
void rudma_msleep(unsigned int ms)
{
	msleep(ms);
}
