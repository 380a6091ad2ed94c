//! The `.espb` v1 binary format: [`encode`] a [`Module`] to bytes, [`decode`]
//! bytes back, [`load`] = decode + [`verify`](crate::verify::verify).
//! The format is specified in `docs/format.md`; this file and that document
//! must agree.
//!
//! Layout: a 16-byte header, a section table, then the sections. Decoding
//! never panics, never allocates more than a small multiple of the input
//! size (every count is checked against the bytes that remain before
//! anything is allocated) and always terminates.

mod leb;
pub mod partition;
mod sections;

use crate::module::{Layout, Module};
use crate::verify::{VerifiedModule, VerifyError};
use alloc::vec::Vec;

/// `b"ESPB"`.
pub const MAGIC: [u8; 4] = *b"ESPB";
/// The format version this crate reads and writes.
pub const VERSION: u16 = 1;
/// Bytes in the fixed header.
pub const HEADER_SIZE: usize = 16;
/// Bytes per section-table entry: id u8, offset u32, length u32.
pub const SECTION_ENTRY_SIZE: usize = 9;
/// Section ids from here up are optional: a loader skips those it does not
/// know. Unknown ids below are errors.
pub const FIRST_OPTIONAL_SECTION: u8 = 0x40;

/// Stack size assumed when the LAYOUT section is absent.
pub const DEFAULT_STACK_SIZE: u32 = 16 * 1024;
/// Heap size assumed when the LAYOUT section is absent.
pub const DEFAULT_HEAP_SIZE: u32 = 64 * 1024;

/// Section ids. Ids are part of the format: never renumber or reuse one.
pub mod section {
    /// Function signatures.
    pub const TYPES: u8 = 0x01;
    /// Firmware symbol tables imported from (name + manifest hash).
    pub const TABLES: u8 = 0x02;
    pub const IMPORTS: u8 = 0x03;
    pub const FUNCTIONS: u8 = 0x04;
    pub const DATA: u8 = 0x05;
    pub const EXPORTS: u8 = 0x06;
    /// Stack and heap sizes.
    pub const LAYOUT: u8 = 0x07;
    /// Reserved (required): per-entry symbol-table hashes.
    pub const SYMBOL_HASHES: u8 = 0x08;
    /// Reserved (required): callback metadata (thunk slots, context args).
    pub const CALLBACKS: u8 = 0x09;
    /// Optional: function names.
    pub const NAMES: u8 = 0x40;
    /// Optional: code offset -> source line.
    pub const DEBUG_LINES: u8 = 0x41;
    /// Reserved (optional): precompiled native code per architecture.
    pub const NATIVE_CODE: u8 = 0x42;
    /// Optional: call metadata per import (callbacks, contexts, blocking).
    pub const IMPORT_HINTS: u8 = 0x43;
}

/// A section's name for messages.
pub const fn section_name(id: u8) -> &'static str {
    match id {
        section::TYPES => "TYPES",
        section::TABLES => "TABLES",
        section::IMPORTS => "IMPORTS",
        section::FUNCTIONS => "FUNCTIONS",
        section::DATA => "DATA",
        section::EXPORTS => "EXPORTS",
        section::LAYOUT => "LAYOUT",
        section::SYMBOL_HASHES => "SYMBOL_HASHES",
        section::CALLBACKS => "CALLBACKS",
        section::NAMES => "NAMES",
        section::DEBUG_LINES => "DEBUG_LINES",
        section::NATIVE_CODE => "NATIVE_CODE",
        section::IMPORT_HINTS => "IMPORT_HINTS",
        id if id < FIRST_OPTIONAL_SECTION => "unknown required",
        _ => "unknown optional",
    }
}

/// Sections this version decodes.
const fn is_known(id: u8) -> bool {
    matches!(
        id,
        section::TYPES
            | section::TABLES
            | section::IMPORTS
            | section::FUNCTIONS
            | section::DATA
            | section::EXPORTS
            | section::LAYOUT
            | section::NAMES
            | section::DEBUG_LINES
            | section::IMPORT_HINTS
    )
}

/// Errors from [`decode`]: each says what is wrong and where. Offsets are
/// absolute byte offsets in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("file too short for an .espb header: {len} bytes, need {HEADER_SIZE}")]
    TooShort { len: usize },
    #[error("not an .espb module (bad magic)")]
    BadMagic,
    #[error(
        "unsupported .espb version {0} (this runtime reads version {VERSION}); rebuild the module with a matching cargo-espb"
    )]
    UnsupportedVersion(u16),
    #[error("header reserved field is {0:#06x}, must be 0")]
    ReservedNotZero(u16),
    #[error(
        "checksum mismatch: header says {expected:#010x}, contents give {found:#010x} (file corrupted or truncated)"
    )]
    ChecksumMismatch { expected: u32, found: u32 },
    #[error("section table of {count} entries does not fit in a {file_len}-byte file")]
    SectionTableOutOfBounds { count: u16, file_len: usize },
    #[error("section {} ({id:#04x}) at offset {offset}, length {len}, is outside the {file_len}-byte file", section_name(*id))]
    SectionOutOfBounds { id: u8, offset: u32, len: u32, file_len: usize },
    #[error("section {} ({id:#04x}) at offset {offset} overlaps the header or section table (which end at {table_end})", section_name(*id))]
    SectionOverlapsHeader { id: u8, offset: u32, table_end: usize },
    #[error("sections {} ({first:#04x}) and {} ({second:#04x}) overlap at offset {offset}", section_name(*first), section_name(*second))]
    OverlappingSections { first: u8, second: u8, offset: u32 },
    #[error("section {} ({:#04x}) appears more than once", section_name(*.0), .0)]
    DuplicateSection(u8),
    #[error("unknown required section {0:#04x} (module needs a newer runtime)")]
    UnknownRequiredSection(u8),
    #[error("{} section truncated at offset {offset}", section_name(*section))]
    Truncated { section: u8, offset: usize },
    #[error("{} section: unexpected bytes at offset {offset} after its contents", section_name(*section))]
    TrailingBytes { section: u8, offset: usize },
    #[error("{} section: malformed LEB128 number at offset {offset}", section_name(*section))]
    BadLeb { section: u8, offset: usize },
    #[error("{} section: value {value} at offset {offset} is outside {min}..={max}", section_name(*section))]
    ValueOutOfRange { section: u8, offset: usize, value: i128, min: i128, max: i128 },
    #[error("{} section: count {count} at offset {offset} exceeds the {remaining} bytes left", section_name(*section))]
    CountTooLarge { section: u8, offset: usize, count: usize, remaining: usize },
    #[error("{} section: string at offset {offset} is not valid UTF-8", section_name(*section))]
    Utf8 { section: u8, offset: usize },
    #[error("{} section: bad value type {byte:#04x} at offset {offset}", section_name(*section))]
    BadValType { section: u8, offset: usize, byte: u8 },
    #[error("{} section: bad signature flags {byte:#04x} at offset {offset}", section_name(*section))]
    BadTypeFlags { section: u8, offset: usize, byte: u8 },
    #[error("{} section: bad import kind {kind} at offset {offset}", section_name(*section))]
    BadImportKind { section: u8, offset: usize, kind: u8 },
    #[error("{} section: bad relocation kind {kind} at offset {offset}", section_name(*section))]
    BadRelocKind { section: u8, offset: usize, kind: u8 },
    #[error("{} section: bad hint flags {byte:#04x} at offset {offset} (bits 5..7 must be 0)", section_name(*section))]
    BadHintFlags { section: u8, offset: usize, byte: u8 },
}

/// Errors from [`load`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("malformed module: {0}")]
    Format(#[from] FormatError),
    #[error("invalid module: {0}")]
    Verify(#[from] VerifyError),
}

/// One section-table entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionEntry {
    pub id: u8,
    /// Absolute offset in the file.
    pub offset: u32,
    pub len: u32,
}

/// The checked header and section table of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub version: u16,
    pub flags: u16,
    pub crc32: u32,
    /// In file-table order.
    pub sections: Vec<SectionEntry>,
}

impl Header {
    /// Bytes taken by the header and the section table.
    pub fn overhead(&self) -> usize {
        HEADER_SIZE + SECTION_ENTRY_SIZE * self.sections.len()
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(s) => u16::from_le_bytes([s[0], s[1]]),
        None => 0,
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(s) => u32::from_le_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

/// Reads and checks the header and the section table: magic, version,
/// reserved field, CRC-32, every section inside the file, after the table,
/// non-overlapping, known ids at most once, no unknown required id.
pub fn read_header(bytes: &[u8]) -> Result<Header, FormatError> {
    let file_len = bytes.len();
    if file_len < HEADER_SIZE {
        // A short file with the wrong magic is not ours at all.
        if bytes.len() >= 4 && bytes.get(..4) != Some(&MAGIC[..]) {
            return Err(FormatError::BadMagic);
        }
        return Err(FormatError::TooShort { len: file_len });
    }
    if bytes.get(..4) != Some(&MAGIC[..]) {
        return Err(FormatError::BadMagic);
    }
    let version = u16_at(bytes, 4);
    if version != VERSION {
        return Err(FormatError::UnsupportedVersion(version));
    }
    let flags = u16_at(bytes, 6);
    let count = u16_at(bytes, 8);
    let reserved = u16_at(bytes, 10);
    if reserved != 0 {
        return Err(FormatError::ReservedNotZero(reserved));
    }
    let expected = u32_at(bytes, 12);
    let found = crc32fast::hash(bytes.get(HEADER_SIZE..).unwrap_or(&[]));
    if expected != found {
        return Err(FormatError::ChecksumMismatch { expected, found });
    }

    let table_end = HEADER_SIZE + SECTION_ENTRY_SIZE * usize::from(count);
    let table = bytes.get(HEADER_SIZE..table_end).ok_or(FormatError::SectionTableOutOfBounds { count, file_len })?;
    let mut sections = Vec::with_capacity(usize::from(count));
    let mut seen = [false; 256];
    for e in table.chunks_exact(SECTION_ENTRY_SIZE) {
        let id = e.first().copied().unwrap_or(0);
        let offset = u32_at(e, 1);
        let len = u32_at(e, 5);
        let end = u64::from(offset) + u64::from(len);
        if end > file_len as u64 {
            return Err(FormatError::SectionOutOfBounds { id, offset, len, file_len });
        }
        if (offset as usize) < table_end {
            return Err(FormatError::SectionOverlapsHeader { id, offset, table_end });
        }
        if id < FIRST_OPTIONAL_SECTION && !is_known(id) {
            return Err(FormatError::UnknownRequiredSection(id));
        }
        if is_known(id) {
            let s = &mut seen[usize::from(id)];
            if *s {
                return Err(FormatError::DuplicateSection(id));
            }
            *s = true;
        }
        sections.push(SectionEntry { id, offset, len });
    }

    let mut sorted: Vec<SectionEntry> = sections.clone();
    sorted.sort_unstable_by_key(|s| (s.offset, s.len));
    for w in sorted.windows(2) {
        if let [a, b] = w {
            let a_end = u64::from(a.offset) + u64::from(a.len);
            if u64::from(b.offset) < a_end {
                return Err(FormatError::OverlappingSections { first: a.id, second: b.id, offset: b.offset });
            }
        }
    }

    Ok(Header { version, flags, crc32: expected, sections })
}

/// Reads a module; never panics on any input. The module is not verified:
/// use [`load`] before running it.
pub fn decode(bytes: &[u8]) -> Result<Module, FormatError> {
    let header = read_header(bytes)?;
    let mut m = Module {
        flags: header.flags,
        layout: Layout { stack_size: DEFAULT_STACK_SIZE, heap_size: DEFAULT_HEAP_SIZE },
        ..Module::default()
    };
    for s in &header.sections {
        if !is_known(s.id) {
            continue; // optional section of a later version
        }
        let start = s.offset as usize;
        let end = start.saturating_add(s.len as usize);
        // read_header checked the bounds; stay panic-free regardless.
        let body = bytes.get(start..end).ok_or(FormatError::SectionOutOfBounds {
            id: s.id,
            offset: s.offset,
            len: s.len,
            file_len: bytes.len(),
        })?;
        sections::decode_section(&mut m, s.id, body, start)?;
    }
    Ok(m)
}

/// Writes a module in the .espb format. Empty sections are left out, and so
/// is LAYOUT when it holds the default sizes. A module must be smaller than
/// 4 GiB.
pub fn encode(m: &Module) -> Vec<u8> {
    let bodies = sections::encode_sections(m);
    let table_end = HEADER_SIZE + SECTION_ENTRY_SIZE * bodies.len();
    let total = table_end + bodies.iter().map(|(_, b)| b.len()).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&m.flags.to_le_bytes());
    out.extend_from_slice(&(bodies.len() as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // CRC, patched below
    let mut offset = table_end;
    for (id, body) in &bodies {
        out.push(*id);
        out.extend_from_slice(&u32::try_from(offset).unwrap_or(u32::MAX).to_le_bytes());
        out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_le_bytes());
        offset += body.len();
    }
    for (_, body) in &bodies {
        out.extend_from_slice(body);
    }
    let crc = crc32fast::hash(out.get(HEADER_SIZE..).unwrap_or(&[]));
    if let Some(c) = out.get_mut(12..16) {
        c.copy_from_slice(&crc.to_le_bytes());
    }
    out
}

/// Recomputes the header CRC after the bytes were changed (tools, tests).
/// Does nothing to a file shorter than the header.
pub fn fix_checksum(bytes: &mut [u8]) {
    if bytes.len() < HEADER_SIZE {
        return;
    }
    let crc = crc32fast::hash(bytes.get(HEADER_SIZE..).unwrap_or(&[]));
    if let Some(c) = bytes.get_mut(12..16) {
        c.copy_from_slice(&crc.to_le_bytes());
    }
}

/// Decodes and completely verifies a module: what a loader runs before an
/// instance is made, and the only verification on that path.
pub fn load(bytes: &[u8]) -> Result<VerifiedModule, LoadError> {
    Ok(VerifiedModule::new(decode(bytes)?)?)
}
