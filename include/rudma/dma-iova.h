/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOVA-first ("two-stage") DMA API for drivers that must build on
 * Linux 6.12 with rudma and on 6.16+ with the kernel's own implementation.
 *
 * Reserve IOVA once, link pages into it without IOTLB syncs, sync once:
 *
 *	struct dma_iova_state state;
 *
 *	if (dma_iova_try_alloc(dev, &state, 0, len)) {
 *		for (i = 0, off = 0; i < n; i++, off += PAGE_SIZE) {
 *			ret = dma_iova_link(dev, &state, page_to_phys(pages[i]),
 *					    off, PAGE_SIZE, dir, 0);
 *			if (ret)
 *				goto undo;	// dma_iova_destroy(.., off, ..)
 *		}
 *		ret = dma_iova_sync(dev, &state, 0, len);
 *		... device uses state.addr ...
 *		dma_iova_destroy(dev, &state, len, dir, 0);
 *	} else {
 *		... dma_map_page() each page, dma_unmap_page() each ...
 *	}
 *
 * On 6.12 the functions come from rudma_iova.ko (EXPORT_SYMBOL_GPL, same
 * names, same semantics); on kernels that have the API (6.16+) from the
 * kernel, and this header only includes <linux/dma-mapping.h>.  The
 * layout of struct dma_iova_state is private to the implementation in
 * both: use dma_use_iova() and dma_iova_size(), never its fields other
 * than addr.
 * See Documentation/two-stage.rst.
 */
#ifndef _RUDMA_DMA_IOVA_H
#define _RUDMA_DMA_IOVA_H

#include <linux/bits.h>
#include <linux/dma-mapping.h>

/*
 * Feature test, not a version test: <linux/dma-mapping.h> defines
 * DMA_IOVA_USE_SWIOTLB together with the API (6.16+, and any backport).
 */
#ifndef DMA_IOVA_USE_SWIOTLB

/**
 * struct dma_iova_state - an IOVA range reserved by dma_iova_try_alloc()
 * @addr: DMA address of the first byte (as upstream)
 * @__size: bytes reserved; the top bit marks a range with bounced parts
 *	    (as upstream; rudma never sets it)
 */
struct dma_iova_state {
	dma_addr_t addr;
	u64 __size;
};

#define DMA_IOVA_USE_SWIOTLB	BIT_ULL(63)

/**
 * dma_use_iova() - whether a state holds a reservation
 * @state: the state dma_iova_try_alloc() filled in
 *
 * Return: true after a successful dma_iova_try_alloc(), until
 * dma_iova_free() or dma_iova_destroy().
 */
static inline bool dma_use_iova(struct dma_iova_state *state)
{
	return state->__size != 0;
}

/**
 * dma_iova_size() - bytes a state reserved
 * @state: the state
 *
 * Return: the size passed to dma_iova_try_alloc().
 */
static inline size_t dma_iova_size(struct dma_iova_state *state)
{
	return state->__size & ~DMA_IOVA_USE_SWIOTLB;
}

bool dma_iova_try_alloc(struct device *dev, struct dma_iova_state *state,
			phys_addr_t phys, size_t size);
void dma_iova_free(struct device *dev, struct dma_iova_state *state);
void dma_iova_destroy(struct device *dev, struct dma_iova_state *state,
		      size_t mapped_len, enum dma_data_direction dir,
		      unsigned long attrs);
int dma_iova_link(struct device *dev, struct dma_iova_state *state,
		  phys_addr_t phys, size_t offset, size_t size,
		  enum dma_data_direction dir, unsigned long attrs);
int dma_iova_sync(struct device *dev, struct dma_iova_state *state,
		  size_t offset, size_t size);
void dma_iova_unlink(struct device *dev, struct dma_iova_state *state,
		     size_t offset, size_t size, enum dma_data_direction dir,
		     unsigned long attrs);
bool dma_need_unmap(struct device *dev);

#endif /* !DMA_IOVA_USE_SWIOTLB */

#endif /* _RUDMA_DMA_IOVA_H */
