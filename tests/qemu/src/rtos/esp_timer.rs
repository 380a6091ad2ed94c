//! esp_timer (esp_timer.h): one-shot and periodic timers with microsecond
//! resolution, whose callbacks the "esp_timer" task calls (dispatch method
//! ESP_TIMER_TASK), or the timer interrupt itself (ESP_TIMER_ISR, as with
//! ESP-IDF's CONFIG_ESP_TIMER_SUPPORTS_ISR_DISPATCH_METHOD: such a callback
//! may only call FromISR functions; xPortInIsrContext() is 1 there).
//! The alarms share the CLINT's `mtimecmp` with the tick. Return codes and
//! the armed/not-armed rules are ESP-IDF's.

use super::sched::{Dir, Kernel, Wait, kernel, live};
use super::*;
use alloc::boxed::Box;
use core::ffi::{c_char, c_void};

pub type EspErr = i32;
pub const ESP_OK: EspErr = 0;
pub const ESP_ERR_INVALID_ARG: EspErr = 0x102;
pub const ESP_ERR_INVALID_STATE: EspErr = 0x103;
const ESP_TIMER_TASK: u32 = 0;
const ESP_TIMER_ISR: u32 = 1;

pub type EspTimerCallback = unsafe extern "C" fn(*mut c_void);

/// esp_timer_create_args_t, laid out as ESP-IDF's.
#[repr(C)]
pub struct EspTimerCreateArgs {
    pub callback: Option<EspTimerCallback>,
    pub arg: *mut c_void,
    /// esp_timer_dispatch_t: 0 = ESP_TIMER_TASK, 1 = ESP_TIMER_ISR.
    pub dispatch_method: u32,
    pub name: *const c_char,
    pub skip_unhandled_events: bool,
}

pub struct EspTimer {
    callback: EspTimerCallback,
    arg: *mut c_void,
    skip_unhandled_events: bool,
    /// The next alarm in µs since boot; None when not armed.
    alarm: Option<u64>,
    /// 0 for a one-shot timer.
    period: u64,
    /// Dispatched by the timer interrupt, not the esp_timer task.
    isr: bool,
    /// Arming order: alarms at the same µs fire in it.
    seq: u64,
}

pub type EspTimerHandle = *mut EspTimer;

const DISPATCH_EVENT: usize = 2;
const MTIME_PER_US: u64 = port::MTIME_HZ / 1_000_000;

fn now_us() -> u64 {
    port::mtime() / MTIME_PER_US
}

fn esp_timer<'a>(k: &Kernel, t: EspTimerHandle, what: &str) -> &'a mut EspTimer {
    // SAFETY: a live timer (checked) is only reached under the kernel.
    unsafe { &mut *live(&k.esp_timers, t, what) }
}

/// The armed timer of dispatch kind `isr` that fires first.
fn first(k: &Kernel, isr: bool) -> Option<EspTimerHandle> {
    k.esp_timers
        .iter()
        .copied()
        .filter(|&t| {
            let tm = esp_timer(k, t, "esp_timer");
            tm.alarm.is_some() && tm.isr == isr
        })
        .min_by_key(|&t| {
            let tm = esp_timer(k, t, "esp_timer");
            (tm.alarm, tm.seq)
        })
}

fn first_alarm(k: &Kernel, isr: bool) -> Option<u64> {
    first(k, isr).and_then(|t| esp_timer(k, t, "esp_timer").alarm)
}

/// When the timer interrupt must come for the next alarm (mtime units).
/// Task-dispatched alarms count only while the dispatch task waits (once
/// woken it handles every due alarm before waiting again, so a due alarm
/// must not keep interrupting).
pub fn next_alarm_mtime(k: &Kernel) -> Option<u64> {
    let task = first_alarm(k, false).filter(|_| k.waits_for_event(k.esp_timer_task));
    [task, first_alarm(k, true)].into_iter().flatten().min().map(|us| us * MTIME_PER_US)
}

/// From the timer interrupt: wakes the dispatch task when one of its
/// alarms is due.
pub fn on_interrupt(k: &mut Kernel) {
    let due = first_alarm(k, false).is_some_and(|us| us <= now_us());
    if due && k.waits_for_event(k.esp_timer_task) {
        k.wake_one(DISPATCH_EVENT, Dir::Event);
    }
}

/// Takes the first due timer of kind `isr`: re-arms a periodic one one
/// period after its alarm (or after now, when `skip_unhandled_events` is set
/// and more than one period was missed), disarms a one-shot one, and
/// returns its callback and argument, so the callback may stop or delete it.
fn take_due(k: &mut Kernel, isr: bool) -> Option<(EspTimerCallback, *mut c_void)> {
    let now = now_us();
    let t = first(k, isr).filter(|&t| esp_timer(k, t, "esp_timer").alarm.is_some_and(|a| a <= now))?;
    let seq = k.next_seq();
    let tm = esp_timer(k, t, "esp_timer");
    let alarm = tm.alarm.unwrap_or(now);
    tm.alarm = (tm.period > 0).then(|| {
        let missed = (now - alarm) / tm.period;
        if tm.skip_unhandled_events && missed > 1 { now + tm.period } else { alarm + tm.period }
    });
    tm.seq = seq;
    Some((tm.callback, tm.arg))
}

/// The esp_timer task: calls the callbacks of the due task-dispatched
/// timers, earliest alarm first, then waits for the next alarm.
pub extern "C" fn dispatch_task(_: *mut c_void) {
    loop {
        let due = kernel(|k| {
            let due = take_due(k, false);
            if due.is_none() {
                k.block_current(Some(Wait { obj: DISPATCH_EVENT, dir: Dir::Event }), None);
                k.program_timer();
            }
            due
        });
        if let Some((callback, arg)) = due {
            // SAFETY: the callback and argument the timer was created with.
            unsafe { callback(arg) };
        }
    }
}

/// From the timer interrupt (no kernel borrow live): calls the callbacks
/// of the due ISR-dispatched timers, earliest first.
pub fn dispatch_in_isr() {
    while let Some((callback, arg)) = kernel(|k| take_due(k, true)) {
        // SAFETY: the callback and argument the timer was created with.
        unsafe { callback(arg) };
    }
}

/// # Safety
/// `args` must be NULL or valid; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn esp_timer_create(args: *const EspTimerCreateArgs, out: *mut EspTimerHandle) -> EspErr {
    // SAFETY: caller's contract.
    let Some(args) = (unsafe { args.as_ref() }) else {
        return ESP_ERR_INVALID_ARG;
    };
    let (Some(callback), ESP_TIMER_TASK | ESP_TIMER_ISR, false) = (args.callback, args.dispatch_method, out.is_null())
    else {
        return ESP_ERR_INVALID_ARG;
    };
    let t = Box::into_raw(Box::new(EspTimer {
        callback,
        arg: args.arg,
        skip_unhandled_events: args.skip_unhandled_events,
        alarm: None,
        period: 0,
        isr: args.dispatch_method == ESP_TIMER_ISR,
        seq: 0,
    }));
    kernel(|k| k.esp_timers.push(t));
    // SAFETY: caller's contract.
    unsafe { out.write(t) };
    ESP_OK
}

fn start(t: EspTimerHandle, after_us: u64, period: u64, what: &str) -> EspErr {
    if t.is_null() {
        return ESP_ERR_INVALID_ARG;
    }
    kernel(|k| {
        let seq = k.next_seq();
        let tm = esp_timer(k, t, what);
        if tm.alarm.is_some() {
            return ESP_ERR_INVALID_STATE;
        }
        tm.alarm = Some(now_us() + after_us);
        tm.period = period;
        tm.seq = seq;
        k.program_timer();
        ESP_OK
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn esp_timer_start_once(t: EspTimerHandle, timeout_us: u64) -> EspErr {
    start(t, timeout_us, 0, "esp_timer_start_once")
}

/// Periods below ESP-IDF's minimum (50 µs on the RISC-V chips) are raised to it.
#[unsafe(no_mangle)]
pub extern "C" fn esp_timer_start_periodic(t: EspTimerHandle, period_us: u64) -> EspErr {
    let period = period_us.max(50);
    start(t, period, period, "esp_timer_start_periodic")
}

#[unsafe(no_mangle)]
pub extern "C" fn esp_timer_stop(t: EspTimerHandle) -> EspErr {
    if t.is_null() {
        return ESP_ERR_INVALID_ARG;
    }
    kernel(|k| {
        let tm = esp_timer(k, t, "esp_timer_stop");
        if tm.alarm.take().is_none() {
            return ESP_ERR_INVALID_STATE;
        }
        k.program_timer();
        ESP_OK
    })
}

/// Refused while armed (stop it first), as in ESP-IDF.
#[unsafe(no_mangle)]
pub extern "C" fn esp_timer_delete(t: EspTimerHandle) -> EspErr {
    if t.is_null() {
        return ESP_ERR_INVALID_ARG;
    }
    kernel(|k| {
        if esp_timer(k, t, "esp_timer_delete").alarm.is_some() {
            return ESP_ERR_INVALID_STATE;
        }
        k.esp_timers.retain(|&x| x != t);
        // SAFETY: it left the list: the last reference (the dispatch task
        // copied callback and argument before calling).
        drop(unsafe { Box::from_raw(t) });
        ESP_OK
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn esp_timer_is_active(t: EspTimerHandle) -> bool {
    kernel(|k| esp_timer(k, t, "esp_timer_is_active").alarm.is_some())
}

/// Microseconds since boot.
#[unsafe(no_mangle)]
pub extern "C" fn esp_timer_get_time() -> i64 {
    now_us() as i64
}
