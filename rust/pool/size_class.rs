// SPDX-License-Identifier: GPL-2.0

//! Bounce-pool size classes: powers of two from one page up to a
//! configurable maximum.  Pure logic (host-tested).

/// The largest top class a pool accepts: copying beyond this costs more
/// than the IOMMU map it saves (and the IOVA rcache stops at 128 KiB).
pub const MAX_CLASS_BYTES: usize = 1 << 20;
/// Default top class: 128 KiB.
pub const DEFAULT_MAX_BYTES: usize = 128 << 10;

/// Why a size-class configuration was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassError {
    /// The page size is not a power of two of at least 4 KiB.
    BadPage,
    /// The top class is not a power of two.
    NotPowerOfTwo,
    /// The top class is smaller than a page or larger than
    /// [`MAX_CLASS_BYTES`].
    OutOfBounds,
}

/// The size classes of one pool: class `i` holds buffers of
/// `page << i` bytes, `0 <= i < len()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeClasses {
    page_shift: u32,
    max_shift: u32,
}

impl SizeClasses {
    /// Classes from one page of `page_size` bytes up to `max_bytes`.
    pub fn new(page_size: usize, max_bytes: usize) -> Result<Self, ClassError> {
        if !page_size.is_power_of_two() || page_size < 4096 {
            return Err(ClassError::BadPage);
        }
        if !max_bytes.is_power_of_two() {
            return Err(ClassError::NotPowerOfTwo);
        }
        if max_bytes < page_size || max_bytes > MAX_CLASS_BYTES.max(page_size) {
            return Err(ClassError::OutOfBounds);
        }
        Ok(Self {
            page_shift: page_size.trailing_zeros(),
            max_shift: max_bytes.trailing_zeros(),
        })
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        (self.max_shift - self.page_shift + 1) as usize
    }

    /// Always false: there is at least the one-page class.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Bytes per buffer of class `class`, or `None` past the top class.
    pub fn size_of(&self, class: usize) -> Option<usize> {
        (class < self.len()).then(|| 1usize << (self.page_shift as usize + class))
    }

    /// The largest buffer the pool serves.
    pub fn max_bytes(&self) -> usize {
        1usize << self.max_shift
    }

    /// The smallest class whose buffers hold `size` bytes starting at
    /// `offset` within their first page (the bounce buffer keeps the
    /// caller's sub-page offset, so the device sees the same low bits).
    /// `None` for an empty mapping or one larger than the top class: those
    /// go to iommu-dma.
    pub fn class_of(&self, offset: usize, size: usize) -> Option<usize> {
        if size == 0 {
            return None;
        }
        let in_page = offset & ((1usize << self.page_shift) - 1);
        let need = in_page.checked_add(size)?;
        if need > self.max_bytes() {
            return None;
        }
        let pages_shift = need
            .next_power_of_two()
            .trailing_zeros()
            .saturating_sub(self.page_shift);
        Some(pages_shift as usize)
    }
}
