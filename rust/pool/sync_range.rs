// SPDX-License-Identifier: GPL-2.0

//! Which bytes a sync of part of a bounced mapping copies.  The caller's
//! data sits at `[data_off, data_off + len)` in the slot; a sync names an
//! address inside the mapping and a size.  Pure logic (host-tested).

/// A bounced mapping as the slot records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapped {
    /// Offset of the caller's first byte in the slot.
    pub data_off: usize,
    /// Bytes mapped.
    pub len: usize,
}

/// The part of a mapping one sync covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Offset from the start of the caller's buffer (and of the data in
    /// the slot).
    pub off: usize,
    /// Bytes to copy.
    pub len: usize,
}

impl Mapped {
    /// The span a sync of `size` bytes at slot offset `at` covers, or
    /// `None` if it is not inside the mapping (API misuse).
    pub fn span(&self, at: usize, size: usize) -> Option<Span> {
        let off = at.checked_sub(self.data_off)?;
        let end = off.checked_add(size)?;
        (end <= self.len).then_some(Span { off, len: size })
    }

    /// Bytes of a `slot_size` slot outside the caller's data: the head and
    /// the tail, which an untrusted device must only ever see as zeros.
    pub fn outside(&self, slot_size: usize) -> (Span, Span) {
        let end = (self.data_off + self.len).min(slot_size);
        (
            Span {
                off: 0,
                len: self.data_off.min(slot_size),
            },
            Span {
                off: end,
                len: slot_size - end,
            },
        )
    }
}

/// Whether `len` bytes at `addr` cover whole IOMMU granules (`granule` a
/// power of two): then a mapping of them in place exposes nothing else
/// to the device.  A zero granule (no IOMMU) never aligns.
pub fn whole_granules(addr: u64, len: usize, granule: usize) -> bool {
    granule.is_power_of_two() && (addr | len as u64) & (granule as u64 - 1) == 0
}
