// SPDX-License-Identifier: GPL-2.0

//! One size class of a pool: its IOVA region, its slots, the list of
//! slots without pages, and one depot of cached slots per cache key.

use super::client::Client;
use super::slot::{Slot, CACHED, EMPTY, IN_USE, QUARANTINED};
use super::stats::ClassStats;
use crate::bindings;
use crate::cache_key::{CacheKey, KEYS};
use crate::handle_stack::HandleStack;
use crate::irq_lock::{IrqLock, LockKind};
use crate::magazine::Magazine;
use crate::slot_region::{fitted_slots, shrinking_attempts, SlotRegion};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use kernel::prelude::*;

/// Region states.
const UNRESERVED: u32 = 0;
const RESERVING: u32 = 1;
const READY: u32 = 2;
const FAILED: u32 = 3;

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

    /// The region, once reserved.
    pub(crate) fn region(&self) -> Option<SlotRegion> {
        if self.state.load(Ordering::Acquire) != READY {
            return None;
        }
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
    /// this call falls back rather than wait.
    pub(crate) fn region_or_reserve(&self, c: &Client, classes: usize) -> Option<SlotRegion> {
        if let Some(r) = self.region() {
            return Some(r);
        }
        if self
            .state
            .compare_exchange(UNRESERVED, RESERVING, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return self.region();
        }
        // Below 4 GiB only: iommu-dma tries 32-bit space first for PCI
        // devices and, once a request above it had to be served higher,
        // sends all of the device's later mappings above 4 GiB.  The pool
        // must not change that for the device's own iommu-dma mappings.
        let limit = c.dma_limit().min(u64::from(u32::MAX));
        let fitted = fitted_slots(self.wanted, self.size, classes, limit);
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
            self.state.store(READY, Ordering::Release);
            return self.region();
        }
        self.state.store(FAILED, Ordering::Release);
        None
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
        let Some(region) = self.region().filter(|_| !batch.is_empty()) else {
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

    /// Gives the region back (teardown; every slot released).
    pub(crate) fn free_region(&self, c: &Client) {
        if let Some(r) = self.region() {
            self.state.store(UNRESERVED, Ordering::Release);
            // SAFETY: reserved for this domain by `region_or_reserve`;
            // nothing is mapped in it any more.
            unsafe {
                bindings::iommu_dma_free_iova_range(c.as_raw(), r.base(), r.bytes() as usize)
            };
        }
    }
}
