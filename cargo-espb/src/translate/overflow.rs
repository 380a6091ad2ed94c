//! `llvm.{s,u}{add,sub,mul}.with.overflow.iN`: the `{iN, i1}` result lives
//! in two registers like every aggregate (`aggregates.rs`).

use super::consts::Const;
use super::ir::{Op, Val, ValKind};
use super::lower::{FuncLower, Result};
use super::mir::{MOp, VReg};
use super::types::is_wide_int;
use espb_runtime::isa::{DivRem128, Opcode};

/// Is `rest` (an intrinsic name without `llvm.`) an overflow intrinsic?
pub fn is_overflow_intrinsic(rest: &str) -> bool {
    let mut p = rest.split('.');
    matches!(p.next(), Some("sadd" | "uadd" | "ssub" | "usub" | "smul" | "umul"))
        && p.next() == Some("with")
        && p.next() == Some("overflow")
}

/// Is `inst` a call of an overflow intrinsic on 65..128-bit integers
/// (`__builtin_mul_overflow` of a signed and an unsigned `long long`
/// gives `llvm.smul.with.overflow.i65`)? The intrinsic's full name.
pub fn wide_overflow_call(inst: Val) -> Option<String> {
    let callee = inst.called_value()?;
    if callee.kind() != ValKind::Function || !inst.operands().first().is_some_and(|a| is_wide_int(*a)) {
        return None;
    }
    let name = callee.name();
    is_overflow_intrinsic(name.strip_prefix("llvm.")?).then_some(name)
}

/// Is `inst` an `extractvalue` of a [`wide_overflow_call`]'s result?
pub fn extracts_wide_overflow(inst: Val) -> bool {
    inst.opcode() == Some(Op::LLVMExtractValue)
        && inst.operands().first().is_some_and(|a| a.kind() == ValKind::Instruction && wide_overflow_call(*a).is_some())
}

impl FuncLower<'_> {
    /// `llvm.{s,u}mul.with.overflow.iN`, N = 65..128 (signed up to 127):
    /// the wrapped product, and the overflow flag from dividing it by the
    /// first operand, which gives back the second with no remainder
    /// exactly when the product fits (never when that operand is 0). The
    /// three registers (low word, high word, flag) are the result's.
    pub fn lower_wide_overflow(&mut self, inst: Val, name: &str) -> Result<()> {
        let (a, b) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let w = Self::width(a);
        let rest = name.strip_prefix("llvm.").unwrap_or(name);
        let signed = rest.starts_with('s');
        if !rest.starts_with("smul.") && !rest.starts_with("umul.") || (signed && w == 128) {
            return self.unsupported(format!(
                "intrinsic `{name}` (overflow-checked arithmetic on {w}-bit integers; `__builtin_*_overflow` \
                 with operands of one signedness, or of at most 32 bits, stays within 64)"
            ));
        }
        let hib = w - 64;
        let [al, ah] = self.wide_val(a)?;
        let [bl, bh] = self.wide_val(b)?;
        let (pl, ph) = self.wide_mul_words([al, ah], [bl, bh]);
        let ph = self.wide_mask(ph, hib);
        let (ah, bh, ph_x) = if signed {
            (self.wide_signed_hi(ah, hib), self.wide_signed_hi(bh, hib), self.wide_signed_hi(ph, hib))
        } else {
            (ah, bh, ph)
        };
        let zero = self.materialise(Const::Int(0), true);
        let one = self.materialise(Const::Int(1), true);
        let any = self.emit3(Opcode::OrI64, al, ah);
        let a_zero = self.emit3(Opcode::EqI64, any, zero);
        let (dl, dh) = (self.new_vreg(), self.new_vreg());
        self.emit(Opcode::Select, vec![MOp::Reg(dl), MOp::Reg(a_zero), MOp::Reg(one), MOp::Reg(al)]);
        self.emit(Opcode::Select, vec![MOp::Reg(dh), MOp::Reg(a_zero), MOp::Reg(zero), MOp::Reg(ah)]);
        let (dk, rk) = if signed { (DivRem128::DivS, DivRem128::RemS) } else { (DivRem128::DivU, DivRem128::RemU) };
        let divrem = |me: &mut Self, k: DivRem128| {
            let (lo, hi) = (me.new_vreg(), me.new_vreg());
            me.emit(
                Opcode::DivRem128,
                vec![
                    MOp::Reg(lo),
                    MOp::Reg(hi),
                    MOp::Reg(pl),
                    MOp::Reg(ph_x),
                    MOp::Reg(dl),
                    MOp::Reg(dh),
                    MOp::Imm(k as i64),
                ],
            );
            (lo, hi)
        };
        let (ql, qh) = divrem(self, dk);
        let (rl, rh) = divrem(self, rk);
        let xl = self.emit3(Opcode::XorI64, ql, bl);
        let xh = self.emit3(Opcode::XorI64, qh, bh);
        let t = self.emit3(Opcode::OrI64, xl, xh);
        let t = self.emit3(Opcode::OrI64, t, rl);
        let t = self.emit3(Opcode::OrI64, t, rh);
        let bad = self.emit3(Opcode::NeI64, t, zero);
        let nz = self.emit_imm(Opcode::XorImmI32, a_zero, 1);
        let ov = self.emit3(Opcode::AndI32, bad, nz);
        let r = self.agg_regs(inst, 3);
        self.mov(r[0], pl);
        self.mov(r[1], ph);
        self.mov(r[2], ov);
        Ok(())
    }

    /// `extractvalue` of a [`wide_overflow_call`]: the product (two words)
    /// or the flag.
    pub fn lower_wide_overflow_extract(&mut self, inst: Val) -> Result<()> {
        let agg = self.operand(inst, 0)?;
        let r = self.agg_regs(agg, 3);
        match inst.agg_indices().as_slice() {
            [0] => {
                let lr = self.agg_regs(inst, 2);
                self.mov(lr[0], r[0]);
                self.mov(lr[1], r[1]);
            }
            [1] => self.alias(inst, r[2]),
            _ => return self.internal("extractvalue index of an overflow intrinsic"),
        }
        Ok(())
    }

    /// `{value, overflow}` of `llvm.<base>.with.overflow.iN`.
    pub fn lower_overflow(&mut self, inst: Val, base: &str) -> Result<()> {
        let (a, b) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let w = Self::width(a);
        let signed = base.starts_with('s');
        let kind = &base[1..];
        let (val, ov) = match w {
            64 => self.overflow64(kind, signed, a, b)?,
            2..=32 => self.overflow32(kind, signed, w, a, b)?,
            33..=63 => self.overflow_odd64(kind, signed, w, a, b)?,
            _ => return self.unsupported(format!("overflow intrinsic on an i{w}")),
        };
        match self.aggs.get(&inst).cloned() {
            Some(r) => {
                self.mov(r[0], val);
                self.mov(r[1], ov);
            }
            None => {
                self.aggs.insert(inst, vec![val, ov]);
            }
        }
        Ok(())
    }

    /// Sign-extends the low `w` bits of `r` (w < 32).
    fn sext_bits(&mut self, r: VReg, w: u32) -> VReg {
        match w {
            8 => self.emit2(Opcode::Sext8I32, r),
            16 => self.emit2(Opcode::Sext16I32, r),
            _ => {
                let t = self.emit_imm(Opcode::ShlImmI32, r, (32 - w) as i64);
                self.emit_imm(Opcode::ShrSImmI32, t, (32 - w) as i64)
            }
        }
    }

    fn overflow32(&mut self, kind: &str, signed: bool, w: u32, a: Val, b: Val) -> Result<(VReg, VReg)> {
        let (ra, rb) =
            if w == 32 { (self.use_val(a)?, self.use_val(b)?) } else { (self.norm(a, signed)?, self.norm(b, signed)?) };
        let mask = super::consts::zext(-1, w);
        let op = match kind {
            "add" => Opcode::AddI32,
            "sub" => Opcode::SubI32,
            _ => Opcode::MulI32,
        };
        let s = self.emit3(op, ra, rb);
        let ov = match (kind, signed, w == 32) {
            // Operands extended to 32 bits: add/sub are exact, and so is
            // mul up to 16 bits; the result overflows iff it does not fit.
            (_, false, false) if kind != "sub" => {
                let o = self.emit_imm(Opcode::GtUImmI32, s, mask);
                if kind == "mul" && w > 16 {
                    let hi = self.emit3(Opcode::MulHUI32, ra, rb);
                    let h = self.emit_imm(Opcode::NeImmI32, hi, 0);
                    self.emit3(Opcode::OrI32, o, h)
                } else {
                    o
                }
            }
            ("sub", false, _) => self.emit3(Opcode::LtUI32, ra, rb),
            (_, true, false) => {
                let e = self.sext_bits(s, w);
                let o = self.emit3(Opcode::NeI32, e, s);
                if kind == "mul" && w > 16 {
                    let hi = self.emit3(Opcode::MulHSI32, ra, rb);
                    let sg = self.emit_imm(Opcode::ShrSImmI32, s, 31);
                    let h = self.emit3(Opcode::NeI32, hi, sg);
                    self.emit3(Opcode::OrI32, o, h)
                } else {
                    o
                }
            }
            ("add", false, true) => self.emit3(Opcode::LtUI32, s, ra),
            ("mul", false, true) => {
                let hi = self.emit3(Opcode::MulHUI32, ra, rb);
                self.emit_imm(Opcode::NeImmI32, hi, 0)
            }
            ("mul", true, true) => {
                let hi = self.emit3(Opcode::MulHSI32, ra, rb);
                let sg = self.emit_imm(Opcode::ShrSImmI32, s, 31);
                self.emit3(Opcode::NeI32, hi, sg)
            }
            // Signed add/sub: the sign of the result is wrong.
            (_, true, true) => {
                let (x1, x2) = if kind == "add" {
                    (self.emit3(Opcode::XorI32, ra, s), self.emit3(Opcode::XorI32, rb, s))
                } else {
                    (self.emit3(Opcode::XorI32, ra, rb), self.emit3(Opcode::XorI32, ra, s))
                };
                let t = self.emit3(Opcode::AndI32, x1, x2);
                self.emit_imm(Opcode::ShrUImmI32, t, 31)
            }
            _ => return self.internal(format!("overflow intrinsic {kind}")),
        };
        Ok((s, ov))
    }

    /// i33..i63: the operands extended to 64 bits make add and sub exact;
    /// the result overflows iff it does not fit `w` bits (for mul also if
    /// the 128-bit product's high half is not the sign of the low).
    fn overflow_odd64(&mut self, kind: &str, signed: bool, w: u32, a: Val, b: Val) -> Result<(VReg, VReg)> {
        let (ra, rb) = (self.norm(a, signed)?, self.norm(b, signed)?);
        let op = match kind {
            "add" => Opcode::AddI64,
            "sub" => Opcode::SubI64,
            _ => Opcode::MulI64,
        };
        let s = self.emit3(op, ra, rb);
        let spare = i64::from(64 - w);
        let fits_not = if signed {
            let t = self.emit_imm(Opcode::ShlImmI64, s, spare);
            let e = self.emit_imm(Opcode::ShrSImmI64, t, spare);
            self.emit3(Opcode::NeI64, e, s)
        } else if kind == "sub" {
            self.emit3(Opcode::LtUI64, ra, rb)
        } else {
            let mask = self.materialise(Const::Int(super::consts::zext(-1, w)), true);
            self.emit3(Opcode::LtUI64, mask, s)
        };
        if kind != "mul" {
            return Ok((s, fits_not));
        }
        let high_bad = if signed {
            let hi = self.emit3(Opcode::MulHSI64, ra, rb);
            let sg = self.emit_imm(Opcode::ShrSImmI64, s, 63);
            self.emit3(Opcode::NeI64, hi, sg)
        } else {
            let hi = self.emit3(Opcode::MulHUI64, ra, rb);
            let zero = self.materialise(Const::Int(0), true);
            self.emit3(Opcode::NeI64, hi, zero)
        };
        Ok((s, self.emit3(Opcode::OrI32, fits_not, high_bad)))
    }

    fn overflow64(&mut self, kind: &str, signed: bool, a: Val, b: Val) -> Result<(VReg, VReg)> {
        let (ra, rb) = (self.use_val(a)?, self.use_val(b)?);
        let op = match kind {
            "add" => Opcode::AddI64,
            "sub" => Opcode::SubI64,
            _ => Opcode::MulI64,
        };
        let s = self.emit3(op, ra, rb);
        let ov = match (kind, signed) {
            ("add", false) => self.emit3(Opcode::LtUI64, s, ra),
            ("sub", false) => self.emit3(Opcode::LtUI64, ra, rb),
            ("mul", false) => {
                let hi = self.emit3(Opcode::MulHUI64, ra, rb);
                let zero = self.materialise(Const::Int(0), true);
                self.emit3(Opcode::NeI64, hi, zero)
            }
            ("mul", true) => {
                let hi = self.emit3(Opcode::MulHSI64, ra, rb);
                let sg = self.emit_imm(Opcode::ShrSImmI64, s, 63);
                self.emit3(Opcode::NeI64, hi, sg)
            }
            _ => {
                let (x1, x2) = if kind == "add" {
                    (self.emit3(Opcode::XorI64, ra, s), self.emit3(Opcode::XorI64, rb, s))
                } else {
                    (self.emit3(Opcode::XorI64, ra, rb), self.emit3(Opcode::XorI64, ra, s))
                };
                let t = self.emit3(Opcode::AndI64, x1, x2);
                self.emit_imm(Opcode::ShrUImmI64, t, 63)
            }
        };
        Ok((s, ov))
    }
}
