//! ctype.h in the C locale, with newlib's results: the class functions
//! return the bits of newlib's `_ctype_` table (`isdigit('5') == 4`,
//! `isalpha('a') == 2`), `isupper`/`islower` return 0 or 1, as newlib's
//! functions do. Arguments outside `0..=255` (EOF included) are in no class.
//!
//! Note: newlib's `<ctype.h>` macros read the `_ctype_` table directly, so a
//! module only calls these functions when the macros are bypassed
//! (`(isdigit)(c)`, `#undef`, C++).

use super::{Call, Native, PcHost, n, ret_i32};
use espb_runtime::{HostCtx, Trap};

pub(crate) const NATIVES: &[Native] = &[
    n("isalnum", isalnum),
    n("isalpha", isalpha),
    n("iscntrl", iscntrl),
    n("isdigit", isdigit),
    n("isgraph", isgraph),
    n("islower", islower),
    n("isprint", isprint),
    n("ispunct", ispunct),
    n("isspace", isspace),
    n("isupper", isupper),
    n("isxdigit", isxdigit),
    n("isblank", isblank),
    n("isascii", isascii),
    n("toascii", toascii),
    n("toupper", toupper),
    n("tolower", tolower),
];

// newlib's class bits.
const U: u8 = 0o1;
const L: u8 = 0o2;
const N: u8 = 0o4;
const S: u8 = 0o10;
const P: u8 = 0o20;
const C: u8 = 0o40;
const X: u8 = 0o100;
const B: u8 = 0o200;

/// newlib's `_ctype_` entry for `c` (C locale; 128..=255 and others: 0).
pub(crate) fn class(c: i32) -> u8 {
    let Ok(b) = u8::try_from(c) else { return 0 };
    match b {
        b'\t'..=b'\r' => C | S,
        0..=0x1F | 0x7F => C,
        b' ' => S | B,
        b'0'..=b'9' => N,
        b'A'..=b'F' => U | X,
        b'G'..=b'Z' => U,
        b'a'..=b'f' => L | X,
        b'g'..=b'z' => L,
        0x21..=0x7E => P,
        _ => 0,
    }
}

fn masked(c: &Call<'_>, mask: u8) -> Result<u64, Trap> {
    Ok((class(c.i32(0)?) & mask) as u64)
}

fn isalnum(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    masked(c, U | L | N)
}
fn isalpha(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    masked(c, U | L)
}
fn iscntrl(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    masked(c, C)
}
fn isdigit(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    masked(c, N)
}
fn isgraph(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    masked(c, P | U | L | N)
}
fn isprint(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    masked(c, P | U | L | N | B)
}
fn ispunct(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    masked(c, P)
}
fn isspace(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    masked(c, S)
}
fn isxdigit(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    masked(c, X | N)
}
fn islower(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok((class(c.i32(0)?) & (U | L) == L) as u64)
}
fn isupper(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok((class(c.i32(0)?) & (U | L) == U) as u64)
}
fn isblank(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let ch = c.i32(0)?;
    Ok((class(ch) & B != 0 || ch == b'\t' as i32) as u64)
}
fn isascii(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok((0..0x80).contains(&c.i32(0)?) as u64)
}
fn toascii(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(c.i32(0)? & 0x7F))
}
fn toupper(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let ch = c.i32(0)?;
    Ok(ret_i32(if class(ch) & (U | L) == L { ch - 0x20 } else { ch }))
}
fn tolower(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let ch = c.i32(0)?;
    Ok(ret_i32(if class(ch) & (U | L) == U { ch + 0x20 } else { ch }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_agree_with_ascii() {
        for c in -1..300 {
            let b = u8::try_from(c).ok().filter(|b| b.is_ascii());
            let k = class(c);
            assert_eq!(k & N != 0, b.is_some_and(|b| b.is_ascii_digit()), "{c}");
            assert_eq!(k & (U | L) != 0, b.is_some_and(|b| b.is_ascii_alphabetic()), "{c}");
            assert_eq!(k & P != 0, b.is_some_and(|b| b.is_ascii_punctuation()), "{c}");
            assert_eq!(k & C != 0, b.is_some_and(|b| b.is_ascii_control()), "{c}");
            assert_eq!(k & (X | N) != 0, b.is_some_and(|b| b.is_ascii_hexdigit()), "{c}");
            // C's isspace includes \v (0x0B), which Rust's is_ascii_whitespace lacks.
            assert_eq!(k & S != 0, b.is_some_and(|b| b.is_ascii_whitespace() || b == 0x0B), "{c}");
        }
    }
}
