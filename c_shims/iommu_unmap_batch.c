// SPDX-License-Identifier: GPL-2.0
/*
 * Unmapping many bounce slots with one IOTLB invalidation: the gather
 * helpers and iommu_iotlb_sync() are inlines.
 */
#include <linux/iommu.h>

#include "rudma_shims.h"

/**
 * rudma_iommu_unmap_batch() - unmap equal-sized ranges, then sync once
 * @domain: the domain the ranges are mapped in
 * @iovas: start of each range
 * @n: number of ranges
 * @size: bytes per range
 *
 * Return: total bytes unmapped; less than @n * @size if some range was
 * not (fully) mapped.
 */
size_t rudma_iommu_unmap_batch(struct iommu_domain *domain, const u64 *iovas,
			       size_t n, size_t size)
{
	struct iommu_iotlb_gather gather;
	size_t done = 0;
	size_t i;

	if (!n)
		return 0;
	iommu_iotlb_gather_init(&gather);
	for (i = 0; i < n; i++)
		done += iommu_unmap_fast(domain, iovas[i], size, &gather);
	iommu_iotlb_sync(domain, &gather);
	return done;
}
