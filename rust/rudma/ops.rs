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

    /// Clears the counters for a new attach.
    pub(crate) fn reset(&self) {
        self.inflight.store(0, Ordering::Relaxed);
        self.maps.store(0, Ordering::Relaxed);
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

    /// The `DevOps` behind an attached device's `dma_ops`.
    ///
    /// # Safety
    ///
    /// `dev` must be a device whose `dma_ops` rudma installed, and the call
    /// must come from the DMA API while they are installed (the `DevOps`
    /// outlives every such call: see `attach.rs`).
    unsafe fn of<'a>(dev: Dev) -> &'a DevOps {
        // SAFETY: the caller guarantees `dev` is valid.
        let ops = unsafe { bindings::rudma_dev_dma_ops(dev) };
        // SAFETY: `ops` is the `ops` field of a live `DevOps` (the caller's
        // guarantee), so stepping back to the start of the struct stays in
        // the same allocation.
        unsafe {
            &*ops
                .byte_sub(core::mem::offset_of!(DevOps, ops))
                .cast::<DevOps>()
        }
    }

    fn mapped(&self, n: i64) {
        self.inflight.fetch_add(n, Ordering::Relaxed);
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
        unsafe { DevOps::of(dev) }.mapped(1);
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
    unsafe { DevOps::of(dev) }.unmapped();
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
        unsafe { DevOps::of(dev) }.mapped(1);
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
    unsafe { DevOps::of(dev) }.unmapped();
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
        unsafe { DevOps::of(dev) }.mapped(1);
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
    unsafe { DevOps::of(dev) }.unmapped();
}

/// `alloc_pages_op`: what dma_common_alloc_pages() does for iommu-dma
/// devices (that helper is not exported): pages mapped with iommu-dma.
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn alloc_pages_op(
    dev: Dev,
    size: usize,
    handle: *mut bindings::dma_addr_t,
    dir: Dir,
    gfp: bindings::gfp_t,
) -> *mut bindings::page {
    // SAFETY: `dev` is valid (see the comment above the callbacks).
    let page = unsafe { bindings::rudma_alloc_pages(dev, size, gfp) };
    if page.is_null() {
        return page;
    }
    let attrs = bindings::DMA_ATTR_SKIP_CPU_SYNC as c_ulong;
    // SAFETY: `page` heads a fresh allocation of at least `size` bytes.
    let addr = unsafe { bindings::iommu_dma_map_page(dev, page, 0, size, dir, attrs) };
    if addr == DMA_MAPPING_ERROR {
        // SAFETY: `page` came from `rudma_alloc_pages` with `size`.
        unsafe { bindings::rudma_free_pages(page, size) };
        return core::ptr::null_mut();
    }
    // SAFETY: the DMA API passes a valid handle pointer.
    unsafe { *handle = addr };
    page
}

/// `free_pages`: undoes [`alloc_pages_op`].
///
/// # Safety
///
/// Only the DMA API calls it, for a device whose `dma_ops` are a live
/// [`DevOps`], with the arguments of a valid DMA API call.
unsafe extern "C" fn free_pages(
    dev: Dev,
    size: usize,
    page: *mut bindings::page,
    addr: bindings::dma_addr_t,
    dir: Dir,
) {
    let attrs = bindings::DMA_ATTR_SKIP_CPU_SYNC as c_ulong;
    // SAFETY: `addr` maps `page` for `dev` (from `alloc_pages_op`).
    unsafe { bindings::iommu_dma_unmap_page(dev, addr, size, dir, attrs) };
    // SAFETY: `page` came from `rudma_alloc_pages` with `size`.
    unsafe { bindings::rudma_free_pages(page, size) };
}

/// The ops every attached device starts from: everything to iommu-dma.
/// Coherent allocations, mmap and sgtable queries are not counted: they
/// belong to iommu-dma whether or not rudma is attached when they end.
const PASSTHROUGH_OPS: bindings::dma_map_ops = bindings::dma_map_ops {
    alloc: Some(bindings::iommu_dma_alloc),
    free: Some(bindings::iommu_dma_free),
    alloc_pages_op: Some(alloc_pages_op),
    free_pages: Some(free_pages),
    mmap: Some(bindings::iommu_dma_mmap),
    get_sgtable: Some(bindings::iommu_dma_get_sgtable),
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
    max_mapping_size: Some(bindings::iommu_dma_max_mapping_size),
    opt_mapping_size: Some(bindings::iommu_dma_opt_mapping_size),
    get_merge_boundary: Some(bindings::iommu_dma_get_merge_boundary),
};
