//! `long double` on riscv32: LLVM's `fp128` (IEEE binary128), computed by
//! the runtime's software `f128` instruction (see `isa::F128Op`).
//!
//! A value lives in two 64-bit registers, low word first (the same pair as
//! an `i128`, so bitcasts between them are moves). Loads and stores touch
//! its 16 bytes. Between functions it travels as the riscv32 ilp32 ABI
//! passes it, for natives and module functions alike: an argument is the
//! address of a 16-byte copy in the caller's frame (an `i32`; see
//! [`ArgSlots`]), a result is
//! written through a hidden first `i32` parameter, the address of a slot of
//! the caller's (the function then returns nothing). A variadic argument is
//! likewise a pointer in a 4-byte slot, which is what clang's riscv32
//! `va_arg` reads and what newlib's `printf("%Lf")` expects.

use super::consts::Const;
use super::ir::{Op, Ty, TypeKind, Val, ValKind, is_inst};
use super::lower::{FuncLower, Result};
use super::mir::{MOp, VReg};
use espb_runtime::isa::{ComplexF128Op, F128Op, Opcode};

/// The frame slots of one function's fp128 call arguments and results.
#[derive(Default)]
pub struct ArgSlots {
    slots: Vec<u32>,
    next: usize,
    ret: Option<u32>,
    /// The four operands of `complex.f128`.
    complex: Option<u32>,
}

pub fn is_f128(ty: Ty) -> bool {
    ty.kind() == TypeKind::LLVMFP128TypeKind
}

/// Does instruction `inst` produce or read an `fp128`?
pub fn touches_f128(inst: Val) -> bool {
    is_f128(inst.ty()) || inst.operands().iter().any(|o| is_f128(o.ty()))
}

/// Does a function of type `fty` return an `fp128` (through a hidden first
/// pointer parameter)?
pub fn returns_f128(fty: Ty) -> bool {
    is_f128(fty.ret_type())
}

/// The operation a call of `name` on `fp128` is: C's long double math
/// functions and the LLVM intrinsics clang emits for them, with their
/// operand count.
fn math_op(name: &str) -> Option<(F128Op, usize)> {
    let base = name.strip_prefix("llvm.").map_or(name, |r| r.split('.').next().unwrap_or(""));
    Some(match base {
        "fabs" | "fabsl" => (F128Op::Abs, 1),
        "copysign" | "copysignl" => (F128Op::CopySign, 2),
        "sqrt" | "sqrtl" => (F128Op::Sqrt, 1),
        "floor" | "floorl" => (F128Op::Floor, 1),
        "ceil" | "ceill" => (F128Op::Ceil, 1),
        "trunc" | "truncl" => (F128Op::Trunc, 1),
        "round" | "roundl" => (F128Op::Round, 1),
        "rint" | "rintl" | "nearbyint" | "nearbyintl" | "roundeven" | "roundevenl" => (F128Op::Rint, 1),
        "fmodl" => (F128Op::Rem, 2),
        _ => return None,
    })
}

/// `Some(true)` for `fmaxl`/`llvm.maxnum`, `Some(false)` for the minimum.
fn is_min_max(name: &str) -> Option<bool> {
    let base = name.strip_prefix("llvm.").map_or(name, |r| r.split('.').next().unwrap_or(""));
    match base {
        "maxnum" | "fmaxl" => Some(true),
        "minnum" | "fminl" => Some(false),
        _ => None,
    }
}

impl FuncLower<'_> {
    /// The two words of an `fp128` value (constants materialised).
    pub fn f128_val(&mut self, v: Val) -> Result<[VReg; 2]> {
        match v.kind() {
            ValKind::Instruction | ValKind::Argument => {
                let r = self.agg_regs(v, 2);
                Ok([r[0], r[1]])
            }
            ValKind::ConstFp | ValKind::NullOrUndef => {
                let bits = if v.kind() == ValKind::ConstFp {
                    match v.const_fp128_bits() {
                        Some(b) => b,
                        None => return self.internal("fp128 constant"),
                    }
                } else {
                    0
                };
                let lo = self.materialise(Const::Int(bits as u64 as i64), true);
                let hi = self.materialise(Const::Int((bits >> 64) as u64 as i64), true);
                Ok([lo, hi])
            }
            _ => self.unsupported("constant expression of type `long double` (fp128)"),
        }
    }

    fn f128_def(&mut self, inst: Val, [lo, hi]: [VReg; 2]) {
        let r = self.agg_regs(inst, 2);
        self.mov(r[0], lo);
        self.mov(r[1], hi);
    }

    /// `f128` operation `k` on two pairs; the result pair.
    fn f128_op(&mut self, k: F128Op, a: [VReg; 2], b: [VReg; 2]) -> [VReg; 2] {
        let (lo, hi) = (self.new_vreg(), self.new_vreg());
        self.emit(
            Opcode::F128,
            vec![
                MOp::Reg(lo),
                MOp::Reg(hi),
                MOp::Reg(a[0]),
                MOp::Reg(a[1]),
                MOp::Reg(b[0]),
                MOp::Reg(b[1]),
                MOp::Imm(i64::from(k.to_u8())),
            ],
        );
        [lo, hi]
    }

    /// The address of 16-byte frame slot `off`.
    fn f128_slot_addr(&mut self, off: u32) -> VReg {
        let a = self.new_vreg();
        self.emit(Opcode::StackAddr, vec![MOp::Reg(a), MOp::Imm(i64::from(off))]);
        a
    }

    /// The slot of the next `fp128` argument of the call being lowered.
    /// A copy is only read during its call (module callees load it on
    /// entry), so every call shares the same few slots: the k-th fp128
    /// argument of any call goes to slot k.
    fn f128_arg_slot(&mut self) -> Result<VReg> {
        let k = self.f128_args.next;
        self.f128_args.next += 1;
        if k == self.f128_args.slots.len() {
            let off = self.frame_slot(16, 16)?;
            self.f128_args.slots.push(off);
        }
        Ok(self.f128_slot_addr(self.f128_args.slots[k]))
    }

    fn f128_store(&mut self, [lo, hi]: [VReg; 2], a: VReg, off: i64) {
        self.emit(Opcode::StoreI64, vec![MOp::Reg(lo), MOp::Reg(a), MOp::Imm(off)]);
        self.emit(Opcode::StoreI64, vec![MOp::Reg(hi), MOp::Reg(a), MOp::Imm(off + 8)]);
    }

    fn f128_load_into(&mut self, d: [VReg; 2], a: VReg, off: i64) {
        self.emit(Opcode::LoadI64, vec![MOp::Reg(d[0]), MOp::Reg(a), MOp::Imm(off)]);
        self.emit(Opcode::LoadI64, vec![MOp::Reg(d[1]), MOp::Reg(a), MOp::Imm(off + 8)]);
    }

    /// An `fp128` argument as the ABI passes it: the address of a copy in
    /// this function's frame.
    pub fn f128_arg(&mut self, v: Val) -> Result<VReg> {
        let w = self.f128_val(v)?;
        let a = self.f128_arg_slot()?;
        self.f128_store(w, a, 0);
        Ok(a)
    }

    /// Starts a call: its fp128 arguments take the shared slots from the first.
    pub fn f128_call_start(&mut self) {
        self.f128_args.next = 0;
    }

    /// For a call returning `fp128`: the slot the callee writes it to (one
    /// per function: the value is loaded right after the call).
    pub fn f128_ret_slot(&mut self, inst: Val) -> Result<Option<VReg>> {
        if !is_f128(inst.ty()) {
            return Ok(None);
        }
        let off = match self.f128_args.ret {
            Some(off) => off,
            None => {
                let off = self.frame_slot(16, 16)?;
                self.f128_args.ret = Some(off);
                off
            }
        };
        Ok(Some(self.f128_slot_addr(off)))
    }

    /// After a call that returned `fp128` into `slot`: the value.
    pub fn f128_take_ret(&mut self, inst: Val, slot: VReg) {
        let r = self.agg_regs(inst, 2);
        self.f128_load_into([r[0], r[1]], slot, 0);
    }

    /// The entry code of a function with `fp128` parameters: each arrives
    /// as the address of the caller's copy (`ptrs`), read once here.
    pub fn f128_params(&mut self, params: &[(Val, VReg)]) {
        for &(p, ptr) in params {
            let r = self.agg_regs(p, 2);
            self.f128_load_into([r[0], r[1]], ptr, 0);
        }
    }

    /// `ret fp128 %v`: written through the hidden result pointer.
    pub fn f128_ret(&mut self, v: Val) -> Result<()> {
        let Some(p) = self.f128_result_ptr else { return self.internal("fp128 return without a result pointer") };
        let w = self.f128_val(v)?;
        self.f128_store(w, p, 0);
        self.emit(Opcode::RetVoid, vec![]);
        Ok(())
    }

    /// A call of a long double math function or intrinsic this lowers
    /// inline; `Ok(false)` for any other call (lowered as a call).
    pub fn lower_f128_math_call(&mut self, inst: Val) -> Result<bool> {
        let Some(callee) = inst.called_value() else { return Ok(false) };
        if callee.kind() != ValKind::Function || self.info.funcs.contains_key(&callee) {
            return Ok(false);
        }
        let name = callee.name();
        let n = inst.num_arg_operands() as usize;
        let all_f128 = is_f128(inst.ty()) && (0..n as u32).all(|i| inst.operand(i).is_some_and(|a| is_f128(a.ty())));
        match math_op(&name) {
            Some((k, arity)) if arity == n && all_f128 => {
                let a = self.f128_val(self.operand(inst, 0)?)?;
                let b = if arity == 2 { self.f128_val(self.operand(inst, 1)?)? } else { a };
                let r = self.f128_op(k, a, b);
                self.f128_def(inst, r);
                Ok(true)
            }
            _ if name == "llvm.fmuladd.f128" && n == 3 => {
                // fmuladd allows an unfused multiply-add (what riscv32's
                // backend does for fp128 too).
                let a = self.f128_val(self.operand(inst, 0)?)?;
                let b = self.f128_val(self.operand(inst, 1)?)?;
                let c = self.f128_val(self.operand(inst, 2)?)?;
                let m = self.f128_op(F128Op::Mul, a, b);
                let r = self.f128_op(F128Op::Add, m, c);
                self.f128_def(inst, r);
                Ok(true)
            }
            _ if n == 2 && all_f128 && is_min_max(&name).is_some() => {
                let max = is_min_max(&name) == Some(true);
                let a = self.f128_val(self.operand(inst, 0)?)?;
                let b = self.f128_val(self.operand(inst, 1)?)?;
                // IEEE minNum/maxNum: a NaN loses to a number; b is taken when
                // it is a number and a is NaN or on b's side of a.
                let [a_nan, _] = self.f128_op(F128Op::Cmp(8), a, a);
                let [b_num, _] = self.f128_op(F128Op::Cmp(7), b, b);
                let [beyond, _] =
                    if max { self.f128_op(F128Op::Cmp(4), a, b) } else { self.f128_op(F128Op::Cmp(4), b, a) };
                let t = self.emit3(Opcode::OrI32, a_nan, beyond);
                let take_b = self.emit3(Opcode::AndI32, t, b_num);
                let lo = self.select(take_b, b[0], a[0]);
                let hi = self.select(take_b, b[1], a[1]);
                self.f128_def(inst, [lo, hi]);
                Ok(true)
            }
            _ if name == "llvm.modf.f128" && n == 1 => {
                // `{frac, int}`: four registers that `extractvalue` reads.
                let x = self.f128_val(self.operand(inst, 0)?)?;
                let (frac, int) = self.f128_modf(x);
                let out = self.agg_regs(inst, 4);
                for (d, s) in out.into_iter().zip(frac.into_iter().chain(int)) {
                    self.mov(d, s);
                }
                Ok(true)
            }
            _ if name == "modfl" && n == 2 && is_f128(inst.ty()) => {
                // modfl(x, &int) as clang calls it at -O0.
                let x = self.f128_val(self.operand(inst, 0)?)?;
                let (frac, int) = self.f128_modf(x);
                let (p, off) = self.base_addr(self.operand(inst, 1)?, 16)?;
                self.f128_store(int, p, off);
                self.f128_def(inst, frac);
                Ok(true)
            }
            _ if name == "llvm.is.fpclass.f128" && n == 2 => {
                // The class bit tested against the mask.
                let a = self.f128_val(self.operand(inst, 0)?)?;
                let Some(mask) = self.imm(self.operand(inst, 1)?) else {
                    return self.unsupported("`llvm.is.fpclass` with a variable mask");
                };
                let [c, _] = self.f128_op(F128Op::Class, a, a);
                let t = self.emit_imm(Opcode::AndImmI32, c, mask & 0x3FF);
                let d = self.def(inst);
                self.emit(Opcode::NeImmI32, vec![MOp::Reg(d), MOp::Reg(t), MOp::Imm(0)]);
                self.zclean.insert(inst);
                Ok(true)
            }
            _ if matches!(name.as_str(), "__multc3" | "__divtc3")
                && n == 5
                && inst.ty().is_void()
                && (1..5).all(|i| inst.operand(i).is_some_and(|a| is_f128(a.ty()))) =>
            {
                // libgcc's `_Complex long double` helpers, as clang calls them
                // on riscv32: (sret result, a, b, c, d). One `complex.f128`
                // on the four values stored in a frame slot.
                let dst = self.use_val(self.operand(inst, 0)?)?;
                let off = match self.f128_args.complex {
                    Some(off) => off,
                    None => {
                        let off = self.frame_slot(64, 16)?;
                        self.f128_args.complex = Some(off);
                        off
                    }
                };
                let src = self.f128_slot_addr(off);
                for i in 1..5u32 {
                    let w = self.f128_val(self.operand(inst, i)?)?;
                    self.f128_store(w, src, 16 * (i64::from(i) - 1));
                }
                let k = if name == "__multc3" { ComplexF128Op::Mul } else { ComplexF128Op::Div };
                self.emit(Opcode::ComplexF128, vec![MOp::Reg(dst), MOp::Reg(src), MOp::Imm(k as i64)]);
                Ok(true)
            }
            _ if matches!(name.as_str(), "__multc3" | "__divtc3") => self.unsupported(
                "`_Complex long double` multiplication or division (`__multc3`/`__divtc3`): use `_Complex double`",
            ),
            _ if name == "fmal" && all_f128 => {
                self.unsupported("fused multiply-add (`fmal`) on `long double` (fp128): write `a * b + c`")
            }
            _ if name.starts_with("llvm.") => {
                let what = match name.split('.').nth(1) {
                    Some("fma") => "fused multiply-add (`fmal`)".to_string(),
                    _ => format!("intrinsic `{name}`"),
                };
                self.unsupported(format!("{what} on `long double` (fp128)"))
            }
            _ => Ok(false),
        }
    }

    /// `modf`: `int = trunc(x)` and `frac = x - int` with `x`'s sign, 0
    /// for infinities (as for f32/f64 in intrinsics.rs).
    fn f128_modf(&mut self, x: [VReg; 2]) -> ([VReg; 2], [VReg; 2]) {
        let int = self.f128_op(F128Op::Trunc, x, x);
        let diff = self.f128_op(F128Op::Sub, x, int);
        let [class, _] = self.f128_op(F128Op::Class, x, x);
        // Class bits 2 and 9: -inf and +inf.
        let inf = self.emit_imm(Opcode::AndImmI32, class, (1 << 2) | (1 << 9));
        let is_inf = self.emit_imm(Opcode::NeImmI32, inf, 0);
        let zero = self.materialise(Const::Int(0), true);
        let lo = self.select(is_inf, zero, diff[0]);
        let hi = self.select(is_inf, zero, diff[1]);
        let frac = self.f128_op(F128Op::CopySign, [lo, hi], x);
        (frac, int)
    }

    /// Lowers an instruction that reads or writes an `fp128` (calls and
    /// returns aside).
    pub fn lower_f128(&mut self, inst: Val) -> Result<()> {
        let Some(op) = inst.opcode() else { return self.internal("instruction without opcode") };
        match op {
            Op::LLVMLoad => {
                let (a, off) = self.base_addr(self.operand(inst, 0)?, 16)?;
                let r = self.agg_regs(inst, 2);
                self.f128_load_into([r[0], r[1]], a, off);
            }
            Op::LLVMStore => {
                let w = self.f128_val(self.operand(inst, 0)?)?;
                let (a, off) = self.base_addr(self.operand(inst, 1)?, 16)?;
                self.f128_store(w, a, off);
            }
            Op::LLVMFAdd | Op::LLVMFSub | Op::LLVMFMul | Op::LLVMFDiv | Op::LLVMFRem => {
                let a = self.f128_val(self.operand(inst, 0)?)?;
                let b = self.f128_val(self.operand(inst, 1)?)?;
                let k = match op {
                    Op::LLVMFAdd => F128Op::Add,
                    Op::LLVMFSub => F128Op::Sub,
                    Op::LLVMFMul => F128Op::Mul,
                    Op::LLVMFDiv => F128Op::Div,
                    _ => F128Op::Rem,
                };
                let r = self.f128_op(k, a, b);
                self.f128_def(inst, r);
            }
            Op::LLVMFNeg => {
                let a = self.f128_val(self.operand(inst, 0)?)?;
                let r = self.f128_op(F128Op::Neg, a, a);
                self.f128_def(inst, r);
            }
            Op::LLVMFCmp => {
                let a = self.f128_val(self.operand(inst, 0)?)?;
                let b = self.f128_val(self.operand(inst, 1)?)?;
                let p = inst.fcmp_predicate();
                let [r, _] = self.f128_op(F128Op::Cmp(p), a, b);
                self.alias(inst, r);
                self.zclean.insert(inst);
            }
            Op::LLVMFPExt | Op::LLVMSIToFP | Op::LLVMUIToFP => self.f128_from(inst, op)?,
            Op::LLVMFPTrunc | Op::LLVMFPToSI | Op::LLVMFPToUI => self.f128_to(inst, op)?,
            Op::LLVMBitCast | Op::LLVMFreeze => {
                // fp128 <-> i128 keep their bits; both are register pairs.
                let s = self.operand(inst, 0)?;
                let pair = |t: Ty| is_f128(t) || (t.is_int() && t.int_width() == 128);
                if !pair(inst.ty()) || !pair(s.ty()) {
                    return self.unsupported(format!(
                        "bitcast between `{}` and `{}`",
                        s.ty().describe(),
                        inst.ty().describe()
                    ));
                }
                let w = if is_f128(s.ty()) { self.f128_val(s)? } else { self.wide_val(s)? };
                self.f128_def(inst, w);
            }
            Op::LLVMSelect if is_f128(inst.ty()) => {
                let c = self.use_val(self.operand(inst, 0)?)?;
                let [al, ah] = self.f128_val(self.operand(inst, 1)?)?;
                let [bl, bh] = self.f128_val(self.operand(inst, 2)?)?;
                let (lo, hi) = (self.select(c, al, bl), self.select(c, ah, bh));
                self.f128_def(inst, [lo, hi]);
            }
            Op::LLVMPHI => {
                self.f128_val(inst)?;
            }
            Op::LLVMExtractValue if is_f128(inst.ty()) => {
                // Of the `{fp128, fp128}` pair of `llvm.modf.f128`.
                let agg = self.operand(inst, 0)?;
                let idx = inst.agg_indices();
                let of_modf =
                    is_inst(agg, Op::LLVMCall) && agg.called_value().is_some_and(|c| c.name() == "llvm.modf.f128");
                match idx.as_slice() {
                    [i @ (0 | 1)] if of_modf => {
                        let r = self.agg_regs(agg, 4);
                        let i = *i as usize * 2;
                        let Some(&[lo, hi]) = r.get(i..i + 2) else {
                            return self.internal("`llvm.modf.f128` result without its four registers");
                        };
                        self.f128_def(inst, [lo, hi]);
                    }
                    _ => return self.unsupported("`extractvalue` on `long double` (fp128)"),
                }
            }
            _ => {
                return self.unsupported(format!(
                    "`{}` on `long double` (fp128)",
                    format!("{op:?}").trim_start_matches("LLVM").to_lowercase()
                ));
            }
        }
        Ok(())
    }

    /// `fpext`, `sitofp`, `uitofp` into `fp128`.
    fn f128_from(&mut self, inst: Val, op: Op) -> Result<()> {
        let s = self.operand(inst, 0)?;
        let st = s.ty();
        let w = Self::width(s);
        let (k, r) = match (op, st.kind()) {
            (Op::LLVMFPExt, TypeKind::LLVMFloatTypeKind) => (F128Op::FromF32, self.use_val(s)?),
            (Op::LLVMFPExt, TypeKind::LLVMDoubleTypeKind) => (F128Op::FromF64, self.use_val(s)?),
            (Op::LLVMSIToFP | Op::LLVMUIToFP, TypeKind::LLVMIntegerTypeKind) if w <= 64 => {
                let signed = op == Op::LLVMSIToFP;
                let r = self.norm(s, signed)?;
                let k = match (signed, w > 32) {
                    (true, false) => F128Op::FromI32S,
                    (false, false) => F128Op::FromI32U,
                    (true, true) => F128Op::FromI64S,
                    (false, true) => F128Op::FromI64U,
                };
                (k, r)
            }
            (Op::LLVMSIToFP | Op::LLVMUIToFP, TypeKind::LLVMIntegerTypeKind) if w <= 128 => {
                let signed = op == Op::LLVMSIToFP;
                let [lo, hi] = self.wide_val(s)?;
                let hi = if signed { self.wide_signed_hi(hi, w - 64) } else { hi };
                let k = if signed { F128Op::FromI128S } else { F128Op::FromI128U };
                let r = self.f128_op(k, [lo, hi], [lo, hi]);
                self.f128_def(inst, r);
                return Ok(());
            }
            _ => return self.unsupported(format!("conversion from `{}` to `long double` (fp128)", st.describe())),
        };
        let r = self.f128_op(k, [r, r], [r, r]);
        self.f128_def(inst, r);
        Ok(())
    }

    /// `fptrunc`, `fptosi`, `fptoui` from `fp128`.
    fn f128_to(&mut self, inst: Val, op: Op) -> Result<()> {
        let a = self.f128_val(self.operand(inst, 0)?)?;
        let t = inst.ty();
        let w = Self::width(inst);
        let signed = op == Op::LLVMFPToSI;
        let k = match (op, t.kind()) {
            (Op::LLVMFPTrunc, TypeKind::LLVMFloatTypeKind) => F128Op::ToF32,
            (Op::LLVMFPTrunc, TypeKind::LLVMDoubleTypeKind) => F128Op::ToF64,
            (Op::LLVMFPToSI | Op::LLVMFPToUI, TypeKind::LLVMIntegerTypeKind) if w <= 32 => {
                if signed {
                    F128Op::ToI32S
                } else {
                    F128Op::ToI32U
                }
            }
            (Op::LLVMFPToSI | Op::LLVMFPToUI, TypeKind::LLVMIntegerTypeKind) if w <= 64 => {
                if signed {
                    F128Op::ToI64S
                } else {
                    F128Op::ToI64U
                }
            }
            (Op::LLVMFPToSI | Op::LLVMFPToUI, TypeKind::LLVMIntegerTypeKind) if w <= 128 => {
                let k = if signed { F128Op::ToI128S } else { F128Op::ToI128U };
                let [lo, hi] = self.f128_op(k, a, a);
                let hi = self.wide_mask(hi, w - 64);
                self.f128_def(inst, [lo, hi]);
                return Ok(());
            }
            _ => return self.unsupported(format!("conversion from `long double` (fp128) to `{}`", t.describe())),
        };
        let [r, _] = self.f128_op(k, a, a);
        if w == 1 {
            // An i1 stays 0 or 1 (fptosi of -1.0 is -1).
            let d = self.def(inst);
            self.emit(Opcode::AndImmI32, vec![MOp::Reg(d), MOp::Reg(r), MOp::Imm(1)]);
            return Ok(());
        }
        self.alias(inst, r);
        Ok(())
    }
}
