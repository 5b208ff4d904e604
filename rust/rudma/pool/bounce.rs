// SPDX-License-Identifier: GPL-2.0

//! Moving bytes between a caller's buffer and a slot, and the CPU cache
//! maintenance a non-coherent device needs on the slot.

use super::client::Client;
use super::slot::Orig;
use crate::bindings;
use crate::sg::SgEntry;
use crate::sync_range::Span;

/// Which way to copy.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Way {
    /// Caller's buffer into the slot (before the device reads).
    In,
    /// Slot back into the caller's buffer (after the device wrote).
    Out,
}

/// Copies `span` of the caller's data (offsets from its first byte) between
/// `orig` and the slot's data area at `data`.
///
/// # Safety
///
/// `data` must point to the slot's data area, valid for the mapping's
/// length; `orig` must describe memory the DMA API caller mapped (and so
/// keeps alive until unmap), with `span` inside it.
pub(crate) unsafe fn copy(orig: Orig, data: *mut u8, span: Span, way: Way) {
    if span.len == 0 {
        return;
    }
    match orig {
        // SAFETY: the caller's guarantee covers both ends.
        Orig::Phys(p) => unsafe {
            copy_phys(p + span.off as u64, data.add(span.off), span.len, way)
        },
        Orig::Sg(sg, nents) => {
            // SAFETY: the caller's scatterlist, alive until unmap.
            let Some(first) = (unsafe { SgEntry::from_raw(sg) }) else {
                return;
            };
            let (start, end) = (span.off, span.off + span.len);
            let mut pos = 0usize;
            for e in first.iter(nents as usize) {
                let (a, b) = (pos, pos + e.len());
                pos = b;
                let (lo, hi) = (a.max(start), b.min(end));
                if lo < hi {
                    // SAFETY: `[lo, hi)` is inside this entry and inside
                    // the slot's data area (the entries were laid out
                    // back to back there at map time).
                    unsafe { copy_phys(e.phys() + (lo - a) as u64, data.add(lo), hi - lo, way) };
                }
                if pos >= end {
                    break;
                }
            }
        }
    }
}

/// # Safety
///
/// `phys..phys+len` is caller memory mapped for DMA and `slot..slot+len`
/// lies in a slot's pages.
unsafe fn copy_phys(phys: u64, slot: *mut u8, len: usize, way: Way) {
    match way {
        // SAFETY: the caller's guarantee.
        Way::In => unsafe { bindings::rudma_copy_from_phys(slot.cast(), phys, len) },
        // SAFETY: the caller's guarantee.
        Way::Out => unsafe { bindings::rudma_copy_to_phys(phys, slot.cast(), len) },
    }
}

/// Zeroes `span` of a slot's pages.
///
/// # Safety
///
/// `slot` must point to a slot's pages, with `span` inside the slot.
pub(crate) unsafe fn zero(slot: *mut u8, span: Span) {
    // SAFETY: the caller's guarantee.
    unsafe { core::ptr::write_bytes(slot.add(span.off), 0, span.len) };
}

/// CPU cache maintenance on `len` bytes of a slot at DMA address `iova`
/// before the device accesses them (`Way::In`) or after (`Way::Out`); a
/// no-op for a coherent device.  iommu-dma's own sync helpers do exactly
/// this for an address mapped in the device's domain.
pub(crate) fn maintain(c: &Client, iova: u64, len: usize, dir: u32, way: Way) {
    if c.coherent || len == 0 {
        return;
    }
    match way {
        // SAFETY: `iova` is mapped in the device's domain (a slot in use).
        Way::In => unsafe {
            bindings::iommu_dma_sync_single_for_device(c.as_raw(), iova, len, dir)
        },
        // SAFETY: as above.
        Way::Out => unsafe { bindings::iommu_dma_sync_single_for_cpu(c.as_raw(), iova, len, dir) },
    }
}
