//! What the runtime needs from the RTOS to run a module whose callbacks,
//! tasks and timers live on after its entry returned ([`crate::app::App`]):
//! task identity, a mutex, yielding, interrupt context, deferral, a log,
//! and the stoppers unload uses. The firmware provides it: [`FreeRtos`]
//! (feature `freertos`) calls the FreeRTOS and ESP-IDF C functions, the PC
//! simulator implements it with its scheduler, tests with std threads.
//!
//! Single-task use ([`crate::Instance::call`], benchmarks, `run_with`)
//! needs no `Os` at all.

use crate::thunk::Deferred;
use core::fmt;

/// Identity of a task (a FreeRTOS `TaskHandle_t`, a simulator task id).
/// Never 0: the runtime uses 0 for "no task".
pub type TaskId = usize;

/// The RTOS services an [`App`](crate::app::App) runs on.
///
/// # Safety
///
/// The runtime's memory safety rests on these promises:
/// * [`Os::current_task`] returns the same non-zero id for every call from
///   one task, and different ids for tasks that can run at the same time;
/// * [`Os::lock`] / [`Os::unlock`] are a real mutex: while one task holds
///   lock `l`, `lock(l)` from any other task waits (with the memory
///   ordering of a mutex: what the holder wrote is seen by the next one);
/// * [`Os::in_isr`] is true whenever the caller runs in interrupt context,
///   where [`Os::lock`] must not be called.
pub unsafe trait Os: Send + Sync {
    /// The calling task. Not called in interrupt context.
    fn current_task(&self) -> TaskId;

    /// A new plain (non-recursive) blocking mutex, as a handle for
    /// [`Os::lock`]; `None` when the RTOS is out of memory. The runtime makes
    /// it recursive itself. Prefer one with priority inheritance (a FreeRTOS
    /// mutex).
    fn lock_create(&self) -> Option<usize>;
    /// Waits for and takes lock `l`.
    fn lock(&self, l: usize);
    /// Releases lock `l`, held by the calling task.
    fn unlock(&self, l: usize);
    /// Frees lock `l` (nobody holds or waits for it any more).
    fn lock_delete(&self, l: usize);

    /// Ends the calling task's time slice (`taskYIELD`): another ready task
    /// of the same priority may run.
    fn yield_now(&self);

    /// Sleeps the calling task for about `ms` milliseconds (`vTaskDelay`);
    /// [`crate::app::App::wait`] polls with it. Defaults to a yield.
    fn sleep_ms(&self, ms: u32) {
        let _ = ms;
        self.yield_now();
    }

    /// Whether the caller runs in interrupt context (a GPIO ISR, an
    /// ISR-dispatched esp_timer): thunks then defer instead of interpreting.
    fn in_isr(&self) -> bool {
        false
    }

    /// Whether [`Os::defer`] works at all: without it a module importing a
    /// native whose callback runs in interrupt context is refused at load.
    fn can_defer(&self) -> bool {
        false
    }

    /// A task's name for messages (`pcTaskGetName`); `None`: unknown.
    fn task_name(&self, task: TaskId) -> Option<alloc::string::String> {
        let _ = task;
        None
    }

    /// Runs `job` later on a task ([`Deferred::run`]), for callbacks called
    /// in interrupt context. Called from that interrupt: must not block or
    /// allocate. `false`: not possible (the call is dropped and logged).
    fn defer(&self, job: Deferred) -> bool {
        let _ = job;
        false
    }

    /// A line for the firmware's log ("callback into unloaded module ...").
    fn log(&self, msg: fmt::Arguments<'_>);

    /// Stops something the module started and never stopped, at unload:
    /// deletes a task, stops and deletes a FreeRTOS timer or an esp_timer,
    /// removes a GPIO ISR handler, unregisters an event handler, deletes a
    /// queue or an event group (those last, after everything else). Never
    /// called for the calling task itself (the runtime deletes that one
    /// last, with [`Os::exit_task`]). A deleted task must never run module
    /// code again: it must not return from the blocking call or the
    /// [`Os::lock`] it waits in (a simulator parks or unwinds its thread).
    fn stop(&self, r: Resource);

    /// Deletes the calling task (`vTaskDelete(NULL)`): a module task whose
    /// entry returned, or that trapped. Does not return on an RTOS; the
    /// runtime released everything of the task before.
    fn exit_task(&self) {
        self.stop(Resource::Task(self.current_task() as u32));
    }
}

/// Something a module started through a native, that unload stops
/// ([`Os::stop`]). Handles are the native ones (32-bit on the chips).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    /// A FreeRTOS task (`TaskHandle_t`): `vTaskDelete`.
    Task(u32),
    /// A FreeRTOS software timer (`TimerHandle_t`): `xTimerDelete`.
    Timer(u32),
    /// An esp_timer (`esp_timer_handle_t`): `esp_timer_stop` +
    /// `esp_timer_delete`.
    EspTimer(u32),
    /// A GPIO ISR handler on pin `gpio`: `gpio_isr_handler_remove`.
    GpioIsr(u32),
    /// An event handler (`esp_event_handler_register[_with]`):
    /// `esp_event_handler_unregister[_with]`. `event_loop` 0 is the
    /// default loop; `id` is `int32_t` (`ESP_EVENT_ANY_ID` is -1).
    Event { event_loop: u32, base: u32, id: i32, handler: u32 },
    /// An event handler instance (`esp_event_handler_instance_register
    /// [_with]`): `esp_event_handler_instance_unregister[_with]`.
    EventInstance { event_loop: u32, base: u32, id: i32, instance: u32 },
    /// A queue, semaphore, mutex or queue set (`QueueHandle_t`):
    /// `vQueueDelete`. Freed after the tasks and timers that might use it
    /// are stopped; it does not keep an app alive.
    Queue(u32),
    /// An event group (`EventGroupHandle_t`): `vEventGroupDelete`. As
    /// [`Resource::Queue`].
    EventGroup(u32),
    /// A block of the firmware heap the module holds (`heap_caps_malloc`
    /// and its siblings, vm/firmware_heap.rs): `heap_caps_free`. As
    /// [`Resource::Queue`].
    HeapBlock(u32),
}

impl Resource {
    /// Whether it can still call into the module (a task, a timer, a
    /// handler): an app whose entry returned lives on while one is left.
    /// Queues and event groups are only memory, freed at unload.
    pub fn keeps_alive(&self) -> bool {
        !matches!(self, Resource::Queue(_) | Resource::EventGroup(_) | Resource::HeapBlock(_))
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Resource::Task(h) => write!(f, "task {h:#x}"),
            Resource::Timer(h) => write!(f, "timer {h:#x}"),
            Resource::EspTimer(h) => write!(f, "esp_timer {h:#x}"),
            Resource::GpioIsr(g) => write!(f, "GPIO {g} ISR handler"),
            Resource::Event { base, id, handler, .. } => {
                write!(f, "event handler {handler:#x} (base {base:#x}, id {id})")
            }
            Resource::EventInstance { base, id, instance, .. } => {
                write!(f, "event handler instance {instance:#x} (base {base:#x}, id {id})")
            }
            Resource::Queue(h) => write!(f, "queue {h:#x}"),
            Resource::EventGroup(h) => write!(f, "event group {h:#x}"),
            Resource::HeapBlock(p) => write!(f, "heap_caps block {p:#x}"),
        }
    }
}

#[cfg(feature = "freertos")]
mod freertos;
#[cfg(feature = "freertos")]
pub use freertos::{FREERTOS, FreeRtos};
