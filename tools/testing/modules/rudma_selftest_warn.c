// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: proves that the QEMU runner fails a run whose guest
 * log holds a kernel warning or a memory leak.  Loading it with warn=1
 * triggers one WARN_ON(1); with leak=1 it allocates sixteen 256-byte
 * objects and forgets them, for kmemleak to report (several, as a stale
 * copy of the last pointer may linger in a cached kernel stack).  The
 * meta-warn and meta-leak suites expect the runner to reject those boots.
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/slab.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "Trigger one WARN_ON(1) at load (default: no)");

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "Leak sixteen 256-byte allocations at load (default: no)");

static int __init rudma_selftest_warn_init(void)
{
	WARN_ON(warn);
	if (leak) {
		int i;

		/* Each reference is dropped: kmemleak sees orphans. */
		for (i = 0; i < 16; i++)
			pr_info("rudma_selftest_warn: leaking %p\n",
				kmalloc(256, GFP_KERNEL));
	}
	return 0;
}

static void __exit rudma_selftest_warn_exit(void)
{
}

module_init(rudma_selftest_warn_init);
module_exit(rudma_selftest_warn_exit);
MODULE_DESCRIPTION("rudma selftest helper: a deliberate kernel warning");
MODULE_LICENSE("GPL");
