// SPDX-License-Identifier: GPL-2.0
/*
 * How the bounce pool routes mappings it could serve (the decision logic
 * is rust/pool/route.rs; Documentation/pool-design.rst, "Routing"):
 *
 *   pool_route      auto   each size class and direction takes the path
 *                          measured cheaper (default)
 *                   pool   always the pool, while it can serve
 *                   iommu  always iommu-dma (the pool serves nothing)
 *
 * A bad value is refused with -EINVAL and a log line; the old one stays.
 * Also here: the clock the router times calls with, and a test-only
 * delay added to the timed calls of one path
 * (/sys/kernel/debug/rudma/route_delay).
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/sched/clock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "rudma_shims.h"

static const char * const route_names[] = {
	[RUDMA_ROUTE_AUTO] = "auto",
	[RUDMA_ROUTE_POOL] = "pool",
	[RUDMA_ROUTE_IOMMU] = "iommu",
};

static unsigned int pool_route = RUDMA_ROUTE_AUTO;

static int set_route(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(route_names, val);

	if (i < 0) {
		pr_err("rudma: pool_route: '%s' is not auto, pool or iommu\n", val);
		return -EINVAL;
	}
	WRITE_ONCE(pool_route, i);
	return 0;
}

static int get_route(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", route_names[READ_ONCE(pool_route)]);
}

static const struct kernel_param_ops route_ops = {
	.set = set_route,
	.get = get_route,
};

module_param_cb(pool_route, &route_ops, NULL, 0644);
MODULE_PARM_DESC(pool_route,
		 "auto: route by measured cost, pool: always bounce, iommu: never (default: auto)");

/**
 * rudma_pool_route() - the routing mode now
 *
 * Return: RUDMA_ROUTE_AUTO, RUDMA_ROUTE_POOL or RUDMA_ROUTE_IOMMU.
 */
unsigned int rudma_pool_route(void)
{
	return READ_ONCE(pool_route);
}

/**
 * rudma_local_clock() - the clock timed calls are measured with
 *
 * Context: any.  local_clock(): monotonic on one CPU, cheap; a call that
 * migrates between its two readings is an outlier the router clamps.
 *
 * Return: nanoseconds.
 */
u64 rudma_local_clock(void)
{
	return local_clock();
}

/*
 * Test only: a delay, in ns, added to every timed call of one path, so a
 * test can make either path look dearer and watch the routes follow.
 * Written as "pool NS", "iommu NS" or "off"; at most 1 ms.
 */
static unsigned int route_delay_ns[2];

#define RUDMA_ROUTE_DELAY_MAX_NS 1000000

/**
 * rudma_route_test_delay() - spin for the test delay of a path, if any
 * @path: 0 for the pool, 1 for iommu-dma
 *
 * Context: any (busy-waits).
 */
void rudma_route_test_delay(unsigned int path)
{
	unsigned int ns = path < 2 ? READ_ONCE(route_delay_ns[path]) : 0;

	if (unlikely(ns))
		ndelay(ns);
}

static ssize_t route_delay_write(struct file *f, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	char buf[32], name[8];
	unsigned int ns;
	int path;

	if (len >= sizeof(buf))
		goto bad;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sysfs_streq(buf, "off")) {
		WRITE_ONCE(route_delay_ns[0], 0);
		WRITE_ONCE(route_delay_ns[1], 0);
		return len;
	}
	if (sscanf(buf, "%7s %u", name, &ns) != 2 ||
	    ns > RUDMA_ROUTE_DELAY_MAX_NS)
		goto bad;
	path = !strcmp(name, "pool") ? 0 : !strcmp(name, "iommu") ? 1 : -1;
	if (path < 0)
		goto bad;
	WRITE_ONCE(route_delay_ns[path], ns);
	pr_info("rudma: route_delay: %s %u ns (test only)\n", name, ns);
	return len;
bad:
	pr_err("rudma: route_delay: want 'pool NS', 'iommu NS' (NS <= %u) or 'off'\n",
	       RUDMA_ROUTE_DELAY_MAX_NS);
	return -EINVAL;
}

static ssize_t route_delay_read(struct file *f, char __user *ubuf, size_t len,
				loff_t *ppos)
{
	char buf[48];
	int n = scnprintf(buf, sizeof(buf), "pool %u\niommu %u\n",
			  READ_ONCE(route_delay_ns[0]),
			  READ_ONCE(route_delay_ns[1]));

	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations route_delay_fops = {
	.owner = THIS_MODULE,
	.read = route_delay_read,
	.write = route_delay_write,
	.llseek = default_llseek,
};

/**
 * rudma_route_debugfs_create() - create the route_delay test file
 * @dir: rudma's debugfs directory
 *
 * The delay starts off; it is reset when the file is created (module load).
 */
void rudma_route_debugfs_create(struct dentry *dir)
{
	route_delay_ns[0] = 0;
	route_delay_ns[1] = 0;
	debugfs_create_file("route_delay", 0600, dir, NULL, &route_delay_fops);
}
