//! IEEE 754 binary128 (`long double` on riscv32) in software: the
//! operations of [`Opcode::F128`](crate::isa::Opcode::F128), exact and
//! rounded to nearest, ties to even (the only rounding mode modules have).
//!
//! A value is its 128 bits: sign, 15-bit exponent (bias 16383), 112-bit
//! fraction. Every finite result goes through [`pack`]: a sign, an exact
//! `m * 2^q` (with a sticky bit in `m`'s lowest bit where bits were
//! dropped below the rounding point) and the target format, so rounding,
//! subnormals and overflow are handled once, for binary128, binary64 and
//! binary32 alike. NaN results are the quiet version of the first NaN
//! operand, or the default NaN (positive, quiet, RISC-V's canonical one)
//! for invalid operations.

use crate::isa::F128Op;

const SIGN: u128 = 1 << 127;
const FRAC_BITS: u32 = 112;
const FRAC_MASK: u128 = (1 << FRAC_BITS) - 1;
const EXP_MAX: u32 = 0x7FFF;
const BIAS: i32 = 16383;
const INF: u128 = (EXP_MAX as u128) << FRAC_BITS;
const QUIET: u128 = 1 << (FRAC_BITS - 1);
/// The default NaN.
pub const NAN: u128 = INF | QUIET;

/// A floating-point format `pack` rounds to.
#[derive(Clone, Copy)]
struct Format {
    frac_bits: u32,
    bias: i32,
    exp_max: u32,
}

const F128: Format = Format { frac_bits: 112, bias: 16383, exp_max: 0x7FFF };
const F64: Format = Format { frac_bits: 52, bias: 1023, exp_max: 0x7FF };
const F32: Format = Format { frac_bits: 23, bias: 127, exp_max: 0xFF };

/// What a binary128 value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Nan,
    Inf,
    Zero,
    /// `m * 2^q` with `m`'s bit 112 set (subnormals normalised).
    Finite {
        m: u128,
        q: i32,
    },
}

/// The sign and class of `x`.
pub fn classify(x: u128) -> (bool, Class) {
    let neg = x & SIGN != 0;
    let e = ((x >> FRAC_BITS) as u32) & EXP_MAX;
    let f = x & FRAC_MASK;
    let c = match (e, f) {
        (0, 0) => Class::Zero,
        (0, _) => {
            let shift = f.leading_zeros() - (127 - FRAC_BITS);
            Class::Finite { m: f << shift, q: 1 - BIAS - FRAC_BITS as i32 - shift as i32 }
        }
        (EXP_MAX, 0) => Class::Inf,
        (EXP_MAX, _) => Class::Nan,
        _ => Class::Finite { m: f | (1 << FRAC_BITS), q: e as i32 - BIAS - FRAC_BITS as i32 },
    };
    (neg, c)
}

/// `m >> n`, with the bits shifted out ORed into the lowest bit.
fn shr_sticky(m: u128, n: u32) -> u128 {
    if n == 0 {
        m
    } else if n >= 128 {
        u128::from(m != 0)
    } else {
        (m >> n) | u128::from(m & ((1u128 << n) - 1) != 0)
    }
}

/// The bits in format `f` of `(-1)^neg * m * 2^q`, rounded to nearest even.
/// The lowest bit of `m` may be a sticky bit (it must lie below the
/// rounding point, as it does whenever bits were dropped).
fn pack(f: Format, neg: bool, q: i32, m: u128) -> u128 {
    let sign = u128::from(neg) << (f.frac_bits + exp_width(f));
    if m == 0 {
        return sign;
    }
    // Normalise: the leading bit at frac_bits + 3 (three rounding bits).
    let top = f.frac_bits + 3;
    let pos = 127 - m.leading_zeros();
    let (mut m, e) =
        if pos > top { (shr_sticky(m, pos - top), q + pos as i32) } else { (m << (top - pos), q + pos as i32) };
    // `e` is the exponent of the leading bit.
    let biased = e + f.bias;
    if biased >= f.exp_max as i32 {
        return sign | ((f.exp_max as u128) << f.frac_bits);
    }
    let field = if biased <= 0 {
        m = shr_sticky(m, (1 - biased) as u32);
        0
    } else {
        biased as u128 - 1
    };
    let rest = m & 7;
    m >>= 3;
    if rest > 4 || (rest == 4 && m & 1 == 1) {
        m += 1;
    }
    // The leading bit adds one to the field: a carry out of rounding lands
    // on the next exponent (or exactly on infinity).
    sign | ((field << f.frac_bits) + m)
}

const fn exp_width(f: Format) -> u32 {
    32 - f.exp_max.leading_zeros()
}

/// A quiet NaN: `x` quietened if it is one.
fn quiet(x: u128) -> u128 {
    x | QUIET
}

/// The NaN result of a two-operand operation with a NaN operand.
fn nan2(a: u128, b: u128) -> u128 {
    if classify(a).1 == Class::Nan { quiet(a) } else { quiet(b) }
}

pub fn neg(a: u128) -> u128 {
    a ^ SIGN
}

pub fn add(a: u128, b: u128) -> u128 {
    let ((sa, ca), (sb, cb)) = (classify(a), classify(b));
    match (ca, cb) {
        (Class::Nan, _) | (_, Class::Nan) => nan2(a, b),
        (Class::Inf, Class::Inf) => {
            if sa == sb {
                a
            } else {
                NAN
            }
        }
        (Class::Inf, _) => a,
        (_, Class::Inf) => b,
        (Class::Zero, Class::Zero) => {
            if sa && sb {
                SIGN
            } else {
                0
            }
        }
        (Class::Zero, _) => b,
        (_, Class::Zero) => a,
        (Class::Finite { m: ma, q: qa }, Class::Finite { m: mb, q: qb }) => {
            // The larger magnitude first; three extra bits keep the
            // rounding exact (at most one is lost where cancellation can
            // happen).
            let (big, small) = if (a & !SIGN) >= (b & !SIGN) {
                ((sa, ma << 3, qa), (sb, mb << 3, qb))
            } else {
                ((sb, mb << 3, qb), (sa, ma << 3, qa))
            };
            let d = (big.2 - small.2) as u32;
            let ms = shr_sticky(small.1, d);
            let m = if big.0 == small.0 { big.1 + ms } else { big.1 - ms };
            if m == 0 {
                return 0;
            }
            pack(F128, big.0, big.2 - 3, m)
        }
    }
}

pub fn sub(a: u128, b: u128) -> u128 {
    if classify(b).1 == Class::Nan {
        return nan2(a, b);
    }
    add(a, neg(b))
}

/// The 256-bit product of two 128-bit values, as (high, low).
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    let (a0, a1) = (a as u64 as u128, a >> 64);
    let (b0, b1) = (b as u64 as u128, b >> 64);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 as u64 as u128) + (p10 as u64 as u128);
    let lo = (p00 as u64 as u128) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

pub fn mul(a: u128, b: u128) -> u128 {
    let ((sa, ca), (sb, cb)) = (classify(a), classify(b));
    let s = sa != sb;
    let sign = u128::from(s) << 127;
    match (ca, cb) {
        (Class::Nan, _) | (_, Class::Nan) => nan2(a, b),
        (Class::Inf, Class::Zero) | (Class::Zero, Class::Inf) => NAN,
        (Class::Inf, _) | (_, Class::Inf) => sign | INF,
        (Class::Zero, _) | (_, Class::Zero) => sign,
        (Class::Finite { m: ma, q: qa }, Class::Finite { m: mb, q: qb }) => {
            // 226-bit product: keep its top 128 bits, the rest as sticky.
            let (hi, lo) = mul_wide(ma, mb);
            let m = (hi << 30) | (lo >> 98) | u128::from(lo & ((1 << 98) - 1) != 0);
            pack(F128, s, qa + qb + 98, m)
        }
    }
}

pub fn div(a: u128, b: u128) -> u128 {
    let ((sa, ca), (sb, cb)) = (classify(a), classify(b));
    let s = sa != sb;
    let sign = u128::from(s) << 127;
    match (ca, cb) {
        (Class::Nan, _) | (_, Class::Nan) => nan2(a, b),
        (Class::Inf, Class::Inf) | (Class::Zero, Class::Zero) => NAN,
        (Class::Inf, _) | (_, Class::Zero) => sign | INF,
        (Class::Zero, _) | (_, Class::Inf) => sign,
        (Class::Finite { m: ma, q: qa }, Class::Finite { m: mb, q: qb }) => {
            // 118 quotient bits by restoring division; the remainder is sticky.
            let (mut r, mut quo) = (ma, 0u128);
            for _ in 0..118 {
                quo <<= 1;
                if r >= mb {
                    r -= mb;
                    quo |= 1;
                }
                r <<= 1;
            }
            pack(F128, s, qa - qb - 117, quo | u128::from(r != 0))
        }
    }
}

pub fn sqrt(a: u128) -> u128 {
    let (s, c) = classify(a);
    match c {
        Class::Nan => quiet(a),
        Class::Zero => a,
        _ if s => NAN,
        Class::Inf => a,
        Class::Finite { mut m, mut q } => {
            if q & 1 != 0 {
                m <<= 1;
                q -= 1;
            }
            // The root of R = m * 2^126 (240 bits), one bit per step; the
            // remainder stays below 2^122.
            let r_bit = |j: u32| if j < 126 { 0 } else { (m >> (j - 126)) & 1 };
            let (mut root, mut rem) = (0u128, 0u128);
            for i in (0..120u32).rev() {
                rem = (rem << 2) | (r_bit(2 * i + 1) << 1) | r_bit(2 * i);
                let trial = (root << 2) | 1;
                if rem >= trial {
                    rem -= trial;
                    root = (root << 1) | 1;
                } else {
                    root <<= 1;
                }
            }
            pack(F128, false, q / 2 - 63, root | u128::from(rem != 0))
        }
    }
}

/// Fuel for [`rem`] beyond one step: its loop runs once per bit of the
/// exponent difference (up to ~32k), so it costs one unit per 64 of them.
/// `ahi`, `bhi`: the operands' high words (exponents in bits 48..63).
pub fn rem_work(ahi: u64, bhi: u64) -> u64 {
    let exp = |hi: u64| (hi >> 48) & 0x7FFF;
    exp(ahi).saturating_sub(exp(bhi)) / 64
}

/// `fmod`: `a - trunc(a / b) * b`, exact (LLVM's `frem`).
pub fn rem(a: u128, b: u128) -> u128 {
    let ((sa, ca), (_, cb)) = (classify(a), classify(b));
    match (ca, cb) {
        (Class::Nan, _) | (_, Class::Nan) => nan2(a, b),
        (Class::Inf, _) | (_, Class::Zero) => NAN,
        (Class::Zero, _) | (_, Class::Inf) => a,
        (Class::Finite { m: ma, q: qa }, Class::Finite { m: mb, q: qb }) => {
            if (a & !SIGN) < (b & !SIGN) {
                return a;
            }
            // Both significands have bit 112 set, so |a| >= |b| means qa >= qb.
            let mut r = ma;
            for _ in 0..(qa - qb) {
                if r >= mb {
                    r -= mb;
                }
                r <<= 1;
            }
            if r >= mb {
                r -= mb;
            }
            if r == 0 {
                return u128::from(sa) << 127;
            }
            pack(F128, sa, qb, r)
        }
    }
}

/// How [`round_int`] rounds to an integer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Floor,
    Ceil,
    Trunc,
    /// Half away from zero.
    Round,
    /// Half to even.
    Even,
}

fn round_int(a: u128, mode: Mode) -> u128 {
    let s = a & SIGN != 0;
    let mag = a & !SIGN;
    let e = ((mag >> FRAC_BITS) as i32) - BIAS;
    if e >= FRAC_BITS as i32 {
        // Integral already, or inf or NaN.
        return if classify(a).1 == Class::Nan { quiet(a) } else { a };
    }
    let sign = a & SIGN;
    let one = (BIAS as u128) << FRAC_BITS;
    if e < 0 {
        if mag == 0 {
            return a;
        }
        let up = match mode {
            Mode::Floor => s,
            Mode::Ceil => !s,
            Mode::Trunc => false,
            // |a| >= 0.5
            Mode::Round => e == -1,
            // |a| > 0.5
            Mode::Even => e == -1 && mag & FRAC_MASK != 0,
        };
        return sign | if up { one } else { 0 };
    }
    let f = FRAC_BITS - e as u32;
    let mask = (1u128 << f) - 1;
    let frac = mag & mask;
    if frac == 0 {
        return a;
    }
    let trunc = mag & !mask;
    let half = 1u128 << (f - 1);
    let up = match mode {
        Mode::Floor => s,
        Mode::Ceil => !s,
        Mode::Trunc => false,
        Mode::Round => frac >= half,
        // The integer's lowest bit is bit f (the exponent's lowest bit when
        // f = 112, which is 1 just when the integer part is 1).
        Mode::Even => frac > half || (frac == half && (trunc >> f) & 1 == 1),
    };
    sign | if up { trunc + (1 << f) } else { trunc }
}

/// The value of `x` as a binary128, from the bits of a narrower format.
fn widen(bits: u128, f: Format) -> u128 {
    let ew = exp_width(f);
    let neg = (bits >> (f.frac_bits + ew)) & 1 == 1;
    let sign = u128::from(neg) << 127;
    let e = ((bits >> f.frac_bits) as u32) & f.exp_max;
    let frac = bits & ((1u128 << f.frac_bits) - 1);
    if e == f.exp_max {
        return sign | INF | (frac << (FRAC_BITS - f.frac_bits)) | if frac != 0 { QUIET } else { 0 };
    }
    if e == 0 {
        return pack(F128, neg, 1 - f.bias - f.frac_bits as i32, frac);
    }
    pack(F128, neg, e as i32 - f.bias - f.frac_bits as i32, frac | (1 << f.frac_bits))
}

/// `x` rounded to a narrower format.
fn narrow(x: u128, f: Format) -> u128 {
    let (s, c) = classify(x);
    let ew = exp_width(f);
    let sign = u128::from(s) << (f.frac_bits + ew);
    let inf = (f.exp_max as u128) << f.frac_bits;
    match c {
        Class::Nan => sign | inf | (1 << (f.frac_bits - 1)) | ((x & FRAC_MASK) >> (FRAC_BITS - f.frac_bits)),
        Class::Inf => sign | inf,
        Class::Zero => sign,
        Class::Finite { m, q } => pack(f, s, q, m),
    }
}

pub fn from_f64(v: f64) -> u128 {
    widen(u128::from(v.to_bits()), F64)
}

pub fn from_f32(v: f32) -> u128 {
    widen(u128::from(v.to_bits()), F32)
}

pub fn to_f64(x: u128) -> f64 {
    f64::from_bits(narrow(x, F64) as u64)
}

pub fn to_f32(x: u128) -> f32 {
    f32::from_bits(narrow(x, F32) as u32)
}

pub fn from_u128(v: u128) -> u128 {
    pack(F128, false, 0, v)
}

pub fn from_i128(v: i128) -> u128 {
    pack(F128, v < 0, 0, v.unsigned_abs())
}

/// `x` truncated toward zero, as a magnitude: `None` for NaN, or when it
/// needs more than 128 bits.
fn trunc_mag(x: u128) -> Option<(bool, u128)> {
    let (s, c) = classify(x);
    match c {
        Class::Nan | Class::Inf => None,
        Class::Zero => Some((s, 0)),
        Class::Finite { m, q } if q >= 0 => {
            if q > 127 - 112 {
                None
            } else {
                Some((s, m << q))
            }
        }
        Class::Finite { m, q } => Some((s, if -q >= 128 { 0 } else { m >> -q })),
    }
}

/// `x` to a signed integer of `bits` bits, saturating (NaN: 0), as the
/// VM's other float-to-integer conversions do.
pub fn to_int(x: u128, bits: u32) -> i128 {
    let max = (1u128 << (bits - 1)) - 1;
    match trunc_mag(x) {
        None if classify(x).1 == Class::Nan => 0,
        None => {
            if x & SIGN != 0 {
                -(max as i128) - 1
            } else {
                max as i128
            }
        }
        Some((false, m)) => m.min(max) as i128,
        Some((true, m)) => {
            if m > max {
                -(max as i128) - 1
            } else {
                -(m as i128)
            }
        }
    }
}

/// `x` to an unsigned integer of `bits` bits, saturating (NaN and negative
/// values: 0).
pub fn to_uint(x: u128, bits: u32) -> u128 {
    let max = if bits == 128 { u128::MAX } else { (1u128 << bits) - 1 };
    match trunc_mag(x) {
        None if classify(x).1 == Class::Nan => 0,
        None => {
            if x & SIGN != 0 {
                0
            } else {
                max
            }
        }
        Some((true, _)) => 0,
        Some((false, m)) => m.min(max),
    }
}

/// `x`'s class as one bit of LLVM's `is.fpclass` mask (see `F128Op::Class`).
pub fn class_bit(x: u128) -> u32 {
    let neg = x & SIGN != 0;
    let e = ((x >> FRAC_BITS) as u32) & EXP_MAX;
    let f = x & FRAC_MASK;
    let bit = match (e, f) {
        (EXP_MAX, 0) => {
            if neg {
                2
            } else {
                9
            }
        }
        (EXP_MAX, _) => u32::from(f & QUIET != 0),
        (0, 0) => {
            if neg {
                5
            } else {
                6
            }
        }
        (0, _) => {
            if neg {
                4
            } else {
                7
            }
        }
        _ => {
            if neg {
                3
            } else {
                8
            }
        }
    };
    1 << bit
}

/// LLVM fcmp predicate `p` (0 = false, 1 = oeq ... 14 = une, 15 = true):
/// bit 0 equal, bit 1 greater, bit 2 less, bit 3 unordered.
pub fn cmp(p: u8, a: u128, b: u128) -> bool {
    let nan = |x: u128| classify(x).1 == Class::Nan;
    let key = |x: u128| {
        let mag = (x & !SIGN) as i128;
        if x & SIGN != 0 { -mag } else { mag }
    };
    let rel = if nan(a) || nan(b) {
        8
    } else {
        match key(a).cmp(&key(b)) {
            core::cmp::Ordering::Less => 4,
            core::cmp::Ordering::Greater => 2,
            core::cmp::Ordering::Equal => 1,
        }
    };
    p & rel != 0
}

/// Operation `k` of `f128` on the pairs (a, b), low word first: the
/// result pair. Scalar operands are in `a`'s low word (f32 and i32 in its
/// low 32 bits), scalar results in the low word with the high word 0 (32-bit
/// ones zero-extended, as every 32-bit result is).
#[inline(never)]
pub fn eval(k: F128Op, alo: u64, ahi: u64, blo: u64, bhi: u64) -> (u64, u64) {
    let a = u128::from(alo) | u128::from(ahi) << 64;
    let b = u128::from(blo) | u128::from(bhi) << 64;
    let r = match k {
        F128Op::Add => add(a, b),
        F128Op::Sub => sub(a, b),
        F128Op::Mul => mul(a, b),
        F128Op::Div => div(a, b),
        F128Op::Rem => rem(a, b),
        F128Op::Neg => neg(a),
        F128Op::Abs => a & !SIGN,
        F128Op::CopySign => (a & !SIGN) | (b & SIGN),
        F128Op::Sqrt => sqrt(a),
        F128Op::Floor => round_int(a, Mode::Floor),
        F128Op::Ceil => round_int(a, Mode::Ceil),
        F128Op::Trunc => round_int(a, Mode::Trunc),
        F128Op::Round => round_int(a, Mode::Round),
        F128Op::Rint => round_int(a, Mode::Even),
        F128Op::FromF32 => from_f32(f32::from_bits(alo as u32)),
        F128Op::FromF64 => from_f64(f64::from_bits(alo)),
        F128Op::FromI32S => from_i128(i128::from(alo as u32 as i32)),
        F128Op::FromI32U => from_u128(u128::from(alo as u32)),
        F128Op::FromI64S => from_i128(i128::from(alo as i64)),
        F128Op::FromI64U => from_u128(u128::from(alo)),
        F128Op::FromI128S => from_i128(a as i128),
        F128Op::FromI128U => from_u128(a),
        F128Op::ToF32 => u128::from(to_f32(a).to_bits()),
        F128Op::ToF64 => u128::from(to_f64(a).to_bits()),
        F128Op::ToI32S => u128::from(to_int(a, 32) as i32 as u32),
        F128Op::ToI32U => to_uint(a, 32),
        F128Op::ToI64S => u128::from(to_int(a, 64) as i64 as u64),
        F128Op::ToI64U => to_uint(a, 64),
        F128Op::ToI128S => to_int(a, 128) as u128,
        F128Op::ToI128U => to_uint(a, 128),
        F128Op::Class => u128::from(class_bit(a)),
        F128Op::Cmp(p) => u128::from(cmp(p, a, b)),
    };
    (r as u64, (r >> 64) as u64)
}

/// A binary128 value with IEEE operators, for code written once for f32,
/// f64 and binary128 alike (`vm/complex.rs`). Comparisons are IEEE's: a
/// NaN is unordered.
#[derive(Clone, Copy, Debug)]
pub struct Q(pub u128);

impl Q {
    pub const INFINITY: Q = Q(INF);
    pub const MAX: Q = Q(INF - 1);
    pub const MIN_POSITIVE: Q = Q(1 << FRAC_BITS);

    pub fn abs(self) -> Q {
        Q(self.0 & !SIGN)
    }
    pub fn is_nan(self) -> bool {
        classify(self.0).1 == Class::Nan
    }
    pub fn is_infinite(self) -> bool {
        classify(self.0).1 == Class::Inf
    }
    pub fn is_finite(self) -> bool {
        !matches!(classify(self.0).1, Class::Inf | Class::Nan)
    }
}

impl From<f64> for Q {
    fn from(v: f64) -> Q {
        Q(from_f64(v))
    }
}

macro_rules! q_binop {
    ($tr:ident, $m:ident, $f:ident) => {
        impl core::ops::$tr for Q {
            type Output = Q;
            fn $m(self, o: Q) -> Q {
                Q($f(self.0, o.0))
            }
        }
        impl core::ops::$tr<f64> for Q {
            type Output = Q;
            fn $m(self, o: f64) -> Q {
                Q($f(self.0, from_f64(o)))
            }
        }
        impl core::ops::$tr<Q> for f64 {
            type Output = Q;
            fn $m(self, o: Q) -> Q {
                Q($f(from_f64(self), o.0))
            }
        }
    };
}
q_binop!(Add, add, add);
q_binop!(Sub, sub, sub);
q_binop!(Mul, mul, mul);
q_binop!(Div, div, div);

impl PartialEq for Q {
    fn eq(&self, o: &Q) -> bool {
        cmp(1, self.0, o.0)
    }
}

impl PartialEq<f64> for Q {
    fn eq(&self, o: &f64) -> bool {
        cmp(1, self.0, from_f64(*o))
    }
}

impl PartialOrd for Q {
    fn partial_cmp(&self, o: &Q) -> Option<core::cmp::Ordering> {
        use core::cmp::Ordering::*;
        if cmp(8, self.0, o.0) {
            None
        } else if cmp(4, self.0, o.0) {
            Some(Less)
        } else if cmp(2, self.0, o.0) {
            Some(Greater)
        } else {
            Some(Equal)
        }
    }
}

/// `m`'s magnitude with `s`'s sign.
pub fn q_copysign(m: impl Into<Q>, s: Q) -> Q {
    Q((m.into().0 & !SIGN) | (s.0 & SIGN))
}

/// IEEE maxNum: a NaN loses to a number.
pub fn q_fmax(a: Q, b: Q) -> Q {
    if a.is_nan() || (!b.is_nan() && a < b) { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: u128 = 0x3FFF_0000_0000_0000_0000_0000_0000_0000;
    const TWO: u128 = 0x4000_0000_0000_0000_0000_0000_0000_0000;
    const THREE: u128 = 0x4000_8000_0000_0000_0000_0000_0000_0000;
    /// 1/3 rounded: 0x3FFD5555...5555 (the last digit rounds down).
    const THIRD: u128 = 0x3FFD_5555_5555_5555_5555_5555_5555_5555;
    /// 2/3: 0x3FFE5555...5555 (the tie-free round up is ...5555 + 0 here).
    const TWO_THIRDS: u128 = 0x3FFE_5555_5555_5555_5555_5555_5555_5555;
    const MIN_SUB: u128 = 1;
    const MIN_NORMAL: u128 = 1 << 112;
    const MAX: u128 = 0x7FFE_FFFF_FFFF_FFFF_FFFF_FFFF_FFFF_FFFF;
    /// 1 + 2^-112, the next value after 1.
    const ONE_ULP: u128 = ONE + 1;

    #[test]
    fn known_bit_patterns() {
        assert_eq!(from_f64(1.0), ONE);
        assert_eq!(from_f64(3.0), THREE);
        assert_eq!(from_f64(-2.0), TWO | SIGN);
        assert_eq!(add(ONE, ONE), TWO);
        assert_eq!(div(ONE, THREE), THIRD);
        assert_eq!(div(TWO, THREE), TWO_THIRDS);
        assert_eq!(mul(THIRD, THREE), ONE);
        assert_eq!(sub(ONE, ONE), 0);
        assert_eq!(sub(neg(0), 0), SIGN);
        assert_eq!(add(neg(0), neg(0)), SIGN);
        assert_eq!(sqrt(from_f64(4.0)), TWO);
        // sqrt(2) = 0x3FFF6A09E667F3BCC908B2FB1366EA95 (correctly rounded)
        assert_eq!(sqrt(TWO), 0x3FFF_6A09_E667_F3BC_C908_B2FB_1366_EA95);
        // 0.1 = 0x3FFB999999999999999999999999999A
        assert_eq!(div(ONE, from_f64(10.0)), 0x3FFB_9999_9999_9999_9999_9999_9999_999A);
        assert_eq!(from_u128(u128::from(u64::MAX)), 0x403E_FFFF_FFFF_FFFF_FFFE_0000_0000_0000);
    }

    #[test]
    fn ties_round_to_even() {
        // 1 + 2^-113 is halfway between 1 and 1 + 2^-112: down to 1 (even).
        let half_ulp = pack(F128, false, -113, 1);
        assert_eq!(add(ONE, half_ulp), ONE);
        // (1 + 2^-112) + 2^-113: halfway, up to 1 + 2^-111 (even).
        assert_eq!(add(ONE_ULP, half_ulp), ONE + 2);
        // 2^113 + 1 is a tie between 2^113 and 2^113 + 2.
        let big = from_u128((1u128 << 113) + 1);
        assert_eq!(big, from_u128(1u128 << 113));
        assert_eq!(from_u128((1u128 << 113) + 3), from_u128((1u128 << 113) + 4));
    }

    #[test]
    fn subnormals_and_overflow() {
        assert_eq!(div(MIN_NORMAL, TWO), 1 << 111);
        assert_eq!(mul(MIN_SUB, ONE), MIN_SUB);
        assert_eq!(div(MIN_SUB, TWO), 0, "a tie with 0 goes to even 0");
        assert_eq!(div(MIN_SUB | 2, TWO), 2, "3/2 ulp rounds to 2 ulp");
        assert_eq!(sub(MIN_NORMAL, MIN_SUB), MIN_NORMAL - 1);
        assert_eq!(add(MAX, MAX), INF);
        assert_eq!(mul(MAX, neg(TWO)), INF | SIGN);
        // MAX + half an ulp of MAX rounds up to infinity (tie to even).
        assert_eq!(add(MAX, pack(F128, false, 16383 - 113, 1)), INF);
        assert_eq!(to_f64(MIN_SUB), 0.0);
        assert_eq!(to_f64(MAX), f64::INFINITY);
        assert_eq!(from_f64(f64::from_bits(1)), 0x3BCD_0000_0000_0000_0000_0000_0000_0000);
        assert_eq!(to_f64(0x3BCD_0000_0000_0000_0000_0000_0000_0000), f64::from_bits(1));
        assert_eq!(from_f32(f32::from_bits(1)), from_f64(f64::from(f32::from_bits(1))));
    }

    #[test]
    fn specials() {
        assert_eq!(div(ONE, 0), INF);
        assert_eq!(div(neg(ONE), 0), INF | SIGN);
        assert_eq!(div(0, 0), NAN);
        assert_eq!(sub(INF, INF), NAN);
        assert_eq!(mul(INF, 0), NAN);
        assert_eq!(sqrt(neg(ONE)), NAN);
        assert_eq!(sqrt(SIGN), SIGN);
        let snan = INF | 5;
        assert_eq!(add(snan, ONE), INF | QUIET | 5);
        assert_eq!(add(ONE, snan), INF | QUIET | 5);
        assert!(!cmp(1, NAN, NAN));
        assert!(cmp(14, NAN, NAN));
        assert!(cmp(8, ONE, NAN));
        assert!(cmp(1, 0, SIGN), "-0 == +0");
        assert!(cmp(4, neg(TWO), neg(ONE)));
        assert!(cmp(2, INF, MAX));
        assert!(!cmp(6, NAN, ONE), "one is ordered");
        assert!(to_f64(NAN).is_nan());
        assert_eq!(to_f64(INF | SIGN), f64::NEG_INFINITY);
    }

    #[test]
    fn classes() {
        let cases = [
            (INF | 1, 0),
            (NAN, 1),
            (INF | SIGN, 2),
            (neg(ONE), 3),
            (MIN_SUB | SIGN, 4),
            (SIGN, 5),
            (0, 6),
            (MIN_SUB, 7),
            (MAX, 8),
            (INF, 9),
        ];
        for (x, bit) in cases {
            assert_eq!(class_bit(x), 1 << bit, "{x:#x}");
        }
    }

    #[test]
    fn integers_and_rounding() {
        let x = from_f64(-2.5);
        assert_eq!(to_int(x, 32), -2);
        assert_eq!(round_int(x, Mode::Floor), from_f64(-3.0));
        assert_eq!(round_int(x, Mode::Ceil), from_f64(-2.0));
        assert_eq!(round_int(x, Mode::Round), from_f64(-3.0));
        assert_eq!(round_int(x, Mode::Even), from_f64(-2.0));
        assert_eq!(round_int(from_f64(3.5), Mode::Even), from_f64(4.0));
        assert_eq!(round_int(from_f64(1.5), Mode::Even), from_f64(2.0));
        assert_eq!(round_int(from_f64(0.5), Mode::Even), 0);
        assert_eq!(round_int(from_f64(-0.5), Mode::Round), from_f64(-1.0));
        assert_eq!(round_int(from_f64(-0.25), Mode::Ceil), SIGN);
        assert_eq!(round_int(from_f64(0.75), Mode::Even), ONE);
        assert_eq!(to_int(from_f64(1e30), 64), i128::from(i64::MAX));
        assert_eq!(to_int(from_f64(-1e30), 32), i128::from(i32::MIN));
        assert_eq!(to_uint(from_f64(-1.0), 32), 0);
        assert_eq!(to_uint(from_u128(u128::from(u64::MAX)), 64), u128::from(u64::MAX));
        assert_eq!(to_int(from_i128(i128::MIN), 128), i128::MIN);
        assert_eq!(to_int(NAN, 32), 0);
        assert_eq!(rem(from_f64(7.5), from_f64(2.0)), from_f64(1.5));
        assert_eq!(rem(from_f64(-7.5), from_f64(2.0)), from_f64(-1.5));
        assert_eq!(rem(from_f64(-8.0), from_f64(2.0)), SIGN);
        assert_eq!(rem(MAX, MIN_SUB), 0);
        assert_eq!(rem(ONE, 0), NAN);
    }

    /// LLVM's fcmp predicates on f64, spelt out.
    fn fcmp_f64(p: u8, a: f64, b: f64) -> bool {
        let uno = a.is_nan() || b.is_nan();
        match p {
            0 => false,
            1 => a == b,
            2 => a > b,
            3 => a >= b,
            4 => a < b,
            5 => a <= b,
            6 => !uno && a != b,
            7 => !uno,
            8 => uno,
            9 => uno || a == b,
            10 => uno || a > b,
            11 => uno || a >= b,
            12 => uno || a < b,
            13 => uno || a <= b,
            14 => a != b,
            _ => true,
        }
    }

    /// f64 arithmetic on values whose exact results fit f64 agrees, and
    /// narrowing a correctly rounded binary128 result gives f64's own
    /// result whenever binary128 holds it exactly.
    #[test]
    fn agrees_with_f64_where_exact() {
        let vals =
            [1.0, -3.0, 0.5, 1024.25, -7.125, 1e-300, 3.0e300, 65536.0, 0.0, -0.0, 1.5e-320, f64::NAN, f64::INFINITY];
        for &x in &vals {
            assert_eq!(to_f64(from_f64(x)).to_bits(), x.to_bits(), "{x}");
            for &y in &vals {
                let (a, b) = (from_f64(x), from_f64(y));
                for p in 0..16u8 {
                    assert_eq!(cmp(p, a, b), fcmp_f64(p, x, y), "predicate {p} on {x}, {y}");
                }
                if x.is_nan() || y.is_nan() {
                    // NaN payloads of hardware f64 arithmetic vary by CPU.
                    continue;
                }
                // Sums and products of two f64 are exact in binary128 except
                // for a few huge exponent gaps; where they are, narrowing
                // gives f64's correctly rounded result.
                let s = add(a, b);
                if sub(s, a) == b || x + y == 0.0 {
                    assert_eq!(to_f64(s).to_bits(), (x + y).to_bits(), "{x} + {y}");
                }
                let p = mul(a, b);
                if (x * y).is_finite() && (x * y).abs() > 1e-290 {
                    assert_eq!(to_f64(p).to_bits(), (x * y).to_bits(), "{x} * {y}");
                }
            }
        }
        for i in 0..200u32 {
            let v = f64::from(i) * 1.25 - 37.0;
            assert_eq!(to_int(from_f64(v), 32), v as i32 as i128);
            assert_eq!(to_f64(sqrt(from_f64(v * v))), v.abs());
            assert_eq!(to_f64(round_int(from_f64(v), Mode::Floor)), v.floor());
            assert_eq!(to_f64(round_int(from_f64(v), Mode::Round)), v.round());
        }
    }

    /// Operands and results from GCC's binary128 soft-float (libgcc and
    /// libquadmath on x86-64), random bit patterns of every class: op 0 add,
    /// 1 sub, 2 mul, 3 div, 5 fmod, 6 to f64 (low 64 bits), 7 from the f64
    /// in `b`'s low bits, 8 compares (bit 0 <, bit 1 ==, bit 2 >), 9 rint.
    #[test]
    fn agrees_with_gcc_soft_float() {
        const CASES: &[(u8, u128, u128, u128)] = &[
            (
                0,
                0x00030975fbde15b02a337357ae2cc59b,
                0xda717bcd4b21c371e845105ed8c77cb7,
                0xda717bcd4b21c371e845105ed8c77cb7,
            ),
            (
                0,
                0xf39ee10d162fa5923227200000000000,
                0xffffc27cb6b9819a1ab7a90d79b5d419,
                0xffffc27cb6b9819a1ab7a90d79b5d419,
            ),
            (
                0,
                0x800388aeab9e03ef8c51a90e99642428,
                0xeba80f005ca9632eb298eec62efd3a68,
                0xeba80f005ca9632eb298eec62efd3a68,
            ),
            (
                0,
                0x4066e274894d3e457b174e0abe2a9579,
                0xfffd24ec8ba7e9144e732c2381e463c6,
                0xfffd24ec8ba7e9144e732c2381e463c6,
            ),
            (
                0,
                0x5b5c95ad7c50e77bf8cb78aede94f875,
                0xffff632927a478a01403d29023431851,
                0xffffe32927a478a01403d29023431851,
            ),
            (
                0,
                0xccaa6d0e94c1d7fc157a7e2dd5c42b53,
                0xde27e6fe9a7eefa8f11c87d3d5eaf877,
                0xde27e6fe9a7eefa8f11c87d3d5eaf877,
            ),
            (
                0,
                0xfffd10c9650f26d68713c5bccae04d1b,
                0xb105527d6e5fc30eda39a46d05027f08,
                0xfffd10c9650f26d68713c5bccae04d1b,
            ),
            (
                1,
                0xbf4d3fe4de4f1c439fded21c82caf2bb,
                0xfffe66b049cdc80bf991db0c819b315b,
                0x7ffe66b049cdc80bf991db0c819b315b,
            ),
            (
                1,
                0x40661f51b8de767ced5fe9e149ddd590,
                0xc00263c58085e87640f7cd92ebbc3e26,
                0x40661f51b8de767ced5fe9e149ddebcc,
            ),
            (
                1,
                0xd80fb53616a2e0f895ba835cb85a9b39,
                0x406233e3d83de6c8b2901e2ff2272f05,
                0xd80fb53616a2e0f895ba835cb85a9b39,
            ),
            (
                1,
                0xc009071568bbcb0d3200000000000000,
                0xee27db89d6bd603f231ae4032c31f53f,
                0x6e27db89d6bd603f231ae4032c31f53f,
            ),
            (
                1,
                0x6be78165dd7a4b7bfe0068c50367012d,
                0xc6519e62269701b290bde55da14e0331,
                0x6be78165dd7a4b7bfe0068c50367012d,
            ),
            (
                1,
                0x800222bc10c9f42580ec0dc7f90bc000,
                0xc007c68612285642e2501969320dd66e,
                0x4007c68612285642e2501969320dd66e,
            ),
            (
                1,
                0x800316bb86e369792537dc9c87cdd000,
                0xbff605364548fc81c9cc3adebe1d6d38,
                0x3ff605364548fc81c9cc3adebe1d6d38,
            ),
            (
                2,
                0x966bb7817f86ead997876671a300714c,
                0x9ad222562c4c697b5b22f45380f3cf69,
                0x00000000000000000000000000000000,
            ),
            (
                2,
                0xc00564256e5e6b1d10f1368a1f6db08b,
                0x4004fd46fe517d0a3b68686e72b3dd70,
                0xc00b6240983e350c18e4a0a90851a911,
            ),
            (
                2,
                0x3db10edbe495b2fe057014720c59e61b,
                0xba5bba2d5d1c80000000000000000000,
                0xb80dd3d7a7d5aee060bb2d41d3c71847,
            ),
            (
                2,
                0xbbb4b29218b1d2c3fd38d93fe9e061a6,
                0x081a875d5ab73c1313cb08cdc71936ab,
                0x83d04c2dce647d4dda3332e863dd7794,
            ),
            (
                2,
                0x11a10d77bd41613c570fa1a277b82cfe,
                0xca47824e95e4ea573236852d40395643,
                0x9be996a1439fe4ff7304ab6495db63e8,
            ),
            (
                2,
                0x26305b94d2c121706848e04a9166ff32,
                0xfffe9a68000000000000000000000000,
                0xe630169cc6ff7701ce578a6945950347,
            ),
            (
                2,
                0x7ffefd63e33ffd2471753d42831e4bde,
                0x9e4110d419247317448e2c074a0a1e31,
                0xde410f701519bb19dd75a29cd1fa0718,
            ),
            (
                3,
                0xc01877d8d51f57fb76104a9e26b7f794,
                0x7ffee68fffbaf96315ada4e53975b451,
                0x80188b7f0d457520238f6599e13d5e4f,
            ),
            (
                3,
                0x26abe6f8de04d766de68460000000000,
                0xeb53d90e7020bb2650a82c31942af3d0,
                0x80000000000000000000000000000000,
            ),
            (
                3,
                0x7ffec478eeb763f734773f857f2c10f0,
                0xa839ce0633611c8f184819d8fe3d1d76,
                0xffff0000000000000000000000000000,
            ),
            (
                3,
                0xc004717ea67e76000000000000000000,
                0x1d0a23eac374a7d4046b073128173b9b,
                0xe2f944085b03bc4c85c22b1da039f30d,
            ),
            (
                3,
                0xc0728268cf1bcda756a8b138463a73fc,
                0xc0679feab48edc5f9a53935ff5953627,
                0x4009dbad099831578850e3efde4c8720,
            ),
            (
                3,
                0xa3ea77c06b1a909970ca9ca1388ba3f8,
                0x48ed1ea8337c39441133048e1b501036,
                0x9afc4f90f3e889f618e5775c49f8204a,
            ),
            (
                3,
                0xc0074c42b5d2c4debf405fea313d96d7,
                0xaeee1eb36aa3ae21e51e61b25323413d,
                0x511828ae59cdf5221a9b99462a324304,
            ),
            (
                5,
                0xdb4da160000000000000000000000000,
                0x8d1319b103954c000000000000000000,
                0x8d1213bd7132c8000000000000000000,
            ),
            (
                5,
                0x3ff2fb126886d58f0c70adc8009b5be4,
                0xee3de7a94dc3a313d8270a281af88095,
                0x3ff2fb126886d58f0c70adc8009b5be4,
            ),
            (
                5,
                0x403fb5c0000000000000000000000000,
                0xf809aa061cb5c853de5554aa2af2d703,
                0x403fb5c0000000000000000000000000,
            ),
            (
                5,
                0xf2c8ca3a92bdc33cc55e7a421ffbf7ba,
                0x400d785119e46a6c12a8beda3cf0b9b8,
                0xc00c4ad54c5524c3407f76159ed99210,
            ),
            (
                5,
                0xdbb4d787e9accee7eb972fc689e4ceba,
                0xf9860650aca38cdcb19c80e7ad087cc5,
                0xdbb4d787e9accee7eb972fc689e4ceba,
            ),
            (
                5,
                0xc02989f2d090a28139a920d502410384,
                0xd4f80dc38f2a2c59a5a8eab61bb64e41,
                0xc02989f2d090a28139a920d502410384,
            ),
            (
                5,
                0x6b9b57d947d22e98e2cf3dd71d8f2cc5,
                0x4bc7ac5287a6ce554c8586fe7fc2b689,
                0x4bc5733403ccc2897d3dd4d2648a82a4,
            ),
            (
                6,
                0x4007996552504a5d4fcf7212bebfdd89,
                0xbffc05073f90be807f2e6910bdea3ffd,
                0x0000000000000000407996552504a5d5,
            ),
            (
                6,
                0xc006289de3af9938dfd0c092d0bd880a,
                0x00018ac56a39e1da1ecbf0901b9ca499,
                0x0000000000000000c06289de3af9938e,
            ),
            (
                6,
                0xc00142a9b003bcf791a26e64588e664e,
                0xbff92e590d8462034dfb587946c98a07,
                0x0000000000000000c0142a9b003bcf79,
            ),
            (
                6,
                0x6fbdacdf08ed7d6d6dbdc9459ba05cd7,
                0x0003d66b6c7953c604eee588af4f90e1,
                0x00000000000000007ff0000000000000,
            ),
            (
                6,
                0x78d14432e46a081adefc14c9ef379a8a,
                0x405216e556927d0c4e73ad4c42ed9af6,
                0x00000000000000007ff0000000000000,
            ),
            (
                6,
                0x77648dc5ab35c37c0a7e0a2bba88f7fa,
                0xc03721a0efbfe2972829afba0ceed892,
                0x00000000000000007ff0000000000000,
            ),
            (
                6,
                0xc073e451a9e1f9a72638093e2ad0b394,
                0x4005023a0cf64dad8af8e4b158256a76,
                0x0000000000000000c73e451a9e1f9a72,
            ),
            (
                7,
                0x6476b5204d2489174cf560811e3465c5,
                0xacc0984c83ce8648262a15662b298944,
                0x3e62a15662b298944000000000000000,
            ),
            (
                7,
                0xbff806c4cbe1f0a68f449cba3190dac7,
                0x07e5f4c25f87eb81a20de1288f9e2416,
                0xbe20de1288f9e2416000000000000000,
            ),
            (
                7,
                0x8ece269b8380f8091efa7337fccadbb9,
                0x3ff5d86ae2cdb638fc2cc87e740aa354,
                0xc3c2cc87e740aa354000000000000000,
            ),
            (
                7,
                0x3d8bdda3ced2924b5075a874e4fcc5af,
                0x5cb34007e91c852b3eb796cb1c8896e1,
                0x3feb796cb1c8896e1000000000000000,
            ),
            (
                7,
                0x8001596f2fd0fab263ea3e237569b7c7,
                0x1a8fe0c570694f5f920d2c369d33aa01,
                0xbd20d2c369d33aa01000000000000000,
            ),
            (
                7,
                0xbffaaf722dd0c91ee18490287a82ef0c,
                0xfffe391aea7d39b9b28f9d3cfcc48d8a,
                0xbf28f9d3cfcc48d8a000000000000000,
            ),
            (
                7,
                0xc0704b85d4877deb44fb1c6fc2ec69d0,
                0x3ff8b4c51f4e5962b0da7a97376add00,
                0xbf0da7a97376add00000000000000000,
            ),
            (
                8,
                0x7ffed7a9d87056f03b0d936889b10a5d,
                0x0000686578456056c10a152d71cb3f16,
                0x00000000000000000000000000000004,
            ),
            (
                8,
                0xbffc62f6c16000000000000000000000,
                0x2587eb1847e667e6b5bdd63a675e92a9,
                0x00000000000000000000000000000001,
            ),
            (
                8,
                0x3fa0ff1b9938da6f3398cdc75b47d01b,
                0x8bf4034c54b8ea9731b7483b427dde82,
                0x00000000000000000000000000000004,
            ),
            (
                8,
                0xc447dd31d98ac3c7f78fd82f0ff1c780,
                0x7ffe59eee25502d9a9282bbb77b23e9c,
                0x00000000000000000000000000000001,
            ),
            (
                8,
                0x800241ab33db5b3673a0e986380ce000,
                0xa8a6c245ee292a5f6403de97d5620fcb,
                0x00000000000000000000000000000004,
            ),
            (
                8,
                0xc9f2bf98d5bb5f5cc9a5c83d1ce87ee2,
                0x7fff47b6b47e59bf687d9f75582f2acc,
                0x00000000000000000000000000000000,
            ),
            (
                8,
                0xc018e71e782f94365846d333b080069e,
                0x3ff72e13000000000000000000000000,
                0x00000000000000000000000000000001,
            ),
            (
                9,
                0x1c0048f06e9659f65052886f70000000,
                0xb6b0e2fe140000000000000000000000,
                0x00000000000000000000000000000000,
            ),
            (
                9,
                0x3fd89c7a99530aea8166d932f500567f,
                0xfffe89c6995148c709100e0b1e053b96,
                0x00000000000000000000000000000000,
            ),
            (
                9,
                0x25e3c43d6d2f33600000000000000000,
                0x3ff9aad57e7643ad717f45ce49bbe46a,
                0x00000000000000000000000000000000,
            ),
            (
                9,
                0x766e8000000000000000000000000000,
                0x8003a60746140aa0a567dfc559a48ab5,
                0x766e8000000000000000000000000000,
            ),
            (
                9,
                0x80029bce5a3b22d7006f30122eb90152,
                0xfffdbc0994090949c9d3bd01767c691b,
                0x80000000000000000000000000000000,
            ),
            (
                9,
                0x7ffda25fdc22bb2d8eeb85cb1667951b,
                0xa6dc83505376979a744dbc0000000000,
                0x7ffda25fdc22bb2d8eeb85cb1667951b,
            ),
            (
                9,
                0xe1e002041dcfd39e8c28c4584b016bb9,
                0x8000ad9a26fa34d0da937fd603d2f4b9,
                0xe1e002041dcfd39e8c28c4584b016bb9,
            ),
        ];
        let is_nan = |x: u128| classify(x).1 == Class::Nan;
        for &(op, a, b, want) in CASES {
            let got = match op {
                0 => add(a, b),
                1 => sub(a, b),
                2 => mul(a, b),
                3 => div(a, b),
                5 => rem(a, b),
                6 => u128::from(to_f64(a).to_bits()),
                7 => from_f64(f64::from_bits(b as u64)),
                8 => u128::from(cmp(4, a, b)) | u128::from(cmp(1, a, b)) << 1 | u128::from(cmp(2, a, b)) << 2,
                _ => round_int(a, Mode::Even),
            };
            let both_nan = match op {
                6 => f64::from_bits(got as u64).is_nan() && f64::from_bits(want as u64).is_nan(),
                8 => false,
                _ => is_nan(got) && is_nan(want),
            };
            assert!(got == want || both_nan, "op {op} on {a:#034x}, {b:#034x}: {got:#034x}, want {want:#034x}");
        }
    }
}
