//! ESP-IDF basics: time, logging, restart, error checks, random numbers,
//! heap figures.
//!
//! Logging: `ESP_LOGx` expands (in the module) to `esp_log_write` with
//! ESP-IDF's format, `I (1234) tag: message`, colour codes included when the
//! module was built with `CONFIG_LOG_COLORS`; the simulator prints the
//! message (as the UART console would) when its level passes the runtime
//! level: default INFO, changed with `esp_log_level_set`. The timestamp is
//! milliseconds since boot on the simulated clock.
//!
//! `esp_random` is a seeded generator (`Options::seed`): the same numbers
//! every run.

use super::printf::VaListArgs;
use super::{Call, Native, PcHost, n, ret_i32};
use espb_runtime::{HostCtx, Trap};

pub(crate) const NATIVES: &[Native] = &[
    n("esp_log_timestamp", esp_log_timestamp),
    n("esp_log_early_timestamp", esp_log_timestamp),
    n("esp_log_system_timestamp", esp_log_system_timestamp),
    n("esp_timer_get_time", esp_timer_get_time),
    n("esp_rom_delay_us", esp_rom_delay_us),
    n("esp_restart", esp_restart),
    n("esp_log_write", esp_log_write),
    n("esp_log_writev", esp_log_writev),
    n("esp_log_level_set", esp_log_level_set),
    n("esp_log_level_get", esp_log_level_get),
    n("_esp_error_check_failed", esp_error_check_failed),
    n("_esp_error_check_failed_without_abort", esp_error_check_failed_without_abort),
    n("esp_err_to_name", esp_err_to_name),
    n("esp_random", esp_random),
    n("esp_fill_random", esp_fill_random),
    n("esp_get_free_heap_size", esp_get_free_heap_size),
    n("esp_get_free_internal_heap_size", esp_get_free_heap_size),
    n("esp_get_minimum_free_heap_size", esp_get_free_heap_size),
    n("esp_reset_reason", esp_reset_reason),
];

/// ESP-IDF's colour of a log level's lines (`CONFIG_LOG_COLORS`).
fn color(level: u32) -> Option<&'static str> {
    match level {
        1 => Some("\x1b[0;31m"),
        2 => Some("\x1b[0;33m"),
        3 => Some("\x1b[0;32m"),
        _ => None,
    }
}

/// A log line in ESP-IDF's format, `I (ms) tag: msg`, without the newline.
pub(crate) fn log_line(level: u32, ms: u64, tag: &str, msg: &str, colors: bool) -> String {
    let letter = match level {
        1 => 'E',
        2 => 'W',
        4 => 'D',
        5 => 'V',
        _ => 'I',
    };
    match color(level).filter(|_| colors) {
        Some(c) => format!("{c}{letter} ({ms}) {tag}: {msg}\x1b[0m"),
        None => format!("{letter} ({ms}) {tag}: {msg}"),
    }
}

fn esp_log_timestamp(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok((h.now_us() / 1000) as u32 as u64)
}

/// `esp_log_system_timestamp()`: "HH:MM:SS.mmm" since boot (no RTC time is
/// set), in a buffer of the module's that is reused.
fn esp_log_system_timestamp(h: &mut PcHost, _: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let ms = h.now_us() / 1000;
    let text = format!("{:02}:{:02}:{:02}.{:03}\0", ms / 3_600_000 % 24, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let at = match h.data.get("esp_log_system_timestamp") {
        Some(&a) => a,
        None => {
            let a = ctx.malloc(16);
            if a == 0 {
                return Err(Trap::host("esp_log_system_timestamp: no room in the module heap"));
            }
            h.data.insert("esp_log_system_timestamp".into(), a);
            a
        }
    };
    ctx.mem.slice_mut(at, text.len())?.copy_from_slice(text.as_bytes());
    Ok(u64::from(at))
}

/// Microseconds since boot, as `int64_t`.
fn esp_timer_get_time(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(h.now_us())
}

/// A busy wait: the clock moves on, no other task runs meanwhile.
fn esp_rom_delay_us(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let us = u64::from(c.u32(0)?);
    h.k.busy_wait(us);
    Ok(0)
}

/// The firmware would reboot; the simulated program ends with `exit(0)`.
fn esp_restart(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    h.sim_log(2, "esp_restart(): the simulation ends here, as the chip would reboot");
    Err(h.exit(0))
}

/// The runtime log level for `tag`.
fn level_for(h: &PcHost, tag: &[u8]) -> u32 {
    h.log_tags.get(tag).copied().unwrap_or(h.log_level)
}

/// Whether a message of `level` for the tag at `tag` is printed.
fn passes(h: &PcHost, level: u32, tag: u32, ctx: &HostCtx<'_>) -> Result<bool, Trap> {
    let tag = if tag == 0 { &[][..] } else { ctx.mem.c_str(tag)? };
    Ok(level != 0 && level <= level_for(h, tag))
}

/// `esp_log_write(level, tag, format, ...)`.
fn esp_log_write(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    if passes(h, c.u32(0)?, c.u32(1)?, ctx)? {
        super::stdio::printf_from(h, c.u32(2)?, &mut c.varargs(3), ctx)?;
    }
    Ok(0)
}

/// `esp_log_writev(level, tag, format, va_list)`.
fn esp_log_writev(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    if passes(h, c.u32(0)?, c.u32(1)?, ctx)? {
        super::stdio::printf_from(h, c.u32(2)?, &mut VaListArgs::from_args(c.args, 3, c.name)?, ctx)?;
    }
    Ok(0)
}

/// `esp_log_level_set(tag, level)`: `"*"` sets the default.
fn esp_log_level_set(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (tag, level) = (c.u32(0)?, c.u32(1)?);
    let tag = ctx.mem.c_str(tag)?.to_vec();
    if tag == b"*" {
        h.log_level = level;
        h.log_tags.clear();
    } else {
        h.log_tags.insert(tag, level);
    }
    Ok(0)
}

fn esp_log_level_get(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let tag = ctx.mem.c_str(c.u32(0)?)?.to_vec();
    Ok(ret_i32(level_for(h, &tag) as i32))
}

/// ESP-IDF's names of the common error codes.
pub(crate) fn err_name(code: i32) -> &'static str {
    match code {
        0 => "ESP_OK",
        -1 => "ESP_FAIL",
        0x101 => "ESP_ERR_NO_MEM",
        0x102 => "ESP_ERR_INVALID_ARG",
        0x103 => "ESP_ERR_INVALID_STATE",
        0x104 => "ESP_ERR_INVALID_SIZE",
        0x105 => "ESP_ERR_NOT_FOUND",
        0x106 => "ESP_ERR_NOT_SUPPORTED",
        0x107 => "ESP_ERR_TIMEOUT",
        0x1101 => "ESP_ERR_NVS_NOT_INITIALIZED",
        0x1102 => "ESP_ERR_NVS_NOT_FOUND",
        0x1103 => "ESP_ERR_NVS_TYPE_MISMATCH",
        0x1104 => "ESP_ERR_NVS_READ_ONLY",
        0x1109 => "ESP_ERR_NVS_KEY_TOO_LONG",
        0x110c => "ESP_ERR_NVS_INVALID_LENGTH",
        _ => "ERROR",
    }
}

/// `esp_err_to_name(code)`: the name, in a string of the module's (one per
/// code, kept).
fn esp_err_to_name(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let name = err_name(c.i32(0)?);
    let key = format!("esp_err_to_name:{name}");
    if let Some(&a) = h.data.get(&key) {
        return Ok(u64::from(a));
    }
    let a = ctx.malloc(name.len() as u32 + 1);
    if a == 0 {
        return Err(Trap::host("esp_err_to_name: no room in the module heap"));
    }
    ctx.mem.slice_mut(a, name.len())?.copy_from_slice(name.as_bytes());
    ctx.mem.slice_mut(a + name.len() as u32, 1)?[0] = 0;
    h.data.insert(key, a);
    Ok(u64::from(a))
}

/// What `ESP_ERROR_CHECK` prints, as ESP-IDF words it.
fn error_check_message(c: &Call<'_>, ctx: &HostCtx<'_>) -> Result<String, Trap> {
    let (rc, file, line, func, expr) = (c.i32(0)?, c.u32(1)?, c.i32(2)?, c.u32(3)?, c.u32(4)?);
    let text = |p: u32| -> Result<String, Trap> {
        Ok(if p == 0 { String::new() } else { String::from_utf8_lossy(ctx.mem.c_str(p)?).into_owned() })
    };
    Ok(format!(
        "ESP_ERROR_CHECK failed: esp_err_t 0x{:x} ({}) at {}:{line}\nfunc: {}\nexpression: {}\n",
        rc as u32,
        err_name(rc),
        text(file)?,
        text(func)?,
        text(expr)?
    ))
}

/// `ESP_ERROR_CHECK` of a failed call: prints what failed and aborts.
fn esp_error_check_failed(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let msg = error_check_message(c, ctx)?;
    h.write_stderr(msg.as_bytes());
    Err(h.abort())
}

fn esp_error_check_failed_without_abort(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let msg = error_check_message(c, ctx)?;
    h.write_stderr(msg.as_bytes());
    Ok(0)
}

/// The next seeded random word (xorshift64*).
pub(crate) fn next_random(state: &mut u64) -> u32 {
    if *state == 0 {
        *state = 0x9E37_79B9_7F4A_7C15;
    }
    let mut x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
}

fn esp_random(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(u64::from(next_random(&mut h.random)))
}

/// `esp_fill_random(buf, len)`.
fn esp_fill_random(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (buf, len) = (c.u32(0)?, c.u32(1)?);
    let bytes = ctx.mem.slice_mut(buf, len as usize)?;
    for chunk in bytes.chunks_mut(4) {
        let r = next_random(&mut h.random).to_le_bytes();
        chunk.copy_from_slice(&r[..chunk.len()]);
    }
    Ok(0)
}

/// The module heap's free bytes (the module's view of "the heap").
fn esp_get_free_heap_size(_: &mut PcHost, _: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let h = &ctx.heap;
    Ok(u64::from((h.end() - h.start()).saturating_sub(h.used())))
}

/// `ESP_RST_POWERON`.
fn esp_reset_reason(_: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_have_esp_idf_s_format() {
        assert_eq!(log_line(3, 1234, "app", "hi", false), "I (1234) app: hi");
        assert_eq!(log_line(1, 5, "app", "bad", true), "\x1b[0;31mE (5) app: bad\x1b[0m");
        assert_eq!(log_line(4, 5, "app", "dbg", true), "D (5) app: dbg", "debug lines have no colour");
    }

    #[test]
    fn random_numbers_repeat_for_a_seed() {
        let (mut a, mut b) = (7, 7);
        let x: Vec<u32> = (0..4).map(|_| next_random(&mut a)).collect();
        let y: Vec<u32> = (0..4).map(|_| next_random(&mut b)).collect();
        assert_eq!(x, y);
        assert_ne!(x[0], x[1]);
    }
}
