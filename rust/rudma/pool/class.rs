// SPDX-License-Identifier: GPL-2.0

//! One size class of a pool: its IOVA region, its slots, the list of
//! slots without pages, and one depot of cached slots per cache key.

use super::client::Client;
use super::slot::{Slot, CACHED, EMPTY, IN_USE, QUARANTINED};
use super::stats::ClassStats;
use crate::bindings;
use crate::cache_key::{CacheKey, KEYS};
use crate::dma_callers::GracePeriod;
use crate::handle_stack::HandleStack;
use crate::irq_lock::{IrqLock, LockKind};
use crate::magazine::Magazine;
use crate::slot_region::{fitted_slots, shrinking_attempts, SlotRegion};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use kernel::prelude::*;

/// Region states.
const UNRESERVED: u32 = 0;
const RESERVING: u32 = 1;
const READY: u32 = 2;
const FAILED: u32 = 3;
/// Being given back (the class is routed to iommu-dma, or its region's
/// size no longer suits its route): no slot is taken from it; unmaps of
/// slots still in use go on.  A mapping that wants the region as it is
/// makes it [`READY`] again.  Left once a grace period of the callbacks'
/// sections has ended with no slot in use.
const RETIRING: u32 = 4;
/// As [`RETIRING`], with no slot in use: a last grace period lets the
/// unmaps that were ending finish before the region is freed.
const DRAINING: u32 = 5;
/// Being freed by the aging work (transient).
const FREEING: u32 = 6;

/// Slots of the region of a class routed to iommu-dma: enough for the
/// probes of the pool path (one timed call in `SAMPLE_EVERY * probe_every`
/// per CPU, each unmapped soon after).
pub(crate) const PROBE_SLOTS: u32 = 8;

/// Why a class has no region for a new mapping now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NoRegion {
    /// No IOVA space (or another CPU is reserving): the pool path failed.
    Failed,
    /// The region is being given back or resized: not a cost of the pool
    /// path, and not to be charged to it.
    Changing,
}

/// What a pass of the aging work did to a class's region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RegionStep {
    /// Nothing to do, or waiting for a grace period or for slots in use.
    None,
    /// Started giving the region back.
    Retiring,
    /// Freed it.
    Freed,
}

/// A stack of slot handles with room for every slot of the class.
pub(crate) type Handles = IrqLock<HandleStack<KVVec<u32>>>;

fn handles(kind: LockKind, n: u32) -> Result<Handles> {
    let mut buf = KVVec::with_capacity(n as usize, GFP_KERNEL)?;
    buf.extend_with(n as usize, 0, GFP_KERNEL)?;
    IrqLock::new(kind, HandleStack::new(buf))
}

/// Up to this many slots are released with one IOTLB invalidation.
pub(crate) const BATCH: usize = 64;
/// A batch of handles being released.
pub(crate) type Batch = Magazine<BATCH>;

pub(crate) struct Class {
    size: usize,
    wanted: u32,
    state: AtomicU32,
    base: AtomicU64,
    nslots: AtomicU32,
    /// The region holds [`PROBE_SLOTS`] at most (reserved while routed to
    /// iommu-dma).
    small: AtomicBool,
    /// The class is routed to iommu-dma (set by the aging work): a new
    /// region is a small one, and an idle one is given back.
    want_small: AtomicBool,
    /// Slots quarantined: the region can never be given back.
    pinned: AtomicBool,
    /// The grace period a [`RETIRING`] or [`DRAINING`] region waits for.
    gp: AtomicU64,
    slots: KVVec<Slot>,
    free: Handles,
    depot: KVec<Handles>,
    pub(crate) stats: ClassStats,
}

impl Class {
    /// A class of up to `wanted` slots of `size` bytes; nothing reserved
    /// or mapped yet.
    pub(crate) fn new(size: usize, wanted: u32) -> Result<Self> {
        let mut slots = KVVec::with_capacity(wanted as usize, GFP_KERNEL)?;
        for _ in 0..wanted {
            slots.push(Slot::default(), GFP_KERNEL)?;
        }
        let mut depot = KVec::with_capacity(KEYS, GFP_KERNEL)?;
        for _ in 0..KEYS {
            depot.push(handles(LockKind::Depot, wanted)?, GFP_KERNEL)?;
        }
        Ok(Self {
            size,
            wanted,
            state: AtomicU32::new(UNRESERVED),
            base: AtomicU64::new(0),
            nslots: AtomicU32::new(0),
            small: AtomicBool::new(false),
            want_small: AtomicBool::new(false),
            pinned: AtomicBool::new(false),
            gp: AtomicU64::new(0),
            slots,
            free: handles(LockKind::FreeList, wanted)?,
            depot,
            stats: ClassStats::new()?,
        })
    }

    pub(crate) fn size(&self) -> usize {
        self.size
    }

    pub(crate) fn slot(&self, h: u32) -> Option<&Slot> {
        self.slots.get(h as usize)
    }

    pub(crate) fn depot(&self, key: usize) -> Option<&Handles> {
        self.depot.get(key)
    }

    /// The region new mappings may take slots of.
    pub(crate) fn region(&self) -> Option<SlotRegion> {
        if self.state.load(Ordering::Acquire) != READY {
            return None;
        }
        self.layout()
    }

    /// The region slots may be mapped in: also while it is being given
    /// back (unmaps, syncs, releases and debugfs).
    pub(crate) fn mapped_region(&self) -> Option<SlotRegion> {
        match self.state.load(Ordering::Acquire) {
            READY | RETIRING | DRAINING | FREEING => self.layout(),
            _ => None,
        }
    }

    /// Whether the region is a probe-sized one (reserved while the class
    /// was routed to iommu-dma).
    pub(crate) fn is_probe_sized(&self) -> bool {
        self.small.load(Ordering::Relaxed)
    }

    /// The region's state, for debugfs.
    pub(crate) fn region_state(&self) -> &'static str {
        match self.state.load(Ordering::Relaxed) {
            UNRESERVED => "none",
            RESERVING => "reserving",
            READY if self.small.load(Ordering::Relaxed) => "probe",
            READY => "ready",
            FAILED => "failed",
            RETIRING | DRAINING | FREEING => "retiring",
            _ => "?",
        }
    }

    fn layout(&self) -> Option<SlotRegion> {
        SlotRegion::new(
            self.base.load(Ordering::Relaxed),
            self.size,
            self.nslots.load(Ordering::Relaxed),
            self.size,
        )
        .ok()
    }

    /// The region, reserving it on first use (any context: the IOVA
    /// allocator does not sleep).  The class, one of `classes`, takes at
    /// most its share of the device's IOVA space (`fitted_slots`), so that
    /// a pool never starves a device with a small mask of space for its
    /// other mappings.  A region that does not fit shrinks by halves; if
    /// even one slot does not fit, the class falls back until the next
    /// aging pass allows another try.  While another CPU is reserving,
    /// this call falls back rather than wait.  A class routed to iommu-dma
    /// reserves [`PROBE_SLOTS`] at most.  A region being given back is
    /// taken back if it has the size the route wants.
    pub(crate) fn region_or_reserve(
        &self,
        c: &Client,
        classes: usize,
    ) -> Result<SlotRegion, NoRegion> {
        match self.state.load(Ordering::Acquire) {
            READY => return self.region().ok_or(NoRegion::Failed),
            RETIRING | DRAINING => {
                let small = self.want_small.load(Ordering::Relaxed);
                if self.small.load(Ordering::Relaxed) != small {
                    return Err(NoRegion::Changing);
                }
                for from in [RETIRING, DRAINING] {
                    if self
                        .state
                        .compare_exchange(from, READY, Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
                    {
                        break;
                    }
                }
                return self.region().ok_or(NoRegion::Changing);
            }
            FREEING => return Err(NoRegion::Changing),
            _ => {}
        }
        if self
            .state
            .compare_exchange(UNRESERVED, RESERVING, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return self.region().ok_or(NoRegion::Failed);
        }
        let small = self.want_small.load(Ordering::Relaxed);
        // Below 4 GiB only: iommu-dma tries 32-bit space first for PCI
        // devices and, once a request above it had to be served higher,
        // sends all of the device's later mappings above 4 GiB.  The pool
        // must not change that for the device's own iommu-dma mappings.
        let limit = c.dma_limit().min(u64::from(u32::MAX));
        let mut fitted = fitted_slots(self.wanted, self.size, classes, limit);
        if small {
            fitted = fitted.min(PROBE_SLOTS);
        }
        for n in shrinking_attempts(fitted, 1) {
            let bytes = n as usize * self.size;
            // SAFETY: `c` is an attached device with an iommu-dma domain.
            let base = unsafe { bindings::iommu_dma_alloc_iova_range(c.as_raw(), bytes, limit) };
            if base == 0 {
                continue;
            }
            {
                let mut free = self.free.lock();
                for h in (0..n).rev() {
                    // Cannot fail: room for `wanted >= n` handles.
                    let _ = free.push(h);
                }
            }
            self.base.store(base, Ordering::Relaxed);
            self.nslots.store(n, Ordering::Relaxed);
            self.small.store(small, Ordering::Relaxed);
            self.state.store(READY, Ordering::Release);
            return self.region().ok_or(NoRegion::Failed);
        }
        self.state.store(FAILED, Ordering::Release);
        Err(NoRegion::Failed)
    }

    /// Lets a class whose reservation failed try again.
    pub(crate) fn allow_retry(&self) {
        let _ =
            self.state
                .compare_exchange(FAILED, UNRESERVED, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Takes a slot without pages, gives it pages and maps it with `key`'s
    /// permission (one IOMMU map): a cache miss.
    pub(crate) fn take_fresh(
        &self,
        c: &Client,
        domain: *mut bindings::iommu_domain,
        region: &SlotRegion,
        key: CacheKey,
    ) -> Option<u32> {
        let h = self.free.lock().pop()?;
        let (slot, iova) = (self.slot(h)?, region.iova(h)?);
        // SAFETY: plain allocation, atomic-safe flags.
        let page = unsafe {
            bindings::rudma_alloc_pages(
                c.as_raw(),
                self.size,
                bindings::RUDMA_CONST_GFP_ATOMIC_NOWARN,
            )
        };
        if page.is_null() {
            let _ = self.free.lock().push(h);
            return None;
        }
        // SAFETY: `page` is ours; zeroed pages of `size` bytes, mapped at
        // `iova`, which lies in our region of the device's domain.
        let ret = unsafe {
            bindings::iommu_map(
                domain,
                iova as _,
                bindings::rudma_page_to_phys(page),
                self.size,
                key.prot(c.coherent),
                bindings::RUDMA_CONST_GFP_ATOMIC_NOWARN,
            )
        };
        if ret != 0 {
            // SAFETY: allocated above with this size, never mapped.
            unsafe { bindings::rudma_free_pages(page, self.size) };
            let _ = self.free.lock().push(h);
            return None;
        }
        // SAFETY: a lowmem page (no __GFP_HIGHMEM).
        let vaddr = unsafe { bindings::rudma_page_address(page) }.cast::<u8>();
        slot.set_pages(page, vaddr, key.index());
        slot.set_state(IN_USE);
        self.stats.mem.add(self.size as i64);
        Some(h)
    }

    /// Unmaps the slots of `batch` (one IOTLB invalidation), frees their
    /// pages and puts them on the free list; a slot whose unmap failed is
    /// quarantined instead.  Each must have been taken out of the caches
    /// (or be a leaked in-use slot at teardown).
    pub(crate) fn release(&self, domain: *mut bindings::iommu_domain, batch: &Batch) {
        let Some(region) = self.mapped_region().filter(|_| !batch.is_empty()) else {
            return;
        };
        let mut iovas = [0u64; BATCH];
        // Batch position of each entry of `iovas`.
        let mut pos = [0usize; BATCH];
        let mut n = 0;
        for (k, &h) in batch.as_slice().iter().enumerate() {
            if let Some(iova) = region.iova(h) {
                iovas[n] = iova;
                pos[n] = k;
                n += 1;
            }
        }
        let mut failed = 0u64;
        // SAFETY: each IOVA is a slot of our region mapped with `size`
        // bytes in `domain`; nobody uses them any more.  `n <= BATCH`,
        // which is 64, the width of `failed`.
        let done = unsafe {
            bindings::rudma_iommu_unmap_batch(domain, iovas.as_ptr(), n, self.size, &mut failed)
        };
        if done != n * self.size {
            pr_err!(
                "pool: class {}: unmapped {} of {} bytes; {} slots quarantined\n",
                self.size,
                done,
                n * self.size,
                failed.count_ones()
            );
        }
        // The failed ranges as batch positions.
        let quarantine = (0..n)
            .filter(|&j| failed & (1 << j) != 0)
            .fold(0u64, |m, j| m | (1 << pos[j]));
        let mut free = self.free.lock();
        for (k, &h) in batch.as_slice().iter().enumerate() {
            let Some(slot) = self.slot(h) else { continue };
            let bit = quarantine & (1 << k) != 0;
            if slot.state() == CACHED {
                self.stats.hot().cached.add(-1);
            } else if slot.state() == IN_USE {
                self.stats.hot().inuse.add(-1);
            }
            let page = slot.take_pages();
            if bit {
                // May still translate: the device could reach the pages
                // through it, and a new mapping of the IOVA would clash.
                // Leak both for good.
                slot.set_state(QUARANTINED);
                self.stats.quarantined.add(1);
                self.pinned.store(true, Ordering::Relaxed);
                if !page.is_null() {
                    self.stats.mem.add(-(self.size as i64));
                }
                continue;
            }
            if !page.is_null() {
                // SAFETY: the slot's pages, no longer mapped.
                unsafe { bindings::rudma_free_pages(page, self.size) };
                self.stats.mem.add(-(self.size as i64));
            }
            slot.set_state(EMPTY);
            let _ = free.push(h);
            self.stats.released.inc();
        }
    }

    /// Every slot that has pages and is not in use (teardown).
    pub(crate) fn idle_with_pages(&self, mut f: impl FnMut(u32)) {
        let n = self.nslots.load(Ordering::Relaxed);
        for h in 0..n {
            if self
                .slot(h)
                .is_some_and(|s| !s.page().is_null() && s.state() != IN_USE)
            {
                f(h);
            }
        }
    }

    /// Tells the class whether it is routed to iommu-dma now (the aging
    /// work, from the routing state).
    pub(crate) fn set_routed_away(&self, away: bool) {
        self.want_small.store(away, Ordering::Relaxed);
    }

    /// Starts giving the region back when it does not suit the route: a
    /// full one while the class is routed to iommu-dma, a small one while
    /// it is routed to the pool, or a small one nothing uses (`idle`: no
    /// slot cached or in use).  The aging work, one pass at a time.
    pub(crate) fn maybe_retire(&self, idle: bool) -> RegionStep {
        if self.pinned.load(Ordering::Relaxed) || self.state.load(Ordering::Relaxed) != READY {
            return RegionStep::None;
        }
        let small = self.small.load(Ordering::Relaxed);
        if small == self.want_small.load(Ordering::Relaxed) && !(small && idle) {
            return RegionStep::None;
        }
        if self
            .state
            .compare_exchange(READY, RETIRING, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return RegionStep::None;
        }
        // After the store above: a callback that enters its section once
        // the grace period has begun sees RETIRING and takes no slot.
        self.gp
            .store(GracePeriod::start().to_bits(), Ordering::Relaxed);
        RegionStep::Retiring
    }

    /// Moves a region being given back on, once its grace period ended.
    /// [`RETIRING`]: every mapping that found the region [`READY`] has
    /// taken its slot, so once none is in use, none will be: wait one more
    /// grace period for the unmaps that were ending.  [`DRAINING`]: that
    /// one ended; `release_cached` gives back every cached slot of the
    /// class, and the region is freed through `c`, a device of the pool's
    /// domain, unless a slot was quarantined (it may still translate).
    /// The aging work, one pass at a time; never sleeps.
    pub(crate) fn advance_retire(
        &self,
        c: &Client,
        domain: *mut bindings::iommu_domain,
        release_cached: impl FnOnce(),
    ) -> RegionStep {
        let state = self.state.load(Ordering::Relaxed);
        if !matches!(state, RETIRING | DRAINING)
            || !GracePeriod::from_bits(self.gp.load(Ordering::Relaxed)).done()
        {
            return RegionStep::None;
        }
        if state == RETIRING {
            if self.stats.inuse() == 0
                && self
                    .state
                    .compare_exchange(RETIRING, DRAINING, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                self.gp
                    .store(GracePeriod::start().to_bits(), Ordering::Relaxed);
            }
            return RegionStep::None;
        }
        if self
            .state
            .compare_exchange(DRAINING, FREEING, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return RegionStep::None;
        }
        release_cached();
        let n = self.nslots.load(Ordering::Relaxed);
        let clean = (0..n).all(|h| self.slot(h).is_some_and(|s| s.state() == EMPTY));
        let Some(r) = self.layout().filter(|_| clean && c.in_domain(domain)) else {
            // A quarantined slot (the class is pinned now) or the device
            // left the domain: keep the region.
            self.state.store(READY, Ordering::Release);
            return RegionStep::None;
        };
        {
            let mut free = self.free.lock();
            while free.pop().is_some() {}
        }
        // SAFETY: reserved for this domain by `region_or_reserve`; no slot
        // of it is mapped, and no callback can take one any more.
        unsafe { bindings::iommu_dma_free_iova_range(c.as_raw(), r.base(), r.bytes() as usize) };
        self.base.store(0, Ordering::Relaxed);
        self.nslots.store(0, Ordering::Relaxed);
        self.small.store(false, Ordering::Relaxed);
        self.stats.regions_freed.inc();
        self.state.store(UNRESERVED, Ordering::Release);
        RegionStep::Freed
    }

    /// Gives the region back (teardown; every slot released).
    pub(crate) fn free_region(&self, c: &Client) {
        if let Some(r) = self.mapped_region() {
            self.state.store(UNRESERVED, Ordering::Release);
            // SAFETY: reserved for this domain by `region_or_reserve`;
            // nothing is mapped in it any more.
            unsafe {
                bindings::iommu_dma_free_iova_range(c.as_raw(), r.base(), r.bytes() as usize)
            };
        }
    }
}
