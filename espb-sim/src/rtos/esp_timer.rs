//! ESP-IDF's esp_timer (esp_timer.h): one-shot and periodic timers in
//! microseconds, whose callbacks run on the "esp_timer" task (priority 22,
//! as ESP-IDF's), started with the first timer. A timer created with
//! `ESP_TIMER_ISR` dispatch calls its callback in (simulated) interrupt
//! context, where the runtime defers it to a task. A periodic timer is due
//! every period after its start, without drift.

use super::{ESP_ERR_INVALID_ARG, ESP_ERR_INVALID_STATE, ESP_OK, name_at};
use crate::kernel::{Kernel, Service, World};
use crate::{Call, Native, PcHost, n, ret_i32, t};
use espb_runtime::{HostCtx, Trap};

pub(crate) const NATIVES: &[Native] = &[
    t("esp_timer_create", create),
    n("esp_timer_start_once", start_once),
    n("esp_timer_start_periodic", start_periodic),
    n("esp_timer_restart", restart),
    n("esp_timer_stop", stop),
    t("esp_timer_delete", delete),
    n("esp_timer_is_active", is_active),
    n("esp_timer_get_next_alarm", next_alarm),
    n("esp_timer_get_next_alarm_for_wake_up", next_alarm),
    n("esp_timer_get_period", get_period),
    n("esp_timer_get_expiry_time", get_expiry),
];

/// `ESP_TIMER_ISR`.
const DISPATCH_ISR: u32 = 1;

pub(crate) struct EspTimer {
    callback: u32,
    arg: u32,
    isr: bool,
    name: String,
    /// 0: one-shot.
    period: u64,
    /// When it fires next (µs since boot); `None`: stopped.
    alarm: Option<u64>,
    order: u64,
}

fn next_due(w: &World) -> Option<(u64, u64, u32)> {
    w.rtos.esp_timers.iter().filter_map(|(&h, t)| t.alarm.map(|a| (a, t.order, h))).min()
}

fn retime(w: &mut World) {
    let at = next_due(w).map(|d| d.0);
    w.retime_service(Service::EspTimers, at);
}

/// The esp_timer task: calls the callbacks of timers as they come due.
pub(crate) fn service(k: &'static Kernel) {
    let next = |w: &mut World| {
        let Some((alarm, _, h)) = next_due(w) else { return (None, None) };
        if alarm > w.now {
            return (None, Some(alarm));
        }
        let order = w.rtos.next_seq();
        let Some(t) = w.rtos.esp_timers.get_mut(&h) else { return (None, None) };
        t.alarm = (t.period > 0).then(|| alarm + t.period);
        t.order = order;
        (Some((t.callback, t.arg, t.isr, t.name.clone())), None)
    };
    while let Ok((callback, arg, isr, name)) = k.wait_service(Service::EspTimers, next) {
        let what = format!("esp_timer `{name}` callback");
        if isr {
            Kernel::set_in_isr(true);
            super::callback(k, &what, callback, &[u64::from(arg)]);
            Kernel::set_in_isr(false);
        } else {
            super::callback(k, &what, callback, &[u64::from(arg)]);
        }
    }
}

/// `esp_timer_create(const esp_timer_create_args_t *args, *out_handle)`:
/// the arguments are `{ callback, arg, dispatch_method, name,
/// skip_unhandled_events }` (ilp32 words).
fn create(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (args, out) = (c.u32(0)?, c.u32(1)?);
    if args == 0 || out == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    let word = |i: u32| ctx.mem.read_u32(args + 4 * i);
    let (callback, arg, dispatch, name) = (word(0)?, word(1)?, word(2)?, word(3)?);
    if callback == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    let name = name_at(ctx.mem, name, 64)?;
    let k = h.k;
    k.service(Service::EspTimers);
    if dispatch == DISPATCH_ISR {
        k.service(Service::Isr);
    }
    let t = {
        let mut w = k.lock();
        let t = w.handle();
        let isr = dispatch == DISPATCH_ISR;
        w.rtos.esp_timers.insert(t, EspTimer { callback, arg, isr, name, period: 0, alarm: None, order: 0 });
        t
    };
    ctx.mem.write_u32(out, t)?;
    Ok(ESP_OK)
}

/// Runs `f` on the timer of argument 0; `ESP_ERR_INVALID_ARG` for an
/// unknown handle (ESP-IDF would crash).
fn with_timer(h: &PcHost, c: &Call<'_>, f: impl FnOnce(&mut EspTimer, u64, u64) -> u64) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let now = w.sync_clock();
    let order = w.rtos.next_seq();
    let Some(t) = w.rtos.esp_timers.get_mut(&c.u32(0)?) else {
        return Err(Trap::host(format!("{}: {:#x} is not an esp_timer (deleted?)", c.name, c.u32(0)?)));
    };
    let r = f(t, now, order);
    retime(&mut w);
    Ok(r)
}

/// Arms a stopped timer: first alarm after `first` µs, then every `period`.
fn start(h: &PcHost, c: &Call<'_>, first: u64, period: u64) -> Result<u64, Trap> {
    with_timer(h, c, |t, now, order| {
        if t.alarm.is_some() {
            return ESP_ERR_INVALID_STATE;
        }
        t.alarm = Some(now + first);
        t.period = period;
        t.order = order;
        ESP_OK
    })
}

fn start_once(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let us = c.i64(1)? as u64;
    start(h, c, us, 0)
}

fn start_periodic(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let us = c.i64(1)? as u64;
    if us == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    start(h, c, us, us)
}

/// `esp_timer_restart(timer, timeout)`: a running timer starts over (a
/// periodic one with the new period).
fn restart(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let us = c.i64(1)? as u64;
    with_timer(h, c, |t, now, order| {
        if t.alarm.is_none() {
            return ESP_ERR_INVALID_STATE;
        }
        t.alarm = Some(now + us);
        if t.period > 0 {
            t.period = us;
        }
        t.order = order;
        ESP_OK
    })
}

fn stop(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    with_timer(h, c, |t, _, _| if t.alarm.take().is_some() { ESP_OK } else { ESP_ERR_INVALID_STATE })
}

/// `esp_timer_delete(timer)`: only a stopped timer.
fn delete(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let active = with_timer(h, c, |t, _, _| u64::from(t.alarm.is_some()))?;
    if active != 0 {
        return Ok(ESP_ERR_INVALID_STATE);
    }
    remove(h.k, c.u32(0)?);
    Ok(ESP_OK)
}

/// Unload: the timer is stopped and deleted.
pub(crate) fn remove(k: &Kernel, t: u32) {
    let mut w = k.lock();
    w.rtos.esp_timers.remove(&t);
    retime(&mut w);
}

fn is_active(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    with_timer(h, c, |t, _, _| u64::from(t.alarm.is_some()))
}

/// The next alarm of any timer (µs), or `INT64_MAX` without one.
fn next_alarm(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(next_due(&h.k.lock()).map_or(i64::MAX as u64, |d| d.0))
}

/// `esp_timer_get_period(timer, *period)`.
fn get_period(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let period = with_timer(h, c, |t, _, _| t.period)?;
    write_u64(ctx, c.u32(1)?, period)
}

/// `esp_timer_get_expiry_time(timer, *expiry)`: one-shot timers only.
fn get_expiry(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (periodic, alarm) = {
        let mut w = h.k.lock();
        let t = w.rtos.esp_timers.get_mut(&c.u32(0)?);
        t.map_or((false, 0), |t| (t.period > 0, t.alarm.unwrap_or(0)))
    };
    if periodic {
        return Ok(ret_i32(0x106));
    }
    write_u64(ctx, c.u32(1)?, alarm)
}

fn write_u64(ctx: &mut HostCtx<'_>, p: u32, v: u64) -> Result<u64, Trap> {
    if p == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    ctx.mem.slice_mut(p, 8)?.copy_from_slice(&v.to_le_bytes());
    Ok(ESP_OK)
}
