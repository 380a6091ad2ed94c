//! [`Os`] over FreeRTOS and ESP-IDF, by their C symbols: for ESP-IDF
//! firmware and for any firmware exporting the same functions (the QEMU
//! test firmware's scheduler does).
//!
//! Feature `freertos`: tasks, mutexes, queues, software timers and
//! esp_timers. Feature `esp-idf` adds the GPIO ISR, esp_event and event
//! group stoppers (natives a bare FreeRTOS firmware, such as the QEMU test
//! firmware, may not have).
//!
//! The C functions used (ESP-IDF v5 names; macros are named after the
//! function they expand to): `xTaskGetCurrentTaskHandle`,
//! `pcTaskGetName`, `xQueueCreateMutex` / `xQueueSemaphoreTake` /
//! `xQueueGenericSend` / `vQueueDelete` (a mutex: xSemaphoreCreateMutex,
//! Take, Give, vSemaphoreDelete), `vPortYield` (taskYIELD), `vTaskDelay`,
//! `xPortInIsrContext`, `vTaskDelete`, `xTimerGenericCommand`
//! (xTimerStop/xTimerDelete), `esp_timer_stop`, `esp_timer_delete`,
//! `puts` (the log), and for deferral `xQueueGenericCreate`,
//! `xQueueGenericSendFromISR`, `xQueueReceive`, `xTaskCreatePinnedToCore`;
//! with `esp-idf` also `vEventGroupDelete`, `gpio_isr_handler_remove`,
//! `esp_event_handler_unregister[_with]` and
//! `esp_event_handler_instance_unregister[_with]`.

use super::{Os, Resource, TaskId};
use crate::sync::{AtomicU32, AtomicUsize};
use crate::thunk::Deferred;
use core::ffi::{c_char, c_void};
use core::fmt::{self, Write as _};
use core::sync::atomic::Ordering;

type Handle = *mut c_void;
type Tick = u32;
type Base = i32;

const PORT_MAX_DELAY: Tick = u32::MAX;
const QUEUE_TYPE_BASE: u8 = 0;
const QUEUE_TYPE_MUTEX: u8 = 1;
const QUEUE_SEND_TO_BACK: Base = 0;
const TMR_COMMAND_STOP: Base = 3;
const TMR_COMMAND_DELETE: Base = 5;
/// Ticks a stopper waits for room in the timer command queue: the timer
/// task may itself be waiting for the app that is being unloaded.
const STOP_WAIT: Tick = 10;
/// `tskNO_AFFINITY`.
const NO_AFFINITY: Base = 0x7fff_ffff;
/// Calls waiting for the deferral task.
const DEFER_QUEUE_LEN: u32 = 8;

unsafe extern "C" {
    fn xTaskGetCurrentTaskHandle() -> Handle;
    fn pcTaskGetName(task: Handle) -> *const c_char;
    fn xQueueCreateMutex(kind: u8) -> Handle;
    fn xQueueSemaphoreTake(q: Handle, wait: Tick) -> Base;
    fn xQueueGenericSend(q: Handle, item: *const c_void, wait: Tick, position: Base) -> Base;
    fn vQueueDelete(q: Handle);
    fn heap_caps_free(p: *mut c_void);
    fn vPortYield();
    fn vTaskDelay(ticks: Tick);
    fn xPortInIsrContext() -> Base;
    fn vTaskDelete(task: Handle);
    fn xTimerGenericCommand(t: Handle, cmd: Base, value: Tick, woken: *mut Base, wait: Tick) -> Base;
    fn esp_timer_stop(t: Handle) -> i32;
    fn esp_timer_delete(t: Handle) -> i32;
    fn puts(s: *const c_char) -> i32;
    fn xQueueGenericCreate(len: u32, item_size: u32, kind: u8) -> Handle;
    fn xQueueGenericSendFromISR(q: Handle, item: *const c_void, woken: *mut Base, position: Base) -> Base;
    fn xQueueReceive(q: Handle, buf: *mut c_void, wait: Tick) -> Base;
    fn xTaskCreatePinnedToCore(
        code: extern "C" fn(*mut c_void),
        name: *const c_char,
        stack: u32,
        param: *mut c_void,
        prio: u32,
        out: *mut Handle,
        core: Base,
    ) -> Base;
}

#[cfg(feature = "esp-idf")]
unsafe extern "C" {
    fn vEventGroupDelete(group: Handle);
    fn gpio_isr_handler_remove(gpio: u32) -> i32;
    fn esp_event_handler_unregister(base: *const c_char, id: i32, handler: *const c_void) -> i32;
    fn esp_event_handler_unregister_with(
        event_loop: Handle,
        base: *const c_char,
        id: i32,
        handler: *const c_void,
    ) -> i32;
    fn esp_event_handler_instance_unregister(base: *const c_char, id: i32, instance: Handle) -> i32;
    fn esp_event_handler_instance_unregister_with(
        event_loop: Handle,
        base: *const c_char,
        id: i32,
        instance: Handle,
    ) -> i32;
}

/// The firmware's FreeRTOS [`Os`] (`runner::run_module` and the C API use
/// it; a pool is bound to one Os, so use this one):
///
/// ```ignore
/// FREERTOS.set_tick_hz(1000);          // CONFIG_FREERTOS_HZ, if not 100
/// FREERTOS.start_deferral(10, 4096);   // once, for ISR callbacks
/// let app = App::load_with(bytes, host, config, &FREERTOS, ThunkPool::device())?;
/// ```
pub static FREERTOS: FreeRtos = FreeRtos::new(100);

/// The FreeRTOS [`Os`]; see [`FREERTOS`].
pub struct FreeRtos {
    tick_hz: AtomicU32,
    /// The deferral queue (0 until [`FreeRtos::start_deferral`]).
    queue: AtomicUsize,
}

impl FreeRtos {
    /// The Os of a firmware whose tick rate is `tick_hz`
    /// (`CONFIG_FREERTOS_HZ`; ESP-IDF's default is 100).
    pub const fn new(tick_hz: u32) -> FreeRtos {
        FreeRtos { tick_hz: AtomicU32::new(tick_hz), queue: AtomicUsize::new(0) }
    }

    /// Sets the tick rate (`CONFIG_FREERTOS_HZ`) [`Os::sleep_ms`] converts with.
    pub fn set_tick_hz(&self, hz: u32) {
        self.tick_hz.store(hz.max(1), Ordering::Relaxed);
    }

    /// Starts the task that runs callbacks called in interrupt context
    /// (GPIO ISR handlers, ISR-dispatched esp_timers) at `priority` with
    /// `stack` bytes. Without it such modules are refused at load.
    /// `false`: FreeRTOS had no memory for the queue or the task.
    pub fn start_deferral(&'static self, priority: u32, stack: u32) -> bool {
        if self.queue.load(Ordering::Acquire) != 0 {
            return true;
        }
        let size = core::mem::size_of::<Deferred>() as u32;
        // SAFETY: plain FreeRTOS calls; the task gets a 'static queue handle.
        unsafe {
            let q = xQueueGenericCreate(DEFER_QUEUE_LEN, size, QUEUE_TYPE_BASE);
            if q.is_null() {
                return false;
            }
            let name = c"espb-defer".as_ptr();
            let mut task: Handle = core::ptr::null_mut();
            if xTaskCreatePinnedToCore(deferral_task, name, stack, q, priority, &mut task, NO_AFFINITY) != 1 {
                vQueueDelete(q);
                return false;
            }
            self.queue.store(q as usize, Ordering::Release);
        }
        true
    }
}

/// Runs deferred callbacks, one at a time, forever.
extern "C" fn deferral_task(q: *mut c_void) {
    loop {
        let mut job = core::mem::MaybeUninit::<Deferred>::uninit();
        // SAFETY: the queue's items are `Deferred`s (plain data, `Copy`)
        // sent by `defer`; a received one is fully written.
        if unsafe { xQueueReceive(q, job.as_mut_ptr().cast(), PORT_MAX_DELAY) } == 1 {
            unsafe { job.assume_init() }.run();
        }
    }
}

fn h(v: u32) -> Handle {
    v as usize as Handle
}

// SAFETY: task handles are unique per live task and never null for a task;
// the lock is a FreeRTOS mutex (with priority inheritance); in_isr asks the
// port.
unsafe impl Os for FreeRtos {
    fn current_task(&self) -> TaskId {
        // SAFETY: plain FreeRTOS call.
        unsafe { xTaskGetCurrentTaskHandle() as usize }
    }

    fn task_name(&self, task: TaskId) -> Option<alloc::string::String> {
        // SAFETY: `task` is a live task's handle (the caller's or a module
        // task's); FreeRTOS returns its NUL-terminated name.
        let p = unsafe { pcTaskGetName(task as Handle) };
        if p.is_null() {
            return None;
        }
        // SAFETY: as above.
        let s = unsafe { core::ffi::CStr::from_ptr(p) };
        Some(alloc::string::String::from_utf8_lossy(s.to_bytes()).into_owned())
    }

    fn lock_create(&self) -> Option<usize> {
        // SAFETY: plain FreeRTOS call.
        let m = unsafe { xQueueCreateMutex(QUEUE_TYPE_MUTEX) };
        (!m.is_null()).then_some(m as usize)
    }

    fn lock(&self, l: usize) {
        // SAFETY: `l` came from lock_create.
        while unsafe { xQueueSemaphoreTake(l as Handle, PORT_MAX_DELAY) } != 1 {}
    }

    fn unlock(&self, l: usize) {
        // SAFETY: `l` came from lock_create and is held by this task.
        unsafe { xQueueGenericSend(l as Handle, core::ptr::null(), 0, QUEUE_SEND_TO_BACK) };
    }

    fn lock_delete(&self, l: usize) {
        // SAFETY: `l` came from lock_create; nobody holds or waits for it.
        unsafe { vQueueDelete(l as Handle) };
    }

    fn yield_now(&self) {
        // SAFETY: plain FreeRTOS call (taskYIELD).
        unsafe { vPortYield() };
    }

    fn sleep_ms(&self, ms: u32) {
        let ticks = (u64::from(ms) * u64::from(self.tick_hz.load(Ordering::Relaxed)) / 1000).max(1);
        // SAFETY: plain FreeRTOS call.
        unsafe { vTaskDelay(ticks.min(u64::from(u32::MAX - 1)) as Tick) };
    }

    fn in_isr(&self) -> bool {
        // SAFETY: plain port call, valid anywhere.
        unsafe { xPortInIsrContext() != 0 }
    }

    fn can_defer(&self) -> bool {
        self.queue.load(Ordering::Acquire) != 0
    }

    fn defer(&self, job: Deferred) -> bool {
        let q = self.queue.load(Ordering::Acquire);
        if q == 0 {
            return false;
        }
        let mut woken: Base = 0;
        // SAFETY: the queue holds `Deferred`s; FreeRTOS copies the item.
        // The deferral task runs at the next switch (no yield from here:
        // portYIELD_FROM_ISR is a port macro).
        unsafe { xQueueGenericSendFromISR(q as Handle, (&raw const job).cast(), &mut woken, QUEUE_SEND_TO_BACK) == 1 }
    }

    fn log(&self, msg: fmt::Arguments<'_>) {
        let mut line = alloc::string::String::new();
        let _ = line.write_fmt(msg);
        line.retain(|c| c != '\0');
        line.push('\0');
        // SAFETY: NUL-terminated above.
        unsafe { puts(line.as_ptr().cast()) };
    }

    fn stop(&self, r: Resource) {
        // SAFETY (all): handles the module's natives returned and it never
        // deleted; FreeRTOS and ESP-IDF check them no further.
        let failed = unsafe {
            match r {
                Resource::Task(t) => {
                    vTaskDelete(h(t));
                    false
                }
                Resource::Timer(t) => {
                    let null = core::ptr::null_mut();
                    xTimerGenericCommand(h(t), TMR_COMMAND_STOP, 0, null, STOP_WAIT);
                    xTimerGenericCommand(h(t), TMR_COMMAND_DELETE, 0, null, STOP_WAIT) != 1
                }
                Resource::EspTimer(t) => {
                    // Not running is fine for stop; delete is what counts.
                    esp_timer_stop(h(t));
                    esp_timer_delete(h(t)) != 0
                }
                Resource::Queue(q) => {
                    vQueueDelete(h(q));
                    false
                }
                Resource::HeapBlock(p) => {
                    heap_caps_free(p as usize as *mut c_void);
                    false
                }
                #[cfg(feature = "esp-idf")]
                Resource::EventGroup(g) => {
                    vEventGroupDelete(h(g));
                    false
                }
                #[cfg(feature = "esp-idf")]
                Resource::GpioIsr(g) => gpio_isr_handler_remove(g) != 0,
                #[cfg(feature = "esp-idf")]
                Resource::Event { event_loop: 0, base, id, handler } => {
                    esp_event_handler_unregister(base as usize as *const c_char, id, handler as usize as *const c_void)
                        != 0
                }
                #[cfg(feature = "esp-idf")]
                Resource::Event { event_loop, base, id, handler } => {
                    esp_event_handler_unregister_with(
                        h(event_loop),
                        base as usize as *const c_char,
                        id,
                        handler as usize as *const c_void,
                    ) != 0
                }
                #[cfg(feature = "esp-idf")]
                Resource::EventInstance { event_loop: 0, base, id, instance } => {
                    esp_event_handler_instance_unregister(base as usize as *const c_char, id, h(instance)) != 0
                }
                #[cfg(feature = "esp-idf")]
                Resource::EventInstance { event_loop, base, id, instance } => {
                    esp_event_handler_instance_unregister_with(
                        h(event_loop),
                        base as usize as *const c_char,
                        id,
                        h(instance),
                    ) != 0
                }
                #[cfg(not(feature = "esp-idf"))]
                Resource::GpioIsr(_)
                | Resource::Event { .. }
                | Resource::EventInstance { .. }
                | Resource::EventGroup(_) => true,
            }
        };
        if failed {
            self.log(format_args!("espb: unload could not stop {r}"));
        }
    }

    fn exit_task(&self) {
        // SAFETY: deletes the calling task; the runtime released everything
        // of it before. Does not return.
        unsafe { vTaskDelete(core::ptr::null_mut()) };
    }
}
