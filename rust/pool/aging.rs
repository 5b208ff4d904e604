// SPDX-License-Identifier: GPL-2.0

//! When an idle cached slot is released: slots remember when they were
//! last freed, in milliseconds of a monotonic clock that may wrap.  Pure
//! logic (host-tested).

/// Default idle time before a cached slot is unmapped and its pages freed.
pub const DEFAULT_TIMEOUT_MS: u32 = 1000;
/// Longest accepted idle time.
pub const MAX_TIMEOUT_MS: u32 = 60_000;

/// Whether a slot last freed at `last_ms` has been idle for `timeout_ms`
/// at `now_ms`.  Times are a wrapping 32-bit millisecond clock; a slot
/// freed "after" `now` (a racing free) is not expired.  A timeout of 0
/// expires everything: caching is off.
pub fn expired(last_ms: u32, now_ms: u32, timeout_ms: u32) -> bool {
    let idle = now_ms.wrapping_sub(last_ms);
    // Differences in the upper half are frees that raced ahead of `now`.
    idle < (1 << 31) && idle >= timeout_ms
}

/// How long until the aging worker should look again: half the timeout,
/// at least 10 ms, at most a second, so a slot lives at most 1.5 timeouts.
pub fn scan_interval_ms(timeout_ms: u32) -> u32 {
    (timeout_ms / 2).clamp(10, 1000)
}
