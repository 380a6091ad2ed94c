//! FreeRTOS software timers (timers.h): the callbacks run on the timer
//! service task ("Tmr Svc", priority 1, ESP-IDF's default), started with
//! the first timer. Timers count in ticks: `xTimerStart(t, ...)` at tick
//! `n` fires at tick `n + period`, an auto-reload timer every period after
//! that (from when it was due, so it never drifts).

use super::{PD_FAIL, PD_PASS, alloc_str, name_at};
use crate::kernel::{Kernel, Service, World};
use crate::{Call, Native, PcHost, n, t};
use espb_runtime::{HostCtx, Trap};

pub(crate) const NATIVES: &[Native] = &[
    t("xTimerCreate", create),
    t("xTimerCreateStatic", create),
    t("xTimerGenericCommand", command),
    t("xTimerGenericCommandFromTask", command),
    t("xTimerGenericCommandFromISR", command),
    n("pvTimerGetTimerID", get_id),
    n("vTimerSetTimerID", set_id),
    n("xTimerIsTimerActive", is_active),
    n("pcTimerGetName", get_name),
    n("xTimerGetPeriod", get_period),
    n("xTimerGetExpiryTime", get_expiry),
    n("vTimerSetReloadMode", set_reload),
    n("uxTimerGetReloadMode", get_reload),
    n("xTimerGetTimerDaemonTaskHandle", daemon),
    n("xTimerPendFunctionCall", pend),
    n("xTimerPendFunctionCallFromISR", pend),
];

/// `tmrCOMMAND_*`.
const START_DONT_TRACE: i32 = 0;
const START: i32 = 1;
const RESET: i32 = 2;
const STOP: i32 = 3;
const CHANGE_PERIOD: i32 = 4;
const DELETE: i32 = 5;
const FIRST_FROM_ISR: i32 = 6;

pub(crate) struct Timer {
    name: String,
    /// Ticks.
    period: u32,
    auto_reload: bool,
    id: u32,
    callback: u32,
    /// When it fires next (µs since boot); `None`: dormant.
    expiry: Option<u64>,
    /// Arming order, for timers due at the same time.
    order: u64,
    name_addr: u32,
}

/// The next timer due: (expiry, order, handle).
fn next_due(w: &World) -> Option<(u64, u64, u32)> {
    w.rtos.timers.iter().filter_map(|(&h, t)| t.expiry.map(|e| (e, t.order, h))).min()
}

/// Tells the service task when the next timer is due.
fn retime(w: &mut World) {
    let at = next_due(w).map(|d| d.0);
    let pending = !w.rtos.pended.is_empty();
    w.retime_service(Service::Timers, if pending { Some(0) } else { at });
}

/// What the service task does next.
enum Job {
    Fire { timer: u32, callback: u32 },
    Pended { f: u32, a: u32, b: u32 },
}

/// The timer service task: runs pended calls and the callbacks of timers
/// as they come due.
pub(crate) fn service(k: &'static Kernel) {
    let next = |w: &mut World| {
        if let Some((f, a, b)) = w.rtos.pended.pop_front() {
            return (Some(Job::Pended { f, a, b }), None);
        }
        let Some((expiry, _, h)) = next_due(w) else { return (None, None) };
        if expiry > w.now {
            return (None, Some(expiry));
        }
        let tick_us = w.tick_us;
        let order = w.rtos.next_seq();
        let Some(t) = w.rtos.timers.get_mut(&h) else { return (None, None) };
        t.expiry = t.auto_reload.then(|| expiry.saturating_add(u64::from(t.period).saturating_mul(tick_us)));
        t.order = order;
        (Some(Job::Fire { timer: h, callback: t.callback }), None)
    };
    while let Ok(job) = k.wait_service(Service::Timers, next) {
        match job {
            Job::Fire { timer, callback } => super::callback(k, "timer callback", callback, &[u64::from(timer)]),
            Job::Pended { f, a, b } => super::callback(k, "xTimerPendFunctionCall", f, &[u64::from(a), u64::from(b)]),
        }
    }
}

/// `xTimerCreate(name, period, auto_reload, id, callback)`: NULL for a
/// period of 0 (FreeRTOS asserts).
fn create(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let name = name_at(ctx.mem, c.u32(0)?, 64)?;
    let (period, auto_reload, id, callback) = (c.u32(1)?, c.u32(2)? != 0, c.u32(3)?, c.u32(4)?);
    if period == 0 {
        return Ok(0);
    }
    h.k.service(Service::Timers);
    let mut w = h.k.lock();
    let t = w.handle();
    w.rtos.timers.insert(t, Timer { name, period, auto_reload, id, callback, expiry: None, order: 0, name_addr: 0 });
    Ok(u64::from(t))
}

fn timer_mut<'w>(w: &'w mut World, c: &Call<'_>) -> Result<&'w mut Timer, Trap> {
    let t = c.u32(0)?;
    w.rtos.timers.get_mut(&t).ok_or_else(|| {
        Trap::host(format!("{}: {t:#x} is not a software timer (deleted, or another kind of handle)", c.name))
    })
}

/// `xTimerGenericCommand(timer, command, value, *woken, ticks)`: the
/// command takes effect at once (the timer queue never fills here).
fn command(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (cmd, value) = (c.i32(1)?, c.u32(2)?);
    let mut w = h.k.lock();
    w.sync_clock();
    let (tick_us, now_tick) = (w.tick_us, w.ticks());
    let base = w.tick_time(value);
    let order = w.rtos.next_seq();
    let timer = timer_mut(&mut w, c)?;
    let cmd = if cmd >= FIRST_FROM_ISR { cmd - FIRST_FROM_ISR + START } else { cmd };
    match cmd {
        START_DONT_TRACE | START | RESET => {
            timer.expiry = Some(base.saturating_add(u64::from(timer.period).saturating_mul(tick_us)));
            timer.order = order;
        }
        STOP => timer.expiry = None,
        CHANGE_PERIOD => {
            if value == 0 {
                return Ok(PD_FAIL);
            }
            timer.period = value;
            timer.expiry = Some((u64::from(now_tick) + u64::from(value)).saturating_mul(tick_us));
            timer.order = order;
        }
        DELETE => {
            let t = c.u32(0)?;
            w.rtos.timers.remove(&t);
        }
        _ => {}
    }
    retime(&mut w);
    Ok(PD_PASS)
}

/// Unload: the timer is stopped and deleted.
pub(crate) fn remove(k: &Kernel, t: u32) {
    let mut w = k.lock();
    w.rtos.timers.remove(&t);
    retime(&mut w);
}

fn get_id(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(u64::from(timer_mut(&mut h.k.lock(), c)?.id))
}

fn set_id(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    timer_mut(&mut h.k.lock(), c)?.id = c.u32(1)?;
    Ok(0)
}

fn is_active(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(u64::from(timer_mut(&mut h.k.lock(), c)?.expiry.is_some()))
}

/// `pcTimerGetName(timer)`: a copy in module memory, made once.
fn get_name(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (addr, name) = {
        let mut w = h.k.lock();
        let t = timer_mut(&mut w, c)?;
        (t.name_addr, t.name.clone())
    };
    if addr != 0 {
        return Ok(u64::from(addr));
    }
    let p = alloc_str(ctx, &name)?;
    timer_mut(&mut h.k.lock(), c)?.name_addr = p;
    Ok(u64::from(p))
}

fn get_period(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(u64::from(timer_mut(&mut h.k.lock(), c)?.period))
}

/// The tick the timer fires at next (0 when dormant).
fn get_expiry(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let tick_us = w.tick_us;
    Ok(timer_mut(&mut w, c)?.expiry.map_or(0, |e| (e / tick_us) as u32 as u64))
}

fn set_reload(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    timer_mut(&mut h.k.lock(), c)?.auto_reload = c.u32(1)? != 0;
    Ok(0)
}

fn get_reload(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(u64::from(timer_mut(&mut h.k.lock(), c)?.auto_reload))
}

fn daemon(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(h.k.service(Service::Timers) as u64)
}

/// `xTimerPendFunctionCall(f, arg1, arg2, ticks)`: the service task calls
/// `f(arg1, arg2)`.
fn pend(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (f, a, b) = (c.u32(0)?, c.u32(1)?, c.u32(2)?);
    if !h.k.pool.is_thunk(f) {
        h.sim_log(
            1,
            &format!("{}: {f:#x} is not a function of the module: the simulator calls module functions only", c.name),
        );
        return Ok(PD_FAIL);
    }
    h.k.service(Service::Timers);
    let mut w = h.k.lock();
    w.rtos.pended.push_back((f, a, b));
    retime(&mut w);
    Ok(PD_PASS)
}
