//! Complete verification of a decoded module before it runs
//! (docs/architecture.md, "Verification"). After [`verify`] succeeds the
//! interpreter may rely on: every opcode known and every instruction
//! complete, every register below the function's `num_regs`, every branch
//! target an instruction start of the same function, every function,
//! import and type index in range, call argument counts equal to the
//! callee's parameter count, `ret`/`ret.void` matching the function's
//! result, valid sub-operation selectors, a terminator at the end of each
//! function, relocations inside the data, and consistent side tables.
//!
//! Register, branch-target and terminator checks are driven by the opcode
//! table (operand kinds and flow, see [`crate::isa`]), so a new opcode is
//! covered without code here. [`format::load`](crate::format::load) runs
//! [`verify`] and hands out a [`VerifiedModule`], the only thing an
//! instance is made from.

use crate::isa::operand::{Operand, operands};
use crate::isa::{ComplexF128Op, ComplexOp, Conv, DivRem128, F128Op, FBinary, FUnary, Instr, Opcode};
use crate::module::{ArgRole, FuncType, Function, ImportRef, Module, RelocKind};
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Registers per function at most. One-byte operands reach the first 256
/// (the interpreter's window); `mov.lx` / `mov.xl` reach the rest with
/// 16-bit numbers. 4096 registers are 32 KiB, the device's default register
/// stack per task (`Config::max_registers`).
pub const MAX_REGS: u16 = 4096;
/// Largest accepted data alignment.
pub const MAX_DATA_ALIGN: u32 = 4096;
/// Largest valid `cmp.f32`/`cmp.f64` predicate (LLVM fcmp numbering).
pub const MAX_FCMP_PREDICATE: u8 = 15;

/// What is wrong with a module. `func` is a function index, `pc` a byte
/// offset in that function's code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("too many {what}: {count}, at most {max}")]
    TooMany { what: &'static str, count: usize, max: usize },
    #[error("type {ty}: variadic with {fixed} fixed parameters but only {params} parameters")]
    BadVariadic { ty: usize, fixed: u8, params: usize },
    #[error("import {import}: symbol table {table} out of range ({count} tables)")]
    ImportTableOutOfRange { import: usize, table: u8, count: usize },
    #[error("function {func}: code offset {pc}: call.import of import {import}, which is data, not a function")]
    CallToDataImport { func: usize, pc: usize, import: u16 },
    #[error("import {import}: slot {index} is past the {count} slots its table was built with")]
    SlotOutOfRange { import: usize, index: u16, count: u32 },
    #[error("import {import}: type {ty} out of range ({count} types)")]
    ImportTypeOutOfRange { import: usize, ty: u16, count: usize },
    #[error("function {func}: type {ty} out of range ({count} types)")]
    FunctionTypeOutOfRange { func: usize, ty: u16, count: usize },
    #[error("function {func}: num_regs {num_regs} invalid (must be >= 1, >= its {params} parameters, <= {MAX_REGS})")]
    BadNumRegs { func: usize, num_regs: u16, params: usize },
    #[error("function {func}: frame size {frame_size} is not a multiple of 16")]
    BadFrameSize { func: usize, frame_size: u32 },
    #[error("function {func}: empty code")]
    EmptyCode { func: usize },
    #[error("function {func}: code offset {pc}: unknown opcode {byte:#04x}")]
    UnknownOpcode { func: usize, pc: usize, byte: u8 },
    #[error("function {func}: code offset {pc}: `{mnemonic}` runs past the end of the code")]
    TruncatedInstr { func: usize, pc: usize, mnemonic: &'static str },
    #[error("function {func}: code offset {pc}: register r{reg} out of range (function has {num_regs})")]
    RegisterOutOfRange { func: usize, pc: usize, reg: u16, num_regs: u16 },
    #[error("function {func}: code offset {pc}: branch target {target:#06x} is not an instruction start")]
    BadBranchTarget { func: usize, pc: usize, target: u16 },
    #[error("function {func}: code offset {pc}: {what} index {index} out of range ({count} defined)")]
    IndexOutOfRange { func: usize, pc: usize, what: &'static str, index: u16, count: usize },
    #[error("function {func}: code offset {pc}: call passes {found} arguments, callee takes {expected}")]
    ArgCountMismatch { func: usize, pc: usize, expected: usize, found: usize },
    #[error("function {func}: code offset {pc}: `ret` with a value in a function returning void")]
    RetInVoidFunction { func: usize, pc: usize },
    #[error("function {func}: code offset {pc}: `ret.void` in a function that returns a value")]
    RetVoidInNonVoidFunction { func: usize, pc: usize },
    #[error("function {func}: code offset {pc}: `{mnemonic}` has invalid {operand} = {value}")]
    BadSelector { func: usize, pc: usize, mnemonic: &'static str, operand: &'static str, value: u8 },
    #[error(
        "function {func}: code offset {pc}: last instruction `{mnemonic}` is not a terminator (br, br.table, ret, ret.void, unreachable)"
    )]
    MissingTerminator { func: usize, pc: usize, mnemonic: &'static str },
    #[error("data: {init} initialised bytes exceed the data size {size}")]
    InitTooLarge { init: usize, size: u32 },
    #[error("data: alignment {align} is not a power of two <= {MAX_DATA_ALIGN}")]
    BadDataAlign { align: u32 },
    #[error("data, stack and heap ({data} + {stack} + {heap} bytes) exceed the 32-bit address space")]
    MemoryTooLarge { data: u32, stack: u32, heap: u32 },
    #[error("relocation {reloc}: offset {offset} + 4 exceeds the data size {size}")]
    RelocOutOfRange { reloc: usize, offset: u32, size: u32 },
    #[error("relocation {reloc}: {kind:?} target {target} out of range ({count} defined)")]
    RelocTargetOutOfRange { reloc: usize, kind: RelocKind, target: u32, count: usize },
    #[error("export {export}: function {func} out of range ({count} functions)")]
    ExportOutOfRange { export: usize, func: u16, count: usize },
    #[error("export `{name}` appears more than once")]
    DuplicateExport { name: String },
    #[error("{names} function names for {functions} functions")]
    TooManyNames { names: usize, functions: usize },
    #[error("debug lines for {entries} functions, module has {functions}")]
    TooManyLineFunctions { entries: usize, functions: usize },
    #[error("function {func}: debug line entry {entry}: code offset {pc} outside the {code_len}-byte code")]
    LineOutOfRange { func: usize, entry: usize, pc: u32, code_len: usize },
    #[error("function {func}: debug line entry {entry}: file {file} out of range ({files} files)")]
    LineBadFile { func: usize, entry: usize, file: u16, files: usize },
    #[error("function {func}: debug line entry {entry} is not sorted by code offset")]
    LinesUnsorted { func: usize, entry: usize },
    #[error("import hints: entry {entry} (import {import}) does not follow the previous entry's import")]
    HintsUnsorted { entry: usize, import: u16 },
    #[error("import hints: entry {entry}: import {import} out of range ({count} imports)")]
    HintImportOutOfRange { entry: usize, import: u16, count: usize },
    #[error("import hints: import {import} is data, not a function")]
    HintOnDataImport { import: u16 },
    #[error("import hints: import {import}: `{role} {arg}` but the import takes {params} parameters")]
    HintArgOutOfRange { import: u16, role: &'static str, arg: u32, params: usize },
    #[error("import hints: import {import}: argument {arg} is both `{first}` and `{second}`")]
    HintConflict { import: u16, arg: u32, first: &'static str, second: &'static str },
}

/// A module [`verify`] accepted: what [`Instance::new`](crate::Instance::new)
/// takes, so code is verified once, when it is loaded
/// ([`format::load`](crate::format::load) returns one), and the interpreter
/// may read it without checks. It derefs to the [`Module`]; there is no
/// mutable access, which could undo what was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedModule {
    module: Module,
    /// Each function's code in the interpreter's aligned form
    /// ([`crate::isa::aligned`]), made once here from the verified code,
    /// with what a call needs of the function next to it.
    bodies: Vec<Body>,
}

/// One function as the interpreter enters it: one look-up per call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Body {
    /// The aligned form of the code.
    pub(crate) code: alloc::boxed::Box<[u32]>,
    pub(crate) frame_size: u32,
    pub(crate) num_regs: u16,
    pub(crate) ty: u16,
}

impl VerifiedModule {
    /// Verifies `m` completely.
    pub fn new(m: Module) -> Result<VerifiedModule, VerifyError> {
        verify(&m)?;
        let bodies = m
            .functions
            .iter()
            .map(|f| Body {
                code: crate::isa::aligned::predecode(&f.code).into_boxed_slice(),
                frame_size: f.frame_size,
                num_regs: f.num_regs,
                ty: f.ty,
            })
            .collect();
        Ok(VerifiedModule { module: m, bodies })
    }

    pub fn module(&self) -> &Module {
        &self.module
    }

    /// Whether any code the interpreter runs (the aligned bodies, and the
    /// verified code they index into) lies in `start..end` of the native
    /// address space.
    pub(crate) fn code_overlaps(&self, start: usize, end: usize) -> bool {
        let hit = |p: usize, len: usize| p < end && start < p + len;
        self.bodies.iter().any(|b| hit(b.code.as_ptr() as usize, core::mem::size_of_val(&*b.code)))
            || self.module.functions.iter().any(|f| hit(f.code.as_ptr() as usize, f.code.len()))
    }

    /// Function `f` as the interpreter enters it.
    #[inline(always)]
    pub(crate) fn body(&self, f: usize) -> Option<&Body> {
        self.bodies.get(f)
    }
}

impl core::ops::Deref for VerifiedModule {
    type Target = Module;
    fn deref(&self) -> &Module {
        &self.module
    }
}

impl TryFrom<Module> for VerifiedModule {
    type Error = VerifyError;
    fn try_from(m: Module) -> Result<VerifiedModule, VerifyError> {
        VerifiedModule::new(m)
    }
}

/// The module again, to change it (it must be verified anew to run).
impl From<VerifiedModule> for Module {
    fn from(m: VerifiedModule) -> Module {
        m.module
    }
}

/// Checks a decoded module completely; see the module documentation.
pub fn verify(m: &Module) -> Result<(), VerifyError> {
    check_count("types", m.types.len(), 1 << 16)?;
    check_count("imports", m.imports.len(), 1 << 16)?;
    check_count("functions", m.functions.len(), 1 << 16)?;
    check_count("symbol tables", m.tables.len(), 1 << 8)?;

    for (ty, t) in m.types.iter().enumerate() {
        if let Some(fixed) = t.variadic_fixed
            && usize::from(fixed) > t.params.len()
        {
            return Err(VerifyError::BadVariadic { ty, fixed, params: t.params.len() });
        }
    }

    for (import, i) in m.imports.iter().enumerate() {
        if let ImportRef::Slot { table, index, .. } = i.what {
            let Some(t) = m.tables.get(usize::from(table)) else {
                return Err(VerifyError::ImportTableOutOfRange { import, table, count: m.tables.len() });
            };
            if u32::from(index) >= t.count {
                return Err(VerifyError::SlotOutOfRange { import, index, count: t.count });
            }
        }
        if !i.is_data() && usize::from(i.ty) >= m.types.len() {
            return Err(VerifyError::ImportTypeOutOfRange { import, ty: i.ty, count: m.types.len() });
        }
    }

    // Signatures first: call checks below look up callees' types.
    for (func, f) in m.functions.iter().enumerate() {
        let t = m.types.get(usize::from(f.ty)).ok_or(VerifyError::FunctionTypeOutOfRange {
            func,
            ty: f.ty,
            count: m.types.len(),
        })?;
        let params = t.params.len();
        if f.num_regs == 0 || f.num_regs > MAX_REGS || usize::from(f.num_regs) < params {
            return Err(VerifyError::BadNumRegs { func, num_regs: f.num_regs, params });
        }
        if !f.frame_size.is_multiple_of(16) {
            return Err(VerifyError::BadFrameSize { func, frame_size: f.frame_size });
        }
    }
    for (func, f) in m.functions.iter().enumerate() {
        verify_code(m, func, f)?;
    }

    verify_data(m)?;

    let mut names = BTreeSet::new();
    for (export, e) in m.exports.iter().enumerate() {
        if usize::from(e.func) >= m.functions.len() {
            return Err(VerifyError::ExportOutOfRange { export, func: e.func, count: m.functions.len() });
        }
        if !names.insert(e.name.as_str()) {
            return Err(VerifyError::DuplicateExport { name: e.name.clone() });
        }
    }
    if m.names.len() > m.functions.len() {
        return Err(VerifyError::TooManyNames { names: m.names.len(), functions: m.functions.len() });
    }

    verify_import_hints(m)?;

    if let Some(dl) = &m.debug_lines {
        if dl.functions.len() > m.functions.len() {
            return Err(VerifyError::TooManyLineFunctions {
                entries: dl.functions.len(),
                functions: m.functions.len(),
            });
        }
        for (func, (entries, f)) in dl.functions.iter().zip(&m.functions).enumerate() {
            let mut prev = 0u32;
            for (entry, e) in entries.iter().enumerate() {
                if e.pc as usize >= f.code.len() {
                    return Err(VerifyError::LineOutOfRange { func, entry, pc: e.pc, code_len: f.code.len() });
                }
                if usize::from(e.file) >= dl.files.len() {
                    return Err(VerifyError::LineBadFile { func, entry, file: e.file, files: dl.files.len() });
                }
                if e.pc < prev {
                    return Err(VerifyError::LinesUnsorted { func, entry });
                }
                prev = e.pc;
            }
        }
    }
    Ok(())
}

/// Sorted, in range, on function imports, argument indices below the
/// declared parameter count, no contradictory roles.
fn verify_import_hints(m: &Module) -> Result<(), VerifyError> {
    let mut prev: Option<u16> = None;
    for (entry, h) in m.import_hints.iter().enumerate() {
        let import = h.import;
        if prev.is_some_and(|p| import <= p) {
            return Err(VerifyError::HintsUnsorted { entry, import });
        }
        prev = Some(import);
        let Some(imp) = m.imports.get(usize::from(import)) else {
            return Err(VerifyError::HintImportOutOfRange { entry, import, count: m.imports.len() });
        };
        if imp.is_data() {
            return Err(VerifyError::HintOnDataImport { import });
        }
        // The import's own type was checked in range above.
        let params = m.types.get(usize::from(imp.ty)).map_or(0, |t| t.params.len());
        for role in ArgRole::ALL {
            if let Some(arg) = h.hints.args(role).last()
                && arg as usize >= params
            {
                return Err(VerifyError::HintArgOutOfRange { import, role: role.keyword(), arg, params });
            }
        }
        if let Some((a, b, arg)) = h.hints.conflict() {
            return Err(VerifyError::HintConflict { import, arg, first: a.keyword(), second: b.keyword() });
        }
    }
    Ok(())
}

fn check_count(what: &'static str, count: usize, max: usize) -> Result<(), VerifyError> {
    if count > max { Err(VerifyError::TooMany { what, count, max }) } else { Ok(()) }
}

fn verify_data(m: &Module) -> Result<(), VerifyError> {
    let d = &m.data;
    let align_ok = (d.align.is_power_of_two() && d.align <= MAX_DATA_ALIGN) || (d.align == 0 && d.size == 0);
    if !align_ok {
        return Err(VerifyError::BadDataAlign { align: d.align });
    }
    if d.init.len() as u64 > u64::from(d.size) {
        return Err(VerifyError::InitTooLarge { init: d.init.len(), size: d.size });
    }
    let (stack, heap) = (m.layout.stack_size, m.layout.heap_size);
    if d.size.checked_add(stack).and_then(|v| v.checked_add(heap)).is_none() {
        return Err(VerifyError::MemoryTooLarge { data: d.size, stack, heap });
    }
    for (reloc, r) in d.relocs.iter().enumerate() {
        if u64::from(r.offset) + 4 > u64::from(d.size) {
            return Err(VerifyError::RelocOutOfRange { reloc, offset: r.offset, size: d.size });
        }
        // A data pointer may point one past the end (C allows it).
        let (ok, count) = match r.kind {
            RelocKind::Data => (u64::from(r.target) <= u64::from(d.size), d.size as usize),
            RelocKind::Func => ((r.target as usize) < m.functions.len(), m.functions.len()),
            RelocKind::Import => ((r.target as usize) < m.imports.len(), m.imports.len()),
        };
        if !ok {
            return Err(VerifyError::RelocTargetOutOfRange { reloc, kind: r.kind, target: r.target, count });
        }
    }
    Ok(())
}

/// Per-function context for instruction checks.
struct Ctx<'m> {
    m: &'m Module,
    func: usize,
    ty: &'m FuncType,
}

impl Ctx<'_> {
    fn index(&self, pc: usize, what: &'static str, index: u16, count: usize) -> Result<(), VerifyError> {
        if usize::from(index) < count {
            Ok(())
        } else {
            Err(VerifyError::IndexOutOfRange { func: self.func, pc, what, index, count })
        }
    }

    fn type_at(&self, pc: usize, ty: u16) -> Result<&FuncType, VerifyError> {
        self.m.types.get(usize::from(ty)).ok_or(VerifyError::IndexOutOfRange {
            func: self.func,
            pc,
            what: "type",
            index: ty,
            count: self.m.types.len(),
        })
    }

    fn args(&self, pc: usize, callee: &FuncType, found: usize) -> Result<(), VerifyError> {
        let expected = callee.params.len();
        if expected == found {
            Ok(())
        } else {
            Err(VerifyError::ArgCountMismatch { func: self.func, pc, expected, found })
        }
    }

    fn selector(&self, pc: usize, op: Opcode, operand: &'static str, value: u8, ok: bool) -> Result<(), VerifyError> {
        if ok {
            Ok(())
        } else {
            Err(VerifyError::BadSelector { func: self.func, pc, mnemonic: op.mnemonic(), operand, value })
        }
    }

    /// The checks that depend on what an operand means.
    fn instr(&self, pc: usize, instr: &Instr<'_>) -> Result<(), VerifyError> {
        let m = self.m;
        let op = instr.opcode();
        match *instr {
            Instr::Call { f, args, .. } => {
                self.index(pc, "function", f, m.functions.len())?;
                let callee = m.functions.get(usize::from(f)).and_then(|c| m.types.get(usize::from(c.ty))).ok_or(
                    VerifyError::IndexOutOfRange {
                        func: self.func,
                        pc,
                        what: "function",
                        index: f,
                        count: m.functions.len(),
                    },
                )?;
                self.args(pc, callee, args.len())
            }
            Instr::CallImport { i, ty, args, .. } => {
                self.index(pc, "import", i, m.imports.len())?;
                if m.imports.get(usize::from(i)).is_some_and(|imp| imp.is_data()) {
                    return Err(VerifyError::CallToDataImport { func: self.func, pc, import: i });
                }
                let t = self.type_at(pc, ty)?;
                self.args(pc, t, args.len())
            }
            Instr::CallIndirect { ty, args, .. } => {
                let t = self.type_at(pc, ty)?;
                self.args(pc, t, args.len())
            }
            Instr::FuncAddr { f, .. } => self.index(pc, "function", f, m.functions.len()),
            Instr::ImportAddr { i, .. } => self.index(pc, "import", i, m.imports.len()),
            Instr::Ret { .. } if self.ty.result.is_none() => {
                Err(VerifyError::RetInVoidFunction { func: self.func, pc })
            }
            Instr::RetVoid {} if self.ty.result.is_some() => {
                Err(VerifyError::RetVoidInNonVoidFunction { func: self.func, pc })
            }
            Instr::CmpF32 { p, .. } | Instr::CmpF64 { p, .. } => {
                self.selector(pc, op, "predicate", p, p <= MAX_FCMP_PREDICATE)
            }
            Instr::Convert { k, .. } => self.selector(pc, op, "conversion", k, Conv::from_u8(k).is_some()),
            Instr::FUnary { k, .. } => self.selector(pc, op, "function", k, FUnary::from_u8(k).is_some()),
            Instr::FBinary { k, .. } => self.selector(pc, op, "function", k, FBinary::from_u8(k).is_some()),
            Instr::DivRem128 { k, .. } => self.selector(pc, op, "operation", k, DivRem128::from_u8(k).is_some()),
            Instr::Complex { k, .. } => self.selector(pc, op, "operation", k, ComplexOp::from_u8(k).is_some()),
            Instr::F128 { k, .. } => self.selector(pc, op, "operation", k, F128Op::from_u8(k).is_some()),
            Instr::ComplexF128 { k, .. } => self.selector(pc, op, "operation", k, ComplexF128Op::from_u8(k).is_some()),
            _ => Ok(()),
        }
    }
}

fn verify_code(m: &Module, func: usize, f: &Function) -> Result<(), VerifyError> {
    let code = f.code.as_slice();
    if code.is_empty() {
        return Err(VerifyError::EmptyCode { func });
    }
    let ty = m.types.get(usize::from(f.ty)).ok_or(VerifyError::FunctionTypeOutOfRange {
        func,
        ty: f.ty,
        count: m.types.len(),
    })?;
    let cx = Ctx { m, func, ty };
    let num_regs = f.num_regs;
    let reg_ok = |pc: usize, reg: u16| {
        if reg < num_regs { Ok(()) } else { Err(VerifyError::RegisterOutOfRange { func, pc, reg, num_regs }) }
    };

    // Pass 1: decode every instruction, mark instruction starts, check
    // registers and operand meanings.
    let mut starts = vec![false; code.len()];
    let mut pc = 0usize;
    let mut last = (0usize, Opcode::Nop);
    while pc < code.len() {
        let byte = code.get(pc).copied().unwrap_or(0);
        let op = Opcode::from_u8(byte).ok_or(VerifyError::UnknownOpcode { func, pc, byte })?;
        let (instr, next) =
            Instr::decode(code, pc).ok_or(VerifyError::TruncatedInstr { func, pc, mnemonic: op.mnemonic() })?;
        if let Some(s) = starts.get_mut(pc) {
            *s = true;
        }
        if let Some((_, ops)) = operands(code, pc) {
            for (_, o) in ops {
                match o {
                    Operand::Reg(r) => reg_ok(pc, u16::from(r))?,
                    // The interpreter bounds-checks these too, but a frame
                    // is only sized for `num_regs`: refuse the rest here.
                    Operand::Reg16(r) => reg_ok(pc, r)?,
                    Operand::Regs(rs) => {
                        for r in rs.iter() {
                            reg_ok(pc, u16::from(r))?;
                        }
                    }
                    _ => {}
                }
            }
        }
        cx.instr(pc, &instr)?;
        last = (pc, op);
        // `decode` always advances (the opcode byte at least).
        pc = next.max(pc + 1);
    }
    if !last.1.flow().ends_block() {
        return Err(VerifyError::MissingTerminator { func, pc: last.0, mnemonic: last.1.mnemonic() });
    }

    // Pass 2: every branch target is an instruction start.
    let is_start = |t: u16| starts.get(usize::from(t)).copied().unwrap_or(false);
    for (pc, _) in starts.iter().enumerate().filter(|(_, s)| **s) {
        let Some((_, ops)) = operands(code, pc) else {
            continue;
        };
        for (_, o) in ops {
            match o {
                Operand::Target(t) if !is_start(t) => {
                    return Err(VerifyError::BadBranchTarget { func, pc, target: t });
                }
                Operand::Targets(ts) => {
                    if let Some(t) = ts.iter().find(|&t| !is_start(t)) {
                        return Err(VerifyError::BadBranchTarget { func, pc, target: t });
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::OperandKind;
    use crate::module::{Function, Import, ValType};
    use alloc::vec::Vec;

    /// One instruction of `op` with every register `reg`, every U16 `idx`,
    /// every target 0, lists of one element, other immediates 0.
    fn instance(op: Opcode, reg: u8, idx: u16) -> Vec<u8> {
        let mut code = alloc::vec![op as u8];
        for &(_, k) in op.operands() {
            match k {
                OperandKind::Def | OperandKind::Use => code.push(reg),
                OperandKind::Def16 | OperandKind::Use16 => code.extend_from_slice(&u16::from(reg).to_le_bytes()),
                OperandKind::U16 => code.extend_from_slice(&idx.to_le_bytes()),
                OperandKind::Target => code.extend_from_slice(&[0, 0]),
                OperandKind::Args => code.extend_from_slice(&[1, reg]),
                OperandKind::Targets => code.extend_from_slice(&[1, 0, 0, 0]),
                k => code.extend(core::iter::repeat_n(0, k.fixed_size().unwrap_or(0))),
            }
        }
        code
    }

    /// Types: t0 = (i32) -> void; imports: i0 of t0; functions: f0 of t0.
    fn module(code: Vec<u8>) -> Module {
        let t = FuncType { params: alloc::vec![ValType::I32], result: None, variadic_fixed: None };
        Module {
            types: alloc::vec![t],
            imports: alloc::vec![Import::func(ImportRef::Name("n".into()), 0)],
            functions: alloc::vec![Function { ty: 0, num_regs: 1, frame_size: 0, code }],
            ..Module::default()
        }
    }

    fn with_ret(mut code: Vec<u8>) -> Vec<u8> {
        code.push(Opcode::RetVoid as u8);
        code
    }

    #[test]
    fn every_opcode_with_valid_operands_verifies() {
        for &op in Opcode::ALL {
            let r = verify(&module(with_ret(instance(op, 0, 0))));
            match op {
                Opcode::Ret => {
                    assert_eq!(r, Err(VerifyError::RetInVoidFunction { func: 0, pc: 0 }))
                }
                _ => assert_eq!(r, Ok(()), "{op:?}"),
            }
        }
    }

    #[test]
    fn every_register_operand_is_checked() {
        for &op in Opcode::ALL {
            let has_reg = op.operands().iter().any(|(_, k)| k.role().is_some());
            if !has_reg {
                continue;
            }
            let r = verify(&module(with_ret(instance(op, 1, 0))));
            assert_eq!(r, Err(VerifyError::RegisterOutOfRange { func: 0, pc: 0, reg: 1, num_regs: 1 }), "{op:?}");
        }
    }

    /// Every U16 operand in the table is either an offset (named `off`, a
    /// plain value) or an index the verifier checks: a new one fails here
    /// until the verifier (and the disassembler's naming) learn what it
    /// indexes.
    #[test]
    fn every_index_operand_is_checked() {
        for &op in Opcode::ALL {
            let is_index = |n: &str, k: OperandKind| k == OperandKind::U16 && n != "off";
            if !op.operands().iter().any(|&(n, k)| is_index(n, k)) {
                continue;
            }
            for &(n, k) in op.operands() {
                if is_index(n, k) {
                    assert!(matches!(n, "f" | "i" | "ty"), "{op:?}: U16 operand `{n}`");
                }
            }
            let r = verify(&module(with_ret(instance(op, 0, 0xFFFF))));
            assert!(matches!(r, Err(VerifyError::IndexOutOfRange { index: 0xFFFF, .. })), "{op:?}: {r:?}");
        }
    }

    #[test]
    fn every_target_operand_is_checked() {
        for &op in Opcode::ALL {
            if !op.operands().iter().any(|(_, k)| matches!(k, OperandKind::Target | OperandKind::Targets)) {
                continue;
            }
            // Point every target (and the first list entry) at byte 1.
            let mut code = instance(op, 0, 0);
            let mut at = 1;
            for &(_, k) in op.operands() {
                match k {
                    OperandKind::Target => {
                        code[at] = 1;
                        at += 2;
                    }
                    OperandKind::Targets => {
                        code[at + 2] = 1;
                        at += 4;
                    }
                    OperandKind::Args => at += 2,
                    k => at += k.fixed_size().unwrap_or(0),
                }
            }
            let r = verify(&module(with_ret(code)));
            assert_eq!(r, Err(VerifyError::BadBranchTarget { func: 0, pc: 0, target: 1 }), "{op:?}");
        }
    }

    #[test]
    fn every_truncation_is_reported() {
        for &op in Opcode::ALL {
            let code = instance(op, 0, 0);
            for cut in 1..code.len() {
                let r = verify(&module(code[..cut].to_vec()));
                assert_eq!(
                    r,
                    Err(VerifyError::TruncatedInstr { func: 0, pc: 0, mnemonic: op.mnemonic() }),
                    "{op:?} cut at {cut}"
                );
            }
        }
    }

    #[test]
    fn every_unused_byte_is_an_unknown_opcode() {
        for b in 0..=255u8 {
            if Opcode::from_u8(b).is_none() {
                let r = verify(&module(alloc::vec![b]));
                assert_eq!(r, Err(VerifyError::UnknownOpcode { func: 0, pc: 0, byte: b }));
            }
        }
    }
}
