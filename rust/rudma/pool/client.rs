// SPDX-License-Identifier: GPL-2.0

//! What the pool needs to know about a device it serves.  Coherence and
//! trust are fixed while a driver is bound and are read once at attach;
//! the DMA limits a driver may change at any time are read per call.

use crate::bindings;
use crate::device::Device;

/// A device using a pool.
pub(crate) struct Client {
    dev: *mut bindings::device,
    /// `pci_dev->untrusted`: sees nothing but the caller's bytes and zeros.
    pub(crate) untrusted: bool,
    /// Cache-coherent DMA; otherwise slots need cache maintenance.
    pub(crate) coherent: bool,
    /// The IOMMU granule of its domain (0 if it has none).
    pub(crate) granule: usize,
}

// SAFETY: `dev` is only passed to C functions that may be called from any
// thread; the attach code keeps the device alive while the client exists.
unsafe impl Send for Client {}
// SAFETY: as above; all other fields are plain data.
unsafe impl Sync for Client {}

impl Client {
    /// Reads the facts of an attached device.
    pub(crate) fn new(dev: &Device) -> Self {
        Self {
            dev: dev.as_raw(),
            untrusted: dev.is_untrusted(),
            coherent: dev.is_dma_coherent(),
            granule: crate::iommu::Domain::of(dev).map_or(0, |dom| dom.granule()),
        }
    }

    /// The device, for calls into C.
    pub(crate) fn as_raw(&self) -> *mut bindings::device {
        self.dev
    }

    /// Highest DMA address the device accepts now (mask and bus limit).
    pub(crate) fn dma_limit(&self) -> u64 {
        // SAFETY: a valid device (type invariant of the attach code).
        unsafe { bindings::rudma_dma_limit(self.dev) }
    }

    /// Largest DMA segment (scatterlists).
    pub(crate) fn max_seg(&self) -> u64 {
        // SAFETY: as above.
        u64::from(unsafe { bindings::rudma_dma_max_seg_size(self.dev) })
    }

    /// Segment boundary mask (scatterlists).
    pub(crate) fn seg_boundary(&self) -> u64 {
        // SAFETY: as above.
        unsafe { bindings::rudma_dma_seg_boundary(self.dev) as u64 }
    }

    /// Whether the device is still in `domain` (teardown check).
    pub(crate) fn in_domain(&self, domain: *mut bindings::iommu_domain) -> bool {
        // SAFETY: as above.
        core::ptr::eq(
            unsafe { bindings::iommu_get_domain_for_dev(self.dev) },
            domain,
        )
    }
}
