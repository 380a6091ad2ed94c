//! Constants: integer values and symbolic addresses (global + offset,
//! function, import, stack slot), evaluated from LLVM constants and
//! constant expressions. Used both for code operands and for data
//! initialisers (where addresses become relocations).

use super::ModuleInfo;
use super::ir::{Layout, Op, Val, ValKind};
use super::types::{Tables, func_type};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddrKind {
    Data,
    Func,
    Import,
    /// A static stack slot (only inside a function).
    Stack,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Const {
    /// Raw bits (sign-extended from the value's width).
    Int(i64),
    Addr {
        kind: AddrKind,
        target: u32,
        addend: i64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConstError {
    /// Something the VM cannot express; the text names it.
    Unsupported(String),
    /// A declared thread-local variable.
    ExternalVar(String),
}

/// A GEP split into a constant byte offset and scaled variable indices.
pub struct GepParts {
    pub base: Val,
    pub offset: i64,
    pub terms: Vec<(Val, i64)>,
}

/// Splits a GEP (instruction or constant expression).
pub fn gep_parts(gep: Val, layout: &Layout) -> Result<GepParts, ConstError> {
    let ops = gep.operands();
    let Some((&base, indices)) = ops.split_first() else {
        return Err(ConstError::Unsupported("getelementptr without operands".into()));
    };
    let mut ty = gep.gep_source_type();
    let mut offset: i64 = 0;
    let mut terms = Vec::new();
    for (n, &idx) in indices.iter().enumerate() {
        let scale: i64;
        if n == 0 {
            scale = layout.alloc_size(ty) as i64;
        } else if ty.is_struct() {
            let fields = ty.struct_fields();
            if idx.kind() != ValKind::ConstInt {
                return Err(ConstError::Unsupported("getelementptr with a variable struct index".into()));
            }
            let f = idx.const_sext();
            let Some(&fty) = usize::try_from(f).ok().and_then(|f| fields.get(f)) else {
                return Err(ConstError::Unsupported("getelementptr with a bad struct index".into()));
            };
            offset = offset.wrapping_add(layout.field_offset(ty, f as u32) as i64);
            ty = fty;
            continue;
        } else if ty.is_array() {
            ty = ty.element();
            scale = layout.alloc_size(ty) as i64;
        } else {
            return Err(ConstError::Unsupported(format!(
                "getelementptr into `{}` (vector or opaque type)",
                ty.describe()
            )));
        }
        if idx.ty().is_vector() {
            return Err(ConstError::Unsupported("vector getelementptr".into()));
        }
        match idx.kind() {
            ValKind::ConstInt => offset = offset.wrapping_add(idx.const_sext().wrapping_mul(scale)),
            ValKind::NullOrUndef => {}
            _ => terms.push((idx, scale)),
        }
    }
    Ok(GepParts { base, offset, terms })
}

/// What constants need from the surrounding translation.
pub struct ConstEnv<'a> {
    pub info: &'a ModuleInfo,
    pub tables: &'a mut Tables,
    /// Static allocas of the function being translated.
    pub allocas: Option<&'a HashMap<Val, u32>>,
}

impl ConstEnv<'_> {
    /// Evaluates a constant, or `Ok(None)` when `v` is not a constant.
    pub fn eval(&mut self, v: Val) -> Result<Option<Const>, ConstError> {
        match v.kind() {
            ValKind::ConstInt => {
                if v.ty().int_width() > 64 {
                    return Err(ConstError::Unsupported(format!("{}-bit integer constant", v.ty().int_width())));
                }
                Ok(Some(Const::Int(v.const_reg_value())))
            }
            ValKind::ConstFp => {
                let d = v.const_double();
                Ok(Some(Const::Int(match v.ty().kind() {
                    super::ir::TypeKind::LLVMFloatTypeKind => (d as f32).to_bits() as i32 as i64,
                    super::ir::TypeKind::LLVMDoubleTypeKind => d.to_bits() as i64,
                    _ => return Err(ConstError::Unsupported(format!("constant of type `{}`", v.ty().describe()))),
                })))
            }
            ValKind::NullOrUndef => Ok(Some(Const::Int(0))),
            ValKind::GlobalVar => {
                if v.is_declaration() {
                    if v.is_thread_local() {
                        return Err(ConstError::ExternalVar(v.name()));
                    }
                    let i = self.tables.data_import_index(&v.name());
                    return Ok(Some(Const::Addr { kind: AddrKind::Import, target: i as u32, addend: 0 }));
                }
                match self.info.globals.get(&v) {
                    Some(&off) => Ok(Some(Const::Addr { kind: AddrKind::Data, target: off, addend: 0 })),
                    None => Err(ConstError::Unsupported(format!("global `{}`", v.name()))),
                }
            }
            ValKind::Function => {
                if let Some(&f) = self.info.funcs.get(&v) {
                    return Ok(Some(Const::Addr { kind: AddrKind::Func, target: f as u32, addend: 0 }));
                }
                let name = v.name();
                if name.starts_with("llvm.") {
                    return Err(ConstError::Unsupported(format!("address of intrinsic `{name}`")));
                }
                let ft = func_type(v.global_value_type()).map_err(|t| {
                    ConstError::Unsupported(format!(
                        "function `{name}` whose signature uses {}",
                        super::types::describe_unsupported(t)
                    ))
                })?;
                let i = self.tables.import_index(&name, &ft);
                Ok(Some(Const::Addr { kind: AddrKind::Import, target: i as u32, addend: 0 }))
            }
            ValKind::GlobalAlias => match v.aliasee() {
                Some(a) if a != v => self.eval(a),
                _ => Err(ConstError::Unsupported(format!("alias `{}`", v.name()))),
            },
            ValKind::ConstExpr => self.eval_expr(v).map(Some),
            ValKind::Instruction if v.opcode() == Some(Op::LLVMAlloca) => Ok(self
                .allocas
                .and_then(|a| a.get(&v))
                .map(|&off| Const::Addr { kind: AddrKind::Stack, target: off, addend: 0 })),
            ValKind::ConstAggregate => Err(ConstError::Unsupported("aggregate constant as a value".into())),
            ValKind::BlockAddress => {
                let (f, b) = v.block_address();
                let fi = self.info.funcs.get(&f).copied();
                let bi = f.blocks().iter().position(|x| *x == b);
                match (fi, bi) {
                    (Some(fi), Some(bi)) if bi < 1 << 16 => Ok(Some(Const::Int(label_id(fi, bi as u32)))),
                    _ => Err(ConstError::Unsupported("label address (blockaddress) of this block".into())),
                }
            }
            _ => Ok(None),
        }
    }

    fn eval_operand(&mut self, v: Val, i: u32) -> Result<Const, ConstError> {
        let o = v.operand(i).ok_or_else(|| ConstError::Unsupported("malformed constant expression".into()))?;
        self.eval(o)?.ok_or_else(|| ConstError::Unsupported("non-constant operand in a constant expression".into()))
    }

    fn eval_expr(&mut self, v: Val) -> Result<Const, ConstError> {
        let op = v.opcode().ok_or_else(|| ConstError::Unsupported("constant expression".into()))?;
        let width = v.ty().int_width();
        match op {
            Op::LLVMBitCast | Op::LLVMAddrSpaceCast | Op::LLVMPtrToInt | Op::LLVMIntToPtr | Op::LLVMPtrToAddr => {
                let c = self.eval_operand(v, 0)?;
                Ok(match c {
                    Const::Int(x) if width > 0 && width < 64 => Const::Int(sext(x, width)),
                    c => c,
                })
            }
            Op::LLVMTrunc => match self.eval_operand(v, 0)? {
                Const::Int(x) => Ok(Const::Int(sext(x, width))),
                _ => Err(ConstError::Unsupported("truncated address in a constant expression".into())),
            },
            Op::LLVMGetElementPtr => {
                let parts = gep_parts(v, &self.info.layout)?;
                if !parts.terms.is_empty() {
                    return Err(ConstError::Unsupported("non-constant index in a constant getelementptr".into()));
                }
                let base = self
                    .eval(parts.base)?
                    .ok_or_else(|| ConstError::Unsupported("constant getelementptr on a non-constant".into()))?;
                Ok(add(base, parts.offset))
            }
            Op::LLVMAdd | Op::LLVMSub | Op::LLVMXor | Op::LLVMMul => {
                let a = self.eval_operand(v, 0)?;
                let b = self.eval_operand(v, 1)?;
                match (op, a, b) {
                    (_, Const::Int(x), Const::Int(y)) => Ok(Const::Int(sext(
                        match op {
                            Op::LLVMAdd => x.wrapping_add(y),
                            Op::LLVMSub => x.wrapping_sub(y),
                            Op::LLVMMul => x.wrapping_mul(y),
                            _ => x ^ y,
                        },
                        width,
                    ))),
                    (Op::LLVMAdd, a @ Const::Addr { .. }, Const::Int(y)) => Ok(add(a, y)),
                    (Op::LLVMAdd, Const::Int(x), b @ Const::Addr { .. }) => Ok(add(b, x)),
                    (Op::LLVMSub, a @ Const::Addr { .. }, Const::Int(y)) => Ok(add(a, y.wrapping_neg())),
                    // Two addresses in the same space: data (or frame)
                    // offsets are fixed relative to each other, so their
                    // distance is a number; functions only from themselves.
                    (
                        Op::LLVMSub,
                        Const::Addr { kind: ka, target: ta, addend: aa },
                        Const::Addr { kind: kb, target: tb, addend: ab },
                    ) if ka == kb && (matches!(ka, AddrKind::Data | AddrKind::Stack) || ta == tb) => {
                        let pa = i64::from(ta).wrapping_add(aa);
                        let pb = i64::from(tb).wrapping_add(ab);
                        Ok(Const::Int(sext(pa.wrapping_sub(pb), width)))
                    }
                    _ => Err(ConstError::Unsupported("arithmetic on addresses in a constant expression".into())),
                }
            }
            other => Err(ConstError::Unsupported(format!("constant expression `{other:?}`"))),
        }
    }
}

fn add(c: Const, off: i64) -> Const {
    match c {
        Const::Int(x) => Const::Int(x.wrapping_add(off)),
        Const::Addr { kind, target, addend } => Const::Addr { kind, target, addend: addend.wrapping_add(off) },
    }
}

/// The value of a label address (`&&label`, `blockaddress`): no memory
/// address (code is not data here) but a number unique in the module and
/// never 0, which only `indirectbr` reads. Differences of labels of one
/// function and adding them back are plain arithmetic on these numbers.
pub fn label_id(func: u16, block: u32) -> i64 {
    ((i64::from(func) + 1) << 16) | i64::from(block)
}

/// Sign-extends the low `bits` of `x`.
pub fn sext(x: i64, bits: u32) -> i64 {
    if bits == 0 || bits >= 64 {
        x
    } else {
        let s = 64 - bits;
        (x << s) >> s
    }
}

/// Zero-extends the low `bits` of `x`.
pub fn zext(x: i64, bits: u32) -> i64 {
    if bits == 0 || bits >= 64 { x } else { x & ((1u64 << bits) - 1) as i64 }
}
