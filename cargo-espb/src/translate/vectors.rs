//! Vector types (GCC `vector_size`, clang `ext_vector_type`), scalarised:
//! a vector lives in one register per lane (`FuncLower::aggs`), and every
//! element-wise operation is its scalar form per lane, narrow lanes
//! normalised where their upper bits matter as for scalars. Bit casts that
//! change the lane shape go through a frame slot. Calls with vectors and
//! vector intrinsics other than the element-wise ones are refused by name.

use super::consts::Const;
use super::ir::{Op, Ty, TypeKind, Val, ValKind, i1_op, int_binop};
use super::lower::{FuncLower, Result};
use super::mir::{MOp, VReg};
use super::types::{is_wide, val_type};
use espb_runtime::isa::{Conv, FUnary, Opcode};
use inkwell::llvm_sys::LLVMIntPredicate as P;

/// Most lanes a vector may have.
const MAX_LANES: u32 = 64;

fn is_vec(v: Val) -> bool {
    v.ty().kind() == TypeKind::LLVMVectorTypeKind
}

/// Does instruction `inst` produce or read a (fixed) vector?
pub fn touches_vector(inst: Val) -> bool {
    is_vec(inst) || inst.operands().iter().any(|o| is_vec(*o))
}

/// Width of an integer or pointer lane type (0 for floats).
fn lane_width(t: Ty) -> u32 {
    match t.kind() {
        TypeKind::LLVMPointerTypeKind => 32,
        TypeKind::LLVMIntegerTypeKind => t.int_width(),
        _ => 0,
    }
}

/// (load, store) opcodes of a lane type kept in memory.
fn lane_mem_ops(t: Ty) -> Option<(Opcode, Opcode)> {
    Some(match (t.kind(), lane_width(t)) {
        (TypeKind::LLVMIntegerTypeKind, 8) => (Opcode::LoadI8U, Opcode::StoreI8),
        (TypeKind::LLVMIntegerTypeKind, 16) => (Opcode::LoadI16U, Opcode::StoreI16),
        (TypeKind::LLVMIntegerTypeKind, 32) | (TypeKind::LLVMPointerTypeKind, _) | (TypeKind::LLVMFloatTypeKind, _) => {
            (Opcode::LoadI32, Opcode::StoreI32)
        }
        (TypeKind::LLVMIntegerTypeKind, 64) | (TypeKind::LLVMDoubleTypeKind, _) => (Opcode::LoadI64, Opcode::StoreI64),
        _ => return None,
    })
}

impl FuncLower<'_> {
    fn vec_unsupported<T>(&self, what: impl std::fmt::Display) -> Result<T> {
        self.unsupported(format!("vector operation: {what}"))
    }

    /// (lane type, lane count) of a vector value, or of a scalar as one lane.
    fn shape(&self, v: Val) -> Result<(Ty, u32)> {
        let t = v.ty();
        if !is_vec(v) {
            return Ok((t, 1));
        }
        let (e, n) = (t.element(), t.vector_len());
        if val_type(e).is_none() || n > MAX_LANES {
            return self.vec_unsupported(format!("type `{}`", t.describe()));
        }
        Ok((e, n))
    }

    /// The lane registers of vector `v` (constants materialised).
    pub fn vec_val(&mut self, v: Val) -> Result<Vec<VReg>> {
        let (lt, n) = self.shape(v)?;
        match v.kind() {
            ValKind::Instruction | ValKind::Argument => Ok(self.agg_regs(v, n as usize)),
            _ if v.is_poison_or_undef() || v.kind() == ValKind::NullOrUndef => {
                let z = self.materialise(Const::Int(0), is_wide(lt));
                Ok(vec![z; n as usize])
            }
            ValKind::ConstAggregate => {
                let mut out = Vec::with_capacity(n as usize);
                for i in 0..n {
                    let Some(e) = v.aggregate_element(i) else { return self.vec_unsupported("constant") };
                    let c = if e.is_poison_or_undef() { Some(Const::Int(0)) } else { self.eval_const(e)? };
                    let Some(c) = c else { return self.vec_unsupported("constant") };
                    out.push(self.materialise(c, is_wide(lt)));
                }
                Ok(out)
            }
            _ => self.vec_unsupported(format!("constant expression of type `{}`", v.ty().describe())),
        }
    }

    /// `v` as lanes: a vector's, or a scalar as one.
    fn lanes_of(&mut self, v: Val) -> Result<Vec<VReg>> {
        if is_vec(v) { self.vec_val(v) } else { Ok(vec![self.use_val(v)?]) }
    }

    fn def_lanes(&mut self, inst: Val, lanes: &[VReg]) -> Result<()> {
        if !is_vec(inst) {
            let Some(&r) = lanes.first() else { return self.internal("no lanes") };
            self.alias(inst, r);
            return Ok(());
        }
        let out = self.agg_regs(inst, lanes.len());
        for (&d, &s) in out.iter().zip(lanes) {
            self.mov(d, s);
        }
        Ok(())
    }

    pub fn lower_vector(&mut self, inst: Val) -> Result<()> {
        let Some(op) = inst.opcode() else { return self.internal("instruction without opcode") };
        let lanes = match op {
            int_binop!() => {
                let (lt, _) = self.shape(inst)?;
                let a = self.vec_val(self.operand(inst, 0)?)?;
                let b = self.vec_val(self.operand(inst, 1)?)?;
                let mut out = Vec::with_capacity(a.len());
                for (&x, &y) in a.iter().zip(&b) {
                    out.push(self.lane_binop(op, lane_width(lt), x, y)?);
                }
                out
            }
            Op::LLVMFAdd | Op::LLVMFSub | Op::LLVMFMul | Op::LLVMFDiv | Op::LLVMFRem | Op::LLVMFNeg => {
                let (lt, _) = self.shape(inst)?;
                let f64_ = lt.kind() == TypeKind::LLVMDoubleTypeKind;
                let a = self.vec_val(self.operand(inst, 0)?)?;
                let b = if op == Op::LLVMFNeg { a.clone() } else { self.vec_val(self.operand(inst, 1)?)? };
                let mut out = Vec::with_capacity(a.len());
                for (&x, &y) in a.iter().zip(&b) {
                    let d = self.new_vreg();
                    if op == Op::LLVMFNeg {
                        let k = if f64_ { FUnary::NegF64 } else { FUnary::NegF32 };
                        self.emit(Opcode::FUnary, vec![MOp::Reg(d), MOp::Reg(x), MOp::Imm(k as i64)]);
                    } else {
                        self.emit_fbinop(op, f64_, d, x, y);
                    }
                    out.push(d);
                }
                out
            }
            Op::LLVMICmp => {
                let a0 = self.operand(inst, 0)?;
                let (lt, _) = self.shape(a0)?;
                let w = lane_width(lt);
                let a = self.vec_val(a0)?;
                let b = self.vec_val(self.operand(inst, 1)?)?;
                let pred = inst.icmp_predicate();
                let signed = matches!(pred, P::LLVMIntSGT | P::LLVMIntSGE | P::LLVMIntSLT | P::LLVMIntSLE);
                let wide = w > 32;
                let pick = |n: Opcode, x: Opcode| if wide { x } else { n };
                let (o, swap) = match pred {
                    P::LLVMIntEQ => (pick(Opcode::EqI32, Opcode::EqI64), false),
                    P::LLVMIntNE => (pick(Opcode::NeI32, Opcode::NeI64), false),
                    P::LLVMIntSLT => (pick(Opcode::LtSI32, Opcode::LtSI64), false),
                    P::LLVMIntULT => (pick(Opcode::LtUI32, Opcode::LtUI64), false),
                    P::LLVMIntSLE => (pick(Opcode::LeSI32, Opcode::LeSI64), false),
                    P::LLVMIntULE => (pick(Opcode::LeUI32, Opcode::LeUI64), false),
                    P::LLVMIntSGT => (pick(Opcode::LtSI32, Opcode::LtSI64), true),
                    P::LLVMIntUGT => (pick(Opcode::LtUI32, Opcode::LtUI64), true),
                    P::LLVMIntSGE => (pick(Opcode::LeSI32, Opcode::LeSI64), true),
                    P::LLVMIntUGE => (pick(Opcode::LeUI32, Opcode::LeUI64), true),
                };
                let mut out = Vec::with_capacity(a.len());
                for (&x, &y) in a.iter().zip(&b) {
                    let (x, y) = (self.norm_reg(x, w, signed), self.norm_reg(y, w, signed));
                    let (x, y) = if swap { (y, x) } else { (x, y) };
                    out.push(self.emit3(o, x, y));
                }
                out
            }
            Op::LLVMFCmp => {
                let a0 = self.operand(inst, 0)?;
                let (lt, _) = self.shape(a0)?;
                let a = self.vec_val(a0)?;
                let b = self.vec_val(self.operand(inst, 1)?)?;
                let p = inst.fcmp_predicate();
                let o = if lt.kind() == TypeKind::LLVMDoubleTypeKind { Opcode::CmpF64 } else { Opcode::CmpF32 };
                let mut out = Vec::with_capacity(a.len());
                for (&x, &y) in a.iter().zip(&b) {
                    let d = self.new_vreg();
                    if p == 0 || p == 15 {
                        self.materialise_into(d, Const::Int((p == 15) as i64), false);
                    } else {
                        self.emit(o, vec![MOp::Reg(d), MOp::Reg(x), MOp::Reg(y), MOp::Imm(p as i64)]);
                    }
                    out.push(d);
                }
                out
            }
            Op::LLVMSelect => {
                let c0 = self.operand(inst, 0)?;
                let a = self.vec_val(self.operand(inst, 1)?)?;
                let b = self.vec_val(self.operand(inst, 2)?)?;
                let c = if is_vec(c0) { self.vec_val(c0)? } else { vec![self.use_val(c0)?; a.len()] };
                let mut out = Vec::with_capacity(a.len());
                for ((&x, &y), &k) in a.iter().zip(&b).zip(&c) {
                    let d = self.new_vreg();
                    self.emit(Opcode::Select, vec![MOp::Reg(d), MOp::Reg(k), MOp::Reg(x), MOp::Reg(y)]);
                    out.push(d);
                }
                out
            }
            Op::LLVMExtractElement => {
                let v = self.vec_val(self.operand(inst, 0)?)?;
                let idx = self.operand(inst, 1)?;
                let r = match self.imm(idx) {
                    // An index past the end is poison: any lane will do.
                    Some(i) => v.get(i as usize).copied().unwrap_or(v[0]),
                    None => {
                        let i = self.lane_index(idx)?;
                        let mut r = v[0];
                        for (k, &lane) in v.iter().enumerate().skip(1) {
                            let e = self.emit_imm(Opcode::EqImmI32, i, k as i64);
                            let d = self.new_vreg();
                            self.emit(Opcode::Select, vec![MOp::Reg(d), MOp::Reg(e), MOp::Reg(lane), MOp::Reg(r)]);
                            r = d;
                        }
                        r
                    }
                };
                vec![r]
            }
            Op::LLVMInsertElement => {
                let mut v = self.vec_val(self.operand(inst, 0)?)?;
                let x = self.use_val(self.operand(inst, 1)?)?;
                let idx = self.operand(inst, 2)?;
                match self.imm(idx) {
                    Some(i) => {
                        if let Some(l) = v.get_mut(i as usize) {
                            *l = x;
                        }
                    }
                    None => {
                        let i = self.lane_index(idx)?;
                        for (k, lane) in v.iter_mut().enumerate() {
                            let e = self.emit_imm(Opcode::EqImmI32, i, k as i64);
                            let d = self.new_vreg();
                            self.emit(Opcode::Select, vec![MOp::Reg(d), MOp::Reg(e), MOp::Reg(x), MOp::Reg(*lane)]);
                            *lane = d;
                        }
                    }
                }
                v
            }
            Op::LLVMShuffleVector => {
                let a = self.vec_val(self.operand(inst, 0)?)?;
                let b = self.vec_val(self.operand(inst, 1)?)?;
                let mut out = Vec::with_capacity(inst.shuffle_len() as usize);
                for i in 0..inst.shuffle_len() {
                    let r = match inst.shuffle_mask(i).map(|m| m as usize) {
                        Some(m) if m < a.len() => a[m],
                        Some(m) => b.get(m - a.len()).copied().unwrap_or(a[0]),
                        None => a[0],
                    };
                    out.push(r);
                }
                out
            }
            Op::LLVMLoad => {
                let (lt, n) = self.shape(inst)?;
                let (a, off) = self.base_addr(self.operand(inst, 0)?, 512)?;
                self.load_lanes(lt, n, a, off)?
            }
            Op::LLVMStore => {
                let v = self.operand(inst, 0)?;
                let (lt, _) = self.shape(v)?;
                let lanes = self.vec_val(v)?;
                let (a, off) = self.base_addr(self.operand(inst, 1)?, 512)?;
                self.store_lanes(lt, &lanes, a, off)?;
                return Ok(());
            }
            Op::LLVMTrunc | Op::LLVMZExt | Op::LLVMSExt => {
                let s = self.operand(inst, 0)?;
                let ((st, _), (dt, _)) = (self.shape(s)?, self.shape(inst)?);
                let (sw, dw) = (lane_width(st), lane_width(dt));
                let src = self.vec_val(s)?;
                let mut out = Vec::with_capacity(src.len());
                for &x in &src {
                    let r = match op {
                        Op::LLVMTrunc if dw == 1 => self.emit_imm(Opcode::AndImmI32, x, 1),
                        Op::LLVMTrunc if sw > 32 && dw <= 32 => self.emit2(Opcode::WrapI64I32, x),
                        Op::LLVMTrunc => x,
                        _ => {
                            let signed = op == Op::LLVMSExt;
                            let n = self.norm_reg(x, sw, signed);
                            let n = if sw == 1 && signed { self.emit_imm(Opcode::SubFromImmI32, x, 0) } else { n };
                            if dw > 32 && sw <= 32 {
                                self.emit2(if signed { Opcode::SextI32I64 } else { Opcode::ZextI32I64 }, n)
                            } else {
                                n
                            }
                        }
                    };
                    out.push(r);
                }
                out
            }
            Op::LLVMFPExt | Op::LLVMFPTrunc | Op::LLVMSIToFP | Op::LLVMUIToFP | Op::LLVMFPToSI | Op::LLVMFPToUI => {
                let s = self.operand(inst, 0)?;
                let ((st, _), (dt, _)) = (self.shape(s)?, self.shape(inst)?);
                let f64_of = |t: Ty| t.kind() == TypeKind::LLVMDoubleTypeKind;
                let (sw, dw) = (lane_width(st), lane_width(dt));
                let k = match op {
                    Op::LLVMFPExt => Conv::F32ToF64,
                    Op::LLVMFPTrunc => Conv::F64ToF32,
                    Op::LLVMSIToFP => match (sw > 32, f64_of(dt)) {
                        (false, false) => Conv::I32SToF32,
                        (true, false) => Conv::I64SToF32,
                        (false, true) => Conv::I32SToF64,
                        (true, true) => Conv::I64SToF64,
                    },
                    Op::LLVMUIToFP => match (sw > 32, f64_of(dt)) {
                        (false, false) => Conv::I32UToF32,
                        (true, false) => Conv::I64UToF32,
                        (false, true) => Conv::I32UToF64,
                        (true, true) => Conv::I64UToF64,
                    },
                    Op::LLVMFPToSI => match (f64_of(st), dw > 32) {
                        (false, false) => Conv::F32ToI32S,
                        (false, true) => Conv::F32ToI64S,
                        (true, false) => Conv::F64ToI32S,
                        (true, true) => Conv::F64ToI64S,
                    },
                    _ => match (f64_of(st), dw > 32) {
                        (false, false) => Conv::F32ToI32U,
                        (false, true) => Conv::F32ToI64U,
                        (true, false) => Conv::F64ToI32U,
                        (true, true) => Conv::F64ToI64U,
                    },
                };
                if (matches!(op, Op::LLVMFPExt | Op::LLVMFPTrunc) && f64_of(st) == f64_of(dt)) || sw == 1 {
                    return self.vec_unsupported(format!(
                        "conversion from `{}` to `{}`",
                        s.ty().describe(),
                        inst.ty().describe()
                    ));
                }
                let src = self.vec_val(s)?;
                let mut out = Vec::with_capacity(src.len());
                for &x in &src {
                    let x = match op {
                        Op::LLVMSIToFP => self.norm_reg(x, sw, true),
                        Op::LLVMUIToFP => self.norm_reg(x, sw, false),
                        _ => x,
                    };
                    let d = self.new_vreg();
                    self.emit(Opcode::Convert, vec![MOp::Reg(d), MOp::Reg(x), MOp::Imm(k as i64)]);
                    out.push(d);
                }
                out
            }
            Op::LLVMBitCast => return self.vec_bitcast(inst),
            Op::LLVMFreeze => self.vec_val(self.operand(inst, 0)?)?,
            Op::LLVMPHI => {
                self.vec_val(inst)?;
                return Ok(());
            }
            other => return self.vec_unsupported(format!("`{other:?}`")),
        };
        self.def_lanes(inst, &lanes)
    }

    /// Element-wise intrinsics on vectors: `fmuladd` (unfused, as for
    /// scalars), `fabs`, integer min/max and `abs`.
    pub fn lower_vector_intrinsic(&mut self, inst: Val, base: &str) -> Result<()> {
        let (lt, _) = self.shape(inst)?;
        let f64_ = lt.kind() == TypeKind::LLVMDoubleTypeKind;
        let w = lane_width(lt);
        let arg = |me: &mut Self, i: u32| -> Result<Vec<VReg>> {
            let v = me.operand(inst, i)?;
            me.vec_val(v)
        };
        let a = arg(self, 0)?;
        let mut out = Vec::with_capacity(a.len());
        match base {
            "fmuladd" => {
                let (b, c) = (arg(self, 1)?, arg(self, 2)?);
                for i in 0..a.len() {
                    let m = self.emit3(if f64_ { Opcode::MulF64 } else { Opcode::MulF32 }, a[i], b[i]);
                    out.push(self.emit3(if f64_ { Opcode::AddF64 } else { Opcode::AddF32 }, m, c[i]));
                }
            }
            "fabs" => {
                let k = if f64_ { FUnary::AbsF64 } else { FUnary::AbsF32 };
                for &x in &a {
                    let d = self.new_vreg();
                    self.emit(Opcode::FUnary, vec![MOp::Reg(d), MOp::Reg(x), MOp::Imm(k as i64)]);
                    out.push(d);
                }
            }
            "smax" | "smin" | "umax" | "umin" | "abs" if w > 1 => {
                let signed = base.starts_with('s') || base == "abs";
                let wide = w > 32;
                let b = if base == "abs" { a.clone() } else { arg(self, 1)? };
                for (&x, &y) in a.iter().zip(&b) {
                    let (x, y) = (self.norm_reg(x, w, signed), self.norm_reg(y, w, signed));
                    let o = match (base, wide) {
                        ("smax", false) => Opcode::MaxSI32,
                        ("smin", false) => Opcode::MinSI32,
                        ("umax", false) => Opcode::MaxUI32,
                        ("umin", false) => Opcode::MinUI32,
                        ("abs", false) => Opcode::AbsI32,
                        ("smax", true) => Opcode::MaxSI64,
                        ("smin", true) => Opcode::MinSI64,
                        ("umax", true) => Opcode::MaxUI64,
                        ("umin", true) => Opcode::MinUI64,
                        _ => Opcode::AbsI64,
                    };
                    out.push(if base == "abs" { self.emit2(o, x) } else { self.emit3(o, x, y) });
                }
            }
            _ => return self.vec_unsupported(format!("intrinsic `llvm.{base}` on `{}`", inst.ty().describe())),
        }
        self.def_lanes(inst, &out)
    }

    /// A variable lane index as a 32-bit register.
    fn lane_index(&mut self, idx: Val) -> Result<VReg> {
        let r = self.norm(idx, false)?;
        Ok(if Self::width(idx) > 32 { self.emit2(Opcode::WrapI64I32, r) } else { r })
    }

    /// One lane of an integer binary operation of width `w`.
    fn lane_binop(&mut self, op: Op, w: u32, a: VReg, b: VReg) -> Result<VReg> {
        let wide = w > 32;
        let pick = |n: Opcode, x: Opcode| if wide { x } else { n };
        let Some(op) = (if w == 1 { i1_op(op) } else { Some(op) }) else { return Ok(a) };
        let (o, ext_a, ext_b) = match op {
            Op::LLVMAdd => (pick(Opcode::AddI32, Opcode::AddI64), None, None),
            Op::LLVMSub => (pick(Opcode::SubI32, Opcode::SubI64), None, None),
            Op::LLVMMul => (pick(Opcode::MulI32, Opcode::MulI64), None, None),
            Op::LLVMAnd => (pick(Opcode::AndI32, Opcode::AndI64), None, None),
            Op::LLVMOr => (pick(Opcode::OrI32, Opcode::OrI64), None, None),
            Op::LLVMXor => (pick(Opcode::XorI32, Opcode::XorI64), None, None),
            Op::LLVMShl => (pick(Opcode::ShlI32, Opcode::ShlI64), None, Some(false)),
            Op::LLVMLShr => (pick(Opcode::ShrUI32, Opcode::ShrUI64), Some(false), Some(false)),
            Op::LLVMAShr => (pick(Opcode::ShrSI32, Opcode::ShrSI64), Some(true), Some(false)),
            Op::LLVMUDiv => (pick(Opcode::DivUI32, Opcode::DivUI64), Some(false), Some(false)),
            Op::LLVMURem => (pick(Opcode::RemUI32, Opcode::RemUI64), Some(false), Some(false)),
            Op::LLVMSDiv => (pick(Opcode::DivSI32, Opcode::DivSI64), Some(true), Some(true)),
            _ => (pick(Opcode::RemSI32, Opcode::RemSI64), Some(true), Some(true)),
        };
        let a = match ext_a {
            Some(s) => self.norm_reg(a, w, s),
            None => a,
        };
        let b = match ext_b {
            Some(s) => self.norm_reg(b, w, s),
            None => b,
        };
        Ok(self.emit3(o, a, b))
    }

    /// Lanes of type `lt`, packed at their store size from `a + off`.
    fn load_lanes(&mut self, lt: Ty, n: u32, a: VReg, off: i64) -> Result<Vec<VReg>> {
        let Some((ld, _)) = lane_mem_ops(lt) else {
            return self.vec_unsupported(format!("`{}` lanes in memory", lt.describe()));
        };
        let size = self.info.layout.store_size(lt) as i64;
        Ok((0..n).map(|i| self.emit_imm(ld, a, off + i as i64 * size)).collect())
    }

    fn store_lanes(&mut self, lt: Ty, lanes: &[VReg], a: VReg, off: i64) -> Result<()> {
        let Some((_, st)) = lane_mem_ops(lt) else {
            return self.vec_unsupported(format!("`{}` lanes in memory", lt.describe()));
        };
        let size = self.info.layout.store_size(lt) as i64;
        for (i, &r) in lanes.iter().enumerate() {
            self.emit(st, vec![MOp::Reg(r), MOp::Reg(a), MOp::Imm(off + i as i64 * size)]);
        }
        Ok(())
    }

    /// A bit cast: lane for lane when the shapes match in width, else
    /// through a frame slot (store one shape, load the other).
    fn vec_bitcast(&mut self, inst: Val) -> Result<()> {
        let s = self.operand(inst, 0)?;
        let ((st, sn), (dt, dn)) = (self.shape(s)?, self.shape(inst)?);
        let (ss, ds) = (self.info.layout.store_size(st), self.info.layout.store_size(dt));
        if sn == dn && ss == ds {
            let lanes = self.lanes_of(s)?;
            return self.def_lanes(inst, &lanes);
        }
        let bytes = ss * u64::from(sn);
        if bytes != ds * u64::from(dn) || bytes > 256 {
            return self.vec_unsupported(format!(
                "bit cast from `{}` to `{}`",
                s.ty().describe(),
                inst.ty().describe()
            ));
        }
        let slot = self.frame_slot(bytes as u32, 8)?;
        let a = self.new_vreg();
        self.emit(Opcode::StackAddr, vec![MOp::Reg(a), MOp::Imm(slot as i64)]);
        let src = self.lanes_of(s)?;
        self.store_lanes(st, &src, a, 0)?;
        let out = self.load_lanes(dt, dn, a, 0)?;
        self.def_lanes(inst, &out)
    }
}
