// SPDX-License-Identifier: GPL-2.0

use crate::prng::Prng;
use crate::slot_region::*;

const G: usize = 4096;

#[test]
fn layout_and_lookup() {
    let r = SlotRegion::new(0x10_0000, 16384, 64, G).unwrap();
    assert_eq!(r.bytes(), 64 * 16384);
    assert_eq!(r.iova(0), Some(0x10_0000));
    assert_eq!(r.iova(63), Some(0x10_0000 + 63 * 16384));
    assert_eq!(r.iova(64), None);
    assert_eq!(r.locate(0x10_0000), Some((0, 0)));
    assert_eq!(r.locate(0x10_0000 + 16384 + 5), Some((1, 5)));
    assert_eq!(r.locate(0x10_0000 - 1), None);
    assert_eq!(r.locate(0x10_0000 + 64 * 16384), None);
    assert_eq!(r.locate(0), None);
    assert_eq!(r.locate(u64::MAX), None);
}

#[test]
fn refuses_bad_regions() {
    assert_eq!(SlotRegion::new(0x1000, 3000, 4, G), Err(RegionError::Shape));
    assert_eq!(SlotRegion::new(0x1000, 4096, 0, G), Err(RegionError::Shape));
    assert_eq!(
        SlotRegion::new(0x1800, 4096, 4, G),
        Err(RegionError::Placement)
    );
    assert_eq!(
        SlotRegion::new(u64::MAX - 4095, 4096, 2, 1),
        Err(RegionError::Placement)
    );
    assert_eq!(
        SlotRegion::new(0, 1 << 20, u32::MAX, G).unwrap().bytes(),
        (1u64 << 20) * u64::from(u32::MAX)
    );
}

/// iova() and locate() are inverse for every slot and offset, on random
/// regions; addresses outside the region locate to nothing.
#[test]
fn iova_and_locate_are_inverse() {
    let mut p = Prng::new(42);
    for _ in 0..2000 {
        let shift = 12 + p.below(9) as u32;
        let slots = 1 + p.below(4096) as u32;
        let base = p.below(1 << 36) & !(G as u64 - 1);
        let r = SlotRegion::new(base, 1 << shift, slots, G).unwrap();
        for _ in 0..50 {
            let i = p.below(u64::from(slots)) as u32;
            let off = p.below(1 << shift) as usize;
            let iova = r.iova(i).unwrap() + off as u64;
            assert_eq!(r.locate(iova), Some((i, off)));
        }
        assert_eq!(r.locate(base + r.bytes()), None);
        if base > 0 {
            assert_eq!(r.locate(base - 1), None);
        }
    }
}

#[test]
fn shrinking_attempts_halve_down_to_min() {
    let v: Vec<u32> = shrinking_attempts(1024, 64).collect();
    assert_eq!(v, [1024, 512, 256, 128, 64]);
    assert_eq!(shrinking_attempts(100, 30).collect::<Vec<_>>(), [100, 50]);
    assert_eq!(shrinking_attempts(8, 8).collect::<Vec<_>>(), [8]);
    assert_eq!(shrinking_attempts(4, 8).count(), 0);
    assert_eq!(shrinking_attempts(4, 0).count(), 0);
    assert_eq!(shrinking_attempts(1, 1).collect::<Vec<_>>(), [1]);
}
