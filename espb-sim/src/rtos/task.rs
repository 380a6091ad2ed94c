//! FreeRTOS tasks (task.h): creation, deletion, delays, priorities,
//! suspension and task notifications.
//!
//! A module task is a kernel task whose body calls the module function
//! through the thunk pool (`pool.call(fn, [arg])`), so it runs on its own
//! execution context under the app's lock, as on a device. The task's
//! stack depth is not used: the runtime gives every task a shadow stack of
//! `Config::task_stack_size`. `vTaskDelete(NULL)` never reaches the
//! simulator: the runtime ends the task's run itself.

use super::{PD_FAIL, PD_PASS, halted, name_at, write_out};
use crate::kernel::{Kernel, MAX_PRIO, NOTIFY_ENTRIES, State, TaskId, Wait, Woke};
use crate::{Call, Native, PcHost, n, ret_i32, t};
use espb_runtime::{HostCtx, Trap};

pub(crate) const NATIVES: &[Native] = &[
    t("xTaskCreatePinnedToCore", create),
    t("xTaskCreate", create),
    t("xTaskCreateStaticPinnedToCore", create_static),
    t("xTaskCreateStatic", create_static),
    t("vTaskDelete", delete),
    n("vTaskDelay", delay),
    n("xTaskDelayUntil", delay_until),
    n("usleep", usleep),
    n("xTaskGetTickCount", tick_count),
    n("xTaskGetTickCountFromISR", tick_count),
    n("xTaskGetCurrentTaskHandle", current),
    n("pcTaskGetName", get_name),
    n("pcTaskGetTaskName", get_name),
    n("xTaskGetHandle", get_handle),
    n("xTaskGetIdleTaskHandle", idle_handle),
    n("uxTaskPriorityGet", priority_get),
    n("vTaskPrioritySet", priority_set),
    n("vTaskSuspend", suspend),
    n("vTaskResume", resume),
    n("xTaskResumeFromISR", resume),
    n("xTaskAbortDelay", abort_delay),
    n("eTaskGetState", get_state),
    n("uxTaskGetNumberOfTasks", number_of_tasks),
    n("uxTaskGetStackHighWaterMark", stack_high_water_mark),
    n("vTaskSuspendAll", suspend_all),
    n("xTaskResumeAll", resume_all),
    n("xTaskGetSchedulerState", scheduler_state),
    n("vPortYield", yield_now),
    n("xTaskGenericNotify", notify),
    n("xTaskGenericNotifyFromISR", notify_from_isr),
    n("vTaskGenericNotifyGiveFromISR", notify_give_from_isr),
    n("xTaskGenericNotifyWait", notify_wait),
    n("ulTaskGenericNotifyTake", notify_take),
    n("xTaskGenericNotifyStateClear", notify_state_clear),
    n("ulTaskGenericNotifyValueClear", notify_value_clear),
];

/// `configMAX_TASK_NAME_LEN - 1`.
const MAX_NAME: usize = 15;
/// What `xTaskGetIdleTaskHandle` returns (the idle task is not simulated).
const IDLE_HANDLE: u32 = 0x3FC8_FFC0;
/// `errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY`.
const ERR_NO_MEMORY: i32 = -1;
/// What `uxTaskGetStackHighWaterMark` reports: module tasks run on shadow
/// stacks, so the native figure means nothing; a comfortable constant.
const STACK_HIGH_WATER: u64 = 1024;

/// Starts a module task running `entry(arg)`.
pub(crate) fn spawn_module_task(k: &'static Kernel, name: &str, prio: u32, entry: u32, arg: u32) -> Option<TaskId> {
    let what = format!("task `{name}`");
    k.spawn(name, prio, Box::new(move || super::callback(k, &what, entry, &[u64::from(arg)])))
}

/// `xTaskCreatePinnedToCore(fn, name, stack, param, prio, *handle, core)`.
fn create(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let name = name_at(ctx.mem, c.u32(1)?, MAX_NAME)?;
    match spawn_module_task(h.k, &name, c.u32(4)?, c.u32(0)?, c.u32(3)?) {
        Some(id) => {
            write_out(ctx.mem, c.u32(5)?, id as u32)?;
            Ok(PD_PASS)
        }
        None => Ok(ret_i32(ERR_NO_MEMORY)),
    }
}

/// `xTaskCreateStaticPinnedToCore(fn, name, stack, param, prio, stack_buf,
/// task_buf, core)`: the buffers are not used; the handle is returned.
fn create_static(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let name = name_at(ctx.mem, c.u32(1)?, MAX_NAME)?;
    Ok(spawn_module_task(h.k, &name, c.u32(4)?, c.u32(0)?, c.u32(3)?).map_or(0, |id| id as u64))
}

/// The task a handle names (NULL: the caller), or a trap naming the native.
fn task_arg(h: &PcHost, c: &Call<'_>, i: usize) -> Result<TaskId, Trap> {
    let t = c.u32(i)? as TaskId;
    if t == 0 {
        return Ok(h.k.current());
    }
    if h.k.lock().tasks.contains_key(&t) {
        Ok(t)
    } else {
        Err(Trap::host(format!("{}: {t:#x} is not a task (deleted, or not a task handle)", c.name)))
    }
}

/// `vTaskDelete(task)` of another task (the runtime ends the caller's own run).
fn delete(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = c.u32(0)? as TaskId;
    if t == 0 || t == h.k.current() {
        return Err(Trap::host("vTaskDelete(NULL) outside an app: the calling task cannot end here"));
    }
    if !h.k.delete_task(t) {
        return Err(Trap::host(format!("vTaskDelete: {t:#x} is not a task (deleted already?)")));
    }
    Ok(0)
}

/// Sleeps `ticks` FreeRTOS ticks (`portMAX_DELAY` too is a number of
/// ticks here, as in `vTaskDelay`); 0 yields.
pub(crate) fn sleep_ticks(k: &Kernel, ticks: u32) -> Result<(), Trap> {
    if ticks == 0 {
        k.yield_now(false);
        return Ok(());
    }
    let at = {
        let mut w = k.lock();
        w.sync_clock();
        w.after_ticks(ticks)
    };
    k.sleep_until(at).map_err(halted)
}

fn delay(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (k, ticks) = (h.k, c.u32(0)?);
    ctx.block(|| sleep_ticks(k, ticks))?;
    Ok(0)
}

/// `xTaskDelayUntil(*previous_wake, increment)`: wakes at `*previous_wake +
/// increment` ticks and moves `*previous_wake` there; pdFALSE when that
/// time had passed already (no delay).
fn delay_until(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (prev, inc) = (c.u32(0)?, c.u32(1)?);
    let target = ctx.mem.read_u32(prev)?.wrapping_add(inc);
    ctx.mem.write_u32(prev, target)?;
    let k = h.k;
    let at = {
        let mut w = k.lock();
        w.sync_clock();
        let at = w.tick_time(target);
        (at > w.now).then_some(at)
    };
    match at {
        Some(at) => {
            ctx.block(|| k.sleep_until(at)).map_err(halted)?;
            Ok(PD_PASS)
        }
        None => Ok(PD_FAIL),
    }
}

/// newlib's `usleep(us)`: sleeps (at least) `us` microseconds.
fn usleep(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (k, us) = (h.k, u64::from(c.u32(0)?));
    let at = k.now() + us;
    ctx.block(|| k.sleep_until(at)).map_err(halted)?;
    Ok(0)
}

fn tick_count(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    w.sync_clock();
    Ok(u64::from(w.ticks()))
}

fn current(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(h.k.current() as u64)
}

/// `pcTaskGetName(task)`: the name, in a copy in module memory made once
/// per task.
fn get_name(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    let (addr, name) = match h.k.lock().tasks.get(&t) {
        Some(task) => (task.name_addr, task.name.clone()),
        None => return Ok(0),
    };
    if addr != 0 {
        return Ok(u64::from(addr));
    }
    let p = super::alloc_str(ctx, &name)?;
    if let Some(task) = h.k.lock().tasks.get_mut(&t) {
        task.name_addr = p;
    }
    Ok(u64::from(p))
}

/// `xTaskGetHandle(name)`: the first task of that name, or NULL.
fn get_handle(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let name = name_at(ctx.mem, c.u32(0)?, MAX_NAME)?;
    let w = h.k.lock();
    Ok(w.tasks.iter().find(|(_, t)| t.name == name).map_or(0, |(&id, _)| id as u64))
}

fn idle_handle(_: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(u64::from(IDLE_HANDLE))
}

fn priority_get(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    Ok(h.k.lock().tasks.get(&t).map_or(0, |t| u64::from(t.base_prio)))
}

/// `vTaskPrioritySet(task, prio)`: a task raised above the caller runs at
/// the caller's next native call.
fn priority_set(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    let prio = c.u32(1)?.min(MAX_PRIO);
    h.k.set_priority(t, prio);
    Ok(0)
}

/// `vTaskSuspend(task)`: NULL suspends the caller until `vTaskResume`.
fn suspend(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    let k = h.k;
    if t == k.current() {
        ctx.block(|| k.suspend_forever()).map_err(halted)?;
    } else {
        k.suspend(t);
    }
    Ok(0)
}

fn resume(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    let mut w = h.k.lock();
    let suspended = w.task_state(t) == Some(State::Suspended);
    if suspended {
        w.make_ready(t, Woke::Event);
    }
    Ok(u64::from(suspended))
}

/// `xTaskAbortDelay(task)`: a blocked task returns from its wait now, as if
/// it had timed out.
fn abort_delay(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    let mut w = h.k.lock();
    if !matches!(w.task_state(t), Some(State::Blocked(_))) {
        return Ok(PD_FAIL);
    }
    w.make_ready(t, Woke::Timeout);
    if let Some(task) = w.tasks.get_mut(&t) {
        task.aborted = true;
    }
    Ok(PD_PASS)
}

/// `eTaskGetState(task)`: eRunning 0, eReady 1, eBlocked 2, eSuspended 3,
/// eDeleted 4.
fn get_state(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = c.u32(0)? as TaskId;
    let t = if t == 0 { h.k.current() } else { t };
    Ok(match h.k.lock().task_state(t) {
        Some(State::Running) => 0,
        Some(State::Ready) => 1,
        Some(State::Blocked(Wait::Suspended) | State::Suspended) => 3,
        Some(State::Blocked(_)) => 2,
        None => 4,
    })
}

/// The tasks, and the idle task FreeRTOS would count.
fn number_of_tasks(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(h.k.lock().tasks.len() as u64 + 1)
}

fn stack_high_water_mark(_: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(STACK_HIGH_WATER)
}

/// The scheduler never switches inside module code between two natives, so
/// suspending it changes nothing.
fn suspend_all(_: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(0)
}

fn resume_all(_: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(PD_FAIL)
}

/// `taskSCHEDULER_RUNNING`.
fn scheduler_state(_: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(2)
}

/// `taskYIELD()`.
fn yield_now(h: &mut PcHost, _: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let k = h.k;
    ctx.block(|| k.yield_now(false));
    Ok(0)
}

/// The notification index argument `i`, checked.
fn index_arg(c: &Call<'_>, i: usize) -> Result<usize, Trap> {
    let index = c.u32(i)? as usize;
    if index >= NOTIFY_ENTRIES {
        return Err(Trap::host(format!(
            "{}: notification index {index} is past configTASK_NOTIFICATION_ARRAY_ENTRIES ({NOTIFY_ENTRIES})",
            c.name
        )));
    }
    Ok(index)
}

/// Sends a notification; returns (pdPASS or pdFAIL, the value before).
fn send_notify(k: &Kernel, t: TaskId, index: usize, value: u32, action: u32) -> (u64, u32) {
    let mut w = k.lock();
    let Some(task) = w.tasks.get_mut(&t) else { return (PD_FAIL, 0) };
    let slot = &mut task.notify[index];
    let before = slot.value;
    match action {
        1 => slot.value |= value,
        2 => slot.value = slot.value.wrapping_add(1),
        3 => slot.value = value,
        4 if slot.pending => return (PD_FAIL, before),
        4 => slot.value = value,
        _ => {}
    }
    slot.pending = true;
    if task.state == State::Blocked(Wait::Notify(index)) {
        w.make_ready(t, Woke::Event);
    }
    (PD_PASS, before)
}

/// `xTaskGenericNotify(task, index, value, action, *previous)`.
fn notify(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    let (r, before) = send_notify(h.k, t, index_arg(c, 1)?, c.u32(2)?, c.u32(3)?);
    write_out(ctx.mem, c.u32(4)?, before)?;
    Ok(r)
}

/// `*woken` of the FromISR functions: whether the caller should yield.
fn woken_out(h: &PcHost, ctx: &mut HostCtx<'_>, p: u32) -> Result<(), Trap> {
    let woke = h.k.lock().preempt_pending();
    write_out(ctx.mem, p, u32::from(woke))
}

/// `xTaskGenericNotifyFromISR(task, index, value, action, *previous, *woken)`.
fn notify_from_isr(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    let (r, before) = send_notify(h.k, t, index_arg(c, 1)?, c.u32(2)?, c.u32(3)?);
    write_out(ctx.mem, c.u32(4)?, before)?;
    woken_out(h, ctx, c.u32(5)?)?;
    Ok(r)
}

/// `vTaskGenericNotifyGiveFromISR(task, index, *woken)`.
fn notify_give_from_isr(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    send_notify(h.k, t, index_arg(c, 1)?, 0, 2);
    woken_out(h, ctx, c.u32(2)?)?;
    Ok(0)
}

/// `xTaskGenericNotifyWait(index, clear_on_entry, clear_on_exit, *value,
/// ticks)`.
fn notify_wait(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let index = index_arg(c, 0)?;
    let (entry, exit, out, ticks) = (c.u32(1)?, c.u32(2)?, c.u32(3)?, c.u32(4)?);
    let k = h.k;
    let mut first = true;
    let got = ctx
        .block(|| {
            k.wait_for(ticks, Wait::Notify(index), |w, me| {
                let slot = &mut w.tasks.get_mut(&me)?.notify[index];
                if std::mem::take(&mut first) && !slot.pending {
                    slot.value &= !entry;
                }
                if !slot.pending {
                    return None;
                }
                let v = slot.value;
                slot.value &= !exit;
                slot.pending = false;
                Some(v)
            })
        })
        .map_err(halted)?;
    let value = match got {
        Some(v) => v,
        None => k.lock().tasks.get(&k.current()).map_or(0, |t| t.notify[index].value),
    };
    write_out(ctx.mem, out, value)?;
    Ok(u64::from(got.is_some()))
}

/// `ulTaskGenericNotifyTake(index, clear_on_exit, ticks)`: waits for a
/// non-zero value; returns it, then zeroes or decrements it.
fn notify_take(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let index = index_arg(c, 0)?;
    let (clear, ticks) = (c.u32(1)? != 0, c.u32(2)?);
    let k = h.k;
    let got = ctx
        .block(|| {
            k.wait_for(ticks, Wait::Notify(index), |w, me| {
                let slot = &mut w.tasks.get_mut(&me)?.notify[index];
                if slot.value == 0 {
                    slot.pending = false;
                    return None;
                }
                let v = slot.value;
                slot.value = if clear { 0 } else { v - 1 };
                slot.pending = false;
                Some(v)
            })
        })
        .map_err(halted)?;
    Ok(u64::from(got.unwrap_or(0)))
}

/// `xTaskGenericNotifyStateClear(task, index)`.
fn notify_state_clear(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    let index = index_arg(c, 1)?;
    let mut w = h.k.lock();
    let Some(task) = w.tasks.get_mut(&t) else { return Ok(PD_FAIL) };
    Ok(u64::from(std::mem::take(&mut task.notify[index].pending)))
}

/// `ulTaskGenericNotifyValueClear(task, index, bits)`: the value before.
fn notify_value_clear(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let t = task_arg(h, c, 0)?;
    let (index, bits) = (index_arg(c, 1)?, c.u32(2)?);
    let mut w = h.k.lock();
    let Some(task) = w.tasks.get_mut(&t) else { return Ok(0) };
    let before = task.notify[index].value;
    task.notify[index].value &= !bits;
    Ok(u64::from(before))
}
