//! Firmware symbol tables as the firmware registers them: the generated
//! `espb_symtab_<name>` (C, espb-sys `gen_c`) or `ENTRIES`/`PREFIX_HASHES`
//! (Rust, `gen_rust`). A device [`crate::Host`] keeps a [`Registry`] and
//! answers [`crate::Host::table_prefix_hash`] and
//! [`crate::Host::resolve_slot`] from it.

use crate::vm::TableLookupError;
use alloc::vec::Vec;

/// One registered table: slot `i` holds the address of import `i`, or 0
/// where the firmware's configuration leaves it out.
#[derive(Clone, Copy, Debug)]
pub struct SymbolTable<'a> {
    pub name: &'a str,
    pub entries: &'a [usize],
    /// `prefix_hashes[i]`: hash of slots `0..=i` (as the manifest defines).
    pub prefix_hashes: &'a [u32],
}

/// Why a table was not registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("a symbol table of that name is registered already")]
    Duplicate,
    #[error("the table has {entries} entries but {hashes} prefix hashes")]
    Inconsistent { entries: usize, hashes: usize },
}

/// The tables a firmware offers to modules.
#[derive(Clone, Debug, Default)]
pub struct Registry<'a> {
    tables: Vec<SymbolTable<'a>>,
}

impl<'a> Registry<'a> {
    pub fn new() -> Self {
        Registry { tables: Vec::new() }
    }

    pub fn register(&mut self, t: SymbolTable<'a>) -> Result<(), RegisterError> {
        if t.entries.len() != t.prefix_hashes.len() {
            return Err(RegisterError::Inconsistent { entries: t.entries.len(), hashes: t.prefix_hashes.len() });
        }
        if self.get(t.name).is_some() {
            return Err(RegisterError::Duplicate);
        }
        self.tables.push(t);
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&SymbolTable<'a>> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The hash of the first `count` slots of table `name`.
    pub fn prefix_hash(&self, name: &str, count: u32) -> Result<u32, TableLookupError> {
        let t = self.get(name).ok_or(TableLookupError::Missing)?;
        if count == 0 {
            // The hash of no slots: the manifest hash's starting value.
            return Ok(FNV_OFFSET);
        }
        t.prefix_hashes
            .get(count as usize - 1)
            .copied()
            .ok_or(TableLookupError::TooShort { slots: t.entries.len() as u32 })
    }

    /// The address in slot `index` of table `name`; `None` when the table
    /// is missing, too short, or leaves the slot empty (NULL).
    pub fn address(&self, name: &str, index: u16) -> Option<usize> {
        self.get(name)?.entries.get(usize::from(index)).copied().filter(|&a| a != 0)
    }
}

/// FNV-1a 32 offset basis: the hash of an empty table (docs/symbols.md).
const FNV_OFFSET: u32 = 0x811c_9dc5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_follow_the_registered_table() {
        let entries = [0x4000_1000usize, 0, 0x4000_2000];
        let hashes = [11u32, 22, 33];
        let mut r = Registry::new();
        r.register(SymbolTable { name: "idf", entries: &entries, prefix_hashes: &hashes }).unwrap();
        assert_eq!(r.prefix_hash("idf", 2), Ok(22));
        assert_eq!(r.prefix_hash("idf", 4), Err(TableLookupError::TooShort { slots: 3 }));
        assert_eq!(r.prefix_hash("custom", 1), Err(TableLookupError::Missing));
        assert_eq!(r.address("idf", 0), Some(0x4000_1000));
        assert_eq!(r.address("idf", 1), None, "a disabled slot is NULL");
        assert_eq!(r.address("idf", 9), None);
        let again = SymbolTable { name: "idf", entries: &entries, prefix_hashes: &hashes };
        assert_eq!(r.register(again), Err(RegisterError::Duplicate));
        let bad = SymbolTable { name: "x", entries: &entries, prefix_hashes: &hashes[..1] };
        assert_eq!(r.register(bad), Err(RegisterError::Inconsistent { entries: 3, hashes: 1 }));
    }
}
