// SPDX-License-Identifier: GPL-2.0

//! Per-CPU caching of free bounce slots: Bonwick's magazines, as the
//! kernel's IOVA rcache uses them.  Pure logic (host-tested); the kernel
//! side keeps one [`CpuCache`] per CPU (touched with preemption off) and a
//! locked depot of full and empty magazines shared by all CPUs.
//!
//! A CPU allocates from and frees to its own `loaded` magazine; when that
//! runs empty or full it swaps with `previous`, and only when both are
//! empty (or full) does it go to the depot, exchanging a whole magazine.
//! The depot lock is thus taken at most once per `CAP` operations.

/// A fixed-capacity stack of slot handles.
#[derive(Clone, Debug)]
pub struct Magazine<const CAP: usize> {
    items: [u32; CAP],
    len: usize,
}

impl<const CAP: usize> Default for Magazine<CAP> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const CAP: usize> Magazine<CAP> {
    /// An empty magazine.
    pub const fn new() -> Self {
        Self {
            items: [0; CAP],
            len: 0,
        }
    }

    /// Handles held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when it holds `CAP` handles.
    pub fn is_full(&self) -> bool {
        self.len == CAP
    }

    /// Adds a handle; gives it back if the magazine is full.
    pub fn push(&mut self, h: u32) -> Result<(), u32> {
        if self.is_full() {
            return Err(h);
        }
        self.items[self.len] = h;
        self.len += 1;
        Ok(())
    }

    /// Takes the most recently added handle (the warmest in cache).
    pub fn pop(&mut self) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        Some(self.items[self.len])
    }

    /// The handles held, oldest first.
    pub fn as_slice(&self) -> &[u32] {
        &self.items[..self.len]
    }
}

/// What a CPU needs from the depot to complete an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepotNeed {
    /// Both magazines are empty: swap `loaded` for a full one from the
    /// depot (and give the empty one back), or fall back to the slow path.
    Full,
    /// Both magazines are full: give `loaded` to the depot and take an
    /// empty one (or free the handles if the depot has no room).
    Empty,
}

/// One CPU's pair of magazines, in cache lines of their own (64 bytes on
/// x86-64 and arm64): an array of them never shares a line with another
/// CPU's, or with another allocation.
#[derive(Clone, Debug, Default)]
#[repr(align(64))]
pub struct CpuCache<const CAP: usize> {
    /// The magazine operations use first.
    pub loaded: Magazine<CAP>,
    /// The spare, swapped in when `loaded` runs dry or full.
    pub previous: Magazine<CAP>,
}

impl<const CAP: usize> CpuCache<CAP> {
    /// Takes a free handle, or says what the depot must provide.
    pub fn alloc(&mut self) -> Result<u32, DepotNeed> {
        if let Some(h) = self.loaded.pop() {
            return Ok(h);
        }
        if !self.previous.is_empty() {
            core::mem::swap(&mut self.loaded, &mut self.previous);
            return self.loaded.pop().ok_or(DepotNeed::Full);
        }
        Err(DepotNeed::Full)
    }

    /// Caches a freed handle, or gives it back with what the depot must
    /// provide first.
    pub fn free(&mut self, h: u32) -> Result<(), (u32, DepotNeed)> {
        let h = match self.loaded.push(h) {
            Ok(()) => return Ok(()),
            Err(h) => h,
        };
        if !self.previous.is_full() {
            core::mem::swap(&mut self.loaded, &mut self.previous);
            return self.loaded.push(h).map_err(|h| (h, DepotNeed::Empty));
        }
        Err((h, DepotNeed::Empty))
    }

    /// Replaces `loaded` with `m` (from the depot) and returns the old one.
    pub fn exchange(&mut self, m: Magazine<CAP>) -> Magazine<CAP> {
        core::mem::replace(&mut self.loaded, m)
    }

    /// Handles cached on this CPU.
    pub fn len(&self) -> usize {
        self.loaded.len() + self.previous.len()
    }

    /// True when this CPU caches nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
