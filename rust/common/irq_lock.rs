// SPDX-License-Identifier: GPL-2.0

//! A spinlock taken with local interrupts disabled, for data the DMA API
//! reaches from any context (process, softirq, hard interrupt).  The 6.12
//! kernel crate's `SpinLock` does not disable interrupts.  The `spinlock_t`
//! lives in its own allocation (c_shims/locks.c), so the lock may move.

use super::bindings;
use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;
use kernel::prelude::*;

/// Lockdep classes: one per kind, since a CPU cache lock nests a depot
/// lock and both nest nothing else.
#[derive(Clone, Copy)]
pub enum LockKind {
    /// A CPU's magazines.
    CpuCache,
    /// A size class's depot of cached slots.
    Depot,
    /// A size class's list of unmapped slots.
    FreeList,
    /// A size class's routing state (nests nothing).
    Router,
}

/// `T` behind an interrupt-safe spinlock.
///
/// # Invariants
///
/// `lock` is an initialised `spinlock_t` from `rudma_irq_lock_alloc`,
/// owned by this object; `data` is only accessed with it held.
pub struct IrqLock<T> {
    lock: NonNull<kernel::ffi::c_void>,
    data: UnsafeCell<T>,
}

// SAFETY: the lock serialises all access to `data`, so sharing the
// `IrqLock` between threads is sound when `T` may be sent between them.
unsafe impl<T: Send> Sync for IrqLock<T> {}
// SAFETY: the raw lock pointer is owned and only used through `&self`.
unsafe impl<T: Send> Send for IrqLock<T> {}

impl<T> IrqLock<T> {
    /// A new lock of lockdep class `kind` around `data` (may sleep).
    pub fn new(kind: LockKind, data: T) -> Result<Self> {
        let k = match kind {
            LockKind::CpuCache => bindings::RUDMA_LOCK_CPU_CACHE,
            LockKind::Depot => bindings::RUDMA_LOCK_DEPOT,
            LockKind::FreeList => bindings::RUDMA_LOCK_FREE_LIST,
            LockKind::Router => bindings::RUDMA_LOCK_ROUTER,
        };
        // SAFETY: plain allocation; process context (the caller's).
        let lock = unsafe { bindings::rudma_irq_lock_alloc(k) };
        let lock = NonNull::new(lock).ok_or(ENOMEM)?;
        // INVARIANT: freshly allocated and initialised.
        Ok(Self {
            lock,
            data: UnsafeCell::new(data),
        })
    }

    /// Takes the lock with interrupts off until the guard is dropped.
    pub fn lock(&self) -> IrqLockGuard<'_, T> {
        // SAFETY: by the type invariant `lock` is a valid spinlock.
        let flags = unsafe { bindings::rudma_irq_lock(self.lock.as_ptr()) };
        IrqLockGuard {
            owner: self,
            flags,
            _not_send: core::marker::PhantomData,
        }
    }

    /// The data, without locking: exclusive access makes the lock moot.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T> Drop for IrqLock<T> {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own the lock; `&mut self` means
        // no guard is alive, so it is not held.
        unsafe { bindings::rudma_irq_lock_free(self.lock.as_ptr()) };
    }
}

/// Access to an [`IrqLock`]'s data; unlocks and restores interrupts on drop.
pub struct IrqLockGuard<'a, T> {
    owner: &'a IrqLock<T>,
    flags: kernel::ffi::c_ulong,
    /// Interrupts are off on this CPU until the guard drops: not `Send`.
    _not_send: core::marker::PhantomData<*mut ()>,
}

impl<T> Deref for IrqLockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, which serialises access.
        unsafe { &*self.owner.data.get() }
    }
}

impl<T> DerefMut for IrqLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, which serialises access.
        unsafe { &mut *self.owner.data.get() }
    }
}

impl<T> Drop for IrqLockGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: taken in `IrqLock::lock` with these flags, on this CPU
        // (interrupts stayed off, so no migration).
        unsafe { bindings::rudma_irq_unlock(self.owner.lock.as_ptr(), self.flags) };
    }
}
