// SPDX-License-Identifier: GPL-2.0

//! Walking a DMA API caller's scatterlist.

use super::bindings;

/// One entry of a scatterlist the DMA API was handed.
///
/// # Invariants
///
/// `ptr` points to a valid entry of a list whose owner keeps it alive and
/// unchanged (apart from the DMA fields) for `'a`.
#[derive(Clone, Copy)]
pub struct SgEntry<'a> {
    ptr: *mut bindings::scatterlist,
    _list: core::marker::PhantomData<&'a bindings::scatterlist>,
}

impl<'a> SgEntry<'a> {
    /// Wraps the first entry of a list.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid scatterlist of at least one entry that its
    /// owner keeps alive for `'a` (a DMA API call's list, for the call).
    pub unsafe fn from_raw(ptr: *mut bindings::scatterlist) -> Option<Self> {
        // INVARIANT: the caller's guarantee.
        (!ptr.is_null()).then_some(Self {
            ptr,
            _list: core::marker::PhantomData,
        })
    }

    /// The raw entry, to identify the list.
    pub fn as_raw(&self) -> *mut bindings::scatterlist {
        self.ptr
    }

    /// The next entry (following chains), or `None` after the last.
    pub fn next(&self) -> Option<Self> {
        // SAFETY: valid by the type invariant; `sg_next` returns the next
        // entry of the same list or NULL.
        let next = unsafe { bindings::rudma_sg_next(self.ptr) };
        // SAFETY: an entry of the same list.
        unsafe { Self::from_raw(next) }
    }

    /// Physical address of the entry's first byte.
    pub fn phys(&self) -> u64 {
        // SAFETY: valid by the type invariant.
        unsafe { bindings::rudma_sg_phys(self.ptr) }
    }

    /// Bytes the entry describes.
    pub fn len(&self) -> usize {
        // SAFETY: valid by the type invariant.
        unsafe { bindings::rudma_sg_length(self.ptr) as usize }
    }

    /// Whether the entry is another device's memory (never bounced).
    pub fn is_p2pdma(&self) -> bool {
        // SAFETY: valid by the type invariant.
        unsafe { bindings::rudma_sg_is_p2pdma(self.ptr) }
    }

    /// The DMA address recorded for the entry.
    pub fn dma_address(&self) -> u64 {
        // SAFETY: valid by the type invariant.
        unsafe { bindings::rudma_sg_dma_address(self.ptr) }
    }

    /// Records the entry's DMA segment (the DMA API fills these in).
    pub fn set_dma(&self, addr: u64, len: u32) {
        // SAFETY: valid by the type invariant; the DMA fields belong to
        // the mapping call in progress.
        unsafe { bindings::rudma_sg_set_dma(self.ptr, addr, len) }
    }

    /// The first `nents` entries.
    pub fn iter(self, nents: usize) -> impl Iterator<Item = SgEntry<'a>> {
        core::iter::successors(Some(self), |e| e.next()).take(nents)
    }
}
