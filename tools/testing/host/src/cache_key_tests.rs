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
