// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: a PCI peer-to-peer memory provider, and a client of
 * it that checks how the DMA API maps its pages for another device.
 *
 * It binds QEMU's ivshmem-plain device (1af4:1110) and publishes its BAR 2
 * (the shared memory, 4 MiB in the test guest) as P2PDMA memory
 * (pci_p2pdma_add_resource(); /sys/bus/pci/devices/<ivshmem>/p2pmem/).
 * One provider at a time.
 *
 *   echo "0000:00:02.0 [SIZE OFFSET]" > /sys/kernel/debug/rudma_test_p2p/map
 *	allocates a page of P2P memory, fills it with a pattern through its
 *	kernel mapping, and maps SIZE bytes at OFFSET into it (default: the
 *	whole page) with dma_map_page(DMA_TO_DEVICE) for the named device.
 *	The DMA address must be the P2P memory itself: in the device's
 *	IOMMU domain it must translate (iommu_iova_to_phys()) to the page's
 *	physical address plus OFFSET; without a domain it must be that
 *	address.  Anything else means the page was copied somewhere (a
 *	bounce buffer): the write fails with -EIO and logs what the address
 *	translates to.  -ENOMEM if the mapping fails, -ENODEV for an unknown
 *	device or no provider bound, -EINVAL for bad input (SIZE 1..PAGE_SIZE,
 *	OFFSET + SIZE <= PAGE_SIZE).
 *
 *   echo 0000:00:02.0 > /sys/kernel/debug/rudma_test_p2p/supported
 *	succeeds if dma_pci_p2pdma_supported() is true for the named device,
 *	fails with -EOPNOTSUPP if not, -ENODEV for an unknown device.
 *
 * Nothing stays mapped or allocated between writes.
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>

#define IVSHMEM_VENDOR	0x1af4
#define IVSHMEM_DEVICE	0x1110
#define IVSHMEM_SHM_BAR	2

static DEFINE_MUTEX(p2p_lock);		/* the provider, one run at a time */
static struct pci_dev *p2p_provider;
static struct dentry *p2p_dir;

/*
 * Parses "DDDD:BB:DD.F" from user space, followed by "SIZE OFFSET" if
 * @size is not NULL (optional: the whole page if absent), and looks the
 * device up (a reference the caller puts).
 */
static int p2p_parse(const char __user *ubuf, size_t count, const char *what,
		     struct pci_dev **pdev, unsigned int *size,
		     unsigned int *offset)
{
	unsigned int seg, bus, slot, fn, sz = PAGE_SIZE, off = 0;
	char buf[48], extra;
	int n;

	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	n = sscanf(buf, "%x:%x:%x.%x %u %u %c", &seg, &bus, &slot, &fn, &sz,
		   &off, &extra);
	if (!(n == 4 || (n == 6 && size)) || seg > 0xffff || bus > 0xff ||
	    slot > 31 || fn > 7) {
		pr_err("rudma_test_p2p: %s: '%s' is not DDDD:BB:DD.F%s\n",
		       what, strim(buf), size ? " [SIZE OFFSET]" : "");
		return -EINVAL;
	}
	if (size) {
		*size = sz;
		*offset = off;
	}
	*pdev = pci_get_domain_bus_and_slot(seg, bus, PCI_DEVFN(slot, fn));
	return *pdev ? 0 : -ENODEV;
}

/* Fills @len bytes (a multiple of 4) with words the CPU checks back. */
static bool p2p_fill(u32 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len / 4; i++)
		WRITE_ONCE(p[i], 0x70327000 ^ (u32)i);
	for (i = 0; i < len / 4; i++)
		if (READ_ONCE(p[i]) != (0x70327000 ^ (u32)i))
			return false;
	return true;
}

/*
 * One page of P2P memory, @size bytes at @offset of it mapped to-device
 * for @client, checked to be mapped in place.  Called with p2p_lock held.
 */
static int p2p_map_check(struct pci_dev *client, unsigned int size,
			 unsigned int offset)
{
	struct device *dev = &client->dev;
	struct iommu_domain *dom;
	phys_addr_t want, got;
	struct page *page;
	dma_addr_t addr;
	void *p;
	int ret = 0;

	if (!p2p_provider)
		return -ENODEV;
	p = pci_alloc_p2pmem(p2p_provider, PAGE_SIZE);
	if (!p)
		return -ENOMEM;
	if (!p2p_fill(p, PAGE_SIZE)) {
		dev_err(&p2p_provider->dev, "P2P memory does not keep what the CPU wrote\n");
		ret = -EIO;
		goto out_free;
	}
	page = virt_to_page(p);
	if (!is_pci_p2pdma_page(page)) {
		dev_err(&p2p_provider->dev, "pci_alloc_p2pmem() gave a page that is not P2PDMA\n");
		ret = -EIO;
		goto out_free;
	}
	want = page_to_phys(page) + offset_in_page(p) + offset;

	addr = dma_map_page(dev, page, offset_in_page(p) + offset, size,
			    DMA_TO_DEVICE);
	if (dma_mapping_error(dev, addr)) {
		dev_err(dev, "dma_map_page() of %u bytes of P2P memory at %pa failed\n",
			size, &want);
		ret = -ENOMEM;
		goto out_free;
	}
	dom = iommu_get_domain_for_dev(dev);
	got = dom ? iommu_iova_to_phys(dom, addr) : (phys_addr_t)addr;
	dma_unmap_page(dev, addr, size, DMA_TO_DEVICE);

	if (got != want) {
		dev_err(dev, "P2P memory at %pa (%u bytes) mapped at %pad, which %s %pa: not in place (bounced?)\n",
			&want, size, &addr, dom ? "translates to" : "is", &got);
		ret = -EIO;
	} else {
		dev_dbg(dev, "P2P memory at %pa (%u bytes) mapped in place at %pad\n",
			&want, size, &addr);
	}
out_free:
	pci_free_p2pmem(p2p_provider, p, PAGE_SIZE);
	return ret;
}

static ssize_t map_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	unsigned int size, offset;
	struct pci_dev *pdev;
	int ret;

	ret = p2p_parse(ubuf, count, "map", &pdev, &size, &offset);
	if (ret)
		return ret;
	if (size == 0 || size > PAGE_SIZE || offset >= PAGE_SIZE ||
	    offset + size > PAGE_SIZE) {
		pr_err("rudma_test_p2p: map: %u bytes at offset %u do not fit a page\n",
		       size, offset);
		ret = -EINVAL;
		goto out_put;
	}
	mutex_lock(&p2p_lock);
	ret = p2p_map_check(pdev, size, offset);
	mutex_unlock(&p2p_lock);
out_put:
	pci_dev_put(pdev);
	return ret ? ret : count;
}

static ssize_t supported_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct pci_dev *pdev;
	bool ok;
	int ret;

	ret = p2p_parse(ubuf, count, "supported", &pdev, NULL, NULL);
	if (ret)
		return ret;
	ok = dma_pci_p2pdma_supported(&pdev->dev);
	pci_dev_put(pdev);
	return ok ? count : -EOPNOTSUPP;
}

static const struct file_operations map_fops = {
	.owner = THIS_MODULE,
	.write = map_write,
};

static const struct file_operations supported_fops = {
	.owner = THIS_MODULE,
	.write = supported_write,
};

static int p2p_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	mutex_lock(&p2p_lock);
	if (p2p_provider) {
		ret = -EBUSY;
		goto out;
	}
	/* devm-managed: released when the device unbinds. */
	ret = pci_p2pdma_add_resource(pdev, IVSHMEM_SHM_BAR, 0, 0);
	if (ret) {
		pci_err(pdev, "BAR %d (%pR) not usable as P2PDMA memory: %d\n",
			IVSHMEM_SHM_BAR, pci_resource_n(pdev, IVSHMEM_SHM_BAR),
			ret);
		goto out;
	}
	p2p_provider = pdev;
out:
	mutex_unlock(&p2p_lock);
	return ret;
}

static void p2p_remove(struct pci_dev *pdev)
{
	mutex_lock(&p2p_lock);
	if (p2p_provider == pdev)
		p2p_provider = NULL;
	mutex_unlock(&p2p_lock);
}

static const struct pci_device_id p2p_ids[] = {
	{ PCI_DEVICE(IVSHMEM_VENDOR, IVSHMEM_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, p2p_ids);

static struct pci_driver p2p_driver = {
	.name = "rudma_test_p2p",
	.id_table = p2p_ids,
	.probe = p2p_probe,
	.remove = p2p_remove,
};

static int __init rudma_test_p2p_init(void)
{
	int ret;

	ret = pci_register_driver(&p2p_driver);
	if (ret)
		return ret;
	p2p_dir = debugfs_create_dir("rudma_test_p2p", NULL);
	debugfs_create_file("map", 0200, p2p_dir, NULL, &map_fops);
	debugfs_create_file("supported", 0200, p2p_dir, NULL, &supported_fops);
	return 0;
}

static void __exit rudma_test_p2p_exit(void)
{
	debugfs_remove_recursive(p2p_dir);
	pci_unregister_driver(&p2p_driver);
}

module_init(rudma_test_p2p_init);
module_exit(rudma_test_p2p_exit);
MODULE_DESCRIPTION("rudma selftest helper: PCI P2PDMA provider on ivshmem, mapping checks");
MODULE_LICENSE("GPL");
