// SPDX-License-Identifier: GPL-2.0

//! The DMA ops rudma installs on an attached device.
//!
//! Each attached device gets its own [`DevOps`]: a `struct dma_map_ops`
//! followed by the device's state, so a callback finds it from
//! `dev->dma_ops` with pointer arithmetic, without a lookup or a lock.
//!
//! Streaming mappings go to the domain's bounce pool when the device has
//! one and the pool can serve them; everything else (no pool, too large,
//! pool exhausted, `DMA_ATTR_PERSISTENT_STREAMING`, P2PDMA pages, MMIO
//! resources) is forwarded to iommu-dma.  Unmap and sync tell the two
//! apart by address.  The pool slots a device holds are counted, so that
//! detach can wait for exactly those: iommu-dma's own mappings need
//! nothing of rudma and are unmapped correctly after detach.
//!
//! Every callback runs in a [`CallbackSection`], which detach waits out
//! before it frees the ops (`dma_callers::wait_dma_callers`).

use crate::bindings;
use crate::dma::{DMA_ATTR_PERSISTENT_STREAMING, DMA_MAPPING_ERROR};
use crate::dma_callers::CallbackSection;
use crate::percpu::PerCpu;
use crate::pool::{Client, Owner, Pool, Served, Timer, Way};
use crate::sg::SgEntry;
use crate::sync_range::whole_granules;
use core::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use kernel::ffi::{c_int, c_ulong};
use kernel::prelude::*;

type Dev = *mut bindings::device;
type Dir = bindings::dma_data_direction;

/// A device's counts, one set per CPU: a map or unmap writes only its
/// CPU's line.
#[derive(Default)]
struct OpsCounts {
    /// Streaming map calls served.
    maps: AtomicU64,
    /// Pool slots mapped minus pool slots unmapped on this CPU (a slot
    /// mapped on one CPU may be unmapped on another: only the sum means
    /// anything).
    slots: AtomicI64,
}

/// Per-device ops and state.  Its address is what `dev->dma_ops` holds.
///
/// # Invariants
///
/// `pool` is NULL or a pool that outlives this `DevOps` (the registry
/// destroys a pool only after every device using it has detached and its
/// `DevOps` is gone).
#[repr(C)]
pub(crate) struct DevOps {
    ops: bindings::dma_map_ops,
    /// Streaming map calls served since attach, and the pool slots this
    /// device holds (what detach waits for), per CPU.
    counts: PerCpu<OpsCounts>,
    /// Set by detach: new mappings go to iommu-dma, so the slots drain.
    draining: AtomicBool,
    /// The refused untrusted persistent mapping was reported.
    warned_persistent: AtomicBool,
    /// The device, as the pool needs it.
    client: Client,
    /// The domain's bounce pool, or NULL for plain forwarding.
    pool: *const Pool,
}

// SAFETY: the raw pointers are only read; the pool is `Sync` and outlives
// `self` (type invariant), the ops table is immutable.
unsafe impl Send for DevOps {}
// SAFETY: as above.
unsafe impl Sync for DevOps {}

impl DevOps {
    /// Fresh ops with zeroed counters, bouncing through `pool` if given
    /// (may sleep).
    ///
    /// # Safety
    ///
    /// `pool`, if given, must outlive the returned object.
    pub(crate) unsafe fn new(client: Client, pool: Option<&Pool>) -> Result<Self> {
        // INVARIANT: the caller's guarantee.
        Ok(Self {
            ops: OPS,
            counts: PerCpu::new(OpsCounts::default)?,
            draining: AtomicBool::new(false),
            warned_persistent: AtomicBool::new(false),
            client,
            pool: pool.map_or(core::ptr::null(), core::ptr::from_ref),
        })
    }

    /// The pointer to install in `dev->dma_ops`.
    pub(crate) fn as_ops_ptr(&self) -> *const bindings::dma_map_ops {
        &self.ops
    }

    /// Streaming map calls served since attach.
    pub(crate) fn maps(&self) -> u64 {
        self.counts.sum(|c| c.maps.load(Ordering::Relaxed))
    }

    /// Pool slots the device holds now, summed over the CPUs.  The sum of
    /// per-CPU lines read one after another is exact only when nothing
    /// changes meanwhile; once draining (no new slot can be mapped, see
    /// `Registry::detach_locked`) every line only goes down, so the sum
    /// read is never below the true count at the end of the read: a sum
    /// of zero means no slot is held.  Acquire pairs with the unmap's
    /// Release, so what the unmap copied back is seen by the detacher.
    pub(crate) fn slots(&self) -> i64 {
        self.counts.sum(|c| c.slots.load(Ordering::Acquire))
    }

    /// Starts (or, when detach gives up, ends) draining: while set, new
    /// mappings bypass the pool.
    pub(crate) fn set_draining(&self, on: bool) {
        self.draining.store(on, Ordering::Release);
    }

    /// The device's pool, if it bounces.
    pub(crate) fn pool(&self) -> Option<&Pool> {
        // SAFETY: by the type invariant a non-NULL pool outlives `self`.
        unsafe { self.pool.as_ref() }
    }

    /// Ends the device's use of its pool (detach, once no DMA API call can
    /// be inside the ops); returns the pool for `Pools::put`.
    pub(crate) fn take_pool(&mut self) -> Option<core::ptr::NonNull<Pool>> {
        let p = core::ptr::NonNull::new(self.pool.cast_mut());
        self.pool = core::ptr::null();
        p
    }

    /// The device facts the pool uses.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The `DevOps` behind an attached device's `dma_ops`, or `None` once
    /// detach has removed them (a call already inside the ops then goes to
    /// iommu-dma: detach removes the ops only once the device holds no
    /// pool slot, see `Registry::detach_locked`).
    ///
    /// # Safety
    ///
    /// `dev` must be a device rudma attached, and the call must come from
    /// the DMA API through rudma's ops, inside a [`CallbackSection`] that
    /// outlives `'a`: a non-NULL `dma_ops` is then this device's `DevOps`,
    /// which detach frees only after waiting for such sections
    /// (`dma_callers::wait_dma_callers`), and which no other attach reuses.
    unsafe fn of<'a>(dev: Dev) -> Option<&'a DevOps> {
        // SAFETY: the caller guarantees `dev` is valid.
        let ops = unsafe { bindings::rudma_dev_dma_ops(dev) };
        if ops.is_null() {
            return None;
        }
        // SAFETY: `ops` is the `ops` field of a live `DevOps` (the caller's
        // guarantee), so stepping back to the start of the struct stays in
        // the same allocation.
        Some(unsafe {
            &*ops
                .byte_sub(core::mem::offset_of!(DevOps, ops))
                .cast::<DevOps>()
        })
    }

    fn mapped(&self) {
        self.counts.local().maps.fetch_add(1, Ordering::Relaxed);
    }

    fn mapped_slot(&self) {
        let c = self.counts.local();
        c.slots.fetch_add(1, Ordering::Relaxed);
        c.maps.fetch_add(1, Ordering::Relaxed);
    }

    fn unmapped_slot(&self) {
        self.counts.local().slots.fetch_sub(1, Ordering::Release);
    }

    /// Refuses a persistent mapping that would expose the rest of its
    /// granules to an untrusted device: counted, said once per device.
    fn refuse_persistent(&self, pool: &Pool) {
        pool.stats.persistent_refused.inc();
        if !self.warned_persistent.swap(true, Ordering::Relaxed) {
            // SAFETY: an attached, hence valid, device.
            unsafe { bindings::rudma_warn_persistent_untrusted(self.client.as_raw()) };
        }
    }
}

// Every callback below runs in DMA API context for a device whose ops are
// rudma's (mapping.c only calls dev->dma_ops), and first enters its
// `CallbackSection`, which is what `DevOps::of` and the forwarded
// iommu-dma calls require; the arguments are the DMA API caller's, passed
// on unchanged.  Each callback's `# Safety` section says so: they are only
// ever called through `DevOps::ops`.

/// Where a new streaming mapping goes: decided once per map call.
enum Route<'a> {
    /// Into the device's pool (iommu-dma when the pool cannot serve it).
    Pool(&'a DevOps, &'a Pool),
    /// A persistent mapping on an untrusted pooled device: in place
    /// through iommu-dma if it covers whole IOMMU granules, else refused
    /// (in place it would expose its neighbours in those granules; a
    /// swiotlb bounce would go stale, as its owner never syncs).
    UntrustedPersistent(&'a DevOps, &'a Pool),
    /// Straight to iommu-dma, counted if the ops are still there.
    IommuDma(Option<&'a DevOps>),
}

/// Routes a map call with `attrs` for `dev`; counts persistent mappings.
///
/// # Safety
///
/// As for [`DevOps::of`].
unsafe fn route<'a>(dev: Dev, attrs: c_ulong) -> Route<'a> {
    // SAFETY: the caller's guarantee is `of`'s.
    let Some(o) = (unsafe { DevOps::of(dev) }) else {
        return Route::IommuDma(None);
    };
    let Some(pool) = o.pool() else {
        return Route::IommuDma(Some(o));
    };
    if attrs & DMA_ATTR_PERSISTENT_STREAMING != 0 {
        pool.stats.persistent.inc();
        if o.client.untrusted {
            pool.stats.persistent_untrusted.inc();
            return Route::UntrustedPersistent(o, pool);
        }
        return Route::IommuDma(Some(o));
    }
    if o.draining.load(Ordering::Acquire) {
        return Route::IommuDma(Some(o));
    }
    Route::Pool(o, pool)
}

/// Counts a streaming mapping made through the ops.
///
/// # Safety
///
/// As for [`DevOps::of`].
unsafe fn note_mapped(dev: Dev) {
    // SAFETY: the caller's guarantee is `of`'s.
    if let Some(o) = unsafe { DevOps::of(dev) } {
        o.mapped();
    }
}

/// `map_page`: bounced if the pool can, else iommu-dma; counted.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn map_page(
    dev: Dev,
    page: *mut bindings::page,
    offset: c_ulong,
    size: usize,
    dir: Dir,
    attrs: c_ulong,
) -> bindings::dma_addr_t {
    // SAFETY: see the comment above the callbacks.
    let _section = unsafe { CallbackSection::enter(dev) };
    // SAFETY: the caller's page.
    let phys = || unsafe { bindings::rudma_page_to_phys(page) } + offset as u64;
    let mut timed = None;
    // SAFETY: see the comment above the callbacks.
    let o = match unsafe { route(dev, attrs) } {
        // SAFETY: the caller's page.
        Route::Pool(o, pool) if !unsafe { bindings::rudma_page_is_p2pdma(page) } => {
            let phys = phys();
            let in_page = (phys & (crate::dma::PAGE_SIZE as u64 - 1)) as usize;
            let orig = crate::pool::Orig::Phys(phys);
            match pool.map(o.client(), orig, in_page, size, dir, attrs as u64) {
                Served::Pool(a) => {
                    o.mapped_slot();
                    return a;
                }
                Served::Iommu(t) => timed = t.map(|t| (pool, t)),
            }
            Some(o)
        }
        Route::Pool(o, _) => Some(o),
        Route::UntrustedPersistent(o, pool) => {
            if !whole_granules(phys(), size, o.client().granule) {
                o.refuse_persistent(pool);
                return DMA_MAPPING_ERROR;
            }
            Some(o)
        }
        Route::IommuDma(o) => o,
    };
    // SAFETY: see the comment above the callbacks.
    let addr = unsafe { bindings::iommu_dma_map_page(dev, page, offset, size, dir, attrs) };
    if let Some((pool, t)) = timed {
        pool.iommu_mapped(t, addr != DMA_MAPPING_ERROR);
    }
    if addr != DMA_MAPPING_ERROR {
        if let Some(o) = o {
            o.mapped();
        }
    }
    addr
}

/// Ends a timed iommu-dma unmap, if it was timed.
fn end_timed(pool: Option<&Pool>, t: Option<Timer>) {
    if let (Some(pool), Some(t)) = (pool, t) {
        pool.timed_unmap_done(t);
    }
}

/// `unmap_page`: the pool's if the address is a slot, else iommu-dma's.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn unmap_page(
    dev: Dev,
    addr: bindings::dma_addr_t,
    size: usize,
    dir: Dir,
    attrs: c_ulong,
) {
    // SAFETY: see the comment above the callbacks.
    let _section = unsafe { CallbackSection::enter(dev) };
    let mut pool = None;
    // SAFETY: see the comment above the callbacks.
    if let Some(o) = unsafe { DevOps::of(dev) } {
        pool = o.pool();
        if let Some(pool) = pool {
            match pool.unmap(o.client(), addr, size, dir, attrs as u64, None) {
                Owner::Pool => return o.unmapped_slot(),
                Owner::Misuse => return,
                Owner::IommuDma => {}
            }
        }
    }
    let t = pool.and_then(|p| p.iommu_unmap_timer(addr, size, dir));
    // SAFETY: see the comment above the callbacks.
    unsafe { bindings::iommu_dma_unmap_page(dev, addr, size, dir, attrs) };
    end_timed(pool, t);
}

/// `map_sg`: bounced into one slot if the list fits, else iommu-dma.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn map_sg(
    dev: Dev,
    sg: *mut bindings::scatterlist,
    nents: c_int,
    dir: Dir,
    attrs: c_ulong,
) -> c_int {
    // SAFETY: see the comment above the callbacks.
    let _section = unsafe { CallbackSection::enter(dev) };
    // SAFETY: the caller's list of `nents` entries, alive for the call and
    // until unmap.
    let first = unsafe { SgEntry::from_raw(sg) };
    let n = u32::try_from(nents).ok();
    let mut timed = None;
    // SAFETY: see the comment above the callbacks.
    let o = match unsafe { route(dev, attrs) } {
        Route::Pool(o, pool) => {
            if let (Some(first), Some(n)) = (first, n) {
                match pool.map_sg(o.client(), &first, n, dir, attrs as u64) {
                    Served::Pool(count) => {
                        o.mapped_slot();
                        return count as c_int;
                    }
                    Served::Iommu(t) => timed = t.map(|t| (pool, t)),
                }
            }
            Some(o)
        }
        Route::UntrustedPersistent(o, pool) => {
            let g = o.client().granule;
            let aligned = first.zip(n).is_some_and(|(first, n)| {
                first
                    .iter(n as usize)
                    .all(|e| whole_granules(e.phys(), e.len(), g))
            });
            if !aligned {
                o.refuse_persistent(pool);
                return -(bindings::EINVAL as c_int);
            }
            Some(o)
        }
        Route::IommuDma(o) => o,
    };
    // SAFETY: see the comment above the callbacks.
    let ret = unsafe { bindings::iommu_dma_map_sg(dev, sg, nents, dir, attrs) };
    if let Some((pool, t)) = timed {
        pool.iommu_mapped(t, ret > 0);
    }
    if ret > 0 {
        if let Some(o) = o {
            o.mapped();
        }
    }
    ret
}

/// `unmap_sg`: the pool's if the list was bounced, else iommu-dma's.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn unmap_sg(
    dev: Dev,
    sg: *mut bindings::scatterlist,
    nents: c_int,
    dir: Dir,
    attrs: c_ulong,
) {
    // SAFETY: see the comment above the callbacks.
    let _section = unsafe { CallbackSection::enter(dev) };
    let mut t = None;
    let mut pool = None;
    // SAFETY: see the comment above the callbacks.
    if let Some(o) = unsafe { DevOps::of(dev) } {
        pool = o.pool();
        // SAFETY: the caller's mapped list.
        if let (Some(pool), Some(first)) = (pool, unsafe { SgEntry::from_raw(sg) }) {
            let n = u32::try_from(nents).unwrap_or(0);
            match pool.unmap(
                o.client(),
                first.dma_address(),
                0,
                dir,
                attrs as u64,
                Some((sg, n)),
            ) {
                Owner::Pool => return o.unmapped_slot(),
                Owner::Misuse => return,
                Owner::IommuDma => {}
            }
            t = pool.iommu_unmap_sg_timer(&first, n, dir);
        }
    }
    // SAFETY: see the comment above the callbacks.
    unsafe { bindings::iommu_dma_unmap_sg(dev, sg, nents, dir, attrs) };
    end_timed(pool, t);
}

/// `map_resource`: MMIO is never bounced; forwarded to iommu-dma, counted.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn map_resource(
    dev: Dev,
    phys: bindings::phys_addr_t,
    size: usize,
    dir: Dir,
    attrs: c_ulong,
) -> bindings::dma_addr_t {
    // SAFETY: see the comment above the callbacks.
    let _section = unsafe { CallbackSection::enter(dev) };
    // SAFETY: see the comment above the callbacks.
    let addr = unsafe { bindings::iommu_dma_map_resource(dev, phys, size, dir, attrs) };
    if addr != DMA_MAPPING_ERROR {
        // SAFETY: see the comment above the callbacks.
        unsafe { note_mapped(dev) };
    }
    addr
}

/// `unmap_resource`: forwarded to iommu-dma.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn unmap_resource(
    dev: Dev,
    addr: bindings::dma_addr_t,
    size: usize,
    dir: Dir,
    attrs: c_ulong,
) {
    // SAFETY: see the comment above the callbacks.
    let _section = unsafe { CallbackSection::enter(dev) };
    // SAFETY: see the comment above the callbacks.
    unsafe { bindings::iommu_dma_unmap_resource(dev, addr, size, dir, attrs) };
}

/// Serves `sync_single_for_{cpu,device}` from the pool when `addr` is a
/// slot (or reports it as misuse); false when iommu-dma must do it.
///
/// # Safety
///
/// As for [`DevOps::of`].
unsafe fn pool_sync_single(dev: Dev, addr: u64, size: usize, dir: Dir, way: Way) -> bool {
    // SAFETY: the caller's guarantee is `of`'s.
    let Some(o) = (unsafe { DevOps::of(dev) }) else {
        return false;
    };
    o.pool().is_some_and(|p| {
        !matches!(
            p.sync_single(o.client(), addr, size, dir, way),
            Owner::IommuDma
        )
    })
}

/// Serves `sync_sg_for_{cpu,device}` from the pool when the list was
/// bounced; false when iommu-dma must do it.
///
/// # Safety
///
/// As for [`DevOps::of`]; `sg` is the caller's mapped list.
unsafe fn pool_sync_sg(dev: Dev, sg: *mut bindings::scatterlist, dir: Dir, way: Way) -> bool {
    // SAFETY: the caller's guarantee is `of`'s.
    let Some(o) = (unsafe { DevOps::of(dev) }) else {
        return false;
    };
    // SAFETY: the caller's mapped list, alive for the call.
    let Some(first) = (unsafe { SgEntry::from_raw(sg) }) else {
        return false;
    };
    o.pool()
        .is_some_and(|p| !matches!(p.sync_sg(o.client(), &first, dir, way), Owner::IommuDma))
}

/// `sync_single_for_cpu`: copies the range back if it is a slot's.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn sync_single_for_cpu(
    dev: Dev,
    addr: bindings::dma_addr_t,
    size: usize,
    dir: Dir,
) {
    // SAFETY: see the comment above the callbacks.
    let _section = unsafe { CallbackSection::enter(dev) };
    // SAFETY: see the comment above the callbacks.
    if !unsafe { pool_sync_single(dev, addr, size, dir, Way::Out) } {
        // SAFETY: see the comment above the callbacks.
        unsafe { bindings::iommu_dma_sync_single_for_cpu(dev, addr, size, dir) }
    }
}

/// `sync_single_for_device`: copies the range in if it is a slot's.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn sync_single_for_device(
    dev: Dev,
    addr: bindings::dma_addr_t,
    size: usize,
    dir: Dir,
) {
    // SAFETY: see the comment above the callbacks.
    let _section = unsafe { CallbackSection::enter(dev) };
    // SAFETY: see the comment above the callbacks.
    if !unsafe { pool_sync_single(dev, addr, size, dir, Way::In) } {
        // SAFETY: see the comment above the callbacks.
        unsafe { bindings::iommu_dma_sync_single_for_device(dev, addr, size, dir) }
    }
}

/// `sync_sg_for_cpu`: copies a bounced list back.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn sync_sg_for_cpu(
    dev: Dev,
    sg: *mut bindings::scatterlist,
    nents: c_int,
    dir: Dir,
) {
    // SAFETY: see the comment above the callbacks.
    let _section = unsafe { CallbackSection::enter(dev) };
    // SAFETY: see the comment above the callbacks.
    if !unsafe { pool_sync_sg(dev, sg, dir, Way::Out) } {
        // SAFETY: see the comment above the callbacks.
        unsafe { bindings::iommu_dma_sync_sg_for_cpu(dev, sg, nents, dir) }
    }
}

/// `sync_sg_for_device`: copies a bounced list in.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn sync_sg_for_device(
    dev: Dev,
    sg: *mut bindings::scatterlist,
    nents: c_int,
    dir: Dir,
) {
    // SAFETY: see the comment above the callbacks.
    let _section = unsafe { CallbackSection::enter(dev) };
    // SAFETY: see the comment above the callbacks.
    if !unsafe { pool_sync_sg(dev, sg, dir, Way::In) } {
        // SAFETY: see the comment above the callbacks.
        unsafe { bindings::iommu_dma_sync_sg_for_device(dev, sg, nents, dir) }
    }
}

/// The ops of an attached device.  With the rudma series the DMA core only
/// calls the streaming callbacks of ops on an iommu-dma device;
/// allocations, mmap and size queries stay with iommu-dma, so those
/// callbacks stay empty.
const OPS: bindings::dma_map_ops = bindings::dma_map_ops {
    alloc: None,
    free: None,
    alloc_pages_op: None,
    free_pages: None,
    mmap: None,
    get_sgtable: None,
    map_page: Some(map_page),
    unmap_page: Some(unmap_page),
    map_sg: Some(map_sg),
    unmap_sg: Some(unmap_sg),
    map_resource: Some(map_resource),
    unmap_resource: Some(unmap_resource),
    sync_single_for_cpu: Some(sync_single_for_cpu),
    sync_single_for_device: Some(sync_single_for_device),
    sync_sg_for_cpu: Some(sync_sg_for_cpu),
    sync_sg_for_device: Some(sync_sg_for_device),
    cache_sync: None,
    dma_supported: None,
    get_required_mask: None,
    max_mapping_size: None,
    opt_mapping_size: None,
    get_merge_boundary: None,
};
