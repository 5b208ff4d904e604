// SPDX-License-Identifier: GPL-2.0

//! A mutex with `try_lock`, which the 6.12 kernel crate's `Mutex` lacks
//! and a shrinker needs (it must not sleep on a lock whose holder may be
//! allocating memory).  The `struct mutex` lives in its own allocation
//! (c_shims/locks.c), so the owner may move.

use super::bindings;
use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;
use kernel::prelude::*;

/// `T` behind a sleeping mutex.
///
/// # Invariants
///
/// `m` is an initialised mutex from `rudma_mutex_alloc`, owned by this
/// object; `data` is only accessed with it held.
pub struct TryMutex<T> {
    m: NonNull<kernel::ffi::c_void>,
    data: UnsafeCell<T>,
}

// SAFETY: the mutex serialises all access to `data`.
unsafe impl<T: Send> Sync for TryMutex<T> {}
// SAFETY: the raw pointer is owned and only used through `&self`.
unsafe impl<T: Send> Send for TryMutex<T> {}

impl<T> TryMutex<T> {
    /// A new mutex around `data` (may sleep).
    pub fn new(data: T) -> Result<Self> {
        // SAFETY: plain allocation in process context.
        let m = NonNull::new(unsafe { bindings::rudma_mutex_alloc() }).ok_or(ENOMEM)?;
        // INVARIANT: freshly allocated and initialised.
        Ok(Self {
            m,
            data: UnsafeCell::new(data),
        })
    }

    /// Takes the mutex (may sleep).
    pub fn lock(&self) -> TryMutexGuard<'_, T> {
        // SAFETY: by the type invariant `m` is a valid mutex.
        unsafe { bindings::rudma_mutex_lock(self.m.as_ptr()) };
        TryMutexGuard {
            owner: self,
            _not_send: core::marker::PhantomData,
        }
    }

    /// Takes the mutex if nobody holds it.
    pub fn try_lock(&self) -> Option<TryMutexGuard<'_, T>> {
        // SAFETY: by the type invariant `m` is a valid mutex.
        unsafe { bindings::rudma_mutex_trylock(self.m.as_ptr()) }.then_some(TryMutexGuard {
            owner: self,
            _not_send: core::marker::PhantomData,
        })
    }
}

impl<T> Drop for TryMutex<T> {
    fn drop(&mut self) {
        // SAFETY: owned, and not held (`&mut self`: no guard is alive).
        unsafe { bindings::rudma_mutex_free(self.m.as_ptr()) };
    }
}

/// Access to a [`TryMutex`]'s data; unlocks on drop.
pub struct TryMutexGuard<'a, T> {
    owner: &'a TryMutex<T>,
    /// A mutex is released by the task that took it: not `Send`.
    _not_send: core::marker::PhantomData<*mut ()>,
}

impl<T> Deref for TryMutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex.
        unsafe { &*self.owner.data.get() }
    }
}

impl<T> DerefMut for TryMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex.
        unsafe { &mut *self.owner.data.get() }
    }
}

impl<T> Drop for TryMutexGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: this guard took the mutex.
        unsafe { bindings::rudma_mutex_unlock(self.owner.m.as_ptr()) };
    }
}
