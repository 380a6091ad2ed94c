//! Saturating add/sub (`llvm.[su]{add,sub}.sat`), funnel shifts that are
//! not rotates (`llvm.fsh[lr]`) and `llvm.bitreverse`, expanded into the
//! VM's integer ops.

use super::consts::{Const, sext, zext};
use super::ir::Val;
use super::lower::{FuncLower, Result};
use super::mir::{MOp, VReg};
use espb_runtime::isa::Opcode;

impl FuncLower<'_> {
    /// `llvm.{s,u}{add,sub}.sat.iN` for N up to 64. Below 64 bits the
    /// operands are extended and the exact result clamped to the range;
    /// at 64 bits the overflow test picks the bound.
    pub fn lower_sat(&mut self, inst: Val, base: &str) -> Result<()> {
        let (a, b) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let w = Self::width(a);
        let signed = base.starts_with('s');
        let sub = base.ends_with("sub");
        if w == 64 {
            return self.sat64(inst, a, b, signed, sub);
        }
        if !(2..64).contains(&w) {
            return self.unsupported(format!("saturating arithmetic on an i{w}"));
        }
        // i32 is computed in 64 bits like the wider odd widths.
        let wide = w >= 32;
        let (mut ra, mut rb) = (self.norm(a, signed)?, self.norm(b, signed)?);
        if w == 32 {
            let ext = if signed { Opcode::SextI32I64 } else { Opcode::ZextI32I64 };
            ra = self.emit2(ext, ra);
            rb = self.emit2(ext, rb);
        }
        let pick = |n: Opcode, x: Opcode| if wide { x } else { n };
        let s = self.emit3(
            if sub { pick(Opcode::SubI32, Opcode::SubI64) } else { pick(Opcode::AddI32, Opcode::AddI64) },
            ra,
            rb,
        );
        let konst = |me: &mut Self, v: i64| me.materialise(Const::Int(v), wide);
        let r = match (signed, sub) {
            (false, false) => {
                let max = konst(self, zext(-1, w));
                self.emit3(pick(Opcode::MinUI32, Opcode::MinUI64), s, max)
            }
            (false, true) => {
                let zero = konst(self, 0);
                self.emit3(pick(Opcode::MaxSI32, Opcode::MaxSI64), s, zero)
            }
            (true, _) => {
                let lo = konst(self, sext(1i64 << (w - 1), w));
                let hi = konst(self, (1i64 << (w - 1)) - 1);
                let t = self.emit3(pick(Opcode::MaxSI32, Opcode::MaxSI64), s, lo);
                self.emit3(pick(Opcode::MinSI32, Opcode::MinSI64), t, hi)
            }
        };
        let d = self.def(inst);
        if w == 32 {
            self.emit(Opcode::WrapI64I32, vec![MOp::Reg(d), MOp::Reg(r)]);
        } else {
            self.mov(d, r);
            let clean = if signed { &mut self.sclean } else { &mut self.zclean };
            clean.insert(inst);
        }
        Ok(())
    }

    fn sat64(&mut self, inst: Val, a: Val, b: Val, signed: bool, sub: bool) -> Result<()> {
        let (ra, rb) = (self.use_val(a)?, self.use_val(b)?);
        let s = self.emit3(if sub { Opcode::SubI64 } else { Opcode::AddI64 }, ra, rb);
        let (ov, bound) = if signed {
            let (x1, x2) = if sub {
                (self.emit3(Opcode::XorI64, ra, rb), self.emit3(Opcode::XorI64, ra, s))
            } else {
                (self.emit3(Opcode::XorI64, ra, s), self.emit3(Opcode::XorI64, rb, s))
            };
            let t = self.emit3(Opcode::AndI64, x1, x2);
            let ov = self.emit_imm(Opcode::ShrUImmI64, t, 63);
            // a < 0 ? MIN : MAX
            let sign = self.emit_imm(Opcode::ShrSImmI64, ra, 63);
            let max = self.materialise(Const::Int(i64::MAX), true);
            (ov, self.emit3(Opcode::XorI64, sign, max))
        } else if sub {
            (self.emit3(Opcode::LtUI64, ra, rb), self.materialise(Const::Int(0), true))
        } else {
            (self.emit3(Opcode::LtUI64, s, ra), self.materialise(Const::Int(-1), true))
        };
        let d = self.def(inst);
        self.emit(Opcode::Select, vec![MOp::Reg(d), MOp::Reg(ov), MOp::Reg(bound), MOp::Reg(s)]);
        Ok(())
    }

    /// `llvm.fshl/fshr.iN(a, b, c)` with `a != b`: the two operands
    /// concatenated in a register twice as wide (N up to 32), shifted, the
    /// right half taken; at 64 bits two shifts and a select for `c % 64 == 0`.
    pub fn lower_funnel(&mut self, inst: Val, left: bool) -> Result<()> {
        let (a, b, c) = (self.operand(inst, 0)?, self.operand(inst, 1)?, self.operand(inst, 2)?);
        let w = Self::width(a);
        if w == 64 {
            return self.funnel64(inst, a, b, c, left);
        }
        if !(2..=32).contains(&w) {
            return self.unsupported(format!("funnel shift on an i{w}"));
        }
        let wide = 2 * w > 32;
        let (mut ra, mut rb) = (self.norm(a, false)?, self.norm(b, false)?);
        let rc = self.norm(c, false)?;
        let amount = if w.is_power_of_two() {
            self.emit_imm(Opcode::AndImmI32, rc, (w - 1) as i64)
        } else {
            let k = self.materialise(Const::Int(w as i64), false);
            self.emit3(Opcode::RemUI32, rc, k)
        };
        if wide {
            ra = self.emit2(Opcode::ZextI32I64, ra);
            rb = self.emit2(Opcode::ZextI32I64, rb);
        }
        let (shl, shr, or) = if wide {
            (Opcode::ShlImmI64, Opcode::ShrUImmI64, Opcode::OrI64)
        } else {
            (Opcode::ShlImmI32, Opcode::ShrUImmI32, Opcode::OrI32)
        };
        let hi = self.emit_imm(shl, ra, w as i64);
        let cat = self.emit3(or, hi, rb);
        let amt = if wide { self.emit2(Opcode::ZextI32I64, amount) } else { amount };
        let shifted = if left {
            let t = self.emit3(if wide { Opcode::ShlI64 } else { Opcode::ShlI32 }, cat, amt);
            self.emit_imm(shr, t, w as i64)
        } else {
            self.emit3(if wide { Opcode::ShrUI64 } else { Opcode::ShrUI32 }, cat, amt)
        };
        let low = if wide { self.emit2(Opcode::WrapI64I32, shifted) } else { shifted };
        let d = self.def(inst);
        if w == 32 {
            self.mov(d, low);
        } else {
            self.emit(Opcode::AndImmI32, vec![MOp::Reg(d), MOp::Reg(low), MOp::Imm(zext(-1, w))]);
            self.zclean.insert(inst);
        }
        Ok(())
    }

    fn funnel64(&mut self, inst: Val, a: Val, b: Val, c: Val, left: bool) -> Result<()> {
        let (ra, rb, rc) = (self.use_val(a)?, self.use_val(b)?, self.use_val(c)?);
        let s = self.emit_imm(Opcode::AndImmI64, rc, 63);
        let k = self.materialise(Const::Int(64), true);
        let inv = self.emit3(Opcode::SubI64, k, s);
        let (x, y) = if left {
            (self.emit3(Opcode::ShlI64, ra, s), self.emit3(Opcode::ShrUI64, rb, inv))
        } else {
            (self.emit3(Opcode::ShrUI64, rb, s), self.emit3(Opcode::ShlI64, ra, inv))
        };
        let r = self.emit3(Opcode::OrI64, x, y);
        let zero = self.materialise(Const::Int(0), true);
        let is0 = self.emit3(Opcode::EqI64, s, zero);
        let d = self.def(inst);
        let keep = if left { ra } else { rb };
        self.emit(Opcode::Select, vec![MOp::Reg(d), MOp::Reg(is0), MOp::Reg(keep), MOp::Reg(r)]);
        Ok(())
    }

    /// `llvm.bitreverse.iN` (N up to 64; 65..128 in wide.rs): the register
    /// reversed, then the N reversed bits shifted down.
    pub fn lower_bitreverse(&mut self, inst: Val) -> Result<()> {
        let a = self.operand(inst, 0)?;
        let w = Self::width(a);
        if (65..=128).contains(&w) {
            return self.wide_bits(inst, "bitreverse", a, w);
        }
        if !(1..=64).contains(&w) {
            return self.unsupported(format!("bit reverse of an i{w}"));
        }
        let wide = w > 32;
        let r = self.use_val(a)?;
        let r = self.reverse_word(r, wide);
        let top = if wide { 64 } else { 32 };
        let d = self.def(inst);
        let rest = (top - w) as i64;
        self.emit(
            if wide { Opcode::ShrUImmI64 } else { Opcode::ShrUImmI32 },
            vec![MOp::Reg(d), MOp::Reg(r), MOp::Imm(rest)],
        );
        if w < 32 || (w > 32 && w < 64) {
            self.zclean.insert(inst);
        }
        Ok(())
    }

    /// All 32 (or, `wide`, 64) bits of `r` in reverse order: swap halves of
    /// ever larger groups.
    pub fn reverse_word(&mut self, r: VReg, wide: bool) -> VReg {
        let mut r = r;
        let (and, shl, shr, or) = if wide {
            (Opcode::AndI64, Opcode::ShlImmI64, Opcode::ShrUImmI64, Opcode::OrI64)
        } else {
            (Opcode::AndI32, Opcode::ShlImmI32, Opcode::ShrUImmI32, Opcode::OrI32)
        };
        const MASKS: [(i64, i64); 5] = [
            (0x5555_5555_5555_5555, 1),
            (0x3333_3333_3333_3333, 2),
            (0x0F0F_0F0F_0F0F_0F0F, 4),
            (0x00FF_00FF_00FF_00FF, 8),
            (0x0000_FFFF_0000_FFFF, 16),
        ];
        for (m, sh) in MASKS {
            let m = if wide { m } else { m as i32 as i64 };
            let mask = self.materialise(Const::Int(m), wide);
            let lo = self.emit3(and, r, mask);
            let lo = self.emit_imm(shl, lo, sh);
            let hi = self.emit_imm(shr, r, sh);
            let hi = self.emit3(and, hi, mask);
            r = self.emit3(or, lo, hi);
        }
        if wide {
            let x = self.emit_imm(Opcode::ShlImmI64, r, 32);
            let y = self.emit_imm(Opcode::ShrUImmI64, r, 32);
            r = self.emit3(Opcode::OrI64, x, y);
        }
        r
    }
}
