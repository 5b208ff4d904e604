// SPDX-License-Identifier: GPL-2.0

//! DMA API vocabulary: directions, attributes, the error address.

use super::bindings;

/// `DMA_MAPPING_ERROR`, the address a failed mapping returns.
pub const DMA_MAPPING_ERROR: bindings::dma_addr_t = bindings::RUDMA_CONST_DMA_MAPPING_ERROR;

/// `DMA_ATTR_PERSISTENT_STREAMING`, from the rudma kernel patch series.
pub const DMA_ATTR_PERSISTENT_STREAMING: kernel::ffi::c_ulong =
    bindings::RUDMA_CONST_DMA_ATTR_PERSISTENT_STREAMING;

/// The CPU page size.
pub const PAGE_SIZE: usize = bindings::RUDMA_CONST_PAGE_SIZE;

/// `GFP_KERNEL` as the C calls this module makes take it.
pub const GFP_KERNEL: bindings::gfp_t = bindings::RUDMA_CONST_GFP_KERNEL;

/// Which way data moves in a streaming mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// CPU writes, device reads (`DMA_TO_DEVICE`).
    ToDevice,
    /// Device writes, CPU reads (`DMA_FROM_DEVICE`).
    FromDevice,
    /// Both (`DMA_BIDIRECTIONAL`).
    Bidirectional,
}

impl Direction {
    /// Decodes a C `enum dma_data_direction`; `DMA_NONE` and unknown
    /// values are API misuse and give `None`.
    pub fn from_raw(d: bindings::dma_data_direction) -> Option<Self> {
        match d {
            bindings::dma_data_direction_DMA_TO_DEVICE => Some(Self::ToDevice),
            bindings::dma_data_direction_DMA_FROM_DEVICE => Some(Self::FromDevice),
            bindings::dma_data_direction_DMA_BIDIRECTIONAL => Some(Self::Bidirectional),
            _ => None,
        }
    }

    /// The C value.
    pub fn as_raw(self) -> bindings::dma_data_direction {
        match self {
            Self::ToDevice => bindings::dma_data_direction_DMA_TO_DEVICE,
            Self::FromDevice => bindings::dma_data_direction_DMA_FROM_DEVICE,
            Self::Bidirectional => bindings::dma_data_direction_DMA_BIDIRECTIONAL,
        }
    }

    /// The IOMMU protection a device needs for this direction.
    pub fn iommu_prot(self) -> i32 {
        let (r, w) = (bindings::IOMMU_READ as i32, bindings::IOMMU_WRITE as i32);
        match self {
            Self::ToDevice => r,
            Self::FromDevice => w,
            Self::Bidirectional => r | w,
        }
    }
}
