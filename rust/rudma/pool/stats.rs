// SPDX-License-Identifier: GPL-2.0

//! The pool's counters, shown in /sys/kernel/debug/rudma/pools.
//!
//! Plain relaxed atomics: they are statistics, read without stopping the
//! fast path, and exact once the pool is quiet (which the tests rely on).

use crate::fmt_buf::FmtBuf;
use core::fmt::Write;
use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// A counter that only grows.
#[derive(Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn inc(&self) {
        self.add(1);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A level that goes up and down (slots in use, bytes held).
#[derive(Default)]
pub(crate) struct Gauge(AtomicI64);

impl Gauge {
    pub(crate) fn add(&self, n: i64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Counters of one size class.
#[derive(Default)]
pub(crate) struct ClassStats {
    /// Mappings served from a slot.
    pub(crate) maps: Counter,
    /// ... of which reused a cached slot: no IOMMU call.
    pub(crate) hits: Counter,
    /// ... of which mapped a fresh slot: pages allocated, one IOMMU map.
    pub(crate) misses: Counter,
    /// Mappings of this class's size sent to iommu-dma: no free slot,
    /// no memory for one, or no region.
    pub(crate) fallbacks: Counter,
    /// Mappings of this class's size routed to iommu-dma (`pool_route`:
    /// iommu-dma measured cheaper, or forced).
    pub(crate) routed: Counter,
    /// Bytes copied between callers' buffers and slots, both ways.
    pub(crate) copied: Counter,
    /// Slots released (unmapped, pages freed) by aging or the shrinker.
    pub(crate) released: Counter,
    /// Slots mapped for a caller now.
    pub(crate) inuse: Gauge,
    /// Slots cached, mapped and idle, now.
    pub(crate) cached: Gauge,
    /// Bytes of bounce pages held now.
    pub(crate) mem: Gauge,
    /// Slots whose IOMMU unmap failed, leaked with their pages.
    pub(crate) quarantined: Gauge,
}

/// Counters of a whole pool.
#[derive(Default)]
pub(crate) struct PoolStats {
    /// Mappings larger than the top class, sent to iommu-dma.
    pub(crate) oversize: Counter,
    /// `DMA_ATTR_PERSISTENT_STREAMING` mappings, mapped in place.
    pub(crate) persistent: Counter,
    /// ... of which on an untrusted device ...
    pub(crate) persistent_untrusted: Counter,
    /// ... of which refused: not whole IOMMU granules, so in place they
    /// would expose their neighbours.
    pub(crate) persistent_refused: Counter,
    /// Misuse reported: unknown address, double unmap, bad size or
    /// direction, sync outside a mapping.
    pub(crate) bad: Counter,
}

impl ClassStats {
    /// One `class ...` line.
    pub(crate) fn show(&self, w: &mut FmtBuf<'_>, size: usize, slots: u32, base: u64) {
        let _ = writeln!(
            w,
            "  class size={} slots={} base={:#x} maps={} hits={} misses={} \
             fallbacks={} copied={} released={} inuse={} cached={} mem={} \
             quarantined={} routed={}",
            size,
            slots,
            base,
            self.maps.get(),
            self.hits.get(),
            self.misses.get(),
            self.fallbacks.get(),
            self.copied.get(),
            self.released.get(),
            self.inuse.get(),
            self.cached.get(),
            self.mem.get(),
            self.quarantined.get(),
            self.routed.get()
        );
    }
}
