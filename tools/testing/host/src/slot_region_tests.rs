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

#[test]
fn fitted_slots_keep_the_pool_within_its_share() {
    use crate::slot_region::{fitted_slots, IOVA_SHARE};
    // Defaults (4 KiB .. 128 KiB, 1024 slots) on a 32-bit device: every
    // class fits (252 MiB of the 1 GiB share).
    let sizes: Vec<usize> = (0..6).map(|i| 4096 << i).collect();
    let limit32 = u64::from(u32::MAX);
    let got: Vec<u32> = sizes
        .iter()
        .map(|&s| fitted_slots(1024, s, 6, limit32))
        .collect();
    assert_eq!(got, vec![1024; 6]);
    // edu's 28 bits: 64 MiB in all, 10.6 MiB a class.
    let limit28 = (1u64 << 28) - 1;
    let got: Vec<u32> = sizes
        .iter()
        .map(|&s| fitted_slots(1024, s, 6, limit28))
        .collect();
    assert_eq!(got, vec![1024, 1024, 512, 256, 128, 64]);
    // Whatever the shape, the total stays within the share, counts are
    // powers of two no larger than wanted.
    for bits in 20..=64u32 {
        let limit = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        for classes in 1..=9usize {
            for wanted in [1u32, 3, 1000, 1024, 65536] {
                let total: u64 = (0..classes)
                    .map(|i| {
                        let s = 4096usize << i;
                        let n = fitted_slots(wanted, s, classes, limit);
                        assert!(n <= wanted && (n == 0 || n.is_power_of_two()));
                        u64::from(n) * s as u64
                    })
                    .sum();
                assert!(total <= limit / IOVA_SHARE + 1, "{bits} {classes} {wanted}");
            }
        }
    }
    // Too small a space: no slot rather than one past the share.
    assert_eq!(fitted_slots(1024, 1 << 20, 6, (1 << 22) - 1), 0);
    assert_eq!(fitted_slots(0, 4096, 6, limit32), 0);
    assert_eq!(fitted_slots(8, 4096, 0, limit32), 0);
}
