//! ESP-IDF and FreeRTOS basics: time, delays, logging, restart.
//!
//! Time: one FreeRTOS tick is [`PcHost::set_tick_period_ms`] milliseconds
//! (default 10, ESP-IDF's `CONFIG_FREERTOS_HZ=100`), so a module built with
//! `pdMS_TO_TICKS(500)` waits 500 ms. With virtual time
//! ([`PcHost::set_virtual_time`]) delays advance the clock without sleeping.
//! Logging: `esp_log_write` prints its message to stdout (as the UART
//! console would) when its level passes the runtime level: default INFO,
//! changed with `esp_log_level_set`.

use super::{Call, Native, PcHost, n, ret_i32};
use espb_runtime::{HostCtx, Trap};

pub(crate) const NATIVES: &[Native] = &[
    n("esp_log_timestamp", esp_log_timestamp),
    n("esp_log_early_timestamp", esp_log_timestamp),
    n("esp_timer_get_time", esp_timer_get_time),
    n("vTaskDelay", v_task_delay),
    n("xTaskGetTickCount", x_task_get_tick_count),
    n("esp_rom_delay_us", esp_rom_delay_us),
    n("esp_restart", esp_restart),
    n("esp_log_write", esp_log_write),
    n("esp_log_level_set", esp_log_level_set),
    n("esp_log_level_get", esp_log_level_get),
];

fn esp_log_timestamp(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok((h.now_us() / 1000) as u32 as u64)
}

/// Microseconds since start, as `int64_t`.
fn esp_timer_get_time(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(h.now_us())
}

fn v_task_delay(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    // portMAX_DELAY and friends: saturate rather than overflow.
    let us = (c.u32(0)? as u64).saturating_mul(h.tick_ms() as u64 * 1000);
    h.delay_us(us);
    Ok(0)
}

fn x_task_get_tick_count(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok((h.now_us() / 1000 / h.tick_ms() as u64) as u32 as u64)
}

fn esp_rom_delay_us(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    h.delay_us(c.u32(0)? as u64);
    Ok(0)
}

/// The firmware would reboot; the simulated program ends with `exit(0)`.
fn esp_restart(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Err(h.exit(0))
}

/// The runtime log level for `tag`.
fn level_for(h: &PcHost, tag: &[u8]) -> u32 {
    h.log_tags.get(tag).copied().unwrap_or(h.log_level)
}

/// `esp_log_write(level, tag, format, ...)`.
fn esp_log_write(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (level, tag, fmt) = (c.u32(0)?, c.u32(1)?, c.u32(2)?);
    let tag = if tag == 0 { Vec::new() } else { ctx.mem.c_str(tag)?.to_vec() };
    if level == 0 || level > level_for(h, &tag) {
        return Ok(0);
    }
    super::stdio::printf_from(h, fmt, &mut c.varargs(3), ctx)?;
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
