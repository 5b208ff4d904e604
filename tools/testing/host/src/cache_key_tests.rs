// SPDX-License-Identifier: GPL-2.0

use crate::cache_key::*;

#[test]
fn directions_map_to_permissions() {
    let k = |d, a| CacheKey::new(d, a).unwrap();
    assert_eq!(k(DIR_TO_DEVICE, 0).perm, Perm::Read);
    assert_eq!(k(DIR_FROM_DEVICE, 0).perm, Perm::Write);
    assert_eq!(k(DIR_BIDIRECTIONAL, 0).perm, Perm::ReadWrite);
    assert!(k(DIR_TO_DEVICE, ATTR_PRIVILEGED).privileged);
    // Attributes that do not change the IOMMU mapping do not split caches.
    assert_eq!(k(DIR_TO_DEVICE, 1 << 5), k(DIR_TO_DEVICE, 0));
    assert_eq!(CacheKey::new(3, 0), None); // DMA_NONE
    assert_eq!(CacheKey::new(7, 0), None);
}

#[test]
fn indexes_are_dense_and_distinct() {
    let mut seen = [false; KEYS];
    for d in [DIR_BIDIRECTIONAL, DIR_TO_DEVICE, DIR_FROM_DEVICE] {
        for a in [0, ATTR_PRIVILEGED] {
            let i = CacheKey::new(d, a).unwrap().index();
            assert!(i < KEYS);
            assert!(!seen[i], "index {i} twice");
            seen[i] = true;
        }
    }
    assert!(seen.iter().all(|&s| s));
}

#[test]
fn copies_follow_the_direction() {
    let k = |d| CacheKey::new(d, 0).unwrap();
    assert!(k(DIR_TO_DEVICE).copy_to_device() && !k(DIR_TO_DEVICE).copy_from_device());
    assert!(!k(DIR_FROM_DEVICE).copy_to_device() && k(DIR_FROM_DEVICE).copy_from_device());
    assert!(k(DIR_BIDIRECTIONAL).copy_to_device() && k(DIR_BIDIRECTIONAL).copy_from_device());
}

#[test]
fn prot_matches_dma_info_to_prot() {
    let k = |d, a| CacheKey::new(d, a).unwrap();
    assert_eq!(k(DIR_TO_DEVICE, 0).prot(false), IOMMU_READ);
    assert_eq!(k(DIR_FROM_DEVICE, 0).prot(false), IOMMU_WRITE);
    assert_eq!(
        k(DIR_BIDIRECTIONAL, 0).prot(true),
        IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE
    );
    assert_eq!(
        k(DIR_TO_DEVICE, ATTR_PRIVILEGED).prot(false),
        IOMMU_READ | IOMMU_PRIV
    );
}

#[test]
fn from_index_inverts_index() {
    for i in 0..KEYS {
        assert_eq!(CacheKey::from_index(i).unwrap().index(), i);
    }
    assert_eq!(CacheKey::from_index(KEYS), None);
    // Distinct keys never share a protection.
    for a in 0..KEYS {
        for b in 0..KEYS {
            let (ka, kb) = (
                CacheKey::from_index(a).unwrap(),
                CacheKey::from_index(b).unwrap(),
            );
            assert_eq!(ka.prot(true) == kb.prot(true), a == b);
        }
    }
}
