// SPDX-License-Identifier: GPL-2.0

use crate::bdf::{list_entries, Bdf, BdfError};

fn p(s: &str) -> Result<Bdf, BdfError> {
    Bdf::parse(s.as_bytes())
}

#[test]
fn parses_full_and_short_forms() {
    let b = p("0000:00:03.0").unwrap();
    assert_eq!((b.segment, b.bus, b.device, b.function), (0, 0, 3, 0));
    assert_eq!(b.devfn(), 3 << 3);
    let b = p("00:1f.7").unwrap();
    assert_eq!((b.segment, b.bus, b.device, b.function), (0, 0, 0x1f, 7));
    assert_eq!(b.devfn(), 0xff);
    let b = p("ffff:FF:1F.7").unwrap();
    assert_eq!((b.segment, b.bus), (0xffff, 0xff));
}

#[test]
fn display_round_trips() {
    for s in ["0000:00:03.0", "0001:0a:1f.7", "ffff:ff:00.1"] {
        assert_eq!(p(s).unwrap().to_string(), s);
    }
}

#[test]
fn rejects_malformed() {
    for s in [
        "",
        ":",
        "0000:00:03",
        "0000:00:03.",
        "0000:00.0",
        "0000::03.0",
        "x0:00.0",
        "00000:00:03.0",
        "0000:000:03.0",
        "0000:00:003.0",
        "0000:00:03.00",
        "0000:00:03.0\n",
        "-1:00.0",
        "0000:00:03.0:1",
        " 0000:00:03.0",
    ] {
        assert_eq!(p(s), Err(BdfError::Syntax), "{s:?}");
    }
}

#[test]
fn rejects_out_of_range() {
    assert_eq!(p("00:20.0"), Err(BdfError::Range));
    assert_eq!(p("00:1f.8"), Err(BdfError::Range));
}

#[test]
fn list_splits_on_commas_and_space() {
    let v: Vec<&[u8]> = list_entries(b"0000:00:03.0, 00:04.0\n,,").collect();
    assert_eq!(v, [&b"0000:00:03.0"[..], &b"00:04.0"[..]]);
    assert_eq!(list_entries(b"\n").count(), 0);
    assert_eq!(list_entries(b"").count(), 0);
}

/// Every valid address survives format + parse, for all devfn values and a
/// spread of segments and buses (a small exhaustive property test).
#[test]
fn exhaustive_round_trip() {
    for seg in [0u16, 1, 0x10, 0xffff] {
        for bus in [0u8, 1, 0x7f, 0xff] {
            for device in 0..32u8 {
                for function in 0..8u8 {
                    let b = Bdf {
                        segment: seg,
                        bus,
                        device,
                        function,
                    };
                    assert_eq!(p(&b.to_string()), Ok(b));
                    assert_eq!(b.devfn() >> 3, device);
                }
            }
        }
    }
}
