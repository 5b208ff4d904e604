// SPDX-License-Identifier: GPL-2.0
/*
 * Scatterlist accessors: sg_next(), sg_phys(), sg_dma_address() and
 * sg_dma_len() are inlines or macros.
 */
#include <linux/memremap.h>
#include <linux/scatterlist.h>

#include "rudma_shims.h"

/**
 * rudma_sg_next() - the next entry of a scatterlist
 * @sg: an entry
 *
 * Return: sg_next(@sg), NULL after the last entry.
 */
struct scatterlist *rudma_sg_next(struct scatterlist *sg)
{
	return sg_next(sg);
}

/**
 * rudma_sg_phys() - physical address of an entry's first byte
 * @sg: the entry
 *
 * Return: sg_phys(@sg).
 */
phys_addr_t rudma_sg_phys(struct scatterlist *sg)
{
	return sg_phys(sg);
}

/**
 * rudma_sg_length() - bytes an entry describes
 * @sg: the entry
 *
 * Return: @sg->length.
 */
unsigned int rudma_sg_length(struct scatterlist *sg)
{
	return sg->length;
}

/**
 * rudma_sg_is_p2pdma() - whether an entry is PCI peer-to-peer memory
 * @sg: the entry
 *
 * Such memory is another device's BAR: it is never bounced.
 *
 * Return: true for a P2PDMA page.
 */
bool rudma_sg_is_p2pdma(struct scatterlist *sg)
{
	return is_pci_p2pdma_page(sg_page(sg));
}

/**
 * rudma_sg_dma_address() - DMA address of a mapped entry
 * @sg: the entry
 *
 * Return: sg_dma_address(@sg).
 */
dma_addr_t rudma_sg_dma_address(struct scatterlist *sg)
{
	return sg_dma_address(sg);
}

/**
 * rudma_sg_set_dma() - record an entry's DMA segment
 * @sg: the entry
 * @addr: DMA address
 * @len: DMA length
 */
void rudma_sg_set_dma(struct scatterlist *sg, dma_addr_t addr,
		      unsigned int len)
{
	sg_dma_address(sg) = addr;
	sg_dma_len(sg) = len;
}
