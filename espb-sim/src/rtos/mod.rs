//! The FreeRTOS and ESP-IDF services of the simulated firmware: tasks,
//! queues and semaphores, event groups, software timers, esp_timer,
//! esp_event, GPIO. The kernel objects live in [`Objects`], in the kernel's
//! world; each submodule holds the natives of one header and the kernel
//! side they need.
//!
//! Blocking natives wait in the kernel inside [`HostCtx::block`], so the
//! app's lock is free meanwhile and other tasks run, as on a device. A
//! native reads what it needs from module memory before it blocks and
//! writes its results after.

pub(crate) mod esp_timer;
pub(crate) mod event;
pub(crate) mod gpio;
pub(crate) mod group;
pub(crate) mod queue;
pub(crate) mod task;
pub(crate) mod timer;

use crate::kernel::{Halted, Kernel, Service, TaskId};
use espb_runtime::os::Resource;
use espb_runtime::thunk::{CallbackError, Deferred};
use espb_runtime::{Memory, Trap};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// FreeRTOS `pdPASS` / `pdTRUE`, `pdFAIL` / `pdFALSE`.
pub(crate) const PD_PASS: u64 = 1;
pub(crate) const PD_FAIL: u64 = 0;
/// ESP-IDF error codes.
pub(crate) const ESP_OK: u64 = 0;
pub(crate) const ESP_ERR_NO_MEM: u64 = 0x101;
pub(crate) const ESP_ERR_INVALID_ARG: u64 = 0x102;
pub(crate) const ESP_ERR_INVALID_STATE: u64 = 0x103;
pub(crate) const ESP_ERR_NOT_FOUND: u64 = 0x105;
pub(crate) const ESP_ERR_NOT_SUPPORTED: u64 = 0x106;

/// The kernel objects, by handle.
#[derive(Default)]
pub(crate) struct Objects {
    pub queues: HashMap<u32, queue::Queue>,
    /// Event groups: their bits.
    pub groups: HashMap<u32, u32>,
    pub timers: BTreeMap<u32, timer::Timer>,
    /// `xTimerPendFunctionCall`s for the timer service: (function, arg1, arg2).
    pub pended: VecDeque<(u32, u32, u32)>,
    pub esp_timers: BTreeMap<u32, esp_timer::EspTimer>,
    pub events: event::Events,
    pub gpio: gpio::Gpio,
    /// Callbacks called in interrupt context, for the ISR service task.
    pub deferred: VecDeque<Deferred>,
    /// Blocks of the module heap a service task is done with, freed at the
    /// next native call (only natives touch module memory).
    pub to_free: Vec<u32>,
    pub nvs: crate::nvs::Nvs,
    /// Arming order of timers, for those that expire at the same time.
    pub seq: u64,
}

impl Objects {
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A task was deleted: what it held stays held (a FreeRTOS mutex it
    /// took is never given back), as on a device.
    pub fn task_removed(&mut self, id: TaskId) {
        let _ = id;
    }
}

/// The trap of a blocking native whose wait can never end (a bare host's
/// only task waits for something no other task will do).
pub(crate) fn halted(_: Halted) -> Trap {
    Trap::host("the simulation ended: every task waits for something that can no longer happen")
}

/// Writes `v` to the output argument `p` unless it is NULL.
pub(crate) fn write_out(mem: &mut Memory, p: u32, v: u32) -> Result<(), Trap> {
    if p != 0 { mem.write_u32(p, v) } else { Ok(()) }
}

/// The NUL-terminated name at `p` (NULL: empty), at most `max` bytes.
pub(crate) fn name_at(mem: &Memory, p: u32, max: usize) -> Result<String, Trap> {
    if p == 0 {
        return Ok(String::new());
    }
    let s = mem.c_str(p)?;
    Ok(String::from_utf8_lossy(&s[..s.len().min(max)]).into_owned())
}

/// A copy of `text` in module memory, NUL-terminated (0 when the heap is
/// full).
pub(crate) fn alloc_str(ctx: &mut espb_runtime::HostCtx<'_>, text: &str) -> Result<u32, Trap> {
    let p = ctx.malloc(text.len() as u32 + 1);
    if p != 0 {
        ctx.mem.slice_mut(p, text.len())?.copy_from_slice(text.as_bytes());
        ctx.mem.slice_mut(p + text.len() as u32, 1)?[0] = 0;
    }
    Ok(p)
}

/// Calls a module callback from a service task (a timer, an event
/// handler): what the firmware does with a function pointer it was given.
/// A callback into a module that is gone is logged by the pool; a trap
/// stops the module, which reports it.
pub(crate) fn callback(k: &Kernel, what: &str, addr: u32, args: &[u64]) {
    match k.pool.call(addr, args) {
        Ok(_) | Err(CallbackError::Unloaded { .. } | CallbackError::Trapped(_)) => {}
        Err(e) => k.console.err_line(&format!("espb-sim: {what}: {e}")),
    }
}

/// The body of service task `s`: it serves until the run ends.
pub(crate) fn service_body(k: &'static Kernel, s: Service) {
    match s {
        Service::Timers => timer::service(k),
        Service::EspTimers => esp_timer::service(k),
        Service::Events => event::service(k),
        Service::Gpio => gpio::service(k),
        Service::Isr => {
            while let Ok(job) = k.wait_service(Service::Isr, |w| (w.rtos.deferred.pop_front(), None)) {
                job.run();
            }
        }
    }
}

/// Unload's stopper ([`espb_runtime::os::Os::stop`]): stops what a module
/// left behind.
pub(crate) fn stop(k: &Kernel, r: Resource) {
    match r {
        Resource::Task(h) => {
            k.delete_task(h as TaskId);
        }
        Resource::Timer(h) => timer::remove(k, h),
        Resource::EspTimer(h) => esp_timer::remove(k, h),
        Resource::GpioIsr(pin) => gpio::remove_handler(k, pin),
        Resource::Event { base, id, handler, .. } => event::remove(k, |e| e.is(base, id, handler, 0)),
        Resource::EventInstance { base, id, instance, .. } => {
            event::remove(k, |e| e.base == base && e.id == id && e.instance == instance)
        }
        // The module's tasks are gone by now (unload stops them first).
        Resource::Queue(h) => {
            k.lock().rtos.queues.remove(&h);
        }
        Resource::EventGroup(h) => {
            k.lock().rtos.groups.remove(&h);
        }
        // The simulator has no heap_caps natives.
        Resource::HeapBlock(_) => {}
    }
}

/// What the simulated firmware still holds of a module after its unload:
/// "1 queue, 2 event groups" (every kernel object of a run is the module's:
/// the simulated firmware makes none of its own). Empty when nothing leaked.
pub(crate) fn leftovers(k: &Kernel) -> String {
    let w = k.lock();
    let o = &w.rtos;
    let counts = [
        (o.queues.len(), "queue"),
        (o.groups.len(), "event group"),
        (o.timers.len(), "software timer"),
        (o.esp_timers.len(), "esp_timer"),
    ];
    let parts: Vec<String> = counts
        .iter()
        .filter(|c| c.0 > 0)
        .map(|&(n, what)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
        .collect();
    parts.join(", ")
}
