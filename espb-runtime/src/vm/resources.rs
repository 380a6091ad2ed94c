//! What unload must stop or free, learned from the natives a module calls:
//! one table ([`RULES`]) keyed by the ESP-IDF function's name says which
//! natives create or delete a task, a timer, an esp_timer, a GPIO ISR
//! handler, an event handler, a queue (semaphores and mutexes are queues)
//! or an event group, and where the handle is. Imports get their rule at
//! instantiation ([`rule`]); only they take this path, the interpreter's
//! other imports pay nothing for it.
//!
//! The natives themselves are called unchanged, with two exceptions: an
//! output handle the module passed as NULL (`xTaskCreate(..., NULL)`) is
//! pointed at a word of the runtime's, so the runtime still learns the
//! handle, and a task's stack depth grows by [`NATIVE_STACK_EXTRA`] for the
//! interpreter. `vTaskDelete(NULL)` (or the task's own handle) does not reach the
//! native at all: it ends the task's run ([`TrapKind::TaskExit`]), and the
//! app releases the task's context and lock before deleting it.

use super::context::Hooks;
use super::memory::Memory;
use super::trap::{Trap, TrapKind};
use crate::os::Resource;
use alloc::string::String;

/// What a tracked native does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Creates a task; handle through output argument `out`, name in
    /// argument 1, `pdPASS` (1) on success.
    TaskCreate { out: u8 },
    /// Creates a task from static buffers; returns the handle (NULL on
    /// failure), name in argument 1.
    TaskCreateStatic,
    /// `vTaskDelete(task)`.
    TaskDelete,
    /// Creates a timer, a queue (semaphore, mutex, queue set) or an event
    /// group; returns the handle (NULL on failure).
    Creates(Object),
    /// `vQueueDelete(q)` (vSemaphoreDelete) / `vEventGroupDelete(g)`.
    Deletes(Object),
    /// `xTimerGenericCommand*(timer, command, ...)`: `tmrCOMMAND_DELETE`
    /// deletes it.
    TimerCommand,
    /// `esp_timer_create(args, &handle)`, `ESP_OK` on success.
    EspTimerCreate,
    /// `esp_timer_delete(handle)`.
    EspTimerDelete,
    /// `gpio_isr_handler_add(gpio, handler, arg)`.
    GpioIsrAdd,
    /// `gpio_isr_handler_remove(gpio)`.
    GpioIsrRemove,
    /// `esp_event_handler_register[_with]([loop,] base, id, handler, arg)`.
    EventRegister { with_loop: bool },
    /// `esp_event_handler_unregister[_with]([loop,] base, id, handler)`.
    EventUnregister { with_loop: bool },
    /// `esp_event_handler_instance_register[_with]([loop,] base, id,
    /// handler, arg, &instance)`.
    EventInstanceRegister { with_loop: bool },
    /// `esp_event_handler_instance_unregister[_with]([loop,] base, id,
    /// instance)`.
    EventInstanceUnregister { with_loop: bool },
}

/// What a [`Rule::Creates`] native returns a handle of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Object {
    Timer,
    Queue,
    EventGroup,
}

impl Object {
    fn resource(self, h: u32) -> Resource {
        match self {
            Object::Timer => Resource::Timer(h),
            Object::Queue => Resource::Queue(h),
            Object::EventGroup => Resource::EventGroup(h),
        }
    }
}

/// The natives the runtime watches, by their ESP-IDF v5 names (argument
/// positions as in the ESP-IDF declarations).
pub(crate) const RULES: &[(&str, Rule)] = &[
    ("xTaskCreatePinnedToCore", Rule::TaskCreate { out: 5 }),
    ("xTaskCreate", Rule::TaskCreate { out: 5 }),
    ("xTaskCreateStaticPinnedToCore", Rule::TaskCreateStatic),
    ("xTaskCreateStatic", Rule::TaskCreateStatic),
    ("vTaskDelete", Rule::TaskDelete),
    ("xTimerCreate", Rule::Creates(Object::Timer)),
    ("xTimerCreateStatic", Rule::Creates(Object::Timer)),
    ("xTimerGenericCommand", Rule::TimerCommand),
    ("xTimerGenericCommandFromTask", Rule::TimerCommand),
    ("esp_timer_create", Rule::EspTimerCreate),
    ("esp_timer_delete", Rule::EspTimerDelete),
    ("gpio_isr_handler_add", Rule::GpioIsrAdd),
    ("gpio_isr_handler_remove", Rule::GpioIsrRemove),
    ("esp_event_handler_register", Rule::EventRegister { with_loop: false }),
    ("esp_event_handler_register_with", Rule::EventRegister { with_loop: true }),
    ("esp_event_handler_unregister", Rule::EventUnregister { with_loop: false }),
    ("esp_event_handler_unregister_with", Rule::EventUnregister { with_loop: true }),
    ("esp_event_handler_instance_register", Rule::EventInstanceRegister { with_loop: false }),
    ("esp_event_handler_instance_register_with", Rule::EventInstanceRegister { with_loop: true }),
    ("esp_event_handler_instance_unregister", Rule::EventInstanceUnregister { with_loop: false }),
    ("esp_event_handler_instance_unregister_with", Rule::EventInstanceUnregister { with_loop: true }),
    // semphr.h's creators are macros over these.
    ("xQueueGenericCreate", Rule::Creates(Object::Queue)),
    ("xQueueGenericCreateStatic", Rule::Creates(Object::Queue)),
    ("xQueueCreateMutex", Rule::Creates(Object::Queue)),
    ("xQueueCreateMutexStatic", Rule::Creates(Object::Queue)),
    ("xQueueCreateCountingSemaphore", Rule::Creates(Object::Queue)),
    ("xQueueCreateCountingSemaphoreStatic", Rule::Creates(Object::Queue)),
    ("xQueueCreateSet", Rule::Creates(Object::Queue)),
    ("vQueueDelete", Rule::Deletes(Object::Queue)),
    ("xEventGroupCreate", Rule::Creates(Object::EventGroup)),
    ("xEventGroupCreateStatic", Rule::Creates(Object::EventGroup)),
    ("vEventGroupDelete", Rule::Deletes(Object::EventGroup)),
];

/// Natives whose callbacks run in interrupt context: a firmware whose Os
/// cannot defer calls to a task gets modules importing them refused.
pub(crate) const ISR_CALLBACK_NATIVES: &[&str] = &["gpio_isr_handler_add"];

/// ESP-IDF `ESP_ERR_INVALID_ARG`: what esp_timer_create returns for a
/// dispatch method the firmware does not support.
const ESP_ERR_INVALID_ARG: u64 = 0x102;
/// Offset of `dispatch_method` in `esp_timer_create_args_t` (after the
/// callback and its argument) and the value of `ESP_TIMER_ISR`.
const DISPATCH_METHOD_OFFSET: u32 = 8;
const ESP_TIMER_ISR: u32 = 1;

/// FreeRTOS `pdPASS`.
const PD_PASS: u64 = 1;
/// ESP-IDF `ESP_OK`.
const ESP_OK: u64 = 0;
/// FreeRTOS `tmrCOMMAND_DELETE`.
const TMR_COMMAND_DELETE: u32 = 5;
/// Most arguments of a watched native (xTaskCreatePinnedToCore has 7).
const MAX_ARGS: usize = 8;
/// Longest task name kept (FreeRTOS' configMAX_TASK_NAME_LEN is 16).
const MAX_NAME: usize = 16;
/// Bytes added to the native stack of a task the module creates: its C
/// frames live on its shadow stack in module memory, but its native stack
/// carries the interpreter (thunk entry, run loop, native call), about
/// 3 KiB on RISC-V (measured under QEMU), on top of what the natives it
/// calls need, which is what the module's number was for. ESP-IDF counts
/// stack depth in bytes.
pub(crate) const NATIVE_STACK_EXTRA: u32 = 4096;

/// The rule of the native named `name`.
pub(crate) fn rule(name: &str) -> Option<Rule> {
    RULES.iter().find(|r| r.0 == name).map(|r| r.1)
}

/// Calls a watched native through `native` and tells `app` what it started
/// or stopped.
pub(crate) fn call(
    app: &dyn Hooks,
    rule: Rule,
    args: &[u64],
    mem: &mut Memory,
    native: impl FnOnce(&[u64], &mut Memory) -> Result<u64, Trap>,
) -> Result<u64, Trap> {
    let a = |i: usize| args.get(i).copied().unwrap_or(0) as u32;
    // Event natives take the loop first when `_with`.
    let ev = |with_loop: bool| {
        let o = usize::from(with_loop);
        (if with_loop { a(0) } else { 0 }, a(o), a(o + 1) as i32, a(o + 2), o)
    };
    match rule {
        Rule::TaskCreate { out } => {
            let out = usize::from(out);
            let mut buf = [0u64; MAX_ARGS];
            let Some(buf) = buf.get_mut(..args.len()).filter(|_| out < args.len()) else { return native(args, mem) };
            buf.copy_from_slice(args);
            if a(out) == 0 {
                buf[out] = u64::from(app.scratch_word());
            }
            buf[2] = u64::from(a(2).saturating_add(NATIVE_STACK_EXTRA));
            let name = task_name(mem, a(1));
            let r = native(buf, mem)?;
            if r == PD_PASS
                && let Ok(h) = mem.read_u32(buf[out] as u32)
                && h != 0
            {
                app.add_resource(Resource::Task(h), name);
            }
            Ok(r)
        }
        Rule::TaskCreateStatic => {
            let name = task_name(mem, a(1));
            let r = native(args, mem)?;
            if r as u32 != 0 {
                app.add_resource(Resource::Task(r as u32), name);
            }
            Ok(r)
        }
        Rule::TaskDelete => {
            let h = a(0);
            if h == 0 || h as usize == app.current_task() {
                return Err(Trap::new(TrapKind::TaskExit));
            }
            if app.is_module_task(h as usize) {
                app.forget_task(h as usize);
                app.remove_resource(Resource::Task(h));
            }
            native(args, mem)
        }
        Rule::Creates(o) => {
            let r = native(args, mem)?;
            if r as u32 != 0 {
                app.add_resource(o.resource(r as u32), None);
            }
            Ok(r)
        }
        Rule::Deletes(o) => {
            // Forgotten first: the native frees it, and the handle may be
            // reused by the next create.
            app.remove_resource(o.resource(a(0)));
            native(args, mem)
        }
        Rule::TimerCommand => {
            let r = native(args, mem)?;
            if a(1) == TMR_COMMAND_DELETE && r == PD_PASS {
                app.remove_resource(Resource::Timer(a(0)));
            }
            Ok(r)
        }
        Rule::EspTimerCreate => {
            // Its callback would run in the interrupt, where a thunk may
            // only defer: refused here rather than dropped at every alarm.
            if !app.can_defer() && mem.read_u32(a(0).wrapping_add(DISPATCH_METHOD_OFFSET)) == Ok(ESP_TIMER_ISR) {
                app.log(format_args!(
                    "espb: esp_timer_create refused (ESP_ERR_INVALID_ARG): an ESP_TIMER_ISR timer calls its module \
                     callback in interrupt context, and this firmware cannot defer that to a task (start the \
                     runtime's deferral task, FreeRtos::start_deferral / espb_init); or use ESP_TIMER_TASK"
                ));
                return Ok(ESP_ERR_INVALID_ARG);
            }
            let r = native(args, mem)?;
            if r == ESP_OK
                && let Ok(h) = mem.read_u32(a(1))
            {
                app.add_resource(Resource::EspTimer(h), None);
            }
            Ok(r)
        }
        Rule::EspTimerDelete => done(native(args, mem), || app.remove_resource(Resource::EspTimer(a(0)))),
        Rule::GpioIsrAdd => done(native(args, mem), || app.add_resource(Resource::GpioIsr(a(0)), None)),
        Rule::GpioIsrRemove => done(native(args, mem), || app.remove_resource(Resource::GpioIsr(a(0)))),
        Rule::EventRegister { with_loop } | Rule::EventUnregister { with_loop } => {
            let (event_loop, base, id, handler, _) = ev(with_loop);
            let r = Resource::Event { event_loop, base, id, handler };
            let add = matches!(rule, Rule::EventRegister { .. });
            done(native(args, mem), || if add { app.add_resource(r, None) } else { app.remove_resource(r) })
        }
        Rule::EventInstanceRegister { with_loop } => {
            let (event_loop, base, id, _, o) = ev(with_loop);
            let out = o + 4;
            let mut buf = [0u64; MAX_ARGS];
            let Some(buf) = buf.get_mut(..args.len()).filter(|_| out < args.len()) else { return native(args, mem) };
            buf.copy_from_slice(args);
            if a(out) == 0 {
                buf[out] = u64::from(app.scratch_word());
            }
            let r = native(buf, mem)?;
            if r == ESP_OK
                && let Ok(instance) = mem.read_u32(buf[out] as u32)
            {
                app.add_resource(Resource::EventInstance { event_loop, base, id, instance }, None);
            }
            Ok(r)
        }
        Rule::EventInstanceUnregister { with_loop } => {
            let (event_loop, base, id, instance, _) = ev(with_loop);
            let r = Resource::EventInstance { event_loop, base, id, instance };
            done(native(args, mem), || app.remove_resource(r))
        }
    }
}

/// Runs `then` when the native returned `ESP_OK`.
fn done(r: Result<u64, Trap>, then: impl FnOnce()) -> Result<u64, Trap> {
    if r == Ok(ESP_OK) {
        then();
    }
    r
}

/// A task's name from module memory (at most [`MAX_NAME`] bytes).
fn task_name(mem: &Memory, addr: u32) -> Option<String> {
    let s = mem.c_str(addr).ok()?;
    let s = &s[..s.len().min(MAX_NAME)];
    Some(String::from_utf8_lossy(s).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_watched_native_has_one_rule() {
        for (i, (name, _)) in RULES.iter().enumerate() {
            assert_eq!(RULES.iter().position(|r| r.0 == *name), Some(i), "{name} twice");
        }
        assert_eq!(rule("vTaskDelay"), None);
        assert_eq!(rule("xTaskCreatePinnedToCore"), Some(Rule::TaskCreate { out: 5 }));
        for n in ISR_CALLBACK_NATIVES {
            assert!(rule(n).is_some(), "{n}");
        }
    }
}
