// SPDX-License-Identifier: GPL-2.0

//! The pool's counters, shown in /sys/kernel/debug/rudma/pools.
//!
//! Relaxed atomics: they are statistics, read without stopping the fast
//! path, and exact once the pool is quiet (which the tests rely on).  The
//! ones a map or unmap touches are per CPU ([`ClassHot`]), summed when
//! read, so the fast path writes no cache line another CPU writes.

use crate::fmt_buf::FmtBuf;
use crate::percpu::PerCpu;
use core::fmt::Write;
use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use kernel::prelude::*;

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

/// The counters of a size class that a map or unmap touches, one set per
/// CPU: the fast path writes only its CPU's cache line.
#[derive(Default)]
pub(crate) struct ClassHot {
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
    /// Slots mapped for a caller now (this CPU's share: a slot mapped on
    /// one CPU may be unmapped on another, only the sum means anything).
    pub(crate) inuse: Gauge,
    /// Slots cached, mapped and idle, now (this CPU's share, likewise).
    pub(crate) cached: Gauge,
}

// One cache line per CPU holds them all.
const _: () = assert!(core::mem::size_of::<ClassHot>() <= crate::percpu::CACHE_LINE);

/// Counters of one size class.
pub(crate) struct ClassStats {
    hot: PerCpu<ClassHot>,
    /// Slots released (unmapped, pages freed) by aging or the shrinker.
    pub(crate) released: Counter,
    /// Regions given back while the pool lived (routed to iommu-dma).
    pub(crate) regions_freed: Counter,
    /// Bytes of bounce pages held now.
    pub(crate) mem: Gauge,
    /// Slots whose IOMMU unmap failed, leaked with their pages.
    pub(crate) quarantined: Gauge,
}

impl ClassStats {
    /// Zeroed counters (may sleep).
    pub(crate) fn new() -> Result<Self> {
        Ok(Self {
            hot: PerCpu::new(ClassHot::default)?,
            released: Counter::default(),
            regions_freed: Counter::default(),
            mem: Gauge::default(),
            quarantined: Gauge::default(),
        })
    }

    /// The calling CPU's fast-path counters.
    pub(crate) fn hot(&self) -> &ClassHot {
        self.hot.local()
    }

    /// A fast-path counter summed over the CPUs.
    pub(crate) fn sum(&self, f: impl Fn(&ClassHot) -> u64) -> u64 {
        self.hot.sum(f)
    }

    /// A fast-path level summed over the CPUs.
    pub(crate) fn level(&self, f: impl Fn(&ClassHot) -> &Gauge) -> i64 {
        self.hot.sum(|h| f(h).get())
    }

    /// Slots mapped for a caller now.
    pub(crate) fn inuse(&self) -> i64 {
        self.level(|h| &h.inuse)
    }

    /// Slots cached now.
    pub(crate) fn cached(&self) -> i64 {
        self.level(|h| &h.cached)
    }

    /// One `class ...` line.
    pub(crate) fn show(
        &self,
        w: &mut FmtBuf<'_>,
        size: usize,
        slots: u32,
        base: u64,
        region: &str,
    ) {
        let _ = writeln!(
            w,
            "  class size={} slots={} base={:#x} maps={} hits={} misses={} \
             fallbacks={} copied={} released={} inuse={} cached={} mem={} \
             quarantined={} routed={} region={} regions_freed={}",
            size,
            slots,
            base,
            self.sum(|h| h.maps.get()),
            self.sum(|h| h.hits.get()),
            self.sum(|h| h.misses.get()),
            self.sum(|h| h.fallbacks.get()),
            self.sum(|h| h.copied.get()),
            self.released.get(),
            self.inuse(),
            self.cached(),
            self.mem.get(),
            self.quarantined.get(),
            self.sum(|h| h.routed.get()),
            region,
            self.regions_freed.get()
        );
    }
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
