//! The in-memory form of a module: what the translator builds, what the
//! encoder writes and the decoder reads back (see docs/format.md), and what
//! the verifier checks before an instance is made.

pub mod callbacks;
mod hints;

pub use hints::*;

use alloc::string::String;
use alloc::vec::Vec;

/// Value types of parameters and results. Pointers are `I32`.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32 = 1,
    I64 = 2,
    F32 = 3,
    F64 = 4,
}

impl ValType {
    pub const fn from_u8(b: u8) -> Option<ValType> {
        Some(match b {
            1 => ValType::I32,
            2 => ValType::I64,
            3 => ValType::F32,
            4 => ValType::F64,
            _ => return None,
        })
    }
    pub const fn name(self) -> &'static str {
        match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
        }
    }
}

/// A function signature. For a call site of a variadic function the
/// `params` list every argument actually passed, and `fixed` says how many
/// of them are the declared (non-variadic) parameters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    pub params: Vec<ValType>,
    pub result: Option<ValType>,
    /// `Some(n)`: variadic, the first `n` params are the fixed ones.
    pub variadic_fixed: Option<u8>,
}

/// How an import is found in the firmware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportRef {
    /// By symbol name (PC runner, development).
    Name(String),
    /// By slot in a firmware symbol table: `table` indexes
    /// [`Module::tables`], `index` is the slot.
    Slot { table: u8, index: u16, name: Option<String> },
}

/// A firmware symbol table the module imports from. Tables are append-only,
/// so the module records how many slots it was built against (`count`) and
/// the hash of exactly those slots: a firmware with a longer table of the
/// same prefix still fits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRef {
    pub name: String,
    /// Hash of slots `0..count` (names and indices, see docs/symbols.md).
    pub hash: u32,
    pub count: u32,
}

/// What an import names in the firmware: a function, or data (a variable,
/// a table such as newlib's `_ctype_`, a load-time configuration value such
/// as `__espb_cfg_FREERTOS_HZ`). Either way the firmware supplies an address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportKind {
    #[default]
    Func,
    Data,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub what: ImportRef,
    /// Declared type (index into [`Module::types`]) of a function import;
    /// call sites may use a different type for variadic arguments. Unused
    /// (0) for data imports.
    pub ty: u16,
    pub kind: ImportKind,
}

impl Import {
    /// A function import.
    pub fn func(what: ImportRef, ty: u16) -> Import {
        Import { what, ty, kind: ImportKind::Func }
    }

    /// A data import.
    pub fn data(what: ImportRef) -> Import {
        Import { what, ty: 0, kind: ImportKind::Data }
    }

    pub fn is_data(&self) -> bool {
        self.kind == ImportKind::Data
    }

    /// The symbol name when the module knows it.
    pub fn name(&self) -> Option<&str> {
        match &self.what {
            ImportRef::Name(n) => Some(n),
            ImportRef::Slot { name, .. } => name.as_deref(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// Index into [`Module::types`]. Parameters arrive in registers 0..n.
    pub ty: u16,
    /// Registers this function uses (>= number of params, >= 1).
    pub num_regs: u16,
    /// Bytes of fixed stack frame (static allocas), 16-aligned.
    pub frame_size: u32,
    /// Encoded instructions (see [`crate::isa`]).
    pub code: Vec<u8>,
}

/// What a relocation's target is.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelocKind {
    /// Address of a byte in the module's data: `target` is the data offset.
    Data = 0,
    /// Address of module function `target`.
    Func = 1,
    /// Address of import `target`.
    Import = 2,
}

impl RelocKind {
    pub const fn from_u8(b: u8) -> Option<RelocKind> {
        Some(match b {
            0 => RelocKind::Data,
            1 => RelocKind::Func,
            2 => RelocKind::Import,
            _ => return None,
        })
    }
}

/// A 32-bit pointer in the data image, patched at load:
/// `data[offset..offset+4] = address_of(target) + addend`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reloc {
    pub offset: u32,
    pub kind: RelocKind,
    pub target: u32,
    pub addend: i32,
}

/// The module's static data: globals and constants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Data {
    /// Total bytes of static data (initialised + zeroed).
    pub size: u32,
    /// Alignment of the data block (power of two).
    pub align: u32,
    /// Initial bytes of the first `init.len()` bytes; the rest is zero.
    pub init: Vec<u8>,
    pub relocs: Vec<Reloc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub name: String,
    pub func: u16,
}

/// Memory the instance asks for beyond its static data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub stack_size: u32,
    pub heap_size: u32,
}

impl Default for Layout {
    fn default() -> Self {
        Layout { stack_size: 16 * 1024, heap_size: 64 * 1024 }
    }
}

/// Source positions: for each function, sorted (code offset, line) pairs;
/// a pc maps to the last entry at or before it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DebugLines {
    pub files: Vec<String>,
    /// Per function (same order as [`Module::functions`]).
    pub functions: Vec<Vec<LineEntry>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineEntry {
    pub pc: u32,
    pub file: u16,
    pub line: u32,
}

/// A whole module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Module {
    pub flags: u16,
    pub types: Vec<FuncType>,
    pub tables: Vec<TableRef>,
    pub imports: Vec<Import>,
    pub functions: Vec<Function>,
    pub data: Data,
    pub exports: Vec<Export>,
    pub layout: Layout,
    /// Function names (optional; same order as `functions`).
    pub names: Vec<String>,
    pub debug_lines: Option<DebugLines>,
    /// Call metadata of the imports that have any, sorted by import index
    /// (optional; see [`Module::hints_for`]).
    pub import_hints: Vec<ImportHints>,
}

impl Module {
    /// The function exported (or named) `name`.
    pub fn find_function(&self, name: &str) -> Option<u16> {
        self.exports
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.func)
            .or_else(|| self.names.iter().position(|n| n == name).map(|i| i as u16))
    }

    /// A function's name for messages: its name, or `func#N`.
    pub fn function_name(&self, f: usize) -> alloc::borrow::Cow<'_, str> {
        match self.names.get(f) {
            Some(n) if !n.is_empty() => alloc::borrow::Cow::Borrowed(n.as_str()),
            _ => alloc::borrow::Cow::Owned(alloc::format!("func#{f}")),
        }
    }

    /// What the module knows about calls to import `import`: callback and
    /// context arguments, output pointers, blocking.
    pub fn hints_for(&self, import: usize) -> Option<&CallHints> {
        let i = self.import_hints.binary_search_by_key(&import, |h| usize::from(h.import)).ok()?;
        self.import_hints.get(i).map(|h| &h.hints)
    }

    /// Functions whose address the module takes (`func.addr` in code,
    /// function relocations in data): the callbacks natives may call,
    /// ascending. Works on unverified modules (undecodable code is skipped).
    pub fn address_taken_functions(&self) -> Vec<u16> {
        let mut taken = alloc::collections::BTreeSet::new();
        for r in &self.data.relocs {
            if r.kind == RelocKind::Func
                && let Ok(f) = u16::try_from(r.target)
            {
                taken.insert(f);
            }
        }
        for func in &self.functions {
            let mut pc = 0;
            while let Some((instr, next)) = crate::isa::Instr::decode(&func.code, pc) {
                if let crate::isa::Instr::FuncAddr { f, .. } = instr {
                    taken.insert(f);
                }
                if next <= pc {
                    break;
                }
                pc = next;
            }
        }
        taken.into_iter().filter(|&f| usize::from(f) < self.functions.len()).collect()
    }

    /// The source line of `pc` in function `f`, when debug lines exist.
    pub fn source_line(&self, f: usize, pc: u32) -> Option<(&str, u32)> {
        let dl = self.debug_lines.as_ref()?;
        let entries = dl.functions.get(f)?;
        let i = entries.partition_point(|e| e.pc <= pc);
        let e = entries.get(i.checked_sub(1)?)?;
        Some((dl.files.get(e.file as usize).map(|s| s.as_str()).unwrap_or("?"), e.line))
    }
}
