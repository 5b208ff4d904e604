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
 * @failed: set to a mask of the ranges (bit i for @iovas[i]) that were not
 *	fully unmapped; @n must be at most 64
 *
 * A range can fail to unmap when the IOMMU driver cannot allocate (e.g.
 * virtio-iommu's request to the host): it may then still translate, and
 * the caller must neither free its pages nor reuse its IOVA.
 *
 * Return: total bytes unmapped; less than @n * @size if some range was
 * not (fully) unmapped.
 */
size_t rudma_iommu_unmap_batch(struct iommu_domain *domain, const u64 *iovas,
			       size_t n, size_t size, u64 *failed)
{
	struct iommu_iotlb_gather gather;
	size_t done = 0, one;
	size_t i;

	*failed = 0;
	if (!n || WARN_ON_ONCE(n > 64))
		return 0;
	iommu_iotlb_gather_init(&gather);
	for (i = 0; i < n; i++) {
		one = iommu_unmap_fast(domain, iovas[i], size, &gather);
		if (one != size)
			*failed |= BIT_ULL(i);
		done += one;
	}
	iommu_iotlb_sync(domain, &gather);
	return done;
}
