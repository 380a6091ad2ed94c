//! The symbol tables a firmware ELF registers, read from the ELF itself, so
//! that `flash` refuses a module the firmware would refuse at load (the same
//! check as the runtime's, `espb_runtime::vm::check_table`) before anything is
//! written.
//!
//! espb-sys's generators give every table a global `espb_symtab_<name>`
//! (C: `espb_symtab_t`; Rust: `Symtab`, exported under that name) that
//! starts with `hash, count, entries, prefix_hashes, name`: 32-bit words on
//! the chips, little-endian.

use espb_runtime::Module;
use espb_runtime::symtab::{Registry, SymbolTable};
use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

/// One table as the firmware has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfTable {
    pub name: String,
    /// `[i]`: the hash of slots `0..=i`.
    pub prefix_hashes: Vec<u32>,
}

/// Why the tables could not be read from an ELF.
#[derive(Debug, thiserror::Error)]
pub enum ElfTablesError {
    #[error("not an ELF the tools can read: {0}")]
    Parse(#[from] object::Error),
    #[error("`{symbol}` points outside the ELF's loaded sections (at {addr:#010x})")]
    Dangling { symbol: String, addr: u64 },
}

/// The first words of a table: hash, count, entries, prefix_hashes, name.
const HEADER_WORDS: usize = 5;

/// Every `espb_symtab_<name>` of a 32-bit little-endian ELF (none: an empty
/// list, as for a firmware without espb or a stripped one).
pub fn tables_of_elf(elf: &[u8]) -> Result<Vec<ElfTable>, ElfTablesError> {
    let file = object::File::parse(elf)?;
    if file.is_64() || !file.is_little_endian() {
        return Ok(Vec::new());
    }
    let mut tables = Vec::new();
    for sym in file.symbols() {
        let Ok(symbol) = sym.name() else { continue };
        let Some(suffix) = symbol.strip_prefix("espb_symtab_") else { continue };
        // The arrays the C generator names after a table are file-local.
        if !sym.is_global() || sym.kind() != SymbolKind::Data {
            continue;
        }
        if sym.size() != 0 && sym.size() < (HEADER_WORDS * 4) as u64 {
            continue;
        }
        let dangling = |addr: u64| ElfTablesError::Dangling { symbol: symbol.to_string(), addr };
        let header = read(&file, sym.address(), HEADER_WORDS * 4).ok_or_else(|| dangling(sym.address()))?;
        let word =
            |i: usize| u32::from_le_bytes([header[4 * i], header[4 * i + 1], header[4 * i + 2], header[4 * i + 3]]);
        let (count, hashes_at, name_at) = (word(1) as usize, u64::from(word(3)), u64::from(word(4)));
        let prefix_hashes = if count == 0 {
            Vec::new()
        } else {
            let bytes = read(&file, hashes_at, count * 4).ok_or_else(|| dangling(hashes_at))?;
            bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
        };
        let name = c_string(&file, name_at).unwrap_or_else(|| suffix.to_string());
        tables.push(ElfTable { name, prefix_hashes });
    }
    Ok(tables)
}

/// `len` bytes at `addr` of a section that has its bytes in the file.
fn read<'a>(file: &object::File<'a>, addr: u64, len: usize) -> Option<&'a [u8]> {
    file.sections().find_map(|s| {
        let off = addr.checked_sub(s.address())?;
        let data = s.data().ok()?;
        let off = usize::try_from(off).ok()?;
        data.get(off..off.checked_add(len)?)
    })
}

/// The NUL-terminated string at `addr`.
fn c_string(file: &object::File<'_>, addr: u64) -> Option<String> {
    file.sections().find_map(|s| {
        let off = usize::try_from(addr.checked_sub(s.address())?).ok()?;
        let rest = s.data().ok()?.get(off..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        Some(String::from_utf8_lossy(&rest[..end]).into_owned())
    })
}

/// Whether the firmware with `tables` would accept `module`'s tables at
/// load (by the runtime's own rule).
pub fn check(module: &Module, tables: &[ElfTable]) -> Result<(), espb_runtime::InstantiateError> {
    let entries: Vec<Vec<usize>> = tables.iter().map(|t| vec![0; t.prefix_hashes.len()]).collect();
    let mut registry = Registry::new();
    for (t, e) in tables.iter().zip(&entries) {
        // Two tables of one name cannot load on the device either: the first counts.
        let _ = registry.register(SymbolTable::new(&t.name, e, &t.prefix_hashes));
    }
    for t in &module.tables {
        espb_runtime::vm::check_table(t, registry.prefix_hash(&t.name, t.count))?;
    }
    Ok(())
}
