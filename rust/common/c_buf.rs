// SPDX-License-Identifier: GPL-2.0

//! The C boundary of sysfs and parameter callbacks: byte buffers handed
//! over from C, and results handed back as errnos.

/// Borrows `len` bytes at `ptr`; NULL or zero length give an empty slice.
///
/// # Safety
///
/// A non-NULL `ptr` must be valid for reads of `len` bytes for `'a`.
pub unsafe fn bytes<'a>(ptr: *const kernel::ffi::c_char, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: the caller guarantees validity for `len` bytes.
    unsafe { core::slice::from_raw_parts(ptr.cast::<u8>(), len) }
}

/// Borrows `size` writable bytes at `ptr`, or `None` for NULL.
///
/// # Safety
///
/// A non-NULL `ptr` must be valid for writes of `size` bytes for `'a`, and
/// not otherwise accessed while the slice lives.
pub unsafe fn bytes_mut<'a>(ptr: *mut kernel::ffi::c_char, size: usize) -> Option<&'a mut [u8]> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the caller guarantees validity and exclusivity.
    Some(unsafe { core::slice::from_raw_parts_mut(ptr.cast::<u8>(), size) })
}

/// A result as C callbacks return it: 0 or a negative errno.
pub fn errno(r: kernel::error::Result) -> kernel::ffi::c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
