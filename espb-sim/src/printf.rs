//! The printf formatter, with glibc's output for every conversion:
//! flags `-+ #0` (and `'`, accepted and ignored as in the C locale), width
//! and precision (`*` included), length modifiers `hh h l ll q L j z Z t`,
//! conversions `d i u o x X c s p n % f F e E g G a A`.
//!
//! Data model ilp32: `int`, `long`, `size_t`, `ptrdiff_t` and pointers are
//! 32 bits; `long long` and `intmax_t` 64. Floating-point conversions take a
//! double (`float` arguments are promoted by the caller); `%Lf` reads a
//! `long double`: a double on Xtensa, on riscv32 the address of a binary128
//! (ilp32 passes it by reference), formatted exactly (`printf_f128`; `%La`
//! with 28 hex digits, as glibc's binary128).
//!
//! Floating point is exact: Rust's `{:.N}` / `{:.Ne}` formatting produces the
//! correctly rounded decimal (ties to even, as glibc in the default rounding
//! mode); this module turns it into C's forms (`e+05`, `%g`'s choice and
//! trailing-zero removal, `#`, `inf`/`nan`, `-0`). `%a` is built from the
//! bits, like glibc (`0x1.8p+1`, subnormals as `0x0.xxxp-1022`).
//!
//! Where C leaves behaviour undefined the formatter stays safe and
//! predictable: an argument of another type than the format says is
//! converted from what was passed; too few arguments is a trap naming the
//! function; an unknown conversion is printed literally and consumes no
//! argument (glibc); an incomplete specification at the end of the format
//! prints nothing (glibc); positional arguments (`%1$d`) trap as unsupported.
//! Output of any size is streamed to a [`Sink`], never held in full, so huge
//! widths or precisions cannot exhaust memory.

use espb_runtime::Memory;
use espb_runtime::ValType;
use espb_runtime::{Trap, TrapKind};

/// Where formatted output goes.
pub trait Sink {
    fn put(&mut self, b: &[u8]);
    /// `n` copies of `c`.
    fn pad(&mut self, c: u8, n: u64);
}

/// Collects output in memory, keeping at most `cap` bytes (the rest is
/// counted by [`format`] but dropped), for `snprintf` and tests.
pub struct BufSink {
    pub buf: Vec<u8>,
    pub cap: usize,
}

impl BufSink {
    pub fn new(cap: usize) -> BufSink {
        BufSink { buf: Vec::new(), cap }
    }
}

impl Sink for BufSink {
    fn put(&mut self, b: &[u8]) {
        let room = self.cap.saturating_sub(self.buf.len());
        self.buf.extend_from_slice(&b[..b.len().min(room)]);
    }
    fn pad(&mut self, c: u8, n: u64) {
        let room = self.cap.saturating_sub(self.buf.len()) as u64;
        let k = n.min(room) as usize;
        self.buf.resize(self.buf.len() + k, c);
    }
}

/// The variadic arguments of a printf call.
pub trait ArgSource {
    /// The next integer (or pointer) argument. `wide`: the format asks for
    /// 64 bits. Returns the bits and whether the argument really was 64-bit.
    fn int(&mut self, mem: &Memory, wide: bool) -> Result<(u64, bool), Trap>;
    /// The next double argument.
    fn float(&mut self, mem: &Memory) -> Result<f64, Trap>;
    /// The next `long double` argument (`%Lf`): a double on Xtensa, the
    /// address of a binary128 on riscv32 (ilp32 passes it by reference).
    fn long_double(&mut self, mem: &Memory) -> Result<Real, Trap>;
}

/// A floating-point argument: a double, or a binary128 `long double`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Real {
    Double(f64),
    Quad(u128),
}

impl Real {
    fn negative(self) -> bool {
        match self {
            Real::Double(x) => x.is_sign_negative(),
            Real::Quad(b) => b >> 127 == 1,
        }
    }
    fn is_nan(self) -> bool {
        match self {
            Real::Double(x) => x.is_nan(),
            Real::Quad(b) => b & !(1 << 127) > 0x7FFF << 112,
        }
    }
    fn is_finite(self) -> bool {
        match self {
            Real::Double(x) => x.is_finite(),
            Real::Quad(b) => (b >> 112) & 0x7FFF != 0x7FFF,
        }
    }
    fn abs(self) -> Real {
        match self {
            Real::Double(x) => Real::Double(x.abs()),
            Real::Quad(b) => Real::Quad(b & !(1 << 127)),
        }
    }
    fn is_zero(self) -> bool {
        match self {
            Real::Double(x) => x == 0.0,
            Real::Quad(b) => b & !(1 << 127) == 0,
        }
    }
    /// Digits beyond these are zeros (a double's exact value has at most
    /// 1074 fraction digits and 767 significant ones; a binary128's 16494
    /// and 11563).
    fn max_fixed(self) -> u64 {
        if matches!(self, Real::Double(_)) { MAX_FIXED_DIGITS } else { 16_500 }
    }
    fn max_exp(self) -> u64 {
        if matches!(self, Real::Double(_)) { MAX_EXP_DIGITS } else { 11_600 }
    }
}

/// A binary128 read from module memory.
fn quad_at(mem: &Memory, p: u32) -> Result<Real, Trap> {
    let lo = mem.read_u64(p)?;
    let hi = mem.read_u64(p.wrapping_add(8))?;
    Ok(Real::Quad(u128::from(lo) | u128::from(hi) << 64))
}

/// Arguments passed in registers with their call-site types.
pub struct RegArgs<'a> {
    name: &'static str,
    types: &'a [ValType],
    vals: &'a [u64],
    next: usize,
}

impl<'a> RegArgs<'a> {
    pub fn new(name: &'static str, types: &'a [ValType], vals: &'a [u64]) -> RegArgs<'a> {
        RegArgs { name, types, vals, next: 0 }
    }
    fn take(&mut self) -> Result<(u64, ValType), Trap> {
        let i = self.next;
        match (self.vals.get(i), self.types.get(i)) {
            (Some(&v), Some(&t)) => {
                self.next += 1;
                Ok((v, t))
            }
            _ => Err(Trap::host(format!(
                "{}: the format string needs more arguments than the {} passed",
                self.name,
                self.vals.len().min(self.types.len())
            ))),
        }
    }
}

impl ArgSource for RegArgs<'_> {
    fn int(&mut self, _mem: &Memory, _wide: bool) -> Result<(u64, bool), Trap> {
        let (v, t) = self.take()?;
        Ok(match t {
            ValType::I32 | ValType::F32 => (v & 0xFFFF_FFFF, false),
            ValType::I64 | ValType::F64 => (v, true),
        })
    }
    fn float(&mut self, _mem: &Memory) -> Result<f64, Trap> {
        let (v, t) = self.take()?;
        Ok(match t {
            ValType::F64 | ValType::I64 => f64::from_bits(v),
            ValType::F32 => f32::from_bits(v as u32) as f64,
            ValType::I32 => f64::from_bits(v & 0xFFFF_FFFF),
        })
    }
    fn long_double(&mut self, mem: &Memory) -> Result<Real, Trap> {
        match self.types.get(self.next) {
            // A pointer: riscv32's by-reference binary128.
            Some(ValType::I32) => {
                let (p, _) = self.take()?;
                quad_at(mem, p as u32)
            }
            _ => self.float(mem).map(Real::Double),
        }
    }
}

/// Arguments in a `va_list` in module memory. RISC-V ilp32: the `va_list`
/// is a pointer; 32-bit values take 4-byte slots, 64-bit values and
/// doubles 8-byte slots aligned to 8. Xtensa: the struct `{ __va_stk,
/// __va_reg, __va_ndx }`, passed by value as three words, read with GCC's
/// rule (see cargo-espb's translate/varargs.rs).
pub enum VaListArgs {
    Pointer { ap: u32 },
    Xtensa { stk: u32, reg: u32, ndx: u32 },
}

impl VaListArgs {
    pub fn new(ap: u32) -> VaListArgs {
        VaListArgs::Pointer { ap }
    }

    /// The `va_list` that is the last argument of a call with `fixed`
    /// other arguments: one word (a pointer) or three (Xtensa, by value).
    pub fn from_args(args: &[u64], fixed: usize, name: &str) -> Result<VaListArgs, Trap> {
        match args.get(fixed..) {
            Some([ap]) => Ok(VaListArgs::new(*ap as u32)),
            Some([stk, reg, ndx]) => Ok(VaListArgs::Xtensa { stk: *stk as u32, reg: *reg as u32, ndx: *ndx as u32 }),
            _ => Err(Trap::host(format!(
                "{name}: called with {} argument(s); expected {fixed} and a va_list (1 word, or 3 on Xtensa)",
                args.len()
            ))),
        }
    }

    /// The address of the next `size`-byte argument (`size` 4 or 8).
    fn next(&mut self, size: u32) -> u32 {
        match self {
            VaListArgs::Pointer { ap } => {
                let at = if size == 8 { ap.wrapping_add(7) & !7 } else { *ap };
                *ap = at.wrapping_add(size);
                at
            }
            VaListArgs::Xtensa { stk, reg, ndx } => {
                const REG_BYTES: u32 = 24;
                let orig = if size == 8 { ndx.wrapping_add(7) & !7 } else { *ndx };
                let mut end = orig.wrapping_add(size);
                let on_stack = end as i32 > REG_BYTES as i32;
                if on_stack && orig as i32 <= REG_BYTES as i32 {
                    end = 32 + size;
                }
                *ndx = end;
                if on_stack { stk.wrapping_add(end).wrapping_sub(size) } else { reg.wrapping_add(orig) }
            }
        }
    }
}

impl ArgSource for VaListArgs {
    fn int(&mut self, mem: &Memory, wide: bool) -> Result<(u64, bool), Trap> {
        if wide {
            let at = self.next(8);
            Ok((mem.read_u64(at)?, true))
        } else {
            let at = self.next(4);
            Ok((mem.read_u32(at)? as u64, false))
        }
    }
    fn float(&mut self, mem: &Memory) -> Result<f64, Trap> {
        let at = self.next(8);
        Ok(f64::from_bits(mem.read_u64(at)?))
    }
    fn long_double(&mut self, mem: &Memory) -> Result<Real, Trap> {
        match self {
            // riscv32: a 4-byte slot with the value's address.
            VaListArgs::Pointer { .. } => {
                let at = self.next(4);
                let p = mem.read_u32(at)?;
                quad_at(mem, p)
            }
            VaListArgs::Xtensa { .. } => self.float(mem).map(Real::Double),
        }
    }
}

/// Counts what passes through to the real sink, which gets nothing once
/// the count passes `limit`.
struct Counter<'s> {
    inner: &'s mut dyn Sink,
    n: u64,
    limit: u64,
}

impl Counter<'_> {
    fn put(&mut self, b: &[u8]) {
        self.n = self.n.saturating_add(b.len() as u64);
        if self.n <= self.limit {
            self.inner.put(b);
        }
    }
    fn pad(&mut self, c: u8, n: u64) {
        if n > 0 {
            self.n = self.n.saturating_add(n);
            if self.n <= self.limit {
                self.inner.pad(c, n);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Len {
    None,
    HH,
    H,
    L,
    LL,
    J,
    Z,
    T,
    BigL,
}

impl Len {
    /// Width in bits of the integer this modifier names (ilp32).
    fn bits(self) -> u32 {
        match self {
            Len::HH => 8,
            Len::H => 16,
            Len::None | Len::L | Len::Z | Len::T => 32,
            Len::LL | Len::J | Len::BigL => 64,
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: u64,
    prec: Option<u64>,
}

/// Width and precision saturate here (glibc fails beyond `INT_MAX`).
const MAX_FIELD: u64 = i32::MAX as u64;
/// Fraction digits beyond this are zeros for every double (the exact value
/// has at most 1074), so `%f` formats at most this many and pads.
const MAX_FIXED_DIGITS: u64 = 1100;
/// Likewise for `%e` (a double has at most 767 significant digits).
const MAX_EXP_DIGITS: u64 = 800;

/// A field laid out as prefix, zeros, body, trailing zeros, suffix; padded
/// to the width with spaces (or zeros after the prefix).
struct Field<'a> {
    prefix: &'a [u8],
    zeros: u64,
    body: &'a [u8],
    tail_zeros: u64,
    suffix: &'a [u8],
}

fn emit(out: &mut Counter<'_>, s: &Spec, f: &Field<'_>, zero_pad_ok: bool) {
    let len = f.prefix.len() as u64 + f.zeros + f.body.len() as u64 + f.tail_zeros + f.suffix.len() as u64;
    let pad = s.width.saturating_sub(len);
    let zero_pad = s.zero && !s.left && zero_pad_ok;
    if !s.left && !zero_pad {
        out.pad(b' ', pad);
    }
    out.put(f.prefix);
    if zero_pad {
        out.pad(b'0', pad);
    }
    out.pad(b'0', f.zeros);
    out.put(f.body);
    out.pad(b'0', f.tail_zeros);
    out.put(f.suffix);
    if s.left {
        out.pad(b' ', pad);
    }
}

fn emit_str(out: &mut Counter<'_>, s: &Spec, b: &[u8]) {
    emit(out, s, &Field { prefix: b"", zeros: 0, body: b, tail_zeros: 0, suffix: b"" }, false);
}

/// What [`format`] produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formatted {
    /// Bytes produced (which may exceed what a bounded sink kept).
    pub len: u64,
    /// The format ended inside a conversion specification (`"abc%"`):
    /// glibc then returns -1, after writing the output before it.
    pub incomplete: bool,
}

/// Formats `fmt` (without its NUL) with `args` into `out`; `%s` strings are
/// read from `mem` and `%n` writes into it.
pub fn format(fmt: &[u8], mem: &mut Memory, args: &mut dyn ArgSource, out: &mut dyn Sink) -> Result<Formatted, Trap> {
    format_within(fmt, mem, args, out, u64::MAX)
}

/// [`format`] that produces at most `limit` bytes (what the run's fuel can
/// pay for): past it nothing more is written and the result is the
/// out-of-fuel trap, so `printf("%*d", 1 << 30, 1)` stops at once on a
/// small budget.
pub fn format_within(
    fmt: &[u8],
    mem: &mut Memory,
    args: &mut dyn ArgSource,
    out: &mut dyn Sink,
    limit: u64,
) -> Result<Formatted, Trap> {
    let mut out = Counter { inner: out, n: 0, limit };
    let mut i = 0;
    while i < fmt.len() {
        if out.n > out.limit {
            return Err(Trap::new(TrapKind::OutOfFuel));
        }
        // Literal run.
        let lit_end = fmt[i..].iter().position(|&c| c == b'%').map_or(fmt.len(), |p| i + p);
        if lit_end > i {
            out.put(&fmt[i..lit_end]);
            i = lit_end;
            continue;
        }
        let start = i;
        i += 1; // '%'
        let mut s = Spec::default();
        // Flags.
        while let Some(&c) = fmt.get(i) {
            match c {
                b'-' => s.left = true,
                b'+' => s.plus = true,
                b' ' => s.space = true,
                b'#' => s.alt = true,
                b'0' => s.zero = true,
                b'\'' | b'I' => {}
                _ => break,
            }
            i += 1;
        }
        // Width.
        if fmt.get(i) == Some(&b'*') {
            i += 1;
            let w = args.int(mem, false)?.0 as u32 as i32;
            if w < 0 {
                s.left = true;
            }
            s.width = (w.unsigned_abs() as u64).min(MAX_FIELD);
        } else {
            let (w, j) = number(fmt, i);
            if fmt.get(j) == Some(&b'$') {
                return Err(positional());
            }
            s.width = w;
            i = j;
        }
        // Precision.
        if fmt.get(i) == Some(&b'.') {
            i += 1;
            if fmt.get(i) == Some(&b'*') {
                i += 1;
                let p = args.int(mem, false)?.0 as u32 as i32;
                s.prec = (p >= 0).then_some(p as u64);
            } else {
                let (p, j) = number(fmt, i);
                s.prec = Some(p);
                i = j;
            }
        }
        // Length.
        let mut len = Len::None;
        loop {
            len = match (fmt.get(i), len) {
                (Some(b'h'), Len::H) => Len::HH,
                (Some(b'h'), Len::None) => Len::H,
                (Some(b'l'), Len::L) => Len::LL,
                (Some(b'l'), Len::None) => Len::L,
                (Some(b'q' | b'L'), Len::None) => Len::BigL,
                (Some(b'j'), Len::None) => Len::J,
                (Some(b'z' | b'Z'), Len::None) => Len::Z,
                (Some(b't'), Len::None) => Len::T,
                _ => break,
            };
            i += 1;
        }
        let Some(&conv) = fmt.get(i) else {
            return Ok(Formatted { len: out.n, incomplete: true });
        };
        i += 1;
        match conv {
            b'd' | b'i' => {
                let v = signed(args.int(mem, len.bits() == 64)?, len.bits());
                integer(&mut out, &s, sign_prefix(v < 0, &s), v.unsigned_abs(), 10, false);
            }
            b'u' | b'o' | b'x' | b'X' => {
                let v = unsigned(args.int(mem, len.bits() == 64)?, len.bits());
                let (base, upper) = match conv {
                    b'u' => (10, false),
                    b'o' => (8, false),
                    b'x' => (16, false),
                    _ => (16, true),
                };
                let prefix: &[u8] = match (s.alt && v != 0, conv) {
                    (true, b'x') => b"0x",
                    (true, b'X') => b"0X",
                    _ => b"",
                };
                integer(&mut out, &s, prefix, v, base, upper);
            }
            b'p' => {
                let v = args.int(mem, false)?.0 & 0xFFFF_FFFF;
                if v == 0 {
                    emit_str(&mut out, &Spec { prec: None, ..s }, b"(nil)");
                } else {
                    let prefix: &[u8] = if s.plus {
                        b"+0x"
                    } else if s.space {
                        b" 0x"
                    } else {
                        b"0x"
                    };
                    integer(&mut out, &s, prefix, v, 16, false);
                }
            }
            b'c' => {
                let c = args.int(mem, false)?.0;
                if len == Len::L {
                    let mut b = [0u8; 4];
                    let ch = char::from_u32(c as u32).unwrap_or('?');
                    emit_str(&mut out, &s, ch.encode_utf8(&mut b).as_bytes());
                } else {
                    emit_str(&mut out, &s, &[c as u8]);
                }
            }
            b's' => {
                let p = args.int(mem, false)?.0 as u32;
                if p == 0 {
                    let text: &[u8] = match s.prec {
                        Some(n) if n < 6 => b"",
                        _ => b"(null)",
                    };
                    emit_str(&mut out, &s, text);
                } else if len == Len::L {
                    let text = wide_string(mem, p, s.prec)?;
                    emit_str(&mut out, &s, &text);
                } else {
                    let text = c_string(mem, p, s.prec)?;
                    emit_str(&mut out, &s, text);
                }
            }
            b'n' => {
                let p = args.int(mem, false)?.0 as u32;
                let n = out.n;
                match len.bits() {
                    8 => mem.write_u8(p, n as u8)?,
                    16 => mem.write_u16(p, n as u16)?,
                    64 => mem.write_u64(p, n)?,
                    _ => mem.write_u32(p, n as u32)?,
                }
            }
            b'%' => out.put(b"%"),
            b'f' | b'F' | b'e' | b'E' | b'g' | b'G' | b'a' | b'A' => {
                let x = if len == Len::BigL { args.long_double(mem)? } else { Real::Double(args.float(mem)?) };
                float(&mut out, &s, conv, x)?;
            }
            _ => out.put(&fmt[start..i]), // unknown: printed as is
        }
    }
    if out.n > out.limit {
        return Err(Trap::new(TrapKind::OutOfFuel));
    }
    Ok(Formatted { len: out.n, incomplete: false })
}

fn positional() -> Trap {
    Trap::host("printf: positional arguments (%1$d) are not supported by the simulator")
}

/// Decimal digits at `i`, saturating at [`MAX_FIELD`]; returns the value
/// and the index after them.
fn number(fmt: &[u8], mut i: usize) -> (u64, usize) {
    let mut v: u64 = 0;
    while let Some(d) = fmt.get(i).filter(|c| c.is_ascii_digit()) {
        v = (v * 10 + (d - b'0') as u64).min(MAX_FIELD);
        i += 1;
    }
    (v, i)
}

/// The argument as a signed integer of `bits`.
fn signed((v, was_wide): (u64, bool), bits: u32) -> i64 {
    let v = if was_wide { v as i64 } else { v as u32 as i32 as i64 };
    match bits {
        8 => v as i8 as i64,
        16 => v as i16 as i64,
        32 => v as i32 as i64,
        _ => v,
    }
}

/// The argument as an unsigned integer of `bits`.
fn unsigned((v, _): (u64, bool), bits: u32) -> u64 {
    match bits {
        8 => v as u8 as u64,
        16 => v as u16 as u64,
        32 => v as u32 as u64,
        _ => v,
    }
}

fn integer(out: &mut Counter<'_>, s: &Spec, prefix: &[u8], v: u64, base: u64, upper: bool) {
    let digits_set: &[u8; 16] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    let mut buf = [0u8; 64];
    let mut k = buf.len();
    let mut x = v;
    if !(v == 0 && s.prec == Some(0)) {
        loop {
            k -= 1;
            buf[k] = digits_set[(x % base) as usize];
            x /= base;
            if x == 0 {
                break;
            }
        }
    }
    let digits = &buf[k..];
    let mut zeros = s.prec.unwrap_or(0).saturating_sub(digits.len() as u64);
    if base == 8 && s.alt && zeros == 0 && digits.first() != Some(&b'0') {
        zeros = 1;
    }
    let f = Field { prefix, zeros, body: digits, tail_zeros: 0, suffix: b"" };
    emit(out, s, &f, s.prec.is_none());
}

/// The NUL-terminated string at `p`, at most `prec` bytes (which need no
/// NUL within bounds).
fn c_string(mem: &Memory, p: u32, prec: Option<u64>) -> Result<&[u8], Trap> {
    match prec {
        None => mem.c_str(p),
        Some(0) => Ok(&[]),
        Some(n) => {
            let off = p.wrapping_sub(mem.base()) as usize;
            let look = n.min(mem.len().saturating_sub(off) as u64) as usize;
            let s = mem.slice(p, look)?;
            match s.iter().position(|&c| c == 0) {
                Some(z) => Ok(&s[..z]),
                None if (look as u64) == n => Ok(s),
                // Ran off the end of memory before NUL or precision.
                None => mem.slice(p, look + 1),
            }
        }
    }
}

/// A `wchar_t` (32-bit) string as UTF-8, at most `prec` bytes of output.
fn wide_string(mem: &Memory, p: u32, prec: Option<u64>) -> Result<Vec<u8>, Trap> {
    let mut out = Vec::new();
    let mut at = p;
    loop {
        let c = mem.read_u32(at)?;
        if c == 0 {
            break;
        }
        let mut b = [0u8; 4];
        let enc = char::from_u32(c).unwrap_or('?').encode_utf8(&mut b).as_bytes();
        if prec.is_some_and(|n| (out.len() + enc.len()) as u64 > n) {
            break;
        }
        out.extend_from_slice(enc);
        at = at.wrapping_add(4);
    }
    Ok(out)
}

/// The sign part of a signed conversion: `-`, or `+`/space per the flags.
fn sign_prefix(negative: bool, s: &Spec) -> &'static [u8] {
    if negative {
        b"-"
    } else if s.plus {
        b"+"
    } else if s.space {
        b" "
    } else {
        b""
    }
}

fn float(out: &mut Counter<'_>, s: &Spec, conv: u8, x: Real) -> Result<(), Trap> {
    let upper = conv.is_ascii_uppercase();
    let prefix = sign_prefix(x.negative(), s);
    if !x.is_finite() {
        let body: &[u8] = match (x.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        let f = Field { prefix, zeros: 0, body, tail_zeros: 0, suffix: b"" };
        emit(out, s, &f, false);
        return Ok(());
    }
    let a = x.abs();
    let r = match conv.to_ascii_lowercase() {
        b'f' => fixed(a, s.prec.unwrap_or(6), s.alt),
        b'e' => exponent(a, s.prec.unwrap_or(6), s.alt, upper),
        b'g' => general(a, s.prec, s.alt, upper),
        _ => {
            let (pre, r) = hex_float(a, s.prec, s.alt, upper);
            let mut p = prefix.to_vec();
            p.extend_from_slice(pre);
            let f = Field { prefix: &p, zeros: 0, body: &r.body, tail_zeros: r.tail_zeros, suffix: &r.suffix };
            emit(out, s, &f, true);
            return Ok(());
        }
    };
    let f = Field { prefix, zeros: 0, body: &r.body, tail_zeros: r.tail_zeros, suffix: &r.suffix };
    emit(out, s, &f, true);
    Ok(())
}

/// A formatted magnitude: body, then `tail_zeros` zeros, then the suffix
/// (exponent).
struct Num {
    body: Vec<u8>,
    tail_zeros: u64,
    suffix: Vec<u8>,
}

/// `%f` of `a >= 0` with precision `p`.
fn fixed(a: Real, p: u64, alt: bool) -> Num {
    let fp = p.min(a.max_fixed());
    let mut body = match a {
        Real::Double(a) => format!("{:.*}", fp as usize, a).into_bytes(),
        Real::Quad(b) => crate::printf_f128::fixed(&crate::printf_f128::decimal(b), fp),
    };
    if p == 0 && alt {
        body.push(b'.');
    }
    Num { body, tail_zeros: p - fp, suffix: Vec::new() }
}

/// Rust's `{:.Ne}` of `a`, split into mantissa and decimal exponent.
fn rust_exp(a: Real, p: u64) -> (Vec<u8>, i32) {
    let a = match a {
        Real::Double(a) => a,
        Real::Quad(b) => return crate::printf_f128::exponent(&crate::printf_f128::decimal(b), p),
    };
    let s = format!("{:.*e}", p as usize, a);
    match s.split_once('e') {
        Some((m, e)) => (m.as_bytes().to_vec(), e.parse().unwrap_or(0)),
        None => (s.into_bytes(), 0),
    }
}

fn exp_suffix(e: i32, upper: bool) -> Vec<u8> {
    let sign = if e < 0 { '-' } else { '+' };
    let mark = if upper { 'E' } else { 'e' };
    format!("{mark}{sign}{:02}", e.unsigned_abs()).into_bytes()
}

/// `%e` of `a >= 0` with precision `p`.
fn exponent(a: Real, p: u64, alt: bool, upper: bool) -> Num {
    let ep = p.min(a.max_exp());
    let (mut body, e) = rust_exp(a, ep);
    if p == 0 && alt {
        body.push(b'.');
    }
    Num { body, tail_zeros: p - ep, suffix: exp_suffix(e, upper) }
}

/// `%g` of `a >= 0`.
fn general(a: Real, prec: Option<u64>, alt: bool, upper: bool) -> Num {
    let p = match prec {
        None => 6,
        Some(0) => 1,
        Some(p) => p,
    };
    let x = if a.is_zero() { 0 } else { rust_exp(a, (p - 1).min(a.max_exp())).1 as i64 };
    let mut r = if (p as i64) > x && x >= -4 {
        fixed(a, (p as i64 - 1 - x) as u64, alt)
    } else {
        exponent(a, p - 1, alt, upper)
    };
    if alt {
        if !r.body.contains(&b'.') {
            r.body.push(b'.');
        }
    } else if r.body.contains(&b'.') {
        r.tail_zeros = 0;
        while r.body.last() == Some(&b'0') {
            r.body.pop();
        }
        if r.body.last() == Some(&b'.') {
            r.body.pop();
        }
    }
    r
}

/// `%a` of `a >= 0`: returns the `0x` prefix and the number.
fn hex_float(a: Real, prec: Option<u64>, alt: bool, upper: bool) -> (&'static [u8], Num) {
    // (biased exponent, fraction, fraction bits, bias): 13 hex digits for a
    // double, 28 for a binary128, subnormals as 0x0.xxx with the least
    // exponent (glibc's layout for both).
    let (biased, mut frac, fb, bias) = match a {
        Real::Double(x) => {
            let bits = x.to_bits();
            (((bits >> 52) & 0x7FF) as i32, u128::from(bits & ((1u64 << 52) - 1)), 52u32, 1023)
        }
        Real::Quad(b) => (((b >> 112) & 0x7FFF) as i32, b & ((1u128 << 112) - 1), 112, 16383),
    };
    let nd = u64::from(fb / 4);
    let (mut lead, exp) = match (biased, frac) {
        (0, 0) => (0u128, 0),
        (0, _) => (0, 1 - bias),
        _ => (1, biased - bias),
    };
    let digits_set: &[u8; 16] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    let mut ndig: u64 = nd;
    let mut tail_zeros = 0;
    match prec {
        Some(p) if p < nd => {
            // Round to p hex digits, ties to even.
            let drop = 4 * (nd - p) as u32;
            let kept = frac >> drop;
            let rest = frac & ((1u128 << drop) - 1);
            let half = 1u128 << (drop - 1);
            let mut m = (lead << (fb - drop)) | kept;
            if rest > half || (rest == half && m & 1 == 1) {
                m += 1;
            }
            lead = m >> (fb - drop);
            frac = (m & ((1u128 << (fb - drop)) - 1)) << drop;
            ndig = p;
        }
        Some(p) => tail_zeros = p - nd,
        None => {
            while ndig > 0 && (frac >> (4 * (nd - ndig))) & 0xF == 0 {
                ndig -= 1;
            }
        }
    }
    let mut body = Vec::new();
    body.push(digits_set[lead as usize & 0xF]);
    if ndig > 0 || tail_zeros > 0 || alt {
        body.push(b'.');
    }
    for k in 0..ndig as u32 {
        body.push(digits_set[((frac >> (fb - 4 - 4 * k)) & 0xF) as usize]);
    }
    let mark = if upper { 'P' } else { 'p' };
    let suffix = format!("{mark}{exp:+}").into_bytes();
    let pre: &[u8] = if upper { b"0X" } else { b"0x" };
    (pre, Num { body, tail_zeros, suffix })
}

/// Formats into a bounded buffer: returns the bytes kept (at most `cap`) and
/// what was produced.
pub fn format_to_vec(
    fmt: &[u8],
    mem: &mut Memory,
    args: &mut dyn ArgSource,
    cap: usize,
) -> Result<(Vec<u8>, Formatted), Trap> {
    let mut sink = BufSink::new(cap);
    let f = format(fmt, mem, args, &mut sink)?;
    Ok((sink.buf, f))
}

/// The trap for an output that does not fit in module memory.
pub(crate) fn too_long(addr: u32, len: u64) -> Trap {
    Trap::new(TrapKind::OutOfBounds { addr, len: len.min(u32::MAX as u64) as u32 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValType::*;

    const BASE: u32 = 0x3FC8_0000;

    enum A {
        I(i32),
        L(i64),
        D(f64),
        S(&'static str),
    }

    /// Formats `fmt` with `args`, strings placed in a fresh memory.
    fn fmt(fmt: &str, args: &[A]) -> String {
        let mut mem = Memory::new(BASE, 4096);
        let mut at = BASE + 16;
        let mut types = Vec::new();
        let mut vals = Vec::new();
        for a in args {
            match a {
                A::I(v) => {
                    types.push(I32);
                    vals.push(*v as u32 as u64);
                }
                A::L(v) => {
                    types.push(I64);
                    vals.push(*v as u64);
                }
                A::D(v) => {
                    types.push(F64);
                    vals.push(v.to_bits());
                }
                A::S(s) => {
                    mem.slice_mut(at, s.len()).unwrap().copy_from_slice(s.as_bytes());
                    types.push(I32);
                    vals.push(at as u64);
                    at += s.len() as u32 + 1;
                }
            }
        }
        let mut args = RegArgs::new("test", &types, &vals);
        let (v, f) = format_to_vec(fmt.as_bytes(), &mut mem, &mut args, 1 << 20).unwrap();
        assert_eq!(v.len() as u64, f.len);
        String::from_utf8(v).unwrap()
    }

    use A::*;

    // Expected strings below come from glibc 2.36 (gcc -m32 -malign-double).
    #[test]
    fn integers() {
        assert_eq!(
            fmt("[%d] [%5d] [%-5d|] [%05d] [%+d] [% d]", &[I(42), I(42), I(42), I(-42), I(42), I(42)]),
            "[42] [   42] [42   |] [-0042] [+42] [ 42]"
        );
        assert_eq!(fmt("%08x %#o %#x %#X %X", &[I(255), I(8), I(255), I(255), I(0xabc)]), "000000ff 010 0xff 0XFF ABC");
        assert_eq!(fmt("%lld %llu", &[L(i64::MIN), L(-1)]), "-9223372036854775808 18446744073709551615");
        assert_eq!(
            fmt("%ld %lu %zu %hhd %hd %hhu", &[I(-5), I(-1), I(7), I(300), I(70000), I(511)]),
            "-5 4294967295 7 44 4464 255"
        );
        assert_eq!(
            fmt("[%.0d] [%5.0d] [%+.0d] [%#.0o] [%#.0x] [%#x]", &[I(0), I(0), I(0), I(0), I(0), I(0)]),
            "[] [     ] [+] [0] [] [0]"
        );
        assert_eq!(
            fmt("[%#5o] [%#.5o] [%08.3x] [%-08d] [%.3d] [%+u]", &[I(8), I(8), I(255), I(42), I(-7), I(5)]),
            "[  010] [00010] [     0ff] [42      ] [-007] [5]"
        );
        assert_eq!(fmt("[%*d] [%-*d] [%.*d]", &[I(5), I(1), I(-5), I(1), I(-1), I(7)]), "[    1] [1    ] [7]");
        assert_eq!(fmt("%jd %Ld %d", &[L(-1), L(1 << 40), I(i32::MIN)]), "-1 1099511627776 -2147483648");
        // %Lf of a double: Xtensa's long double.
        assert_eq!(fmt("%Lf", &[D(9.0)]), "9.000000");
    }

    /// riscv32's binary128 long double arrives by reference: a pointer
    /// argument, or a pointer in a 4-byte `va_list` slot. Expected strings
    /// from glibc's `%Q` (libquadmath) on the same values.
    #[test]
    fn long_double_binary128() {
        let mut mem = Memory::new(BASE, 4096);
        let third: u128 = 0x3FFD_5555_5555_5555_5555_5555_5555_5555;
        let minus_2_5: u128 = 0xC000_4000_0000_0000_0000_0000_0000_0000;
        for (at, v) in [(BASE + 64, third), (BASE + 80, minus_2_5)] {
            mem.write_u64(at, v as u64).unwrap();
            mem.write_u64(at + 8, (v >> 64) as u64).unwrap();
        }
        let (types, vals) = ([I32, I32], [u64::from(BASE + 64), u64::from(BASE + 80)]);
        let mut args = RegArgs::new("test", &types, &vals);
        let (v, _) = format_to_vec(b"%.36Lf %Lg", &mut mem, &mut args, 1 << 20).unwrap();
        assert_eq!(String::from_utf8(v).unwrap(), "0.333333333333333333333333333333333317 -2.5");
        // va_list: [&third] [7] [&minus_2_5]
        let ap = BASE + 128;
        mem.write_u32(ap, BASE + 64).unwrap();
        mem.write_u32(ap + 4, 7).unwrap();
        mem.write_u32(ap + 8, BASE + 80).unwrap();
        let mut args = VaListArgs::new(ap);
        let (v, _) = format_to_vec(b"%.5Le %d %+.1Lf", &mut mem, &mut args, 1 << 20).unwrap();
        assert_eq!(String::from_utf8(v).unwrap(), "3.33333e-01 7 -2.5");
        let mut args = RegArgs::new("test", &types, &vals);
        let (v, _) = format_to_vec(b"%La %.3LA", &mut mem, &mut args, 1 << 20).unwrap();
        assert_eq!(String::from_utf8(v).unwrap(), "0x1.5555555555555555555555555555p-2 -0X1.400P+1");
        // %La as glibc (libquadmath's %Qa): subnormals as 0x0.xxx, a carry
        // out of rounding left in the leading digit.
        let cases: [(u128, &str, &str); 5] = [
            (1, "%La", "0x0.0000000000000000000000000001p-16382"),
            (0x0000_C000_0000_0000_0000_0000_0000_0000, "%.0La", "0x1p-16382"),
            (0x3FFF_FFF0_0000_0000_0000_0000_0000_0000, "%.0La", "0x2p+0"),
            (0x7FFE_FFFF_FFFF_FFFF_FFFF_FFFF_FFFF_FFFF, "%.3La", "0x2.000p+16383"),
            (0, "%#.0La", "0x0.p+0"),
        ];
        for (bits, spec, want) in cases {
            mem.write_u64(BASE + 96, bits as u64).unwrap();
            mem.write_u64(BASE + 104, (bits >> 64) as u64).unwrap();
            let (types, vals) = ([I32], [u64::from(BASE + 96)]);
            let mut args = RegArgs::new("test", &types, &vals);
            let (v, _) = format_to_vec(spec.as_bytes(), &mut mem, &mut args, 1 << 20).unwrap();
            assert_eq!(String::from_utf8(v).unwrap(), want, "{spec} of {bits:#x}");
        }
    }

    #[test]
    fn mismatched_widths_use_what_is_there() {
        // %lld given an i32: sign-extended; %d given an i64: low 32 bits.
        assert_eq!(fmt("%lld %llu %d", &[I(-1), I(-1), L(0x1_0000_0005)]), "-1 4294967295 5");
    }

    #[test]
    fn chars_strings_pointers() {
        assert_eq!(fmt("[%c] [%3c] [%-3c] [%%] [%5%]", &[I(65), I(66), I(67)]), "[A] [  B] [C  ] [%] [%]");
        assert_eq!(
            fmt("[%s] [%-10s] [%10s] [%.3s] [%5.1s]", &[S("hi"), S("hi"), S("hi"), S("hello"), S("hello")]),
            "[hi] [hi        ] [        hi] [hel] [    h]"
        );
        assert_eq!(fmt("[%s] [%.3s] [%10s] [%.6s]", &[I(0), I(0), I(0), I(0)]), "[(null)] [] [    (null)] [(null)]");
        assert_eq!(
            fmt("[%p] [%p] [%10p] [%-12p|]", &[I(0x3fc80010), I(0), I(0), I(0x10)]),
            "[0x3fc80010] [(nil)] [     (nil)] [0x10        |]"
        );
        assert_eq!(fmt("[%y] [%5y] abc%", &[]), "[%y] [%5y] abc");
        let mut mem = Memory::new(BASE, 64);
        let (v, f) = format_to_vec(b"abc%", &mut mem, &mut RegArgs::new("t", &[], &[]), 64).unwrap();
        assert_eq!((v.as_slice(), f), (&b"abc"[..], Formatted { len: 3, incomplete: true }));
        assert_eq!(fmt("[%05s] [%05c]", &[S("ab"), I(120)]), "[   ab] [    x]");
    }

    #[test]
    fn fixed_and_exponent() {
        assert_eq!(
            fmt("%f %5.2f %.0f %.0f %.0f %.2f", &[D(3.14158), D(3.14158), D(0.5), D(1.5), D(2.5), D(2.675)]),
            "3.141580  3.14 0 2 2 2.67"
        );
        assert_eq!(
            fmt("%e %e %e %E", &[D(0.0), D(1e-300), D(123456789.0), D(1e300)]),
            "0.000000e+00 1.000000e-300 1.234568e+08 1.000000E+300"
        );
        assert_eq!(fmt("%f %e %g", &[D(-0.0), D(-0.0), D(-0.0)]), "-0.000000 -0.000000e+00 -0");
        assert_eq!(
            fmt(
                "[%#.0f] [%#.0e] [%010.3f] [%+010.3f] [% 010.3f] [%-10.2e]",
                &[D(3.0), D(3.0), D(-3.14158), D(3.14158), D(3.14158), D(12345.678)]
            ),
            "[3.] [3.e+00] [-00003.142] [+00003.142] [ 00003.142] [1.23e+04  ]"
        );
        assert_eq!(fmt("%.0e %e", &[D(5e-324), D(5e-324)]), "5e-324 4.940656e-324");
    }

    #[test]
    fn general() {
        assert_eq!(
            fmt("%g %g %g %g %g %g %g", &[D(0.0001), D(1e-5), D(123456789.0), D(100000.0), D(1e6), D(0.5), D(0.0)]),
            "0.0001 1e-05 1.23457e+08 100000 1e+06 0.5 0"
        );
        assert_eq!(
            fmt(
                "[%#g] [%#.3g] [%.0g] [%#.0g] [%G] [%.3g] [%10.4g]",
                &[D(1.0), D(1.0), D(0.5), D(0.5), D(1e-10), D(999.5), D(3.14158)]
            ),
            "[1.00000] [1.00] [0.5] [0.5] [1E-10] [1e+03] [     3.142]"
        );
    }

    #[test]
    fn non_finite() {
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        assert_eq!(
            fmt(
                "[%f] [%F] [%+e] [% g] [%05f] [%-6f|] [%e]",
                &[D(inf), D(inf), D(nan), D(nan), D(inf), D(-inf), D(-nan)]
            ),
            "[inf] [INF] [+nan] [ nan] [  inf] [-inf  |] [-nan]"
        );
    }

    #[test]
    fn hex_floats() {
        assert_eq!(
            fmt("[%a] [%a] [%a] [%.1a] [%.0a] [%A]", &[D(3.0), D(0.0), D(5e-324), D(1.5), D(1.5), D(-0.1)]),
            "[0x1.8p+1] [0x0p+0] [0x0.0000000000001p-1022] [0x1.8p+0] [0x2p+0] [-0X1.999999999999AP-4]"
        );
        assert_eq!(
            fmt(
                "[%a] [%.2a] [%a] [%.0a] [%.0a] [%.1a] [%.1a]",
                &[D(1e308), D(1.0 / 3.0), D(2.5), D(2.5), D(3.5), D(1.03125), D(1.09375)]
            ),
            "[0x1.1ccf385ebc8ap+1023] [0x1.55p-2] [0x1.4p+1] [0x1p+1] [0x2p+1] [0x1.0p+0] [0x1.2p+0]"
        );
    }

    #[test]
    fn huge_fields_are_streamed_not_allocated() {
        let mut mem = Memory::new(BASE, 64);
        let types = [F64, I32];
        let vals = [1.5f64.to_bits(), 7];
        let mut args = RegArgs::new("t", &types, &vals);
        let (v, f) = format_to_vec(b"%.2000000000f%2000000000d", &mut mem, &mut args, 16).unwrap();
        assert_eq!(v, b"1.50000000000000");
        assert_eq!(f.len, 2 + 2_000_000_000 + 2_000_000_000);
    }

    #[test]
    fn bad_input_traps_or_is_safe() {
        let mut mem = Memory::new(BASE, 64);
        // Too few arguments.
        let mut args = RegArgs::new("printf", &[], &[]);
        let e = format_to_vec(b"%d", &mut mem, &mut args, 64).unwrap_err();
        assert!(matches!(e.kind, TrapKind::Host(ref m) if m.contains("printf")));
        // Bad %s pointer.
        let mut args = RegArgs::new("printf", &[I32], &[0x1234]);
        let e = format_to_vec(b"%s", &mut mem, &mut args, 64).unwrap_err();
        assert!(matches!(e.kind, TrapKind::OutOfBounds { addr: 0x1234, .. }));
        // Unterminated string at the end of memory, with and without precision.
        mem.fill(BASE, b'x', 64).unwrap();
        let mut args = RegArgs::new("printf", &[I32, I32], &[BASE as u64 + 60, BASE as u64 + 60]);
        let (v, _) = format_to_vec(b"%.4s", &mut mem, &mut args, 64).unwrap();
        assert_eq!(v, b"xxxx");
        assert!(format_to_vec(b"%.5s", &mut mem, &mut args, 64).is_err());
        // Positional arguments.
        let mut args = RegArgs::new("printf", &[I32], &[1]);
        assert!(format_to_vec(b"%1$d", &mut mem, &mut args, 64).is_err());
    }

    #[test]
    fn percent_n_writes_count() {
        let mut mem = Memory::new(BASE, 64);
        let types = [I32, I32, I32];
        let vals = [BASE as u64, 12345, BASE as u64 + 4];
        let mut args = RegArgs::new("t", &types, &vals);
        let (v, _) = format_to_vec(b"ab%n%d%hhn", &mut mem, &mut args, 64).unwrap();
        assert_eq!(v, b"ab12345");
        assert_eq!(mem.read_u32(BASE).unwrap(), 2);
        assert_eq!(mem.read_u8(BASE + 4).unwrap(), 7);
        let mut args = RegArgs::new("t", &[I32], &[8]);
        assert!(format_to_vec(b"%n", &mut mem, &mut args, 64).is_err());
    }

    #[test]
    fn va_list_layout() {
        let mut mem = Memory::new(BASE, 64);
        mem.write_u32(BASE, 7).unwrap();
        mem.write_u64(BASE + 8, (-3i64) as u64).unwrap();
        mem.write_u64(BASE + 16, 2.5f64.to_bits()).unwrap();
        mem.write_u32(BASE + 24, 9).unwrap();
        let mut args = VaListArgs::new(BASE);
        let (v, _) = format_to_vec(b"%d %lld %.1f %u", &mut mem, &mut args, 64).unwrap();
        assert_eq!(v, b"7 -3 2.5 9");
    }
}
