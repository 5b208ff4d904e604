// SPDX-License-Identifier: GPL-2.0

use crate::prng::Prng;
use crate::sync_range::{Mapped, Span};

#[test]
fn spans_inside_the_mapping() {
    let m = Mapped {
        data_off: 0x100,
        len: 0x200,
    };
    assert_eq!(m.span(0x100, 0x200), Some(Span { off: 0, len: 0x200 }));
    assert_eq!(
        m.span(0x180, 0x10),
        Some(Span {
            off: 0x80,
            len: 0x10
        })
    );
    assert_eq!(m.span(0xff, 1), None);
    assert_eq!(m.span(0x2ff, 2), None);
    assert_eq!(m.span(0x300, 0), Some(Span { off: 0x200, len: 0 }));
    assert_eq!(m.span(usize::MAX, 2), None);
}

#[test]
fn outside_covers_the_rest_of_the_slot() {
    let mut rng = Prng::new(7);
    for _ in 0..10_000 {
        let slot = 4096usize << rng.below(6);
        let data_off = rng.below(slot as u64) as usize;
        let len = 1 + rng.below((slot - data_off) as u64) as usize;
        let m = Mapped { data_off, len };
        let (head, tail) = m.outside(slot);
        assert_eq!(head.off, 0);
        assert_eq!(head.len, data_off);
        assert_eq!(tail.off, data_off + len);
        assert_eq!(head.len + len + tail.len, slot);
    }
}

#[test]
fn whole_granules_only_when_both_ends_align() {
    use crate::sync_range::whole_granules;
    assert!(whole_granules(0x1000, 0x1000, 0x1000));
    assert!(whole_granules(0x3000, 0x2000, 0x1000));
    assert!(!whole_granules(0x1040, 64, 0x1000));
    assert!(!whole_granules(0x1000, 64, 0x1000));
    assert!(!whole_granules(0x1040, 0x1000, 0x1000));
    assert!(whole_granules(0x10000, 0x10000, 0x10000));
    assert!(!whole_granules(0x11000, 0x10000, 0x10000));
    assert!(!whole_granules(0x1000, 0x1000, 0));
    assert!(!whole_granules(0x1000, 0x1000, 3000));
    assert!(whole_granules(0, 0, 0x1000));
}
