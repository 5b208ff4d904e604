// SPDX-License-Identifier: GPL-2.0

use crate::aging::*;
use crate::prng::Prng;

#[test]
fn expiry_at_the_timeout() {
    assert!(!expired(1000, 1999, 1000));
    assert!(expired(1000, 2000, 1000));
    assert!(expired(1000, 5000, 1000));
    // A timeout of 0 turns caching off.
    assert!(expired(7, 7, 0));
}

#[test]
fn expiry_across_clock_wrap() {
    let last = u32::MAX - 10;
    assert!(!expired(last, 5, 100));
    assert!(expired(last, 95, 100));
}

#[test]
fn racing_frees_are_not_expired() {
    // Freed "after" the scan's clock read.
    assert!(!expired(1005, 1000, 0));
    assert!(!expired(1005, 1000, 1000));
}

#[test]
fn expiry_is_monotonic_in_now() {
    let mut rng = Prng::new(42);
    for _ in 0..10_000 {
        let last = rng.next_u64() as u32;
        let timeout = rng.below(u64::from(MAX_TIMEOUT_MS)) as u32;
        let d = rng.below(1 << 30) as u32;
        if expired(last, last.wrapping_add(d), timeout) {
            assert!(expired(last, last.wrapping_add(d + 1), timeout));
        }
        assert_eq!(expired(last, last.wrapping_add(d), timeout), d >= timeout);
    }
}

#[test]
fn scan_interval_bounds() {
    assert_eq!(scan_interval_ms(0), 10);
    assert_eq!(scan_interval_ms(1000), 500);
    assert_eq!(scan_interval_ms(MAX_TIMEOUT_MS), 1000);
}
