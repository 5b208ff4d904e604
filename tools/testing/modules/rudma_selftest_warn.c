// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: proves that the QEMU runner fails a run whose guest
 * log holds a kernel warning.  Loading it with warn=1 triggers one
 * WARN_ON(1); the `meta` suite expects the runner to reject that boot.
 */
#include <linux/bug.h>
#include <linux/module.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "Trigger one WARN_ON(1) at load (default: no)");

static int __init rudma_selftest_warn_init(void)
{
	WARN_ON(warn);
	return 0;
}

static void __exit rudma_selftest_warn_exit(void)
{
}

module_init(rudma_selftest_warn_init);
module_exit(rudma_selftest_warn_exit);
MODULE_DESCRIPTION("rudma selftest helper: a deliberate kernel warning");
MODULE_LICENSE("GPL");
