// SPDX-License-Identifier: GPL-2.0

use crate::handle_stack::HandleStack;
use crate::magazine::Magazine;
use crate::prng::Prng;

#[test]
fn push_pop_is_lifo_and_bounded() {
    let mut s = HandleStack::new(vec![0u32; 3]);
    assert!(s.is_empty());
    assert_eq!(s.push(1), Ok(()));
    assert_eq!(s.push(2), Ok(()));
    assert_eq!(s.push(3), Ok(()));
    assert_eq!(s.push(4), Err(4));
    assert_eq!(s.len(), 3);
    assert_eq!(s.pop(), Some(3));
    assert_eq!(s.pop(), Some(2));
    assert_eq!(s.pop(), Some(1));
    assert_eq!(s.pop(), None);
    let mut empty = HandleStack::new(Vec::<u32>::new());
    assert_eq!(empty.push(1), Err(1));
    assert_eq!(empty.pop(), None);
}

#[test]
fn refill_and_spill_move_handles_without_loss() {
    let mut s = HandleStack::new(vec![0u32; 10]);
    for h in 0..10 {
        s.push(h).unwrap();
    }
    let mut m = Magazine::<4>::new();
    assert_eq!(s.refill(&mut m), 4);
    assert!(m.is_full());
    assert_eq!(s.len(), 6);
    // The stack has room for 4 again.
    assert_eq!(s.spill(&mut m), 4);
    assert!(m.is_empty());
    assert_eq!(s.len(), 10);
    // A full stack takes nothing.
    let mut m2 = Magazine::<4>::new();
    m2.push(99).unwrap();
    assert_eq!(s.spill(&mut m2), 0);
    assert_eq!(m2.len(), 1);
}

#[test]
fn extract_removes_exactly_the_rejected_up_to_room() {
    let mut s = HandleStack::new(vec![0u32; 8]);
    for h in 0..8 {
        s.push(h).unwrap();
    }
    let mut out = Magazine::<3>::new();
    let n = s.extract(&mut out, |h| h % 2 == 1);
    assert_eq!(n, 3);
    assert_eq!(out.as_slice(), &[0, 2, 4]);
    assert_eq!(s.as_slice(), &[1, 3, 5, 6, 7]);
}

#[test]
fn random_operations_conserve_handles() {
    // Handles move between a stack, magazines and an "in use" set; none
    // is ever lost or duplicated.
    let mut rng = Prng::new(0x5eed_57ac);
    const N: u32 = 64;
    let mut s = HandleStack::new(vec![0u32; N as usize]);
    for h in 0..N {
        s.push(h).unwrap();
    }
    let mut mags = [Magazine::<8>::new(), Magazine::<8>::new()];
    let mut in_use = Vec::new();
    for _ in 0..20_000 {
        let m = &mut mags[rng.below(2) as usize];
        match rng.below(5) {
            0 => {
                s.refill(m);
            }
            1 => {
                s.spill(m);
            }
            2 => {
                if let Some(h) = m.pop().or_else(|| s.pop()) {
                    in_use.push(h);
                }
            }
            3 => {
                if !in_use.is_empty() {
                    let h = in_use.swap_remove(rng.below(in_use.len() as u64) as usize);
                    if let Err(h) = m.push(h) {
                        s.push(h).unwrap();
                    }
                }
            }
            _ => {
                let cut = rng.below(N as u64) as u32;
                let mut out = Magazine::<8>::new();
                s.extract(&mut out, |h| h < cut);
                m.extract(&mut out, |h| h >= cut);
                for &h in out.as_slice() {
                    in_use.push(h);
                }
            }
        }
        let mut all: Vec<u32> = s
            .as_slice()
            .iter()
            .chain(mags[0].as_slice())
            .chain(mags[1].as_slice())
            .chain(in_use.iter())
            .copied()
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..N).collect::<Vec<_>>());
    }
}
