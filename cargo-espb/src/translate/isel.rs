//! Instruction selection: arithmetic, comparisons, casts, memory and calls.

use super::consts::{AddrKind, Const, gep_parts};
use super::ir::{Op, TypeKind, Val, ValKind, i1_op, int_binop, is_inst};
use super::lower::{Cond, FRAME_ALIGN, FuncLower, Result};
use super::mir::{MOp, VReg};
use super::types::{func_type, val_type};
use espb_runtime::FuncType;
use espb_runtime::isa::{Conv, FBinary, FUnary, Opcode};
use inkwell::llvm_sys::LLVMIntPredicate as P;

/// The largest alignment `alloca` takes (its operand is a byte).
const MAX_ALLOCA_ALIGN: u32 = 128;

/// A pointer split as base value, constant offset, scaled indices.
type Decomposed = (Val, i64, Vec<(Val, i64)>);

/// A memory operand.
pub enum Addr {
    /// `base + off`.
    Off(VReg, i16),
    /// `base + (idx << shift)` (i32 accesses only).
    Idx(VReg, VReg, u8),
}

fn fits_i8(x: i64) -> bool {
    (-128..128).contains(&x)
}
fn fits_i32(x: i64) -> bool {
    i32::try_from(x).is_ok()
}

/// Float kind of a type: Some(false) f32, Some(true) f64.
fn float_kind(v: Val) -> Option<bool> {
    match v.ty().kind() {
        TypeKind::LLVMFloatTypeKind => Some(false),
        TypeKind::LLVMDoubleTypeKind => Some(true),
        _ => None,
    }
}

impl FuncLower<'_> {
    /// `ptr` as a base register and a constant offset that leaves `room`
    /// bytes of headroom below `i16::MAX`, for lowerings that issue several
    /// accesses at `off`, `off + 8`, ... (atomics, vectors, wide integers).
    pub fn base_addr(&mut self, ptr: Val, room: i16) -> Result<(VReg, i64)> {
        match self.address(ptr, &[])? {
            Addr::Off(a, off) if off <= i16::MAX - room => Ok((a, off as i64)),
            Addr::Off(a, off) => Ok((self.emit_imm(Opcode::AddImmI32, a, off as i64), 0)),
            Addr::Idx(..) => self.internal("indexed address without index scales"),
        }
    }

    pub fn lower_inst(&mut self, inst: Val) -> Result<()> {
        let Some(op) = inst.opcode() else { return self.internal("instruction without opcode") };
        if self.folded.contains(&inst) {
            return Ok(());
        }
        if super::f128::touches_f128(inst) && !matches!(op, Op::LLVMRet) {
            if op == Op::LLVMCall {
                if self.lower_f128_math_call(inst)? {
                    return Ok(());
                }
                return self.lower_call(inst);
            }
            return self.lower_f128(inst);
        }
        if op == Op::LLVMCall
            && let Some(name) = super::overflow::wide_overflow_call(inst)
        {
            return self.lower_wide_overflow(inst, &name);
        }
        if super::overflow::extracts_wide_overflow(inst) {
            return self.lower_wide_overflow_extract(inst);
        }
        if super::wide::touches_wide(inst) && !matches!(op, Op::LLVMCall | Op::LLVMRet | Op::LLVMSwitch) {
            return self.lower_wide(inst);
        }
        if op == Op::LLVMCall
            && let Some(base) = super::wide::wide_bits_call(inst)
        {
            let a = self.operand(inst, 0)?;
            return self.wide_bits(inst, base, a, Self::width(a));
        }
        if super::vectors::touches_vector(inst) {
            match op {
                // Element-wise intrinsics; any other call with vectors is
                // refused by its signature.
                Op::LLVMCall => return self.lower_call(inst),
                Op::LLVMRet => return self.lower_ret(inst),
                Op::LLVMGetElementPtr | Op::LLVMSwitch => {}
                _ => return self.lower_vector(inst),
            }
        }
        self.check_types(inst)?;
        match op {
            Op::LLVMRet => self.lower_ret(inst),
            Op::LLVMBr => self.lower_br(inst),
            Op::LLVMSwitch => self.lower_switch(inst),
            Op::LLVMUnreachable => {
                self.emit(Opcode::Unreachable, vec![]);
                Ok(())
            }
            Op::LLVMPHI if super::types::is_aggregate(inst.ty()) => self.agg_val(inst).map(|_| ()),
            Op::LLVMPHI => {
                self.def(inst);
                Ok(())
            }
            Op::LLVMSelect | Op::LLVMFreeze if super::types::is_aggregate(inst.ty()) => self.lower_agg_select(inst),
            Op::LLVMLoad if super::types::is_aggregate(inst.ty()) => {
                let p = self.operand(inst, 0)?;
                self.lower_agg_load(inst, p)
            }
            Op::LLVMStore if self.operand(inst, 0).is_ok_and(|v| super::types::is_aggregate(v.ty())) => {
                let (v, p) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
                self.lower_agg_store(v, p)
            }
            int_binop!() => self.lower_binop(inst, op),
            Op::LLVMFAdd | Op::LLVMFSub | Op::LLVMFMul | Op::LLVMFDiv | Op::LLVMFRem => self.lower_fbinop(inst, op),
            Op::LLVMFNeg => {
                let a = self.operand(inst, 0)?;
                let k = if float_kind(inst) == Some(true) { FUnary::NegF64 } else { FUnary::NegF32 };
                let s = self.use_val(a)?;
                let d = self.def(inst);
                self.emit(Opcode::FUnary, vec![MOp::Reg(d), MOp::Reg(s), MOp::Imm(k as i64)]);
                Ok(())
            }
            Op::LLVMICmp => {
                let c = self.icmp_cond(inst)?;
                let r = self.cond_value(c);
                self.alias(inst, r);
                self.zclean.insert(inst);
                Ok(())
            }
            Op::LLVMFCmp => self.lower_fcmp(inst),
            Op::LLVMSelect => {
                let c = self.use_val(self.operand(inst, 0)?)?;
                let a = self.use_val(self.operand(inst, 1)?)?;
                let b = self.use_val(self.operand(inst, 2)?)?;
                let d = self.def(inst);
                self.emit(Opcode::Select, vec![MOp::Reg(d), MOp::Reg(c), MOp::Reg(a), MOp::Reg(b)]);
                Ok(())
            }
            Op::LLVMTrunc
            | Op::LLVMZExt
            | Op::LLVMSExt
            | Op::LLVMPtrToInt
            | Op::LLVMPtrToAddr
            | Op::LLVMIntToPtr
            | Op::LLVMBitCast
            | Op::LLVMAddrSpaceCast
            | Op::LLVMFreeze => self.lower_int_cast(inst, op),
            Op::LLVMFPExt | Op::LLVMFPTrunc | Op::LLVMSIToFP | Op::LLVMUIToFP | Op::LLVMFPToSI | Op::LLVMFPToUI => {
                self.lower_fp_cast(inst, op)
            }
            Op::LLVMAlloca => self.lower_alloca(inst),
            Op::LLVMLoad => self.lower_load(inst),
            Op::LLVMStore => self.lower_store(inst),
            Op::LLVMGetElementPtr => self.lower_gep_value(inst),
            Op::LLVMCall => self.lower_call(inst),
            Op::LLVMVAArg => self.lower_va_arg(inst),
            Op::LLVMAtomicRMW => self.lower_atomicrmw(inst),
            Op::LLVMAtomicCmpXchg => self.lower_cmpxchg(inst),
            // One task of the module runs at a time (see atomics.rs).
            Op::LLVMFence => Ok(()),
            Op::LLVMIndirectBr => self.lower_indirectbr(inst),
            Op::LLVMCallBr => self.unsupported("asm goto"),
            Op::LLVMInvoke
            | Op::LLVMLandingPad
            | Op::LLVMResume
            | Op::LLVMCleanupRet
            | Op::LLVMCatchRet
            | Op::LLVMCatchPad
            | Op::LLVMCleanupPad
            | Op::LLVMCatchSwitch => self.unsupported("exception handling"),
            Op::LLVMExtractValue => self.lower_extractvalue(inst),
            Op::LLVMInsertValue => self.lower_insertvalue(inst),
            Op::LLVMExtractElement | Op::LLVMInsertElement | Op::LLVMShuffleVector => {
                self.unsupported("vector operation")
            }
            other => self.unsupported(format!("instruction `{other:?}`")),
        }
    }

    pub fn operand(&self, inst: Val, i: u32) -> Result<Val> {
        match inst.operand(i) {
            Some(v) => Ok(v),
            None => self.internal(format!("missing operand {i}")),
        }
    }

    // ---------- integer arithmetic ----------

    fn lower_binop(&mut self, inst: Val, op: Op) -> Result<()> {
        let w = Self::width(inst);
        let (a, b) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        if w > 32 {
            return self.lower_binop64(inst, op, a, b);
        }
        let op = match if w == 1 { i1_op(op) } else { Some(op) } {
            Some(op) => op,
            None => {
                let r = self.use_val(a)?;
                self.alias(inst, r);
                return Ok(());
            }
        };
        let commutative = matches!(op, Op::LLVMAdd | Op::LLVMMul | Op::LLVMAnd | Op::LLVMOr | Op::LLVMXor);
        let (a, b) = if commutative && self.imm(a).is_some() && self.imm(b).is_none() { (b, a) } else { (a, b) };
        let mask = |x: i64| if w == 1 { x & 1 } else { x };
        let d = self.def(inst);
        let imm_b = self.imm(b);
        let r = match op {
            Op::LLVMAdd | Op::LLVMSub => {
                let neg = op == Op::LLVMSub;
                if let Some(x) = imm_b {
                    let x = if neg { (x as i32).wrapping_neg() as i64 } else { x as i32 as i64 };
                    let ra = self.use_val(a)?;
                    let opc = if fits_i8(x) { Opcode::AddImm8I32 } else { Opcode::AddImmI32 };
                    (opc, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Imm(x)])
                } else if let (true, Some(x)) = (neg, self.imm(a)) {
                    let rb = self.use_val(b)?;
                    (Opcode::SubFromImmI32, vec![MOp::Reg(d), MOp::Reg(rb), MOp::Imm(x as i32 as i64)])
                } else {
                    let (ra, rb) = (self.use_val(a)?, self.use_val(b)?);
                    (if neg { Opcode::SubI32 } else { Opcode::AddI32 }, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Reg(rb)])
                }
            }
            Op::LLVMMul | Op::LLVMAnd | Op::LLVMOr | Op::LLVMXor => {
                let (rop, iop) = match op {
                    Op::LLVMMul => (Opcode::MulI32, Opcode::MulImmI32),
                    Op::LLVMAnd => (Opcode::AndI32, Opcode::AndImmI32),
                    Op::LLVMOr => (Opcode::OrI32, Opcode::OrImmI32),
                    _ => (Opcode::XorI32, Opcode::XorImmI32),
                };
                let ra = self.use_val(a)?;
                if let Some(x) = imm_b {
                    let x = mask(x) as i32 as i64;
                    if op == Op::LLVMAnd && w < 32 && x >= 0 && x <= super::consts::zext(-1, w) {
                        self.zclean.insert(inst);
                    }
                    (iop, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Imm(x)])
                } else {
                    let rb = self.use_val(b)?;
                    (rop, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Reg(rb)])
                }
            }
            Op::LLVMShl | Op::LLVMLShr | Op::LLVMAShr => {
                let ra = match op {
                    Op::LLVMShl => self.use_val(a)?,
                    Op::LLVMLShr => self.norm(a, false)?,
                    _ => self.norm(a, true)?,
                };
                if op == Op::LLVMLShr {
                    self.zclean.insert(inst);
                }
                let (rop, iop) = match op {
                    Op::LLVMShl => (Opcode::ShlI32, Opcode::ShlImmI32),
                    Op::LLVMLShr => (Opcode::ShrUI32, Opcode::ShrUImmI32),
                    _ => (Opcode::ShrSI32, Opcode::ShrSImmI32),
                };
                if let Some(x) = imm_b {
                    (iop, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Imm(x & 31)])
                } else {
                    let rb = self.norm(b, false)?;
                    (rop, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Reg(rb)])
                }
            }
            _ => {
                let signed = matches!(op, Op::LLVMSDiv | Op::LLVMSRem);
                let ra = self.norm(a, signed)?;
                let rb = self.norm(b, signed)?;
                if !signed {
                    self.zclean.insert(inst);
                }
                let o = match op {
                    Op::LLVMSDiv => Opcode::DivSI32,
                    Op::LLVMUDiv => Opcode::DivUI32,
                    Op::LLVMSRem => Opcode::RemSI32,
                    _ => Opcode::RemUI32,
                };
                (o, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Reg(rb)])
            }
        };
        self.emit(r.0, r.1);
        Ok(())
    }

    fn lower_binop64(&mut self, inst: Val, op: Op, a: Val, b: Val) -> Result<()> {
        let commutative = matches!(op, Op::LLVMAdd | Op::LLVMMul | Op::LLVMAnd | Op::LLVMOr | Op::LLVMXor);
        let (a, b) = if commutative && self.imm(a).is_some() && self.imm(b).is_none() { (b, a) } else { (a, b) };
        let imm_b = self.imm(b);
        // Below 64 bits, right shifts and divisions read the bits above the
        // width, so their operands are extended first (add, shl ... only
        // leave garbage above the width).
        let ext = match op {
            Op::LLVMLShr | Op::LLVMUDiv | Op::LLVMURem => Some(false),
            Op::LLVMAShr | Op::LLVMSDiv | Op::LLVMSRem => Some(true),
            _ => None,
        };
        let ra = match ext {
            Some(signed) => self.norm(a, signed)?,
            None => self.use_val(a)?,
        };
        if let Some(signed) = ext {
            let clean = if signed { &mut self.sclean } else { &mut self.zclean };
            clean.insert(inst);
        }
        let d = self.def(inst);
        let imm_form = match (op, imm_b) {
            (Op::LLVMAdd, Some(x)) if fits_i32(x) => Some((Opcode::AddImmI64, x)),
            (Op::LLVMSub, Some(x)) if fits_i32(x.wrapping_neg()) => Some((Opcode::AddImmI64, -x)),
            (Op::LLVMAnd, Some(x)) if fits_i32(x) => Some((Opcode::AndImmI64, x)),
            (Op::LLVMShl, Some(x)) => Some((Opcode::ShlImmI64, x & 63)),
            (Op::LLVMLShr, Some(x)) => Some((Opcode::ShrUImmI64, x & 63)),
            (Op::LLVMAShr, Some(x)) => Some((Opcode::ShrSImmI64, x & 63)),
            _ => None,
        };
        if let Some((o, x)) = imm_form {
            self.emit(o, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Imm(x)]);
            return Ok(());
        }
        // A shift amount's low six bits are right whatever is above the width.
        let rb = match ext {
            Some(signed) if !matches!(op, Op::LLVMLShr | Op::LLVMAShr) => self.norm(b, signed)?,
            _ => self.use_val(b)?,
        };
        let o = match op {
            Op::LLVMAdd => Opcode::AddI64,
            Op::LLVMSub => Opcode::SubI64,
            Op::LLVMMul => Opcode::MulI64,
            Op::LLVMUDiv => Opcode::DivUI64,
            Op::LLVMSDiv => Opcode::DivSI64,
            Op::LLVMURem => Opcode::RemUI64,
            Op::LLVMSRem => Opcode::RemSI64,
            Op::LLVMShl => Opcode::ShlI64,
            Op::LLVMLShr => Opcode::ShrUI64,
            Op::LLVMAShr => Opcode::ShrSI64,
            Op::LLVMAnd => Opcode::AndI64,
            Op::LLVMOr => Opcode::OrI64,
            _ => Opcode::XorI64,
        };
        self.emit(o, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Reg(rb)]);
        Ok(())
    }

    // ---------- comparisons ----------

    /// Selects an integer comparison.
    pub fn icmp_cond(&mut self, inst: Val) -> Result<Cond> {
        let (mut a, mut b) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let mut pred = inst.icmp_predicate();
        let signed = matches!(pred, P::LLVMIntSGT | P::LLVMIntSGE | P::LLVMIntSLT | P::LLVMIntSLE);
        let wide = Self::width(a) > 32;
        if self.imm(a).is_some() && self.imm(b).is_none() {
            std::mem::swap(&mut a, &mut b);
            pred = swap_pred(pred);
        }
        let ra = self.norm(a, signed)?;
        if !wide && let Some(v) = self.norm_imm(b, signed) {
            // Immediates are compared as 32-bit patterns.
            let v = v as i32;
            let u = v as u32;
            let c = match pred {
                P::LLVMIntEQ => Cond::Imm { op: Opcode::EqImmI32, a: ra, v },
                P::LLVMIntNE => Cond::Imm { op: Opcode::NeImmI32, a: ra, v },
                P::LLVMIntSLT => Cond::Imm { op: Opcode::LtSImmI32, a: ra, v },
                P::LLVMIntULT => Cond::Imm { op: Opcode::LtUImmI32, a: ra, v },
                P::LLVMIntSGT => Cond::Imm { op: Opcode::GtSImmI32, a: ra, v },
                P::LLVMIntUGT => Cond::Imm { op: Opcode::GtUImmI32, a: ra, v },
                P::LLVMIntSLE if v == i32::MAX => Cond::Const(true),
                P::LLVMIntSLE => Cond::Imm { op: Opcode::LtSImmI32, a: ra, v: v + 1 },
                P::LLVMIntSGE if v == i32::MIN => Cond::Const(true),
                P::LLVMIntSGE => Cond::Imm { op: Opcode::GtSImmI32, a: ra, v: v - 1 },
                P::LLVMIntULE if u == u32::MAX => Cond::Const(true),
                P::LLVMIntULE => Cond::Imm { op: Opcode::LtUImmI32, a: ra, v: (u + 1) as i32 },
                P::LLVMIntUGE if u == 0 => Cond::Const(true),
                P::LLVMIntUGE => Cond::Imm { op: Opcode::GtUImmI32, a: ra, v: (u - 1) as i32 },
            };
            return Ok(c);
        }
        let rb = self.norm(b, signed)?;
        let (op, x, y) = match pred {
            P::LLVMIntEQ => (Opcode::EqI32, ra, rb),
            P::LLVMIntNE => (Opcode::NeI32, ra, rb),
            P::LLVMIntSLT => (Opcode::LtSI32, ra, rb),
            P::LLVMIntULT => (Opcode::LtUI32, ra, rb),
            P::LLVMIntSLE => (Opcode::LeSI32, ra, rb),
            P::LLVMIntULE => (Opcode::LeUI32, ra, rb),
            P::LLVMIntSGT => (Opcode::LtSI32, rb, ra),
            P::LLVMIntUGT => (Opcode::LtUI32, rb, ra),
            P::LLVMIntSGE => (Opcode::LeSI32, rb, ra),
            P::LLVMIntUGE => (Opcode::LeUI32, rb, ra),
        };
        Ok(Cond::Reg { op, a: x, b: y, wide })
    }

    fn lower_fcmp(&mut self, inst: Val) -> Result<()> {
        let (a, b) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let p = inst.fcmp_predicate();
        let d = self.def(inst);
        self.zclean.insert(inst);
        if p == 0 || p == 15 {
            self.materialise_into(d, Const::Int((p == 15) as i64), false);
            return Ok(());
        }
        let op = match float_kind(a) {
            Some(true) => Opcode::CmpF64,
            Some(false) => Opcode::CmpF32,
            None => return self.unsupported(format!("fcmp on `{}`", a.ty().describe())),
        };
        let (ra, rb) = (self.use_val(a)?, self.use_val(b)?);
        self.emit(op, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Reg(rb), MOp::Imm(p as i64)]);
        Ok(())
    }

    // ---------- floating point ----------

    fn lower_fbinop(&mut self, inst: Val, op: Op) -> Result<()> {
        let Some(f64_) = float_kind(inst) else {
            return self.unsupported(format!("floating-point type `{}`", inst.ty().describe()));
        };
        let (a, b) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let (ra, rb) = (self.use_val(a)?, self.use_val(b)?);
        let d = self.def(inst);
        self.emit_fbinop(op, f64_, d, ra, rb);
        Ok(())
    }

    /// `d = a op b` for `fadd`/`fsub`/`fmul`/`fdiv`/`frem` (scalars and
    /// vector lanes alike).
    pub fn emit_fbinop(&mut self, op: Op, f64_: bool, d: VReg, a: VReg, b: VReg) {
        let o = match (op, f64_) {
            (Op::LLVMFAdd, false) => Opcode::AddF32,
            (Op::LLVMFSub, false) => Opcode::SubF32,
            (Op::LLVMFMul, false) => Opcode::MulF32,
            (Op::LLVMFDiv, false) => Opcode::DivF32,
            (Op::LLVMFAdd, true) => Opcode::AddF64,
            (Op::LLVMFSub, true) => Opcode::SubF64,
            (Op::LLVMFMul, true) => Opcode::MulF64,
            (Op::LLVMFDiv, true) => Opcode::DivF64,
            _ => {
                let k = if f64_ { FBinary::RemF64 } else { FBinary::RemF32 };
                self.emit(Opcode::FBinary, vec![MOp::Reg(d), MOp::Reg(a), MOp::Reg(b), MOp::Imm(k as i64)]);
                return;
            }
        };
        self.emit(o, vec![MOp::Reg(d), MOp::Reg(a), MOp::Reg(b)]);
    }

    fn lower_fp_cast(&mut self, inst: Val, op: Op) -> Result<()> {
        let s = self.operand(inst, 0)?;
        let (from_f, to_f) = (float_kind(s), float_kind(inst));
        let (sw, dw) = (Self::width(s), Self::width(inst));
        let k = match (op, from_f, to_f) {
            (Op::LLVMFPExt, Some(false), Some(true)) => Conv::F32ToF64,
            (Op::LLVMFPTrunc, Some(true), Some(false)) => Conv::F64ToF32,
            (Op::LLVMFPExt | Op::LLVMFPTrunc, Some(a), Some(b)) if a == b => {
                let r = self.use_val(s)?;
                self.alias(inst, r);
                return Ok(());
            }
            (Op::LLVMSIToFP, None, Some(d)) => match (sw > 32, d) {
                (false, false) => Conv::I32SToF32,
                (true, false) => Conv::I64SToF32,
                (false, true) => Conv::I32SToF64,
                (true, true) => Conv::I64SToF64,
            },
            (Op::LLVMUIToFP, None, Some(d)) => match (sw > 32, d) {
                (false, false) => Conv::I32UToF32,
                (true, false) => Conv::I64UToF32,
                (false, true) => Conv::I32UToF64,
                (true, true) => Conv::I64UToF64,
            },
            (Op::LLVMFPToSI, Some(f), None) => match (f, dw > 32) {
                (false, false) => Conv::F32ToI32S,
                (false, true) => Conv::F32ToI64S,
                (true, false) => Conv::F64ToI32S,
                (true, true) => Conv::F64ToI64S,
            },
            (Op::LLVMFPToUI, Some(f), None) => match (f, dw > 32) {
                (false, false) => Conv::F32ToI32U,
                (false, true) => Conv::F32ToI64U,
                (true, false) => Conv::F64ToI32U,
                (true, true) => Conv::F64ToI64U,
            },
            _ => {
                return self.unsupported(format!(
                    "conversion from `{}` to `{}`",
                    s.ty().describe(),
                    inst.ty().describe()
                ));
            }
        };
        let r = match op {
            Op::LLVMSIToFP => self.norm(s, true)?,
            Op::LLVMUIToFP => self.norm(s, false)?,
            _ => self.use_val(s)?,
        };
        let d = self.def(inst);
        self.emit(Opcode::Convert, vec![MOp::Reg(d), MOp::Reg(r), MOp::Imm(k as i64)]);
        Ok(())
    }

    // ---------- casts ----------

    fn lower_int_cast(&mut self, inst: Val, op: Op) -> Result<()> {
        let s = self.operand(inst, 0)?;
        let (sw, dw) = (Self::width(s), Self::width(inst));
        let r = self.use_val(s)?;
        let emit_to = |me: &mut Self, o: Opcode, src: VReg| {
            let d = me.def(inst);
            me.emit(o, vec![MOp::Reg(d), MOp::Reg(src)]);
        };
        match op {
            Op::LLVMTrunc => {
                if dw == 1 {
                    let d = self.def(inst);
                    self.emit(Opcode::AndImmI32, vec![MOp::Reg(d), MOp::Reg(r), MOp::Imm(1)]);
                } else if sw > 32 && dw <= 32 {
                    emit_to(self, Opcode::WrapI64I32, r);
                } else {
                    self.alias(inst, r);
                }
            }
            Op::LLVMZExt => {
                let clean = if Self::is_odd_width(sw) { self.norm(s, false)? } else { r };
                self.zclean.insert(inst);
                if dw > 32 && sw == 32 {
                    emit_to(self, Opcode::ZextI32I64, clean);
                } else {
                    self.alias(inst, clean);
                }
            }
            Op::LLVMSExt => {
                self.sclean.insert(inst);
                match (sw, dw > 32) {
                    (1, false) => {
                        let d = self.def(inst);
                        self.emit(Opcode::SubFromImmI32, vec![MOp::Reg(d), MOp::Reg(r), MOp::Imm(0)]);
                    }
                    (1, true) => {
                        let t = self.emit_imm(Opcode::SubFromImmI32, r, 0);
                        emit_to(self, Opcode::SextI32I64, t);
                    }
                    (8, true) => emit_to(self, Opcode::Sext8I64, r),
                    (16, true) => emit_to(self, Opcode::Sext16I64, r),
                    (32, true) => emit_to(self, Opcode::SextI32I64, r),
                    (33.., _) => {
                        let t = self.norm(s, true)?;
                        self.alias(inst, t);
                    }
                    (_, true) => {
                        let t = self.norm(s, true)?;
                        emit_to(self, Opcode::SextI32I64, t);
                    }
                    (_, false) => {
                        let t = self.norm(s, true)?;
                        self.alias(inst, t);
                    }
                }
            }
            Op::LLVMPtrToInt | Op::LLVMPtrToAddr | Op::LLVMIntToPtr => {
                if dw > 32 && sw <= 32 {
                    emit_to(self, Opcode::ZextI32I64, r);
                } else if sw > 32 && dw <= 32 {
                    emit_to(self, Opcode::WrapI64I32, r);
                } else if dw < 32 && sw >= 32 {
                    self.alias(inst, r);
                } else {
                    let t = if sw < 32 { self.norm(s, false)? } else { r };
                    self.alias(inst, t);
                }
            }
            _ => {
                // bitcast, addrspacecast, freeze: same bits.
                if self.zclean.contains(&s) {
                    self.zclean.insert(inst);
                }
                self.alias(inst, r);
            }
        }
        Ok(())
    }

    // ---------- memory ----------

    fn lower_alloca(&mut self, inst: Val) -> Result<()> {
        if self.allocas.contains_key(&inst) {
            return Ok(());
        }
        if let Some(&(off, align)) = self.overaligned.get(&inst) {
            let r = self.aligned_stack_addr(off, align);
            self.alias(inst, r);
            return Ok(());
        }
        let count = self.operand(inst, 0)?;
        let esize = self.info.layout.alloc_size(inst.allocated_type()) as i64;
        let n = self.norm(count, false)?;
        let size = if esize == 1 {
            n
        } else if esize > 0 && esize.count_ones() == 1 {
            self.emit_imm(Opcode::ShlImmI32, n, esize.trailing_zeros() as i64)
        } else {
            self.emit_imm(Opcode::MulImmI32, n, esize as i32 as i64)
        };
        // `alloca` aligns up to 128 (its operand is a byte); beyond that the
        // block gets the extra room and its address is rounded up.
        let align = inst.alignment().max(1);
        if align > MAX_ALLOCA_ALIGN {
            let padded = self.emit_imm(Opcode::AddImmI32, size, i64::from(align - MAX_ALLOCA_ALIGN));
            let p = self.new_vreg();
            self.emit(Opcode::Alloca, vec![MOp::Reg(p), MOp::Reg(padded), MOp::Imm(i64::from(MAX_ALLOCA_ALIGN))]);
            let r = self.align_up(p, align);
            self.alias(inst, r);
            return Ok(());
        }
        let d = self.def(inst);
        self.emit(Opcode::Alloca, vec![MOp::Reg(d), MOp::Reg(size), MOp::Imm(align as i64)]);
        Ok(())
    }

    fn lower_load(&mut self, inst: Val) -> Result<()> {
        let ptr = self.operand(inst, 0)?;
        let ty = inst.ty();
        let w = Self::width(inst);
        let signed_user = Self::is_odd_width(w) && {
            let u = inst.users();
            u.len() == 1 && is_inst(u[0], Op::LLVMSExt)
        };
        if ty.kind() == TypeKind::LLVMIntegerTypeKind
            && let Some(n) = split_size(w)
        {
            return self.lower_load_split(inst, ptr, n, signed_user);
        }
        // (plain op, indexed op and the index scales it takes)
        let (op, idx, scales): (Opcode, Opcode, &[i64]) = match (ty.kind(), w) {
            (TypeKind::LLVMIntegerTypeKind, 1..=8) if signed_user => (Opcode::LoadI8S, Opcode::LoadI8SIdx, &[1]),
            (TypeKind::LLVMIntegerTypeKind, 1..=8) => (Opcode::LoadI8U, Opcode::LoadI8UIdx, &[1]),
            (TypeKind::LLVMIntegerTypeKind, 9..=16) if signed_user => (Opcode::LoadI16S, Opcode::LoadI16SIdx, &[2]),
            (TypeKind::LLVMIntegerTypeKind, 9..=16) => (Opcode::LoadI16U, Opcode::LoadI16UIdx, &[2]),
            (TypeKind::LLVMIntegerTypeKind, 17..=32)
            | (TypeKind::LLVMPointerTypeKind, _)
            | (TypeKind::LLVMFloatTypeKind, _) => (Opcode::LoadI32, Opcode::LoadIdxI32, &[1, 2, 4, 8]),
            // i57..i63 have a store size of 8 bytes.
            (TypeKind::LLVMIntegerTypeKind, 57..=64) | (TypeKind::LLVMDoubleTypeKind, _) => {
                (Opcode::LoadI64, Opcode::LoadIdxI64, &[1, 2, 4, 8])
            }
            _ => return self.unsupported(format!("load of `{}`", ty.describe())),
        };
        if w < 32 && w > 0 {
            if signed_user {
                self.sclean.insert(inst);
            } else {
                self.zclean.insert(inst);
            }
        }
        let addr = self.address(ptr, scales)?;
        let d = self.def(inst);
        match addr {
            Addr::Off(a, off) => self.emit(op, vec![MOp::Reg(d), MOp::Reg(a), MOp::Imm(off as i64)]),
            Addr::Idx(a, i, sh) if matches!(idx, Opcode::LoadIdxI32 | Opcode::LoadIdxI64) => {
                self.emit(idx, vec![MOp::Reg(d), MOp::Reg(a), MOp::Reg(i), MOp::Imm(sh as i64)])
            }
            // The narrow indexed forms have their scale built in.
            Addr::Idx(a, i, _) => self.emit(idx, vec![MOp::Reg(d), MOp::Reg(a), MOp::Reg(i)]),
        }
        Ok(())
    }

    fn lower_store(&mut self, inst: Val) -> Result<()> {
        let (v, ptr) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let ty = v.ty();
        let w = Self::width(v);
        if ty.kind() == TypeKind::LLVMIntegerTypeKind
            && let Some(n) = split_size(w)
        {
            return self.lower_store_split(v, ptr, n);
        }
        let (op, idx, scales): (Opcode, Opcode, &[i64]) = match (ty.kind(), w) {
            (TypeKind::LLVMIntegerTypeKind, 1..=8) => (Opcode::StoreI8, Opcode::StoreI8Idx, &[1]),
            (TypeKind::LLVMIntegerTypeKind, 9..=16) => (Opcode::StoreI16, Opcode::StoreI16Idx, &[2]),
            (TypeKind::LLVMIntegerTypeKind, 17..=32)
            | (TypeKind::LLVMPointerTypeKind, _)
            | (TypeKind::LLVMFloatTypeKind, _) => (Opcode::StoreI32, Opcode::StoreIdxI32, &[1, 2, 4, 8]),
            (TypeKind::LLVMIntegerTypeKind, 57..=64) | (TypeKind::LLVMDoubleTypeKind, _) => {
                (Opcode::StoreI64, Opcode::StoreIdxI64, &[1, 2, 4, 8])
            }
            _ => return self.unsupported(format!("store of `{}`", ty.describe())),
        };
        let s = self.store_value(v)?;
        match self.address(ptr, scales)? {
            Addr::Off(a, off) => self.emit(op, vec![MOp::Reg(s), MOp::Reg(a), MOp::Imm(off as i64)]),
            Addr::Idx(a, i, sh) if matches!(idx, Opcode::StoreIdxI32 | Opcode::StoreIdxI64) => {
                self.emit(idx, vec![MOp::Reg(s), MOp::Reg(a), MOp::Reg(i), MOp::Imm(sh as i64)])
            }
            Addr::Idx(a, i, _) => self.emit(idx, vec![MOp::Reg(s), MOp::Reg(a), MOp::Reg(i)]),
        }
        Ok(())
    }

    /// The register a store writes for `v`: an integer with spare bits in
    /// its top byte is zero-extended first, as LLVM's own targets store it,
    /// so the bytes in memory do not depend on register garbage.
    fn store_value(&mut self, v: Val) -> Result<VReg> {
        let w = Self::width(v);
        if v.ty().kind() == TypeKind::LLVMIntegerTypeKind && !w.is_multiple_of(8) {
            self.norm(v, false)
        } else {
            self.use_val(v)
        }
    }

    /// The address of an `n`-byte access as `base + off`, with the last
    /// byte's offset still an `i16`.
    fn address_span(&mut self, ptr: Val, n: u32) -> Result<(VReg, i16)> {
        let Addr::Off(a, off) = self.address(ptr, &[])? else {
            return self.internal("indexed address without index scales");
        };
        Ok(match off.checked_add(n as i16 - 1) {
            Some(_) => (a, off),
            None => (self.add_const(a, off as i64), 0),
        })
    }

    /// A load of an integer whose store size (3, 5, 6 or 7 bytes) has no
    /// single load, little-endian piece by piece. The top piece is sign-
    /// extended when the only user is a `sext` (the value is then clean
    /// for it), zero-extended otherwise. A width with spare bits in the
    /// top byte (i33, i47 ...) leaves them unspecified, so it is not clean.
    fn lower_load_split(&mut self, inst: Val, ptr: Val, n: u32, signed: bool) -> Result<()> {
        let exact = Self::width(inst) == 8 * n;
        let signed = signed && exact;
        let (a, off) = self.address_span(ptr, n)?;
        let (shl, or) = if n > 4 { (Opcode::ShlImmI64, Opcode::OrI64) } else { (Opcode::ShlImmI32, Opcode::OrI32) };
        let ps = pieces(n);
        let mut acc = None;
        for (i, &(o, size)) in ps.iter().enumerate() {
            let top_signed = signed && i + 1 == ps.len();
            let op = match (size, top_signed) {
                (1, false) => Opcode::LoadI8U,
                (1, true) => Opcode::LoadI8S,
                (2, false) => Opcode::LoadI16U,
                (2, true) => Opcode::LoadI16S,
                _ => Opcode::LoadI32,
            };
            let mut p = self.emit_imm(op, a, off as i64 + o);
            if o > 0 {
                p = self.emit_imm(shl, p, 8 * o);
            }
            acc = Some(match acc {
                None => p,
                Some(x) if i + 1 == ps.len() => {
                    let d = self.def(inst);
                    self.emit(or, vec![MOp::Reg(d), MOp::Reg(x), MOp::Reg(p)]);
                    d
                }
                Some(x) => self.emit3(or, x, p),
            });
        }
        if exact {
            let clean = if signed { &mut self.sclean } else { &mut self.zclean };
            clean.insert(inst);
        }
        Ok(())
    }

    /// A store of an integer whose store size has no single store: each
    /// piece of `pieces`, so the bytes after the value are left alone.
    fn lower_store_split(&mut self, v: Val, ptr: Val, n: u32) -> Result<()> {
        let s = self.store_value(v)?;
        let (a, off) = self.address_span(ptr, n)?;
        let shr = if n > 4 { Opcode::ShrUImmI64 } else { Opcode::ShrUImmI32 };
        for &(o, size) in pieces(n) {
            let p = if o == 0 { s } else { self.emit_imm(shr, s, 8 * o) };
            let op = match size {
                1 => Opcode::StoreI8,
                2 => Opcode::StoreI16,
                _ => Opcode::StoreI32,
            };
            self.emit(op, vec![MOp::Reg(p), MOp::Reg(a), MOp::Imm(off as i64 + o)]);
        }
        Ok(())
    }

    /// Splits a pointer into a base value, a constant offset and scaled
    /// indices, looking through folded and constant GEPs.
    fn decompose(&mut self, ptr: Val, mut off: i64, mut terms: Vec<(Val, i64)>) -> Result<Decomposed> {
        let mut cur = ptr;
        loop {
            let is_gep = cur.opcode() == Some(Op::LLVMGetElementPtr)
                && (cur.kind() == ValKind::ConstExpr || self.folded.contains(&cur));
            if is_gep {
                let parts = gep_parts(cur, &self.info.layout).or_else(|e| match e {
                    super::consts::ConstError::Unsupported(m) => self.unsupported(m),
                    super::consts::ConstError::ExternalVar(m) => self.unsupported(format!("external variable {m}")),
                })?;
                off = off.wrapping_add(parts.offset);
                terms.extend(parts.terms);
                cur = parts.base;
                continue;
            }
            if cur.kind() == ValKind::ConstExpr
                && matches!(cur.opcode(), Some(Op::LLVMBitCast | Op::LLVMAddrSpaceCast))
                && let Some(o) = cur.operand(0)
            {
                cur = o;
                continue;
            }
            return Ok((cur, off, terms));
        }
    }

    /// One scaled index as a register.
    fn scaled(&mut self, idx: Val, scale: i64) -> Result<VReg> {
        let r = self.norm(idx, true)?;
        Ok(if scale == 1 {
            r
        } else if scale > 0 && scale.count_ones() == 1 {
            self.emit_imm(Opcode::ShlImmI32, r, scale.trailing_zeros() as i64)
        } else if fits_i32(scale) {
            self.emit_imm(Opcode::MulImmI32, r, scale)
        } else {
            return self.unsupported("getelementptr scale beyond 32 bits");
        })
    }

    /// `base + terms` in one register.
    fn sum(&mut self, base: Val, terms: &[(Val, i64)]) -> Result<VReg> {
        let mut r = self.use_val(base)?;
        for &(idx, scale) in terms {
            let s = self.scaled(idx, scale)?;
            r = self.emit3(Opcode::AddI32, r, s);
        }
        Ok(r)
    }

    fn add_const(&mut self, r: VReg, off: i64) -> VReg {
        let off = off as i32 as i64;
        match off {
            0 => r,
            x if fits_i8(x) => self.emit_imm(Opcode::AddImm8I32, r, x),
            x => self.emit_imm(Opcode::AddImmI32, r, x),
        }
    }

    /// The memory operand for an access to `ptr`.
    /// `scales`: the index scales the access has an indexed form for.
    pub fn address(&mut self, ptr: Val, scales: &[i64]) -> Result<Addr> {
        let (base, off, terms) = self.decompose(ptr, 0, Vec::new())?;
        let off32 = off as i32 as i64;
        if off32 == 0 && terms.len() == 1 && scales.contains(&terms[0].1) {
            let b = self.use_val(base)?;
            let i = self.norm(terms[0].0, true)?;
            return Ok(Addr::Idx(b, i, terms[0].1.trailing_zeros() as u8));
        }
        let r = self.sum(base, &terms)?;
        match i16::try_from(off32) {
            Ok(o) => Ok(Addr::Off(r, o)),
            Err(_) => Ok(Addr::Off(self.add_const(r, off32), 0)),
        }
    }

    fn lower_gep_value(&mut self, inst: Val) -> Result<()> {
        let parts = gep_parts(inst, &self.info.layout).or_else(|e| match e {
            super::consts::ConstError::Unsupported(m) => self.unsupported(m),
            super::consts::ConstError::ExternalVar(m) => self.unsupported(format!("external variable {m}")),
        })?;
        let (base, off, terms) = self.decompose(parts.base, parts.offset, parts.terms)?;
        if terms.is_empty()
            && let Some(c) = self.eval_const(base)?
        {
            let c = match c {
                Const::Int(x) => Const::Int(x.wrapping_add(off) as i32 as i64),
                Const::Addr { kind, target, addend } => Const::Addr { kind, target, addend: addend.wrapping_add(off) },
            };
            let r = self.materialise(c, false);
            self.alias(inst, r);
            return Ok(());
        }
        let r = self.sum(base, &terms)?;
        let r = self.add_const(r, off);
        self.alias(inst, r);
        Ok(())
    }

    // ---------- calls ----------

    /// The call site's signature: for variadic callees, every actual
    /// argument's type with the fixed count.
    fn site_type(&self, inst: Val, args: &[Val]) -> Result<FuncType> {
        let fty = inst.called_fn_type();
        let mut ft = match func_type(fty) {
            Ok(ft) => ft,
            Err(t) => return self.unsupported(format!("call with {}", super::types::describe_unsupported(t))),
        };
        if fty.is_vararg() {
            ft.params.clear();
            if super::f128::returns_f128(fty) {
                ft.params.push(espb_runtime::ValType::I32);
            }
            for a in args {
                if super::f128::is_f128(a.ty()) {
                    // The address of a copy.
                    ft.params.push(espb_runtime::ValType::I32);
                    continue;
                }
                if let Some(leaves) = super::types::leaf_types(a.ty()) {
                    ft.params.extend(leaves.into_iter().filter_map(val_type));
                    continue;
                }
                match val_type(a.ty()) {
                    Some(t) => ft.params.push(t),
                    None => {
                        return self.unsupported(format!(
                            "variadic argument of {}",
                            super::types::describe_unsupported(a.ty())
                        ));
                    }
                }
            }
        }
        Ok(ft)
    }

    fn lower_call(&mut self, inst: Val) -> Result<()> {
        let Some(callee) = inst.called_value() else { return self.internal("call without callee") };
        self.f128_call_start();
        if callee.kind() == ValKind::InlineAsm {
            return self.lower_empty_asm(inst, callee);
        }
        let callee = match callee.kind() {
            ValKind::GlobalAlias => callee.aliasee().unwrap_or(callee),
            _ => callee,
        };
        if callee.kind() == ValKind::Function && callee.name().starts_with("llvm.") {
            return self.lower_intrinsic(inst, &callee.name());
        }
        if let Some(name) = super::atomics::expands(callee) {
            return self.lower_atomic_libcall(inst, &name);
        }
        if let Some(op) = super::complex::expands(callee) {
            return self.lower_complex_call(inst, op);
        }
        let rt = inst.ty();
        let agg_ret = super::types::is_split(rt);
        let f128_ret = super::f128::is_f128(rt);
        let returnable = rt.is_void()
            || val_type(rt).is_some()
            || f128_ret
            || (agg_ret && super::types::agg_return_type(rt).is_some());
        if !returnable {
            return self.unsupported(format!("call returning {}", super::types::describe_unsupported(rt)));
        }
        let n = inst.num_arg_operands();
        let args: Vec<Val> = (0..n).map(|i| self.operand(inst, i)).collect::<Result<_>>()?;
        let native_direct = callee.kind() == ValKind::Function && !self.info.funcs.contains_key(&callee);
        let module_direct = callee.kind() == ValKind::Function && self.info.funcs.contains_key(&callee);
        if !module_direct && (rt.is_vector() || inst.called_fn_type().param_types().iter().any(|p| p.is_vector())) {
            return self.unsupported(
                "vector argument or result of a call of a native or through a function pointer (pass a pointer)",
            );
        }
        if agg_ret
            && !module_direct
            && super::types::leaf_types(rt).is_some_and(|l| l.iter().any(|t| !t.is_int() && !t.is_ptr()))
        {
            // ilp32f returns such structs in float registers.
            return self.unsupported(format!(
                "call of a native or function pointer returning `{}` (floats in a returned struct)",
                rt.describe()
            ));
        }
        let mut byval_words: Vec<Option<Vec<VReg>>> = vec![None; args.len()];
        let mut byval_copies: Vec<Option<VReg>> = vec![None; args.len()];
        for i in 0..n {
            if inst.has_attr(i + 1, "byval", true) {
                if module_direct {
                    byval_copies[i as usize] = Some(self.byval_copy(inst, i, args[i as usize])?);
                    continue;
                }
                // Through a pointer the callee is a native: a module function
                // with a byval parameter whose address is taken is refused
                // (lower.rs), so the words a native gets are right there too.
                match self.byval_native_words(inst, i, args[i as usize])? {
                    Some(w) => byval_words[i as usize] = Some(w),
                    None if native_direct => {
                        return self.unsupported("by-value aggregate argument (byval) of a native call");
                    }
                    None => {
                        return self.unsupported(
                            "by-value aggregate argument (byval) through a function pointer (only a va_list is \
                             passed so; pass a pointer)",
                        );
                    }
                }
            }
        }
        if n > 255 {
            return self.unsupported("call with more than 255 arguments");
        }
        let mut ft = self.site_type(inst, &args)?;
        if byval_words.iter().any(Option::is_some) {
            ft = expand_byval_params(&ft, &byval_words);
        }
        let module_fn = (callee.kind() == ValKind::Function).then(|| self.info.funcs.get(&callee).copied()).flatten();
        // An fp128 result comes back through a slot whose address is the
        // first argument.
        self.f128_call_ret = self.f128_ret_slot(inst)?;
        if let Some(f) = module_fn
            && callee.global_value_type().is_vararg()
        {
            self.lower_variadic_module_call(inst, callee, f, &args)?;
            if let Some(slot) = self.f128_call_ret.take() {
                self.f128_take_ret(inst, slot);
            }
            return Ok(());
        }
        let native = module_fn.is_none();
        let mut regs = Vec::with_capacity(args.len() + 1);
        regs.extend(self.f128_call_ret);
        for (i, &a) in args.iter().enumerate() {
            if let Some(words) = &byval_words[i] {
                regs.extend_from_slice(words);
                continue;
            }
            if let Some(copy) = byval_copies[i] {
                regs.push(copy);
                continue;
            }
            if super::types::is_split(a.ty()) {
                regs.extend(self.agg_arg(a)?);
                continue;
            }
            let w = Self::width(a);
            // Natives expect narrow arguments extended as the ABI says.
            let r = if native && w > 0 && w < 32 {
                let sext = inst.has_attr(i as u32 + 1, "signext", true)
                    || (callee.kind() == ValKind::Function && callee.has_attr(i as u32 + 1, "signext", false));
                self.norm(a, sext)?
            } else {
                self.use_val(a)?
            };
            regs.push(r);
        }
        let d = if rt.is_void() || agg_ret || f128_ret { self.new_vreg() } else { self.def(inst) };
        self.emit_call(inst, callee, module_fn, &args, &ft, regs, d)?;
        if agg_ret {
            self.unpack_return(inst, d)?;
        }
        if let Some(slot) = self.f128_call_ret.take() {
            self.f128_take_ret(inst, slot);
        }
        Ok(())
    }

    /// An empty inline-assembly template is what portable C uses as a
    /// compiler barrier (`asm volatile("" ::: "memory")`: no code, the
    /// VM does not reorder memory accesses) or to hide a value from the
    /// optimiser (`asm("" : "+r"(x))`: the identity). Anything else is
    /// refused.
    fn lower_empty_asm(&mut self, inst: Val, callee: Val) -> Result<()> {
        let (asm, constraints) = callee.inline_asm();
        if !asm.trim().is_empty() {
            return self.unsupported("inline assembly");
        }
        let outputs = constraints.split(',').filter(|c| c.starts_with('=')).count();
        let n = inst.num_arg_operands();
        if inst.ty().is_void() && outputs == 0 {
            return Ok(());
        }
        // One output tied to the one input ("=r,0"): the value goes through.
        let tied = constraints.split(',').nth(1).is_some_and(|c| c.trim() == "0");
        if outputs == 1 && n == 1 && tied && val_type(inst.ty()).is_some() {
            let r = self.use_val(self.operand(inst, 0)?)?;
            self.alias(inst, r);
            return Ok(());
        }
        self.unsupported("inline assembly")
    }

    /// Copies a `byval` argument of a module call into a frame slot of the
    /// caller (the callee owns its copy); returns the slot's address.
    fn byval_copy(&mut self, inst: Val, i: u32, arg: Val) -> Result<VReg> {
        let Some(ty) = inst.call_byval_type(i + 1) else { return self.internal("byval without a type") };
        let size = self.info.layout.alloc_size(ty);
        let align = inst.call_param_align(i + 1).unwrap_or(0).max(self.info.layout.abi_align(ty)).max(4);
        let pad = align.saturating_sub(FRAME_ALIGN);
        let Ok(size32) = u32::try_from(size + u64::from(pad)) else {
            return self.unsupported("by-value aggregate over 4 GiB");
        };
        let at = self.frame_slot(size32, align.min(FRAME_ALIGN))?;
        let d = if pad > 0 {
            self.aligned_stack_addr(at, align)
        } else {
            let d = self.new_vreg();
            self.emit(Opcode::StackAddr, vec![MOp::Reg(d), MOp::Imm(at as i64)]);
            d
        };
        let s = self.use_val(arg)?;
        let n = self.materialise(Const::Int(size as i64), false);
        self.emit(Opcode::MemCpy, vec![MOp::Reg(d), MOp::Reg(s), MOp::Reg(n)]);
        Ok(d)
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_call(
        &mut self,
        inst: Val,
        callee: Val,
        module_fn: Option<u16>,
        args: &[Val],
        ft: &FuncType,
        regs: Vec<VReg>,
        d: VReg,
    ) -> Result<()> {
        if let Some(f) = module_fn {
            let callee_params = func_type(callee.global_value_type()).map_or(usize::MAX, |t| t.params.len());
            if callee_params != regs.len() {
                return self.unsupported("call with an argument count different from the callee's definition");
            }
            self.emit(Opcode::Call, vec![MOp::Imm(f as i64), MOp::Reg(d), MOp::Args(regs)]);
        } else if callee.kind() == ValKind::Function {
            let Some(Const::Addr { target: imp, .. }) = self.eval_const(callee)? else {
                return self.internal("import without index");
            };
            // A module function passed to a native is a callback: note which
            // declared argument carries it (variadic ones have no index in
            // the import's signature).
            let declared = callee.global_value_type().param_types().len();
            for (i, &a) in args.iter().enumerate().take(declared) {
                if let Ok(Some(Const::Addr { kind: AddrKind::Func, addend: 0, .. })) = self.eval_const(a)
                    && let Ok(import) = u16::try_from(imp)
                {
                    self.tables.note_callback_arg(import, i as u32);
                }
            }
            let ty = self.tables.type_index(ft);
            self.emit(
                Opcode::CallImport,
                vec![MOp::Imm(imp as i64), MOp::Imm(ty as i64), MOp::Reg(d), MOp::Args(regs)],
            );
        } else {
            let p = self.use_val(callee)?;
            let ty = self.tables.type_index(ft);
            if let (cands, Some(mft)) = self.variadic_candidates(inst)?
                && !cands.is_empty()
            {
                return self.lower_variadic_indirect(inst, p, args, regs, ty, d, &cands, &mft);
            }
            self.emit(Opcode::CallIndirect, vec![MOp::Reg(p), MOp::Imm(ty as i64), MOp::Reg(d), MOp::Args(regs)]);
        }
        Ok(())
    }
}

/// The store size of an integer of width `w` when no single load or store
/// has it: i17..i24 take 3 bytes, i33..i56 5 to 7 (LLVM's store size is
/// the width rounded up to bytes; a wider access would touch the next).
fn split_size(w: u32) -> Option<u32> {
    match w {
        17..=24 | 33..=56 => Some(w.div_ceil(8)),
        _ => None,
    }
}

/// The (byte offset, size) pieces of an `n`-byte access, low bytes first.
fn pieces(n: u32) -> &'static [(i64, u32)] {
    match n {
        3 => &[(0, 2), (2, 1)],
        5 => &[(0, 4), (4, 1)],
        6 => &[(0, 4), (4, 2)],
        _ => &[(0, 4), (4, 2), (6, 1)],
    }
}

fn swap_pred(p: P) -> P {
    match p {
        P::LLVMIntSGT => P::LLVMIntSLT,
        P::LLVMIntSLT => P::LLVMIntSGT,
        P::LLVMIntSGE => P::LLVMIntSLE,
        P::LLVMIntSLE => P::LLVMIntSGE,
        P::LLVMIntUGT => P::LLVMIntULT,
        P::LLVMIntULT => P::LLVMIntUGT,
        P::LLVMIntUGE => P::LLVMIntULE,
        P::LLVMIntULE => P::LLVMIntUGE,
        other => other,
    }
}

/// `ft` with each by-value argument replaced by the words it is passed as
/// (`byval_words[i]`), the variadic split moved accordingly.
fn expand_byval_params(ft: &FuncType, byval_words: &[Option<Vec<VReg>>]) -> FuncType {
    let mut params = Vec::with_capacity(ft.params.len() + 2);
    let mut fixed = ft.variadic_fixed;
    for (i, &p) in ft.params.iter().enumerate() {
        match byval_words.get(i).and_then(Option::as_ref) {
            Some(words) => {
                params.extend(std::iter::repeat_n(espb_runtime::ValType::I32, words.len()));
                if let Some(k) = fixed.as_mut()
                    && i < usize::from(*k)
                {
                    *k = k.saturating_add(words.len().saturating_sub(1) as u8);
                }
            }
            None => params.push(p),
        }
    }
    FuncType { params, result: ft.result, variadic_fixed: fixed }
}
