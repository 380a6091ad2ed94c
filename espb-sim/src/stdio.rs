//! stdio.h: the printf family, puts/putchar/fputs/fputc/putc/fwrite/fflush.
//!
//! `FILE*` arguments: a stream `fopen` opened is its file (files.rs),
//! [`super::SIM_STDERR`] is stderr, anything else is stdout. A module reaches the streams as newlib's `stdout`/`stderr`
//! macros do, through `__getreent()->_stdout` (see [`PcHost::reent`]). The `v*printf` functions read a RISC-V
//! ilp32 or Xtensa `va_list` (see [`printf::VaListArgs`]).

use super::printf::{self, ArgSource, Formatted, VaListArgs};
use super::{Call, Native, PcHost, SIM_STDOUT, n, ret_i32};
use espb_runtime::{HostCtx, Trap};

pub(crate) const NATIVES: &[Native] = &[
    n("printf", printf),
    n("iprintf", printf),
    n("esp_rom_printf", printf),
    n("ets_printf", printf),
    n("fprintf", fprintf),
    n("fiprintf", fprintf),
    n("sprintf", sprintf),
    n("siprintf", sprintf),
    n("snprintf", snprintf),
    n("sniprintf", snprintf),
    n("vprintf", vprintf),
    n("vfprintf", vfprintf),
    n("vsprintf", vsprintf),
    n("vsnprintf", vsnprintf),
    n("puts", puts),
    n("putchar", putchar),
    n("fputs", fputs),
    n("fputc", fputc),
    n("putc", fputc),
    n("fwrite", fwrite),
    n("fflush", fflush),
    n("__getreent", getreent),
];

/// C's `EOF`.
const EOF: i32 = -1;

/// The printf return value: the bytes produced, or `-1` past `INT_MAX`
/// (glibc's EOVERFLOW), for an incomplete format, or when the output failed.
fn count(f: Formatted, ok: bool) -> u64 {
    match i32::try_from(f.len) {
        Ok(v) if ok && !f.incomplete => ret_i32(v),
        _ => ret_i32(EOF),
    }
}

/// Formats to the stream `file`.
fn to_stream(
    h: &mut PcHost,
    file: u32,
    fmt: u32,
    args: &mut dyn ArgSource,
    ctx: &mut HostCtx<'_>,
) -> Result<u64, Trap> {
    let fmt = ctx.mem.c_str(fmt)?.to_vec();
    ctx.charge(fmt.len() as u64)?;
    let limit = ctx.work_left();
    if h.fs.is_open(file) {
        let mut sink = printf::BufSink::new(usize::MAX);
        let len = printf::format_within(&fmt, ctx.mem, args, &mut sink, limit)?;
        ctx.charge(len.len)?;
        let ok = super::files::write_to(h, ctx, file, &sink.buf)?;
        return Ok(count(len, ok));
    }
    let mut s = h.console.lock();
    let super::Streams { out, err } = &mut *s;
    let (len, ok) = if file == super::SIM_STDERR {
        let flushed = out.flush().is_ok();
        let mut sink = super::WriteSink { w: &mut **err, ok: true };
        let len = printf::format_within(&fmt, ctx.mem, args, &mut sink, limit)?;
        let ok = sink.ok && err.flush().is_ok();
        (len, ok && flushed)
    } else {
        let len = printf::format_within(&fmt, ctx.mem, args, out, limit)?;
        (len, !out.take_failed())
    };
    drop(s);
    ctx.charge(len.len)?;
    Ok(count(len, ok))
}

/// Formats into module memory at `buf`, keeping at most `size - 1` bytes
/// plus NUL (`size == None`: unbounded, as `sprintf`).
fn to_buffer(
    buf: u32,
    size: Option<u32>,
    fmt: u32,
    args: &mut dyn ArgSource,
    ctx: &mut HostCtx<'_>,
) -> Result<u64, Trap> {
    let fmt = ctx.mem.c_str(fmt)?.to_vec();
    // Never keep more than memory could hold: the write below traps then.
    let cap = match size {
        Some(0) => 0,
        Some(s) => (s as usize - 1).min(ctx.mem.len()),
        None => ctx.mem.len(),
    };
    ctx.charge(fmt.len() as u64)?;
    let mut sink = printf::BufSink::new(cap);
    let len = printf::format_within(&fmt, ctx.mem, args, &mut sink, ctx.work_left())?;
    ctx.charge(len.len)?;
    let mut out = sink.buf;
    if size.is_none() && len.len > out.len() as u64 {
        return Err(printf::too_long(buf, len.len + 1));
    }
    if size != Some(0) {
        out.push(0);
        ctx.mem.slice_mut(buf, out.len())?.copy_from_slice(&out);
    }
    Ok(count(len, true))
}

fn printf(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    to_stream(h, SIM_STDOUT, c.u32(0)?, &mut c.varargs(1), ctx)
}

fn fprintf(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    to_stream(h, c.u32(0)?, c.u32(1)?, &mut c.varargs(2), ctx)
}

fn sprintf(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    to_buffer(c.u32(0)?, None, c.u32(1)?, &mut c.varargs(2), ctx)
}

fn snprintf(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    to_buffer(c.u32(0)?, Some(c.u32(1)?), c.u32(2)?, &mut c.varargs(3), ctx)
}

fn vprintf(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    to_stream(h, SIM_STDOUT, c.u32(0)?, &mut VaListArgs::from_args(c.args, 1, c.name)?, ctx)
}

fn vfprintf(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    to_stream(h, c.u32(0)?, c.u32(1)?, &mut VaListArgs::from_args(c.args, 2, c.name)?, ctx)
}

fn vsprintf(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    to_buffer(c.u32(0)?, None, c.u32(1)?, &mut VaListArgs::from_args(c.args, 2, c.name)?, ctx)
}

fn vsnprintf(_: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    to_buffer(c.u32(0)?, Some(c.u32(1)?), c.u32(2)?, &mut VaListArgs::from_args(c.args, 3, c.name)?, ctx)
}

/// Returns `ok_value` if the write succeeded, else `EOF`.
fn status(ok: bool, ok_value: i32) -> u64 {
    ret_i32(if ok { ok_value } else { EOF })
}

/// `puts` returns newlib's success value, `'\n'`.
fn puts(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut s = ctx.mem.c_str(c.u32(0)?)?.to_vec();
    ctx.charge(s.len() as u64)?;
    s.push(b'\n');
    Ok(status(h.write_stream(SIM_STDOUT, &s), b'\n' as i32))
}

fn putchar(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let ch = c.u32(0)? as u8;
    Ok(status(h.write_stream(SIM_STDOUT, &[ch]), ch as i32))
}

fn fputs(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let s = ctx.mem.c_str(c.u32(0)?)?.to_vec();
    ctx.charge(s.len() as u64)?;
    Ok(status(super::files::write_to(h, ctx, c.u32(1)?, &s)?, 0))
}

fn fputc(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let ch = c.u32(0)? as u8;
    Ok(status(super::files::write_to(h, ctx, c.u32(1)?, &[ch])?, ch as i32))
}

/// `fwrite(ptr, size, n, file)`: returns `n` (0 on a failed write).
fn fwrite(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (p, size, nmemb, file) = (c.u32(0)?, c.u32(1)?, c.u32(2)?, c.u32(3)?);
    let total = size as u64 * nmemb as u64;
    if total == 0 {
        return Ok(0);
    }
    if total > ctx.mem.len() as u64 {
        return Err(printf::too_long(p, total));
    }
    ctx.charge(total)?;
    let b = ctx.mem.slice(p, total as usize)?.to_vec();
    let ok = super::files::write_to(h, ctx, file, &b)?;
    Ok(if ok { nmemb as u64 } else { 0 })
}

/// newlib's `_REENT` (ESP-IDF's `stdout` is `__getreent()->_stdout`).
fn getreent(h: &mut PcHost, _: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(h.reent(ctx)? as u64)
}

fn fflush(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(status(h.flush().is_ok(), 0))
}

/// The printf used by other modules (`esp_log_write`).
pub(crate) fn printf_from(
    h: &mut PcHost,
    fmt: u32,
    args: &mut dyn ArgSource,
    ctx: &mut HostCtx<'_>,
) -> Result<u64, Trap> {
    to_stream(h, SIM_STDOUT, fmt, args, ctx)
}
