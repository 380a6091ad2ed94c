//! LLVM intrinsics: memory ops, min/max/abs, bit counting, rotates, float
//! functions, stack save/restore; markers and debug intrinsics vanish.

use super::consts::Const;
use super::ir::{Op, TypeKind, Val};
use super::lower::{FuncLower, Result};
use super::mir::MOp;
use espb_runtime::isa::{FBinary, FUnary, Opcode};

impl FuncLower<'_> {
    pub fn lower_intrinsic(&mut self, inst: Val, name: &str) -> Result<()> {
        let rest = name.strip_prefix("llvm.").unwrap_or(name);
        let mut parts = rest.split('.');
        let base = parts.next().unwrap_or("");
        let arg = |me: &Self, i: u32| me.operand(inst, i);
        if super::overflow::is_overflow_intrinsic(rest) {
            return self.lower_overflow(inst, base);
        }
        if inst.ty().is_vector() {
            return self.lower_vector_intrinsic(inst, base);
        }
        match base {
            // Markers and hints: no code.
            "lifetime" | "dbg" | "assume" | "experimental" | "prefetch" | "sideeffect" | "pseudoprobe" | "var"
            | "annotation" | "donothing" | "invariant" | "codeview" | "fake" => {
                if base == "experimental" && !rest.starts_with("experimental.noalias.scope.decl") {
                    return self.unsupported(format!("intrinsic `{name}`"));
                }
                Ok(())
            }
            "expect" | "ssa" | "launder" | "strip" => {
                let r = self.use_val(arg(self, 0)?)?;
                self.alias(inst, r);
                Ok(())
            }
            "memcpy" | "memmove" | "memset" => {
                let op = match base {
                    "memcpy" => Opcode::MemCpy,
                    "memmove" => Opcode::MemMove,
                    _ => Opcode::MemSet,
                };
                let d = self.use_val(arg(self, 0)?)?;
                let s = self.use_val(arg(self, 1)?)?;
                let n = self.use_val(arg(self, 2)?)?;
                self.emit(op, vec![MOp::Reg(d), MOp::Reg(s), MOp::Reg(n)]);
                Ok(())
            }
            "smax" | "smin" | "umax" | "umin" => {
                let signed = base.starts_with('s');
                let (a, b) = (arg(self, 0)?, arg(self, 1)?);
                let wide = Self::width(a) > 32;
                let (ra, rb) = (self.norm(a, signed)?, self.norm(b, signed)?);
                let op = match (base, wide) {
                    ("smax", false) => Opcode::MaxSI32,
                    ("smin", false) => Opcode::MinSI32,
                    ("umax", false) => Opcode::MaxUI32,
                    ("umin", false) => Opcode::MinUI32,
                    ("smax", true) => Opcode::MaxSI64,
                    ("smin", true) => Opcode::MinSI64,
                    ("umax", true) => Opcode::MaxUI64,
                    _ => Opcode::MinUI64,
                };
                let d = self.def(inst);
                self.emit(op, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Reg(rb)]);
                Ok(())
            }
            "scmp" | "ucmp" => {
                // (a > b) - (a < b)
                let signed = base == "scmp";
                let (a, b) = (arg(self, 0)?, arg(self, 1)?);
                let wide = Self::width(a) > 32;
                let (ra, rb) = (self.norm(a, signed)?, self.norm(b, signed)?);
                let lt = match (signed, wide) {
                    (true, false) => Opcode::LtSI32,
                    (false, false) => Opcode::LtUI32,
                    (true, true) => Opcode::LtSI64,
                    (false, true) => Opcode::LtUI64,
                };
                let gt = self.emit3(lt, rb, ra);
                let less = self.emit3(lt, ra, rb);
                let d = self.def(inst);
                if Self::width(inst) > 32 {
                    let t = self.emit3(Opcode::SubI32, gt, less);
                    self.emit(Opcode::SextI32I64, vec![MOp::Reg(d), MOp::Reg(t)]);
                } else {
                    self.emit(Opcode::SubI32, vec![MOp::Reg(d), MOp::Reg(gt), MOp::Reg(less)]);
                }
                Ok(())
            }
            "abs" => {
                let a = arg(self, 0)?;
                let wide = Self::width(a) > 32;
                let r = self.norm(a, true)?;
                let d = self.def(inst);
                self.emit(if wide { Opcode::AbsI64 } else { Opcode::AbsI32 }, vec![MOp::Reg(d), MOp::Reg(r)]);
                Ok(())
            }
            "ctpop" | "ctlz" | "cttz" | "bswap" => self.lower_bits(inst, base),
            "sadd" | "uadd" | "ssub" | "usub" if parts.next() == Some("sat") => self.lower_sat(inst, base),
            "bitreverse" => self.lower_bitreverse(inst),
            "fshl" | "fshr" => {
                let (a, b, c) = (arg(self, 0)?, arg(self, 1)?, arg(self, 2)?);
                let w = Self::width(a);
                if a != b || (w != 32 && w != 64) {
                    return self.lower_funnel(inst, base == "fshl");
                }
                let op = match (base, w) {
                    ("fshl", 32) => Opcode::RotlI32,
                    ("fshr", 32) => Opcode::RotrI32,
                    ("fshl", _) => Opcode::RotlI64,
                    _ => Opcode::RotrI64,
                };
                let (ra, rc) = (self.use_val(a)?, self.use_val(c)?);
                let d = self.def(inst);
                self.emit(op, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Reg(rc)]);
                Ok(())
            }
            "fabs" | "sqrt" | "floor" | "ceil" | "trunc" | "round" | "rint" | "nearbyint" | "roundeven" => {
                let a = arg(self, 0)?;
                let f64_ = self.float_is_f64(a)?;
                let k = match base {
                    "fabs" => FUnary::AbsF32,
                    "sqrt" => FUnary::SqrtF32,
                    "floor" => FUnary::FloorF32,
                    "ceil" => FUnary::CeilF32,
                    "trunc" => FUnary::TruncF32,
                    "round" => FUnary::RoundF32,
                    _ => FUnary::RintF32,
                } as i64
                    + f64_ as i64;
                let r = self.use_val(a)?;
                let d = self.def(inst);
                self.emit(Opcode::FUnary, vec![MOp::Reg(d), MOp::Reg(r), MOp::Imm(k)]);
                Ok(())
            }
            "modf" => self.lower_modf(inst),
            "minnum" | "maxnum" | "copysign" => {
                let (a, b) = (arg(self, 0)?, arg(self, 1)?);
                let f64_ = self.float_is_f64(a)?;
                let k = match base {
                    "minnum" => FBinary::MinF32,
                    "maxnum" => FBinary::MaxF32,
                    _ => FBinary::CopySignF32,
                } as i64
                    + f64_ as i64;
                let (ra, rb) = (self.use_val(a)?, self.use_val(b)?);
                let d = self.def(inst);
                self.emit(Opcode::FBinary, vec![MOp::Reg(d), MOp::Reg(ra), MOp::Reg(rb), MOp::Imm(k)]);
                Ok(())
            }
            "fmuladd" => {
                // fmuladd allows an unfused multiply-add.
                let (a, b, c) = (arg(self, 0)?, arg(self, 1)?, arg(self, 2)?);
                let f64_ = self.float_is_f64(a)?;
                let (ra, rb, rc) = (self.use_val(a)?, self.use_val(b)?, self.use_val(c)?);
                let m = self.emit3(if f64_ { Opcode::MulF64 } else { Opcode::MulF32 }, ra, rb);
                let d = self.def(inst);
                self.emit(
                    if f64_ { Opcode::AddF64 } else { Opcode::AddF32 },
                    vec![MOp::Reg(d), MOp::Reg(m), MOp::Reg(rc)],
                );
                Ok(())
            }
            "stacksave" => {
                let d = self.def(inst);
                self.emit(Opcode::StackSave, vec![MOp::Reg(d)]);
                Ok(())
            }
            "stackrestore" => {
                let r = self.use_val(arg(self, 0)?)?;
                self.emit(Opcode::StackRestore, vec![MOp::Reg(r)]);
                Ok(())
            }
            "trap" | "debugtrap" | "ubsantrap" => {
                self.emit(Opcode::Unreachable, vec![]);
                // Code after a trap is unreachable but must still be a block
                // the verifier accepts; the block's own terminator follows.
                Ok(())
            }
            "va_start" | "va_end" | "va_copy" => self.lower_va_intrinsic(inst, base),
            // A module has no native return address to give: 0 at every
            // level, which GCC documents as the answer for "unknown" (and
            // which code comparing return addresses sees as consistent).
            "returnaddress" => {
                let d = self.def(inst);
                self.materialise_into(d, Const::Int(0), false);
                Ok(())
            }
            // Level 0 is the top of this function's frame, the caller's
            // stack pointer at the call (as RISC-V's frame pointer): above
            // the function's locals and callees' frames, below the
            // caller's locals. Outer levels are 0.
            "frameaddress" => {
                let d = self.def(inst);
                match self.imm(arg(self, 0)?) {
                    Some(0) => self.emit(Opcode::StackAddr, vec![MOp::Reg(d), MOp::Imm(super::lower::FRAME_TOP)]),
                    _ => self.materialise_into(d, Const::Int(0), false),
                }
                Ok(())
            }
            // As LLVM's own lowering before code generation: true for a
            // constant operand, false otherwise.
            "is" if rest.starts_with("is.constant.") => {
                let known = arg(self, 0)?.is_constant();
                let d = self.def(inst);
                self.materialise_into(d, Const::Int(known as i64), false);
                Ok(())
            }
            "is" if rest.starts_with("is.fpclass.") => self.lower_is_fpclass(inst),
            // `FLT_ROUNDS`: to nearest (1), the only rounding mode of the VM.
            "get" if rest == "get.rounding" => {
                let d = self.def(inst);
                self.materialise_into(d, Const::Int(1), false);
                Ok(())
            }
            // Math library calls that -fno-math-errno / -ffast-math turn
            // into intrinsics; as calls they reach the firmware's libm.
            "fma" | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "atan2" | "sinh" | "cosh" | "tanh" | "exp"
            | "exp2" | "exp10" | "log" | "log2" | "log10" | "pow" | "powi" | "lround" | "llround" | "lrint"
            | "llrint" | "ldexp" | "frexp" | "sincos" => self.unsupported(format!(
                "intrinsic `{name}` (a math library call that -fno-math-errno or -ffast-math turned into an \
                 intrinsic: build without those flags, or add -fmath-errno, so it stays a call of the C library)"
            )),
            "ptrmask" => {
                // riscv32 `va_arg` aligns its pointer with it.
                let (p, m) = (arg(self, 0)?, arg(self, 1)?);
                if Self::width(m) != 32 {
                    return self.unsupported(format!("intrinsic `{name}`"));
                }
                let rp = self.use_val(p)?;
                let d = self.def(inst);
                match self.imm(m) {
                    Some(x) => self.emit(Opcode::AndImmI32, vec![MOp::Reg(d), MOp::Reg(rp), MOp::Imm(x as i32 as i64)]),
                    None => {
                        let rm = self.use_val(m)?;
                        self.emit(Opcode::AndI32, vec![MOp::Reg(d), MOp::Reg(rp), MOp::Reg(rm)]);
                    }
                }
                Ok(())
            }
            _ => self.unsupported(format!(
                "intrinsic `{name}` (not supported: see \"Intrinsics\" in docs/architecture.md; move the code \
                 that needs it into a firmware native)"
            )),
        }
    }

    fn float_is_f64(&self, v: Val) -> Result<bool> {
        match v.ty().kind() {
            TypeKind::LLVMFloatTypeKind => Ok(false),
            TypeKind::LLVMDoubleTypeKind => Ok(true),
            _ => self.unsupported(format!("floating-point type `{}`", v.ty().describe())),
        }
    }

    /// ctpop/ctlz/cttz/bswap at every width via the 32/64-bit forms.
    fn lower_bits(&mut self, inst: Val, base: &str) -> Result<()> {
        let a = self.operand(inst, 0)?;
        let w = Self::width(a);
        if w == 64 {
            let op = match base {
                "ctpop" => Opcode::PopcntI64,
                "ctlz" => Opcode::ClzI64,
                "cttz" => Opcode::CtzI64,
                _ => Opcode::BswapI64,
            };
            let r = self.use_val(a)?;
            let d = self.def(inst);
            self.emit(op, vec![MOp::Reg(d), MOp::Reg(r)]);
            return Ok(());
        }
        if (65..=128).contains(&w) {
            return self.wide_bits(inst, base, a, w);
        }
        if w > 64 {
            return self.unsupported(format!("`llvm.{base}` of an i{w}"));
        }
        if w > 32 {
            return self.lower_bits_wide(inst, base, a, w);
        }
        if w == 1 {
            // ctpop/cttz... of an i1: popcount is itself, ctlz/cttz are 1 - x.
            let r = self.use_val(a)?;
            match base {
                "ctlz" | "cttz" => {
                    let d = self.def(inst);
                    self.emit(Opcode::XorImmI32, vec![MOp::Reg(d), MOp::Reg(r), MOp::Imm(1)]);
                }
                _ => self.alias(inst, r),
            }
            return Ok(());
        }
        let d = self.def(inst);
        match base {
            "ctpop" => {
                let r = self.norm(a, false)?;
                self.emit(Opcode::PopcntI32, vec![MOp::Reg(d), MOp::Reg(r)]);
            }
            "ctlz" => {
                let r = self.norm(a, false)?;
                if w == 32 {
                    self.emit(Opcode::ClzI32, vec![MOp::Reg(d), MOp::Reg(r)]);
                } else {
                    let t = self.emit2(Opcode::ClzI32, r);
                    self.emit(Opcode::AddImm8I32, vec![MOp::Reg(d), MOp::Reg(t), MOp::Imm(-(32 - w as i64))]);
                }
            }
            "cttz" => {
                let r = self.use_val(a)?;
                if w == 32 {
                    self.emit(Opcode::CtzI32, vec![MOp::Reg(d), MOp::Reg(r)]);
                } else {
                    // A bit just above the width caps the count at `w`.
                    let t = self.emit_imm(Opcode::OrImmI32, r, 1i64 << w);
                    self.emit(Opcode::CtzI32, vec![MOp::Reg(d), MOp::Reg(t)]);
                }
            }
            _ => {
                let r = self.use_val(a)?;
                match w {
                    32 => self.emit(Opcode::BswapI32, vec![MOp::Reg(d), MOp::Reg(r)]),
                    16 => {
                        let t = self.emit2(Opcode::BswapI32, r);
                        self.emit(Opcode::ShrUImmI32, vec![MOp::Reg(d), MOp::Reg(t), MOp::Imm(16)]);
                    }
                    _ => return self.unsupported(format!("byte swap of an i{w}")),
                }
            }
        }
        Ok(())
    }

    /// ctpop/ctlz/cttz/bswap of i33..i63 via the 64-bit forms.
    fn lower_bits_wide(&mut self, inst: Val, base: &str, a: Val, w: u32) -> Result<()> {
        let spare = (64 - w) as i64;
        let d = self.def(inst);
        match base {
            "ctpop" | "ctlz" => {
                let r = self.norm(a, false)?;
                if base == "ctpop" {
                    self.emit(Opcode::PopcntI64, vec![MOp::Reg(d), MOp::Reg(r)]);
                } else {
                    let t = self.emit2(Opcode::ClzI64, r);
                    self.emit(Opcode::AddImmI64, vec![MOp::Reg(d), MOp::Reg(t), MOp::Imm(-spare)]);
                }
            }
            "cttz" => {
                // A bit just above the width caps the count at `w`.
                let r = self.use_val(a)?;
                let cap = self.materialise(Const::Int(1i64 << w), true);
                let t = self.emit3(Opcode::OrI64, r, cap);
                self.emit(Opcode::CtzI64, vec![MOp::Reg(d), MOp::Reg(t)]);
            }
            // LLVM has bswap for whole 16-bit units only (i48 here).
            _ if w.is_multiple_of(16) => {
                let r = self.use_val(a)?;
                let t = self.emit2(Opcode::BswapI64, r);
                self.emit(Opcode::ShrUImmI64, vec![MOp::Reg(d), MOp::Reg(t), MOp::Imm(spare)]);
            }
            _ => return self.unsupported(format!("byte swap of an i{w}")),
        }
        Ok(())
    }

    /// `llvm.modf` (what clang emits for `modf` at -O2): `{frac, int}` with
    /// `int = trunc(x)` and `frac = x - int` carrying `x`'s sign (so
    /// `modf(-3.0)` gives -0.0), and 0 for infinities.
    fn lower_modf(&mut self, inst: Val) -> Result<()> {
        let a = self.operand(inst, 0)?;
        let f64_ = self.float_is_f64(a)?;
        let x = self.use_val(a)?;
        let k = |f32_k: FUnary| MOp::Imm(f32_k as i64 + f64_ as i64);
        let int = self.new_vreg();
        self.emit(Opcode::FUnary, vec![MOp::Reg(int), MOp::Reg(x), k(FUnary::TruncF32)]);
        let diff = self.new_vreg();
        self.emit_fbinop(Op::LLVMFSub, f64_, diff, x, int);
        let ax = self.new_vreg();
        self.emit(Opcode::FUnary, vec![MOp::Reg(ax), MOp::Reg(x), k(FUnary::AbsF32)]);
        let inf_bits = if f64_ { f64::INFINITY.to_bits() as i64 } else { i64::from(f32::INFINITY.to_bits()) };
        let inf = self.materialise(Const::Int(inf_bits), f64_);
        let is_inf = self.new_vreg();
        let cmp = if f64_ { Opcode::CmpF64 } else { Opcode::CmpF32 };
        self.emit(cmp, vec![MOp::Reg(is_inf), MOp::Reg(ax), MOp::Reg(inf), MOp::Imm(1)]);
        let zero = self.materialise(Const::Int(0), f64_);
        let f = self.select(is_inf, zero, diff);
        let frac = self.new_vreg();
        let cs = FBinary::CopySignF32 as i64 + f64_ as i64;
        self.emit(Opcode::FBinary, vec![MOp::Reg(frac), MOp::Reg(f), MOp::Reg(x), MOp::Imm(cs)]);
        let out = self.agg_regs(inst, 2);
        self.mov(out[0], frac);
        self.mov(out[1], int);
        Ok(())
    }
}
