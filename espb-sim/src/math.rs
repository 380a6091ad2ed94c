//! math.h: double functions and their `f`-suffixed float versions, computed
//! with Rust's std (the platform libm), so results equal glibc's on the PC.

use super::{Call, Native, PcHost, n, ret_f32, ret_f64, ret_i32};
use espb_runtime::{HostCtx, Trap};

/// `unary!(name, namef, |x| expr)`: a double and a float handler.
macro_rules! unary {
    ($($d:ident, $f:ident, $op:ident;)*) => {
        $(
            fn $d(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
                Ok(ret_f64(c.f64(0)?.$op()))
            }
            fn $f(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
                Ok(ret_f32(c.f32(0)?.$op()))
            }
        )*
        pub(crate) const UNARY: &[Native] = &[$(n(stringify!($d), $d), n(stringify!($f), $f),)*];
    };
}

macro_rules! binary {
    ($($d:ident, $f:ident, |$x:ident, $y:ident| $e:expr;)*) => {
        $(
            fn $d(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
                let ($x, $y) = (c.f64(0)?, c.f64(1)?);
                Ok(ret_f64($e))
            }
            fn $f(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
                let ($x, $y) = (c.f32(0)?, c.f32(1)?);
                Ok(ret_f32($e))
            }
        )*
        pub(crate) const BINARY: &[Native] = &[$(n(stringify!($d), $d), n(stringify!($f), $f),)*];
    };
}

unary! {
    sqrt, sqrtf, sqrt;
    sin, sinf, sin;
    cos, cosf, cos;
    tan, tanf, tan;
    asin, asinf, asin;
    acos, acosf, acos;
    atan, atanf, atan;
    sinh, sinhf, sinh;
    cosh, coshf, cosh;
    tanh, tanhf, tanh;
    exp, expf, exp;
    exp2, exp2f, exp2;
    expm1, expm1f, exp_m1;
    log, logf, ln;
    log10, log10f, log10;
    log2, log2f, log2;
    log1p, log1pf, ln_1p;
    cbrt, cbrtf, cbrt;
    fabs, fabsf, abs;
    floor, floorf, floor;
    ceil, ceilf, ceil;
    round, roundf, round;
    trunc, truncf, trunc;
    rint, rintf, round_ties_even;
    nearbyint, nearbyintf, round_ties_even;
}

binary! {
    atan2, atan2f, |y, x| y.atan2(x);
    pow, powf, |x, y| x.powf(y);
    fmod, fmodf, |x, y| x % y;
    hypot, hypotf, |x, y| x.hypot(y);
    fmin, fminf, |x, y| x.min(y);
    fmax, fmaxf, |x, y| x.max(y);
    copysign, copysignf, |x, y| x.copysign(y);
    fdim, fdimf, |x, y| if x > y { x - y } else if x.is_nan() || y.is_nan() { x + y } else { 0.0 };
}

/// `scalbn(x, e)` = `ldexp(x, e)`: `x * 2^e` rounded once. Huge exponents
/// are applied in exact steps first; toward the subnormal range the steps
/// stop 53 bits short of it, so only the last multiplication rounds.
fn scale(x: f64, e: i32) -> f64 {
    let (mut x, mut e) = (x, e);
    for _ in 0..2 {
        if e > 1023 {
            x *= f64::from_bits(0x7FE0_0000_0000_0000); // 2^1023
            e -= 1023;
        } else if e < -1022 {
            x *= f64::from_bits(0x0360_0000_0000_0000); // 2^-969 = 2^-1022 * 2^53
            e += 1022 - 53;
        }
    }
    let e = e.clamp(-1022, 1023);
    x * f64::from_bits(((e + 1023) as u64) << 52)
}

/// `scalbnf`/`ldexpf`, as [`scale`] for float.
fn scalef(x: f32, e: i32) -> f32 {
    let (mut x, mut e) = (x, e);
    for _ in 0..2 {
        if e > 127 {
            x *= f32::from_bits(0x7F00_0000); // 2^127
            e -= 127;
        } else if e < -126 {
            x *= f32::from_bits(0x0C80_0000); // 2^-102 = 2^-126 * 2^24
            e += 126 - 24;
        }
    }
    let e = e.clamp(-126, 127);
    x * f32::from_bits(((e + 127) as u32) << 23)
}

/// `nextafter(x, y)`: the next representable value from `x` toward `y`.
macro_rules! next_after {
    ($name:ident, $t:ty, $bits:ty) => {
        fn $name(x: $t, y: $t) -> $t {
            if x.is_nan() || y.is_nan() {
                return x + y;
            }
            if x == y {
                return y;
            }
            if x == 0.0 {
                return <$t>::from_bits(1).copysign(y);
            }
            let b = x.to_bits();
            <$t>::from_bits(if (x < y) == (x > 0.0) { b + 1 } else { b - 1 })
        }
    };
}
next_after!(next_after64, f64, u64);
next_after!(next_after32, f32, u32);

/// newlib's `ilogb` results for 0 and NaN (`FP_ILOGB0`, `FP_ILOGBNAN`:
/// `-INT_MAX`, `INT_MAX`; infinity gives `INT_MAX` too).
fn ilogb_of(x: f64) -> i32 {
    if x == 0.0 {
        -i32::MAX
    } else if !x.is_finite() {
        i32::MAX
    } else {
        split_exp(x).1 - 1
    }
}

fn logb_of(x: f64) -> f64 {
    if x == 0.0 {
        f64::NEG_INFINITY
    } else if x.is_nan() {
        x
    } else if x.is_infinite() {
        f64::INFINITY
    } else {
        f64::from(split_exp(x).1 - 1)
    }
}

fn scalbn(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f64(scale(c.f64(0)?, c.i32(1)?)))
}

fn scalbnf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f32(scalef(c.f32(0)?, c.i32(1)?)))
}

/// `nan(tag)`: a quiet NaN (the tag chooses no payload, as newlib's).
fn nan(_: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f64(f64::NAN))
}

fn nanf(_: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f32(f32::NAN))
}

fn nextafter(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f64(next_after64(c.f64(0)?, c.f64(1)?)))
}

fn nextafterf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f32(next_after32(c.f32(0)?, c.f32(1)?)))
}

fn fma(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f64(c.f64(0)?.mul_add(c.f64(1)?, c.f64(2)?)))
}

fn fmaf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f32(c.f32(0)?.mul_add(c.f32(1)?, c.f32(2)?)))
}

/// `llround`/`llroundf`, and `lrint`/`llrint` (ties to even, the default
/// rounding mode); out-of-range results (undefined in C) saturate.
fn llround(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(c.f64(0)?.round() as i64 as u64)
}

fn llroundf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(c.f32(0)?.round() as i64 as u64)
}

fn lrint(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(c.f64(0)?.round_ties_even() as i32))
}

fn lrintf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(c.f32(0)?.round_ties_even() as i32))
}

fn llrint(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(c.f64(0)?.round_ties_even() as i64 as u64)
}

fn llrintf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(c.f32(0)?.round_ties_even() as i64 as u64)
}

fn ilogb(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(ilogb_of(c.f64(0)?)))
}

fn ilogbf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(ilogb_of(f64::from(c.f32(0)?))))
}

fn logb(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f64(logb_of(c.f64(0)?)))
}

fn logbf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f32(logb_of(f64::from(c.f32(0)?)) as f32))
}

fn ldexp(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f64(scale(c.f64(0)?, c.i32(1)?)))
}

fn ldexpf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f32(scalef(c.f32(0)?, c.i32(1)?)))
}

/// `frexp(x, &e)`: mantissa in [0.5, 1) and exponent.
fn split_exp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let (x, bias) = if x.abs() < f64::MIN_POSITIVE { (x * 2f64.powi(64), -64) } else { (x, 0) };
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7FF) as i32 - 1022;
    let m = f64::from_bits((bits & !(0x7FFu64 << 52)) | (1022u64 << 52));
    (m, e + bias)
}

fn frexp(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (m, e) = split_exp(c.f64(0)?);
    ctx.mem.write_u32(c.u32(1)?, e as u32)?;
    Ok(ret_f64(m))
}

fn frexpf(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (m, e) = split_exp(c.f32(0)? as f64);
    ctx.mem.write_u32(c.u32(1)?, e as u32)?;
    Ok(ret_f32(m as f32))
}

/// `modf(x, &ip)`: fractional part, integral part stored.
fn modf(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let x = c.f64(0)?;
    let ip = x.trunc();
    ctx.mem.write_u64(c.u32(1)?, ip.to_bits())?;
    let frac = if x.is_infinite() { 0.0f64.copysign(x) } else { (x - ip).copysign(x) };
    Ok(ret_f64(frac))
}

fn modff(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let x = c.f32(0)?;
    let ip = x.trunc();
    ctx.mem.write_u32(c.u32(1)?, ip.to_bits())?;
    let frac = if x.is_infinite() { 0.0f32.copysign(x) } else { (x - ip).copysign(x) };
    Ok(ret_f32(frac))
}

/// `lround`/`lroundf` (long is 32-bit): saturating like Rust's `as`.
fn lround(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(c.f64(0)?.round() as i32))
}

fn lroundf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(c.f32(0)?.round() as i32))
}

/// newlib's `fpclassify` values (FP_NAN 0 .. FP_NORMAL 4), behind `isnan`,
/// `isinf` and `fpclassify` when the compiler does not inline them.
/// Takes the category: a `float` subnormal is a normal `double`, so each
/// width classifies itself.
fn classify(c: std::num::FpCategory) -> i32 {
    match c {
        std::num::FpCategory::Nan => 0,
        std::num::FpCategory::Infinite => 1,
        std::num::FpCategory::Zero => 2,
        std::num::FpCategory::Subnormal => 3,
        std::num::FpCategory::Normal => 4,
    }
}

fn fpclassifyd(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(classify(c.f64(0)?.classify())))
}

fn fpclassifyf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(classify(c.f32(0)?.classify())))
}

fn signbitd(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(i32::from(c.f64(0)?.is_sign_negative())))
}

fn signbitf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(i32::from(c.f32(0)?.is_sign_negative())))
}

pub(crate) const OTHER: &[Native] = &[
    n("__fpclassifyd", fpclassifyd),
    n("__fpclassifyf", fpclassifyf),
    n("__signbitd", signbitd),
    n("__signbitf", signbitf),
    n("ldexp", ldexp),
    n("ldexpf", ldexpf),
    n("frexp", frexp),
    n("frexpf", frexpf),
    n("modf", modf),
    n("modff", modff),
    n("lround", lround),
    n("lroundf", lroundf),
    n("scalbn", scalbn),
    n("scalbnf", scalbnf),
    // `long` is 32 bits: scalbln is scalbn.
    n("scalbln", scalbn),
    n("scalblnf", scalbnf),
    n("nan", nan),
    n("nanf", nanf),
    n("nextafter", nextafter),
    n("nextafterf", nextafterf),
    n("fma", fma),
    n("fmaf", fmaf),
    n("llround", llround),
    n("llroundf", llroundf),
    n("lrint", lrint),
    n("lrintf", lrintf),
    n("llrint", llrint),
    n("llrintf", llrintf),
    n("ilogb", ilogb),
    n("ilogbf", ilogbf),
    n("logb", logb),
    n("logbf", logbf),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frexp_and_ldexp() {
        assert_eq!(split_exp(8.0), (0.5, 4));
        assert_eq!(split_exp(-0.75), (-0.75, 0));
        assert_eq!(split_exp(5e-324), (0.5, -1073));
        assert_eq!(scale(0.5, -1073), 5e-324);
        assert_eq!(scale(1.0, 5000), f64::INFINITY);
        assert_eq!(scale(1.0, i32::MIN), 0.0);
        // One rounding into the subnormals: 1.5 * 2^-1074 ties to even (2^-1073).
        assert_eq!(scale(1.5, -1074), 1e-323);
        assert_eq!(scale(0.75, -1073), 1e-323);
        // Just above half of the smallest subnormal, after steps: rounded once, up.
        assert_eq!(scale(2f64.powi(1000) * (1.0 + f64::EPSILON), -2075), 5e-324);
        assert_eq!(scale(f64::MAX, -2098).to_bits(), 0x1, "from the top down to the bottom");
        assert_eq!(scalef(1.5, -149), f32::from_bits(2));
        assert_eq!(scalef(f32::MIN_POSITIVE, 253), 2f32.powi(127));
        assert_eq!(scalef(1.0, 300), f32::INFINITY);
    }

    #[test]
    fn nextafter_and_logb() {
        assert_eq!(next_after64(1.0, 2.0), 1.0 + f64::EPSILON);
        assert_eq!(next_after64(1.0, 0.0), 1.0 - f64::EPSILON / 2.0);
        assert_eq!(next_after64(0.0, -1.0), -5e-324);
        assert_eq!(next_after64(-5e-324, 1.0), 0.0);
        assert_eq!(next_after32(f32::MAX, f32::INFINITY), f32::INFINITY);
        assert_eq!((ilogb_of(8.0), ilogb_of(5e-324), ilogb_of(0.0)), (3, -1074, -i32::MAX));
        assert_eq!((logb_of(0.1), logb_of(0.0)), (-4.0, f64::NEG_INFINITY));
    }
}
