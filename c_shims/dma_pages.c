// SPDX-License-Identifier: GPL-2.0
/*
 * Page allocation and addresses: alloc_pages_node(), get_order() and
 * page_to_phys() are static inlines or macros.
 */
#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/mm.h>

#include "rudma_shims.h"

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
	return alloc_pages_node(dev_to_node(dev), gfp | __GFP_ZERO,
				get_order(size));
}

/**
 * rudma_free_pages() - free pages from rudma_alloc_pages()
 * @page: the first page
 * @size: the size passed at allocation
 */
void rudma_free_pages(struct page *page, size_t size)
{
	__free_pages(page, get_order(size));
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
