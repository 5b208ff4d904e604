// SPDX-License-Identifier: GPL-2.0
/*
 * Background upkeep of the bounce pools: a delayed work item that ages
 * idle cached slots out, and a shrinker that releases cached slots under
 * memory pressure.  Both call into the Rust pool code.
 */
#include <linux/jiffies.h>
#include <linux/shrinker.h>
#include <linux/workqueue.h>

#include "rudma_shims.h"

static void rudma_age_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(rudma_age_work, rudma_age_fn);
static struct shrinker *rudma_shrinker;

static void rudma_age_fn(struct work_struct *work)
{
	unsigned int next_ms = rudma_pool_age();

	if (next_ms)
		queue_delayed_work(system_unbound_wq, &rudma_age_work,
				   msecs_to_jiffies(next_ms));
}

/**
 * rudma_pool_age_schedule() - make sure the aging work runs
 * @ms: at the latest this many milliseconds from now
 *
 * Called when a pool is created; the work keeps itself going while
 * rudma_pool_age() asks for another pass.
 */
void rudma_pool_age_schedule(unsigned int ms)
{
	queue_delayed_work(system_unbound_wq, &rudma_age_work,
			   msecs_to_jiffies(ms));
}

static unsigned long rudma_shrink_count(struct shrinker *s,
					struct shrink_control *sc)
{
	unsigned long n = rudma_pool_shrink_count();

	return n ? n : SHRINK_EMPTY;
}

static unsigned long rudma_shrink_scan(struct shrinker *s,
				       struct shrink_control *sc)
{
	long freed = rudma_pool_shrink_scan(sc->nr_to_scan);

	return freed < 0 ? SHRINK_STOP : freed;
}

/**
 * rudma_pool_maint_start() - register the pool shrinker
 *
 * Return: 0 or -ENOMEM.
 */
int rudma_pool_maint_start(void)
{
	rudma_shrinker = shrinker_alloc(0, "rudma-pool");
	if (!rudma_shrinker)
		return -ENOMEM;
	rudma_shrinker->count_objects = rudma_shrink_count;
	rudma_shrinker->scan_objects = rudma_shrink_scan;
	shrinker_register(rudma_shrinker);
	return 0;
}

/**
 * rudma_pool_maint_stop() - stop the aging work and the shrinker
 *
 * Called at module exit, when no pool is left.
 */
void rudma_pool_maint_stop(void)
{
	shrinker_free(rudma_shrinker);
	rudma_shrinker = NULL;
	cancel_delayed_work_sync(&rudma_age_work);
}

/**
 * rudma_now_ms() - a coarse monotonic clock for slot aging
 *
 * Return: jiffies in milliseconds, wrapping at 2^32.
 */
u32 rudma_now_ms(void)
{
	return jiffies_to_msecs(jiffies);
}
