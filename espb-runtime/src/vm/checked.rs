//! Checked natives (docs/symbols.md "Signatures"): a module's call sites
//! are compared with the natives' C signatures from the firmware's tables
//! when it is loaded, an indirect call of a native's address with another
//! signature traps, and pointer arguments a signature marks as memory are
//! checked against the instance's memory and the granted windows before a
//! checked table's native gets them.

use super::builtins::ImportTarget;
use super::memory::Memory;
use super::trap::TrapKind;
use crate::isa::Instr;
use crate::module::{FuncType, Module};
use crate::signature::{MemArg, NativeSig, ResultMem, SiteType};
use crate::symtab::Checking;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A native's signature as its table gives it, and whether its pointer
/// arguments are checked.
pub(super) struct NativeCheck {
    sig: NativeSig,
    memory: bool,
    /// For messages.
    name: String,
}

/// What an import resolved to, with what is checked of calls to it.
pub(super) struct Imports {
    targets: Vec<ImportTarget>,
    /// Per import; empty when no import has a signature (no cost at all).
    checks: Vec<Option<Box<NativeCheck>>>,
}

/// A call site that disagrees with the native's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteMismatch {
    pub import: usize,
    pub name: String,
    pub function: usize,
    pub function_name: String,
    pub offset: u32,
    pub site: String,
    pub native: String,
}

impl core::fmt::Display for SiteMismatch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "`{}` (import #{}) is called as {} in function `{}` (#{}, code offset {:#x}), but the firmware's table \
             declares it {}: fix the module's declaration of `{}` (include the SDK header instead of declaring it), \
             or rebuild it against this firmware's manifest",
            self.name, self.import, self.site, self.function_name, self.function, self.offset, self.native, self.name
        )
    }
}

impl Imports {
    pub(super) fn new(targets: Vec<ImportTarget>, checks: Vec<Option<Box<NativeCheck>>>) -> Imports {
        let checks = if checks.iter().any(Option::is_some) { checks } else { Vec::new() };
        Imports { targets, checks }
    }

    #[inline(always)]
    pub(super) fn get(&self, i: usize) -> Option<&ImportTarget> {
        self.targets.get(i)
    }

    #[inline(always)]
    pub(super) fn len(&self) -> usize {
        self.targets.len()
    }

    fn check(&self, i: u16) -> Option<&NativeCheck> {
        self.checks.get(usize::from(i)).and_then(|c| c.as_deref())
    }

    /// What import `i`'s result lets the module reach (its signature's
    /// result annotation), granted after each call.
    #[inline]
    pub(super) fn result_mem(&self, i: u16) -> ResultMem {
        self.check(i).map_or(ResultMem::None, |c| c.sig.result_mem)
    }

    /// Before a native call: whether the pointer arguments its signature
    /// marks as memory lie in the module's memory or a granted window.
    /// Plain `bool`s here and in [`Imports::indirect_ok`], the traps made
    /// out of line: a `Result` per check site would take its own slot in
    /// the interpreter loop's native frame.
    #[inline]
    pub(super) fn args_ok(&self, i: u16, args: &[u64], mem: &Memory) -> bool {
        match self.check(i) {
            Some(c) if c.memory => bad_arg(c, args, mem).is_none(),
            _ => true,
        }
    }

    /// The trap for arguments [`Imports::args_ok`] refused.
    #[cold]
    #[inline(never)]
    pub(super) fn args_refusal(&self, i: u16, args: &[u64], mem: &Memory) -> TrapKind {
        let Some(c) = self.check(i) else { return TrapKind::BadCode };
        let Some((k, why)) = bad_arg(c, args, mem) else { return TrapKind::BadCode };
        TrapKind::NativeCall(format!(
            "argument {k} of native `{}` (import #{i}): {why} the module's memory or the firmware's windows; \
             the call was not made",
            c.name
        ))
    }

    /// An indirect call of import `i`'s address with the call's type `ty`:
    /// refused unless the native's signature accepts it (a module function
    /// pointer cast to another type would hand the native the wrong words).
    #[inline]
    pub(super) fn indirect_ok(&self, i: u16, ty: &FuncType) -> bool {
        self.check(i).is_none_or(|c| c.sig.accepts(ty))
    }

    /// The trap for a call [`Imports::indirect_ok`] refused.
    #[cold]
    #[inline(never)]
    pub(super) fn indirect_refusal(&self, i: u16, ty: &FuncType) -> TrapKind {
        let Some(c) = self.check(i) else { return TrapKind::BadCode };
        TrapKind::NativeCall(format!(
            "indirect call of native `{}` (import #{i}) as {}, but the firmware's table declares it {}",
            c.name,
            SiteType(ty),
            c.sig
        ))
    }
}

/// The check of an import with a signature from its table.
pub(super) fn native_check(module: &Module, i: usize, sig: NativeSig, checking: Checking) -> Box<NativeCheck> {
    let memory = checking == Checking::Checked && sig.has_memory_args();
    Box::new(NativeCheck { sig, memory, name: import_name(module, i) })
}

fn import_name(module: &Module, i: usize) -> String {
    match module.imports.get(i).and_then(|imp| imp.name()) {
        Some(n) => String::from(n),
        None => format!("import #{i}"),
    }
}

/// Every `call.import` of the module whose type the native's signature does
/// not accept (`sigs[i]`: import `i`'s, when its table gives one).
pub fn mismatched_sites(module: &Module, sigs: &[Option<&NativeSig>]) -> Vec<SiteMismatch> {
    let mut out = Vec::new();
    if sigs.iter().all(Option::is_none) {
        return out;
    }
    for (fi, func) in module.functions.iter().enumerate() {
        let mut pc = 0;
        while let Some((instr, next)) = Instr::decode(&func.code, pc) {
            if let Instr::CallImport { i, ty, .. } = instr
                && let Some(Some(sig)) = sigs.get(usize::from(i))
                && let Some(t) = module.types.get(usize::from(ty))
                && !sig.accepts(t)
            {
                out.push(SiteMismatch {
                    import: usize::from(i),
                    name: import_name(module, usize::from(i)),
                    function: fi,
                    function_name: module.function_name(fi).into_owned(),
                    offset: pc as u32,
                    site: format!("{}", SiteType(t)),
                    native: format!("{sig}"),
                });
            }
            pc = next;
        }
    }
    out
}

/// The first pointer argument outside the module's memory and windows, and
/// what is wrong with it.
#[inline(never)]
fn bad_arg(c: &NativeCheck, args: &[u64], mem: &Memory) -> Option<(usize, String)> {
    let arg = |k: u8| args.get(usize::from(k)).map_or(0, |&v| v as u32);
    for (k, p) in c.sig.params.iter().enumerate() {
        let addr = arg(k as u8);
        if p.mem == MemArg::None || (addr == 0 && p.nullable) {
            continue;
        }
        let len = match p.mem {
            MemArg::None => continue,
            MemArg::Str => match mem.c_str_len(addr) {
                Some(_) => continue,
                None => return Some((k, format!("no NUL-terminated string at {addr:#010x} inside"))),
            },
            MemArg::Buf { len, times } => {
                let n = u64::from(arg(len)) * times.map_or(1, |t| u64::from(arg(t)));
                // An empty buffer is never touched, wherever it points.
                if n == 0 {
                    continue;
                }
                n
            }
            MemArg::Obj(n) => u64::from(n),
        };
        if !mem.accessible(addr, len) {
            return Some((k, format!("{len} bytes at {addr:#010x} are not all inside")));
        }
    }
    None
}
