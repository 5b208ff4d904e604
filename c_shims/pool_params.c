// SPDX-License-Identifier: GPL-2.0
/*
 * The bounce pool's module parameters, each checked against its bounds
 * when set (at load or through /sys/module/rudma/parameters/): a bad value
 * is refused with -EINVAL and a log line, and the old value stays.
 *
 *   pool            use the bounce pool for devices attached from now on
 *   pool_max_size   largest mapping bounced, a power of two, PAGE_SIZE..1 MiB
 *   pool_slots      slots (IOVA) per size class of a new pool, 1..65536
 *   pool_cache_ms   idle time before a cached slot is freed, 0..60000
 *                   (0: no caching); applies to every pool at once
 *
 * See Documentation/pool-design.rst.
 */
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

#include "rudma_shims.h"

static bool pool_enable = true;
module_param_named(pool, pool_enable, bool, 0644);
MODULE_PARM_DESC(pool, "Bounce small streaming mappings through a pool (default: Y)");

static unsigned int pool_max_size = SZ_128K;
static unsigned int pool_slots = 1024;
static unsigned int pool_cache_ms = 1000;

static int set_bounded_uint(const char *val, const struct kernel_param *kp,
			    unsigned int min, unsigned int max, bool pow2)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret || v < min || v > max || (pow2 && !is_power_of_2(v))) {
		pr_err("rudma: %s: '%s' is not %s in %u..%u\n", kp->name, val,
		       pow2 ? "a power of two" : "a number", min, max);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

static int set_max_size(const char *val, const struct kernel_param *kp)
{
	return set_bounded_uint(val, kp, PAGE_SIZE, SZ_1M, true);
}

static int set_slots(const char *val, const struct kernel_param *kp)
{
	return set_bounded_uint(val, kp, 1, 65536, false);
}

static int set_cache_ms(const char *val, const struct kernel_param *kp)
{
	return set_bounded_uint(val, kp, 0, 60000, false);
}

static const struct kernel_param_ops max_size_ops = {
	.set = set_max_size,
	.get = param_get_uint,
};

static const struct kernel_param_ops slots_ops = {
	.set = set_slots,
	.get = param_get_uint,
};

static const struct kernel_param_ops cache_ms_ops = {
	.set = set_cache_ms,
	.get = param_get_uint,
};

module_param_cb(pool_max_size, &max_size_ops, &pool_max_size, 0644);
MODULE_PARM_DESC(pool_max_size, "Largest mapping bounced, bytes, power of two (default: 131072)");
module_param_cb(pool_slots, &slots_ops, &pool_slots, 0644);
MODULE_PARM_DESC(pool_slots, "Slots per size class of a new pool (default: 1024)");
module_param_cb(pool_cache_ms, &cache_ms_ops, &pool_cache_ms, 0644);
MODULE_PARM_DESC(pool_cache_ms, "Idle ms before a cached slot is freed, 0 = no cache (default: 1000)");

/**
 * rudma_pool_params() - the pool parameters now
 * @p: filled with the current values
 */
void rudma_pool_params(struct rudma_pool_params *p)
{
	p->enable = READ_ONCE(pool_enable);
	p->max_size = READ_ONCE(pool_max_size);
	p->slots = READ_ONCE(pool_slots);
	p->cache_ms = READ_ONCE(pool_cache_ms);
}
