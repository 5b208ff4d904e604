// SPDX-License-Identifier: GPL-2.0

//! PCI device names (`DDDD:BB:DD.F`) as an administrator writes them.
//!
//! Pure logic, shared by the kernel module and the host unit tests: no
//! kernel or `std` items are used here.

/// A parsed PCI address: segment (domain), bus, device and function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bdf {
    /// PCI segment ("domain"), 0..=0xffff.
    pub segment: u16,
    /// Bus number.
    pub bus: u8,
    /// Device number, 0..=31.
    pub device: u8,
    /// Function number, 0..=7.
    pub function: u8,
}

/// Why a device name was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BdfError {
    /// Not of the form `DDDD:BB:DD.F` (or `BB:DD.F`).
    Syntax,
    /// Device number above 31 or function above 7.
    Range,
}

impl Bdf {
    /// The `devfn` byte the PCI core uses: device in bits 7..3, function in 2..0.
    pub const fn devfn(&self) -> u8 {
        (self.device << 3) | self.function
    }

    /// Parses `DDDD:BB:DD.F` or, for segment 0, `BB:DD.F` (hex, any case).
    pub fn parse(s: &[u8]) -> Result<Self, BdfError> {
        let (seg_bus, devfn) = split_last(s, b':').ok_or(BdfError::Syntax)?;
        let (seg, bus) = match split_last(seg_bus, b':') {
            Some((seg, bus)) => (hex(seg, 4)?, hex(bus, 2)?),
            None => (0, hex(seg_bus, 2)?),
        };
        let (dev, func) = split_last(devfn, b'.').ok_or(BdfError::Syntax)?;
        let dev = hex(dev, 2)?;
        let func = hex(func, 1)?;
        if dev > 31 || func > 7 {
            return Err(BdfError::Range);
        }
        // The widths checked by `hex` make these conversions lossless.
        Ok(Bdf {
            segment: seg as u16,
            bus: bus as u8,
            device: dev as u8,
            function: func as u8,
        })
    }
}

impl core::fmt::Display for Bdf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{:04x}:{:02x}:{:02x}.{:x}",
            self.segment, self.bus, self.device, self.function
        )
    }
}

fn split_last(s: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let i = s.iter().rposition(|&c| c == sep)?;
    Some((&s[..i], &s[i + 1..]))
}

/// Parses 1..=`max_digits` hex digits.
fn hex(s: &[u8], max_digits: usize) -> Result<u32, BdfError> {
    if s.is_empty() || s.len() > max_digits {
        return Err(BdfError::Syntax);
    }
    let mut v = 0u32;
    for &c in s {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return Err(BdfError::Syntax),
        };
        v = (v << 4) | u32::from(d);
    }
    Ok(v)
}

/// Iterates over the entries of a device list: names separated by commas
/// or white space, with a trailing newline (from `echo`) allowed.
/// Empty entries are skipped.
pub fn list_entries(s: &[u8]) -> impl Iterator<Item = &[u8]> {
    s.split(|&c| c == b',' || c.is_ascii_whitespace())
        .filter(|e| !e.is_empty())
}
