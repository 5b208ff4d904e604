// SPDX-License-Identifier: GPL-2.0
/*
 * Device naming helpers: dev_name() and the pci_dev to device cast are
 * static inlines, out of Rust's reach.
 */
#include <linux/device.h>
#include <linux/pci.h>

#include "rudma_shims.h"

/**
 * rudma_dev_name() - name of a device, as dev_name() gives it
 * @dev: the device; must stay alive while the name is used
 *
 * Return: the device's name, never NULL.
 */
const char *rudma_dev_name(const struct device *dev)
{
	return dev_name(dev);
}

/**
 * rudma_pci_to_dev() - the generic device embedded in a PCI device
 * @pdev: the PCI device
 *
 * Return: &pdev->dev.
 */
struct device *rudma_pci_to_dev(struct pci_dev *pdev)
{
	return &pdev->dev;
}
