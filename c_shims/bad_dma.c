// SPDX-License-Identifier: GPL-2.0
/*
 * Reporting DMA API misuse a bounce pool detects (unmap or sync of an
 * address it did not hand out, wrong size or direction, double unmap):
 * one WARN with a backtrace the first time, a rate-limited line naming
 * the device and address every time.
 */
#include <linux/bug.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>

#include "rudma_shims.h"

/**
 * rudma_report_bad_dma() - report a misused DMA address
 * @dev: the device the call was for
 * @what: what was wrong, e.g. "unmap of a slot not in use"
 * @addr: the DMA address the caller passed
 * @size: the size the caller passed
 */
void rudma_report_bad_dma(struct device *dev, const char *what,
			  dma_addr_t addr, size_t size)
{
	dev_err_ratelimited(dev, "rudma: %s: %pad size %zu (driver %s)\n",
			    what, &addr, size, dev_driver_string(dev));
	WARN_ONCE(1, "rudma: %s %s: %s: %pad size %zu\n",
		  dev_driver_string(dev), dev_name(dev), what, &addr, size);
}
