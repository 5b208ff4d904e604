// SPDX-License-Identifier: GPL-2.0
/*
 * Copies between a DMA API caller's memory, named by physical address
 * (possibly highmem, possibly spanning pages), and a bounce buffer in
 * the kernel's linear map.  kmap_local_page() is an inline.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "rudma_shims.h"

/**
 * rudma_copy_from_phys() - copy from caller memory into a bounce buffer
 * @dst: bounce buffer (linear map)
 * @src: physical address of the caller's first byte
 * @len: bytes to copy
 */
void rudma_copy_from_phys(void *dst, phys_addr_t src, size_t len)
{
	while (len) {
		struct page *page = pfn_to_page(PHYS_PFN(src));
		size_t off = offset_in_page(src);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		void *va = kmap_local_page(page);

		memcpy(dst, va + off, n);
		kunmap_local(va);
		dst += n;
		src += n;
		len -= n;
	}
}

/**
 * rudma_copy_to_phys() - copy from a bounce buffer back to caller memory
 * @dst: physical address of the caller's first byte
 * @src: bounce buffer (linear map)
 * @len: bytes to copy
 */
void rudma_copy_to_phys(phys_addr_t dst, const void *src, size_t len)
{
	while (len) {
		struct page *page = pfn_to_page(PHYS_PFN(dst));
		size_t off = offset_in_page(dst);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		void *va = kmap_local_page(page);

		memcpy(va + off, src, n);
		kunmap_local(va);
		src += n;
		dst += n;
		len -= n;
	}
}

/**
 * rudma_page_address() - linear-map address of a lowmem page
 * @page: the page, not highmem
 *
 * Return: page_address(@page).
 */
void *rudma_page_address(struct page *page)
{
	return page_address(page);
}
