// SPDX-License-Identifier: GPL-2.0

//! A `core::fmt::Write` sink over a fixed byte buffer, as a sysfs `show`
//! or parameter `get` callback needs.  Pure logic (host-tested).

/// Formats into a borrowed buffer; output past its end is cut off and
/// remembered, never written out of bounds.
pub struct FmtBuf<'a> {
    buf: &'a mut [u8],
    len: usize,
    truncated: bool,
}

impl<'a> FmtBuf<'a> {
    /// A writer that fills `buf` from its start.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self {
            buf,
            len: 0,
            truncated: false,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when some output did not fit.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// What was written.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl core::fmt::Write for FmtBuf<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let room = self.buf.len() - self.len;
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        if n < s.len() {
            self.truncated = true;
            return Err(core::fmt::Error);
        }
        Ok(())
    }
}
