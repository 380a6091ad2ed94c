//! `_Complex` multiplication and division (`complex.*`, the operations
//! clang leaves to libgcc's `__mulsc3`, `__muldc3`, `__divsc3`,
//! `__divdc3`), as C11 Annex G specifies them: the plain formulas, and
//! where both parts come out NaN, the infinities recovered (an infinite
//! operand gives an infinite result, a zero divisor an infinite quotient,
//! an infinite divisor a zero one). Division is done as GCC's libgcc does
//! it, so that results agree with a GCC-built firmware's, signed zeros
//! included: `double` by Smith's method, `float` by the plain formula in
//! double precision.

use crate::isa::ComplexOp;

/// Multiplication and the helpers of the recovery rules for `$t`.
macro_rules! complex_ops {
    ($t:ty, $copysign:path) => {
        /// 1 for an infinity, else 0, with `v`'s sign.
        fn unit_if_inf(v: $t) -> $t {
            $copysign(if v.is_infinite() { 1.0 } else { 0.0 }, v)
        }

        /// 0 with `v`'s sign for a NaN, else `v`.
        fn zero_if_nan(v: $t) -> $t {
            if v.is_nan() { $copysign(0.0, v) } else { v }
        }

        pub fn mul(mut a: $t, mut b: $t, mut c: $t, mut d: $t) -> ($t, $t) {
            let (ac, bd, ad, bc) = (a * c, b * d, a * d, b * c);
            let (x, y) = (ac - bd, ad + bc);
            if !(x.is_nan() && y.is_nan()) {
                return (x, y);
            }
            let mut again = false;
            if a.is_infinite() || b.is_infinite() {
                (a, b) = (unit_if_inf(a), unit_if_inf(b));
                (c, d) = (zero_if_nan(c), zero_if_nan(d));
                again = true;
            }
            if c.is_infinite() || d.is_infinite() {
                (c, d) = (unit_if_inf(c), unit_if_inf(d));
                (a, b) = (zero_if_nan(a), zero_if_nan(b));
                again = true;
            }
            if !again && [ac, bd, ad, bc].iter().any(|p| p.is_infinite()) {
                (a, b, c, d) = (zero_if_nan(a), zero_if_nan(b), zero_if_nan(c), zero_if_nan(d));
                again = true;
            }
            if !again {
                return (x, y);
            }
            (<$t>::INFINITY * (a * c - b * d), <$t>::INFINITY * (a * d + b * c))
        }
    };
}

/// Smith's division and Annex G's recovery for `$t`.
macro_rules! smith_div {
    ($t:ty, $copysign:path, $fmax:path) => {
        pub fn div(mut a: $t, mut b: $t, mut c: $t, mut d: $t) -> ($t, $t) {
            // Smith's method: divide by the larger part of the divisor, so
            // that nothing is squared; halve everything near the top of
            // the range so that `denom` cannot overflow.
            let (ac, ad) = (c.abs(), d.abs());
            if $fmax(ac, ad) >= <$t>::MAX / 2.0 {
                (a, b, c, d) = (a / 2.0, b / 2.0, c / 2.0, d / 2.0);
            }
            let (x, y) = if ac < ad {
                let ratio = c / d;
                let denom = c * ratio + d;
                if ratio.abs() >= <$t>::MIN_POSITIVE {
                    ((a * ratio + b) / denom, (b * ratio - a) / denom)
                } else {
                    // `ratio` lost its digits: divide before multiplying.
                    ((c * (a / d) + b) / denom, (c * (b / d) - a) / denom)
                }
            } else {
                let ratio = d / c;
                let denom = d * ratio + c;
                if ratio.abs() >= <$t>::MIN_POSITIVE {
                    ((b * ratio + a) / denom, (b - a * ratio) / denom)
                } else {
                    ((d * (b / c) + a) / denom, (b - d * (a / c)) / denom)
                }
            };
            recover(a, b, c, d, x, y)
        }

        /// Annex G: a quotient with both parts NaN that should be an
        /// infinity (zero divisor, infinite dividend) or a zero (infinite
        /// divisor).
        pub(super) fn recover(mut a: $t, mut b: $t, mut c: $t, mut d: $t, x: $t, y: $t) -> ($t, $t) {
            if !(x.is_nan() && y.is_nan()) {
                return (x, y);
            }
            if c == 0.0 && d == 0.0 && (!a.is_nan() || !b.is_nan()) {
                let inf = $copysign(<$t>::INFINITY, c);
                return (inf * a, inf * b);
            }
            if (a.is_infinite() || b.is_infinite()) && c.is_finite() && d.is_finite() {
                (a, b) = (unit_if_inf(a), unit_if_inf(b));
                return (<$t>::INFINITY * (a * c + b * d), <$t>::INFINITY * (b * c - a * d));
            }
            if (c.is_infinite() || d.is_infinite()) && a.is_finite() && b.is_finite() {
                (c, d) = (unit_if_inf(c), unit_if_inf(d));
                return (0.0 * (a * c + b * d), 0.0 * (b * c - a * d));
            }
            (x, y)
        }
    };
}

mod f32s {
    complex_ops!(f32, libm::copysignf);

    /// libgcc divides `float _Complex` values in double precision, where
    /// the plain formula can neither overflow nor underflow.
    pub fn div(a: f32, b: f32, c: f32, d: f32) -> (f32, f32) {
        let (a, b, c, d) = (f64::from(a), f64::from(b), f64::from(c), f64::from(d));
        let denom = c * c + d * d;
        let (x, y) = super::f64s::recover(a, b, c, d, (a * c + b * d) / denom, (b * c - a * d) / denom);
        (x as f32, y as f32)
    }
}
mod f64s {
    complex_ops!(f64, libm::copysign);
    smith_div!(f64, libm::copysign, libm::fmax);
}
/// `long double _Complex` on riscv32 (`__multc3`, `__divtc3`): the same
/// code as for `double`, on binary128.
mod f128s {
    use super::super::f128::{Q, q_copysign, q_fmax};
    complex_ops!(Q, q_copysign);
    smith_div!(Q, q_copysign, q_fmax);
}

/// `op` on (a + bi) and (c + di), each part's bits as registers hold them
/// (f32 in the low 32 bits); the result's real and imaginary parts. Never
/// inlined into the interpreter's loop, whose native frame stays small.
#[inline(never)]
pub fn eval(op: ComplexOp, a: u64, b: u64, c: u64, d: u64) -> (u64, u64) {
    let s = |v: u64| f32::from_bits(v as u32);
    let d64 = f64::from_bits;
    let f32r = |(x, y): (f32, f32)| (u64::from(x.to_bits()), u64::from(y.to_bits()));
    let f64r = |(x, y): (f64, f64)| (x.to_bits(), y.to_bits());
    match op {
        ComplexOp::MulF32 => f32r(f32s::mul(s(a), s(b), s(c), s(d))),
        ComplexOp::MulF64 => f64r(f64s::mul(d64(a), d64(b), d64(c), d64(d))),
        ComplexOp::DivF32 => f32r(f32s::div(s(a), s(b), s(c), s(d))),
        ComplexOp::DivF64 => f64r(f64s::div(d64(a), d64(b), d64(c), d64(d))),
    }
}

/// `_Complex long double` `op` on the binary128 values a, b, c, d (each
/// as its low and high word, in that order): the result's two parts, as
/// words likewise.
#[inline(never)]
pub fn eval_f128(op: crate::isa::ComplexF128Op, abcd: [u64; 8]) -> [u64; 4] {
    let v = |i: usize| super::f128::Q(u128::from(abcd[2 * i]) | u128::from(abcd[2 * i + 1]) << 64);
    let (x, y) = match op {
        crate::isa::ComplexF128Op::Mul => f128s::mul(v(0), v(1), v(2), v(3)),
        crate::isa::ComplexF128Op::Div => f128s::div(v(0), v(1), v(2), v(3)),
    };
    [x.0 as u64, (x.0 >> 64) as u64, y.0 as u64, (y.0 >> 64) as u64]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_products_and_quotients() {
        assert_eq!(f64s::mul(1.0, 2.0, 3.0, 4.0), (-5.0, 10.0));
        assert_eq!(f64s::div(-5.0, 10.0, 3.0, 4.0), (1.0, 2.0));
        assert_eq!(f32s::div(-5.0, 10.0, 3.0, 4.0), (1.0, 2.0));
        // huge divisors: c*c would overflow without the scaling
        assert_eq!(f64s::div(1e300, 1e300, 1e300, 1e300), (1.0, 0.0));
    }

    /// binary128 through the same code: exact small cases and the recovery.
    #[test]
    fn binary128() {
        use super::super::f128::Q;
        let q = |v: f64| Q::from(v);
        let (x, y) = f128s::mul(q(1.0), q(2.0), q(3.0), q(4.0));
        assert_eq!((x, y), (q(-5.0), q(10.0)));
        let (x, y) = f128s::div(q(-5.0), q(10.0), q(3.0), q(4.0));
        assert_eq!((x, y), (q(1.0), q(2.0)));
        let (x, y) = f128s::mul(Q::INFINITY, q(f64::NAN), q(1.0), q(0.0));
        assert!(x.is_infinite() || y.is_infinite());
        let (x, y) = f128s::div(q(1.0), q(1.0), q(0.0), q(0.0));
        assert_eq!((x, y), (Q::INFINITY, Q::INFINITY));
        let (x, y) = f128s::div(Q::MAX, Q::MAX, Q::MAX, Q::MAX);
        assert_eq!((x, y), (q(1.0), q(0.0)), "no overflow near the top");
        let words = eval_f128(
            crate::isa::ComplexF128Op::Mul,
            [0, 0x3FFF << 48, 0, 0x4000 << 48, 0, 0x4000_8000 << 32, 0, 0x4001 << 48],
        );
        assert_eq!(words, [0, 0xC001_4000 << 32, 0, 0x4002_4000 << 32], "(1+2i)(3+4i) = -5+10i");
    }

    #[test]
    fn infinities_survive() {
        let inf = f64::INFINITY;
        let (x, y) = f64s::mul(inf, f64::NAN, 1.0, 0.0);
        assert!(x.is_infinite() || y.is_infinite());
        let (x, y) = f64s::div(1.0, 0.0, 0.0, 0.0);
        assert_eq!((x, y.is_nan()), (inf, true));
        let (x, y) = f64s::div(1.0, 1.0, inf, 0.0);
        assert_eq!((x, y), (0.0, 0.0));
    }
}
