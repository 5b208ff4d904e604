// SPDX-License-Identifier: GPL-2.0

use crate::domain_type::*;

#[test]
fn decodes_every_6_12_type() {
    let cases = [
        (0, DomainType::Blocked, "blocked"),
        (PT, DomainType::Identity, "identity"),
        (PAGING, DomainType::Unmanaged, "unmanaged"),
        (PAGING | DMA_API, DomainType::Dma, "DMA"),
        (PAGING | DMA_API | DMA_FQ, DomainType::DmaFq, "DMA-FQ"),
        (SVA, DomainType::Sva, "sva"),
        (PLATFORM, DomainType::Platform, "platform"),
        (NESTED, DomainType::Nested, "nested"),
    ];
    for (raw, t, name) in cases {
        assert_eq!(DomainType::from_raw(raw), t);
        assert_eq!(t.sysfs_name(), name);
    }
}

#[test]
fn only_dma_api_domains_are_translated_by_iommu_dma() {
    assert!(DomainType::from_raw(PAGING | DMA_API).is_dma_api());
    assert!(DomainType::from_raw(PAGING | DMA_API | DMA_FQ).is_dma_api());
    for raw in [0, PT, PAGING, SVA, PLATFORM, NESTED, DMA_API, 0x80] {
        assert!(!DomainType::from_raw(raw).is_dma_api(), "{raw:#x}");
    }
}

#[test]
fn unknown_values_are_kept() {
    assert_eq!(DomainType::from_raw(0x80), DomainType::Unknown(0x80));
    assert_eq!(DomainType::Unknown(0x80).sysfs_name(), "unknown");
}
