// SPDX-License-Identifier: GPL-2.0
/*
 * Locks for rudma's Rust code that the 6.12 kernel crate lacks: a
 * spinlock taken with interrupts disabled (the DMA API may be called from
 * hard interrupt context) and a mutex with trylock (for the shrinker).
 * Each lock lives in its own allocation so the Rust owner may move; each
 * kind has its own lockdep class, since a CPU cache lock nests a depot lock.
 * A spinlock gets whole cache lines: each CPU takes its own cache's lock
 * on every map and unmap, and two such locks in one line would bounce it
 * between the CPUs.
 */
#include <linux/cache.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "rudma_shims.h"

/**
 * rudma_irq_lock_alloc() - allocate and initialise a spinlock
 * @kind: RUDMA_LOCK_CPU_CACHE, RUDMA_LOCK_DEPOT, RUDMA_LOCK_FREE_LIST or
 *	  RUDMA_LOCK_ROUTER; each kind is one lockdep class
 *
 * The allocation is a power of two of at least L1_CACHE_BYTES, which kmalloc
 * aligns to its size: the lock shares its cache lines with nothing.
 *
 * Return: the lock, or NULL if out of memory or @kind is unknown.
 */
void *rudma_irq_lock_alloc(unsigned int kind)
{
	size_t size = roundup_pow_of_two(max_t(size_t, sizeof(spinlock_t), L1_CACHE_BYTES));
	spinlock_t *lock = kmalloc(size, GFP_KERNEL);

	if (!lock)
		return NULL;
	switch (kind) {
	case RUDMA_LOCK_CPU_CACHE:
		spin_lock_init(lock);
		break;
	case RUDMA_LOCK_DEPOT:
		spin_lock_init(lock);
		break;
	case RUDMA_LOCK_FREE_LIST:
		spin_lock_init(lock);
		break;
	case RUDMA_LOCK_ROUTER:
		spin_lock_init(lock);
		break;
	default:
		kfree(lock);
		return NULL;
	}
	return lock;
}

/**
 * rudma_irq_lock_free() - free a lock from rudma_irq_lock_alloc()
 * @lock: the lock, not held
 */
void rudma_irq_lock_free(void *lock)
{
	kfree(lock);
}

/**
 * rudma_irq_lock() - take a lock with local interrupts disabled
 * @lock: the lock
 *
 * Return: the interrupt state to pass to rudma_irq_unlock().
 */
unsigned long rudma_irq_lock(void *lock)
{
	unsigned long flags;

	spin_lock_irqsave((spinlock_t *)lock, flags);
	return flags;
}

/**
 * rudma_irq_unlock() - release a lock taken with rudma_irq_lock()
 * @lock: the lock
 * @flags: what rudma_irq_lock() returned
 */
void rudma_irq_unlock(void *lock, unsigned long flags)
{
	spin_unlock_irqrestore((spinlock_t *)lock, flags);
}

/**
 * rudma_mutex_alloc() - allocate and initialise a mutex
 *
 * Return: the mutex, or NULL if out of memory.
 */
void *rudma_mutex_alloc(void)
{
	struct mutex *m = kmalloc(sizeof(*m), GFP_KERNEL);

	if (m)
		mutex_init(m);
	return m;
}

/**
 * rudma_mutex_free() - free a mutex from rudma_mutex_alloc()
 * @m: the mutex, not held
 */
void rudma_mutex_free(void *m)
{
	mutex_destroy((struct mutex *)m);
	kfree(m);
}

/**
 * rudma_mutex_lock() - take a mutex (may sleep)
 * @m: the mutex
 */
void rudma_mutex_lock(void *m)
{
	mutex_lock((struct mutex *)m);
}

/**
 * rudma_mutex_trylock() - take a mutex if it is free
 * @m: the mutex
 *
 * Return: true if taken.
 */
bool rudma_mutex_trylock(void *m)
{
	return mutex_trylock((struct mutex *)m);
}

/**
 * rudma_mutex_unlock() - release a mutex
 * @m: the mutex
 */
void rudma_mutex_unlock(void *m)
{
	mutex_unlock((struct mutex *)m);
}
