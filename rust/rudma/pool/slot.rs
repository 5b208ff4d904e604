// SPDX-License-Identifier: GPL-2.0

//! One bounce slot's state and the mapping it serves.
//!
//! A slot handle is always in exactly one place: its class's free list
//! (`Empty`: no pages, not mapped), a CPU magazine or a depot (`Cached`:
//! pages mapped in the IOMMU with the permission of its cache key), held
//! by a mapping (`InUse`), or in the hands of whoever just took it from
//! one of those.  The fields describing the mapping are written by the
//! mapper before it publishes the DMA address and read by the unmapper,
//! whom the driver orders after the map.  They are atomics so that racing
//! calls on one address read consistent values; a driver that races a sync
//! with the unmap of the same mapping is broken, as with any DMA API
//! implementation (the slot's pages may be released under the sync).

use crate::bindings;
use crate::sync_range::Mapped;
use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering};

/// No pages, not mapped; on the free list.
pub(crate) const EMPTY: u32 = 0;
/// Mapped and idle; in a magazine or depot.
pub(crate) const CACHED: u32 = 1;
/// Serving a mapping.
pub(crate) const IN_USE: u32 = 2;
/// Its IOMMU unmap failed: it may still translate, so its pages are
/// leaked and its IOVA is never used again (nor its region freed).
pub(crate) const QUARANTINED: u32 = 3;

/// What a slot is bouncing for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Orig {
    /// `map_page`: the caller's memory from this physical address.
    Phys(u64),
    /// `map_sg`: the caller's scatterlist (first entry) and its length.
    Sg(*mut bindings::scatterlist, u32),
}

/// Per-slot metadata, one cache line per slot: neighbouring slots serve
/// mappings on different CPUs, and each map and unmap writes its slot.
#[derive(Default)]
#[repr(align(64))]
pub(crate) struct Slot {
    state: AtomicU32,
    /// Cache key index of the IOMMU mapping, while it has one.
    key: AtomicU32,
    /// Bounce pages (lowmem), NULL while `EMPTY`.
    page: AtomicPtr<bindings::page>,
    /// Their linear-map address.
    vaddr: AtomicPtr<u8>,
    /// When it was last unmapped (`rudma_now_ms`).
    last_ms: AtomicU32,
    /// The mapping: physical address or scatterlist pointer ...
    orig: AtomicU64,
    /// ... entries of the scatterlist, 0 for a page mapping ...
    sg_nents: AtomicU32,
    /// ... where the caller's bytes start in the slot, how many ...
    data_off: AtomicU32,
    len: AtomicU32,
    /// ... and the direction.
    dir: AtomicU32,
}

const _: () = assert!(core::mem::size_of::<Slot>() == crate::percpu::CACHE_LINE);

impl Slot {
    pub(crate) fn state(&self) -> u32 {
        self.state.load(Ordering::Acquire)
    }

    pub(crate) fn set_state(&self, s: u32) {
        self.state.store(s, Ordering::Release);
    }

    /// `IN_USE` -> `CACHED`; false if the slot was not in use (misuse, or
    /// a racing second unmap).
    pub(crate) fn finish_use(&self) -> bool {
        self.state
            .compare_exchange(IN_USE, CACHED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    pub(crate) fn key(&self) -> usize {
        self.key.load(Ordering::Relaxed) as usize
    }

    /// Records the pages and key of a freshly mapped slot.
    pub(crate) fn set_pages(&self, page: *mut bindings::page, vaddr: *mut u8, key: usize) {
        self.page.store(page, Ordering::Relaxed);
        self.vaddr.store(vaddr, Ordering::Relaxed);
        self.key.store(key as u32, Ordering::Relaxed);
    }

    /// Forgets the pages (the caller frees them) and returns them.
    pub(crate) fn take_pages(&self) -> *mut bindings::page {
        self.vaddr.store(core::ptr::null_mut(), Ordering::Relaxed);
        self.page.swap(core::ptr::null_mut(), Ordering::Relaxed)
    }

    pub(crate) fn page(&self) -> *mut bindings::page {
        self.page.load(Ordering::Relaxed)
    }

    pub(crate) fn vaddr(&self) -> *mut u8 {
        self.vaddr.load(Ordering::Relaxed)
    }

    pub(crate) fn last_ms(&self) -> u32 {
        self.last_ms.load(Ordering::Relaxed)
    }

    pub(crate) fn touch(&self, now_ms: u32) {
        self.last_ms.store(now_ms, Ordering::Relaxed);
    }

    /// Records the mapping a slot now serves.
    pub(crate) fn begin(&self, orig: Orig, data_off: usize, len: usize, dir: u32) {
        let (o, n) = match orig {
            Orig::Phys(p) => (p, 0),
            Orig::Sg(sg, n) => (sg as u64, n),
        };
        self.orig.store(o, Ordering::Relaxed);
        self.sg_nents.store(n, Ordering::Relaxed);
        self.data_off.store(data_off as u32, Ordering::Relaxed);
        self.len.store(len as u32, Ordering::Relaxed);
        self.dir.store(dir, Ordering::Relaxed);
    }

    /// The mapping the slot serves.
    pub(crate) fn orig(&self) -> Orig {
        let o = self.orig.load(Ordering::Relaxed);
        match self.sg_nents.load(Ordering::Relaxed) {
            0 => Orig::Phys(o),
            n => Orig::Sg(o as *mut bindings::scatterlist, n),
        }
    }

    /// Where the caller's bytes are in the slot.
    pub(crate) fn mapped(&self) -> Mapped {
        Mapped {
            data_off: self.data_off.load(Ordering::Relaxed) as usize,
            len: self.len.load(Ordering::Relaxed) as usize,
        }
    }

    pub(crate) fn dir(&self) -> u32 {
        self.dir.load(Ordering::Relaxed)
    }
}
