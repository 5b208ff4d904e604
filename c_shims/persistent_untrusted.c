// SPDX-License-Identifier: GPL-2.0
/*
 * The one log line a driver gets for using DMA_ATTR_PERSISTENT_STREAMING
 * on an untrusted device: the attribute is honoured (the buffer is mapped
 * in place, as its owner needs), which costs the sub-page protection a
 * bounce would give.
 */
#include <linux/device.h>

#include "rudma_shims.h"

/**
 * rudma_warn_persistent_untrusted() - say what a persistent mapping costs
 * @dev: the untrusted device (the caller warns once per device)
 */
void rudma_warn_persistent_untrusted(struct device *dev)
{
	dev_warn(dev,
		 "rudma: driver %s maps DMA_ATTR_PERSISTENT_STREAMING buffers on this untrusted device: mapped in place, the device can reach the rest of their pages\n",
		 dev_driver_string(dev));
}
