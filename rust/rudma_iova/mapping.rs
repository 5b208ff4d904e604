// SPDX-License-Identifier: GPL-2.0

//! [`IovaMapping`]: an owned two-stage mapping.  It holds the reserved IOVA
//! and knows which granules are linked, so it cannot be freed while any
//! is ([`IovaMapping::free`] refuses), and dropping it tears down whatever
//! is left (unlink with one invalidation, then free the IOVA).

use crate::bindings;
use crate::cache_key::CacheKey;
use crate::device::Device;
use crate::iommu::Domain;
use crate::iova::IovaRange;
use crate::link_layout::{Layout, LinkError, Linked, Span};
use core::mem::ManuallyDrop;
use kernel::prelude::*;

/// Largest reservation: beyond it the caller's classic path is as good,
/// and the linked-granule bitmap stays within 8 KiB (an atomic allocation).
pub(crate) const MAX_SIZE: u64 = 256 << 20;

fn einval(_: LinkError) -> Error {
    EINVAL
}

/// A reserved IOVA range and the links in it.
///
/// # Invariants
///
/// `range` (`layout.alloc_len()` bytes) was reserved for its device, whose
/// iommu-dma domain is `domain`; the granules marked in `linked` are
/// mapped in it, and no others unless `unmap_failed` (then `range` is
/// leaked, never given back).  `range` is dropped only by `Drop`.
pub(crate) struct IovaMapping {
    range: ManuallyDrop<IovaRange>,
    domain: *mut bindings::iommu_domain,
    layout: Layout,
    granule: u64,
    coherent: bool,
    linked: KVec<u64>,
    /// An unmap of a link failed (the IOMMU driver could not allocate):
    /// part of the range may still translate.
    unmap_failed: bool,
}

// SAFETY: the domain pointer is only passed to IOMMU calls, which may be
// made from any thread; the device reference keeps the device alive and
// its bound driver (the caller) keeps the domain.
unsafe impl Send for IovaMapping {}

impl IovaMapping {
    /// Reserves IOVA for `size` bytes aligned like `phys`.  `ENODEV` when
    /// the device is not translated by iommu-dma (or is untrusted: its
    /// sub-granule data must be bounced, which the classic API does);
    /// `EINVAL` for a zero or too large size; `ENOSPC`/`ENOMEM` when out of
    /// IOVA space or memory.  Any context.
    pub(crate) fn try_alloc(dev: &Device, phys: u64, size: u64) -> Result<Self> {
        let domain = Domain::of(dev).ok_or(ENODEV)?;
        if !dev.dma_iommu() || !domain.domain_type().is_dma_api() || dev.is_untrusted() {
            return Err(ENODEV);
        }
        let granule = domain.granule() as u64;
        let layout = Layout::new(phys, size, granule, MAX_SIZE).ok_or(EINVAL)?;
        let mut linked = KVec::new();
        linked.extend_with(Linked::words_for(layout.granules()), 0, GFP_ATOMIC)?;
        let range = IovaRange::alloc(dev, layout.alloc_len() as usize, dev.dma_mask())?;
        // INVARIANT: reserved just now, nothing linked.
        Ok(Self {
            range: ManuallyDrop::new(range),
            domain: domain.as_raw(),
            layout,
            granule,
            coherent: dev.is_dma_coherent(),
            linked,
            unmap_failed: false,
        })
    }

    /// First IOVA of the reservation (granule aligned).
    fn base(&self) -> u64 {
        self.range.addr()
    }

    /// The caller's DMA address of offset 0.
    pub(crate) fn addr(&self) -> u64 {
        self.base() + self.layout.pad()
    }

    /// Bytes reserved for the caller.
    pub(crate) fn size(&self) -> u64 {
        self.layout.size()
    }

    /// The device the range was reserved for.
    pub(crate) fn device(&self) -> &Device {
        self.range.device()
    }

    /// Maps `len` bytes of `phys` at `offset`, without an IOTLB sync, and
    /// does the CPU cache maintenance a non-coherent device needs unless
    /// `DMA_ATTR_SKIP_CPU_SYNC`.
    pub(crate) fn link(
        &mut self,
        phys: u64,
        offset: u64,
        len: u64,
        dir: u32,
        attrs: u64,
    ) -> Result {
        let span = self.layout.link(phys, offset, len).map_err(einval)?;
        let key = CacheKey::new(dir, attrs).ok_or(EINVAL)?;
        Linked::new(&mut self.linked).link(&span).map_err(einval)?;
        let iova = self.base() + span.iova_off;
        // SAFETY: the granules are reserved for us and were not mapped
        // (checked above); the caller owns `phys` for the mapping's life.
        let ret = unsafe {
            bindings::iommu_map_nosync(
                self.domain,
                iova as _,
                span.phys,
                span.len as usize,
                key.prot(self.coherent),
                bindings::RUDMA_CONST_GFP_ATOMIC_NOWARN,
            )
        };
        if ret != 0 {
            let _ = Linked::new(&mut self.linked).unlink(&span);
            return Err(Error::from_errno(ret));
        }
        if !self.coherent && attrs & crate::cache_key::ATTR_SKIP_CPU_SYNC == 0 {
            // SAFETY: mapped just now (page tables; no IOTLB needed).
            unsafe {
                bindings::iommu_dma_sync_single_for_device(
                    self.range.device().as_raw(),
                    self.addr() + offset,
                    len as usize,
                    dir,
                )
            };
        }
        Ok(())
    }

    /// One IOTLB sync for `[offset, offset + len)`, which must be linked.
    pub(crate) fn sync(&mut self, offset: u64, len: u64) -> Result {
        let span = self.layout.range(offset, len).map_err(einval)?;
        if !Linked::new(&mut self.linked).all(&span) {
            return Err(EINVAL);
        }
        // SAFETY: a range of our reservation in our domain.
        let ret = unsafe {
            bindings::iommu_sync_map(
                self.domain,
                (self.base() + span.iova_off) as _,
                span.len as usize,
            )
        };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(())
    }

    /// Unmaps `[offset, offset + len)`, which must be wholly linked, with
    /// one IOTLB invalidation.
    pub(crate) fn unlink(&mut self, offset: u64, len: u64, dir: u32, attrs: u64) -> Result {
        let span = self.layout.range(offset, len).map_err(einval)?;
        if !Linked::new(&mut self.linked).all(&span) {
            return Err(EINVAL);
        }
        self.unmap(&span, dir, attrs);
        let _ = Linked::new(&mut self.linked).unlink(&span);
        Ok(())
    }

    /// CPU cache maintenance (non-coherent), then the unmap.
    fn unmap(&mut self, span: &Span, dir: u32, attrs: u64) {
        let iova = self.base() + span.iova_off;
        if !self.coherent && attrs & crate::cache_key::ATTR_SKIP_CPU_SYNC == 0 {
            // Granule by granule (linked pages need not be contiguous),
            // and only the caller's bytes: the pad before the data and the
            // tail after it are other objects' cache lines.
            let (lo_all, hi_all) = (self.layout.pad(), self.layout.pad() + self.layout.size());
            for g in 0..(span.end - span.first) {
                let gs = span.iova_off + g * self.granule;
                let (lo, hi) = (gs.max(lo_all), (gs + self.granule).min(hi_all));
                if lo >= hi {
                    continue;
                }
                // SAFETY: mapped bytes of our reservation.
                unsafe {
                    bindings::iommu_dma_sync_single_for_cpu(
                        self.range.device().as_raw(),
                        self.base() + lo,
                        (hi - lo) as usize,
                        dir,
                    )
                };
            }
        }
        let mut failed = 0u64;
        // SAFETY: the span is mapped in our domain and nobody else's; one
        // range fits the 64-bit `failed` mask.
        let done = unsafe {
            bindings::rudma_iommu_unmap_batch(self.domain, &iova, 1, span.len as usize, &mut failed)
        };
        if done != span.len as usize {
            // It may still translate: the IOVA must never be handed out
            // again, so the whole reservation is leaked at free.
            self.unmap_failed = true;
            pr_err!(
                "iova: unmapped {} of {} bytes at {:#x}; the reservation will be leaked\n",
                done,
                span.len,
                iova
            );
        }
    }

    /// Unlinks every linked run (one invalidation per run), without
    /// allocating: a run is found, unmapped and cleared until none is left.
    fn unlink_all(&mut self, dir: u32, attrs: u64) {
        loop {
            let next = Linked::new(&mut self.linked).runs().next();
            let Some((first, end)) = next else { break };
            let span = Span {
                first,
                end,
                iova_off: first * self.granule,
                phys: 0,
                len: (end - first) * self.granule,
            };
            self.unmap(&span, dir, attrs);
            let _ = Linked::new(&mut self.linked).unlink(&span);
        }
    }

    /// Whether any range is still linked.
    pub(crate) fn is_linked(&mut self) -> bool {
        Linked::new(&mut self.linked).any()
    }

    /// Unlinks `[0, mapped_len)` (if not 0) and frees: `dma_iova_destroy`.
    pub(crate) fn destroy(mut self, mapped_len: u64, dir: u32, attrs: u64) -> Result {
        let ret = if mapped_len > 0 {
            self.unlink(0, mapped_len, dir, attrs)
        } else {
            Ok(())
        };
        // Drop unlinks anything else and frees the IOVA.
        if ret.is_ok() && self.is_linked() {
            self.unlink_all(dir, attrs);
            return Err(EBUSY);
        }
        ret
    }

    /// Frees the reservation, which must have nothing linked; otherwise
    /// it is given back with `EBUSY`.
    pub(crate) fn free(mut self) -> core::result::Result<(), (Self, Error)> {
        if self.is_linked() {
            return Err((self, EBUSY));
        }
        Ok(())
    }
}

impl Drop for IovaMapping {
    fn drop(&mut self) {
        // A reservation outliving its driver binding (left behind by a
        // consumer, torn down at unload) may find the device in another
        // domain: then nothing here is ours to unmap or free.
        if !Domain::of(self.range.device()).is_some_and(|d| core::ptr::eq(d.as_raw(), self.domain))
        {
            pr_warn!("iova: domain of {:#x} changed; leaking it\n", self.base());
            return;
        }
        if self.is_linked() {
            self.unlink_all(crate::cache_key::DIR_BIDIRECTIONAL, 0);
        }
        if self.unmap_failed {
            pr_err!(
                "iova: leaking {:#x}: part of it may still translate\n",
                self.base()
            );
            return;
        }
        // SAFETY: dropped once, here; nothing is mapped in it any more.
        unsafe { ManuallyDrop::drop(&mut self.range) };
    }
}
