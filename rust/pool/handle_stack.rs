// SPDX-License-Identifier: GPL-2.0

//! A fixed-capacity stack of slot handles over caller-provided storage:
//! a size class's list of unmapped slots, and its depot of cached slots
//! per permission.  The storage is allocated once, when the pool is
//! created, with room for every slot of the class, so no operation ever
//! allocates (the DMA fast path may run in atomic context).  Pure logic
//! (host-tested).

use super::magazine::Magazine;
use core::ops::DerefMut;

/// A stack of `u32` handles in `buf[..len]`.
pub struct HandleStack<S: DerefMut<Target = [u32]>> {
    buf: S,
    len: usize,
}

impl<S: DerefMut<Target = [u32]>> HandleStack<S> {
    /// An empty stack that can hold `buf.len()` handles.
    pub fn new(buf: S) -> Self {
        Self { buf, len: 0 }
    }

    /// Handles held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Handles it can hold.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Adds a handle; gives it back if the stack is full.
    pub fn push(&mut self, h: u32) -> Result<(), u32> {
        match self.buf.get_mut(self.len) {
            Some(s) => {
                *s = h;
                self.len += 1;
                Ok(())
            }
            None => Err(h),
        }
    }

    /// Takes the most recently pushed handle.
    pub fn pop(&mut self) -> Option<u32> {
        self.len = self.len.checked_sub(1)?;
        self.buf.get(self.len).copied()
    }

    /// Moves handles into `m` until it is full or this stack is empty;
    /// returns how many moved.
    pub fn refill<const CAP: usize>(&mut self, m: &mut Magazine<CAP>) -> usize {
        let mut moved = 0;
        while !m.is_full() {
            let Some(h) = self.pop() else { break };
            // Cannot fail: `m` is not full.
            let _ = m.push(h);
            moved += 1;
        }
        moved
    }

    /// Moves every handle of `m` onto this stack, as long as there is
    /// room; returns how many moved (the rest stay in `m`).
    pub fn spill<const CAP: usize>(&mut self, m: &mut Magazine<CAP>) -> usize {
        let mut moved = 0;
        while self.len < self.capacity() {
            let Some(h) = m.pop() else { break };
            // Cannot fail: there is room.
            let _ = self.push(h);
            moved += 1;
        }
        moved
    }

    /// Removes the handles `keep` rejects, pushing them to `out` while it
    /// has room (order of the kept ones is preserved); returns how many
    /// were removed.  Used to age cached slots out.  Stops looking once
    /// `out` is full, so a call costs O(len) at most, with one move of
    /// the unexamined tail.
    pub fn extract<const CAP: usize>(
        &mut self,
        out: &mut Magazine<CAP>,
        mut keep: impl FnMut(u32) -> bool,
    ) -> usize {
        let (mut w, mut r) = (0, 0);
        let mut removed = 0;
        while r < self.len && !out.is_full() {
            let h = self.buf[r];
            if keep(h) {
                self.buf[w] = h;
                w += 1;
            } else {
                // Cannot fail: `out` is not full.
                let _ = out.push(h);
                removed += 1;
            }
            r += 1;
        }
        self.buf.copy_within(r..self.len, w);
        self.len = w + (self.len - r);
        removed
    }

    /// The handles held, oldest first.
    pub fn as_slice(&self) -> &[u32] {
        &self.buf[..self.len]
    }
}

impl<const CAP: usize> Magazine<CAP> {
    /// Removes the handles `keep` rejects, pushing them to `out` while it
    /// has room; returns how many were removed.
    pub fn extract<const OUT: usize>(
        &mut self,
        out: &mut Magazine<OUT>,
        mut keep: impl FnMut(u32) -> bool,
    ) -> usize {
        let mut kept = Magazine::<CAP>::new();
        let mut removed = 0;
        for &h in self.as_slice() {
            if !out.is_full() && !keep(h) {
                let _ = out.push(h);
                removed += 1;
            } else {
                let _ = kept.push(h);
            }
        }
        *self = kept;
        removed
    }
}
