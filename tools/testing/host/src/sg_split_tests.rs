// SPDX-License-Identifier: GPL-2.0

use crate::prng::Prng;
use crate::sg_split::segments;

#[test]
fn no_limits_gives_one_segment() {
    let v: Vec<_> = segments(0x1000, 0x3000, u64::MAX, u64::MAX).collect();
    assert_eq!(v, vec![(0x1000, 0x3000)]);
    assert_eq!(segments(0, 0, 1, u64::MAX).count(), 0);
    // Address 0 with no boundary must not overflow.
    assert_eq!(
        segments(0, 5, u64::MAX, u64::MAX).collect::<Vec<_>>(),
        vec![(0, 5)]
    );
}

#[test]
fn max_segment_and_boundary_split() {
    let v: Vec<_> = segments(0x800, 0x2000, 0x1000, 0xfff).collect();
    assert_eq!(v, vec![(0x800, 0x800), (0x1000, 0x1000), (0x2000, 0x800)]);
    let v: Vec<_> = segments(0, 0x10000, 0x4000, u64::MAX).collect();
    assert_eq!(v.len(), 4);
}

#[test]
fn random_ranges_are_covered_exactly_within_limits() {
    let mut rng = Prng::new(0xb0b);
    for _ in 0..5000 {
        let addr = rng.below(1 << 40);
        let len = rng.below(1 << 20);
        let max_seg = 1 + rng.below(1 << 17);
        let mask = (1u64 << (9 + rng.below(20))) - 1;
        let mut next = addr;
        for (a, l) in segments(addr, len, max_seg, mask) {
            assert_eq!(a, next);
            assert!(l > 0 && l <= max_seg);
            // Does not cross a boundary.
            assert_eq!(a & !mask, (a + l - 1) & !mask);
            next = a + l;
        }
        assert_eq!(next, addr + len);
    }
}
