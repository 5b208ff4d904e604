// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: drives the streaming DMA API of a PCI device through
 * cases a bounce pool must get right, including misuse it must survive:
 *
 *   echo "0000:00:02.0 CASE" > /sys/kernel/debug/rudma_test_misuse/run
 *
 * Cases (each maps its own buffers and leaves nothing mapped):
 *   partial-sync  dma_sync_single_range_for_cpu() of 50 bytes inside a
 *		   bounced from-device mapping copies exactly those bytes
 *		   back (the rest of the buffer keeps what the CPU wrote)
 *   sg-roundtrip  a three-entry scatterlist (sub-page, whole page, tail)
 *		   bounced into one slot comes back intact on sync_for_cpu
 *		   after the CPU cleared it
 *   sg-nents	   the same list unmapped with the count dma_map_sg()
 *		   returned instead of the one it was given (a driver slip
 *		   iommu-dma tolerates): the data still comes back at unmap
 *   bidir-sync	   a bidirectional mapping synced for the CPU as
 *		   from-device and for the device as to-device (any
 *		   direction may sync a bidirectional mapping): each sync
 *		   copies as the mapping's own direction requires
 *   footprint	   one mapping of each pool class size (4 KiB..128 KiB)
 *		   held at once, then a 2 MiB mapping, which must still find
 *		   IOVA space (for a device with a small DMA mask)
 *
 * partial-sync, sg-roundtrip, sg-nents and bidir-sync check bounce
 * semantics: they pass only behind a bounce pool (without one the CPU's
 * writes are what stays).
 *   double-unmap  unmap the same mapping twice
 *   mid-address   unmap an address inside a mapping, not its start
 *   wrong-size    unmap with twice the mapped size
 *   wrong-dir     unmap a bidirectional mapping as to-device
 *   sync-outside  sync 16 bytes past the end of a mapping
 *
 * A case fails with -EIO if memory was corrupted or the data is wrong,
 * -EINVAL for bad input, -ENODEV for an unknown device.  The misuse cases
 * provoke dma-debug reports and, behind rudma's pool, one WARN: the
 * kselftest declares them.
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#define BUF_LEN 512

static DEFINE_MUTEX(misuse_lock);
static struct dentry *misuse_dir;

static bool all_bytes(const u8 *p, size_t len, u8 val)
{
	return !memchr_inv(p, val, len);
}

static int case_partial_sync(struct device *dev)
{
	u8 *buf = kmalloc(BUF_LEN, GFP_KERNEL);
	dma_addr_t a;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	memset(buf, 0xaa, BUF_LEN);
	a = dma_map_single(dev, buf, BUF_LEN, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, a)) {
		kfree(buf);
		return -ENOMEM;
	}
	/* The bounce copy holds 0xaa; the CPU's buffer now says 0x55. */
	memset(buf, 0x55, BUF_LEN);
	dma_sync_single_range_for_cpu(dev, a, 100, 50, DMA_FROM_DEVICE);
	if (!all_bytes(buf, 100, 0x55) || !all_bytes(buf + 100, 50, 0xaa) ||
	    !all_bytes(buf + 150, BUF_LEN - 150, 0x55)) {
		dev_err(dev, "misuse: partial sync copied the wrong bytes\n");
		ret = -EIO;
	}
	dma_unmap_single_attrs(dev, a, BUF_LEN, DMA_FROM_DEVICE,
			       DMA_ATTR_SKIP_CPU_SYNC);
	kfree(buf);
	return ret;
}

/*
 * sg-roundtrip, or with @short_unmap sg-nents (which also checks the data
 * at unmap, not at a sync).
 */
static int case_sg_roundtrip(struct device *dev, bool short_unmap)
{
	static const unsigned int len[3] = { 1000, PAGE_SIZE, 300 };
	static const unsigned int off[3] = { PAGE_SIZE - 1000, 0, 0 };
	struct scatterlist sg[3];
	struct page *pages[3] = { };
	int i, n, ret = 0;

	sg_init_table(sg, 3);
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			ret = -ENOMEM;
			goto out;
		}
		memset(page_address(pages[i]) + off[i], 0x10 + i, len[i]);
		sg_set_page(&sg[i], pages[i], len[i], off[i]);
	}
	n = dma_map_sg(dev, sg, 3, DMA_BIDIRECTIONAL);
	if (!n) {
		ret = -ENOMEM;
		goto out;
	}
	dev_info(dev, "misuse: sg of 3 entries mapped as %d segment(s) at %pad\n",
		 n, &sg_dma_address(&sg[0]));
	for (i = 0; i < 3; i++)
		memset(page_address(pages[i]) + off[i], 0, len[i]);
	/* Behind a pool the bytes come back from the slot. */
	if (short_unmap)
		dma_unmap_sg(dev, sg, n, DMA_BIDIRECTIONAL);
	else
		dma_sync_sg_for_cpu(dev, sg, 3, DMA_BIDIRECTIONAL);
	for (i = 0; i < 3; i++) {
		u8 *p = page_address(pages[i]) + off[i];

		if (!all_bytes(p, len[i], 0x10 + i)) {
			dev_err(dev, "misuse: sg entry %d corrupted\n", i);
			ret = -EIO;
		}
	}
	if (!short_unmap)
		dma_unmap_sg(dev, sg, 3, DMA_BIDIRECTIONAL);
out:
	for (i = 0; i < 3; i++)
		if (pages[i])
			__free_page(pages[i]);
	return ret;
}

static int case_bidir_sync(struct device *dev)
{
	u8 *buf = kmalloc(BUF_LEN, GFP_KERNEL);
	dma_addr_t a;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	memset(buf, 0xa1, BUF_LEN);
	a = dma_map_single(dev, buf, BUF_LEN, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, a)) {
		kfree(buf);
		return -ENOMEM;
	}
	/* For the CPU, named from-device: the slot's bytes come back. */
	memset(buf, 0xb2, BUF_LEN);
	dma_sync_single_for_cpu(dev, a, BUF_LEN, DMA_FROM_DEVICE);
	if (!all_bytes(buf, BUF_LEN, 0xa1))
		ret = -EIO;
	/* For the device, named to-device: the CPU's bytes go in ... */
	memset(buf, 0xc3, BUF_LEN);
	dma_sync_single_for_device(dev, a, BUF_LEN, DMA_TO_DEVICE);
	/* ... and, for the CPU named to-device, come back from the slot. */
	memset(buf, 0xd4, BUF_LEN);
	dma_sync_single_for_cpu(dev, a, BUF_LEN, DMA_TO_DEVICE);
	if (!all_bytes(buf, BUF_LEN, 0xc3))
		ret = -EIO;
	if (ret)
		dev_err(dev, "misuse: a bidirectional mapping synced the wrong bytes\n");
	dma_unmap_single_attrs(dev, a, BUF_LEN, DMA_BIDIRECTIONAL,
			       DMA_ATTR_SKIP_CPU_SYNC);
	kfree(buf);
	return ret;
}

#define FOOTPRINT_CLASSES	6	/* 4 KiB .. 128 KiB with 4 KiB pages */
#define FOOTPRINT_BIG_ORDER	(21 - PAGE_SHIFT)	/* 2 MiB */

static int case_footprint(struct device *dev)
{
	struct page *pages[FOOTPRINT_CLASSES + 1] = { };
	dma_addr_t addr[FOOTPRINT_CLASSES + 1];
	int i, n = 0, ret = 0;

	for (i = 0; i <= FOOTPRINT_CLASSES && !ret; i++) {
		unsigned int order = i < FOOTPRINT_CLASSES ? i : FOOTPRINT_BIG_ORDER;

		pages[i] = alloc_pages(GFP_KERNEL, order);
		if (!pages[i]) {
			ret = -ENOMEM;
			break;
		}
		addr[i] = dma_map_page(dev, pages[i], 0, PAGE_SIZE << order,
				       DMA_TO_DEVICE);
		if (dma_mapping_error(dev, addr[i])) {
			dev_err(dev, "misuse: footprint: no IOVA for %lu bytes\n",
				PAGE_SIZE << order);
			ret = -ENOSPC;
			break;
		}
		n++;
	}
	for (i = 0; i <= FOOTPRINT_CLASSES; i++) {
		unsigned int order = i < FOOTPRINT_CLASSES ? i : FOOTPRINT_BIG_ORDER;

		if (i < n)
			dma_unmap_page(dev, addr[i], PAGE_SIZE << order,
				       DMA_TO_DEVICE);
		if (pages[i])
			__free_pages(pages[i], order);
	}
	return ret;
}

/*
 * Maps a pattern, runs one misuse, unmaps properly (unless the misuse
 * already did), and checks the buffer kept its pattern.
 */
static int case_misuse(struct device *dev, const char *what)
{
	enum dma_data_direction dir = DMA_BIDIRECTIONAL;
	u8 *buf = kmalloc(BUF_LEN, GFP_KERNEL);
	bool unmapped = false;
	dma_addr_t a;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	memset(buf, 0x3c, BUF_LEN);
	a = dma_map_single(dev, buf, BUF_LEN, dir);
	if (dma_mapping_error(dev, a)) {
		kfree(buf);
		return -ENOMEM;
	}
	if (!strcmp(what, "double-unmap")) {
		dma_unmap_single(dev, a, BUF_LEN, dir);
		dma_unmap_single(dev, a, BUF_LEN, dir);
		unmapped = true;
	} else if (!strcmp(what, "mid-address")) {
		dma_unmap_single(dev, a + 16, BUF_LEN - 16, dir);
	} else if (!strcmp(what, "wrong-size")) {
		dma_unmap_single(dev, a, 2 * BUF_LEN, dir);
		unmapped = true;
	} else if (!strcmp(what, "wrong-dir")) {
		dma_unmap_single(dev, a, BUF_LEN, DMA_TO_DEVICE);
		unmapped = true;
	} else if (!strcmp(what, "sync-outside")) {
		dma_sync_single_for_cpu(dev, a + BUF_LEN, 16, dir);
	} else {
		ret = -EINVAL;
	}
	if (!unmapped)
		dma_unmap_single(dev, a, BUF_LEN, dir);
	if (!ret && !all_bytes(buf, BUF_LEN, 0x3c)) {
		dev_err(dev, "misuse: %s corrupted the buffer\n", what);
		ret = -EIO;
	}
	kfree(buf);
	return ret;
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	unsigned int seg, bus, slot, fn;
	struct pci_dev *pdev;
	char req[64], what[24];
	int ret;

	if (count == 0 || count >= sizeof(req))
		return -EINVAL;
	if (copy_from_user(req, ubuf, count))
		return -EFAULT;
	req[count] = '\0';
	if (sscanf(req, "%x:%x:%x.%x %23s", &seg, &bus, &slot, &fn, what) != 5 ||
	    slot > 31 || fn > 7) {
		pr_err("rudma_test_misuse: '%s' is not 'DDDD:BB:DD.F CASE'\n",
		       strim(req));
		return -EINVAL;
	}
	pdev = pci_get_domain_bus_and_slot(seg, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	mutex_lock(&misuse_lock);
	if (!strcmp(what, "partial-sync"))
		ret = case_partial_sync(&pdev->dev);
	else if (!strcmp(what, "sg-roundtrip"))
		ret = case_sg_roundtrip(&pdev->dev, false);
	else if (!strcmp(what, "sg-nents"))
		ret = case_sg_roundtrip(&pdev->dev, true);
	else if (!strcmp(what, "bidir-sync"))
		ret = case_bidir_sync(&pdev->dev);
	else if (!strcmp(what, "footprint"))
		ret = case_footprint(&pdev->dev);
	else
		ret = case_misuse(&pdev->dev, what);
	mutex_unlock(&misuse_lock);
	pci_dev_put(pdev);
	if (ret == -EINVAL)
		pr_err("rudma_test_misuse: unknown case '%s'\n", what);
	return ret ? ret : count;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.write = run_write,
};

static int __init rudma_test_misuse_init(void)
{
	misuse_dir = debugfs_create_dir("rudma_test_misuse", NULL);
	debugfs_create_file("run", 0200, misuse_dir, NULL, &run_fops);
	return 0;
}

static void __exit rudma_test_misuse_exit(void)
{
	debugfs_remove_recursive(misuse_dir);
}

module_init(rudma_test_misuse_init);
module_exit(rudma_test_misuse_exit);
MODULE_DESCRIPTION("rudma selftest helper: DMA API cases and misuse");
MODULE_LICENSE("GPL");
