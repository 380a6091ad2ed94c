//! string.h (`strdup`/`strndup` are the runtime's: their copies come from
//! the module's heap on every target). Comparisons return the difference of the first differing
//! bytes as `unsigned char` (newlib's result; C only fixes the sign).
//! Functions bounded by a length read no further than C would: they stop
//! at the match or NUL, and trap only when the bytes they must read leave
//! module memory.

use super::{Call, Native, PcHost, n, ret_i32};
use espb_runtime::Memory;
use espb_runtime::{HostCtx, Trap};

pub(crate) const NATIVES: &[Native] = &[
    n("strlen", strlen),
    n("strnlen", strnlen),
    n("strcmp", strcmp),
    n("strncmp", strncmp),
    n("strcasecmp", strcasecmp),
    n("strncasecmp", strncasecmp),
    n("strcpy", strcpy),
    n("strncpy", strncpy),
    n("strcat", strcat),
    n("strncat", strncat),
    n("strchr", strchr),
    n("strrchr", strrchr),
    n("strstr", strstr),
    n("strspn", strspn),
    n("strcspn", strcspn),
    n("strpbrk", strpbrk),
    n("strtok", strtok),
    n("strtok_r", strtok_r),
    n("memcmp", memcmp),
    n("memchr", memchr),
    n("memcpy", memmove),
    n("memmove", memmove),
    n("memset", memset),
    n("strlcpy", strlcpy),
    n("strlcat", strlcat),
    n("strsep", strsep),
    n("stpcpy", stpcpy),
    n("stpncpy", stpncpy),
    // The C locale's collation is byte order.
    n("strcoll", strcmp),
    n("strxfrm", strxfrm),
];

/// Up to `n` bytes at `p`, cut at the first NUL (exclusive). Reads past
/// the end of memory only trap if no NUL came first.
fn bounded_str(mem: &Memory, p: u32, n: u32) -> Result<&[u8], Trap> {
    if n == 0 {
        return Ok(&[]);
    }
    let off = p.wrapping_sub(mem.base()) as usize;
    let look = (n as usize).min(mem.len().saturating_sub(off));
    let s = mem.slice(p, look)?;
    match s.iter().position(|&c| c == 0) {
        Some(z) => Ok(&s[..z]),
        None if look == n as usize => Ok(s),
        None => mem.slice(p, look + 1),
    }
}

/// Pays for reading the strings `parts` (their lengths, a scan each).
fn scanned(ctx: &mut HostCtx<'_>, parts: &[usize]) -> Result<(), Trap> {
    ctx.charge(parts.iter().map(|&n| n as u64).sum())
}

/// A comparison of two strings, paid for by their lengths.
fn compare(ctx: &mut HostCtx<'_>, a: &[u8], b: &[u8], fold: bool) -> Result<u64, Trap> {
    let d = ret_i32(diff(a, b, fold));
    scanned(ctx, &[a.len(), b.len()])?;
    Ok(d)
}

fn diff(a: &[u8], b: &[u8], fold: bool) -> i32 {
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = if fold { (x.to_ascii_lowercase(), y.to_ascii_lowercase()) } else { (x, y) };
        if x != y {
            return x as i32 - y as i32;
        }
    }
    // One is a prefix of the other: the shorter one's NUL (0) compares.
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Less => -(if fold { b[a.len()].to_ascii_lowercase() } else { b[a.len()] } as i32),
        std::cmp::Ordering::Greater => (if fold { a[b.len()].to_ascii_lowercase() } else { a[b.len()] }) as i32,
        std::cmp::Ordering::Equal => 0,
    }
}

fn strlen(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let n = ctx.mem.c_str(c.u32(0)?)?.len() as u64;
    ctx.charge(n)?;
    Ok(n)
}

fn strnlen(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let n = bounded_str(ctx.mem, c.u32(0)?, c.u32(1)?)?.len() as u64;
    ctx.charge(n)?;
    Ok(n)
}

fn strcmp(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (a, b) = (ctx.mem.c_str(c.u32(0)?)?.to_vec(), ctx.mem.c_str(c.u32(1)?)?.to_vec());
    compare(ctx, &a, &b, false)
}

fn strncmp(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let n = c.u32(2)?;
    let (a, b) = (bounded_str(ctx.mem, c.u32(0)?, n)?.to_vec(), bounded_str(ctx.mem, c.u32(1)?, n)?.to_vec());
    compare(ctx, &a, &b, false)
}

fn strcasecmp(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (a, b) = (ctx.mem.c_str(c.u32(0)?)?.to_vec(), ctx.mem.c_str(c.u32(1)?)?.to_vec());
    compare(ctx, &a, &b, true)
}

fn strncasecmp(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let n = c.u32(2)?;
    let (a, b) = (bounded_str(ctx.mem, c.u32(0)?, n)?.to_vec(), bounded_str(ctx.mem, c.u32(1)?, n)?.to_vec());
    compare(ctx, &a, &b, true)
}

/// Writes `bytes` then a NUL at `d`.
fn put_str(mem: &mut Memory, d: u32, bytes: &[u8]) -> Result<(), Trap> {
    let len = bytes.len();
    let dst = mem.slice_mut(d, len + 1)?;
    dst[..len].copy_from_slice(bytes);
    dst[len] = 0;
    Ok(())
}

fn strcpy(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    copy_str(c, ctx).map(|(d, _)| u64::from(d))
}

/// strcpy and stpcpy: copies `s` with its NUL to `d`; `d` and the length.
fn copy_str(c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<(u32, u32), Trap> {
    let (d, s) = (c.u32(0)?, c.u32(1)?);
    let src = ctx.mem.c_str(s)?.to_vec();
    scanned(ctx, &[src.len(), src.len()])?;
    put_str(ctx.mem, d, &src)?;
    Ok((d, src.len() as u32))
}

/// Copies at most `n` bytes and pads with NULs to `n` (no NUL if `s` is
/// `n` bytes or longer).
fn strncpy(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    copy_padded(c, ctx).map(|(d, _)| u64::from(d))
}

/// strncpy and stpncpy: copies at most `n` bytes of `s` to `d` and pads
/// with NULs to `n`; `d` and the length copied.
fn copy_padded(c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<(u32, u32), Trap> {
    let (d, s, n) = (c.u32(0)?, c.u32(1)?, c.u32(2)?);
    ctx.charge(2 * u64::from(n))?;
    let src = bounded_str(ctx.mem, s, n)?.to_vec();
    let dst = ctx.mem.slice_mut(d, n as usize)?;
    dst[..src.len()].copy_from_slice(&src);
    dst[src.len()..].fill(0);
    Ok((d, src.len() as u32))
}

fn strcat(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (d, s) = (c.u32(0)?, c.u32(1)?);
    let dlen = ctx.mem.c_str(d)?.len();
    let end = d.wrapping_add(dlen as u32);
    let src = ctx.mem.c_str(s)?.to_vec();
    scanned(ctx, &[dlen, src.len(), src.len()])?;
    put_str(ctx.mem, end, &src)?;
    Ok(d as u64)
}

fn strncat(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (d, s, n) = (c.u32(0)?, c.u32(1)?, c.u32(2)?);
    let dlen = ctx.mem.c_str(d)?.len();
    let end = d.wrapping_add(dlen as u32);
    let src = bounded_str(ctx.mem, s, n)?.to_vec();
    scanned(ctx, &[dlen, src.len(), src.len()])?;
    put_str(ctx.mem, end, &src)?;
    Ok(d as u64)
}

/// `strchr`: the terminating NUL is part of the string (`strchr(s, 0)`).
fn strchr(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (s, ch) = (c.u32(0)?, c.u32(1)? as u8);
    let n = ctx.mem.c_str(s)?.len();
    scanned(ctx, &[n])?;
    let str = ctx.mem.c_str(s)?;
    Ok(match ch {
        0 => s.wrapping_add(str.len() as u32) as u64,
        _ => str.iter().position(|&b| b == ch).map_or(0, |i| s.wrapping_add(i as u32) as u64),
    })
}

fn strrchr(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (s, ch) = (c.u32(0)?, c.u32(1)? as u8);
    let n = ctx.mem.c_str(s)?.len();
    scanned(ctx, &[n])?;
    let str = ctx.mem.c_str(s)?;
    Ok(match ch {
        0 => s.wrapping_add(str.len() as u32) as u64,
        _ => str.iter().rposition(|&b| b == ch).map_or(0, |i| s.wrapping_add(i as u32) as u64),
    })
}

fn strstr(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (h, nd) = (c.u32(0)?, c.u32(1)?);
    let (hn, nn) = (ctx.mem.c_str(h)?.len(), ctx.mem.c_str(nd)?.len());
    // The naive search compares up to every position with the whole needle.
    ctx.charge((hn as u64).saturating_mul(nn.max(1) as u64))?;
    let hay = ctx.mem.c_str(h)?;
    let needle = ctx.mem.c_str(nd)?;
    if needle.is_empty() {
        return Ok(h as u64);
    }
    Ok(hay.windows(needle.len()).position(|w| w == needle).map_or(0, |i| h.wrapping_add(i as u32) as u64))
}

fn strspn(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    set_scan(ctx, c.u32(0)?, c.u32(1)?)?;
    let s = ctx.mem.c_str(c.u32(0)?)?;
    let set = ctx.mem.c_str(c.u32(1)?)?;
    Ok(s.iter().position(|b| !set.contains(b)).unwrap_or(s.len()) as u64)
}

fn strcspn(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    set_scan(ctx, c.u32(0)?, c.u32(1)?)?;
    let s = ctx.mem.c_str(c.u32(0)?)?;
    let set = ctx.mem.c_str(c.u32(1)?)?;
    Ok(s.iter().position(|b| set.contains(b)).unwrap_or(s.len()) as u64)
}

fn strpbrk(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let p = c.u32(0)?;
    set_scan(ctx, p, c.u32(1)?)?;
    let s = ctx.mem.c_str(p)?;
    let set = ctx.mem.c_str(c.u32(1)?)?;
    Ok(s.iter().position(|b| set.contains(b)).map_or(0, |i| p.wrapping_add(i as u32) as u64))
}

/// Pays for matching string `s` against the set `set` (each byte against
/// every member).
fn set_scan(ctx: &mut HostCtx<'_>, s: u32, set: u32) -> Result<(), Trap> {
    let (n, m) = (ctx.mem.c_str(s)?.len() as u64, ctx.mem.c_str(set)?.len() as u64);
    ctx.charge(n.saturating_mul(m.max(1)))
}

/// newlib's `__strtok_r`: returns the token and the next saved position
/// (0 when the string is used up).
fn tokenize(ctx: &mut HostCtx<'_>, s: u32, delim: u32, saved: u32) -> Result<(u32, u32), Trap> {
    let s = if s != 0 { s } else { saved };
    if s == 0 {
        return Ok((0, 0));
    }
    set_scan(ctx, s, delim)?;
    let mem = &mut *ctx.mem;
    let delims = mem.c_str(delim)?.to_vec();
    let str = mem.c_str(s)?;
    let Some(start) = str.iter().position(|b| !delims.contains(b)) else {
        return Ok((0, 0));
    };
    let tok = s.wrapping_add(start as u32);
    match str[start..].iter().position(|b| delims.contains(b)) {
        Some(k) => {
            let end = tok.wrapping_add(k as u32);
            mem.write_u8(end, 0)?;
            Ok((tok, end.wrapping_add(1)))
        }
        None => Ok((tok, 0)),
    }
}

fn strtok(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (tok, next) = tokenize(ctx, c.u32(0)?, c.u32(1)?, h.strtok_next)?;
    h.strtok_next = next;
    Ok(tok as u64)
}

fn strtok_r(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (s, delim, save) = (c.u32(0)?, c.u32(1)?, c.u32(2)?);
    let saved = if s == 0 { ctx.mem.read_u32(save)? } else { 0 };
    let (tok, next) = tokenize(ctx, s, delim, saved)?;
    ctx.mem.write_u32(save, next)?;
    Ok(tok as u64)
}

fn memcmp(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let n = c.u32(2)? as usize;
    ctx.charge(2 * n as u64)?;
    let a = ctx.mem.slice(c.u32(0)?, n)?;
    let b = ctx.mem.slice(c.u32(1)?, n)?;
    Ok(ret_i32(a.iter().zip(b).find(|(x, y)| x != y).map_or(0, |(&x, &y)| x as i32 - y as i32)))
}

/// Stops at the first match, so only the bytes before it must be in bounds.
fn memchr(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (p, ch, n) = (c.u32(0)?, c.u32(1)? as u8, c.u32(2)?);
    if n == 0 {
        return Ok(0);
    }
    ctx.charge(u64::from(n))?;
    let off = p.wrapping_sub(ctx.mem.base()) as usize;
    let look = (n as usize).min(ctx.mem.len().saturating_sub(off));
    let s = ctx.mem.slice(p, look)?;
    match s.iter().position(|&b| b == ch) {
        Some(i) => Ok(p.wrapping_add(i as u32) as u64),
        None if look == n as usize => Ok(0),
        None => Err(ctx.mem.slice(p, n as usize).err().unwrap_or_else(|| Trap::host("memchr"))),
    }
}

/// `memcpy` is served by `memmove` (overlap is undefined in C; harmless here).
fn memmove(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (d, s, n) = (c.u32(0)?, c.u32(1)?, c.u32(2)?);
    ctx.charge(u64::from(n))?;
    ctx.mem.copy_within(d, s, n)?;
    Ok(d as u64)
}

fn memset(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (d, v, n) = (c.u32(0)?, c.u32(1)? as u8, c.u32(2)?);
    ctx.charge(u64::from(n))?;
    ctx.mem.fill(d, v, n)?;
    Ok(d as u64)
}

/// `strlcpy(d, s, n)`: copies what fits in `n - 1` bytes plus NUL, returns
/// the length of `s`.
fn strlcpy(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (d, s, n) = (c.u32(0)?, c.u32(1)?, c.u32(2)?);
    let src = ctx.mem.c_str(s)?.to_vec();
    let keep = src.len().min((n as usize).saturating_sub(1));
    scanned(ctx, &[src.len(), keep])?;
    if n > 0 {
        put_str(ctx.mem, d, &src[..keep])?;
    }
    Ok(src.len() as u64)
}

/// `strlcat(d, s, n)`: appends what fits within `n` bytes in all, returns
/// the length it tried to make (`n + strlen(s)` when `d` has no NUL within
/// `n`).
fn strlcat(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (d, s, n) = (c.u32(0)?, c.u32(1)?, c.u32(2)?);
    let dlen = bounded_str(ctx.mem, d, n)?.len();
    let src = ctx.mem.c_str(s)?.to_vec();
    scanned(ctx, &[dlen, src.len()])?;
    if dlen == n as usize {
        return Ok((dlen + src.len()) as u64);
    }
    let keep = src.len().min(n as usize - dlen - 1);
    put_str(ctx.mem, d.wrapping_add(dlen as u32), &src[..keep])?;
    Ok((dlen + src.len()) as u64)
}

/// `strsep(&s, delim)`: the token at `*s`, its delimiter overwritten by NUL
/// and `*s` moved past it (NULL at the end of the string).
fn strsep(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (sp, delim) = (c.u32(0)?, c.u32(1)?);
    let s = ctx.mem.read_u32(sp)?;
    if s == 0 {
        return Ok(0);
    }
    set_scan(ctx, s, delim)?;
    let delims = ctx.mem.c_str(delim)?.to_vec();
    let next = match ctx.mem.c_str(s)?.iter().position(|b| delims.contains(b)) {
        Some(k) => {
            let at = s.wrapping_add(k as u32);
            ctx.mem.write_u8(at, 0)?;
            at.wrapping_add(1)
        }
        None => 0,
    };
    ctx.mem.write_u32(sp, next)?;
    Ok(u64::from(s))
}

/// `stpcpy`: `strcpy` returning the address of the copied NUL.
fn stpcpy(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    copy_str(c, ctx).map(|(d, len)| u64::from(d.wrapping_add(len)))
}

/// `stpncpy`: `strncpy` returning the address of the first NUL written, or
/// `d + n` when none was.
fn stpncpy(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    copy_padded(c, ctx).map(|(d, len)| u64::from(d.wrapping_add(len)))
}

/// `strxfrm(d, s, n)` in the C locale: `strlcpy` that writes nothing
/// unless all of `s` and its NUL fit in `n`; returns the length of `s`.
fn strxfrm(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (d, s, n) = (c.u32(0)?, c.u32(1)?, c.u32(2)?);
    let src = ctx.mem.c_str(s)?.to_vec();
    scanned(ctx, &[src.len(), src.len()])?;
    if src.len() < n as usize {
        put_str(ctx.mem, d, &src)?;
    }
    Ok(src.len() as u64)
}
