//! LLVM types to VM value types, and the module's deduplicated tables of
//! function types and imports.

use super::ir::{Ty, TypeKind, Val};
use espb_runtime::{ArgSet, FuncType, Import, ImportRef, ValType};
use std::collections::{BTreeMap, HashMap};

/// The VM register class of a first-class LLVM type, `None` when the VM
/// has no such value (i128, vectors, aggregates, half, ...).
pub fn val_type(ty: Ty) -> Option<ValType> {
    match ty.kind() {
        TypeKind::LLVMIntegerTypeKind => match ty.int_width() {
            1..=32 => Some(ValType::I32),
            33..=64 => Some(ValType::I64),
            _ => None,
        },
        TypeKind::LLVMPointerTypeKind => Some(ValType::I32),
        TypeKind::LLVMFloatTypeKind => Some(ValType::F32),
        TypeKind::LLVMDoubleTypeKind => Some(ValType::F64),
        _ => None,
    }
}

/// Most scalar leaves an aggregate kept in registers may have.
pub const MAX_LEAVES: usize = 32;

/// The scalar leaves of a first-class aggregate (struct or array, nested),
/// in memory order; `None` if a leaf has no VM type or there are too many.
pub fn leaf_types(ty: Ty) -> Option<Vec<Ty>> {
    fn walk(ty: Ty, out: &mut Vec<Ty>) -> Option<()> {
        match ty.kind() {
            TypeKind::LLVMStructTypeKind => ty.struct_fields().into_iter().try_for_each(|f| walk(f, out)),
            TypeKind::LLVMArrayTypeKind => {
                let n = ty.array_len();
                if n > MAX_LEAVES as u64 {
                    return None;
                }
                let e = ty.element();
                (0..n).try_for_each(|_| walk(e, out))
            }
            _ => {
                val_type(ty)?;
                out.push(ty);
                (out.len() <= MAX_LEAVES).then_some(())
            }
        }
    }
    if !is_aggregate(ty) {
        return None;
    }
    let mut out = Vec::new();
    walk(ty, &mut out)?;
    Some(out)
}

/// The scalars a parameter or result of type `ty` is passed as between
/// module functions: an aggregate's leaves, a vector's lanes (not `i1`
/// lanes, at most [`MAX_LEAVES`]); `None` for anything else.
pub fn sig_leaves(ty: Ty) -> Option<Vec<Ty>> {
    if ty.is_vector() {
        let (e, n) = (ty.element(), ty.vector_len() as usize);
        let ok = val_type(e).is_some() && !(e.is_int() && e.int_width() == 1) && n <= MAX_LEAVES;
        return ok.then(|| vec![e; n]);
    }
    leaf_types(ty)
}

/// Is `ty` passed as several scalars ([`sig_leaves`])?
pub fn is_split(ty: Ty) -> bool {
    is_aggregate(ty) || ty.is_vector()
}

pub fn is_aggregate(ty: Ty) -> bool {
    matches!(ty.kind(), TypeKind::LLVMStructTypeKind | TypeKind::LLVMArrayTypeKind)
}

/// The register class an aggregate is returned in: one leaf as itself, two
/// 32-bit leaves packed into one 64-bit register (low word first, as a
/// `[2 x i32]` comes back in a0/a1 on riscv32).
pub fn agg_return_type(ty: Ty) -> Option<ValType> {
    let leaves = sig_leaves(ty)?;
    match leaves.as_slice() {
        [] => None,
        [one] => val_type(*one),
        [a, b] if !is_wide(*a) && !is_wide(*b) => Some(ValType::I64),
        _ => None,
    }
}

/// The VM parameter types of one LLVM parameter (aggregates: their leaves).
fn param_val_types(p: Ty, out: &mut Vec<ValType>) -> Result<(), Ty> {
    if is_split(p) {
        let leaves = sig_leaves(p).ok_or(p)?;
        out.extend(leaves.into_iter().filter_map(val_type));
        return Ok(());
    }
    if super::f128::is_f128(p) {
        // The address of a copy (riscv32 ilp32 passes it by reference).
        out.push(ValType::I32);
        return Ok(());
    }
    out.push(val_type(p).ok_or(p)?);
    Ok(())
}

/// Is `v`'s type an integer of 65..128 bits (two registers)?
pub fn is_wide_int(v: Val) -> bool {
    let t = v.ty();
    t.is_int() && (65..=128).contains(&t.int_width())
}

/// Is this a 64-bit register value (i64 or f64)?
pub fn is_wide(ty: Ty) -> bool {
    matches!(val_type(ty), Some(ValType::I64 | ValType::F64))
}

/// Why a type cannot be a VM value, for error messages.
pub fn describe_unsupported(ty: Ty) -> String {
    match ty.kind() {
        TypeKind::LLVMIntegerTypeKind => format!("{}-bit integer type", ty.int_width()),
        TypeKind::LLVMVectorTypeKind | TypeKind::LLVMScalableVectorTypeKind => {
            format!("vector type `{}`", ty.describe())
        }
        TypeKind::LLVMStructTypeKind | TypeKind::LLVMArrayTypeKind => {
            format!("aggregate value of type `{}`", ty.describe())
        }
        TypeKind::LLVMFP128TypeKind => "`long double` (fp128) here".to_string(),
        _ => format!("type `{}`", ty.describe()),
    }
}

/// What is wrong with function type `fty` whose type `bad` has no VM form.
pub fn describe_bad_signature(fty: Ty, bad: Ty) -> String {
    let hint = if bad.is_vector() && bad == fty.ret_type() {
        " (a vector result is returned in registers only up to two 32-bit lanes or one 64-bit lane: return it through a pointer)"
    } else {
        ""
    };
    format!("signature using {}{hint}", describe_unsupported(bad))
}

/// A function type from LLVM, `Err(type)` naming the first bad type.
pub fn func_type(fty: Ty) -> Result<FuncType, Ty> {
    let mut params = Vec::new();
    let ret = fty.ret_type();
    if super::f128::is_f128(ret) {
        // The address the result is written to: a hidden first parameter.
        params.push(ValType::I32);
    }
    for p in fty.param_types() {
        param_val_types(p, &mut params)?;
    }
    let result = if ret.is_void() || super::f128::is_f128(ret) {
        None
    } else if is_split(ret) {
        Some(agg_return_type(ret).ok_or(ret)?)
    } else {
        Some(val_type(ret).ok_or(ret)?)
    };
    let variadic_fixed = fty.is_vararg().then_some(params.len().min(255) as u8);
    Ok(FuncType { params, result, variadic_fixed })
}

/// The type of a function defined in the module. A variadic one gets one
/// hidden trailing i32 parameter, the address of its variadic-argument area
/// (laid out as the ilp32 ABI lays out `va_list`); `variadic_fixed` keeps
/// the number of declared parameters so the disassembler shows `...`.
pub fn module_func_type(fty: Ty) -> Result<FuncType, Ty> {
    let mut ft = func_type(fty)?;
    if ft.variadic_fixed.is_some() {
        ft.params.push(ValType::I32);
    }
    Ok(ft)
}

/// Function types and imports, deduplicated as they are first used.
#[derive(Default)]
pub struct Tables {
    pub types: Vec<FuncType>,
    type_index: HashMap<FuncType, u16>,
    pub imports: Vec<Import>,
    import_index: HashMap<String, u16>,
    /// Set when a table outgrows its u16 index.
    pub overflow: Option<&'static str>,
    /// Per import, the arguments some call site passes a module function's
    /// address in: callbacks found by analysis (`cb N` hints).
    pub callback_args: BTreeMap<u16, ArgSet>,
}

impl Tables {
    pub fn type_index(&mut self, ft: &FuncType) -> u16 {
        if let Some(&i) = self.type_index.get(ft) {
            return i;
        }
        let i = self.types.len();
        if i > u16::MAX as usize {
            self.overflow = Some("function types");
            return 0;
        }
        self.types.push(ft.clone());
        self.type_index.insert(ft.clone(), i as u16);
        i as u16
    }

    /// The data import for an external variable `name`: the firmware
    /// supplies its address.
    pub fn data_import_index(&mut self, name: &str) -> u16 {
        if let Some(&i) = self.import_index.get(name) {
            return i;
        }
        let i = self.imports.len();
        if i > u16::MAX as usize {
            self.overflow = Some("imports");
            return 0;
        }
        self.imports.push(Import::data(ImportRef::Name(name.to_string())));
        self.import_index.insert(name.to_string(), i as u16);
        i as u16
    }

    /// Notes that a call of import `import` passes a module function as
    /// argument `arg`.
    pub fn note_callback_arg(&mut self, import: u16, arg: u32) {
        if let Some(a) = ArgSet::single(arg) {
            let set = self.callback_args.entry(import).or_default();
            *set = set.union(a);
        }
    }

    /// The import for a declared function `name` with declared type `ft`.
    pub fn import_index(&mut self, name: &str, ft: &FuncType) -> u16 {
        if let Some(&i) = self.import_index.get(name) {
            return i;
        }
        let ty = self.type_index(ft);
        let i = self.imports.len();
        if i > u16::MAX as usize {
            self.overflow = Some("imports");
            return 0;
        }
        self.imports.push(Import::func(ImportRef::Name(name.to_string()), ty));
        self.import_index.insert(name.to_string(), i as u16);
        i as u16
    }
}
