//! The translator: LLVM IR (an inkwell module) to an `espb_runtime::Module`.
//!
//! Pipeline per function: `lower` (instruction selection into machine IR
//! with virtual registers, phi moves on edges) -> `regalloc` (liveness,
//! live ranges, greedy assignment with move hints; `spill` moves values out
//! of the 256-register window when they do not fit) -> `emit` (encoding,
//! fall-through, branch offsets, debug lines). Module-wide: `data` lays out
//! globals with relocations, `types` deduplicates signatures and imports.

mod aggregates;
mod arith_intrinsics;
mod atomics;
mod complex;
mod consts;
mod data;
mod emit;
pub mod error;
mod f128;
mod intrinsics;
mod ir;
mod isel;
mod lower;
mod mir;
mod overflow;
mod phi;
mod regalloc;
mod spill;
mod types;
mod varargs;
mod vectors;
mod wide;

pub use error::TranslateError;

use espb_runtime::{CallHints, DebugLines, Export, Function, ImportHints, LineEntry, Module};
use inkwell::llvm_sys::LLVMLinkage;
use ir::{IrModule, Layout, Val};
use std::collections::HashMap;

/// Knobs of the translation.
#[derive(Clone, Debug)]
pub struct TranslateOptions {
    /// Emit the debug-line section (code offset -> file:line).
    pub debug_lines: bool,
    /// Memory the instance should reserve beyond static data.
    pub layout: espb_runtime::Layout,
}

impl Default for TranslateOptions {
    fn default() -> Self {
        TranslateOptions { debug_lines: true, layout: espb_runtime::Layout::default() }
    }
}

/// What every function's translation needs to know about the module.
pub struct ModuleInfo {
    pub layout: Layout,
    /// Defined functions and their indices.
    pub funcs: HashMap<Val, u16>,
    /// Defined globals and their data offsets.
    pub globals: HashMap<Val, u32>,
    /// Defined variadic functions whose address is taken: the targets an
    /// indirect variadic call may have to pass a variadic-argument area to.
    pub variadic_targets: Vec<(Val, u16)>,
    /// How the bitcode's target represents a `va_list`.
    pub va_abi: varargs::VaAbi,
}

fn is_exported(f: Val) -> bool {
    matches!(
        f.linkage(),
        LLVMLinkage::LLVMExternalLinkage
            | LLVMLinkage::LLVMWeakAnyLinkage
            | LLVMLinkage::LLVMWeakODRLinkage
            | LLVMLinkage::LLVMLinkOnceAnyLinkage
            | LLVMLinkage::LLVMLinkOnceODRLinkage
    )
}

/// Is `f` used other than as the callee of a direct call?
pub(crate) fn address_taken(f: Val) -> bool {
    f.users()
        .into_iter()
        .any(|u| !(ir::is_inst(u, inkwell::llvm_sys::LLVMOpcode::LLVMCall) && u.called_value() == Some(f)))
}

/// Translates a linked LLVM module into a VM module.
pub fn translate(module: &inkwell::module::Module<'_>, opts: &TranslateOptions) -> Result<Module, TranslateError> {
    let ir = IrModule(module.as_mut_ptr());
    let layout = ir.layout();
    let defined: Vec<Val> = ir.functions().into_iter().filter(|f| !f.is_declaration()).collect();
    if defined.len() > u16::MAX as usize {
        return Err(TranslateError::TooMany { what: "functions", count: defined.len(), limit: u16::MAX as usize });
    }
    let funcs: HashMap<Val, u16> = defined.iter().enumerate().map(|(i, f)| (*f, i as u16)).collect();
    let gl = data::layout_globals(ir, &layout)?;
    let variadic_targets = defined
        .iter()
        .filter(|f| f.global_value_type().is_vararg() && address_taken(**f))
        .map(|f| (*f, funcs[f]))
        .collect();
    let va_abi = varargs::VaAbi::of_triple(&ir.triple());
    let info = ModuleInfo { layout, funcs, globals: gl.offsets.clone(), variadic_targets, va_abi };
    let mut tables = types::Tables::default();

    let mut out = Module { layout: opts.layout, ..Module::default() };
    let mut files: Vec<String> = Vec::new();
    let mut file_index: HashMap<String, u16> = HashMap::new();
    let mut line_tables = Vec::new();
    for &f in &defined {
        let name = f.name();
        let ft = types::module_func_type(f.global_value_type()).map_err(|t| TranslateError::Unsupported {
            construct: types::describe_bad_signature(f.global_value_type(), t),
            function: name.clone(),
            location: None,
        })?;
        let ty = tables.type_index(&ft);
        let mfunc = lower::FuncLower::new(&info, &mut tables, f).run()?;
        let (spilled, alloc) = spill::allocate(&mfunc)?;
        let mfunc = spilled.unwrap_or(mfunc);
        let em = emit::emit(&mfunc, &alloc)?;
        let mut entries = Vec::with_capacity(em.lines.len());
        for (pc, file, line) in em.lines {
            let n = files.len() as u16;
            let fi = *file_index.entry(file.clone()).or_insert(n);
            if fi == n {
                files.push(file);
            }
            entries.push(LineEntry { pc, file: fi, line });
        }
        line_tables.push(entries);
        out.functions.push(Function {
            ty,
            num_regs: alloc.num_regs as u16,
            frame_size: mfunc.frame_size,
            code: em.code,
        });
        if is_exported(f) {
            out.exports.push(Export { name: name.clone(), func: out.functions.len() as u16 - 1 });
        }
        out.names.push(name);
    }
    out.data = data::build_data(&gl, &info, &mut tables)?;
    if let Some(what) = tables.overflow {
        return Err(TranslateError::TooMany { what, count: u16::MAX as usize + 1, limit: u16::MAX as usize });
    }
    out.types = tables.types;
    out.imports = tables.imports;
    // Analysis only; crate::hints merges the .hints files over it.
    out.import_hints = tables
        .callback_args
        .into_iter()
        .map(|(import, cb)| ImportHints { import, hints: CallHints { cb, ..CallHints::default() } })
        .collect();
    if opts.debug_lines {
        out.debug_lines = Some(DebugLines { files, functions: line_tables });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
