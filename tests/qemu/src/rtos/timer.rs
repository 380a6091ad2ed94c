//! FreeRTOS software timers (freertos/timers.h) and the timer service task
//! ("Tmr Svc") that calls their callbacks. Commands take effect when they
//! are issued (FreeRTOS queues them to the service task, which at its
//! default priority handles them before any timer of the caller's could
//! expire: the same observable order), with tmrCOMMAND_* numbered as in
//! ESP-IDF's FreeRTOS.

use super::sched::{Dir, Kernel, TaskHandle, Wait, kernel, live, reached};
use super::*;
use alloc::boxed::Box;
use core::ffi::{c_char, c_void};

pub type TimerCallback = unsafe extern "C" fn(TimerHandle);

const START_DONT_TRACE: BaseType = 0;
const START: BaseType = 1;
const RESET: BaseType = 2;
const STOP: BaseType = 3;
const CHANGE_PERIOD: BaseType = 4;
const DELETE: BaseType = 5;
const START_FROM_ISR: BaseType = 6;
const RESET_FROM_ISR: BaseType = 7;
const STOP_FROM_ISR: BaseType = 8;
const CHANGE_PERIOD_FROM_ISR: BaseType = 9;

/// The event the service task waits for (a timer was started, stopped...).
const SERVICE_EVENT: usize = 1;

pub struct Timer {
    name: *const c_char,
    period: TickType,
    auto_reload: bool,
    id: *mut c_void,
    callback: TimerCallback,
    active: bool,
    expiry: TickType,
    /// Arming order: timers expiring on the same tick run in it.
    seq: u64,
}

pub type TimerHandle = *mut Timer;

pub type PendedFunction = unsafe extern "C" fn(*mut c_void, u32);

/// A call xTimerPendFunctionCall asked the service task to make.
pub struct Pended {
    function: PendedFunction,
    param1: *mut c_void,
    param2: u32,
}

fn timer<'a>(k: &Kernel, t: TimerHandle, what: &str) -> &'a mut Timer {
    // SAFETY: a live timer (checked) is only reached under the kernel.
    unsafe { &mut *live(&k.timers, t, what) }
}

fn arm(k: &mut Kernel, t: TimerHandle, expiry: TickType) {
    let seq = k.next_seq();
    let tm = timer(k, t, "xTimerGenericCommand");
    tm.active = true;
    tm.expiry = expiry;
    tm.seq = seq;
}

enum Work {
    Pended(Pended),
    Timer(TimerCallback, TimerHandle),
}

/// The timer service task: makes the pended function calls in order, then
/// calls the callback of each timer whose expiry tick came (earliest
/// first, then in arming order), reloading auto-reload timers by their
/// period (a late one catches up, once per period), and sleeps until the
/// next expiry, command or pended call.
pub extern "C" fn service_task(_: *mut c_void) {
    loop {
        let work = kernel(|k| {
            if let Some(p) = k.pended.pop_front() {
                return Some(Work::Pended(p));
            }
            let now = k.tick;
            let next = k.timers.iter().copied().filter(|&t| timer(k, t, "timer service").active).min_by_key(|&t| {
                let tm = timer(k, t, "timer service");
                (tm.expiry.wrapping_sub(now) as i32, tm.seq)
            });
            match next {
                Some(t) if reached(now, timer(k, t, "timer service").expiry) => {
                    let tm = timer(k, t, "timer service");
                    if tm.auto_reload {
                        let at = tm.expiry.wrapping_add(tm.period);
                        arm(k, t, at);
                    } else {
                        tm.active = false;
                    }
                    Some(Work::Timer(timer(k, t, "timer service").callback, t))
                }
                next => {
                    let wake = next.map(|t| timer(k, t, "timer service").expiry);
                    k.block_current(Some(Wait { obj: SERVICE_EVENT, dir: Dir::Event }), wake);
                    None
                }
            }
        });
        match work {
            // SAFETY: the function and parameters the caller pended.
            Some(Work::Pended(p)) => unsafe { (p.function)(p.param1, p.param2) },
            // SAFETY: the callback the timer was created with, given its handle.
            Some(Work::Timer(callback, t)) => unsafe { callback(t) },
            None => {}
        }
    }
}

fn wake_service(k: &mut Kernel) {
    k.wake_one(SERVICE_EVENT, Dir::Event);
}

/// # Safety
/// `name` must be NULL or a NUL-terminated string that outlives the timer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xTimerCreate(
    name: *const c_char,
    period: TickType,
    auto_reload: BaseType,
    id: *mut c_void,
    callback: Option<TimerCallback>,
) -> TimerHandle {
    let Some(callback) = callback.filter(|_| period > 0) else {
        return core::ptr::null_mut();
    };
    let t = Box::into_raw(Box::new(Timer {
        name,
        period,
        auto_reload: auto_reload != PD_FALSE,
        id,
        callback,
        active: false,
        expiry: 0,
        seq: 0,
    }));
    kernel(|k| k.timers.push(t));
    t
}

/// The timer commands behind xTimerStart/Stop/Reset/ChangePeriod/Delete and
/// their FromISR forms; `value` is the tick of the call (start, reset) or
/// the new period. Never blocks, so `ticks` is not used.
///
/// # Safety
/// `t` must be a live timer; `woken` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xTimerGenericCommand(
    t: TimerHandle,
    command: BaseType,
    value: TickType,
    woken: *mut BaseType,
    _ticks: TickType,
) -> BaseType {
    kernel(|k| {
        let tm = timer(k, t, "xTimerGenericCommand");
        match command {
            START_DONT_TRACE | START | RESET | START_FROM_ISR | RESET_FROM_ISR => {
                let at = value.wrapping_add(tm.period);
                arm(k, t, at);
            }
            STOP | STOP_FROM_ISR => tm.active = false,
            CHANGE_PERIOD | CHANGE_PERIOD_FROM_ISR if value > 0 => {
                tm.period = value;
                let at = k.tick.wrapping_add(value);
                arm(k, t, at);
            }
            DELETE => {
                k.timers.retain(|&x| x != t);
                // SAFETY: it left the list: the last reference (a callback
                // deleting its own timer does not touch it afterwards).
                drop(unsafe { Box::from_raw(t) });
            }
            _ => return PD_FAIL,
        }
        wake_service(k);
        if command >= START_FROM_ISR {
            k.report_woken(woken);
        }
        PD_PASS
    })
}

/// # Safety
/// `t` must be a live timer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvTimerGetTimerID(t: TimerHandle) -> *mut c_void {
    kernel(|k| timer(k, t, "pvTimerGetTimerID").id)
}

/// # Safety
/// `t` must be a live timer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pcTimerGetName(t: TimerHandle) -> *const c_char {
    kernel(|k| timer(k, t, "pcTimerGetName").name)
}

/// # Safety
/// `t` must be a live timer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xTimerIsTimerActive(t: TimerHandle) -> BaseType {
    kernel(|k| BaseType::from(timer(k, t, "xTimerIsTimerActive").active))
}

#[unsafe(no_mangle)]
pub extern "C" fn xTimerGetTimerDaemonTaskHandle() -> TaskHandle {
    kernel(|k| k.timer_task)
}

/// Has the timer service task call `function(param1, param2)`, after the
/// calls pended before; never blocks (the list has no length limit), so
/// `ticks` is not used.
#[unsafe(no_mangle)]
pub extern "C" fn xTimerPendFunctionCall(
    function: Option<PendedFunction>,
    param1: *mut c_void,
    param2: u32,
    _ticks: TickType,
) -> BaseType {
    pend(function, param1, param2, core::ptr::null_mut())
}

/// As [`xTimerPendFunctionCall`]; `woken` says whether the service task
/// outranks the caller.
///
/// # Safety
/// `woken` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xTimerPendFunctionCallFromISR(
    function: Option<PendedFunction>,
    param1: *mut c_void,
    param2: u32,
    woken: *mut BaseType,
) -> BaseType {
    pend(function, param1, param2, woken)
}

fn pend(function: Option<PendedFunction>, param1: *mut c_void, param2: u32, woken: *mut BaseType) -> BaseType {
    let Some(function) = function else {
        return PD_FAIL;
    };
    kernel(|k| {
        k.pended.push_back(Pended { function, param1, param2 });
        wake_service(k);
        if !woken.is_null() {
            k.report_woken(woken);
        }
        PD_PASS
    })
}
