// SPDX-License-Identifier: GPL-2.0

//! Which cached bounce slots a mapping may reuse.  A cached slot keeps its
//! IOMMU mapping, so it is only reusable by a mapping that needs exactly
//! the same IOMMU permissions: read-only (the device reads: to-device),
//! write-only (from-device) or read-write (bidirectional), each with or
//! without the privileged attribute.  Pure logic (host-tested).

/// `DMA_TO_DEVICE`, `DMA_FROM_DEVICE`, `DMA_BIDIRECTIONAL` as the DMA API
/// numbers them.
pub const DIR_BIDIRECTIONAL: u32 = 0;
/// See [`DIR_BIDIRECTIONAL`].
pub const DIR_TO_DEVICE: u32 = 1;
/// See [`DIR_BIDIRECTIONAL`].
pub const DIR_FROM_DEVICE: u32 = 2;
/// `DMA_ATTR_PRIVILEGED`.
pub const ATTR_PRIVILEGED: u64 = 1 << 9;

/// The IOMMU access a device gets to a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perm {
    /// Device reads (CPU to device).
    Read,
    /// Device writes (device to CPU).
    Write,
    /// Both.
    ReadWrite,
}

/// The key of a slot cache: slots are reused only under an equal key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheKey {
    /// Access the slot is mapped with.
    pub perm: Perm,
    /// Mapped with the IOMMU's privileged flag.
    pub privileged: bool,
}

/// Number of distinct keys: caches are an array indexed by [`CacheKey::index`].
pub const KEYS: usize = 6;

impl CacheKey {
    /// The key for a mapping's direction and attributes; `None` for
    /// `DMA_NONE` or an unknown direction (API misuse).
    pub fn new(dir: u32, attrs: u64) -> Option<Self> {
        let perm = match dir {
            DIR_TO_DEVICE => Perm::Read,
            DIR_FROM_DEVICE => Perm::Write,
            DIR_BIDIRECTIONAL => Perm::ReadWrite,
            _ => return None,
        };
        Some(Self {
            perm,
            privileged: attrs & ATTR_PRIVILEGED != 0,
        })
    }

    /// A dense index in `0..KEYS`: the three common permissions first.
    pub fn index(&self) -> usize {
        let p = match self.perm {
            Perm::Read => 0,
            Perm::Write => 1,
            Perm::ReadWrite => 2,
        };
        p + if self.privileged { 3 } else { 0 }
    }

    /// Whether the CPU must copy into the slot before the device reads it.
    pub fn copy_to_device(&self) -> bool {
        matches!(self.perm, Perm::Read | Perm::ReadWrite)
    }

    /// Whether the CPU must copy out of the slot after the device wrote it.
    pub fn copy_from_device(&self) -> bool {
        matches!(self.perm, Perm::Write | Perm::ReadWrite)
    }

    /// The IOMMU protection flags a slot with this key is mapped with, as
    /// iommu-dma's `dma_info_to_prot()` computes them for a mapping.
    pub fn prot(&self, coherent: bool) -> i32 {
        let mut prot = if coherent { IOMMU_CACHE } else { 0 };
        if self.privileged {
            prot |= IOMMU_PRIV;
        }
        prot | match self.perm {
            Perm::Read => IOMMU_READ,
            Perm::Write => IOMMU_WRITE,
            Perm::ReadWrite => IOMMU_READ | IOMMU_WRITE,
        }
    }

    /// The key whose [`Self::index`] is `i`.
    pub fn from_index(i: usize) -> Option<Self> {
        let perm = match i % 3 {
            0 => Perm::Read,
            1 => Perm::Write,
            _ => Perm::ReadWrite,
        };
        (i < KEYS).then_some(Self {
            perm,
            privileged: i >= 3,
        })
    }
}

/// `IOMMU_READ` etc. from `<linux/iommu.h>`.
pub const IOMMU_READ: i32 = 1 << 0;
/// See [`IOMMU_READ`].
pub const IOMMU_WRITE: i32 = 1 << 1;
/// See [`IOMMU_READ`].
pub const IOMMU_CACHE: i32 = 1 << 2;
/// See [`IOMMU_READ`].
pub const IOMMU_PRIV: i32 = 1 << 5;
/// `DMA_ATTR_SKIP_CPU_SYNC`.
pub const ATTR_SKIP_CPU_SYNC: u64 = 1 << 5;
