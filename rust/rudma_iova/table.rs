// SPDX-License-Identifier: GPL-2.0

//! The C API: `struct dma_iova_state` to owned mappings, and the exported
//! calls' bodies.  Misuse gets one WARN (for the first occurrence), a log
//! line naming the device each time, and an error or no effect.

use crate::bindings;
use crate::device::Device;
use crate::irq_lock::{IrqLock, LockKind};
use crate::mapping::IovaMapping;
use crate::option_slots::free_slot;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::c_str;
use kernel::prelude::*;
use kernel::str::CStr;

type State = bindings::dma_iova_state;
type Table = IrqLock<KVec<Option<IovaMapping>>>;

/// The table, set by `init` and taken by `exit`.
static TABLE: AtomicPtr<Table> = AtomicPtr::new(core::ptr::null_mut());

pub(crate) fn init() -> Result {
    let t = KBox::new(IrqLock::new(LockKind::Depot, KVec::new())?, GFP_KERNEL)?;
    TABLE.store(KBox::into_raw(t), Ordering::Release);
    Ok(())
}

/// Drops the table (tearing down what is left); returns how many were.
pub(crate) fn exit() -> usize {
    let p = TABLE.swap(core::ptr::null_mut(), Ordering::AcqRel);
    if p.is_null() {
        return 0;
    }
    // SAFETY: from `KBox::into_raw` in `init`; no exported call can run
    // any more (no consumer holds a reference to the module).
    let t = unsafe { KBox::from_raw(p) };
    let mut t = KBox::into_inner(t);
    t.get_mut().iter().flatten().count()
}

fn table() -> Option<&'static Table> {
    // SAFETY: set in `init` to a leaked box, valid until `exit`, which runs
    // only once no caller of the exported functions is left.
    unsafe { TABLE.load(Ordering::Acquire).as_ref() }
}

fn report(dev: &Device, what: &CStr, state: &State) {
    // SAFETY: valid device and string.
    unsafe {
        bindings::rudma_report_bad_dma(
            dev.as_raw(),
            what.as_char_ptr(),
            state.addr,
            state.__size as usize,
        )
    };
}

/// Runs `f` on the mapping of `state`, with the table locked.
fn with_mapping<R>(
    dev: &Device,
    state: &State,
    f: impl FnOnce(&mut Option<IovaMapping>) -> R,
) -> Option<R> {
    let t = table()?;
    let mut t = t.lock();
    let slot = t.iter_mut().find(|m| {
        m.as_ref().is_some_and(|m| {
            m.addr() == state.addr
                && m.size() == state.__size
                && m.device().as_raw() == dev.as_raw()
        })
    })?;
    Some(f(slot))
}

/// `dma_iova_try_alloc`.
///
/// # Safety
///
/// `dev` is a valid device, `state` valid for writes.
#[no_mangle]
pub(crate) unsafe extern "C" fn rudma_iova_try_alloc(
    dev: *mut bindings::device,
    state: *mut State,
    phys: bindings::phys_addr_t,
    size: usize,
) -> bool {
    // SAFETY: the caller's guarantee.
    let (dev, state) = unsafe { (Device::from_raw(dev), &mut *state) };
    *state = State::default();
    let Some(t) = table() else { return false };
    let Ok(m) = IovaMapping::try_alloc(dev, phys, size as u64) else {
        return false;
    };
    let (addr, size) = (m.addr(), m.size());
    let mut t = t.lock();
    let Ok(i) = free_slot(&mut t, GFP_ATOMIC) else {
        return false; // `m` drops: IOVA freed
    };
    t[i] = Some(m);
    state.addr = addr;
    state.__size = size;
    true
}

/// `dma_iova_link`.
///
/// # Safety
///
/// `dev` is a valid device, `state` valid for reads.
#[no_mangle]
pub(crate) unsafe extern "C" fn rudma_iova_link(
    dev: *mut bindings::device,
    state: *mut State,
    phys: bindings::phys_addr_t,
    offset: usize,
    size: usize,
    dir: bindings::dma_data_direction,
    attrs: kernel::ffi::c_ulong,
) -> kernel::ffi::c_int {
    // SAFETY: the caller's guarantee.
    let (dev, state) = unsafe { (Device::from_raw(dev), &*state) };
    let r = with_mapping(dev, state, |m| match m {
        Some(m) => m.link(phys, offset as u64, size as u64, dir, attrs as u64),
        None => Err(EINVAL),
    });
    match r {
        Some(Ok(())) => 0,
        Some(Err(e)) if e == ENOMEM => e.to_errno(),
        Some(Err(e)) => {
            report(
                dev,
                c_str!("dma_iova_link: range misaligned, outside or already linked"),
                state,
            );
            e.to_errno()
        }
        None => {
            report(
                dev,
                c_str!("dma_iova_link on a state not from dma_iova_try_alloc"),
                state,
            );
            EINVAL.to_errno()
        }
    }
}

/// `dma_iova_sync`.
///
/// # Safety
///
/// `dev` is a valid device, `state` valid for reads.
#[no_mangle]
pub(crate) unsafe extern "C" fn rudma_iova_sync(
    dev: *mut bindings::device,
    state: *mut State,
    offset: usize,
    size: usize,
) -> kernel::ffi::c_int {
    // SAFETY: the caller's guarantee.
    let (dev, state) = unsafe { (Device::from_raw(dev), &*state) };
    match with_mapping(dev, state, |m| match m {
        Some(m) => m.sync(offset as u64, size as u64),
        None => Err(EINVAL),
    }) {
        Some(Ok(())) => 0,
        Some(Err(e)) => {
            report(dev, c_str!("dma_iova_sync of a range not linked"), state);
            e.to_errno()
        }
        None => {
            report(
                dev,
                c_str!("dma_iova_sync on a state not from dma_iova_try_alloc"),
                state,
            );
            EINVAL.to_errno()
        }
    }
}

/// `dma_iova_unlink`.
///
/// # Safety
///
/// `dev` is a valid device, `state` valid for reads.
#[no_mangle]
pub(crate) unsafe extern "C" fn rudma_iova_unlink(
    dev: *mut bindings::device,
    state: *mut State,
    offset: usize,
    size: usize,
    dir: bindings::dma_data_direction,
    attrs: kernel::ffi::c_ulong,
) {
    // SAFETY: the caller's guarantee.
    let (dev, state) = unsafe { (Device::from_raw(dev), &*state) };
    match with_mapping(dev, state, |m| match m {
        Some(m) => m.unlink(offset as u64, size as u64, dir, attrs as u64),
        None => Err(EINVAL),
    }) {
        Some(Ok(())) => {}
        Some(Err(_)) => report(dev, c_str!("dma_iova_unlink of a range not linked"), state),
        None => report(
            dev,
            c_str!("dma_iova_unlink on a state not from dma_iova_try_alloc"),
            state,
        ),
    }
}

/// `dma_iova_destroy`.
///
/// # Safety
///
/// `dev` is a valid device, `state` valid for reads and writes.
#[no_mangle]
pub(crate) unsafe extern "C" fn rudma_iova_destroy(
    dev: *mut bindings::device,
    state: *mut State,
    mapped_len: usize,
    dir: bindings::dma_data_direction,
    attrs: kernel::ffi::c_ulong,
) {
    // SAFETY: the caller's guarantee.
    let (dev, state) = unsafe { (Device::from_raw(dev), &mut *state) };
    let r = with_mapping(dev, state, |m| {
        m.take().map_or(Err(EINVAL), |m| {
            m.destroy(mapped_len as u64, dir, attrs as u64)
        })
    });
    match r {
        Some(Ok(())) => {}
        Some(Err(_)) => report(
            dev,
            c_str!(
                "dma_iova_destroy: mapped_len not linked, or other ranges still linked (torn down)"
            ),
            state,
        ),
        None => report(
            dev,
            c_str!("dma_iova_destroy on a state not from dma_iova_try_alloc"),
            state,
        ),
    }
    *state = State::default();
}

/// `dma_iova_free`.
///
/// # Safety
///
/// `dev` is a valid device, `state` valid for reads and writes.
#[no_mangle]
pub(crate) unsafe extern "C" fn rudma_iova_free(dev: *mut bindings::device, state: *mut State) {
    // SAFETY: the caller's guarantee.
    let (dev, state) = unsafe { (Device::from_raw(dev), &mut *state) };
    let r = with_mapping(dev, state, |m| match m.take() {
        Some(m) => m.free().map_err(|(m, e)| {
            drop(m); // unlinks what is left, then frees
            e
        }),
        None => Err(EINVAL),
    });
    match r {
        Some(Ok(())) => {}
        Some(Err(_)) => report(
            dev,
            c_str!("dma_iova_free with ranges still linked (torn down)"),
            state,
        ),
        None => report(
            dev,
            c_str!("dma_iova_free on a state not from dma_iova_try_alloc"),
            state,
        ),
    }
    *state = State::default();
}
