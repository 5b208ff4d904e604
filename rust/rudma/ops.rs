// SPDX-License-Identifier: GPL-2.0

//! The DMA ops rudma installs on an attached device.
//!
//! Each attached device gets its own [`DevOps`]: a `struct dma_map_ops`
//! followed by the device's counters, so a callback finds its state from
//! `dev->dma_ops` with pointer arithmetic, without a lookup or a lock.
//!
//! For now every call is forwarded to iommu-dma ("passthrough ops"); the
//! bounce pool will sit behind the same callbacks.  Streaming mappings made
//! through the ops are counted, so that detach can wait for them.

use crate::bindings;
use crate::dma::DMA_MAPPING_ERROR;
use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use kernel::ffi::{c_int, c_ulong};

type Dev = *mut bindings::device;
type Dir = bindings::dma_data_direction;

/// Per-device ops and counters.  Its address is what `dev->dma_ops` holds.
#[repr(C)]
pub(crate) struct DevOps {
    ops: bindings::dma_map_ops,
    /// Streaming mappings made through these ops and not yet unmapped.
    /// Mappings made by iommu-dma before attach and unmapped through us
    /// drive it below zero; detach treats that as zero.
    inflight: AtomicI64,
    /// Streaming map calls served since attach.
    maps: AtomicU64,
}

impl DevOps {
    /// Fresh ops with zeroed counters.
    pub(crate) fn new() -> Self {
        Self {
            ops: PASSTHROUGH_OPS,
            inflight: AtomicI64::new(0),
            maps: AtomicU64::new(0),
        }
    }

    /// The pointer to install in `dev->dma_ops`.
    pub(crate) fn as_ops_ptr(&self) -> *const bindings::dma_map_ops {
        &self.ops
    }

    /// Mappings still outstanding through these ops.
    pub(crate) fn inflight(&self) -> i64 {
        self.inflight.load(Ordering::Acquire).max(0)
    }

    /// Streaming map calls served since attach.
    pub(crate) fn maps(&self) -> u64 {
        self.maps.load(Ordering::Relaxed)
    }

    /// The `DevOps` behind an attached device's `dma_ops`, or `None` once
    /// detach has removed them (a call already inside the ops then skips
    /// its bookkeeping; its iommu-dma work is the same either way).
    ///
    /// # Safety
    ///
    /// `dev` must be a device rudma attached, and the call must come from
    /// the DMA API through rudma's ops: a non-NULL `dma_ops` is then this
    /// device's `DevOps`, which detach frees only after waiting for such
    /// calls (`rudma_wait_dma_callers`), and which no other attach reuses.
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
        self.inflight.fetch_add(1, Ordering::Relaxed);
        self.maps.fetch_add(1, Ordering::Relaxed);
    }

    fn unmapped(&self) {
        self.inflight.fetch_sub(1, Ordering::Release);
    }
}

// Every callback below runs in DMA API context for a device whose ops are
// rudma's (mapping.c only calls dev->dma_ops), which is what `DevOps::of`
// and the forwarded iommu-dma calls require; the arguments are the DMA API
// caller's, passed on unchanged.  Each callback's `# Safety` section says
// so: they are only ever called through `DevOps::ops`.

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

/// Counts a streaming mapping undone through the ops.
///
/// # Safety
///
/// As for [`DevOps::of`].
unsafe fn note_unmapped(dev: Dev) {
    // SAFETY: the caller's guarantee is `of`'s.
    if let Some(o) = unsafe { DevOps::of(dev) } {
        o.unmapped();
    }
}

/// `map_page`: forwarded to iommu-dma, counted.
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
    let addr = unsafe { bindings::iommu_dma_map_page(dev, page, offset, size, dir, attrs) };
    if addr != DMA_MAPPING_ERROR {
        // SAFETY: see the comment above the callbacks.
        unsafe { note_mapped(dev) };
    }
    addr
}

/// `unmap_page`: forwarded to iommu-dma, counted.
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
    unsafe { bindings::iommu_dma_unmap_page(dev, addr, size, dir, attrs) };
    // SAFETY: see the comment above the callbacks.
    unsafe { note_unmapped(dev) };
}

/// `map_sg`: forwarded to iommu-dma, counted once per list.
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
    let ret = unsafe { bindings::iommu_dma_map_sg(dev, sg, nents, dir, attrs) };
    if ret > 0 {
        // SAFETY: see the comment above the callbacks.
        unsafe { note_mapped(dev) };
    }
    ret
}

/// `unmap_sg`: forwarded to iommu-dma, counted once per list.
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
    unsafe { bindings::iommu_dma_unmap_sg(dev, sg, nents, dir, attrs) };
    // SAFETY: see the comment above the callbacks.
    unsafe { note_unmapped(dev) };
}

/// `map_resource`: forwarded to iommu-dma, counted.
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
    let addr = unsafe { bindings::iommu_dma_map_resource(dev, phys, size, dir, attrs) };
    if addr != DMA_MAPPING_ERROR {
        // SAFETY: see the comment above the callbacks.
        unsafe { note_mapped(dev) };
    }
    addr
}

/// `unmap_resource`: forwarded to iommu-dma, counted.
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
    unsafe { bindings::iommu_dma_unmap_resource(dev, addr, size, dir, attrs) };
    // SAFETY: see the comment above the callbacks.
    unsafe { note_unmapped(dev) };
}

/// The ops every attached device starts from: streaming calls to
/// iommu-dma.  With the rudma series the DMA core only calls the streaming
/// callbacks of ops on an iommu-dma device; allocations, mmap and size
/// queries stay with iommu-dma, so those callbacks stay empty.
const PASSTHROUGH_OPS: bindings::dma_map_ops = bindings::dma_map_ops {
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
    sync_single_for_cpu: Some(bindings::iommu_dma_sync_single_for_cpu),
    sync_single_for_device: Some(bindings::iommu_dma_sync_single_for_device),
    sync_sg_for_cpu: Some(bindings::iommu_dma_sync_sg_for_cpu),
    sync_sg_for_device: Some(bindings::iommu_dma_sync_sg_for_device),
    cache_sync: None,
    dma_supported: None,
    get_required_mask: None,
    max_mapping_size: None,
    opt_mapping_size: None,
    get_merge_boundary: None,
};
