// SPDX-License-Identifier: GPL-2.0

//! What the pool needs to know about a device it serves, read once at
//! attach (the driver is bound, so its DMA mask and limits are set).

use crate::bindings;
use crate::device::Device;

/// A device using a pool.
pub(crate) struct Client {
    dev: *mut bindings::device,
    /// Highest DMA address the device accepts.
    pub(crate) dma_limit: u64,
    /// `pci_dev->untrusted`: sees nothing but the caller's bytes and zeros.
    pub(crate) untrusted: bool,
    /// Cache-coherent DMA; otherwise slots need cache maintenance.
    pub(crate) coherent: bool,
    /// Largest DMA segment (scatterlists).
    pub(crate) max_seg: u64,
    /// Segment boundary mask (scatterlists).
    pub(crate) seg_boundary: u64,
}

// SAFETY: `dev` is only passed to C functions that may be called from any
// thread; the attach code keeps the device alive while the client exists.
unsafe impl Send for Client {}
// SAFETY: as above; all other fields are plain data.
unsafe impl Sync for Client {}

impl Client {
    /// Reads the facts of an attached device.
    pub(crate) fn new(dev: &Device) -> Self {
        let d = dev.as_raw();
        // SAFETY: `d` is a valid device (borrowed); the shims only read it.
        unsafe {
            Self {
                dev: d,
                dma_limit: bindings::rudma_dma_get_mask(d),
                untrusted: bindings::rudma_dev_is_untrusted(d),
                coherent: bindings::rudma_dev_is_dma_coherent(d),
                max_seg: u64::from(bindings::rudma_dma_max_seg_size(d)),
                seg_boundary: bindings::rudma_dma_seg_boundary(d) as u64,
            }
        }
    }

    /// The device, for calls into C.
    pub(crate) fn as_raw(&self) -> *mut bindings::device {
        self.dev
    }
}
