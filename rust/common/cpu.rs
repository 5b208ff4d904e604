// SPDX-License-Identifier: GPL-2.0

//! CPU numbers, for per-CPU caches kept in arrays.

use super::bindings;

/// One more than the highest possible CPU number.
pub fn nr_cpu_ids() -> usize {
    // SAFETY: reads a variable fixed at boot.
    unsafe { bindings::rudma_nr_cpu_ids() as usize }
}

/// The CPU the caller runs on now (it may migrate right after: data
/// indexed by it must still be locked).
pub fn this_cpu() -> usize {
    // SAFETY: no preconditions.
    unsafe { bindings::rudma_this_cpu() as usize }
}
