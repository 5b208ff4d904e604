// SPDX-License-Identifier: GPL-2.0

use crate::fmt_buf::FmtBuf;
use core::fmt::Write;

#[test]
fn writes_within_bounds() {
    let mut b = [0u8; 16];
    let mut w = FmtBuf::new(&mut b);
    assert!(w.is_empty());
    write!(w, "{}-{}", 12, 34).unwrap();
    assert_eq!(w.as_bytes(), b"12-34");
    assert_eq!(w.len(), 5);
    assert!(!w.truncated());
}

#[test]
fn cuts_at_the_end_and_reports_it() {
    let mut b = [0xaau8; 8];
    let mut w = FmtBuf::new(&mut b[..4]);
    assert!(write!(w, "hello").is_err());
    assert_eq!(w.as_bytes(), b"hell");
    assert!(w.truncated());
    assert!(write!(w, "x").is_err());
    assert_eq!(w.len(), 4);
    // Nothing written past the slice handed in.
    assert_eq!(&b[4..], &[0xaa; 4]);
}

#[test]
fn zero_sized_buffer() {
    let mut b = [0u8; 0];
    let mut w = FmtBuf::new(&mut b);
    assert!(write!(w, "a").is_err());
    assert_eq!(w.len(), 0);
}
