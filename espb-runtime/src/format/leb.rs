//! Byte reader and writer for section contents: fixed-width little-endian
//! integers and (signed) LEB128. The reader never panics, never reads past
//! its slice and reports every failure with the section id and the absolute
//! file offset of the offending byte.

use super::FormatError;
use alloc::string::String;
use alloc::vec::Vec;

/// Reads one section's bytes. `base` is the section's offset in the file,
/// so error offsets are absolute.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    section: u8,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], base: usize, section: u8) -> Reader<'a> {
        Reader { bytes, pos: 0, base, section }
    }

    /// Absolute file offset of the next byte.
    pub(crate) fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    pub(crate) fn section(&self) -> u8 {
        self.section
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn truncated(&self) -> FormatError {
        FormatError::Truncated { section: self.section, offset: self.offset() }
    }

    pub(crate) fn u8(&mut self) -> Result<u8, FormatError> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| self.truncated())?;
        self.pos += 1;
        Ok(b)
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self.pos.checked_add(n).ok_or_else(|| self.truncated())?;
        let s = self.bytes.get(self.pos..end).ok_or_else(|| self.truncated())?;
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn u32_le(&mut self) -> Result<u32, FormatError> {
        let b = self.bytes(4)?;
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        Ok(u32::from_le_bytes(a))
    }

    /// Unsigned LEB128, at most 10 bytes, no bits beyond 64.
    pub(crate) fn leb_u64(&mut self) -> Result<u64, FormatError> {
        let start = self.offset();
        let mut result: u64 = 0;
        let mut shift: u32 = 0;
        loop {
            let b = self.u8()?;
            let low = u64::from(b & 0x7f);
            if shift == 63 && low > 1 {
                return Err(FormatError::BadLeb { section: self.section, offset: start });
            }
            result |= low << shift;
            if b & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
            if shift > 63 {
                return Err(FormatError::BadLeb { section: self.section, offset: start });
            }
        }
    }

    /// Signed LEB128, at most 10 bytes, the last one a pure sign extension.
    pub(crate) fn sleb_i64(&mut self) -> Result<i64, FormatError> {
        let start = self.offset();
        let mut result: i64 = 0;
        let mut shift: u32 = 0;
        loop {
            let b = self.u8()?;
            if shift == 63 {
                // Tenth byte: bit 63 and the sign, nothing else.
                return match b {
                    0x00 => Ok(result),
                    0x7f => Ok(result | i64::MIN),
                    _ => Err(FormatError::BadLeb { section: self.section, offset: start }),
                };
            }
            result |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if b & 0x40 != 0 {
                    result |= -1i64 << shift;
                }
                return Ok(result);
            }
        }
    }

    fn out_of_range(&self, start: usize, value: i128, min: i128, max: i128) -> FormatError {
        FormatError::ValueOutOfRange { section: self.section, offset: start, value, min, max }
    }

    pub(crate) fn leb_u32(&mut self) -> Result<u32, FormatError> {
        let start = self.offset();
        let v = self.leb_u64()?;
        u32::try_from(v).map_err(|_| self.out_of_range(start, i128::from(v), 0, i128::from(u32::MAX)))
    }

    pub(crate) fn leb_u16(&mut self) -> Result<u16, FormatError> {
        let start = self.offset();
        let v = self.leb_u64()?;
        u16::try_from(v).map_err(|_| self.out_of_range(start, i128::from(v), 0, i128::from(u16::MAX)))
    }

    pub(crate) fn sleb_i32(&mut self) -> Result<i32, FormatError> {
        let start = self.offset();
        let v = self.sleb_i64()?;
        i32::try_from(v)
            .map_err(|_| self.out_of_range(start, i128::from(v), i128::from(i32::MIN), i128::from(i32::MAX)))
    }

    /// A `u32` computed as `prev + delta` (delta-coded positions).
    pub(crate) fn delta_u32(&mut self, prev: u32) -> Result<u32, FormatError> {
        let start = self.offset();
        let d = self.sleb_i64()?;
        let v = i128::from(prev) + i128::from(d);
        u32::try_from(v).map_err(|_| self.out_of_range(start, v, 0, i128::from(u32::MAX)))
    }

    /// An element count: rejected unless `count * min_elem_size` bytes
    /// remain, so a crafted count can never cause a large allocation.
    pub(crate) fn count(&mut self, min_elem_size: usize) -> Result<usize, FormatError> {
        let start = self.offset();
        let n = self.leb_u32()?;
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        match n.checked_mul(min_elem_size) {
            Some(need) if need <= self.remaining() => Ok(n),
            _ => Err(FormatError::CountTooLarge {
                section: self.section,
                offset: start,
                count: n,
                remaining: self.remaining(),
            }),
        }
    }

    /// A LEB128 byte length, then that many bytes.
    pub(crate) fn byte_vec(&mut self) -> Result<&'a [u8], FormatError> {
        let n = self.leb_u32()?;
        self.bytes(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// A LEB128 byte length, then that many bytes of UTF-8.
    pub(crate) fn string(&mut self) -> Result<String, FormatError> {
        let start = self.offset();
        let b = self.byte_vec()?;
        match core::str::from_utf8(b) {
            Ok(s) => Ok(String::from(s)),
            Err(_) => Err(FormatError::Utf8 { section: self.section, offset: start }),
        }
    }

    /// The section must be fully consumed.
    pub(crate) fn finish(&self) -> Result<(), FormatError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(FormatError::TrailingBytes { section: self.section, offset: self.offset() })
        }
    }
}

/// Appends section contents.
pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
}

impl Writer {
    pub(crate) fn new() -> Writer {
        Writer { out: Vec::new() }
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    pub(crate) fn u32_le(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn leb(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(b);
                return;
            }
            self.out.push(b | 0x80);
        }
    }

    /// A length or count (always fits: `usize` is at most 64 bits).
    pub(crate) fn len(&mut self, n: usize) {
        self.leb(n as u64);
    }

    pub(crate) fn sleb(&mut self, mut v: i64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            let done = (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0);
            if done {
                self.out.push(b);
                return;
            }
            self.out.push(b | 0x80);
        }
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.out.extend_from_slice(b);
    }

    pub(crate) fn string(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rd(b: &[u8]) -> Reader<'_> {
        Reader::new(b, 100, 1)
    }

    #[test]
    fn leb_round_trip() {
        for v in [0u64, 1, 63, 64, 127, 128, 300, 16383, 16384, u32::MAX as u64, u64::MAX] {
            let mut w = Writer::new();
            w.leb(v);
            let mut r = rd(&w.out);
            assert_eq!(r.leb_u64(), Ok(v));
            assert!(r.finish().is_ok());
        }
    }

    #[test]
    fn sleb_round_trip() {
        for v in [0i64, 1, -1, 63, -64, 64, -65, 1000, -1000, i32::MIN as i64, i32::MAX as i64, i64::MIN, i64::MAX] {
            let mut w = Writer::new();
            w.sleb(v);
            let mut r = rd(&w.out);
            assert_eq!(r.sleb_i64(), Ok(v), "{v}");
            assert!(r.finish().is_ok());
        }
    }

    #[test]
    fn leb_errors() {
        assert_eq!(rd(&[0x80]).leb_u64(), Err(FormatError::Truncated { section: 1, offset: 101 }));
        assert_eq!(rd(&[0xff; 11]).leb_u64(), Err(FormatError::BadLeb { section: 1, offset: 100 }));
        let mut over = [0xffu8; 10];
        over[9] = 0x02;
        assert_eq!(rd(&over).leb_u64(), Err(FormatError::BadLeb { section: 1, offset: 100 }));
        assert!(matches!(rd(&[0x80, 0x80, 0x80, 0x80, 0x10]).leb_u32(), Err(FormatError::ValueOutOfRange { .. })));
        assert!(matches!(rd(&[0x80, 0x80, 0x04]).leb_u16(), Err(FormatError::ValueOutOfRange { .. })));
        let mut s = [0xffu8; 10];
        s[9] = 0x01;
        assert_eq!(rd(&s).sleb_i64(), Err(FormatError::BadLeb { section: 1, offset: 100 }));
    }

    #[test]
    fn count_is_bounded_by_remaining_bytes() {
        // count = 2^32 - 1 with 1 byte left.
        let b = [0xff, 0xff, 0xff, 0xff, 0x0f, 0];
        assert!(matches!(rd(&b).count(1), Err(FormatError::CountTooLarge { count: 0xffff_ffff, .. })));
        assert_eq!(rd(&[2, 0, 0]).count(1), Ok(2));
        assert!(matches!(rd(&[2, 0, 0]).count(2), Err(FormatError::CountTooLarge { .. })));
    }
}
