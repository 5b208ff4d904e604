// SPDX-License-Identifier: GPL-2.0

//! PCI device references.

use super::bindings;
use super::device::Device;

/// A counted reference to a `struct pci_dev`, dropped with `pci_dev_put()`.
///
/// # Invariants
///
/// `ptr` is a valid `pci_dev` on which this object holds one reference.
pub struct PciDevRef {
    ptr: *mut bindings::pci_dev,
}

impl PciDevRef {
    /// Looks a device up by segment, bus and devfn; `None` if absent.
    pub fn get(segment: u16, bus: u8, devfn: u8) -> Option<Self> {
        // SAFETY: `pci_get_domain_bus_and_slot` takes plain integers and
        // returns either NULL or a device with its reference count raised.
        let ptr = unsafe {
            bindings::pci_get_domain_bus_and_slot(segment.into(), bus.into(), devfn.into())
        };
        if ptr.is_null() {
            None
        } else {
            // INVARIANT: non-NULL, and the lookup took a reference for us.
            Some(Self { ptr })
        }
    }

    /// The generic device embedded in this PCI device.
    pub fn device(&self) -> &Device {
        // SAFETY: by the type invariant `ptr` is a live `pci_dev`, so its
        // embedded device lives at least as long as `self`.
        unsafe { Device::from_raw(bindings::rudma_pci_to_dev(self.ptr)) }
    }

    /// True when the PCI core marked the device untrusted (external port).
    pub fn untrusted(&self) -> bool {
        // SAFETY: by the type invariant `ptr` is a live `pci_dev`;
        // `untrusted` is a plain bitfield read.
        unsafe { (*self.ptr).untrusted() != 0 }
    }
}

impl Drop for PciDevRef {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own one reference on `ptr`.
        unsafe { bindings::pci_dev_put(self.ptr) };
    }
}

// SAFETY: a counted `pci_dev` reference may be dropped from any thread.
unsafe impl Send for PciDevRef {}
// SAFETY: `&PciDevRef` only allows reads that the PCI core allows
// concurrently.
unsafe impl Sync for PciDevRef {}
