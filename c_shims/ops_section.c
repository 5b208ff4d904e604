// SPDX-License-Identifier: GPL-2.0
/*
 * The read-side section every rudma DMA ops callback runs in, and the wait
 * detach does before it frees a device's ops.
 *
 * A DMA API call reads dev->dma_ops once and then calls through it, so
 * after detach has removed rudma's ops, a call that read them before may
 * still be on its way into them (between the load in kernel/dma/mapping.c
 * and the callback's first instruction) or inside them.  The first kind
 * never blocks: synchronize_rcu_tasks() waits until each such task has
 * been preempted and resumed or passed a voluntary context switch.  It
 * does not cover the second kind on PREEMPT_RT: there a spinlock_t is a
 * sleeping lock, and a task blocked on one inside a callback (a pool lock,
 * an IOMMU driver's lock) is off the runqueue, which RCU Tasks takes as a
 * quiescent state (rcu_tasks_is_holdout() in kernel/rcu/tasks.h returns
 * false for !t->on_rq; __schedule(SM_RTLOCK_WAIT) dequeues the task and
 * counts a voluntary switch).  So every callback is also an SRCU read-side
 * section, and the wait ends with an SRCU grace period: SRCU readers may
 * block, and a grace period waits for every reader that began before it.
 * The order matters: once the RCU Tasks grace period has ended, every
 * caller that read the old ops is inside a section or done.
 *
 * Test hook: a test module may install a function every callback calls at
 * its start, inside the section (rudma_test_set_ops_hook()); it is NULL,
 * and costs one load and branch, otherwise.
 */
#include <linux/export.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>

#include "rudma_shims.h"

DEFINE_STATIC_SRCU(rudma_ops_srcu);

static void (*rudma_ops_hook)(struct device *dev);

/**
 * rudma_ops_enter() - start a DMA ops callback's read-side section
 * @dev: the device the callback is for, passed to a test hook
 *
 * Return: the index to give rudma_ops_exit().
 */
int rudma_ops_enter(struct device *dev)
{
	int idx = srcu_read_lock(&rudma_ops_srcu);
	void (*hook)(struct device *dev) = READ_ONCE(rudma_ops_hook);

	if (unlikely(hook))
		hook(dev);
	return idx;
}

/**
 * rudma_ops_exit() - end a DMA ops callback's read-side section
 * @idx: what rudma_ops_enter() returned
 */
void rudma_ops_exit(int idx)
{
	srcu_read_unlock(&rudma_ops_srcu, idx);
}

/**
 * rudma_wait_dma_callers() - wait out DMA API calls using removed ops
 *
 * Sleeps.  Afterwards no DMA API call that read a device's dma_ops before
 * they were removed can be in rudma's callbacks or on its way into them.
 */
void rudma_wait_dma_callers(void)
{
	synchronize_rcu_tasks();
	/*
	 * Expedited: SRCU's expedited grace period only skips the delays
	 * between its checks of the readers (no IPIs), and detach is an
	 * admin action that should not wait for them.
	 */
	synchronize_srcu_expedited(&rudma_ops_srcu);
}

/**
 * rudma_wait_ops_sections() - wait out the callbacks already running
 *
 * Sleeps.  Afterwards every callback that was inside its section when
 * this was called has left it, and every later one sees what the caller
 * stored before the call (an SRCU grace period orders both).  Enough when
 * the ops stay installed and the callbacks read the state in their
 * section: a caller on its way into a callback enters a section after.
 */
void rudma_wait_ops_sections(void)
{
	synchronize_srcu_expedited(&rudma_ops_srcu);
}

/**
 * rudma_ops_gp_start() - start a grace period of the callbacks' sections
 *
 * Never sleeps.  The polled form of rudma_wait_ops_sections(), for the
 * pool's aging work, which must not hold its locks across a wait.
 *
 * Return: a cookie for rudma_ops_gp_done().
 */
unsigned long rudma_ops_gp_start(void)
{
	/*
	 * Order the caller's stores before the grace period's snapshot, as
	 * get_state_synchronize_srcu() does: a callback that enters its
	 * section after the grace period starts must see them.
	 */
	smp_mb();
	return start_poll_synchronize_srcu(&rudma_ops_srcu);
}

/**
 * rudma_ops_gp_done() - has the grace period of a cookie ended?
 * @cookie: what rudma_ops_gp_start() returned
 *
 * Never sleeps.
 *
 * Return: true once every callback that was inside its section when the
 * cookie was taken has left it; code after a true return is ordered after
 * the end of those sections, as after rudma_wait_ops_sections().
 */
bool rudma_ops_gp_done(unsigned long cookie)
{
	return poll_state_synchronize_srcu(&rudma_ops_srcu, cookie);
}

/**
 * rudma_test_set_ops_hook() - install or remove the callbacks' test hook
 * @hook: called at the start of every callback, inside its section; NULL
 *	removes it
 *
 * For test modules only (namespace RUDMA_TEST).  Removing the hook waits
 * until no callback can still be in it, so its module may then go.
 *
 * Return: 0, or -EBUSY when installing over another hook.
 */
int rudma_test_set_ops_hook(void (*hook)(struct device *dev))
{
	if (hook && cmpxchg(&rudma_ops_hook, NULL, hook)) {
		pr_err("rudma: an ops test hook is already installed\n");
		return -EBUSY;
	}
	if (!hook) {
		WRITE_ONCE(rudma_ops_hook, NULL);
		synchronize_srcu(&rudma_ops_srcu);
	} else {
		pr_warn("rudma: ops test hook installed (test only)\n");
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(rudma_test_set_ops_hook, RUDMA_TEST);
