//! Saturating add/sub (`llvm.[su]{add,sub}.sat`), funnel shifts that are
//! not rotates (`llvm.fsh[lr]`), `llvm.bitreverse` and `llvm.is.fpclass`,
//! expanded into the VM's integer ops.

use super::consts::{Const, sext, zext};
use super::ir::{TypeKind, Val};
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

    /// `llvm.is.fpclass.f32/f64(x, mask)`: integer tests on the bits of `x`
    /// (magnitude against the exponent's all-ones pattern, the quiet bit,
    /// the smallest normal; the sign bit), one per class of the mask
    /// (bit 0 signaling NaN, 1 quiet NaN, 2..5 negative infinity, normal,
    /// subnormal, zero, 6..9 the positive ones), or-ed together.
    pub fn lower_is_fpclass(&mut self, inst: Val) -> Result<()> {
        let x = self.operand(inst, 0)?;
        let wide = match x.ty().kind() {
            TypeKind::LLVMFloatTypeKind => false,
            TypeKind::LLVMDoubleTypeKind => true,
            _ => return self.unsupported(format!("`llvm.is.fpclass` of `{}`", x.ty().describe())),
        };
        let Some(mask) = self.imm(self.operand(inst, 1)?) else {
            return self.unsupported("`llvm.is.fpclass` with a variable class mask");
        };
        let mask = mask & 0x3ff;
        let (bits, man) = if wide { (64u32, 52u32) } else { (32, 23) };
        let c = |me: &mut Self, v: u64| me.materialise(Const::Int(v as i64), wide);
        let (ltu, eq, and, sub) = if wide {
            (Opcode::LtUI64, Opcode::EqI64, Opcode::AndI64, Opcode::SubI64)
        } else {
            (Opcode::LtUI32, Opcode::EqI32, Opcode::AndI32, Opcode::SubI32)
        };
        let inf = ((1u64 << (bits - 1 - man)) - 1) << man;
        let quiet = 1u64 << (man - 1);
        let min_normal = 1u64 << man;
        let r = self.use_val(x)?;
        let abs_mask = c(self, (1u64 << (bits - 1)) - 1);
        let abs = self.emit3(and, r, abs_mask);
        let neg = self.emit_imm(if wide { Opcode::ShrUImmI64 } else { Opcode::ShrUImmI32 }, r, (bits - 1) as i64);
        let pos = self.emit_imm(Opcode::XorImmI32, neg, 1);
        let one = c(self, 1);
        // Per class pair (negative bit, positive bit): the magnitude test.
        let mut terms = Vec::new();
        let kinds: [(u32, u32); 4] = [(2, 9), (3, 8), (4, 7), (5, 6)];
        if mask & 3 != 0 {
            let kinf = c(self, inf);
            let nan = self.emit3(ltu, kinf, abs);
            let t = match mask & 3 {
                3 => nan,
                m => {
                    let kq = c(self, inf | quiet);
                    let is_q = self.emit3(ltu, abs, kq);
                    let is_q = self.emit_imm(Opcode::XorImmI32, is_q, 1);
                    if m == 2 {
                        is_q
                    } else {
                        let not_q = self.emit_imm(Opcode::XorImmI32, is_q, 1);
                        self.emit3(Opcode::AndI32, nan, not_q)
                    }
                }
            };
            terms.push(t);
        }
        for (i, (nb, pb)) in kinds.into_iter().enumerate() {
            let (n, p) = (mask >> nb & 1 != 0, mask >> pb & 1 != 0);
            if !n && !p {
                continue;
            }
            let test = match i {
                0 => {
                    let k = c(self, inf);
                    self.emit3(eq, abs, k)
                }
                1 => {
                    // min_normal <= abs < inf: (abs - min_normal) < (inf - min_normal)
                    let k = c(self, min_normal);
                    let t = self.emit3(sub, abs, k);
                    let span = c(self, inf - min_normal);
                    self.emit3(ltu, t, span)
                }
                2 => {
                    // 0 < abs < min_normal: (abs - 1) < (min_normal - 1)
                    let t = self.emit3(sub, abs, one);
                    let span = c(self, min_normal - 1);
                    self.emit3(ltu, t, span)
                }
                _ => {
                    let z = c(self, 0);
                    self.emit3(eq, abs, z)
                }
            };
            terms.push(match (n, p) {
                (true, true) => test,
                (true, false) => self.emit3(Opcode::AndI32, test, neg),
                _ => self.emit3(Opcode::AndI32, test, pos),
            });
        }
        let d = self.def(inst);
        match terms.split_first() {
            None => self.materialise_into(d, Const::Int(0), false),
            Some((&first, rest)) => {
                let mut acc = first;
                for &t in rest {
                    acc = self.emit3(Opcode::OrI32, acc, t);
                }
                self.mov(d, acc);
            }
        }
        Ok(())
    }
}
