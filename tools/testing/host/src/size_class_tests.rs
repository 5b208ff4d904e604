// SPDX-License-Identifier: GPL-2.0

use crate::prng::Prng;
use crate::size_class::*;

const PAGE: usize = 4096;

#[test]
fn default_classes_are_4k_to_128k() {
    let c = SizeClasses::new(PAGE, DEFAULT_MAX_BYTES).unwrap();
    assert_eq!(c.len(), 6);
    let sizes: Vec<usize> = (0..c.len()).map(|i| c.size_of(i).unwrap()).collect();
    assert_eq!(sizes, [4096, 8192, 16384, 32768, 65536, 131072]);
    assert_eq!(c.size_of(6), None);
}

#[test]
fn refuses_bad_configurations() {
    assert_eq!(
        SizeClasses::new(PAGE, 3 << 12),
        Err(ClassError::NotPowerOfTwo)
    );
    assert_eq!(SizeClasses::new(PAGE, 2048), Err(ClassError::OutOfBounds));
    assert_eq!(
        SizeClasses::new(PAGE, MAX_CLASS_BYTES * 2),
        Err(ClassError::OutOfBounds)
    );
    assert_eq!(SizeClasses::new(PAGE, 0), Err(ClassError::NotPowerOfTwo));
    assert_eq!(SizeClasses::new(1000, 4096), Err(ClassError::BadPage));
    assert_eq!(SizeClasses::new(2048, 4096), Err(ClassError::BadPage));
    assert!(SizeClasses::new(PAGE, PAGE).is_ok());
    assert!(SizeClasses::new(PAGE, MAX_CLASS_BYTES).is_ok());
    // 64 KiB pages (arm64): one class per page when the top is a page.
    assert_eq!(SizeClasses::new(65536, 65536).unwrap().len(), 1);
}

#[test]
fn edge_sizes() {
    let c = SizeClasses::new(PAGE, DEFAULT_MAX_BYTES).unwrap();
    assert_eq!(c.class_of(0, 0), None);
    assert_eq!(c.class_of(0, 1), Some(0));
    assert_eq!(c.class_of(0, 4096), Some(0));
    assert_eq!(c.class_of(0, 4097), Some(1));
    assert_eq!(c.class_of(0, 131072), Some(5));
    assert_eq!(c.class_of(0, 131073), None);
    // A sub-page offset counts: 4 KiB at offset 512 spans two pages.
    assert_eq!(c.class_of(512, 4096), Some(1));
    assert_eq!(c.class_of(4096 + 512, 3584), Some(0));
    assert_eq!(c.class_of(1, 131072), None);
    assert_eq!(c.class_of(usize::MAX, usize::MAX), None);
}

/// For random offsets and sizes: the chosen class holds offset-in-page +
/// size, the next smaller one does not, and too-large requests fall back.
#[test]
fn class_choice_is_tight() {
    let mut r = Prng::new(0x5eed);
    for max_shift in 12..=20 {
        let c = SizeClasses::new(PAGE, 1 << max_shift).unwrap();
        for _ in 0..20_000 {
            let offset = r.below(1 << 20) as usize;
            let size = r.below((1 << max_shift) + 8192) as usize;
            let need = offset % PAGE + size;
            match c.class_of(offset, size) {
                None => assert!(size == 0 || need > c.max_bytes(), "{offset} {size}"),
                Some(i) => {
                    let cap = c.size_of(i).unwrap();
                    assert!(need <= cap, "{offset} {size} -> {cap}");
                    if i > 0 {
                        assert!(need > c.size_of(i - 1).unwrap());
                    }
                }
            }
        }
    }
}
