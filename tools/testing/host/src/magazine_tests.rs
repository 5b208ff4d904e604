// SPDX-License-Identifier: GPL-2.0

use crate::magazine::*;
use crate::prng::Prng;
use std::collections::BTreeSet;

#[test]
fn magazine_is_a_bounded_stack() {
    let mut m = Magazine::<3>::new();
    assert!(m.is_empty());
    assert_eq!(m.push(1), Ok(()));
    assert_eq!(m.push(2), Ok(()));
    assert_eq!(m.push(3), Ok(()));
    assert!(m.is_full());
    assert_eq!(m.push(4), Err(4));
    assert_eq!(m.as_slice(), [1, 2, 3]);
    assert_eq!(m.pop(), Some(3));
    assert_eq!(m.pop(), Some(2));
    assert_eq!(m.pop(), Some(1));
    assert_eq!(m.pop(), None);
}

#[test]
fn swaps_before_asking_the_depot() {
    let mut c = CpuCache::<2>::default();
    assert_eq!(c.alloc(), Err(DepotNeed::Full));
    c.free(1).unwrap();
    c.free(2).unwrap();
    // loaded full: the next free swaps with the empty previous.
    c.free(3).unwrap();
    c.free(4).unwrap();
    assert_eq!(c.len(), 4);
    assert_eq!(c.free(5), Err((5, DepotNeed::Empty)));
    let full = c.exchange(Magazine::new());
    assert!(full.is_full());
    c.free(5).unwrap();
    assert_eq!(c.alloc(), Ok(5));
    // loaded empty, previous full: swap.
    assert!(c.alloc().is_ok());
    assert!(c.alloc().is_ok());
    assert_eq!(c.alloc(), Err(DepotNeed::Full));
}

/// Model check: a random mix of alloc/free on several CPUs with a depot
/// never loses or duplicates a handle, and magazines are exchanged with the
/// depot at most once per CAP operations of a CPU.
#[test]
fn no_handle_lost_or_duplicated() {
    const CAP: usize = 8;
    const CPUS: usize = 4;
    let mut rng = Prng::new(7);
    let mut cpus: Vec<CpuCache<CAP>> = (0..CPUS).map(|_| CpuCache::default()).collect();
    let mut depot_full: Vec<Magazine<CAP>> = Vec::new();
    let mut slow_free: BTreeSet<u32> = (0..256).collect(); // the slow path
    let mut in_use: BTreeSet<u32> = BTreeSet::new();
    let mut depot_trips = 0u32;
    for _ in 0..200_000 {
        let c = &mut cpus[rng.below(CPUS as u64) as usize];
        if rng.below(2) == 0 {
            let h = match c.alloc() {
                Ok(h) => Some(h),
                Err(DepotNeed::Full) => {
                    if let Some(m) = depot_full.pop() {
                        depot_trips += 1;
                        let empty = c.exchange(m);
                        assert!(empty.is_empty());
                        c.alloc().ok()
                    } else {
                        slow_free.pop_first()
                    }
                }
                Err(DepotNeed::Empty) => unreachable!(),
            };
            if let Some(h) = h {
                assert!(in_use.insert(h), "handle {h} handed out twice");
            }
        } else if let Some(&h) = in_use
            .iter()
            .nth(rng.below(in_use.len().max(1) as u64) as usize)
        {
            in_use.remove(&h);
            match c.free(h) {
                Ok(()) => {}
                Err((h, DepotNeed::Empty)) => {
                    depot_trips += 1;
                    let full = c.exchange(Magazine::new());
                    assert!(full.is_full());
                    depot_full.push(full);
                    c.free(h).unwrap();
                }
                Err((_, DepotNeed::Full)) => unreachable!(),
            }
        }
        let cached: usize = cpus.iter().map(|c| c.len()).sum::<usize>()
            + depot_full.iter().map(|m| m.len()).sum::<usize>();
        assert_eq!(cached + slow_free.len() + in_use.len(), 256);
    }
    let mut all: Vec<u32> = in_use.iter().copied().collect();
    all.extend(slow_free.iter().copied());
    for c in &cpus {
        all.extend(c.loaded.as_slice());
        all.extend(c.previous.as_slice());
    }
    for m in &depot_full {
        all.extend(m.as_slice());
    }
    all.sort_unstable();
    assert_eq!(all, (0..256).collect::<Vec<u32>>());
    // Each magazine exchange with the depot is paid for by at least CAP
    // operations on that CPU (slow-path allocations, when the depot has no
    // full magazine, are pool growth and not counted).
    assert!(
        depot_trips as usize <= 200_000 / CAP + CPUS,
        "depot used {depot_trips} times"
    );
}
