//! Atomics: `atomicrmw`, `cmpxchg`, `fence`, atomic loads and stores, and
//! the generic `__atomic_{load,store,exchange,compare_exchange}` library
//! calls clang emits for objects wider than eight bytes.
//!
//! A module's tasks share one interpreter lock, released only at blocking
//! natives and at time-slice ends, which come at backward branches and
//! calls (docs/architecture.md, "Atomics"). So each operation becomes
//! straight-line code (no branch, no call: selects instead) and no other
//! task of the module can run in the middle of it. The memory ordering
//! needs nothing: one task runs at a time.

use super::ir::{Val, ValKind};
use super::lower::{FuncLower, Result};
use super::mir::{MOp, VReg};
use espb_runtime::isa::Opcode;
use inkwell::llvm_sys::LLVMAtomicRMWBinOp as Rmw;

/// The `__atomic_*` library calls expanded here: the generic ones, and
/// the sized `__atomic_<op>_<1|2|4|8>`.
pub fn is_atomic_libcall(name: &str) -> bool {
    matches!(name, "__atomic_load" | "__atomic_store" | "__atomic_exchange" | "__atomic_compare_exchange")
        || sized_libcall(name).is_some()
}

/// `__atomic_fetch_add_4` -> ("fetch_add", 4).
fn sized_libcall(name: &str) -> Option<(&str, u32)> {
    let rest = name.strip_prefix("__atomic_")?;
    let (op, n) = rest.rsplit_once('_')?;
    let size = match n {
        "1" => 1,
        "2" => 2,
        "4" => 4,
        "8" => 8,
        _ => return None,
    };
    Some((op, size))
}

/// Read-modify-write operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RmwOp {
    Xchg,
    Add,
    Sub,
    And,
    Or,
    Xor,
    Nand,
    Max,
    Min,
    UMax,
    UMin,
    FAdd,
    FSub,
}

/// Memory class of an atomic operand.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
}

impl Class {
    fn load(self, signed: bool) -> Opcode {
        match (self, signed) {
            (Class::I8, false) => Opcode::LoadI8U,
            (Class::I8, true) => Opcode::LoadI8S,
            (Class::I16, false) => Opcode::LoadI16U,
            (Class::I16, true) => Opcode::LoadI16S,
            (Class::I32 | Class::F32, _) => Opcode::LoadI32,
            (Class::I64 | Class::F64, _) => Opcode::LoadI64,
        }
    }
    fn store(self) -> Opcode {
        match self {
            Class::I8 => Opcode::StoreI8,
            Class::I16 => Opcode::StoreI16,
            Class::I32 | Class::F32 => Opcode::StoreI32,
            Class::I64 | Class::F64 => Opcode::StoreI64,
        }
    }
    fn wide(self) -> bool {
        matches!(self, Class::I64 | Class::F64)
    }
}

impl FuncLower<'_> {
    fn atomic_class(&self, v: Val) -> Result<Class> {
        use super::ir::TypeKind as K;
        let ty = v.ty();
        Ok(match ty.kind() {
            K::LLVMPointerTypeKind => Class::I32,
            K::LLVMFloatTypeKind => Class::F32,
            K::LLVMDoubleTypeKind => Class::F64,
            K::LLVMIntegerTypeKind => match ty.int_width() {
                8 => Class::I8,
                16 => Class::I16,
                32 => Class::I32,
                64 => Class::I64,
                w => return self.unsupported(format!("atomic operation on an i{w}")),
            },
            _ => return self.unsupported(format!("atomic operation on `{}`", ty.describe())),
        })
    }

    pub fn lower_atomicrmw(&mut self, inst: Val) -> Result<()> {
        let (ptr, val) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let class = self.atomic_class(val)?;
        let op = match inst.atomic_rmw_op() {
            Rmw::LLVMAtomicRMWBinOpXchg => RmwOp::Xchg,
            Rmw::LLVMAtomicRMWBinOpAdd => RmwOp::Add,
            Rmw::LLVMAtomicRMWBinOpSub => RmwOp::Sub,
            Rmw::LLVMAtomicRMWBinOpAnd => RmwOp::And,
            Rmw::LLVMAtomicRMWBinOpOr => RmwOp::Or,
            Rmw::LLVMAtomicRMWBinOpXor => RmwOp::Xor,
            Rmw::LLVMAtomicRMWBinOpNand => RmwOp::Nand,
            Rmw::LLVMAtomicRMWBinOpMax => RmwOp::Max,
            Rmw::LLVMAtomicRMWBinOpMin => RmwOp::Min,
            Rmw::LLVMAtomicRMWBinOpUMax => RmwOp::UMax,
            Rmw::LLVMAtomicRMWBinOpUMin => RmwOp::UMin,
            Rmw::LLVMAtomicRMWBinOpFAdd => RmwOp::FAdd,
            Rmw::LLVMAtomicRMWBinOpFSub => RmwOp::FSub,
            other => return self.unsupported(format!("atomicrmw operation `{other:?}`")),
        };
        self.emit_rmw(inst, op, ptr, val, class, false)
    }

    /// `old = *ptr; *ptr = old op val`; `inst`'s value is `old`, or the
    /// new value when `want_new`.
    fn emit_rmw(&mut self, inst: Val, op: RmwOp, ptr: Val, val: Val, class: Class, want_new: bool) -> Result<()> {
        let float = matches!(class, Class::F32 | Class::F64);
        let float_op = matches!(op, RmwOp::FAdd | RmwOp::FSub);
        if (float && !float_op && op != RmwOp::Xchg) || (!float && float_op) {
            return self.unsupported(format!("atomic {op:?} on `{}`", val.ty().describe()));
        }
        let signed = matches!(op, RmwOp::Max | RmwOp::Min);
        let (a, off) = self.base_addr(ptr, 0)?;
        let old = if want_new { self.new_vreg() } else { self.def(inst) };
        self.emit(class.load(signed), vec![MOp::Reg(old), MOp::Reg(a), MOp::Imm(off)]);
        let w = class.wide();
        let pick = |i32op: Opcode, i64op: Opcode| if w { i64op } else { i32op };
        let new = match op {
            RmwOp::Xchg => self.use_val(val)?,
            RmwOp::Add | RmwOp::Sub | RmwOp::And | RmwOp::Or | RmwOp::Xor | RmwOp::Nand => {
                let o = match op {
                    RmwOp::Add => pick(Opcode::AddI32, Opcode::AddI64),
                    RmwOp::Sub => pick(Opcode::SubI32, Opcode::SubI64),
                    RmwOp::Or => pick(Opcode::OrI32, Opcode::OrI64),
                    RmwOp::Xor => pick(Opcode::XorI32, Opcode::XorI64),
                    _ => pick(Opcode::AndI32, Opcode::AndI64),
                };
                let v = self.use_val(val)?;
                let r = self.emit3(o, old, v);
                if op == RmwOp::Nand {
                    let ones = self.materialise(super::consts::Const::Int(-1), w);
                    self.emit3(pick(Opcode::XorI32, Opcode::XorI64), r, ones)
                } else {
                    r
                }
            }
            RmwOp::Max | RmwOp::Min | RmwOp::UMax | RmwOp::UMin => {
                let o = match op {
                    RmwOp::Max => pick(Opcode::MaxSI32, Opcode::MaxSI64),
                    RmwOp::Min => pick(Opcode::MinSI32, Opcode::MinSI64),
                    RmwOp::UMax => pick(Opcode::MaxUI32, Opcode::MaxUI64),
                    _ => pick(Opcode::MinUI32, Opcode::MinUI64),
                };
                let v = self.norm(val, signed)?;
                self.emit3(o, old, v)
            }
            RmwOp::FAdd | RmwOp::FSub => {
                let o = match (op, class) {
                    (RmwOp::FAdd, Class::F32) => Opcode::AddF32,
                    (RmwOp::FAdd, _) => Opcode::AddF64,
                    (_, Class::F32) => Opcode::SubF32,
                    _ => Opcode::SubF64,
                };
                let v = self.use_val(val)?;
                self.emit3(o, old, v)
            }
        };
        self.emit(class.store(), vec![MOp::Reg(new), MOp::Reg(a), MOp::Imm(off)]);
        if want_new {
            self.alias(inst, new);
        } else if matches!(class, Class::I8 | Class::I16) {
            let clean = if signed { &mut self.sclean } else { &mut self.zclean };
            clean.insert(inst);
        }
        Ok(())
    }

    /// The sized `__atomic_*_N` calls older clangs emit for targets
    /// without atomic instructions (rv32imc): `load`, `store`, `exchange`,
    /// `compare_exchange`, `fetch_OP` and `OP_fetch`.
    fn lower_sized_atomic_libcall(&mut self, inst: Val, op: &str, size: u32) -> Result<()> {
        let class = match size {
            1 => Class::I8,
            2 => Class::I16,
            4 => Class::I32,
            _ => Class::I64,
        };
        let ptr = self.operand(inst, 0)?;
        match op {
            "load" => {
                let (a, off) = self.base_addr(ptr, 0)?;
                let d = self.def(inst);
                self.emit(class.load(false), vec![MOp::Reg(d), MOp::Reg(a), MOp::Imm(off)]);
                if matches!(class, Class::I8 | Class::I16) {
                    self.zclean.insert(inst);
                }
                Ok(())
            }
            "store" => {
                let (a, off) = self.base_addr(ptr, 0)?;
                let v = self.use_val(self.operand(inst, 1)?)?;
                self.emit(class.store(), vec![MOp::Reg(v), MOp::Reg(a), MOp::Imm(off)]);
                Ok(())
            }
            "compare_exchange" => {
                // bool (T *p, T *expected, T desired, int success, int failure)
                let (exp, des) = (self.operand(inst, 1)?, self.operand(inst, 2)?);
                let (a, off) = self.base_addr(ptr, 0)?;
                let e = self.use_val(exp)?;
                let (old, want) = (self.new_vreg(), self.new_vreg());
                self.emit(class.load(false), vec![MOp::Reg(old), MOp::Reg(a), MOp::Imm(off)]);
                self.emit(class.load(false), vec![MOp::Reg(want), MOp::Reg(e), MOp::Imm(0)]);
                let ok = self.def(inst);
                let eq = if class.wide() { Opcode::EqI64 } else { Opcode::EqI32 };
                self.emit(eq, vec![MOp::Reg(ok), MOp::Reg(old), MOp::Reg(want)]);
                self.zclean.insert(inst);
                let n = self.use_val(des)?;
                let st = self.new_vreg();
                self.emit(Opcode::Select, vec![MOp::Reg(st), MOp::Reg(ok), MOp::Reg(n), MOp::Reg(old)]);
                self.emit(class.store(), vec![MOp::Reg(st), MOp::Reg(a), MOp::Imm(off)]);
                // `expected` gets the current value (unchanged on success).
                self.emit(class.store(), vec![MOp::Reg(old), MOp::Reg(e), MOp::Imm(0)]);
                Ok(())
            }
            _ => {
                let (name, want_new) = match (op.strip_prefix("fetch_"), op.strip_suffix("_fetch")) {
                    (Some(n), _) => (n, false),
                    (_, Some(n)) => (n, true),
                    _ if op == "exchange" => ("xchg", false),
                    _ => return self.unsupported(format!("atomic library call `__atomic_{op}_{size}`")),
                };
                let rop = match name {
                    "xchg" => RmwOp::Xchg,
                    "add" => RmwOp::Add,
                    "sub" => RmwOp::Sub,
                    "and" => RmwOp::And,
                    "or" => RmwOp::Or,
                    "xor" => RmwOp::Xor,
                    "nand" => RmwOp::Nand,
                    "max" => RmwOp::Max,
                    "min" => RmwOp::Min,
                    "umax" => RmwOp::UMax,
                    "umin" => RmwOp::UMin,
                    _ => return self.unsupported(format!("atomic library call `__atomic_{op}_{size}`")),
                };
                let val = self.operand(inst, 1)?;
                self.emit_rmw(inst, rop, ptr, val, class, want_new)
            }
        }
    }

    /// `cmpxchg`: `{old, old == expected}`; the store writes `new` or
    /// `old` back (a select, so no branch).
    pub fn lower_cmpxchg(&mut self, inst: Val) -> Result<()> {
        let (ptr, cmp, new) = (self.operand(inst, 0)?, self.operand(inst, 1)?, self.operand(inst, 2)?);
        let class = self.atomic_class(cmp)?;
        let (a, off) = self.base_addr(ptr, 0)?;
        let regs = self.agg_regs(inst, 2);
        let (old, ok) = (regs[0], regs[1]);
        self.emit(class.load(false), vec![MOp::Reg(old), MOp::Reg(a), MOp::Imm(off)]);
        let c = self.norm(cmp, false)?;
        let eq = if class.wide() { Opcode::EqI64 } else { Opcode::EqI32 };
        self.emit(eq, vec![MOp::Reg(ok), MOp::Reg(old), MOp::Reg(c)]);
        let n = self.use_val(new)?;
        let st = self.new_vreg();
        self.emit(Opcode::Select, vec![MOp::Reg(st), MOp::Reg(ok), MOp::Reg(n), MOp::Reg(old)]);
        self.emit(class.store(), vec![MOp::Reg(st), MOp::Reg(a), MOp::Imm(off)]);
        Ok(())
    }

    /// The generic `__atomic_*` calls (any size, objects in memory) as
    /// memory copies; the size must be a constant.
    pub fn lower_atomic_libcall(&mut self, inst: Val, name: &str) -> Result<()> {
        if let Some((op, size)) = sized_libcall(name) {
            return self.lower_sized_atomic_libcall(inst, op, size);
        }
        let n = inst.num_arg_operands();
        let args: Vec<Val> = (0..n).map(|i| self.operand(inst, i)).collect::<Result<_>>()?;
        let want = match name {
            "__atomic_load" | "__atomic_store" => 4,
            "__atomic_exchange" => 5,
            _ => 6,
        };
        if args.len() != want {
            return self.unsupported(format!("`{name}` with {} arguments", args.len()));
        }
        let Some(size) = self.imm(args[0]).filter(|s| (0..=1 << 16).contains(s)) else {
            return self.unsupported(format!("`{name}` of a size that is not a constant"));
        };
        let size_r = self.use_val(args[0])?;
        let regs: Vec<VReg> = args[1..].iter().map(|a| self.use_val(*a)).collect::<Result<_>>()?;
        let copy = |me: &mut Self, d: VReg, s: VReg| {
            me.emit(Opcode::MemMove, vec![MOp::Reg(d), MOp::Reg(s), MOp::Reg(size_r)])
        };
        match name {
            "__atomic_load" => copy(self, regs[1], regs[0]),
            "__atomic_store" => copy(self, regs[0], regs[1]),
            "__atomic_exchange" => {
                copy(self, regs[2], regs[0]);
                copy(self, regs[0], regs[1]);
            }
            _ => {
                // Compare in words and bytes, straight-line.
                let (p, exp, des) = (regs[0], regs[1], regs[2]);
                let mut diff: Option<VReg> = None;
                let mut at = 0i64;
                while at < size {
                    let (ld, step) = if size - at >= 4 { (Opcode::LoadI32, 4) } else { (Opcode::LoadI8U, 1) };
                    let (x, y) = (self.new_vreg(), self.new_vreg());
                    self.emit(ld, vec![MOp::Reg(x), MOp::Reg(p), MOp::Imm(at)]);
                    self.emit(ld, vec![MOp::Reg(y), MOp::Reg(exp), MOp::Imm(at)]);
                    let d = self.emit3(Opcode::XorI32, x, y);
                    diff = Some(match diff {
                        None => d,
                        Some(acc) => self.emit3(Opcode::OrI32, acc, d),
                    });
                    at += step;
                }
                let ok = match diff {
                    Some(d) => self.emit_imm(Opcode::EqImmI32, d, 0),
                    None => self.materialise(super::consts::Const::Int(1), false),
                };
                // On failure `expected` gets the current value, on success
                // the object gets `desired`; the other copy is onto itself.
                let from = self.new_vreg();
                self.emit(Opcode::Select, vec![MOp::Reg(from), MOp::Reg(ok), MOp::Reg(exp), MOp::Reg(p)]);
                copy(self, exp, from);
                let src = self.new_vreg();
                self.emit(Opcode::Select, vec![MOp::Reg(src), MOp::Reg(ok), MOp::Reg(des), MOp::Reg(p)]);
                copy(self, p, src);
                if !inst.ty().is_void() {
                    self.alias(inst, ok);
                    self.zclean.insert(inst);
                }
            }
        }
        Ok(())
    }
}

/// Is `callee` one of the `__atomic_*` calls this file expands?
pub fn expands(callee: Val) -> Option<String> {
    (callee.kind() == ValKind::Function && callee.is_declaration())
        .then(|| callee.name())
        .filter(|n| is_atomic_libcall(n))
}
