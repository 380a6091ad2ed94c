//! stdlib.h (and assert.h): integer helpers, string-to-number conversion,
//! newlib's `rand`, and the ways a program ends.
//!
//! `long` is 32 bits (ilp32). `strto*` set `errno` (ERANGE, EINVAL) like
//! C; `errno` lives in the module's `struct _reent` (`__errno()`).
//! `qsort`/`bsearch` need to call back into the module and are not here.

use super::{Call, EINVAL, ERANGE, Native, PcHost, n, ret_i32};
use espb_runtime::Memory;
use espb_runtime::{HostCtx, Trap};

pub(crate) const NATIVES: &[Native] = &[
    n("abs", abs),
    n("labs", abs),
    n("llabs", llabs),
    n("atoi", atoi),
    n("atol", atoi),
    n("atoll", atoll),
    n("strtol", strtol),
    n("strtoul", strtoul),
    n("strtoll", strtoll),
    n("strtoull", strtoull),
    n("rand", rand),
    n("srand", srand),
    n("exit", exit),
    n("_exit", exit),
    n("abort", abort),
    n("__assert_func", assert_func),
    n("__errno", errno),
    n("getenv", getenv),
];

/// The simulated firmware has no environment: `getenv` finds nothing.
fn getenv(_: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(0)
}

/// `__errno()`: the address of `errno` (`&_REENT->_errno`).
fn errno(h: &mut PcHost, _: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(h.reent(ctx)? as u64)
}

fn abs(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(c.i32(0)?.wrapping_abs()))
}

fn llabs(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(c.i64(0)?.wrapping_abs() as u64)
}

/// What `strto*` parsed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub negative: bool,
    /// The magnitude; saturated at `u64::MAX` when `overflow`.
    pub magnitude: u64,
    pub overflow: bool,
    /// Where parsing stopped (`nptr` itself when no digits were found).
    pub end: u32,
    /// The base was invalid (EINVAL).
    pub bad_base: bool,
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// The common part of `strtol` and friends, as C specifies it: leading
/// white space, a sign, a `0x` prefix for base 16 or 0, octal for base 0
/// with a leading `0`; a base outside 2..=36 (other than 0) parses nothing.
pub(crate) fn parse_int(mem: &Memory, nptr: u32, base: i32) -> Result<Parsed, Trap> {
    let s = mem.c_str(nptr)?;
    let mut i = 0;
    let none = Parsed { negative: false, magnitude: 0, overflow: false, end: nptr, bad_base: false };
    if base != 0 && !(2..=36).contains(&base) {
        return Ok(Parsed { bad_base: true, ..none });
    }
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if let Some(&c @ (b'+' | b'-')) = s.get(i) {
        negative = c == b'-';
        i += 1;
    }
    let mut base = base as u32;
    let hex_prefix = s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
        && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit());
    if (base == 0 || base == 16) && hex_prefix {
        i += 2;
        base = 16;
    } else if base == 0 {
        base = if s.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let digits_start = i;
    let mut magnitude: u64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(base)) {
        match magnitude.checked_mul(base as u64).and_then(|m| m.checked_add(d as u64)) {
            Some(m) => magnitude = m,
            None => {
                overflow = true;
                magnitude = u64::MAX;
            }
        }
        i += 1;
    }
    if i == digits_start {
        return Ok(none);
    }
    Ok(Parsed { negative, magnitude, overflow, end: nptr.wrapping_add(i as u32), bad_base: false })
}

/// Signed result clamped to `min..=max` as `strtol`/`strtoll` do, and
/// whether it was out of range.
fn to_signed(p: &Parsed, min: i64, max: i64) -> (i64, bool) {
    if p.negative {
        if p.overflow || p.magnitude > min.unsigned_abs() {
            (min, true)
        } else {
            ((p.magnitude as i64).wrapping_neg(), false)
        }
    } else if p.overflow || p.magnitude > max as u64 {
        (max, true)
    } else {
        (p.magnitude as i64, false)
    }
}

/// Unsigned result as `strtoul`/`strtoull` do: clamped to `max`, negated
/// in unsigned arithmetic for a `-` sign; and whether it was out of range.
fn to_unsigned(p: &Parsed, max: u64) -> (u64, bool) {
    if p.overflow || p.magnitude > max {
        (max, true)
    } else if p.negative {
        (p.magnitude.wrapping_neg() & max, false)
    } else {
        (p.magnitude, false)
    }
}

/// Sets errno for a conversion: EINVAL for a bad base, ERANGE when clamped.
fn conversion_errno(h: &mut PcHost, ctx: &mut HostCtx<'_>, p: &Parsed, range: bool) -> Result<(), Trap> {
    if p.bad_base {
        h.set_errno(ctx, EINVAL)
    } else if range {
        h.set_errno(ctx, ERANGE)
    } else {
        Ok(())
    }
}

/// Parses and stores the end pointer through `endptr` when it is not NULL.
fn strto(c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<Parsed, Trap> {
    let (nptr, endptr, base) = (c.u32(0)?, c.u32(1)?, c.i32(2)?);
    let p = parse_int(ctx.mem, nptr, base)?;
    if endptr != 0 {
        ctx.mem.write_u32(endptr, p.end)?;
    }
    Ok(p)
}

fn strtol(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let p = strto(c, ctx)?;
    let (v, range) = to_signed(&p, i32::MIN as i64, i32::MAX as i64);
    conversion_errno(h, ctx, &p, range)?;
    Ok(ret_i32(v as i32))
}

fn strtoul(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let p = strto(c, ctx)?;
    let (v, range) = to_unsigned(&p, u32::MAX as u64);
    conversion_errno(h, ctx, &p, range)?;
    Ok(v)
}

fn strtoll(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let p = strto(c, ctx)?;
    let (v, range) = to_signed(&p, i64::MIN, i64::MAX);
    conversion_errno(h, ctx, &p, range)?;
    Ok(v as u64)
}

fn strtoull(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let p = strto(c, ctx)?;
    let (v, range) = to_unsigned(&p, u64::MAX);
    conversion_errno(h, ctx, &p, range)?;
    Ok(v)
}

/// `atoi`/`atol`: `(int)strtol(s, NULL, 10)`, as newlib (errno untouched).
fn atoi(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let p = parse_int(ctx.mem, c.u32(0)?, 10)?;
    Ok(ret_i32(to_signed(&p, i32::MIN as i64, i32::MAX as i64).0 as i32))
}

fn atoll(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let p = parse_int(ctx.mem, c.u32(0)?, 10)?;
    Ok(to_signed(&p, i64::MIN, i64::MAX).0 as u64)
}

/// newlib's `rand` (libc/stdlib/rand.c): a 64-bit LCG, Knuth's multiplier,
/// `next = next * 6364136223846793005 + 1`, result `(next >> 32) & RAND_MAX`
/// with `RAND_MAX = 0x7fffffff`; the state starts at 1.
pub(crate) fn newlib_rand(state: &mut u64) -> i32 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
    ((*state >> 32) & 0x7fff_ffff) as i32
}

fn rand(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(newlib_rand(&mut h.rand_next)))
}

fn srand(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    h.rand_next = c.u32(0)? as u64;
    Ok(0)
}

fn exit(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Err(h.exit(c.i32(0)?))
}

fn abort(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Err(h.abort())
}

/// newlib's `assert` failure: `__assert_func(file, line, func, expr)`
/// prints to stderr and aborts.
fn assert_func(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (file, line, func, expr) = (c.u32(0)?, c.i32(1)?, c.u32(2)?, c.u32(3)?);
    let text = |p: u32| -> Result<String, Trap> {
        Ok(if p == 0 { String::new() } else { String::from_utf8_lossy(ctx.mem.c_str(p)?).into_owned() })
    };
    let func_part = if func == 0 { String::new() } else { format!(", function: {}", text(func)?) };
    let msg = format!("assertion \"{}\" failed: file \"{}\", line {line}{func_part}\n", text(expr)?, text(file)?);
    h.write_stderr(msg.as_bytes());
    Err(h.abort())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: u32 = 0x3FC8_0000;

    fn parse(s: &str, base: i32) -> Parsed {
        let mut mem = Memory::new(BASE, 256);
        mem.slice_mut(BASE, s.len()).unwrap().copy_from_slice(s.as_bytes());
        let mut p = parse_int(&mem, BASE, base).unwrap();
        p.end -= BASE;
        p
    }

    fn p(negative: bool, magnitude: u64, overflow: bool, end: u32) -> Parsed {
        Parsed { negative, magnitude, overflow, end, bad_base: false }
    }

    #[test]
    fn parse_forms() {
        assert_eq!(parse("  -42xyz", 10), p(true, 42, false, 5));
        assert_eq!(parse("0x1F", 0), p(false, 31, false, 4));
        assert_eq!(parse("0x1F", 16), p(false, 31, false, 4));
        assert_eq!(parse("0xg", 16), p(false, 0, false, 1)); // "0", end at 'x'
        assert_eq!(parse("017", 0), p(false, 15, false, 3));
        assert_eq!(parse("zz", 36), p(false, 1295, false, 2));
        assert_eq!(parse("abc", 10), p(false, 0, false, 0)); // no digits: end = nptr
        assert_eq!(parse("+", 10), p(false, 0, false, 0));
        assert_eq!(parse("12", 1), Parsed { bad_base: true, ..p(false, 0, false, 0) });
        assert!(parse("99999999999999999999999", 10).overflow);
    }

    #[test]
    fn clamping() {
        assert_eq!(to_signed(&parse("2147483648", 10), i32::MIN as i64, i32::MAX as i64).0, i32::MAX as i64);
        assert_eq!(to_signed(&parse("-2147483648", 10), i32::MIN as i64, i32::MAX as i64).0, i32::MIN as i64);
        assert_eq!(to_signed(&parse("-2147483649", 10), i32::MIN as i64, i32::MAX as i64).0, i32::MIN as i64);
        assert_eq!(to_signed(&parse("-9223372036854775808", 10), i64::MIN, i64::MAX).0, i64::MIN);
        assert_eq!(to_unsigned(&parse("-1", 10), u32::MAX as u64).0, u32::MAX as u64);
        assert_eq!(to_unsigned(&parse("4294967296", 10), u32::MAX as u64).0, u32::MAX as u64);
        assert_eq!(to_unsigned(&parse("18446744073709551615", 10), u64::MAX).0, u64::MAX);
        assert_eq!(to_unsigned(&parse("18446744073709551616", 10), u64::MAX).0, u64::MAX);
    }

    #[test]
    fn rand_matches_newlib() {
        // First values of newlib's rand() without srand (state 1), computed
        // from newlib's formula independently with u128 arithmetic.
        let mut s = 1u64;
        let mut reference = 1u128;
        for _ in 0..5 {
            reference = (reference * 6364136223846793005 + 1) % (1u128 << 64);
            assert_eq!(newlib_rand(&mut s), ((reference >> 32) & 0x7fff_ffff) as i32);
        }
        let mut s = 1u64;
        assert_eq!(newlib_rand(&mut s), 1481765933);
    }
}
