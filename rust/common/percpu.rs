// SPDX-License-Identifier: GPL-2.0

//! Per-CPU state, each CPU's in cache lines of its own: the fast path
//! writes only the line of the CPU it runs on, readers combine all of
//! them.  Entries are reached by CPU number from any CPU (a caller may
//! migrate right after picking its entry), so `T` must be safe to share:
//! atomics, or a lock.

use super::cpu;
use kernel::prelude::*;

/// The cache line size the layout assumes: 64 bytes on x86-64 and arm64
/// (L1_CACHE_BYTES; arm64's 128-byte CWG only matters for DMA, which
/// this state never sees).
pub const CACHE_LINE: usize = 64;

/// `T` alone in its cache line(s).
#[repr(C, align(64))]
#[derive(Default)]
pub struct CacheLine<T>(pub T);

// The attribute above must say the same as CACHE_LINE.
const _: () = assert!(core::mem::align_of::<CacheLine<u8>>() == CACHE_LINE);

/// One `T` per possible CPU.
///
/// # Invariants
///
/// `lines` holds one entry per possible CPU number; `spare` takes the
/// calls of a CPU number outside them, which cannot happen (it keeps the
/// lookup free of panics, and any entry is correct, only slower).
pub struct PerCpu<T> {
    lines: KVec<CacheLine<T>>,
    spare: CacheLine<T>,
}

impl<T> PerCpu<T> {
    /// One `init()` per possible CPU (may sleep).
    pub fn new(mut init: impl FnMut() -> T) -> Result<Self> {
        Self::try_new(|| Ok(init()))
    }

    /// One `init()` per possible CPU, which may fail (may sleep).
    pub fn try_new(mut init: impl FnMut() -> Result<T>) -> Result<Self> {
        let n = cpu::nr_cpu_ids();
        let mut lines = KVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            lines.push(CacheLine(init()?), GFP_KERNEL)?;
        }
        // INVARIANT: one entry per possible CPU.
        Ok(Self {
            lines,
            spare: CacheLine(init()?),
        })
    }

    /// The entry of the CPU the caller runs on now.
    pub fn local(&self) -> &T {
        match self.lines.get(cpu::this_cpu()) {
            Some(l) => &l.0,
            None => &self.spare.0,
        }
    }

    /// Every entry, for readers that combine them.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        let lines = self.lines.iter().map(|l| &l.0);
        Iterator::chain(lines, core::iter::once(&self.spare.0))
    }

    /// The sum of `f` over every entry.
    pub fn sum<N: core::iter::Sum<N>>(&self, f: impl FnMut(&T) -> N) -> N {
        self.iter().map(f).sum()
    }
}
