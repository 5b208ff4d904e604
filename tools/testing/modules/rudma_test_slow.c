// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: a DMA API caller that blocks inside rudma's ops, as a
 * caller blocked on a sleeping spinlock_t does on PREEMPT_RT, so that a
 * kselftest can check that detach waits for it before it frees the ops.
 *
 *   echo "0000:00:02.0 MS" > /sys/kernel/debug/rudma_test_slow/map
 *	maps one page to-device on the device and unmaps it; the map call
 *	sleeps MS ms (1..10000) at the start of rudma's callback, inside its
 *	read-side section (rudma_test_set_ops_hook()).  Fails with -EIO if
 *	"detached" was written while it slept: detach then returned while a
 *	caller was still inside the ops it freed.
 *   echo 1 > /sys/kernel/debug/rudma_test_slow/detached
 *	the test says its detach has returned.
 *   cat /sys/kernel/debug/rudma_test_slow/map
 *	"slept=N raced=N": calls that slept, and of those, how many woke
 *	after a detach had returned.
 *
 * The hook only sleeps for the task and device of a "map" write; every
 * other DMA API call passes through it untouched.  It needs rudma.ko.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sched.h>

int rudma_test_set_ops_hook(void (*hook)(struct device *dev));

static DEFINE_MUTEX(slow_lock);	/* one "map" at a time */
static struct dentry *slow_dir;
static struct task_struct *slow_task;
static struct device *slow_dev;
static unsigned int slow_ms;
static bool slow_detached;
static unsigned long slow_slept, slow_raced;

static void slow_hook(struct device *dev)
{
	if (current != READ_ONCE(slow_task) || dev != READ_ONCE(slow_dev))
		return;
	WRITE_ONCE(slow_task, NULL);
	msleep(slow_ms);
	slow_slept++;
	if (READ_ONCE(slow_detached)) {
		slow_raced++;
		pr_err("rudma_test_slow: detach returned while a caller was inside rudma's ops\n");
	}
}

static ssize_t map_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	unsigned int seg, bus, slot, fn, ms;
	unsigned long raced;
	struct pci_dev *pdev;
	struct page *page;
	char req[48];
	dma_addr_t a;
	int ret = 0;

	if (count == 0 || count >= sizeof(req))
		return -EINVAL;
	if (copy_from_user(req, ubuf, count))
		return -EFAULT;
	req[count] = '\0';
	if (sscanf(req, "%x:%x:%x.%x %u", &seg, &bus, &slot, &fn, &ms) != 5 ||
	    slot > 31 || fn > 7 || !ms || ms > 10000) {
		pr_err("rudma_test_slow: '%s' is not 'DDDD:BB:DD.F MS(1..10000)'\n",
		       strim(req));
		return -EINVAL;
	}
	pdev = pci_get_domain_bus_and_slot(seg, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page) {
		pci_dev_put(pdev);
		return -ENOMEM;
	}
	mutex_lock(&slow_lock);
	raced = slow_raced;
	slow_ms = ms;
	WRITE_ONCE(slow_detached, false);
	WRITE_ONCE(slow_dev, &pdev->dev);
	WRITE_ONCE(slow_task, current);
	a = dma_map_page(&pdev->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	WRITE_ONCE(slow_task, NULL);
	if (dma_mapping_error(&pdev->dev, a))
		ret = -ENOMEM;
	else
		dma_unmap_page(&pdev->dev, a, PAGE_SIZE, DMA_TO_DEVICE);
	if (slow_raced != raced)
		ret = -EIO;
	mutex_unlock(&slow_lock);
	__free_page(page);
	pci_dev_put(pdev);
	return ret ? ret : count;
}

static ssize_t map_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	char buf[48];
	int len;

	len = scnprintf(buf, sizeof(buf), "slept=%lu raced=%lu\n",
			READ_ONCE(slow_slept), READ_ONCE(slow_raced));
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t detached_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	WRITE_ONCE(slow_detached, true);
	return count;
}

static const struct file_operations map_fops = {
	.owner = THIS_MODULE,
	.read = map_read,
	.write = map_write,
};

static const struct file_operations detached_fops = {
	.owner = THIS_MODULE,
	.write = detached_write,
};

static int __init rudma_test_slow_init(void)
{
	int ret = rudma_test_set_ops_hook(slow_hook);

	if (ret)
		return ret;
	slow_dir = debugfs_create_dir("rudma_test_slow", NULL);
	debugfs_create_file("map", 0600, slow_dir, NULL, &map_fops);
	debugfs_create_file("detached", 0200, slow_dir, NULL, &detached_fops);
	return 0;
}

static void __exit rudma_test_slow_exit(void)
{
	debugfs_remove_recursive(slow_dir);
	rudma_test_set_ops_hook(NULL);
}

module_init(rudma_test_slow_init);
module_exit(rudma_test_slow_exit);
MODULE_DESCRIPTION("rudma selftest helper: a DMA API caller blocked inside rudma's ops");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(RUDMA_TEST);
