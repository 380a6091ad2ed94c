//! A small preemptive scheduler for the QEMU test firmware, exporting the
//! FreeRTOS and ESP-IDF functions modules call, with their C signatures
//! (ESP-IDF v5's FreeRTOS, the espb SDK headers): tasks, delays, queues,
//! semaphores and mutexes, software timers with their timer service task,
//! and esp_timer with its dispatch task.
//!
//! * One hart, M-mode. The machine timer interrupt (the CLINT's
//!   `mtimecmp`) drives the tick and the esp_timer alarms; a task switch
//!   saves every integer register, and under ilp32f every float register
//!   and fcsr, on the task's stack (port.rs).
//! * The tick rate is [`TICK_RATE_HZ`] (ESP-IDF's default
//!   CONFIG_FREERTOS_HZ); esp_timer has microsecond resolution.
//! * Kernel state is protected by masking interrupts; blocking calls
//!   switch with an `ecall`.
//! * Not offered: priority inheritance beyond one level of mutex holding,
//!   task notifications, event groups, static allocation, more than one
//!   core (core 0 and tskNO_AFFINITY are accepted, other cores refused).
//! * Handles are checked: a call with a stale or foreign handle panics with
//!   the function's name (on a device it would corrupt memory).
//!
//! Nothing runs until [`start`]: the firmware's default mode never starts
//! the scheduler, and the functions that do not block work without it.

pub mod esp_timer;
pub mod port;
pub mod queue;
pub mod sched;
pub mod timer;

include!("config.rs");
/// configMAX_PRIORITIES of ESP-IDF.
pub const MAX_PRIORITIES: u32 = 25;

/// ESP-IDF's system tasks: main (ESP_TASK_MAIN_PRIO), timer service
/// (CONFIG_FREERTOS_TIMER_TASK_PRIORITY), esp_timer (ESP_TASK_TIMER_PRIO),
/// with their stack sizes in bytes: ESP-IDF's defaults (2048 and 3584)
/// raised to 6144, as a firmware running module callbacks in them must and
/// as the firmware templates do (CONFIG_FREERTOS_TIMER_TASK_STACK_DEPTH,
/// CONFIG_ESP_TIMER_TASK_STACK_SIZE): a callback interprets on the caller's
/// stack, about 3 KiB here, and a timer callback that starts a pushed
/// module overflowed 4096.
pub const MAIN_TASK_PRIORITY: u32 = 1;
pub const TIMER_TASK_PRIORITY: u32 = 1;
pub const TIMER_TASK_STACK: usize = 6144;
pub const ESP_TIMER_TASK_PRIORITY: u32 = 22;
pub const ESP_TIMER_TASK_STACK: usize = 6144;

pub type TickType = u32;
pub type BaseType = i32;
pub type UBaseType = u32;
pub type TaskFunction = unsafe extern "C" fn(*mut core::ffi::c_void);

pub const PD_TRUE: BaseType = 1;
pub const PD_FALSE: BaseType = 0;
pub const PD_PASS: BaseType = 1;
pub const PD_FAIL: BaseType = 0;
pub const MAX_DELAY: TickType = TickType::MAX;
pub const NO_AFFINITY: BaseType = 0x7fff_ffff;
