// SPDX-License-Identifier: GPL-2.0

use crate::link_layout::*;
use crate::prng::Prng;

const G: u64 = 4096;

#[test]
fn reservation_geometry() {
    let l = Layout::new(0x1234, 10_000, G, 1 << 30).unwrap();
    assert_eq!(l.pad(), 0x234);
    assert_eq!(l.alloc_len(), (0x234u64 + 10_000).next_multiple_of(G));
    assert_eq!(Layout::new(0, 0, G, 1 << 30), None);
    assert_eq!(Layout::new(0, (1 << 30) + 1, G, 1 << 30), None);
    assert_eq!(Layout::new(0, 1, 3000, 1 << 30), None);
}

#[test]
fn page_by_page_links_follow_the_rules() {
    // 32 pages linked one by one: all accepted, each one granule.
    let l = Layout::new(0, 32 * G, G, 1 << 30).unwrap();
    for i in 0..32 {
        let s = l.link(0x10_0000 * (i + 1), i * G, G).unwrap();
        assert_eq!((s.first, s.end, s.iova_off, s.len), (i, i + 1, i * G, G));
    }
}

#[test]
fn misaligned_links_are_refused() {
    let l = Layout::new(0x100, 3 * G, G, 1 << 30).unwrap();
    // First link may start inside a granule (at the pad) ...
    assert!(l.link(0x5100, 0, G - 0x100).is_ok());
    // ... but its physical offset must match.
    assert_eq!(l.link(0x5000, 0, G - 0x100), Err(LinkError::Offset));
    // A later link must start on a boundary.
    assert_eq!(l.link(0x7200, 0x100, 16), Err(LinkError::Start));
    // A non-last link must end on one.
    assert_eq!(l.link(0x5100, 0, 16), Err(LinkError::End));
    // The last link may end anywhere.
    assert!(l.link(0x9000, 3 * G - 0x100 - 16, 16).is_err()); // starts mid-granule
    assert!(l.link(0x9000, 2 * G - 0x100, G + 0x100).is_ok());
    // Out of range.
    assert_eq!(l.link(0, 3 * G, 1), Err(LinkError::Range));
    assert_eq!(l.link(0, 0, 0), Err(LinkError::Range));
    assert_eq!(l.link(0, u64::MAX, 2), Err(LinkError::Range));
}

#[test]
fn linked_bitmap_tracks_links_and_refuses_misuse() {
    let l = Layout::new(0, 8 * G, G, 1 << 30).unwrap();
    let mut words = vec![0u64; Linked::words_for(l.granules())];
    let mut m = Linked::new(&mut words);
    let a = l.link(0, 0, 2 * G).unwrap();
    let b = l.link(0, 4 * G, 2 * G).unwrap();
    assert!(m.link(&a).is_ok());
    assert_eq!(m.link(&a), Err(LinkError::Linked));
    assert!(m.link(&b).is_ok());
    assert_eq!(m.runs().collect::<Vec<_>>(), vec![(0, 2), (4, 6)]);
    let never = l.range(2 * G, G).unwrap();
    assert_eq!(m.unlink(&never), Err(LinkError::NotLinked));
    assert!(m.unlink(&a).is_ok());
    assert!(m.any());
    assert!(m.unlink(&b).is_ok());
    assert!(!m.any());
}

#[test]
fn random_link_unlink_model() {
    let mut rng = Prng::new(0x11);
    for _ in 0..200 {
        let n = 1 + rng.below(200);
        let l = Layout::new(0, n * G, G, 1 << 30).unwrap();
        let mut words = vec![0u64; Linked::words_for(l.granules())];
        let mut m = Linked::new(&mut words);
        let mut model = vec![false; n as usize];
        for _ in 0..300 {
            let a = rng.below(n);
            let len = 1 + rng.below(n - a);
            let s = l.range(a * G, len * G).unwrap();
            let free = model[a as usize..(a + len) as usize].iter().all(|x| !x);
            let full = model[a as usize..(a + len) as usize].iter().all(|x| *x);
            if rng.below(2) == 0 {
                assert_eq!(m.link(&s).is_ok(), free);
                if free {
                    model[a as usize..(a + len) as usize]
                        .iter_mut()
                        .for_each(|x| *x = true);
                }
            } else {
                assert_eq!(m.unlink(&s).is_ok(), full);
                if full {
                    model[a as usize..(a + len) as usize]
                        .iter_mut()
                        .for_each(|x| *x = false);
                }
            }
            let runs: u64 = m.runs().map(|(s, e)| e - s).sum();
            assert_eq!(runs, model.iter().filter(|x| **x).count() as u64);
        }
    }
}
