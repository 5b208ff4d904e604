// SPDX-License-Identifier: GPL-2.0

//! DMA API callers inside rudma's ops: the read-side section each
//! callback runs in, and the wait that outlasts every caller of ops that
//! were removed (c_shims/ops_section.c explains why both RCU Tasks and
//! SRCU are needed).

use super::bindings;

/// A DMA ops callback in progress; the section ends when it is dropped.
pub struct CallbackSection {
    idx: kernel::ffi::c_int,
}

impl CallbackSection {
    /// Starts the section of a callback for `dev`.
    ///
    /// # Safety
    ///
    /// `dev` must be a valid device (the DMA API caller's).
    pub unsafe fn enter(dev: *mut bindings::device) -> Self {
        // SAFETY: `dev` is valid (the caller's guarantee); the C side only
        // hands it to a test hook.
        let idx = unsafe { bindings::rudma_ops_enter(dev) };
        Self { idx }
    }
}

impl Drop for CallbackSection {
    fn drop(&mut self) {
        // SAFETY: ends the section `enter` began, on the same task.
        unsafe { bindings::rudma_ops_exit(self.idx) };
    }
}

/// Waits until no DMA API call can still be running in, or on its way
/// into, ops that were removed from a device before this call.  Sleeps.
pub fn wait_dma_callers() {
    // SAFETY: plain call; it sleeps, and is only called from process
    // context (sysfs writes, bus notifiers, module init and exit).
    unsafe { bindings::rudma_wait_dma_callers() };
}

/// Waits until every callback that is inside its section now has left it;
/// later callbacks see the caller's earlier stores.  For state the
/// callbacks read inside their section while the ops stay installed (a
/// device's draining flag); cheaper than [`wait_dma_callers`], which also
/// waits for callers not yet inside.  Sleeps.
pub fn wait_ops_sections() {
    // SAFETY: plain call; it sleeps, and is only called from process
    // context (sysfs writes, bus notifiers).
    unsafe { bindings::rudma_wait_ops_sections() };
}

/// A grace period of the callbacks' sections, polled instead of waited
/// for: once [`GracePeriod::done`], every callback that was inside its
/// section at [`GracePeriod::start`] has left it, and later ones see the
/// stores made before `start` (as after [`wait_ops_sections`]).  Never
/// sleeps; for work that must not hold its locks across a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GracePeriod(kernel::ffi::c_ulong);

impl GracePeriod {
    /// Starts a grace period (or joins the one that will cover it).
    pub fn start() -> Self {
        // SAFETY: plain call; never sleeps, any context.
        Self(unsafe { bindings::rudma_ops_gp_start() })
    }

    /// The cookie, to keep in an atomic.
    pub fn to_bits(self) -> u64 {
        self.0 as u64
    }

    /// A grace period kept with [`GracePeriod::to_bits`] (any value is
    /// safe: a made-up cookie only gives a wrong answer).
    pub fn from_bits(bits: u64) -> Self {
        Self(bits as kernel::ffi::c_ulong)
    }

    /// Whether the grace period has ended.
    pub fn done(self) -> bool {
        // SAFETY: plain call with a cookie `start` returned; never sleeps.
        unsafe { bindings::rudma_ops_gp_done(self.0) }
    }
}
