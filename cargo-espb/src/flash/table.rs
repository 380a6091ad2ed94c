//! Loading ESP-IDF partition tables (CSV or binary) with esp-idf-part, behind
//! a guard.
//!
//! esp-idf-part 0.6 panics on some inputs instead of returning an error: a
//! `data` (or `app`) row whose subtype is a number it has no name for
//! (`SubType::data(..).unwrap()`), unknown flag bits in a binary table,
//! offsets or sizes whose sum overflows `u32`, negative numbers, `NNNk`
//! sizes with too many digits, and input shorter than two bytes. The guard
//! below checks every row for exactly those cases first (parsing numbers with
//! the same `parse_int` and the CSV with the same `csv` settings), so that
//! esp-idf-part only ever sees tables it reports on with an error.

use std::path::Path;

use esp_idf_part::{AppType, DataType, PartitionTable};

/// What is wrong with a partition table. `row` is a CSV line number or a
/// binary entry index (from 0), as `at` says.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("the CSV partition table is not valid UTF-8 text")]
    NotUtf8,
    #[error("{at}: cannot read the CSV: {message}")]
    Csv { at: String, message: String },
    #[error(
        "{at}: partition '{name}' has type `data` with subtype {subtype}, which ESP-IDF does not \
         define (esp-idf-part cannot read it). For the module partition use `data, undefined` \
         (e.g. `espb, data, undefined, , 256K`) or a custom partition type in 0x40-0xFE \
         (e.g. `espb, 0x40, 0x00, , 256K`)"
    )]
    UnknownDataSubtype { at: String, name: String, subtype: String },
    #[error(
        "{at}: partition '{name}' has type `app` with subtype {subtype}; app partitions take \
         `factory`, `ota_0` to `ota_15` or `test`"
    )]
    BadAppSubtype { at: String, name: String, subtype: String },
    #[error(
        "{at}: partition '{name}' has {field} `{value}`, which is not a number: use decimal, \
         0x hex, or a size like 64K / 1M"
    )]
    BadNumber { at: String, name: String, field: &'static str, value: String },
    #[error("{at}: partition '{name}' ends past 4 GiB (offset {offset:#x} + size {size:#x})")]
    Overflow { at: String, name: String, offset: u64, size: u64 },
    #[error(
        "{at}: partition '{name}' has unknown flag bits {flags:#x} (only encrypted = 1 and \
         readonly = 2 exist)"
    )]
    BadFlags { at: String, name: String, flags: u32 },
    #[error("{0}")]
    Invalid(String),
}

/// Whether a table was read from CSV or binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Binary,
}

impl std::fmt::Display for TableFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TableFormat::Csv => "CSV",
            TableFormat::Binary => "binary",
        })
    }
}

const BIN_ENTRY_MAGIC: [u8; 2] = [0xAA, 0x50];
const BIN_MD5_MAGIC: [u8; 16] =
    [0xEB, 0xEB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

/// The format `bytes` are in: binary tables start with `AA 50`.
pub fn detect_format(bytes: &[u8]) -> TableFormat {
    if bytes.starts_with(&BIN_ENTRY_MAGIC) { TableFormat::Binary } else { TableFormat::Csv }
}

/// Parses a CSV or binary partition table; never panics.
pub fn parse_table(bytes: &[u8]) -> Result<(PartitionTable, TableFormat), TableError> {
    match detect_format(bytes) {
        TableFormat::Binary => {
            guard_binary(bytes)?;
            let table = PartitionTable::try_from_bytes(bytes)
                .map_err(|e| TableError::Invalid(format!("invalid binary partition table: {e}")))?;
            Ok((table, TableFormat::Binary))
        }
        TableFormat::Csv => {
            let text = std::str::from_utf8(bytes).map_err(|_| TableError::NotUtf8)?;
            guard_csv(text)?;
            let table = PartitionTable::try_from_str(text)
                .map_err(|e| TableError::Invalid(format!("invalid CSV partition table: {e}")))?;
            Ok((table, TableFormat::Csv))
        }
    }
}

/// Reads and parses the partition table at `path`.
pub fn load_table(path: &Path) -> Result<(PartitionTable, TableFormat), LoadError> {
    let bytes = std::fs::read(path).map_err(LoadError::Read)?;
    parse_table(&bytes).map_err(LoadError::Table)
}

/// Why [`load_table`] failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read it: {0}")]
    Read(std::io::Error),
    #[error(transparent)]
    Table(TableError),
}

fn data_subtype_ok(v: u8) -> bool {
    DataType::from_repr(usize::from(v)).is_some()
}

fn app_subtype_ok(v: u8) -> bool {
    AppType::from_repr(usize::from(v)).is_some()
}

fn guard_binary(bytes: &[u8]) -> Result<(), TableError> {
    if !bytes.len().is_multiple_of(32) {
        // esp-idf-part reports this one itself.
        return Ok(());
    }
    for (i, e) in bytes.chunks_exact(32).enumerate() {
        if e.starts_with(&BIN_MD5_MAGIC) {
            continue;
        }
        if e.iter().all(|&b| b == 0xFF) {
            break;
        }
        let at = format!("entry {i}");
        if e[0..2] != BIN_ENTRY_MAGIC {
            return Err(TableError::Invalid(format!(
                "{at} of the binary partition table does not start with AA 50: not a partition \
                 table, or corrupt"
            )));
        }
        let name = String::from_utf8_lossy(&e[12..28]).trim_matches('\0').to_string();
        let (ty, sub) = (e[2], e[3]);
        let word = |o: usize| u32::from_le_bytes([e[o], e[o + 1], e[o + 2], e[o + 3]]);
        let (offset, size, flags) = (word(4), word(8), word(28));
        if ty == 0x00 && !app_subtype_ok(sub) {
            return Err(TableError::BadAppSubtype { at, name, subtype: format!("{sub:#04x}") });
        }
        if ty == 0x01 && !data_subtype_ok(sub) {
            return Err(TableError::UnknownDataSubtype { at, name, subtype: format!("{sub:#04x}") });
        }
        if offset.checked_add(size).is_none() {
            return Err(TableError::Overflow { at, name, offset: offset.into(), size: size.into() });
        }
        if flags & !0b11 != 0 {
            return Err(TableError::BadFlags { at, name, flags });
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Ty {
    App,
    Data,
    Custom,
}

/// A subtype as esp-idf-part reads it: an app name, a data name, or a number.
#[derive(Clone, Copy)]
enum Sub {
    App,
    Data,
    Num(u8),
}

/// `parse_int::parse::<u8>` without its panic on a leading `-` (it computes
/// `0 - 1` in the unsigned type).
fn parse_u8(s: &str) -> Option<u8> {
    let s = s.trim();
    if s.starts_with('-') || s.starts_with('+') {
        return None;
    }
    parse_int::parse::<u8>(s).ok()
}

/// An offset or size as esp-idf-part reads it: empty, a `parse_int` number,
/// or digits followed by one `k`/`m` (case-insensitive). `Err(())` when it is
/// none of these or does not fit in `u32`.
fn parse_offset_or_size(s: &str) -> Result<Option<u32>, ()> {
    if s.is_empty() {
        return Ok(None);
    }
    if s.starts_with('-') || s.starts_with('+') {
        return Err(());
    }
    if let Ok(v) = parse_int::parse::<u32>(s) {
        return Ok(Some(v));
    }
    let (digits, mult) = match s.char_indices().last() {
        Some((i, 'k' | 'K')) => (&s[..i], 1024u32),
        Some((i, 'm' | 'M')) => (&s[..i], 1024 * 1024),
        _ => return Err(()),
    };
    // esp-idf-part matches `\d+` (any Unicode digit) and then unwraps an
    // ASCII parse: accept only ASCII digits that fit.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    let n: u32 = digits.parse().map_err(|_| ())?;
    n.checked_mul(mult).map(Some).ok_or(())
}

fn guard_csv(text: &str) -> Result<(), TableError> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    // esp-idf-part places the first partition without an offset at 0x9000.
    let mut next: u32 = 0x9000;
    for record in reader.records() {
        let record = record.map_err(|e| TableError::Csv {
            at: match e.position() {
                Some(p) => format!("line {}", p.line()),
                None => "partition table".into(),
            },
            message: e.to_string(),
        })?;
        let at = match record.position() {
            Some(p) => format!("line {}", p.line()),
            None => "partition table".into(),
        };
        if record.len() < 5 {
            // esp-idf-part reports missing fields as an error.
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("");
        let name = field(0).to_string();
        let ty_s = field(1);
        let ty = if ty_s == "app" {
            Ty::App
        } else if ty_s == "data" {
            Ty::Data
        } else {
            match parse_u8(ty_s) {
                Some(0) => Ty::App,
                Some(1) => Ty::Data,
                Some(_) => Ty::Custom,
                None => {
                    if ty_s.trim_start().starts_with('-') {
                        return Err(TableError::BadNumber { at, name, field: "type", value: ty_s.into() });
                    }
                    continue; // esp-idf-part: "invalid partition type"
                }
            }
        };
        let sub_s = field(2);
        let sub = if sub_s.parse::<AppType>().is_ok() {
            Sub::App
        } else if sub_s.parse::<DataType>().is_ok() {
            Sub::Data
        } else if let Some(v) = parse_u8(sub_s) {
            Sub::Num(v)
        } else if sub_s.trim_start().starts_with('-') {
            return Err(TableError::BadNumber { at, name, field: "subtype", value: sub_s.into() });
        } else {
            continue; // esp-idf-part: "invalid partition subtype"
        };
        match (ty, sub) {
            (Ty::App, Sub::Data) => {
                return Err(TableError::BadAppSubtype { at, name, subtype: format!("`{sub_s}` (a data subtype)") });
            }
            (Ty::App, Sub::Num(v)) if !app_subtype_ok(v) => {
                return Err(TableError::BadAppSubtype { at, name, subtype: format!("`{sub_s}`") });
            }
            (Ty::Data, Sub::App) => {
                return Err(TableError::UnknownDataSubtype {
                    at,
                    name,
                    subtype: format!("`{sub_s}` (an app subtype)"),
                });
            }
            (Ty::Data, Sub::Num(v)) if !data_subtype_ok(v) => {
                return Err(TableError::UnknownDataSubtype { at, name, subtype: format!("`{sub_s}`") });
            }
            _ => {}
        }
        let is_app = matches!(ty, Ty::App);
        let number = |field_name: &'static str, value: &str| {
            parse_offset_or_size(value).map_err(|()| TableError::BadNumber {
                at: at.clone(),
                name: name.clone(),
                field: field_name,
                value: value.into(),
            })
        };
        let offset = number("offset", field(3))?;
        let Some(size) = number("size", field(4))? else {
            // esp-idf-part: "invalid partition size/offset format"
            continue;
        };
        let offset = match offset {
            Some(o) => o,
            None => {
                let align = if is_app { 0x10000 } else { 4 };
                let rem = next % align;
                if rem == 0 {
                    next
                } else {
                    next.checked_add(align - rem).ok_or_else(|| TableError::Overflow {
                        at: at.clone(),
                        name: name.clone(),
                        offset: u64::from(next) + u64::from(align - rem),
                        size: size.into(),
                    })?
                }
            }
        };
        next = offset.checked_add(size).ok_or_else(|| TableError::Overflow {
            at: at.clone(),
            name: name.clone(),
            offset: offset.into(),
            size: size.into(),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_sizes() {
        assert_eq!(parse_offset_or_size(""), Ok(None));
        assert_eq!(parse_offset_or_size("0x9000"), Ok(Some(0x9000)));
        assert_eq!(parse_offset_or_size("64K"), Ok(Some(65536)));
        assert_eq!(parse_offset_or_size("1M"), Ok(Some(1 << 20)));
        assert_eq!(parse_offset_or_size("-0x1000"), Err(()));
        assert_eq!(parse_offset_or_size("99999999999k"), Err(()));
        assert_eq!(parse_offset_or_size("5000M"), Err(()));
        assert_eq!(parse_offset_or_size("\u{0661}k"), Err(()));
    }
}
