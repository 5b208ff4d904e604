// SPDX-License-Identifier: GPL-2.0

//! rudma: DMA ops stacked on iommu-dma, attached to devices at run time.
//!
//! ```text
//! echo 0000:00:02.0 > /sys/kernel/rudma/attach
//! cat /sys/kernel/rudma/attached
//! echo 0000:00:02.0 > /sys/kernel/rudma/detach
//! insmod rudma.ko attach=0000:00:02.0
//! ```
//!
//! See Documentation/rudma/attach.rst and
//! Documentation/ABI/testing/sysfs-kernel-rudma.

use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::prelude::*;

mod attach;
mod ops;
mod pool;
mod pools;

// Pure logic, `pub` for the host unit tests (tools/testing/host).
#[allow(unreachable_pub, dead_code)]
#[path = "../pool/aging.rs"]
mod aging;
#[allow(unreachable_pub)]
#[path = "../common/bdf.rs"]
mod bdf;
#[allow(unreachable_pub, dead_code)]
#[path = "../pool/cache_key.rs"]
mod cache_key;
#[allow(unreachable_pub)]
#[path = "../common/domain_type.rs"]
mod domain_type;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/fmt_buf.rs"]
mod fmt_buf;
#[allow(unreachable_pub, dead_code)]
#[path = "../pool/handle_stack.rs"]
mod handle_stack;
#[allow(unreachable_pub, dead_code)]
#[path = "../pool/magazine.rs"]
mod magazine;
#[allow(unreachable_pub, dead_code)]
#[path = "../pool/route.rs"]
mod route;
#[allow(unreachable_pub, dead_code)]
#[path = "../pool/sg_split.rs"]
mod sg_split;
#[allow(unreachable_pub, dead_code)]
#[path = "../pool/size_class.rs"]
mod size_class;
#[allow(unreachable_pub, dead_code)]
#[path = "../pool/slot_region.rs"]
mod slot_region;
#[allow(unreachable_pub, dead_code)]
#[path = "../pool/sync_range.rs"]
mod sync_range;
// Shared by every rudma module; each uses a subset of it.
#[path = "../common/bindings.rs"]
mod bindings;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/c_buf.rs"]
mod c_buf;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/cpu.rs"]
mod cpu;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/device.rs"]
mod device;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/dma.rs"]
mod dma;
#[allow(unreachable_pub)]
#[path = "../common/dma_callers.rs"]
mod dma_callers;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/iommu.rs"]
mod iommu;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/iova.rs"]
mod iova;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/irq_lock.rs"]
mod irq_lock;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/option_slots.rs"]
mod option_slots;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/pci.rs"]
mod pci;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/percpu.rs"]
mod percpu;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/sg.rs"]
mod sg;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/try_mutex.rs"]
mod try_mutex;

use attach::Registry;
use fmt_buf::FmtBuf;

module! {
    type: Rudma,
    name: "rudma",
    author: "rudma developers",
    description: "rudma: DMA ops stacked on iommu-dma, attached at run time",
    license: "GPL",
}

/// The registry, for the C entry points: set once `init` has built it and
/// cleared in `drop` after the entry points are unregistered.
static REGISTRY: AtomicPtr<Registry> = AtomicPtr::new(core::ptr::null_mut());

fn registry() -> Option<&'static Registry> {
    let p = REGISTRY.load(Ordering::Acquire);
    // SAFETY: a non-NULL pointer is the module's pinned registry, which
    // lives until `drop` has unregistered every caller of this function.
    unsafe { p.as_ref() }
}

struct Rudma {
    registry: Pin<KBox<Registry>>,
}

impl kernel::Module for Rudma {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let registry = KBox::pin_init(Registry::new(pools::Pools::new()?), GFP_KERNEL)?;
        // SAFETY: plain registration; undone in `drop`.
        let ret = unsafe { bindings::rudma_pool_maint_start() };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        REGISTRY.store(
            core::ptr::from_ref(&*registry).cast_mut(),
            Ordering::Release,
        );
        // SAFETY: the registry the entry points use is in place.
        let ret = unsafe { bindings::rudma_sysfs_register() };
        if ret != 0 {
            REGISTRY.store(core::ptr::null_mut(), Ordering::Release);
            // SAFETY: started above; no pool exists.
            unsafe { bindings::rudma_pool_maint_stop() };
            return Err(Error::from_errno(ret));
        }
        // SAFETY: the registry the debugfs file reads is in place.
        unsafe { bindings::rudma_debugfs_register() };
        let this = Rudma { registry };
        // SAFETY: the parameter is a NUL-terminated string that lives as
        // long as the module.
        let param = unsafe { kernel::str::CStr::from_char_ptr(bindings::rudma_attach_param()) };
        this.attach_at_load(param.as_bytes());
        pr_info!("loaded\n");
        Ok(this)
    }
}

impl Rudma {
    /// `attach=`: attach bound devices now, the others when they bind.
    /// Bad names are logged and skipped: a typo must not keep the module
    /// (and so every other device's attach) from loading.
    fn attach_at_load(&self, list: &[u8]) {
        for entry in bdf::list_entries(list) {
            let Ok(bdf) = bdf::Bdf::parse(entry) else {
                pr_err!(
                    "attach=: '{}' is not a PCI device name, skipped\n",
                    kernel::str::BStr::from_bytes(entry)
                );
                continue;
            };
            // Pending first: a driver binding between a failed attach and
            // the registration would otherwise be missed.
            if self.registry.add_pending(bdf).is_err() {
                pr_err!("attach=: {}: out of memory, skipped\n", bdf);
                continue;
            }
            match self.registry.attach_bdf(bdf) {
                Ok(()) => {}
                Err(e) if e == EAGAIN || e == ENODEV => {
                    pr_info!("{}: will attach when its driver binds\n", bdf);
                }
                Err(e) if e == EEXIST => {}
                Err(_) => self.registry.remove_pending(bdf),
            }
        }
    }
}

impl Drop for Rudma {
    fn drop(&mut self) {
        // SAFETY: registered in `init`; afterwards no entry point runs.
        unsafe { bindings::rudma_sysfs_unregister() };
        // SAFETY: registered in `init`.
        unsafe { bindings::rudma_debugfs_unregister() };
        // SAFETY: no device is attached (each pins the module), so no pool
        // is left; this stops the aging work and the shrinker.
        unsafe { bindings::rudma_pool_maint_stop() };
        REGISTRY.store(core::ptr::null_mut(), Ordering::Release);
        // A DMA API call that has left a callback's section after the last
        // detach may still be running the callback's last instructions.
        dma_callers::wait_dma_callers();
        pr_info!("unloaded\n");
    }
}

/// Pins the module while a device is attached.
fn module_get() -> bool {
    // SAFETY: plain call into the C shim.
    unsafe { bindings::rudma_module_get() }
}

/// Drops a pin from [`module_get`].
fn module_put() {
    // SAFETY: paired with a successful `module_get`.
    unsafe { bindings::rudma_module_put() }
}

/// Runs an attach or detach request written to sysfs: one device name.
///
/// # Safety
///
/// `buf` must be valid for reads of `len` bytes.
unsafe fn sysfs_request(
    buf: *const kernel::ffi::c_char,
    len: usize,
    f: impl FnOnce(&Registry, bdf::Bdf) -> Result,
) -> kernel::ffi::c_int {
    // SAFETY: the caller guarantees validity.
    let buf = unsafe { c_buf::bytes(buf, len) };
    let Some(reg) = registry() else {
        return ENODEV.to_errno();
    };
    c_buf::errno(attach::parse_one(buf).and_then(|b| f(reg, b)))
}

/// `/sys/kernel/rudma/attach` store.
///
/// # Safety
///
/// `buf` must be valid for reads of `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rudma_sysfs_attach(
    buf: *const kernel::ffi::c_char,
    len: usize,
) -> kernel::ffi::c_int {
    // SAFETY: the caller's guarantee is passed on.
    unsafe { sysfs_request(buf, len, Registry::attach_bdf) }
}

/// `/sys/kernel/rudma/detach` store.
///
/// # Safety
///
/// `buf` must be valid for reads of `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rudma_sysfs_detach(
    buf: *const kernel::ffi::c_char,
    len: usize,
) -> kernel::ffi::c_int {
    // SAFETY: the caller's guarantee is passed on.
    unsafe { sysfs_request(buf, len, Registry::detach_bdf) }
}

/// `/sys/kernel/rudma/attached` show.
///
/// # Safety
///
/// `buf` must be valid for writes of `size` bytes.
#[no_mangle]
pub unsafe extern "C" fn rudma_sysfs_attached(buf: *mut kernel::ffi::c_char, size: usize) -> isize {
    // SAFETY: the caller guarantees validity; we hold the only reference.
    let Some(out) = (unsafe { c_buf::bytes_mut(buf, size) }) else {
        return EINVAL.to_errno() as isize;
    };
    let mut w = FmtBuf::new(out);
    if let Some(reg) = registry() {
        reg.show(&mut w);
    }
    // At most `size`, a sysfs page.
    w.len() as isize
}

/// PCI bus notifier (c_shims/attach_sysfs.c).
///
/// # Safety
///
/// `dev` must be the valid device the notification is about.
#[no_mangle]
pub unsafe extern "C" fn rudma_bus_event(dev: *mut bindings::device, action: kernel::ffi::c_ulong) {
    let Some(reg) = registry() else {
        return;
    };
    let Ok(action) = u32::try_from(action) else {
        return;
    };
    // SAFETY: the caller guarantees `dev` is valid for the call.
    let dev = unsafe { device::Device::from_raw(dev) };
    reg.bus_event(dev, action);
}

/// Aging work (c_shims/pool_maint.c): one pass; when to run again in ms,
/// 0 when no pool is left.
#[no_mangle]
pub extern "C" fn rudma_pool_age() -> kernel::ffi::c_uint {
    registry().map_or(0, |r| r.pools().age())
}

/// Shrinker count: cached slots that could be released.
#[no_mangle]
pub extern "C" fn rudma_pool_shrink_count() -> kernel::ffi::c_ulong {
    registry().map_or(0, |r| r.pools().shrink_count() as kernel::ffi::c_ulong)
}

/// Shrinker scan: releases up to `nr` cached slots; -1 to stop.
#[no_mangle]
pub extern "C" fn rudma_pool_shrink_scan(nr: kernel::ffi::c_ulong) -> kernel::ffi::c_long {
    match registry().and_then(|r| r.pools().shrink_scan(nr)) {
        Some(n) => n as kernel::ffi::c_long,
        None => -1,
    }
}

/// `/sys/kernel/debug/rudma/pools` (c_shims/pool_debugfs.c).
///
/// # Safety
///
/// `buf` must be valid for writes of `size` bytes.
#[no_mangle]
pub unsafe extern "C" fn rudma_pool_debugfs_show(
    buf: *mut kernel::ffi::c_char,
    size: usize,
) -> isize {
    // SAFETY: the caller guarantees validity; we hold the only reference.
    let Some(out) = (unsafe { c_buf::bytes_mut(buf, size) }) else {
        return EINVAL.to_errno() as isize;
    };
    let mut w = FmtBuf::new(out);
    if let Some(reg) = registry() {
        reg.pools().show(&mut w);
    }
    w.len() as isize
}
