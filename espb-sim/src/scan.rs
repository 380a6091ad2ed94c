//! Text to numbers the way C reads them: `strtod`/`strtof`/`atof` and the
//! `sscanf`/`vsscanf` family.
//!
//! Floating-point text is converted with correct rounding (as newlib's and
//! glibc's `strtod`): decimal through Rust's parser (correctly rounded, to
//! `float` directly for `strtof`, so there is no double rounding), hex
//! floats (`0x1.8p3`) exactly here. `errno` becomes `ERANGE` when a finite
//! number overflows to infinity or a nonzero one underflows to zero or a
//! subnormal.

use super::printf::{ArgSource, VaListArgs};
use super::{Call, ERANGE, Native, PcHost, n, ret_f32, ret_f64, ret_i32};
use espb_runtime::{HostCtx, Memory, Trap};

pub(crate) const NATIVES: &[Native] = &[
    n("strtod", strtod),
    n("strtof", strtof),
    n("atof", atof),
    n("sscanf", sscanf),
    n("siscanf", sscanf),
    n("vsscanf", vsscanf),
];

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// The number a text starts with (after any white space, which the
/// caller skips).
#[derive(Debug, Clone, PartialEq)]
enum FloatText {
    /// A decimal number, as Rust's parser accepts it, and whether it has a
    /// nonzero digit.
    Decimal(String, bool),
    /// `±mantissa * 2^exp`, `sticky`: nonzero bits were cut off the mantissa.
    Hex {
        negative: bool,
        mantissa: u64,
        exp: i32,
        sticky: bool,
    },
    Inf(bool),
    Nan(bool),
}

fn digits(s: &[u8], i: usize, hex: bool) -> usize {
    let mut j = i;
    while j < s.len() && (if hex { s[j].is_ascii_hexdigit() } else { s[j].is_ascii_digit() }) {
        j += 1;
    }
    j
}

/// The longest prefix of `s` that is a C floating-point number, and how
/// many bytes it takes; `None` when there is none.
fn scan_float(s: &[u8]) -> Option<(FloatText, usize)> {
    let mut i = 0;
    let negative = s.first() == Some(&b'-');
    if matches!(s.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let word = |i: usize, w: &str| s.len() >= i + w.len() && s[i..i + w.len()].eq_ignore_ascii_case(w.as_bytes());
    if word(i, "inf") {
        let len = if word(i, "infinity") { i + 8 } else { i + 3 };
        return Some((FloatText::Inf(negative), len));
    }
    if word(i, "nan") {
        let mut j = i + 3;
        // nan(n-char-sequence)
        if s.get(j) == Some(&b'(') {
            let mut k = j + 1;
            while k < s.len() && (s[k].is_ascii_alphanumeric() || s[k] == b'_') {
                k += 1;
            }
            if s.get(k) == Some(&b')') {
                j = k + 1;
            }
        }
        return Some((FloatText::Nan(negative), j));
    }
    let hex_start = s.get(i) == Some(&b'0') && matches!(s.get(i + 1), Some(b'x' | b'X'));
    if hex_start {
        let m0 = i + 2;
        let int_end = digits(s, m0, true);
        let (frac_start, frac_end) = if s.get(int_end) == Some(&b'.') {
            (int_end + 1, digits(s, int_end + 1, true))
        } else {
            (int_end, int_end)
        };
        if int_end > m0 || frac_end > frac_start {
            let (mut mantissa, mut exp, mut sticky) = (0u64, 0i32, false);
            let all =
                s[m0..int_end].iter().map(|&c| (c, false)).chain(s[frac_start..frac_end].iter().map(|&c| (c, true)));
            for (c, fraction) in all {
                let d = (c as char).to_digit(16).unwrap_or(0) as u64;
                if mantissa >> 60 == 0 {
                    mantissa = mantissa << 4 | d;
                    if fraction {
                        exp -= 4;
                    }
                } else {
                    sticky |= d != 0;
                    if !fraction {
                        exp += 4;
                    }
                }
            }
            let mut end = frac_end;
            if let Some((e, len)) = exponent(s, frac_end, b'p') {
                exp = exp.saturating_add(e);
                end = len;
            }
            return Some((FloatText::Hex { negative, mantissa, exp, sticky }, end));
        }
        // "0x" without digits: the "0" is the number.
        return Some((FloatText::Decimal("0".into(), false), i + 1));
    }
    let int_end = digits(s, i, false);
    let (frac_start, frac_end) =
        if s.get(int_end) == Some(&b'.') { (int_end + 1, digits(s, int_end + 1, false)) } else { (int_end, int_end) };
    if int_end == i && frac_end == frac_start {
        return None;
    }
    let nonzero = s[i..frac_end].iter().any(|c| (b'1'..=b'9').contains(c));
    let mut end = if frac_end > frac_start || s.get(int_end) == Some(&b'.') { frac_end } else { int_end };
    let mut text: String = s[..end].iter().map(|&c| c as char).collect();
    if let Some((e, len)) = exponent(s, end, b'e') {
        // Rust's parser takes any exponent; keep it in range of an i32.
        text.push_str(&format!("e{e}"));
        end = len;
    }
    Some((FloatText::Decimal(text, nonzero), end))
}

/// An exponent `e[+-]digits` (or `p...`) at `i`: its value (saturated) and
/// where it ends.
fn exponent(s: &[u8], i: usize, letter: u8) -> Option<(i32, usize)> {
    if !s.get(i)?.eq_ignore_ascii_case(&letter) {
        return None;
    }
    let mut j = i + 1;
    let negative = s.get(j) == Some(&b'-');
    if matches!(s.get(j), Some(b'+' | b'-')) {
        j += 1;
    }
    let end = digits(s, j, false);
    if end == j {
        return None;
    }
    let mut v: i32 = 0;
    for &c in &s[j..end] {
        v = v.saturating_mul(10).saturating_add(i32::from(c - b'0')).min(1_000_000);
    }
    Some((if negative { -v } else { v }, end))
}

/// `mantissa * 2^exp` rounded to nearest, ties to even, into a binary
/// format with `frac` fraction bits and exponent `bias`: the bits without
/// the sign, and whether it overflowed or was tiny and inexact.
fn round_binary(mantissa: u64, sticky: bool, exp: i32, frac: u32, bias: i32) -> (u64, bool) {
    if mantissa == 0 {
        return (0, sticky);
    }
    let lz = mantissa.leading_zeros();
    let m = u128::from(mantissa << lz);
    // The value is m * 2^(exp - lz), m's top bit is bit 63.
    let mut top = i64::from(exp) - i64::from(lz) + 63;
    let emin = i64::from(1 - bias);
    let kept = if top >= emin { i64::from(frac) + 1 } else { i64::from(frac) + 1 - (emin - top) };
    if kept < 0 {
        return (0, true);
    }
    let shift = (64 - kept) as u32;
    let mut q = m >> shift;
    let rem = m & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    let inexact = rem != 0 || sticky;
    if rem > half || (rem == half && (sticky || q & 1 == 1)) {
        q += 1;
    }
    if top < emin {
        // Subnormal (a carry into the smallest normal gives its bits too).
        return (q as u64, inexact);
    }
    if q == 1u128 << (frac + 1) {
        q >>= 1;
        top += 1;
    }
    if top > i64::from(bias) {
        // Infinity: the exponent field all ones.
        return (((2 * bias + 1) as u64) << frac, true);
    }
    ((((top + i64::from(bias)) as u64) << frac) | (q as u64 & ((1u64 << frac) - 1)), false)
}

/// A number as `double` and whether `errno` becomes `ERANGE`.
fn to_f64(t: &FloatText) -> (f64, bool) {
    match t {
        FloatText::Inf(neg) => (if *neg { f64::NEG_INFINITY } else { f64::INFINITY }, false),
        FloatText::Nan(neg) => (if *neg { -f64::NAN } else { f64::NAN }, false),
        FloatText::Decimal(text, nonzero) => {
            let v: f64 = text.parse().unwrap_or(0.0);
            (v, v.is_infinite() || (*nonzero && (v == 0.0 || v.is_subnormal())))
        }
        FloatText::Hex { negative, mantissa, exp, sticky } => {
            let (bits, range) = round_binary(*mantissa, *sticky, *exp, 52, 1023);
            let v = f64::from_bits(bits);
            (if *negative { -v } else { v }, range && (v.is_infinite() || v == 0.0 || v.is_subnormal()))
        }
    }
}

/// A number as `float` (rounded once, from the text).
fn to_f32(t: &FloatText) -> (f32, bool) {
    match t {
        FloatText::Inf(neg) => (if *neg { f32::NEG_INFINITY } else { f32::INFINITY }, false),
        FloatText::Nan(neg) => (if *neg { -f32::NAN } else { f32::NAN }, false),
        FloatText::Decimal(text, nonzero) => {
            let v: f32 = text.parse().unwrap_or(0.0);
            (v, v.is_infinite() || (*nonzero && (v == 0.0 || v.is_subnormal())))
        }
        FloatText::Hex { negative, mantissa, exp, sticky } => {
            let (bits, range) = round_binary(*mantissa, *sticky, *exp, 23, 127);
            let v = f32::from_bits(bits as u32);
            (if *negative { -v } else { v }, range && (v.is_infinite() || v == 0.0 || v.is_subnormal()))
        }
    }
}

/// What `strtod`-like parsing of the string at `nptr` found: the number (if
/// any) and the address where it ends (`nptr` when there is none).
fn parse_at(mem: &Memory, nptr: u32) -> Result<(Option<FloatText>, u32, usize), Trap> {
    let s = mem.c_str(nptr)?;
    let ws = s.iter().take_while(|&&c| is_c_space(c)).count();
    Ok(match scan_float(&s[ws..]) {
        Some((t, len)) => (Some(t), nptr.wrapping_add((ws + len) as u32), s.len()),
        None => (None, nptr, s.len()),
    })
}

fn strto_common(c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<Option<FloatText>, Trap> {
    let (nptr, endptr) = (c.u32(0)?, c.u32(1)?);
    let (t, end, len) = parse_at(ctx.mem, nptr)?;
    ctx.charge(len as u64)?;
    if endptr != 0 {
        ctx.mem.write_u32(endptr, end)?;
    }
    Ok(t)
}

fn strtod(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let Some(t) = strto_common(c, ctx)? else { return Ok(ret_f64(0.0)) };
    let (v, range) = to_f64(&t);
    if range {
        h.set_errno(ctx, ERANGE)?;
    }
    Ok(ret_f64(v))
}

fn strtof(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let Some(t) = strto_common(c, ctx)? else { return Ok(ret_f32(0.0)) };
    let (v, range) = to_f32(&t);
    if range {
        h.set_errno(ctx, ERANGE)?;
    }
    Ok(ret_f32(v))
}

/// `atof(s)`: `strtod(s, NULL)`, errno included (newlib's atof is strtod).
fn atof(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (t, _, len) = parse_at(ctx.mem, c.u32(0)?)?;
    ctx.charge(len as u64)?;
    let Some(t) = t else { return Ok(ret_f64(0.0)) };
    let (v, range) = to_f64(&t);
    if range {
        h.set_errno(ctx, ERANGE)?;
    }
    Ok(ret_f64(v))
}

fn sscanf(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    scan_into(c.u32(0)?, c.u32(1)?, &mut c.varargs(2), c.name, ctx)
}

fn vsscanf(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    scan_into(c.u32(0)?, c.u32(1)?, &mut VaListArgs::from_args(c.args, 2, c.name)?, c.name, ctx)
}

fn scan_into(input: u32, fmt: u32, args: &mut dyn ArgSource, name: &str, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let input = ctx.mem.c_str(input)?.to_vec();
    let fmt = ctx.mem.c_str(fmt)?.to_vec();
    ctx.charge((input.len() + fmt.len()) as u64)?;
    let mut out = MemOut { mem: ctx.mem, args };
    Ok(ret_i32(scan(&input, &fmt, &mut out, name)?.0))
}

/// Where `scan` stores its conversions.
pub(crate) trait ScanOut {
    /// Stores the `size`-byte integer `v` through the next pointer argument.
    fn int(&mut self, v: u64, size: u32) -> Result<(), Trap>;
    fn f32(&mut self, v: f32) -> Result<(), Trap>;
    fn f64(&mut self, v: f64) -> Result<(), Trap>;
    /// Stores the bytes (and a NUL when `nul`) through the next pointer.
    fn bytes(&mut self, b: &[u8], nul: bool) -> Result<(), Trap>;
}

/// Stores conversions through the module's pointer arguments.
pub(crate) struct MemOut<'a> {
    pub mem: &'a mut Memory,
    pub args: &'a mut dyn ArgSource,
}

impl MemOut<'_> {
    fn ptr(&mut self) -> Result<u32, Trap> {
        Ok(self.args.int(self.mem, false)?.0 as u32)
    }
}

impl ScanOut for MemOut<'_> {
    fn int(&mut self, v: u64, size: u32) -> Result<(), Trap> {
        let p = self.ptr()?;
        let b = v.to_le_bytes();
        self.mem.slice_mut(p, size as usize)?.copy_from_slice(&b[..size as usize]);
        Ok(())
    }
    fn f32(&mut self, v: f32) -> Result<(), Trap> {
        let p = self.ptr()?;
        self.mem.write_u32(p, v.to_bits())
    }
    fn f64(&mut self, v: f64) -> Result<(), Trap> {
        let p = self.ptr()?;
        self.mem.write_u64(p, v.to_bits())
    }
    fn bytes(&mut self, b: &[u8], nul: bool) -> Result<(), Trap> {
        let p = self.ptr()?;
        let dst = self.mem.slice_mut(p, b.len() + usize::from(nul))?;
        dst[..b.len()].copy_from_slice(b);
        if nul {
            dst[b.len()] = 0;
        }
        Ok(())
    }
}

/// Integer text at the start of `s` (at most `width` bytes) in `base` (0:
/// C's prefixes): the value, wrapped to 64 bits as scanf's undefined
/// overflow is on newlib, and the bytes taken.
fn scan_int(s: &[u8], base: u32) -> Option<(u64, usize)> {
    let mut i = 0;
    let negative = s.first() == Some(&b'-');
    if matches!(s.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let mut base = base;
    let prefixed = s.get(i) == Some(&b'0') && matches!(s.get(i + 1), Some(b'x' | b'X'));
    if (base == 16 || base == 0) && prefixed && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit()) {
        i += 2;
        base = 16;
    } else if base == 0 {
        base = if s.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let start = i;
    let mut v: u64 = 0;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(base)) {
        v = v.wrapping_mul(u64::from(base)).wrapping_add(u64::from(d));
        i += 1;
    }
    (i > start).then(|| (if negative { v.wrapping_neg() } else { v }, i))
}

/// A `%[...]` set: the bytes it matches, and where the format goes on.
fn scanset(fmt: &[u8], mut i: usize) -> Option<([bool; 256], usize)> {
    let negate = fmt.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut set = [false; 256];
    let first = i;
    loop {
        let c = *fmt.get(i)?;
        if c == b']' && i > first {
            i += 1;
            break;
        }
        if fmt.get(i + 1) == Some(&b'-') && fmt.get(i + 2).is_some_and(|&e| e != b']') && i + 2 < fmt.len() {
            let e = fmt[i + 2];
            for b in c.min(e)..=c.max(e) {
                set[usize::from(b)] = true;
            }
            i += 3;
        } else {
            set[usize::from(c)] = true;
            i += 1;
        }
    }
    if negate {
        for b in &mut set {
            *b = !*b;
        }
    }
    set[0] = false;
    Some((set, i))
}

/// scanf's engine over `input`: returns what `sscanf` returns (the
/// conversions assigned, or `EOF` when the input ended before the first
/// one), the bytes of input consumed, and whether it looked past the end
/// (a stream's EOF flag).
pub(crate) fn scan(input: &[u8], fmt: &[u8], out: &mut dyn ScanOut, name: &str) -> Result<(i32, usize, bool), Trap> {
    let (mut i, mut pos, mut assigned) = (0usize, 0usize, 0i32);
    let mut converted = false;
    let mut end = false;
    let eof = |assigned: i32, converted: bool| if converted || assigned > 0 { assigned } else { -1 };
    while i < fmt.len() {
        let f = fmt[i];
        if is_c_space(f) {
            while pos < input.len() && is_c_space(input[pos]) {
                pos += 1;
            }
            end |= pos == input.len();
            i += 1;
            continue;
        }
        if f != b'%' || fmt.get(i + 1) == Some(&b'%') {
            if f == b'%' {
                while pos < input.len() && is_c_space(input[pos]) {
                    pos += 1;
                }
                i += 1;
            }
            match input.get(pos) {
                None => return Ok((eof(assigned, converted), pos, true)),
                Some(&c) if c == f => {
                    pos += 1;
                    i += 1;
                    continue;
                }
                Some(_) => return Ok((assigned, pos, end)),
            }
        }
        i += 1;
        let suppress = fmt.get(i) == Some(&b'*');
        if suppress {
            i += 1;
        }
        let mut width = 0usize;
        while let Some(d) = fmt.get(i).filter(|c| c.is_ascii_digit()) {
            width = width.saturating_mul(10).saturating_add(usize::from(d - b'0'));
            i += 1;
        }
        // Sizes on ilp32: long, size_t and ptrdiff_t are 4 bytes.
        let mut size = 4u32;
        let mut long = false;
        match (fmt.get(i), fmt.get(i + 1)) {
            (Some(b'h'), Some(b'h')) => (size, i) = (1, i + 2),
            (Some(b'l'), Some(b'l')) => (size, i) = (8, i + 2),
            (Some(b'h'), _) => (size, i) = (2, i + 1),
            (Some(b'l'), _) => (long, i) = (true, i + 1),
            (Some(b'j' | b'q'), _) => (size, i) = (8, i + 1),
            (Some(b'z' | b't'), _) => i += 1,
            (Some(b'L'), _) => {
                return Err(Trap::host(format!("{name}: `%L` (long double) conversions are not supported")));
            }
            _ => {}
        }
        let Some(&conv) = fmt.get(i) else {
            return Ok((assigned, pos, end));
        };
        i += 1;
        if !matches!(conv, b'c' | b'[' | b'n') {
            while pos < input.len() && is_c_space(input[pos]) {
                pos += 1;
            }
            end |= pos == input.len();
        }
        let limit = |w: usize| if w == 0 { input.len() } else { pos.saturating_add(w).min(input.len()) };
        let rest = &input[pos..limit(width)];
        if rest.is_empty() && conv != b'n' {
            return Ok((eof(assigned, converted), pos, true));
        }
        // A conversion that takes all the input up to its end looked past it.
        let reached = |len: usize| pos + len == input.len() && (width == 0 || len < width);
        match conv {
            b'd' | b'i' | b'u' | b'o' | b'x' | b'X' | b'p' => {
                let base = match conv {
                    b'd' | b'u' => 10,
                    b'i' => 0,
                    b'o' => 8,
                    _ => 16,
                };
                let Some((v, len)) = scan_int(rest, base) else { return Ok((assigned, pos, end)) };
                end |= reached(len);
                pos += len;
                if !suppress {
                    out.int(v, size)?;
                    assigned += 1;
                }
            }
            b'e' | b'f' | b'g' | b'a' | b'E' | b'F' | b'G' | b'A' => {
                let Some((t, len)) = scan_float(rest) else { return Ok((assigned, pos, end)) };
                end |= reached(len);
                pos += len;
                if !suppress {
                    if long {
                        out.f64(to_f64(&t).0)?;
                    } else {
                        out.f32(to_f32(&t).0)?;
                    }
                    assigned += 1;
                }
            }
            b's' => {
                let len = rest.iter().take_while(|&&c| !is_c_space(c)).count();
                end |= reached(len);
                if !suppress {
                    out.bytes(&rest[..len], true)?;
                    assigned += 1;
                }
                pos += len;
            }
            b'c' => {
                // Fewer characters than asked are taken as they are (newlib
                // and glibc both); none is an input failure.
                let want = width.max(1).min(input.len() - pos);
                if want == 0 {
                    return Ok((eof(assigned, converted), pos, true));
                }
                end |= want < width.max(1);
                if !suppress {
                    out.bytes(&input[pos..pos + want], false)?;
                    assigned += 1;
                }
                pos += want;
            }
            b'[' => {
                let Some((set, next)) = scanset(fmt, i) else {
                    return Err(Trap::host(format!("{name}: a `%[` conversion without its `]`")));
                };
                i = next;
                let len = rest.iter().take_while(|&&c| set[usize::from(c)]).count();
                if len == 0 {
                    return Ok((assigned, pos, end));
                }
                end |= reached(len);
                if !suppress {
                    out.bytes(&rest[..len], true)?;
                    assigned += 1;
                }
                pos += len;
            }
            b'n' => {
                if !suppress {
                    out.int(pos as u64, size)?;
                }
                continue;
            }
            _ => return Err(Trap::host(format!("{name}: unknown conversion `%{}`", conv as char))),
        }
        converted = true;
    }
    Ok((assigned, pos, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> (f64, usize) {
        let (t, len) = scan_float(s.as_bytes()).unwrap();
        (to_f64(&t).0, len)
    }

    #[test]
    fn floats_round_correctly() {
        assert_eq!(d("1.5e3xyz"), (1500.0, 5));
        assert_eq!(d("-.25"), (-0.25, 4));
        assert_eq!(d("5."), (5.0, 2));
        assert_eq!(d("1e"), (1.0, 1));
        assert_eq!(d("1e+"), (1.0, 1));
        assert_eq!(d("0x1.8p3"), (12.0, 7));
        assert_eq!(d("0xg"), (0.0, 1));
        assert_eq!(d("0x.8"), (0.5, 4));
        assert_eq!(d("INFINITYx"), (f64::INFINITY, 8));
        assert_eq!(d("-inf"), (f64::NEG_INFINITY, 4));
        assert!(d("nan(123)").0.is_nan() && d("nan(123)").1 == 8);
        assert_eq!(d("1e400").0, f64::INFINITY);
        assert_eq!(d("0x1p-1074").0, 5e-324);
        assert_eq!(d("0x1p-1075").0, 0.0, "a tie rounds to even (zero)");
        assert_eq!(d("0x1.8p-1074").0, 1e-323, "a tie rounds to even (two)");
        assert_eq!(d("0x1.fffffffffffff8p0").0, 2.0, "a tie carries");
        assert_eq!(d("0x1.fffffffffffff7ffffffp0").0, f64::from_bits(0x3FFF_FFFF_FFFF_FFFF));
        assert_eq!(d("0x1.00000000000008000001p0").0, f64::from_bits(0x3FF0_0000_0000_0001), "sticky bits");
        assert_eq!(d("0x1p1024").0, f64::INFINITY);
        assert_eq!(d("0x1.fffffffffffffp1023").0, f64::MAX);
        let (t, _) = scan_float(b"0x1.000001p0").unwrap();
        assert_eq!(to_f32(&t).0, 1.0, "tie to even in float");
        let (t, _) = scan_float(b"1.00000005960464477539062500001").unwrap();
        assert_eq!(to_f32(&t).0, f32::from_bits(0x3F80_0001), "decimal straight to float");
    }

    #[derive(Default)]
    struct Rec(Vec<String>);

    impl ScanOut for Rec {
        fn int(&mut self, v: u64, size: u32) -> Result<(), Trap> {
            self.0.push(format!("i{size}:{}", v & (u64::MAX >> (64 - 8 * size))));
            Ok(())
        }
        fn f32(&mut self, v: f32) -> Result<(), Trap> {
            self.0.push(format!("f:{v}"));
            Ok(())
        }
        fn f64(&mut self, v: f64) -> Result<(), Trap> {
            self.0.push(format!("d:{v}"));
            Ok(())
        }
        fn bytes(&mut self, b: &[u8], nul: bool) -> Result<(), Trap> {
            self.0.push(format!("{}{}", String::from_utf8_lossy(b), if nul { "" } else { "!" }));
            Ok(())
        }
    }

    fn sc(input: &str, fmt: &str) -> (i32, usize, Vec<String>) {
        let mut r = Rec::default();
        let (n, pos, _) = scan(input.as_bytes(), fmt.as_bytes(), &mut r, "sscanf").unwrap();
        (n, pos, r.0)
    }

    #[test]
    fn scanf_conversions() {
        assert_eq!(sc(" 42 -7", "%d%d"), (2, 6, vec!["i4:42".into(), "i4:4294967289".into()]));
        assert_eq!(sc("0x1f 017 9", "%i %i %hhi"), (3, 10, vec!["i4:31".into(), "i4:15".into(), "i1:9".into()]));
        assert_eq!(sc("12345", "%3d%d"), (2, 5, vec!["i4:123".into(), "i4:45".into()]));
        assert_eq!(sc("abc", "%d"), (0, 0, vec![]));
        assert_eq!(sc("", "%d"), (-1, 0, vec![]));
        assert_eq!(sc("   ", "%d"), (-1, 3, vec![]));
        assert_eq!(sc("x=3,y=4", "x=%d,y=%d"), (2, 7, vec!["i4:3".into(), "i4:4".into()]));
        assert_eq!(sc("hello world", "%s %3c"), (2, 9, vec!["hello".into(), "wor!".into()]));
        assert_eq!(sc("key:value;", "%[^:]:%[a-z]"), (2, 9, vec!["key".into(), "value".into()]));
        assert_eq!(sc("1.5 2.25e1", "%f %lf"), (2, 10, vec!["f:1.5".into(), "d:22.5".into()]));
        assert_eq!(sc("7 8", "%*d %d%n"), (1, 3, vec!["i4:8".into(), "i4:3".into()]));
        assert_eq!(sc("100%", "%d%%"), (1, 4, vec!["i4:100".into()]));
        assert_eq!(sc("5", "%d %d"), (1, 1, vec!["i4:5".into()]));
        assert_eq!(sc("ff", "%x"), (1, 2, vec!["i4:255".into()]));
        assert_eq!(sc("-1", "%llu"), (1, 2, vec![format!("i8:{}", u64::MAX)]));
        assert_eq!(sc("]x]", "%[]x]"), (1, 3, vec!["]x]".into()]));
        assert!(scan(b"1", b"%Lf", &mut Rec::default(), "sscanf").is_err());
        assert_eq!(sc("12", "%99999999999999999999999d"), (1, 2, vec!["i4:12".into()]), "a huge width saturates");
        let end = |i: &str, f: &str| scan(i.as_bytes(), f.as_bytes(), &mut Rec::default(), "fscanf").unwrap().2;
        assert!(end("42", "%d") && !end("42\n", "%d") && end("42\n", "%d ") && !end("12345", "%3d"));
        assert!(end("ab", "%s") && !end("ab", "%c") && end("", "x") && !end("ab", "a"));
        assert_eq!(sc("ab", "%3c"), (1, 2, vec!["ab!".into()]), "a short %c takes what there is");
    }
}
