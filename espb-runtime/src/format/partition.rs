//! The header that frames a `.espb` module inside its flash partition
//! (docs/flash.md).
//!
//! `cargo espb flash --module` writes [`wrap`]`(module)` at the start of the
//! module's partition; the firmware reads the partition and calls [`unwrap`]
//! before it decodes anything. The header lets the loader tell a valid module
//! from an erased partition (all `0xFF`), from stale bytes of something else,
//! and from a module whose write was interrupted (CRC mismatch).
//!
//! Layout (16 bytes, little-endian), followed by the module bytes:
//!
//! | offset | size | field                                            |
//! |--------|------|--------------------------------------------------|
//! | 0      | 4    | magic `b"EPBP"`                                  |
//! | 4      | 2    | format version of this header ([`VERSION`] = 1)  |
//! | 6      | 2    | header length in bytes ([`HEADER_LEN`] = 16)     |
//! | 8      | 4    | module length in bytes                           |
//! | 12     | 4    | CRC-32 (IEEE, as zlib/`crc32fast`) of the module |
//!
//! Everything after `16 + length` is ignored (it may hold the tail of an
//! older, longer module, or erased flash).

use alloc::vec::Vec;

/// First four bytes of a module partition.
pub const MAGIC: [u8; 4] = *b"EPBP";
/// Version of the header layout this crate writes and reads.
pub const VERSION: u16 = 1;
/// Length of the header in bytes; the module starts right after it.
pub const HEADER_LEN: usize = 16;

/// Why a partition does not hold a valid module. Each message says what the
/// firmware found and what the developer should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PartitionError {
    /// The header is all `0xFF`: the partition was erased and never written.
    #[error("module partition is erased (no module written yet): run `cargo espb flash --module`")]
    Erased,
    /// Fewer bytes than a header were given.
    #[error("module partition is too small ({len} bytes) to hold the {HEADER_LEN}-byte module header")]
    TooShort {
        /// Bytes available.
        len: usize,
    },
    /// The first bytes are not the module magic: stale data of something else.
    #[error(
        "module partition holds no module (bad magic {found:02x?}, expected \"EPBP\"): \
         run `cargo espb flash --module`"
    )]
    BadMagic {
        /// The first four bytes found.
        found: [u8; 4],
    },
    /// The header was written by a newer (or unknown) version of cargo-espb.
    #[error(
        "module partition header version {version} (header length {header_len}) is not \
         supported: this runtime reads version {VERSION} (header length {HEADER_LEN}); reflash \
         the module with a cargo-espb that matches the firmware's runtime"
    )]
    BadVersion {
        /// Version found.
        version: u16,
        /// Header length found.
        header_len: u16,
    },
    /// The header claims more module bytes than the partition holds.
    #[error(
        "module partition header claims {length} module bytes but only {available} fit after the \
         header: the partition is too small or the header is corrupt"
    )]
    TooLong {
        /// Module length claimed by the header (or asked of [`wrap`]).
        length: u64,
        /// Bytes available after the header.
        available: u64,
    },
    /// The module bytes do not match the header's CRC: an interrupted write or
    /// corrupted flash.
    #[error(
        "module in partition is corrupt (CRC-32 {computed:#010x}, header says {expected:#010x}): \
         the write was probably interrupted; run `cargo espb flash --module` again"
    )]
    CrcMismatch {
        /// CRC stored in the header.
        expected: u32,
        /// CRC computed over the module bytes.
        computed: u32,
    },
}

/// The decoded fields of a module partition header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Length of the module in bytes.
    pub length: u32,
    /// CRC-32 of the module bytes.
    pub crc32: u32,
}

impl Header {
    /// The header describing `module_bytes`; fails only if the module is
    /// 4 GiB or more.
    pub fn for_module(module_bytes: &[u8]) -> Result<Header, PartitionError> {
        let length = u32::try_from(module_bytes.len()).map_err(|_| PartitionError::TooLong {
            length: module_bytes.len() as u64,
            available: u64::from(u32::MAX),
        })?;
        Ok(Header { length, crc32: crc32fast::hash(module_bytes) })
    }

    /// The 16 header bytes.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..4].copy_from_slice(&MAGIC);
        out[4..6].copy_from_slice(&VERSION.to_le_bytes());
        out[6..8].copy_from_slice(&(HEADER_LEN as u16).to_le_bytes());
        out[8..12].copy_from_slice(&self.length.to_le_bytes());
        out[12..16].copy_from_slice(&self.crc32.to_le_bytes());
        out
    }

    /// Reads a header from the first bytes of a partition (at least
    /// [`HEADER_LEN`]; more are ignored). Checks magic and version, not the
    /// length or the CRC: a firmware that reads flash in pieces can use this
    /// first, then [`Header::check`] on the module bytes.
    pub fn parse(bytes: &[u8]) -> Result<Header, PartitionError> {
        let Some(h) = bytes.get(..HEADER_LEN) else {
            if !bytes.is_empty() && bytes.iter().all(|&b| b == 0xFF) {
                return Err(PartitionError::Erased);
            }
            return Err(PartitionError::TooShort { len: bytes.len() });
        };
        if h.iter().all(|&b| b == 0xFF) {
            return Err(PartitionError::Erased);
        }
        let magic = [h[0], h[1], h[2], h[3]];
        if magic != MAGIC {
            return Err(PartitionError::BadMagic { found: magic });
        }
        let version = u16::from_le_bytes([h[4], h[5]]);
        let header_len = u16::from_le_bytes([h[6], h[7]]);
        if version != VERSION || usize::from(header_len) != HEADER_LEN {
            return Err(PartitionError::BadVersion { version, header_len });
        }
        Ok(Header {
            length: u32::from_le_bytes([h[8], h[9], h[10], h[11]]),
            crc32: u32::from_le_bytes([h[12], h[13], h[14], h[15]]),
        })
    }

    /// Checks `after_header` (the partition bytes following the header, at
    /// least `length` of them) against this header and returns the module.
    pub fn check<'a>(&self, after_header: &'a [u8]) -> Result<&'a [u8], PartitionError> {
        let Some(module) = usize::try_from(self.length).ok().and_then(|len| after_header.get(..len)) else {
            return Err(PartitionError::TooLong {
                length: u64::from(self.length),
                available: after_header.len() as u64,
            });
        };
        let computed = crc32fast::hash(module);
        if computed != self.crc32 {
            return Err(PartitionError::CrcMismatch { expected: self.crc32, computed });
        }
        Ok(module)
    }
}

/// The partition image for `module_bytes`: header followed by the module.
/// Fails only for a module of 4 GiB or more.
pub fn wrap(module_bytes: &[u8]) -> Result<Vec<u8>, PartitionError> {
    let header = Header::for_module(module_bytes)?;
    let mut out = Vec::with_capacity(HEADER_LEN + module_bytes.len());
    out.extend_from_slice(&header.encode());
    out.extend_from_slice(module_bytes);
    Ok(out)
}

/// The module held in `partition_bytes` (the partition, or at least its first
/// `HEADER_LEN + length` bytes), after checking the header and the CRC.
/// Never panics, whatever the bytes.
pub fn unwrap(partition_bytes: &[u8]) -> Result<&[u8], PartitionError> {
    let header = Header::parse(partition_bytes)?;
    let rest = partition_bytes.get(HEADER_LEN..).unwrap_or(&[]);
    header.check(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn round_trip() {
        for module in [&b""[..], b"x", b"ESPB\x01\x00 some module bytes", &[0xFF; 100]] {
            let image = wrap(module).unwrap();
            assert_eq!(image.len(), HEADER_LEN + module.len());
            assert_eq!(unwrap(&image).unwrap(), module);
            // Trailing stale bytes or erased flash after the module are ignored.
            let mut padded = image.clone();
            padded.extend_from_slice(&[0xFF; 4096]);
            assert_eq!(unwrap(&padded).unwrap(), module);
            let mut stale = image;
            stale.extend_from_slice(b"old module tail");
            assert_eq!(unwrap(&stale).unwrap(), module);
        }
    }

    #[test]
    fn header_layout_is_stable() {
        let image = wrap(b"abc").unwrap();
        assert_eq!(&image[0..4], b"EPBP");
        assert_eq!(&image[4..8], &[1, 0, 16, 0]);
        assert_eq!(&image[8..12], &[3, 0, 0, 0]);
        // CRC-32/IEEE of "abc".
        assert_eq!(&image[12..16], &0x352441C2u32.to_le_bytes());
        assert_eq!(&image[16..], b"abc");
    }

    #[test]
    fn erased() {
        assert_eq!(unwrap(&[0xFF; 4096]), Err(PartitionError::Erased));
        assert_eq!(unwrap(&[0xFF; 3]), Err(PartitionError::Erased));
        let mut header_only_erased = vec![0xFF; HEADER_LEN];
        header_only_erased.extend_from_slice(b"junk");
        assert_eq!(unwrap(&header_only_erased), Err(PartitionError::Erased));
    }

    #[test]
    fn too_short() {
        assert_eq!(unwrap(&[]), Err(PartitionError::TooShort { len: 0 }));
        assert_eq!(unwrap(b"EPBP"), Err(PartitionError::TooShort { len: 4 }));
    }

    #[test]
    fn bad_magic() {
        assert_eq!(unwrap(&[0u8; 64]), Err(PartitionError::BadMagic { found: [0; 4] }));
        let mut image = wrap(b"module").unwrap();
        image[0] = b'X';
        assert!(matches!(unwrap(&image), Err(PartitionError::BadMagic { .. })));
    }

    #[test]
    fn bad_version() {
        let mut image = wrap(b"module").unwrap();
        image[4] = 2;
        assert_eq!(unwrap(&image), Err(PartitionError::BadVersion { version: 2, header_len: 16 }));
        let mut image = wrap(b"module").unwrap();
        image[6] = 32;
        assert_eq!(unwrap(&image), Err(PartitionError::BadVersion { version: 1, header_len: 32 }));
    }

    #[test]
    fn too_long() {
        let image = wrap(b"module").unwrap();
        assert_eq!(unwrap(&image[..image.len() - 1]), Err(PartitionError::TooLong { length: 6, available: 5 }));
        let mut image = wrap(b"module").unwrap();
        image[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(unwrap(&image), Err(PartitionError::TooLong { .. })));
    }

    #[test]
    fn crc_mismatch() {
        let mut image = wrap(b"module bytes").unwrap();
        let last = image.len() - 1;
        image[last] ^= 1;
        assert!(matches!(unwrap(&image), Err(PartitionError::CrcMismatch { .. })));
    }

    #[test]
    fn piecewise_reading() {
        let image = wrap(b"0123456789").unwrap();
        let header = Header::parse(&image[..HEADER_LEN]).unwrap();
        assert_eq!(header.length, 10);
        assert_eq!(header.check(&image[HEADER_LEN..]).unwrap(), b"0123456789");
        assert_eq!(Header::for_module(b"0123456789").unwrap(), header);
    }

    #[test]
    fn never_panics_on_truncations_and_flips() {
        let image = wrap(b"a module of some length").unwrap();
        for cut in 0..=image.len() {
            let _ = unwrap(&image[..cut]);
        }
        for i in 0..image.len() {
            for bit in 0..8 {
                let mut flipped = image.clone();
                flipped[i] ^= 1 << bit;
                assert!(unwrap(&flipped).is_err(), "flip at byte {i} bit {bit}");
            }
        }
    }
}
