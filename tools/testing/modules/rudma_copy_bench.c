// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark-only module: how long one memcpy of N bytes takes in this
 * machine, between two page-aligned kernel buffers kept hot in the cache,
 * as rudma's pool copies when dma_map_benchmark maps the same buffer over
 * and over.  make bench subtracts it from rudma's map+unmap time to get
 * the pool's own overhead beyond the copy (Documentation/bench.rst).
 *
 *   echo "BYTES ROUNDS" > /sys/kernel/debug/rudma_copy_bench
 *	BYTES 1..2097152, ROUNDS 1..1000000: times ROUNDS copies.
 *   cat /sys/kernel/debug/rudma_copy_bench
 *	"bytes=B rounds=R copy_ns=N.N": the mean time of one copy, in
 *	nanoseconds, of the last measurement.
 *
 * Bad input is refused with -EINVAL and a log line.
 */
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define COPY_MAX_BYTES	(2 * 1024 * 1024)
#define COPY_MAX_ROUNDS	1000000

static DEFINE_MUTEX(copy_lock);	/* one measurement at a time */
static struct dentry *copy_file;
static unsigned int copy_bytes, copy_rounds;
static u64 copy_tenths;		/* mean ns per copy, x10 */

static int copy_measure(unsigned int bytes, unsigned int rounds)
{
	unsigned int order = get_order(bytes);
	unsigned long src, dst;
	unsigned int i;
	u64 t0, t1;

	src = __get_free_pages(GFP_KERNEL, order);
	dst = __get_free_pages(GFP_KERNEL, order);
	if (!src || !dst) {
		free_pages(src, order);
		free_pages(dst, order);
		return -ENOMEM;
	}
	memset((void *)src, 0x5a, bytes);
	/* Once untimed: both buffers hot, as in a mapping loop. */
	memcpy((void *)dst, (void *)src, bytes);
	t0 = local_clock();
	for (i = 0; i < rounds; i++) {
		/* A new copy each round: the compiler may not hoist it. */
		OPTIMIZER_HIDE_VAR(dst);
		memcpy((void *)dst, (void *)src, bytes);
	}
	t1 = local_clock();
	copy_bytes = bytes;
	copy_rounds = rounds;
	copy_tenths = div_u64((t1 - t0) * 10, rounds);
	free_pages(src, order);
	free_pages(dst, order);
	return 0;
}

static ssize_t copy_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	unsigned int bytes, rounds;
	char *req;
	int ret;

	if (count == 0 || count >= 32)
		return -EINVAL;
	req = memdup_user_nul(ubuf, count);
	if (IS_ERR(req))
		return PTR_ERR(req);
	if (sscanf(req, "%u %u", &bytes, &rounds) != 2 || !bytes ||
	    bytes > COPY_MAX_BYTES || !rounds || rounds > COPY_MAX_ROUNDS) {
		pr_err("rudma_copy_bench: '%s' is not 'BYTES(1..%u) ROUNDS(1..%u)'\n",
		       strim(req), COPY_MAX_BYTES, COPY_MAX_ROUNDS);
		kfree(req);
		return -EINVAL;
	}
	kfree(req);
	mutex_lock(&copy_lock);
	ret = copy_measure(bytes, rounds);
	mutex_unlock(&copy_lock);
	return ret ? ret : count;
}

static ssize_t copy_read(struct file *file, char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	char buf[80];
	int n;

	mutex_lock(&copy_lock);
	n = scnprintf(buf, sizeof(buf), "bytes=%u rounds=%u copy_ns=%llu.%llu\n",
		      copy_bytes, copy_rounds, copy_tenths / 10, copy_tenths % 10);
	mutex_unlock(&copy_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations copy_fops = {
	.owner = THIS_MODULE,
	.read = copy_read,
	.write = copy_write,
	.llseek = default_llseek,
};

static int __init copy_init(void)
{
	copy_file = debugfs_create_file("rudma_copy_bench", 0600, NULL, NULL,
					&copy_fops);
	return 0;
}

static void __exit copy_exit(void)
{
	debugfs_remove(copy_file);
}

module_init(copy_init);
module_exit(copy_exit);
MODULE_DESCRIPTION("rudma bench: the time of one memcpy in this machine");
MODULE_LICENSE("GPL");
