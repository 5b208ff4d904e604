// SPDX-License-Identifier: GPL-2.0

//! The geometry of a two-stage (IOVA-first) mapping and the rules its
//! calls must follow.  Pure logic (host-tested).
//!
//! `dma_iova_try_alloc(phys, size)` reserves IOVA for `size` bytes plus
//! `pad`, the offset of `phys` within an IOMMU granule; the caller's
//! address is `base + pad`.  `dma_iova_link(phys, offset, len)` maps
//! `[phys, phys + len)` at caller address `offset`.  Links are mapped in
//! whole granules, so (as upstream) every link but the first must start
//! on a granule boundary and every link but the last must end on one, and
//! a link's physical address must have the same offset within a granule
//! as its IOVA.  Each granule is linked at most once at a time.

/// Why a call was refused (each becomes `-EINVAL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// Zero length, or beyond the reserved size.
    Range,
    /// Physical and IOVA offsets within a granule differ.
    Offset,
    /// Starts inside a granule, and is not the first link.
    Start,
    /// Ends inside a granule, and is not the last link.
    End,
    /// A granule of it is already linked.
    Linked,
    /// A granule of it is not linked (unlink, sync).
    NotLinked,
}

/// Granules `[first, end)` of a mapping, and the IOVA/physical span they
/// cover relative to the reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First granule index.
    pub first: u64,
    /// One past the last granule index.
    pub end: u64,
    /// Byte offset of the first granule from the reservation's base.
    pub iova_off: u64,
    /// Physical address of the first granule (links only).
    pub phys: u64,
    /// Bytes: `(end - first) * granule`.
    pub len: u64,
}

/// A reservation's geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pad: u64,
    size: u64,
    granule: u64,
}

impl Layout {
    /// The layout for `size` bytes aligned like `phys`, with the IOMMU's
    /// `granule`; `None` for a zero size, a size above `max`, or a granule
    /// that is not a power of two.
    pub fn new(phys: u64, size: u64, granule: u64, max: u64) -> Option<Self> {
        if size == 0 || size > max || !granule.is_power_of_two() {
            return None;
        }
        Some(Self {
            pad: phys & (granule - 1),
            size,
            granule,
        })
    }

    /// Offset of the caller's first byte from the reservation's base.
    pub fn pad(&self) -> u64 {
        self.pad
    }

    /// Bytes the caller asked for.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Bytes to reserve: whole granules.
    pub fn alloc_len(&self) -> u64 {
        (self.pad + self.size + self.granule - 1) & !(self.granule - 1)
    }

    /// Granules in the reservation.
    pub fn granules(&self) -> u64 {
        self.alloc_len() >> self.granule.trailing_zeros()
    }

    /// The granules `[offset, offset + len)` (caller offsets) touch.
    pub fn range(&self, offset: u64, len: u64) -> Result<Span, LinkError> {
        let end = offset.checked_add(len).ok_or(LinkError::Range)?;
        if len == 0 || end > self.size {
            return Err(LinkError::Range);
        }
        let (a, b) = (self.pad + offset, self.pad + end);
        let shift = self.granule.trailing_zeros();
        let first = a >> shift;
        let last = (b + self.granule - 1) >> shift;
        Ok(Span {
            first,
            end: last,
            iova_off: first * self.granule,
            phys: 0,
            len: (last - first) * self.granule,
        })
    }

    /// Checks a link of `len` bytes of `phys` at caller offset `offset`
    /// and gives the granules to map.
    pub fn link(&self, phys: u64, offset: u64, len: u64) -> Result<Span, LinkError> {
        let mut span = self.range(offset, len)?;
        let mask = self.granule - 1;
        let a = self.pad + offset;
        if (a ^ phys) & mask != 0 {
            return Err(LinkError::Offset);
        }
        if offset != 0 && a & mask != 0 {
            return Err(LinkError::Start);
        }
        if offset + len != self.size && (a + len) & mask != 0 {
            return Err(LinkError::End);
        }
        span.phys = phys & !mask;
        Ok(span)
    }
}

/// Which granules are linked: a bitmap over caller-provided words.
pub struct Linked<'a> {
    words: &'a mut [u64],
}

impl<'a> Linked<'a> {
    /// Words needed for `granules` bits.
    pub fn words_for(granules: u64) -> usize {
        ((granules + 63) >> 6) as usize
    }

    /// A view of `words` (all clear when the reservation is made).
    pub fn new(words: &'a mut [u64]) -> Self {
        Self { words }
    }

    fn get(&self, i: u64) -> bool {
        self.words
            .get((i >> 6) as usize)
            .is_some_and(|w| w & (1 << (i & 63)) != 0)
    }

    fn put(&mut self, i: u64, on: bool) {
        if let Some(w) = self.words.get_mut((i >> 6) as usize) {
            if on {
                *w |= 1 << (i & 63);
            } else {
                *w &= !(1 << (i & 63));
            }
        }
    }

    /// Marks `span` linked; refuses (changing nothing) if any granule is.
    pub fn link(&mut self, span: &Span) -> Result<(), LinkError> {
        if (span.first..span.end).any(|i| self.get(i)) {
            return Err(LinkError::Linked);
        }
        (span.first..span.end).for_each(|i| self.put(i, true));
        Ok(())
    }

    /// Whether every granule of `span` is linked.
    pub fn all(&self, span: &Span) -> bool {
        (span.first..span.end).all(|i| self.get(i))
    }

    /// Marks `span` unlinked; refuses (changing nothing) unless every
    /// granule of it is linked.
    pub fn unlink(&mut self, span: &Span) -> Result<(), LinkError> {
        if !self.all(span) {
            return Err(LinkError::NotLinked);
        }
        (span.first..span.end).for_each(|i| self.put(i, false));
        Ok(())
    }

    /// Whether any granule is linked.
    pub fn any(&self) -> bool {
        self.words.iter().any(|&w| w != 0)
    }

    /// Maximal runs `[first, end)` of linked granules, in order.
    pub fn runs(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let n = self.words.len() as u64 * 64;
        let mut i = 0;
        core::iter::from_fn(move || {
            while i < n && !self.get(i) {
                i += 1;
            }
            if i >= n {
                return None;
            }
            let start = i;
            while i < n && self.get(i) {
                i += 1;
            }
            Some((start, i))
        })
    }
}
