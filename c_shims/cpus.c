// SPDX-License-Identifier: GPL-2.0
/*
 * CPU numbers for per-CPU caches kept in arrays: nr_cpu_ids is a variable
 * and raw_smp_processor_id() a macro.
 */
#include <linux/cpumask.h>
#include <linux/smp.h>

#include "rudma_shims.h"

/**
 * rudma_nr_cpu_ids() - one more than the highest possible CPU number
 *
 * Return: nr_cpu_ids.
 */
unsigned int rudma_nr_cpu_ids(void)
{
	return nr_cpu_ids;
}

/**
 * rudma_this_cpu() - the CPU the caller runs on, as a hint
 *
 * The caller may migrate right after; per-CPU data indexed by the result
 * must be protected by a lock (it is then merely uncontended).
 *
 * Return: raw_smp_processor_id().
 */
unsigned int rudma_this_cpu(void)
{
	return raw_smp_processor_id();
}
