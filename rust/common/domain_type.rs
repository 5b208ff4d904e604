// SPDX-License-Identifier: GPL-2.0

//! IOMMU domain types, decoded from `struct iommu_domain::type`.
//!
//! Pure logic: the flag values are those of `include/linux/iommu.h` in
//! 6.12 and are checked against the generated bindings at build time by
//! the kernel module (see `rudma_core.rs`).

/// `__IOMMU_DOMAIN_PAGING`: supports iommu_map/unmap.
pub const PAGING: u32 = 1 << 0;
/// `__IOMMU_DOMAIN_DMA_API`: used by the DMA API.
pub const DMA_API: u32 = 1 << 1;
/// `__IOMMU_DOMAIN_PT`: identity mapped.
pub const PT: u32 = 1 << 2;
/// `__IOMMU_DOMAIN_DMA_FQ`: DMA API with a flush queue (lazy).
pub const DMA_FQ: u32 = 1 << 3;
/// `__IOMMU_DOMAIN_SVA`: shares a process address space.
pub const SVA: u32 = 1 << 4;
/// `__IOMMU_DOMAIN_PLATFORM`: legacy platform-specific.
pub const PLATFORM: u32 = 1 << 5;
/// `__IOMMU_DOMAIN_NESTED`: user-managed, nested on a parent.
pub const NESTED: u32 = 1 << 6;

/// The kind of domain a device's DMA goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DomainType {
    /// All DMA blocked.
    Blocked,
    /// Identity (passthrough): IOVA == physical address.
    Identity,
    /// Paging domain owned by a driver or VFIO, not the DMA API.
    Unmanaged,
    /// DMA API, strict invalidation.
    Dma,
    /// DMA API, deferred (flush queue, "lazy") invalidation.
    DmaFq,
    /// Shared virtual addressing.
    Sva,
    /// Platform-specific legacy domain.
    Platform,
    /// Nested (user-managed) domain.
    Nested,
    /// A value this version does not know.
    Unknown(u32),
}

impl DomainType {
    /// Decodes the `type` field of `struct iommu_domain`.
    pub const fn from_raw(t: u32) -> Self {
        match t {
            0 => Self::Blocked,
            PT => Self::Identity,
            PAGING => Self::Unmanaged,
            x if x == PAGING | DMA_API => Self::Dma,
            x if x == PAGING | DMA_API | DMA_FQ => Self::DmaFq,
            SVA => Self::Sva,
            PLATFORM => Self::Platform,
            NESTED => Self::Nested,
            x => Self::Unknown(x),
        }
    }

    /// The name `/sys/kernel/iommu_groups/N/type` uses for the same type.
    pub const fn sysfs_name(&self) -> &'static str {
        match self {
            Self::Blocked => "blocked",
            Self::Identity => "identity",
            Self::Unmanaged => "unmanaged",
            Self::Dma => "DMA",
            Self::DmaFq => "DMA-FQ",
            Self::Sva => "sva",
            Self::Platform => "platform",
            Self::Nested => "nested",
            Self::Unknown(_) => "unknown",
        }
    }

    /// True when the DMA API translates this device's streaming DMA
    /// through the IOMMU (iommu-dma is in charge).
    pub const fn is_dma_api(&self) -> bool {
        matches!(self, Self::Dma | Self::DmaFq)
    }
}
