// SPDX-License-Identifier: GPL-2.0

//! One size class's IOVA region: `slots` buffers of `slot_size` bytes laid
//! out back to back from `base`, so that a slot's IOVA is
//! `base + index * slot_size` and an IOVA gives its slot by arithmetic.
//! Pure logic (host-tested).

/// Why a region was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionError {
    /// Slot size not a power of two, or no slots.
    Shape,
    /// Base not aligned to the IOVA granule, or the region wraps.
    Placement,
}

/// A contiguous IOVA region cut into equal, power-of-two slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotRegion {
    base: u64,
    slot_shift: u32,
    slots: u32,
}

impl SlotRegion {
    /// A region of `slots` slots of `slot_size` bytes at `base`, which must
    /// be aligned to `granule` (the IOMMU's smallest page).
    pub fn new(
        base: u64,
        slot_size: usize,
        slots: u32,
        granule: usize,
    ) -> Result<Self, RegionError> {
        if !slot_size.is_power_of_two() || slots == 0 || !granule.is_power_of_two() {
            return Err(RegionError::Shape);
        }
        if base & (granule as u64 - 1) != 0 {
            return Err(RegionError::Placement);
        }
        let bytes = (slot_size as u64)
            .checked_mul(u64::from(slots))
            .ok_or(RegionError::Placement)?;
        base.checked_add(bytes).ok_or(RegionError::Placement)?;
        Ok(Self {
            base,
            slot_shift: slot_size.trailing_zeros(),
            slots,
        })
    }

    /// First IOVA of the region.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Bytes per slot.
    pub fn slot_size(&self) -> usize {
        1usize << self.slot_shift
    }

    /// Number of slots.
    pub fn slots(&self) -> u32 {
        self.slots
    }

    /// Bytes of IOVA space the region spans.
    pub fn bytes(&self) -> u64 {
        u64::from(self.slots) << self.slot_shift
    }

    /// The IOVA of slot `index`, or `None` past the last slot.
    pub fn iova(&self, index: u32) -> Option<u64> {
        (index < self.slots).then(|| self.base + (u64::from(index) << self.slot_shift))
    }

    /// The slot an IOVA falls in and its offset there, or `None` if the
    /// IOVA lies outside the region.
    pub fn locate(&self, iova: u64) -> Option<(u32, usize)> {
        let rel = iova.checked_sub(self.base)?;
        let index = rel >> self.slot_shift;
        if index >= u64::from(self.slots) {
            return None;
        }
        // `index < slots <= u32::MAX` and the offset is below `slot_size`.
        Some((
            index as u32,
            (rel & ((1u64 << self.slot_shift) - 1)) as usize,
        ))
    }
}

/// Slot counts to try when reserving a region: `wanted`, then halves down
/// to `min` (a region that cannot be reserved shrinks before the class
/// falls back to iommu-dma).  Empty if `wanted < min` or `min == 0`.
pub fn shrinking_attempts(wanted: u32, min: u32) -> impl Iterator<Item = u32> {
    let start = if min == 0 || wanted < min {
        None
    } else {
        Some(wanted)
    };
    core::iter::successors(start, move |&n| {
        (n / 2 >= min && n / 2 < n).then_some(n / 2)
    })
}

/// Share of a device's IOVA space below its limit that a pool may reserve
/// in all (1 / `IOVA_SHARE`), split evenly between its size classes.
pub const IOVA_SHARE: u64 = 4;

/// Slots a class of `slot_size` bytes may reserve, one of `classes`
/// classes of a pool whose device reaches IOVAs up to `limit`: at most
/// `wanted`, rounded down to a power of two (the IOVA allocator aligns
/// ranges to their power-of-two size), within the class's share of the
/// space.  0 when not even one slot fits the share.
pub fn fitted_slots(wanted: u32, slot_size: usize, classes: usize, limit: u64) -> u32 {
    if slot_size == 0 || classes == 0 || wanted == 0 {
        return 0;
    }
    let share = (limit / IOVA_SHARE + 1) / classes as u64;
    let n = (share / slot_size as u64).min(u64::from(wanted));
    if n == 0 {
        0
    } else {
        // `n <= wanted <= u32::MAX`.
        1u32 << (63 - n.leading_zeros())
    }
}
