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
use super::isel::Addr;
use super::lower::{FuncLower, Result};
use super::mir::{MOp, VReg};
use espb_runtime::isa::Opcode;
use inkwell::llvm_sys::LLVMAtomicRMWBinOp as Rmw;

/// The `__atomic_*` library calls expanded here.
pub fn is_atomic_libcall(name: &str) -> bool {
    matches!(name, "__atomic_load" | "__atomic_store" | "__atomic_exchange" | "__atomic_compare_exchange")
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

    fn atomic_addr(&mut self, ptr: Val) -> Result<(VReg, i64)> {
        match self.address(ptr, &[])? {
            Addr::Off(a, off) => Ok((a, off as i64)),
            Addr::Idx(..) => self.internal("indexed address without index scales"),
        }
    }

    pub fn lower_atomicrmw(&mut self, inst: Val) -> Result<()> {
        let (ptr, val) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let class = self.atomic_class(val)?;
        let op = inst.atomic_rmw_op();
        let signed = matches!(op, Rmw::LLVMAtomicRMWBinOpMax | Rmw::LLVMAtomicRMWBinOpMin);
        let (a, off) = self.atomic_addr(ptr)?;
        let old = self.def(inst);
        self.emit(class.load(signed), vec![MOp::Reg(old), MOp::Reg(a), MOp::Imm(off)]);
        if matches!(class, Class::I8 | Class::I16) {
            let clean = if signed { &mut self.sclean } else { &mut self.zclean };
            clean.insert(inst);
        }
        let w = class.wide();
        let pick = |i32op: Opcode, i64op: Opcode| if w { i64op } else { i32op };
        let new = match op {
            Rmw::LLVMAtomicRMWBinOpXchg => self.use_val(val)?,
            Rmw::LLVMAtomicRMWBinOpAdd
            | Rmw::LLVMAtomicRMWBinOpSub
            | Rmw::LLVMAtomicRMWBinOpAnd
            | Rmw::LLVMAtomicRMWBinOpOr
            | Rmw::LLVMAtomicRMWBinOpXor
            | Rmw::LLVMAtomicRMWBinOpNand
                if !matches!(class, Class::F32 | Class::F64) =>
            {
                let o = match op {
                    Rmw::LLVMAtomicRMWBinOpAdd => pick(Opcode::AddI32, Opcode::AddI64),
                    Rmw::LLVMAtomicRMWBinOpSub => pick(Opcode::SubI32, Opcode::SubI64),
                    Rmw::LLVMAtomicRMWBinOpOr => pick(Opcode::OrI32, Opcode::OrI64),
                    Rmw::LLVMAtomicRMWBinOpXor => pick(Opcode::XorI32, Opcode::XorI64),
                    _ => pick(Opcode::AndI32, Opcode::AndI64),
                };
                let v = self.use_val(val)?;
                let r = self.emit3(o, old, v);
                if op == Rmw::LLVMAtomicRMWBinOpNand {
                    let ones = self.materialise(super::consts::Const::Int(-1), w);
                    self.emit3(pick(Opcode::XorI32, Opcode::XorI64), r, ones)
                } else {
                    r
                }
            }
            Rmw::LLVMAtomicRMWBinOpMax
            | Rmw::LLVMAtomicRMWBinOpMin
            | Rmw::LLVMAtomicRMWBinOpUMax
            | Rmw::LLVMAtomicRMWBinOpUMin
                if !matches!(class, Class::F32 | Class::F64) =>
            {
                let o = match op {
                    Rmw::LLVMAtomicRMWBinOpMax => pick(Opcode::MaxSI32, Opcode::MaxSI64),
                    Rmw::LLVMAtomicRMWBinOpMin => pick(Opcode::MinSI32, Opcode::MinSI64),
                    Rmw::LLVMAtomicRMWBinOpUMax => pick(Opcode::MaxUI32, Opcode::MaxUI64),
                    _ => pick(Opcode::MinUI32, Opcode::MinUI64),
                };
                let v = self.norm(val, signed)?;
                self.emit3(o, old, v)
            }
            Rmw::LLVMAtomicRMWBinOpFAdd | Rmw::LLVMAtomicRMWBinOpFSub if matches!(class, Class::F32 | Class::F64) => {
                let o = match (op, class) {
                    (Rmw::LLVMAtomicRMWBinOpFAdd, Class::F32) => Opcode::AddF32,
                    (Rmw::LLVMAtomicRMWBinOpFAdd, _) => Opcode::AddF64,
                    (_, Class::F32) => Opcode::SubF32,
                    _ => Opcode::SubF64,
                };
                let v = self.use_val(val)?;
                self.emit3(o, old, v)
            }
            other => return self.unsupported(format!("atomicrmw operation `{other:?}`")),
        };
        self.emit(class.store(), vec![MOp::Reg(new), MOp::Reg(a), MOp::Imm(off)]);
        Ok(())
    }

    /// `cmpxchg`: `{old, old == expected}`; the store writes `new` or
    /// `old` back (a select, so no branch).
    pub fn lower_cmpxchg(&mut self, inst: Val) -> Result<()> {
        let (ptr, cmp, new) = (self.operand(inst, 0)?, self.operand(inst, 1)?, self.operand(inst, 2)?);
        let class = self.atomic_class(cmp)?;
        let (a, off) = self.atomic_addr(ptr)?;
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
