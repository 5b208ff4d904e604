// SPDX-License-Identifier: GPL-2.0

//! IOVA space taken from a device's iommu-dma domain (needs the rudma
//! patch series' `iommu_dma_alloc_iova_range`, namespace IOMMU_DMA_OPS).

use super::bindings;
use super::device::{Device, DeviceRef};
use kernel::prelude::*;

/// IOVA space reserved in a device's iommu-dma domain; freed on drop.
///
/// Nothing is mapped by reserving; whoever maps into the range must unmap
/// it (with IOTLB invalidation) before the range is dropped.
///
/// # Invariants
///
/// `[addr, addr + size)` was returned by `iommu_dma_alloc_iova_range` for
/// `dev` and is owned by this object.
pub struct IovaRange {
    dev: DeviceRef,
    addr: bindings::dma_addr_t,
    size: usize,
}

impl IovaRange {
    /// Reserves `size` bytes (rounded up to the granule) below `limit`.
    pub fn alloc(dev: &Device, size: usize, limit: u64) -> Result<Self> {
        if size == 0 {
            return Err(EINVAL);
        }
        // SAFETY: `dev` is a valid device; the call validates the domain.
        let addr = unsafe { bindings::iommu_dma_alloc_iova_range(dev.as_raw(), size, limit) };
        if addr == 0 {
            return Err(ENOSPC);
        }
        // INVARIANT: the range was just reserved for `dev`.
        Ok(Self {
            dev: DeviceRef::new(dev),
            addr,
            size,
        })
    }

    /// The first address of the range.
    pub fn addr(&self) -> bindings::dma_addr_t {
        self.addr
    }

    /// The device the range was reserved for.
    pub fn device(&self) -> &Device {
        self.dev.device()
    }

    /// The size asked for.
    pub fn size(&self) -> usize {
        self.size
    }
}

impl Drop for IovaRange {
    fn drop(&mut self) {
        // SAFETY: by the type invariant the range belongs to `dev`, which
        // the `DeviceRef` keeps alive; nothing is mapped in it any more.
        unsafe {
            bindings::iommu_dma_free_iova_range(self.dev.device().as_raw(), self.addr, self.size)
        };
    }
}
