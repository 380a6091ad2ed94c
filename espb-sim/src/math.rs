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
}

binary! {
    atan2, atan2f, |y, x| y.atan2(x);
    pow, powf, |x, y| x.powf(y);
    fmod, fmodf, |x, y| x % y;
    hypot, hypotf, |x, y| x.hypot(y);
    fmin, fminf, |x, y| x.min(y);
    fmax, fmaxf, |x, y| x.max(y);
    copysign, copysignf, |x, y| x.copysign(y);
}

/// `ldexp(x, e)`: exact scaling by a power of two (in steps, so huge
/// exponents saturate to 0/inf like C instead of overflowing `powi`).
fn scale(x: f64, e: i32) -> f64 {
    let mut x = x;
    let mut e = e.clamp(-2200, 2200);
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e)
}

fn ldexp(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f64(scale(c.f64(0)?, c.i32(1)?)))
}

fn ldexpf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_f32(scale(c.f32(0)? as f64, c.i32(1)?) as f32))
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
fn classify(x: f64) -> i32 {
    match x.classify() {
        std::num::FpCategory::Nan => 0,
        std::num::FpCategory::Infinite => 1,
        std::num::FpCategory::Zero => 2,
        std::num::FpCategory::Subnormal => 3,
        std::num::FpCategory::Normal => 4,
    }
}

fn fpclassifyd(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(classify(c.f64(0)?)))
}

fn fpclassifyf(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(classify(f64::from(c.f32(0)?))))
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
    }
}
