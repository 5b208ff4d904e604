// SPDX-License-Identifier: GPL-2.0

//! Cutting one contiguous bounce IOVA range into DMA segments that respect
//! the device's maximum segment size and segment boundary, as a scatterlist
//! bounced into one slot must be reported.  Pure logic (host-tested).

/// Iterator over `(dma_addr, len)` segments covering `[addr, addr + len)`.
#[derive(Clone, Debug)]
pub struct Segments {
    addr: u64,
    left: u64,
    max_seg: u64,
    boundary_mask: u64,
}

/// The segments of `[addr, addr + len)` for a device whose segments may be
/// at most `max_seg` bytes (0 is treated as 1) and must not cross a
/// multiple of `boundary_mask + 1` (`boundary_mask` is `2^n - 1`; all ones
/// means no boundary).
pub fn segments(addr: u64, len: u64, max_seg: u64, boundary_mask: u64) -> Segments {
    Segments {
        addr,
        left: len,
        max_seg: max_seg.max(1),
        boundary_mask,
    }
}

impl Iterator for Segments {
    type Item = (u64, u64);

    fn next(&mut self) -> Option<(u64, u64)> {
        if self.left == 0 {
            return None;
        }
        // Bytes until the next boundary: (mask - (addr & mask)) + 1, which
        // is 2^64 (no limit) when the mask is all ones and addr is 0.
        let to_boundary = (self.boundary_mask - (self.addr & self.boundary_mask)).saturating_add(1);
        let len = self.left.min(self.max_seg).min(to_boundary);
        let seg = (self.addr, len);
        self.addr = self.addr.wrapping_add(len);
        self.left -= len;
        Some(seg)
    }
}
