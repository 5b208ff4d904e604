// SPDX-License-Identifier: GPL-2.0

//! A borrowed `struct device`.

use super::bindings;
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
}
