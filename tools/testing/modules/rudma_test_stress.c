// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: concurrent streaming map/unmap on one PCI device from
 * a thread bound to every online CPU, plus an hrtimer mapping from hard
 * interrupt context, for a given time.  Nothing is DMA'd by the device,
 * so every caller's buffer must come back exactly as it was: a bounce
 * slot shared by two mappings, a copy from the wrong slot or a lost
 * copy-back shows up as a changed byte.
 *
 *   echo "0000:00:02.0 SECONDS" > /sys/kernel/debug/rudma_test_stress/run
 *   cat /sys/kernel/debug/rudma_test_stress/run
 *	"ops=N irq_ops=N bad=N map_errors=N"
 *
 * Each operation picks a size (1 byte .. 160 KiB, so some exceed the
 * pool's top class), an offset in the page, a direction and single or
 * scatterlist mapping at random, with partial syncs now and then.  The
 * write fails with -EIO if any byte changed, -EINVAL on bad input.
 */
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#define STRESS_MAX	(160 * 1024)
#define IRQ_LEN		256

static DEFINE_MUTEX(stress_lock);
static struct dentry *stress_dir;
static atomic64_t ops, irq_ops, bad, map_errors;

struct stress_thread {
	struct device *dev;
	unsigned long until;
	struct completion done;
	struct task_struct *task;
};

static const enum dma_data_direction dirs[] = {
	DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL,
};

static void check(const u8 *p, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != (u8)(i * 31 + seed)) {
			atomic64_inc(&bad);
			return;
		}
	}
}

static void fill(u8 *p, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(i * 31 + seed);
}

static void one_single(struct device *dev, u8 *buf)
{
	size_t off = get_random_u32_below(PAGE_SIZE);
	size_t len = 1 + get_random_u32_below(STRESS_MAX - off);
	enum dma_data_direction dir = dirs[get_random_u32_below(3)];
	u8 seed = get_random_u8();
	dma_addr_t a;

	fill(buf + off, len, seed);
	a = dma_map_single(dev, buf + off, len, dir);
	if (dma_mapping_error(dev, a)) {
		atomic64_inc(&map_errors);
		return;
	}
	if (len > 64 && get_random_u32_below(4) == 0) {
		size_t s = get_random_u32_below(len - 32);

		dma_sync_single_range_for_cpu(dev, a, s, 32, dir);
		dma_sync_single_range_for_device(dev, a, s, 32, dir);
	}
	dma_unmap_single(dev, a, len, dir);
	check(buf + off, len, seed);
	atomic64_inc(&ops);
}

static void one_sg(struct device *dev, u8 *buf)
{
	enum dma_data_direction dir = dirs[get_random_u32_below(3)];
	struct scatterlist sg[3];
	size_t len[3], at = 0;
	u8 seed = get_random_u8();
	int i, n;

	sg_init_table(sg, 3);
	for (i = 0; i < 3; i++) {
		len[i] = 1 + get_random_u32_below(8192);
		fill(buf + at, len[i], seed + i);
		sg_set_buf(&sg[i], buf + at, len[i]);
		at += len[i] + 64;
	}
	n = dma_map_sg(dev, sg, 3, dir);
	if (!n) {
		atomic64_inc(&map_errors);
		return;
	}
	if (get_random_u32_below(4) == 0) {
		dma_sync_sg_for_cpu(dev, sg, 3, dir);
		dma_sync_sg_for_device(dev, sg, 3, dir);
	}
	dma_unmap_sg(dev, sg, 3, dir);
	for (i = 0, at = 0; i < 3; i++) {
		check(buf + at, len[i], seed + i);
		at += len[i] + 64;
	}
	atomic64_inc(&ops);
}

static int stress_fn(void *data)
{
	struct stress_thread *t = data;
	u8 *buf = kmalloc(STRESS_MAX + PAGE_SIZE, GFP_KERNEL);

	if (buf) {
		while (time_before(jiffies, t->until) && !kthread_should_stop()) {
			if (get_random_u32_below(4))
				one_single(t->dev, buf);
			else
				one_sg(t->dev, buf);
			cond_resched();
		}
		kfree(buf);
	}
	complete(&t->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

/*
 * Hard interrupt context: small mappings with GFP_ATOMIC everywhere.  The
 * buffer is kmalloc'ed: the DMA API takes linear-map addresses only, and
 * a module's static data lies outside the linear map (virt_to_page() of
 * it is no page at all).
 */
static struct hrtimer irq_timer;
static struct device *irq_dev;
static u8 *irq_buf;

static enum hrtimer_restart irq_fn(struct hrtimer *timer)
{
	u8 seed = get_random_u8();
	size_t off = get_random_u32_below(64);
	dma_addr_t a;

	fill(irq_buf + off, IRQ_LEN, seed);
	a = dma_map_single(irq_dev, irq_buf + off, IRQ_LEN, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(irq_dev, a)) {
		atomic64_inc(&map_errors);
	} else {
		dma_unmap_single(irq_dev, a, IRQ_LEN, DMA_BIDIRECTIONAL);
		check(irq_buf + off, IRQ_LEN, seed);
		atomic64_inc(&irq_ops);
	}
	hrtimer_forward_now(timer, ms_to_ktime(2));
	return HRTIMER_RESTART;
}

static int stress_run(struct device *dev, unsigned int secs)
{
	struct stress_thread *t;
	unsigned int cpu, n = 0, i;

	t = kcalloc(nr_cpu_ids, sizeof(*t), GFP_KERNEL);
	irq_buf = kmalloc(IRQ_LEN + 64, GFP_KERNEL);
	if (!t || !irq_buf) {
		kfree(t);
		kfree(irq_buf);
		return -ENOMEM;
	}
	atomic64_set(&ops, 0);
	atomic64_set(&irq_ops, 0);
	atomic64_set(&bad, 0);
	atomic64_set(&map_errors, 0);
	irq_dev = dev;
	hrtimer_init(&irq_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	irq_timer.function = irq_fn;
	hrtimer_start(&irq_timer, ms_to_ktime(2), HRTIMER_MODE_REL);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		t[n].dev = dev;
		t[n].until = jiffies + secs * HZ;
		init_completion(&t[n].done);
		t[n].task = kthread_create_on_cpu(stress_fn, &t[n], cpu, "rudma_stress/%u");
		if (IS_ERR(t[n].task))
			continue;
		wake_up_process(t[n].task);
		n++;
	}
	cpus_read_unlock();
	for (i = 0; i < n; i++) {
		wait_for_completion(&t[i].done);
		kthread_stop(t[i].task);
	}
	hrtimer_cancel(&irq_timer);
	kfree(irq_buf);
	kfree(t);
	pr_info("rudma_test_stress: %s: %u threads, ops=%lld irq_ops=%lld bad=%lld map_errors=%lld\n",
		dev_name(dev), n, atomic64_read(&ops), atomic64_read(&irq_ops),
		atomic64_read(&bad), atomic64_read(&map_errors));
	return atomic64_read(&bad) ? -EIO : 0;
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	unsigned int seg, bus, slot, fn, secs;
	struct pci_dev *pdev;
	char req[64];
	int ret;

	if (count == 0 || count >= sizeof(req))
		return -EINVAL;
	if (copy_from_user(req, ubuf, count))
		return -EFAULT;
	req[count] = '\0';
	if (sscanf(req, "%x:%x:%x.%x %u", &seg, &bus, &slot, &fn, &secs) != 5 ||
	    slot > 31 || fn > 7 || !secs || secs > 600) {
		pr_err("rudma_test_stress: want 'DDDD:BB:DD.F SECONDS(1..600)'\n");
		return -EINVAL;
	}
	pdev = pci_get_domain_bus_and_slot(seg, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	mutex_lock(&stress_lock);
	ret = stress_run(&pdev->dev, secs);
	mutex_unlock(&stress_lock);
	pci_dev_put(pdev);
	return ret ? ret : count;
}

static ssize_t run_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	char buf[128];
	int n = scnprintf(buf, sizeof(buf),
			  "ops=%lld irq_ops=%lld bad=%lld map_errors=%lld\n",
			  atomic64_read(&ops), atomic64_read(&irq_ops),
			  atomic64_read(&bad), atomic64_read(&map_errors));

	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.read = run_read,
	.write = run_write,
};

static int __init rudma_test_stress_init(void)
{
	stress_dir = debugfs_create_dir("rudma_test_stress", NULL);
	debugfs_create_file("run", 0600, stress_dir, NULL, &run_fops);
	return 0;
}

static void __exit rudma_test_stress_exit(void)
{
	debugfs_remove_recursive(stress_dir);
}

module_init(rudma_test_stress_init);
module_exit(rudma_test_stress_exit);
MODULE_DESCRIPTION("rudma selftest helper: concurrent map/unmap stress");
MODULE_LICENSE("GPL");
