// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: holds one streaming DMA mapping on a PCI device, so
 * that kselftests can check that rudma's detach waits for in-flight
 * mappings and refuses with -EBUSY.
 *
 *   echo 0000:00:02.0 > /sys/kernel/debug/rudma_test_hold/map
 *   echo "0000:00:02.0 persistent" > /sys/kernel/debug/rudma_test_hold/map
 *   cat /sys/kernel/debug/rudma_test_hold/map     (device, or "none")
 *   echo 1 > /sys/kernel/debug/rudma_test_hold/unmap
 *
 * The mapping is one page, to-device; with "persistent" it carries
 * DMA_ATTR_PERSISTENT_STREAMING (iommu-dma maps it, rudma must not wait
 * for it at detach).
 *
 * One mapping at a time: map while one is held gives -EBUSY, unmap with
 * none held gives -ENOENT, a bad or unknown name -EINVAL or -ENODEV.
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>

#include <rudma/dma-attrs.h>

static DEFINE_MUTEX(hold_lock);
static struct pci_dev *hold_pdev;
static struct page *hold_page;
static dma_addr_t hold_addr;
static unsigned long hold_attrs;
static struct dentry *hold_dir;

static ssize_t map_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	unsigned int seg, bus, slot, fn;
	unsigned long attrs = 0;
	struct pci_dev *pdev;
	char name[48], opt[12];
	int n, ret;

	if (count == 0 || count >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, count))
		return -EFAULT;
	name[count] = '\0';
	n = sscanf(name, "%x:%x:%x.%x %11s", &seg, &bus, &slot, &fn, opt);
	if (n == 5 && !strcmp(opt, "persistent"))
		attrs = DMA_ATTR_PERSISTENT_STREAMING;
	else if (n != 4)
		n = 0;
	if (!n || slot > 31 || fn > 7) {
		pr_err("rudma_test_hold: '%s' is not 'DDDD:BB:DD.F [persistent]'\n",
		       strim(name));
		return -EINVAL;
	}
	pdev = pci_get_domain_bus_and_slot(seg, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;

	mutex_lock(&hold_lock);
	if (hold_pdev) {
		ret = -EBUSY;
		goto out_put;
	}
	hold_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!hold_page) {
		ret = -ENOMEM;
		goto out_put;
	}
	hold_addr = dma_map_page_attrs(&pdev->dev, hold_page, 0, PAGE_SIZE,
				       DMA_TO_DEVICE, attrs);
	if (dma_mapping_error(&pdev->dev, hold_addr)) {
		__free_page(hold_page);
		ret = -EIO;
		goto out_put;
	}
	hold_pdev = pdev;
	hold_attrs = attrs;
	mutex_unlock(&hold_lock);
	pr_info("rudma_test_hold: holding %pad on %s\n", &hold_addr,
		pci_name(pdev));
	return count;

out_put:
	mutex_unlock(&hold_lock);
	pci_dev_put(pdev);
	return ret;
}

static int hold_release(void)
{
	if (!hold_pdev)
		return -ENOENT;
	dma_unmap_page_attrs(&hold_pdev->dev, hold_addr, PAGE_SIZE,
			     DMA_TO_DEVICE, hold_attrs);
	__free_page(hold_page);
	pci_dev_put(hold_pdev);
	hold_pdev = NULL;
	return 0;
}

static ssize_t unmap_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	int ret;

	mutex_lock(&hold_lock);
	ret = hold_release();
	mutex_unlock(&hold_lock);
	return ret ? ret : count;
}

static ssize_t map_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	char buf[32];
	int len;

	mutex_lock(&hold_lock);
	len = scnprintf(buf, sizeof(buf), "%s\n",
			hold_pdev ? pci_name(hold_pdev) : "none");
	mutex_unlock(&hold_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations map_fops = {
	.owner = THIS_MODULE,
	.read = map_read,
	.write = map_write,
};

static const struct file_operations unmap_fops = {
	.owner = THIS_MODULE,
	.write = unmap_write,
};

static int __init rudma_test_hold_init(void)
{
	hold_dir = debugfs_create_dir("rudma_test_hold", NULL);
	debugfs_create_file("map", 0600, hold_dir, NULL, &map_fops);
	debugfs_create_file("unmap", 0200, hold_dir, NULL, &unmap_fops);
	return 0;
}

static void __exit rudma_test_hold_exit(void)
{
	debugfs_remove_recursive(hold_dir);
	mutex_lock(&hold_lock);
	hold_release();
	mutex_unlock(&hold_lock);
}

module_init(rudma_test_hold_init);
module_exit(rudma_test_hold_exit);
MODULE_DESCRIPTION("rudma selftest helper: hold one streaming DMA mapping");
MODULE_LICENSE("GPL");
