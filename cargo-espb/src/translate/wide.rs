//! Integers of 65 to 128 bits, as clang emits them to read and write wide
//! bit-fields of packed structs (`load i112`, shifts by constants, masks,
//! truncation): a value lives in two 64-bit registers, the low word and
//! the high word, the high word zero-extended above the width. Loads and
//! stores touch exactly the type's store size. Addition, subtraction and
//! multiplication are sequences of 64-bit instructions (carries from
//! unsigned compares, the high product from `mulh.u.i64`), division and
//! remainder one `divrem.i128` on the operands extended to 128 bits,
//! shifts by a variable amount a select between the two halves' cases.

use super::consts::{Const, zext};
use super::ir::{Op, Val, ValKind};
use super::lower::{FuncLower, Result};
use super::mir::{MOp, VReg};
use super::types::is_wide_int;
use espb_runtime::isa::{DivRem128, Opcode};
use inkwell::llvm_sys::LLVMIntPredicate as P;

/// Does instruction `inst` produce or read a 65..128-bit integer?
pub fn touches_wide(inst: Val) -> bool {
    is_wide_int(inst) || inst.operands().iter().any(|o| is_wide_int(*o))
}

/// The intrinsics of 65..128-bit integers [`FuncLower::wide_bits`] does.
const WIDE_INTRINSICS: [&str; 10] =
    ["ctpop", "ctlz", "cttz", "bswap", "bitreverse", "smin", "smax", "umin", "umax", "abs"];

/// Is `inst` a call of one of [`WIDE_INTRINSICS`] on a 65..128-bit
/// integer? Its name (`ctpop`...).
pub fn wide_bits_call(inst: Val) -> Option<&'static str> {
    let callee = inst.called_value()?;
    if !is_wide_int(inst) || callee.kind() != ValKind::Function {
        return None;
    }
    let name = callee.name();
    let base = name.strip_prefix("llvm.")?.split('.').next()?;
    WIDE_INTRINSICS.iter().copied().find(|&w| w == base)
}

/// (offset, size) pieces of an `n`-byte access (n = 1..8) that single
/// loads and stores can do, low bytes first.
fn pieces(n: u32) -> &'static [(i64, u32)] {
    match n {
        1 => &[(0, 1)],
        2 => &[(0, 2)],
        3 => &[(0, 2), (2, 1)],
        4 => &[(0, 4)],
        5 => &[(0, 4), (4, 1)],
        6 => &[(0, 4), (4, 2)],
        7 => &[(0, 4), (4, 2), (6, 1)],
        _ => &[(0, 8)],
    }
}

impl FuncLower<'_> {
    fn wide_unsupported<T>(&self, inst: Val, what: &str) -> Result<T> {
        let w = if is_wide_int(inst) { inst.ty().int_width() } else { 128 };
        self.unsupported(format!("{what} on a {w}-bit integer"))
    }

    /// Bits of the high word: `w - 64`.
    fn hi_bits(v: Val) -> u32 {
        v.ty().int_width() - 64
    }

    /// Zero-extends the high word above the width (canonical form).
    pub(super) fn wide_mask(&mut self, hi: VReg, hib: u32) -> VReg {
        if hib >= 64 {
            return hi;
        }
        let m = self.materialise(Const::Int(zext(-1, hib)), true);
        self.emit3(Opcode::AndI64, hi, m)
    }

    /// The two words of a wide value (constants materialised).
    pub fn wide_val(&mut self, v: Val) -> Result<[VReg; 2]> {
        match v.kind() {
            ValKind::Instruction | ValKind::Argument => {
                let r = self.agg_regs(v, 2);
                Ok([r[0], r[1]])
            }
            ValKind::ConstInt | ValKind::NullOrUndef => {
                let bits = if v.kind() == ValKind::ConstInt {
                    match v.const_wide_value() {
                        Some(b) => b,
                        None => return self.internal("wide constant"),
                    }
                } else {
                    0
                };
                let hib = Self::hi_bits(v);
                let hi = (bits >> 64) as u64 & if hib >= 64 { u64::MAX } else { (1u64 << hib) - 1 };
                let lo = self.materialise(Const::Int(bits as u64 as i64), true);
                let hi = self.materialise(Const::Int(hi as i64), true);
                Ok([lo, hi])
            }
            _ => self.wide_unsupported(v, "constant expression"),
        }
    }

    fn wide_def(&mut self, inst: Val, lo: VReg, hi: VReg) {
        let r = self.agg_regs(inst, 2);
        self.mov(r[0], lo);
        self.mov(r[1], hi);
    }

    /// An `n`-byte little-endian load (n = 1..8) into a 64-bit register.
    fn load_bytes(&mut self, a: VReg, off: i64, n: u32) -> VReg {
        let mut acc: Option<VReg> = None;
        for &(o, size) in pieces(n) {
            let op = match size {
                1 => Opcode::LoadI8U,
                2 => Opcode::LoadI16U,
                4 => Opcode::LoadI32,
                _ => Opcode::LoadI64,
            };
            let mut p = self.emit_imm(op, a, off + o);
            if size == 4 {
                p = self.emit2(Opcode::ZextI32I64, p);
            }
            if o > 0 {
                p = self.emit_imm(Opcode::ShlImmI64, p, 8 * o);
            }
            acc = Some(match acc {
                None => p,
                Some(x) => self.emit3(Opcode::OrI64, x, p),
            });
        }
        acc.unwrap_or(a)
    }

    fn store_bytes(&mut self, v: VReg, a: VReg, off: i64, n: u32) {
        for &(o, size) in pieces(n) {
            let p = if o == 0 { v } else { self.emit_imm(Opcode::ShrUImmI64, v, 8 * o) };
            let op = match size {
                1 => Opcode::StoreI8,
                2 => Opcode::StoreI16,
                4 => Opcode::StoreI32,
                _ => Opcode::StoreI64,
            };
            self.emit(op, vec![MOp::Reg(p), MOp::Reg(a), MOp::Imm(off + o)]);
        }
    }

    /// Sign-extends the high word from its `hib` bits.
    pub(super) fn wide_signed_hi(&mut self, hi: VReg, hib: u32) -> VReg {
        if hib >= 64 {
            return hi;
        }
        let s = (64 - hib) as i64;
        let t = self.emit_imm(Opcode::ShlImmI64, hi, s);
        self.emit_imm(Opcode::ShrSImmI64, t, s)
    }

    /// Lowers an instruction that reads or writes a 65..128-bit integer.
    pub fn lower_wide(&mut self, inst: Val) -> Result<()> {
        let Some(op) = inst.opcode() else { return self.internal("instruction without opcode") };
        match op {
            Op::LLVMLoad => {
                let (a, off) = self.base_addr(self.operand(inst, 0)?, 16)?;
                let n = inst.ty().int_width().div_ceil(8);
                let lo = self.emit_imm(Opcode::LoadI64, a, off);
                let hi = self.load_bytes(a, off + 8, n - 8);
                let hi =
                    if inst.ty().int_width().is_multiple_of(8) { hi } else { self.wide_mask(hi, Self::hi_bits(inst)) };
                self.wide_def(inst, lo, hi);
            }
            Op::LLVMStore => {
                let v = self.operand(inst, 0)?;
                let [lo, hi] = self.wide_val(v)?;
                let (a, off) = self.base_addr(self.operand(inst, 1)?, 16)?;
                let n = v.ty().int_width().div_ceil(8);
                self.emit(Opcode::StoreI64, vec![MOp::Reg(lo), MOp::Reg(a), MOp::Imm(off)]);
                self.store_bytes(hi, a, off + 8, n - 8);
            }
            Op::LLVMAnd | Op::LLVMOr | Op::LLVMXor => {
                let [al, ah] = self.wide_val(self.operand(inst, 0)?)?;
                let [bl, bh] = self.wide_val(self.operand(inst, 1)?)?;
                let o = match op {
                    Op::LLVMAnd => Opcode::AndI64,
                    Op::LLVMOr => Opcode::OrI64,
                    _ => Opcode::XorI64,
                };
                let lo = self.emit3(o, al, bl);
                let hi = self.emit3(o, ah, bh);
                self.wide_def(inst, lo, hi);
            }
            Op::LLVMShl | Op::LLVMLShr | Op::LLVMAShr => self.wide_shift(inst, op)?,
            Op::LLVMAdd | Op::LLVMSub | Op::LLVMMul => self.wide_arith(inst, op)?,
            Op::LLVMUDiv | Op::LLVMSDiv | Op::LLVMURem | Op::LLVMSRem => self.wide_divrem(inst, op)?,
            Op::LLVMTrunc => {
                let s = self.operand(inst, 0)?;
                let [lo, hi] = self.wide_val(s)?;
                let dw = inst.ty().int_width();
                if is_wide_int(inst) {
                    let hi = self.wide_mask(hi, dw - 64);
                    self.wide_def(inst, lo, hi);
                } else if dw > 32 {
                    self.alias(inst, lo);
                } else if dw == 1 {
                    // An i1 stays 0 or 1.
                    let t = self.emit2(Opcode::WrapI64I32, lo);
                    let d = self.def(inst);
                    self.emit(Opcode::AndImmI32, vec![MOp::Reg(d), MOp::Reg(t), MOp::Imm(1)]);
                } else {
                    let d = self.def(inst);
                    self.emit(Opcode::WrapI64I32, vec![MOp::Reg(d), MOp::Reg(lo)]);
                }
            }
            Op::LLVMZExt | Op::LLVMSExt => {
                let s = self.operand(inst, 0)?;
                let signed = op == Op::LLVMSExt;
                let hib = Self::hi_bits(inst);
                if is_wide_int(s) {
                    let [lo, hi] = self.wide_val(s)?;
                    let hi = if signed {
                        let sh = self.wide_signed_hi(hi, Self::hi_bits(s));
                        self.wide_mask(sh, hib)
                    } else {
                        hi
                    };
                    self.wide_def(inst, lo, hi);
                } else {
                    let r = self.norm(s, signed)?;
                    let lo = if super::types::is_wide(s.ty()) {
                        r
                    } else {
                        self.emit2(if signed { Opcode::SextI32I64 } else { Opcode::ZextI32I64 }, r)
                    };
                    let hi = if signed {
                        let t = self.emit_imm(Opcode::ShrSImmI64, lo, 63);
                        self.wide_mask(t, hib)
                    } else {
                        self.materialise(Const::Int(0), true)
                    };
                    self.wide_def(inst, lo, hi);
                }
            }
            Op::LLVMICmp => self.wide_icmp(inst)?,
            Op::LLVMSIToFP | Op::LLVMUIToFP => self.wide_to_float(inst, op == Op::LLVMSIToFP)?,
            Op::LLVMFPToSI | Op::LLVMFPToUI => self.float_to_wide(inst, op == Op::LLVMFPToSI)?,
            Op::LLVMSelect => {
                let c = self.use_val(self.operand(inst, 0)?)?;
                let [al, ah] = self.wide_val(self.operand(inst, 1)?)?;
                let [bl, bh] = self.wide_val(self.operand(inst, 2)?)?;
                let (lo, hi) = (self.select(c, al, bl), self.select(c, ah, bh));
                self.wide_def(inst, lo, hi);
            }
            Op::LLVMFreeze => {
                let [lo, hi] = self.wide_val(self.operand(inst, 0)?)?;
                self.wide_def(inst, lo, hi);
            }
            Op::LLVMPHI => {
                self.wide_val(inst)?;
            }
            other => {
                let what = match other {
                    Op::LLVMCall => "call",
                    _ => "this instruction",
                };
                return self.wide_unsupported(inst, what);
            }
        }
        Ok(())
    }

    /// `0 - (hi:lo)` in 128 bits.
    fn wide_neg(&mut self, lo: VReg, hi: VReg) -> (VReg, VReg) {
        let zero = self.materialise(Const::Int(0), true);
        let nlo = self.emit3(Opcode::SubI64, zero, lo);
        let borrow = self.emit3(Opcode::NeI64, lo, zero);
        let borrow = self.emit2(Opcode::ZextI32I64, borrow);
        let nhi = self.emit3(Opcode::SubI64, zero, hi);
        (nlo, self.emit3(Opcode::SubI64, nhi, borrow))
    }

    fn convert(&mut self, s: VReg, k: espb_runtime::isa::Conv) -> VReg {
        let d = self.new_vreg();
        self.emit(Opcode::Convert, vec![MOp::Reg(d), MOp::Reg(s), MOp::Imm(k as i64)]);
        d
    }

    /// `sitofp`/`uitofp` of a wide integer, rounded once to nearest even:
    /// the magnitude's top 64 bits (from its leading one) with a sticky bit
    /// for the rest go through the exact 64-bit conversion, then a power of
    /// two puts them in place (exact; too large for a float is infinity, as
    /// the rounded value is then 2^128).
    fn wide_to_float(&mut self, inst: Val, signed: bool) -> Result<()> {
        use espb_runtime::isa::Conv;
        let s = self.operand(inst, 0)?;
        let f64_ = match inst.ty().kind() {
            inkwell::llvm_sys::LLVMTypeKind::LLVMDoubleTypeKind => true,
            inkwell::llvm_sys::LLVMTypeKind::LLVMFloatTypeKind => false,
            _ => return self.wide_unsupported(s, "conversion to this floating-point type"),
        };
        let [lo, hi] = self.wide_val(s)?;
        let zero = self.materialise(Const::Int(0), true);
        let (lo, hi, neg) = if signed {
            let hi = self.wide_signed_hi(hi, Self::hi_bits(s));
            let neg = self.emit3(Opcode::LtSI64, hi, zero);
            let (nlo, nhi) = self.wide_neg(lo, hi);
            (self.select(neg, nlo, lo), self.select(neg, nhi, hi), Some(neg))
        } else {
            (lo, hi, None)
        };
        let n = self.emit2(Opcode::ClzI64, hi);
        let top = self.emit3(Opcode::ShlI64, hi, n);
        // lo >> (64 - n) without a shift by 64: (lo >> 1) >> (63 - n).
        let half = self.emit_imm(Opcode::ShrUImmI64, lo, 1);
        let m63 = self.materialise(Const::Int(63), true);
        let back = self.emit3(Opcode::SubI64, m63, n);
        let from_lo = self.emit3(Opcode::ShrUI64, half, back);
        let top = self.emit3(Opcode::OrI64, top, from_lo);
        let rest = self.emit3(Opcode::ShlI64, lo, n);
        let sticky = self.emit3(Opcode::NeI64, rest, zero);
        let sticky = self.emit2(Opcode::ZextI32I64, sticky);
        let top = self.emit3(Opcode::OrI64, top, sticky);
        let (conv, mul) = if f64_ { (Conv::I64UToF64, Opcode::MulF64) } else { (Conv::I64UToF32, Opcode::MulF32) };
        let rounded = self.convert(top, conv);
        // 2^(64 - n) as the float's bits: exponent bias + 64 - n.
        let (bias, frac) = if f64_ { (1023 + 64, 52) } else { (127 + 64, 23) };
        let b = self.materialise(Const::Int(bias), true);
        let e = self.emit3(Opcode::SubI64, b, n);
        let scale = self.emit_imm(Opcode::ShlImmI64, e, frac);
        let scale = if f64_ { scale } else { self.emit2(Opcode::WrapI64I32, scale) };
        let big = self.emit3(mul, rounded, scale);
        let small = self.convert(lo, conv);
        let hi_zero = self.emit3(Opcode::EqI64, hi, zero);
        let mut r = self.select(hi_zero, small, big);
        if let Some(neg) = neg {
            // Flip the sign bit of a negative number's magnitude.
            let sign = self.materialise(Const::Int(if f64_ { i64::MIN } else { i64::from(i32::MIN) }), f64_);
            let flipped = self.emit3(if f64_ { Opcode::XorI64 } else { Opcode::XorI32 }, r, sign);
            r = self.select(neg, flipped, r);
        }
        self.alias(inst, r);
        Ok(())
    }

    /// `fptosi`/`fptoui` to a wide integer, truncating toward zero: the
    /// magnitude's high word is `trunc(x / 2^64)`, its low word what remains
    /// (exact: both words come from the float's 53 bits). Values out of
    /// range are poison in LLVM; they give some value here.
    fn float_to_wide(&mut self, inst: Val, signed: bool) -> Result<()> {
        use espb_runtime::isa::Conv;
        let s = self.operand(inst, 0)?;
        let x = self.use_val(s)?;
        let x = match s.ty().kind() {
            inkwell::llvm_sys::LLVMTypeKind::LLVMDoubleTypeKind => x,
            inkwell::llvm_sys::LLVMTypeKind::LLVMFloatTypeKind => self.convert(x, Conv::F32ToF64),
            _ => return self.wide_unsupported(inst, "conversion from this floating-point type"),
        };
        let neg = self.emit_imm(Opcode::ShrUImmI64, x, 63);
        let neg = self.emit2(Opcode::WrapI64I32, neg);
        let mag_mask = self.materialise(Const::Int(i64::MAX), true);
        let a = self.emit3(Opcode::AndI64, x, mag_mask);
        let two_m64 = self.materialise(Const::Int(((1023 - 64) as i64) << 52), true);
        let two_64 = self.materialise(Const::Int(((1023 + 64) as i64) << 52), true);
        let q = self.emit3(Opcode::MulF64, a, two_m64);
        let hi = self.convert(q, Conv::F64ToI64U);
        let hif = self.convert(hi, Conv::I64UToF64);
        let hif = self.emit3(Opcode::MulF64, hif, two_64);
        let rem = self.emit3(Opcode::SubF64, a, hif);
        let lo = self.convert(rem, Conv::F64ToI64U);
        let (lo, hi) = if signed {
            let (nlo, nhi) = self.wide_neg(lo, hi);
            (self.select(neg, nlo, lo), self.select(neg, nhi, hi))
        } else {
            (lo, hi)
        };
        let hi = self.wide_mask(hi, Self::hi_bits(inst));
        self.wide_def(inst, lo, hi);
        Ok(())
    }

    /// `ctpop`, `ctlz`, `cttz`, `bswap`, `bitreverse`, `smin`, `smax`,
    /// `umin`, `umax` and `abs` of an i65..i128 (`a`, `w` bits; the high
    /// word is zero above the width). The counts are wide results too; a
    /// zero input counts `w` (the `is_zero_poison` flag only allows less).
    pub fn wide_bits(&mut self, inst: Val, base: &str, a: Val, w: u32) -> Result<()> {
        let [lo, hi] = self.wide_val(a)?;
        let zero = self.materialise(Const::Int(0), true);
        let (rlo, rhi) = match base {
            "ctpop" => {
                let (p, q) = (self.emit2(Opcode::PopcntI64, lo), self.emit2(Opcode::PopcntI64, hi));
                (self.emit3(Opcode::AddI64, p, q), zero)
            }
            "ctlz" => {
                let chi = self.emit2(Opcode::ClzI64, hi);
                let clo = self.emit2(Opcode::ClzI64, lo);
                let clo = self.emit_imm(Opcode::AddImmI64, clo, 64);
                let hi_zero = self.emit3(Opcode::EqI64, hi, zero);
                let c = self.select(hi_zero, clo, chi);
                (self.emit_imm(Opcode::AddImmI64, c, -i64::from(128 - w)), zero)
            }
            "cttz" => {
                // A bit just above the width caps the count at `w`.
                let capped = if w < 128 {
                    let cap = self.materialise(Const::Int(1i64 << (w - 64)), true);
                    self.emit3(Opcode::OrI64, hi, cap)
                } else {
                    hi
                };
                let chi = self.emit2(Opcode::CtzI64, capped);
                let chi = self.emit_imm(Opcode::AddImmI64, chi, 64);
                let clo = self.emit2(Opcode::CtzI64, lo);
                let lo_zero = self.emit3(Opcode::EqI64, lo, zero);
                (self.select(lo_zero, chi, clo), zero)
            }
            "bswap" | "bitreverse" => {
                if base == "bswap" && !w.is_multiple_of(16) {
                    return self.wide_unsupported(a, "byte swap");
                }
                // Reverse all 128 bits (the words swap), then shift the
                // reversed `w` bits down.
                let (nlo, nhi) = if base == "bswap" {
                    (self.emit2(Opcode::BswapI64, hi), self.emit2(Opcode::BswapI64, lo))
                } else {
                    (self.reverse_word(hi, true), self.reverse_word(lo, true))
                };
                let s = i64::from(128 - w);
                if s == 0 {
                    (nlo, nhi)
                } else {
                    let down = self.emit_imm(Opcode::ShrUImmI64, nlo, s);
                    let cross = self.emit_imm(Opcode::ShlImmI64, nhi, 64 - s);
                    (self.emit3(Opcode::OrI64, down, cross), self.emit_imm(Opcode::ShrUImmI64, nhi, s))
                }
            }
            "smin" | "smax" | "umin" | "umax" => {
                let b = self.operand(inst, 1)?;
                let [bl, bh] = self.wide_val(b)?;
                let signed = base.starts_with('s');
                let (xh, yh) = if signed {
                    let hib = Self::hi_bits(a);
                    (self.wide_signed_hi(hi, hib), self.wide_signed_hi(bh, hib))
                } else {
                    (hi, bh)
                };
                // a < b: hi(a) < hi(b), or equal high words and lo(a) <u lo(b).
                let hlt = self.emit3(if signed { Opcode::LtSI64 } else { Opcode::LtUI64 }, xh, yh);
                let heq = self.emit3(Opcode::EqI64, xh, yh);
                let llt = self.emit3(Opcode::LtUI64, lo, bl);
                let t = self.emit3(Opcode::AndI32, heq, llt);
                let lt = self.emit3(Opcode::OrI32, hlt, t);
                let (first, second) = if base.ends_with("min") { ((lo, hi), (bl, bh)) } else { ((bl, bh), (lo, hi)) };
                (self.select(lt, first.0, second.0), self.select(lt, first.1, second.1))
            }
            "abs" => {
                // |INT_MIN| is INT_MIN (or poison, by the flag): wrapping either way.
                let sh = self.wide_signed_hi(hi, Self::hi_bits(a));
                let neg = self.emit3(Opcode::LtSI64, sh, zero);
                let (nlo, nhi) = self.wide_neg(lo, sh);
                let nhi = self.wide_mask(nhi, Self::hi_bits(a));
                (self.select(neg, nlo, lo), self.select(neg, nhi, hi))
            }
            _ => return self.wide_unsupported(a, base),
        };
        self.wide_def(inst, rlo, rhi);
        Ok(())
    }

    /// `add`, `sub` and `mul`, wrapping at the width.
    fn wide_arith(&mut self, inst: Val, op: Op) -> Result<()> {
        let [al, ah] = self.wide_val(self.operand(inst, 0)?)?;
        let [bl, bh] = self.wide_val(self.operand(inst, 1)?)?;
        let (lo, hi) = match op {
            Op::LLVMAdd => {
                let lo = self.emit3(Opcode::AddI64, al, bl);
                let carry = self.emit3(Opcode::LtUI64, lo, al);
                let carry = self.emit2(Opcode::ZextI32I64, carry);
                let h = self.emit3(Opcode::AddI64, ah, bh);
                (lo, self.emit3(Opcode::AddI64, h, carry))
            }
            Op::LLVMSub => {
                let lo = self.emit3(Opcode::SubI64, al, bl);
                let borrow = self.emit3(Opcode::LtUI64, al, bl);
                let borrow = self.emit2(Opcode::ZextI32I64, borrow);
                let h = self.emit3(Opcode::SubI64, ah, bh);
                (lo, self.emit3(Opcode::SubI64, h, borrow))
            }
            _ => self.wide_mul_words([al, ah], [bl, bh]),
        };
        let hi = self.wide_mask(hi, Self::hi_bits(inst));
        self.wide_def(inst, lo, hi);
        Ok(())
    }

    /// (ah:al) * (bh:bl) mod 2^128 = al*bl + 2^64 (al*bh + ah*bl); the high
    /// word not yet masked to the width.
    pub(super) fn wide_mul_words(&mut self, [al, ah]: [VReg; 2], [bl, bh]: [VReg; 2]) -> (VReg, VReg) {
        let lo = self.emit3(Opcode::MulI64, al, bl);
        let h = self.emit3(Opcode::MulHUI64, al, bl);
        let x = self.emit3(Opcode::MulI64, al, bh);
        let y = self.emit3(Opcode::MulI64, ah, bl);
        let h = self.emit3(Opcode::AddI64, h, x);
        (lo, self.emit3(Opcode::AddI64, h, y))
    }

    /// `udiv`, `sdiv`, `urem`, `srem`: signed operands sign-extended to 128
    /// bits, the result masked back to the width.
    fn wide_divrem(&mut self, inst: Val, op: Op) -> Result<()> {
        let (a, b) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let [al, ah] = self.wide_val(a)?;
        let [bl, bh] = self.wide_val(b)?;
        let k = match op {
            Op::LLVMUDiv => DivRem128::DivU,
            Op::LLVMSDiv => DivRem128::DivS,
            Op::LLVMURem => DivRem128::RemU,
            _ => DivRem128::RemS,
        };
        let (ah, bh) = if matches!(k, DivRem128::DivS | DivRem128::RemS) {
            let hib = Self::hi_bits(a);
            (self.wide_signed_hi(ah, hib), self.wide_signed_hi(bh, hib))
        } else {
            (ah, bh)
        };
        let (lo, hi) = (self.new_vreg(), self.new_vreg());
        self.emit(
            Opcode::DivRem128,
            vec![
                MOp::Reg(lo),
                MOp::Reg(hi),
                MOp::Reg(al),
                MOp::Reg(ah),
                MOp::Reg(bl),
                MOp::Reg(bh),
                MOp::Imm(k as i64),
            ],
        );
        let hi = self.wide_mask(hi, Self::hi_bits(inst));
        self.wide_def(inst, lo, hi);
        Ok(())
    }

    /// A shift by a register: amounts of 128 and more are poison, and
    /// 64-bit shifts mask their amount to 6 bits, so each word is the
    /// "below 64" or the "64 and more" case, chosen by bit 6.
    fn wide_shift_var(&mut self, inst: Val, op: Op, s: VReg) -> Result<()> {
        let a = self.operand(inst, 0)?;
        let [lo, hi] = self.wide_val(a)?;
        let big = self.emit_imm(Opcode::AndImmI64, s, 64);
        let big = self.emit2(Opcode::WrapI64I32, big);
        // 63 - (s & 63) as a 64-bit shift reads it: the bits that cross from
        // one word to the other move by 1 and then by that, so s = 0 moves none.
        let m63 = self.materialise(Const::Int(63), true);
        let inv = self.emit3(Opcode::XorI64, s, m63);
        let zero = self.materialise(Const::Int(0), true);
        let (nlo, nhi) = if op == Op::LLVMShl {
            let t = self.emit3(Opcode::ShlI64, lo, s);
            let h = self.emit3(Opcode::ShlI64, hi, s);
            let c = self.emit_imm(Opcode::ShrUImmI64, lo, 1);
            let c = self.emit3(Opcode::ShrUI64, c, inv);
            let h = self.emit3(Opcode::OrI64, h, c);
            (self.select(big, zero, t), self.select(big, t, h))
        } else {
            let signed = op == Op::LLVMAShr;
            let h = if signed { self.wide_signed_hi(hi, Self::hi_bits(a)) } else { hi };
            let t = self.emit3(if signed { Opcode::ShrSI64 } else { Opcode::ShrUI64 }, h, s);
            let l = self.emit3(Opcode::ShrUI64, lo, s);
            let c = self.emit_imm(Opcode::ShlImmI64, h, 1);
            let c = self.emit3(Opcode::ShlI64, c, inv);
            let l = self.emit3(Opcode::OrI64, l, c);
            let top = if signed { self.emit_imm(Opcode::ShrSImmI64, h, 63) } else { zero };
            (self.select(big, t, l), self.select(big, top, t))
        };
        let nhi = self.wide_mask(nhi, Self::hi_bits(inst));
        self.wide_def(inst, nlo, nhi);
        Ok(())
    }

    fn wide_shift(&mut self, inst: Val, op: Op) -> Result<()> {
        let a = self.operand(inst, 0)?;
        let w = a.ty().int_width();
        let Some(k) = self.operand(inst, 1)?.const_wide_value().map(|k| k as u64 % 128) else {
            let [s, _] = self.wide_val(self.operand(inst, 1)?)?;
            return self.wide_shift_var(inst, op, s);
        };
        let k = k as i64;
        let hib = Self::hi_bits(inst);
        let [lo, hi] = self.wide_val(a)?;
        if k == 0 || k >= i64::from(w) {
            // Over-wide shifts are poison: any value will do.
            self.wide_def(inst, lo, hi);
            return Ok(());
        }
        let zero = self.materialise(Const::Int(0), true);
        let (nlo, nhi) = match op {
            Op::LLVMShl if k < 64 => {
                let h = self.emit_imm(Opcode::ShlImmI64, hi, k);
                let c = self.emit_imm(Opcode::ShrUImmI64, lo, 64 - k);
                (self.emit_imm(Opcode::ShlImmI64, lo, k), self.emit3(Opcode::OrI64, h, c))
            }
            Op::LLVMShl => (zero, self.emit_imm(Opcode::ShlImmI64, lo, k - 64)),
            _ => {
                let signed = op == Op::LLVMAShr;
                let h = if signed { self.wide_signed_hi(hi, Self::hi_bits(a)) } else { hi };
                let shr = if signed { Opcode::ShrSImmI64 } else { Opcode::ShrUImmI64 };
                if k < 64 {
                    let l = self.emit_imm(Opcode::ShrUImmI64, lo, k);
                    let c = self.emit_imm(Opcode::ShlImmI64, h, 64 - k);
                    (self.emit3(Opcode::OrI64, l, c), self.emit_imm(shr, h, k))
                } else {
                    let top = if signed { self.emit_imm(Opcode::ShrSImmI64, h, 63) } else { zero };
                    (self.emit_imm(shr, h, k - 64), top)
                }
            }
        };
        let nhi = self.wide_mask(nhi, hib);
        self.wide_def(inst, nlo, nhi);
        Ok(())
    }

    fn wide_icmp(&mut self, inst: Val) -> Result<()> {
        let (a, b) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let [al, ah] = self.wide_val(a)?;
        let [bl, bh] = self.wide_val(b)?;
        let pred = inst.icmp_predicate();
        let d = self.def(inst);
        self.zclean.insert(inst);
        if matches!(pred, P::LLVMIntEQ | P::LLVMIntNE) {
            let x = self.emit3(Opcode::XorI64, al, bl);
            let y = self.emit3(Opcode::XorI64, ah, bh);
            let z = self.emit3(Opcode::OrI64, x, y);
            let zero = self.materialise(Const::Int(0), true);
            let o = if pred == P::LLVMIntEQ { Opcode::EqI64 } else { Opcode::NeI64 };
            self.emit(o, vec![MOp::Reg(d), MOp::Reg(z), MOp::Reg(zero)]);
            return Ok(());
        }
        let signed = matches!(pred, P::LLVMIntSLT | P::LLVMIntSLE | P::LLVMIntSGT | P::LLVMIntSGE);
        let (ah, bh) = if signed {
            let hib = Self::hi_bits(a);
            (self.wide_signed_hi(ah, hib), self.wide_signed_hi(bh, hib))
        } else {
            (ah, bh)
        };
        // x < y  <=>  hi(x) < hi(y) || (hi(x) == hi(y) && lo(x) <u lo(y)); swap for >.
        let (x, y, or_equal) = match pred {
            P::LLVMIntULT | P::LLVMIntSLT => ((al, ah), (bl, bh), false),
            P::LLVMIntULE | P::LLVMIntSLE => ((al, ah), (bl, bh), true),
            P::LLVMIntUGT | P::LLVMIntSGT => ((bl, bh), (al, ah), false),
            _ => ((bl, bh), (al, ah), true),
        };
        let hlt = self.emit3(if signed { Opcode::LtSI64 } else { Opcode::LtUI64 }, x.1, y.1);
        let heq = self.emit3(Opcode::EqI64, x.1, y.1);
        let llt = self.emit3(if or_equal { Opcode::LeUI64 } else { Opcode::LtUI64 }, x.0, y.0);
        let t = self.emit3(Opcode::AndI32, heq, llt);
        self.emit(Opcode::OrI32, vec![MOp::Reg(d), MOp::Reg(hlt), MOp::Reg(t)]);
        Ok(())
    }
}
