// SPDX-License-Identifier: GPL-2.0
/*
 * The one log line a driver gets when rudma refuses one of its
 * DMA_ATTR_PERSISTENT_STREAMING mappings on an untrusted device: mapped in
 * place, a buffer that does not cover whole IOMMU granules would let the
 * device reach whatever else shares them (neighbouring kmalloc objects),
 * for the mapping's lifetime; bounced, it would go stale, since its owner
 * never syncs.  Granule-aligned persistent mappings are mapped in place.
 */
#include <linux/device.h>

#include "rudma_shims.h"

/**
 * rudma_warn_persistent_untrusted() - report a refused persistent mapping
 * @dev: the untrusted device (the caller reports once per device)
 */
void rudma_warn_persistent_untrusted(struct device *dev)
{
	dev_warn(dev,
		 "rudma: driver %s maps DMA_ATTR_PERSISTENT_STREAMING buffers that are not whole IOMMU granules on this untrusted device: refused (DMA_MAPPING_ERROR); map whole granules\n",
		 dev_driver_string(dev));
}
