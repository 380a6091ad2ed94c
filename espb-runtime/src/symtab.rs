//! Firmware symbol tables as the firmware registers them: the generated
//! `espb_symtab_<name>` (C, espb-sys `gen_c`) or `ENTRIES`/`PREFIX_HASHES`
//! (Rust, `gen_rust`). A device [`crate::Host`] keeps a [`Registry`] and
//! answers [`crate::Host::table_prefix_hash`] and
//! [`crate::Host::resolve_slot`] from it.

use crate::signature::NativeSig;
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
    /// The natives' C signatures (generated with the table).
    pub signatures: Signatures<'a>,
    /// Whether calls into this table are checked ([`Checking`]).
    pub checking: Checking,
}

/// The signatures of a table's slots, as espb-sys generates them
/// (`SIG_INDEX`, `SIGS`; C: `sig_index`, `sigs`): `index[i]` is the offset
/// of slot `i`'s record in `records` ([`NativeSig::decode`]), or
/// [`NO_SIGNATURE`] for a slot whose manifest line gives none. An empty
/// `index` is a table without signatures: nothing in it is checked.
#[derive(Clone, Copy, Debug, Default)]
pub struct Signatures<'a> {
    pub index: &'a [u16],
    pub records: &'a [u8],
}

/// `Signatures::index` value of a slot without a signature.
pub const NO_SIGNATURE: u16 = 0xFFFF;

impl Signatures<'_> {
    /// No signatures: every slot unchecked.
    pub const NONE: Signatures<'static> = Signatures { index: &[], records: &[] };

    /// Slot `i`'s signature, if the table has one.
    pub fn get(&self, i: u16) -> Option<NativeSig> {
        let at = *self.index.get(usize::from(i))?;
        if at == NO_SIGNATURE {
            return None;
        }
        NativeSig::decode(self.records, usize::from(at)).ok()
    }
}

/// What the runtime checks of a call into a table, chosen by the firmware
/// per table when it registers it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Checking {
    /// The default: a module whose call sites disagree with a native's
    /// signature is refused at load, and pointer arguments the signature
    /// marks as memory (strings, buffers, objects) are checked against the
    /// module's memory and the granted windows before each call.
    #[default]
    Checked,
    /// Signatures are still compared at load (a wrong call is never
    /// right), but pointer arguments go to the natives unchecked: for
    /// natives whose cost per call matters more than the check.
    Trusted,
}

impl<'a> SymbolTable<'a> {
    /// A table without signatures yet (nothing to check).
    pub const fn new(name: &'a str, entries: &'a [usize], prefix_hashes: &'a [u32]) -> SymbolTable<'a> {
        SymbolTable { name, entries, prefix_hashes, signatures: Signatures::NONE, checking: Checking::Checked }
    }

    /// With the natives' signatures the table was generated with
    /// (`SIG_INDEX`, `SIGS` of a generated Rust table).
    pub const fn with_signatures(self, index: &'a [u16], records: &'a [u8]) -> SymbolTable<'a> {
        SymbolTable { signatures: Signatures { index, records }, ..self }
    }

    /// Calls into this table pass pointer arguments unchecked
    /// ([`Checking::Trusted`]); signatures are still compared at load.
    pub const fn trusted(self) -> SymbolTable<'a> {
        SymbolTable { checking: Checking::Trusted, ..self }
    }
}

/// Why a table was not registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("a symbol table of that name is registered already")]
    Duplicate,
    #[error("the table has {entries} entries but {hashes} prefix hashes")]
    Inconsistent { entries: usize, hashes: usize },
    #[error("the table has {entries} entries but {signatures} signature offsets")]
    SignatureCount { entries: usize, signatures: usize },
    #[error("the signature of slot {slot} is malformed (regenerate the table with espb-sys)")]
    BadSignature { slot: usize },
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
        let sigs = t.signatures;
        if !sigs.index.is_empty() && sigs.index.len() != t.entries.len() {
            return Err(RegisterError::SignatureCount { entries: t.entries.len(), signatures: sigs.index.len() });
        }
        // Checked once here, so that a lookup later cannot meet a bad record.
        if let Some(slot) = sigs
            .index
            .iter()
            .position(|&at| at != NO_SIGNATURE && NativeSig::decode(sigs.records, usize::from(at)).is_err())
        {
            return Err(RegisterError::BadSignature { slot });
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

    /// The signature of slot `index` of table `name` and the table's
    /// checking; `None` when the table has no signature for it.
    pub fn signature(&self, name: &str, index: u16) -> Option<(NativeSig, Checking)> {
        let t = self.get(name)?;
        Some((t.signatures.get(index)?, t.checking))
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
        r.register(SymbolTable::new("idf", &entries, &hashes)).unwrap();
        assert_eq!(r.prefix_hash("idf", 2), Ok(22));
        assert_eq!(r.prefix_hash("idf", 4), Err(TableLookupError::TooShort { slots: 3 }));
        assert_eq!(r.prefix_hash("custom", 1), Err(TableLookupError::Missing));
        assert_eq!(r.address("idf", 0), Some(0x4000_1000));
        assert_eq!(r.address("idf", 1), None, "a disabled slot is NULL");
        assert_eq!(r.address("idf", 9), None);
        let again = SymbolTable::new("idf", &entries, &hashes);
        assert_eq!(r.register(again), Err(RegisterError::Duplicate));
        let bad = SymbolTable::new("x", &entries, &hashes[..1]);
        assert_eq!(r.register(bad), Err(RegisterError::Inconsistent { entries: 3, hashes: 1 }));
    }

    #[test]
    fn signatures_are_checked_when_registered() {
        let entries = [0x4000_1000usize, 0x4000_2000];
        let hashes = [11u32, 22];
        let mut rec = Vec::new();
        NativeSig::parse("i32(str,...)").unwrap().encode(&mut rec);
        let index = [0, NO_SIGNATURE];
        let t = SymbolTable::new("idf", &entries, &hashes).with_signatures(&index, &rec).trusted();
        let mut r = Registry::new();
        r.register(t).unwrap();
        let (sig, checking) = r.signature("idf", 0).unwrap();
        assert_eq!((alloc::format!("{sig}").as_str(), checking), ("i32(str,...)", Checking::Trusted));
        assert!(r.signature("idf", 1).is_none(), "a slot without a signature");
        let mut bad = t;
        bad.name = "bad";
        bad.signatures.records = &rec[..1];
        assert_eq!(r.register(bad), Err(RegisterError::BadSignature { slot: 0 }));
        bad.signatures.index = &index[..1];
        assert_eq!(r.register(bad), Err(RegisterError::SignatureCount { entries: 2, signatures: 1 }));
    }
}
