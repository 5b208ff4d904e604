// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/rudma/pools: the bounce pools' counters, per pool and
 * per size class, rendered by the Rust pool code.
 * Format: Documentation/pool-design.rst, "Counters".
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "rudma_shims.h"

#define RUDMA_POOLS_BUF_SIZE (64 * 1024)

static struct dentry *rudma_debugfs_dir;

static int pools_show(struct seq_file *m, void *v)
{
	char *buf = kvmalloc(RUDMA_POOLS_BUF_SIZE, GFP_KERNEL);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = rudma_pool_debugfs_show(buf, RUDMA_POOLS_BUF_SIZE);
	if (n > 0)
		seq_write(m, buf, n);
	kvfree(buf);
	return n < 0 ? n : 0;
}
DEFINE_SHOW_ATTRIBUTE(pools);

/**
 * rudma_debugfs_register() - create /sys/kernel/debug/rudma/
 *
 * debugfs failures are not errors (it may be absent or disabled).
 */
void rudma_debugfs_register(void)
{
	rudma_debugfs_dir = debugfs_create_dir("rudma", NULL);
	debugfs_create_file("pools", 0400, rudma_debugfs_dir, NULL,
			    &pools_fops);
	rudma_route_debugfs_create(rudma_debugfs_dir);
}

/**
 * rudma_debugfs_unregister() - remove /sys/kernel/debug/rudma/
 */
void rudma_debugfs_unregister(void)
{
	debugfs_remove_recursive(rudma_debugfs_dir);
	rudma_debugfs_dir = NULL;
}
