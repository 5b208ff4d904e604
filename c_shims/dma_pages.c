// SPDX-License-Identifier: GPL-2.0
/*
 * Page allocation and addresses: alloc_pages_node(), get_order() and
 * page_to_phys() are static inlines or macros.  The module's pages are
 * counted exactly, so that a test can tell a leak of rudma's pages from
 * memory the rest of the kernel holds (KASAN's quarantine, caches).
 */
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/memremap.h>
#include <linux/mm.h>

#include "rudma_shims.h"

/* Pages from rudma_alloc_pages() not yet given to rudma_free_pages(). */
static atomic_long_t rudma_pages;

/**
 * rudma_alloc_pages() - allocate zeroed pages near a device (test helper)
 * @dev: the device the pages are for (its NUMA node is preferred)
 * @size: bytes, rounded up to a power-of-two number of pages
 * @gfp: allocation flags from the DMA API caller
 *
 * Return: the first page, or NULL.
 */
struct page *rudma_alloc_pages(struct device *dev, size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	struct page *page = alloc_pages_node(dev_to_node(dev), gfp | __GFP_ZERO,
					     order);

	if (page)
		atomic_long_add(1L << order, &rudma_pages);
	return page;
}

/**
 * rudma_free_pages() - free pages from rudma_alloc_pages()
 * @page: the first page
 * @size: the size passed at allocation
 */
void rudma_free_pages(struct page *page, size_t size)
{
	unsigned int order = get_order(size);

	atomic_long_sub(1L << order, &rudma_pages);
	__free_pages(page, order);
}

/**
 * rudma_pages_held() - pages this module allocated and has not freed
 *
 * Return: the count, including pages leaked on purpose (quarantined slots,
 * slots a driver never unmapped).
 */
long rudma_pages_held(void)
{
	return atomic_long_read(&rudma_pages);
}

/**
 * rudma_page_to_phys() - physical address of a page
 * @page: the page
 *
 * Return: page_to_phys(@page).
 */
phys_addr_t rudma_page_to_phys(struct page *page)
{
	return page_to_phys(page);
}

/**
 * rudma_page_is_p2pdma() - whether a page is PCI peer-to-peer memory
 * @page: a page a DMA API caller handed over
 *
 * Such memory is another device's BAR: it is mapped, never bounced.
 *
 * Return: is_pci_p2pdma_page(@page).
 */
bool rudma_page_is_p2pdma(struct page *page)
{
	return is_pci_p2pdma_page(page);
}
