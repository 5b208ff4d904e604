// SPDX-License-Identifier: GPL-2.0

//! A borrowed `struct device`, its lock, and its DMA routing state.

use super::bindings;
use kernel::prelude::*;
use kernel::str::CStr;

/// A `struct device` borrowed for the lifetime of the reference.
///
/// `#[repr(transparent)]` over the C struct: `&Device` is a `struct device *`.
#[repr(transparent)]
pub struct Device(bindings::device);

impl Device {
    /// Borrows a C device.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct device` that stays alive (a
    /// reference is held, or the caller's context pins it) for `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::device) -> &'a Device {
        // SAFETY: the caller guarantees validity for `'a`; `Device` is
        // `repr(transparent)` over `bindings::device`.
        unsafe { &*ptr.cast::<Device>() }
    }

    /// The raw pointer, for calls into C.
    pub fn as_raw(&self) -> *mut bindings::device {
        core::ptr::from_ref(&self.0).cast_mut()
    }

    /// The device's name (`dev_name()`).
    pub fn name(&self) -> &CStr {
        // SAFETY: `self` is a valid device; `dev_name()` never returns NULL
        // and the name lives as long as the device.
        unsafe { CStr::from_char_ptr(bindings::rudma_dev_name(self.as_raw())) }
    }

    /// Takes the device lock, or fails with `EINTR` on a signal.
    pub fn lock(&self) -> Result<DeviceGuard<'_>> {
        // SAFETY: `self` is a valid device.
        let ret = unsafe { bindings::rudma_device_lock_interruptible(self.as_raw()) };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(DeviceGuard {
            dev: self,
            owned: true,
        })
    }

    /// A guard for a device whose lock the caller's context already holds
    /// (a bus notifier for bind and unbind events runs under it).
    ///
    /// # Safety
    ///
    /// The device lock must be held for the guard's lifetime.
    pub unsafe fn assume_locked(&self) -> DeviceGuard<'_> {
        // SAFETY: `self` is valid; the caller holds the lock, which this
        // asserts (under lockdep).
        unsafe { bindings::rudma_device_lock_assert(self.as_raw()) };
        DeviceGuard {
            dev: self,
            owned: false,
        }
    }

    /// The DMA ops installed on the device (not the architecture default).
    pub fn dma_ops(&self) -> *const bindings::dma_map_ops {
        // SAFETY: `self` is a valid device.
        unsafe { bindings::rudma_dev_dma_ops(self.as_raw()) }
    }

    /// Whether iommu-dma handles the device's DMA (`dev->dma_iommu`).
    pub fn dma_iommu(&self) -> bool {
        // SAFETY: `self` is a valid device.
        unsafe { bindings::rudma_dev_dma_iommu(self.as_raw()) }
    }

    /// Whether the device's DMA is cache coherent.
    pub fn is_dma_coherent(&self) -> bool {
        // SAFETY: `self` is a valid device.
        unsafe { bindings::rudma_dev_is_dma_coherent(self.as_raw()) }
    }

    /// Whether it is an untrusted PCI device (`pci_dev->untrusted`).
    pub fn is_untrusted(&self) -> bool {
        // SAFETY: `self` is a valid device.
        unsafe { bindings::rudma_dev_is_untrusted(self.as_raw()) }
    }

    /// Its streaming DMA mask.
    pub fn dma_mask(&self) -> u64 {
        // SAFETY: `self` is a valid device.
        unsafe { bindings::rudma_dma_get_mask(self.as_raw()) }
    }

    /// Whether the DMA API skips sync calls (`dev->dma_skip_sync`).
    pub fn dma_skip_sync(&self) -> bool {
        // SAFETY: `self` is a valid device.
        unsafe { bindings::rudma_dev_dma_skip_sync(self.as_raw()) }
    }
}

/// Proof that a device's lock is held; unlocks on drop if it took it.
pub struct DeviceGuard<'a> {
    dev: &'a Device,
    owned: bool,
}

impl DeviceGuard<'_> {
    /// The locked device.
    pub fn device(&self) -> &Device {
        self.dev
    }

    /// The bound driver's name, if a driver is bound.
    pub fn driver_name(&self) -> Option<&CStr> {
        // SAFETY: the device is valid and locked, so the binding (and the
        // driver's name) is stable while the guard lives.
        let p = unsafe { bindings::rudma_dev_driver_name(self.dev.as_raw()) };
        if p.is_null() {
            None
        } else {
            // SAFETY: a bound driver's name is a valid C string.
            Some(unsafe { CStr::from_char_ptr(p) })
        }
    }

    /// Whether the bound driver manages DMA itself (VFIO and the like).
    pub fn driver_manages_dma(&self) -> bool {
        // SAFETY: the device is valid and locked.
        unsafe { bindings::rudma_dev_driver_manages_dma(self.dev.as_raw()) }
    }

    /// Installs (or with NULL removes) DMA ops: one pointer store, which
    /// each DMA API call reads once.
    ///
    /// # Safety
    ///
    /// `ops` is NULL or stays valid until it is replaced and
    /// `dma_callers::wait_dma_callers()` has returned, and every call it
    /// can receive for this device is safe to make.
    pub unsafe fn set_dma_ops(&self, ops: *const bindings::dma_map_ops) {
        // SAFETY: the device is valid and locked; the caller vouches for `ops`.
        unsafe { bindings::rudma_dev_set_dma_ops(self.dev.as_raw(), ops) };
    }

    /// Sets `dev->dma_skip_sync`.
    pub fn set_dma_skip_sync(&self, skip: bool) {
        // SAFETY: the device is valid and locked.
        unsafe { bindings::rudma_dev_set_dma_skip_sync(self.dev.as_raw(), skip) };
    }
}

impl Drop for DeviceGuard<'_> {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: this guard took the lock in `Device::lock`.
            unsafe { bindings::rudma_device_unlock(self.dev.as_raw()) };
        }
    }
}

/// A counted reference to a device.
///
/// # Invariants
///
/// `ptr` is a valid device on which this object holds one reference.
pub struct DeviceRef {
    ptr: *mut bindings::device,
}

impl DeviceRef {
    /// Takes a reference on `dev`.
    pub fn new(dev: &Device) -> Self {
        // SAFETY: `dev` is valid; `get_device` raises its count.
        let ptr = unsafe { bindings::rudma_get_device(dev.as_raw()) };
        // INVARIANT: the reference was just taken.
        Self { ptr }
    }

    /// The referenced device.
    pub fn device(&self) -> &Device {
        // SAFETY: by the type invariant the device lives while `self` does.
        unsafe { Device::from_raw(self.ptr) }
    }
}

impl Drop for DeviceRef {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own one reference.
        unsafe { bindings::rudma_put_device(self.ptr) };
    }
}

// SAFETY: a device reference may be taken and dropped on any thread.
unsafe impl Send for DeviceRef {}
// SAFETY: `&DeviceRef` only gives `&Device`, whose methods are thread-safe.
unsafe impl Sync for DeviceRef {}
