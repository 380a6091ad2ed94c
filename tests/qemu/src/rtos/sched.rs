//! Tasks and the scheduler: the kernel state, the timer tick, the trap
//! handler's task switch, and FreeRTOS's task functions.
//!
//! Scheduling is FreeRTOS's: the highest-priority ready task runs, a task
//! made ready that has a higher priority than the running one preempts it at
//! once, and tasks of equal priority take turns on every tick (time slicing),
//! first-come first-served (each task carries a sequence number taken when
//! it became ready or blocked; the lowest runs first, and the tick gives the
//! running task a new one).

use super::port;
use super::*;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::ffi::{CStr, c_char, c_void};
use core::sync::atomic::{AtomicBool, Ordering};

/// Stack of a task whose creator asks for less (bytes): one saved frame,
/// the handler-free part of a native call, and some formatting.
const MIN_STACK: usize = 1024;
/// What stacks are filled with, to find an overflow (the lowest words must
/// still hold it when the task is switched out, as FreeRTOS's
/// configCHECK_FOR_STACK_OVERFLOW = 2, ESP-IDF's default, checks).
const STACK_FILL: u128 = 0xa5a5_a5a5_a5a5_a5a5_a5a5_a5a5_a5a5_a5a5;
const TICK_MTIME: u64 = port::MTIME_HZ / TICK_RATE_HZ as u64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    Ready,
    Blocked,
}

/// What a blocked task waits for besides its timeout: an object (a queue's
/// address, or a system task's event) and which side of it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Wait {
    pub obj: usize,
    pub dir: Dir,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dir {
    /// Room in a queue.
    Send,
    /// An item in a queue, a semaphore count, a free mutex.
    Receive,
    /// Work for a system task (timer service, esp_timer).
    Event,
}

/// A task control block; `TaskHandle_t` points at one.
pub struct Tcb {
    sp: usize,
    stack: Box<[u128]>,
    name: [u8; MAX_TASK_NAME_LEN],
    pub prio: u32,
    pub base_prio: u32,
    pub mutexes_held: u32,
    state: State,
    seq: u64,
    /// The tick a blocked task wakes at without its event (None: never).
    wake: Option<TickType>,
    wait: Option<Wait>,
}

impl Tcb {
    pub fn name(&self) -> &str {
        CStr::from_bytes_until_nul(&self.name).ok().and_then(|s| s.to_str().ok()).unwrap_or("?")
    }
}

pub type TaskHandle = *mut Tcb;

/// Everything the scheduler owns. Only touched with interrupts masked,
/// through [`kernel`] (tasks) or by the trap handler.
pub struct Kernel {
    /// Live tasks, in creation order.
    tasks: Vec<TaskHandle>,
    pub current: TaskHandle,
    pub tick: TickType,
    next_tick_at: u64,
    seq: u64,
    pub started: bool,
    /// Set when a task of higher priority than the running one became
    /// ready (or the running one blocked): [`kernel`] then switches.
    pub switch: bool,
    /// Deleted tasks, freed by the idle task (one may still be running on
    /// its stack when it is deleted).
    dead: Vec<TaskHandle>,
    pub queues: Vec<*mut queue::Queue>,
    pub timers: Vec<*mut timer::Timer>,
    pub esp_timers: Vec<*mut esp_timer::EspTimer>,
    /// Calls for the timer service task (xTimerPendFunctionCall), in order.
    pub pended: VecDeque<timer::Pended>,
    pub timer_task: TaskHandle,
    pub esp_timer_task: TaskHandle,
}

struct KernelCell(UnsafeCell<Kernel>);
// SAFETY: one hart; the kernel is only reached with interrupts masked
// (see `kernel` and `rtos_trap`).
unsafe impl Sync for KernelCell {}

static KERNEL: KernelCell = KernelCell(UnsafeCell::new(Kernel {
    tasks: Vec::new(),
    current: core::ptr::null_mut(),
    tick: 0,
    next_tick_at: 0,
    seq: 0,
    started: false,
    switch: false,
    dead: Vec::new(),
    queues: Vec::new(),
    timers: Vec::new(),
    esp_timers: Vec::new(),
    pended: VecDeque::new(),
    timer_task: core::ptr::null_mut(),
    esp_timer_task: core::ptr::null_mut(),
}));

/// Whether the trap handler is running (xPortInIsrContext).
static IN_ISR: AtomicBool = AtomicBool::new(false);

/// Runs `f` on the kernel with interrupts masked; if it readied a task that
/// outranks the caller or blocked the caller, switches tasks before
/// unmasking (the caller resumes here when it is picked again). `f` must
/// not call back into the exported functions.
pub fn kernel<R>(f: impl FnOnce(&mut Kernel) -> R) -> R {
    let on = port::irq_save();
    // SAFETY: interrupts are masked, so the trap handler does not run
    // (it takes the `ecall` below only after this borrow ended), and `f`
    // does not nest: this is the only reference.
    let k = unsafe { &mut *KERNEL.0.get() };
    let r = f(k);
    let switch = core::mem::take(&mut k.switch) && k.started && !IN_ISR.load(Ordering::Relaxed);
    if switch {
        port::trap_yield();
    }
    port::irq_restore(on);
    r
}

/// Whether tick `now` has reached tick `at` (modulo wrap-around).
pub fn reached(now: TickType, at: TickType) -> bool {
    now.wrapping_sub(at) as i32 >= 0
}

/// The live object `h` of `list`, or a panic naming the function: a stale
/// or foreign handle is a bug in the caller (on a device it would corrupt
/// memory), and the tests should say so.
pub fn live<T>(list: &[*mut T], h: *mut T, what: &str) -> *mut T {
    if h.is_null() || !list.contains(&h) {
        panic!("{what}: {h:p} is not a live handle");
    }
    h
}

impl Kernel {
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn tcb(&self, h: TaskHandle) -> &'static mut Tcb {
        // SAFETY: handles in `tasks` point at leaked boxes freed only after
        // they left it, and the kernel is reached by one party at a time.
        unsafe { &mut *h }
    }

    pub fn cur(&self) -> &'static mut Tcb {
        assert!(!self.current.is_null(), "no task is running: the scheduler has not started");
        self.tcb(self.current)
    }

    /// The task `h` names (NULL: the caller), checked to be alive.
    pub fn task(&self, h: TaskHandle, what: &str) -> TaskHandle {
        if h.is_null() {
            self.cur();
            self.current
        } else {
            live(&self.tasks, h, what)
        }
    }

    pub fn make_ready(&mut self, h: TaskHandle) {
        let seq = self.next_seq();
        let t = self.tcb(h);
        t.state = State::Ready;
        t.wake = None;
        t.wait = None;
        t.seq = seq;
        if self.current.is_null() || t.prio > self.cur().prio {
            self.switch = true;
        }
    }

    /// Blocks the caller until `wait` is signalled or tick `wake` (None:
    /// forever).
    pub fn block_current(&mut self, wait: Option<Wait>, wake: Option<TickType>) {
        assert!(self.started, "a blocking call before the scheduler started");
        let seq = self.next_seq();
        let t = self.cur();
        t.state = State::Blocked;
        t.wait = wait;
        t.wake = wake;
        t.seq = seq;
        self.switch = true;
    }

    /// For a FromISR function, which never switches: sets `*woken` to
    /// pdTRUE if it readied a task that outranks the caller.
    pub fn report_woken(&mut self, woken: *mut BaseType) {
        if core::mem::take(&mut self.switch) && !woken.is_null() {
            // SAFETY: the FromISR caller passes NULL or a writable word.
            unsafe { woken.write(PD_TRUE) };
        }
    }

    /// Moves the running task behind the other ready tasks of its priority.
    pub fn rotate_current(&mut self) {
        let seq = self.next_seq();
        self.cur().seq = seq;
        self.switch = true;
    }

    /// The first task blocked on `wait` that `ready` accepts: highest
    /// priority, then the one that blocked first (FreeRTOS's event lists).
    fn first_waiter(&self, ready: impl Fn(&Tcb) -> bool) -> Option<TaskHandle> {
        self.tasks
            .iter()
            .copied()
            .filter(|&h| {
                let t = self.tcb(h);
                t.state == State::Blocked && ready(t)
            })
            .max_by_key(|&h| (self.tcb(h).prio, core::cmp::Reverse(self.tcb(h).seq)))
    }

    /// Wakes the first task waiting on `obj` from side `dir`; whether one was.
    pub fn wake_one(&mut self, obj: usize, dir: Dir) -> bool {
        let wait = Some(Wait { obj, dir });
        match self.first_waiter(|t| t.wait == wait) {
            Some(h) => {
                self.make_ready(h);
                true
            }
            None => false,
        }
    }

    pub fn has_waiters(&self, obj: usize) -> bool {
        self.first_waiter(|t| t.wait.is_some_and(|w| w.obj == obj)).is_some()
    }

    /// Whether system task `h` is blocked waiting for its event.
    pub fn waits_for_event(&self, h: TaskHandle) -> bool {
        !h.is_null() && self.tcb(h).state == State::Blocked && self.tcb(h).wait.is_some_and(|w| w.dir == Dir::Event)
    }

    pub fn is_live(&self, h: TaskHandle) -> bool {
        !h.is_null() && self.tasks.contains(&h)
    }

    pub fn number_of_tasks(&self) -> usize {
        self.tasks.len()
    }

    fn pick(&self) -> TaskHandle {
        self.tasks
            .iter()
            .copied()
            .filter(|&h| self.tcb(h).state == State::Ready)
            .max_by_key(|&h| (self.tcb(h).prio, core::cmp::Reverse(self.tcb(h).seq)))
            .expect("the idle task is always ready")
    }

    /// The tick interrupt: counts every tick period that passed (a masked
    /// section may have delayed it), wakes the tasks whose timeout came, in
    /// the order they blocked, then gives the running task's turn to the
    /// next ready task of its priority.
    fn on_timer_interrupt(&mut self) {
        let now = port::mtime();
        let mut ticked = false;
        while now >= self.next_tick_at {
            self.tick = self.tick.wrapping_add(1);
            self.next_tick_at += TICK_MTIME;
            ticked = true;
            let tick = self.tick;
            while let Some(h) = self.first_waiter(|t| t.wake.is_some_and(|w| reached(tick, w))) {
                self.make_ready(h);
            }
        }
        if ticked && self.cur().state == State::Ready {
            self.rotate_current();
        }
        esp_timer::on_interrupt(self);
    }

    /// Arms the timer interrupt for the next tick or esp_timer alarm.
    pub fn program_timer(&mut self) {
        if !self.started {
            return;
        }
        let alarm = esp_timer::next_alarm_mtime(self).unwrap_or(u64::MAX);
        port::set_mtimecmp(self.next_tick_at.min(alarm));
    }

    /// Creates a task; the caller may be preempted by it (FreeRTOS does).
    pub fn create(
        &mut self,
        code: TaskFunction,
        name: &[u8],
        stack: usize,
        param: *mut c_void,
        prio: u32,
    ) -> TaskHandle {
        let words = stack.max(MIN_STACK).div_ceil(16);
        let mut stack = vec![STACK_FILL; words].into_boxed_slice();
        let top = stack.as_mut_ptr_range().end as usize;
        let sp = top - port::FRAME_BYTES;
        // SAFETY: the frame lies inside the new stack, which is 16-byte aligned.
        let frame = unsafe { core::slice::from_raw_parts_mut(sp as *mut usize, port::FRAME_BYTES / 4) };
        frame.fill(0);
        frame[port::FRAME_MEPC] = task_start as extern "C" fn(TaskFunction, *mut c_void) -> ! as usize;
        frame[port::FRAME_MSTATUS] = port::MSTATUS_TASK;
        frame[port::FRAME_A0] = code as usize;
        frame[port::FRAME_A1] = param as usize;
        let mut n = [0u8; MAX_TASK_NAME_LEN];
        let len = name.len().min(MAX_TASK_NAME_LEN - 1);
        n[..len].copy_from_slice(&name[..len]);
        let prio = prio.min(MAX_PRIORITIES - 1);
        let tcb = Box::new(Tcb {
            sp,
            stack,
            name: n,
            prio,
            base_prio: prio,
            mutexes_held: 0,
            state: State::Ready,
            seq: 0,
            wake: None,
            wait: None,
        });
        let h = Box::into_raw(tcb);
        self.tasks.push(h);
        self.make_ready(h);
        if !self.started {
            self.switch = false;
        }
        h
    }

    /// Deletes task `h` (the caller too: then it never returns from the
    /// switch); its memory is freed by the idle task.
    pub fn delete(&mut self, h: TaskHandle) {
        self.tasks.retain(|&t| t != h);
        queue::forget_holder(self, h);
        self.dead.push(h);
        if h == self.current {
            self.switch = true;
        }
    }

    fn check_stack(&self, h: TaskHandle, sp: usize) {
        let t = self.tcb(h);
        let range = t.stack.as_ptr_range();
        if t.stack[..2].iter().any(|&w| w != STACK_FILL) || sp < range.start as usize || sp > range.end as usize {
            panic!("stack overflow in task `{}` ({} bytes)", t.name(), t.stack.len() * 16);
        }
    }
}

/// Where every task starts (the initial frame's mepc): runs its function,
/// which must not return (ESP-IDF aborts there too).
extern "C" fn task_start(code: TaskFunction, param: *mut c_void) -> ! {
    // SAFETY: the creator's function and parameter.
    unsafe { code(param) };
    let name = kernel(|k| k.cur().name());
    panic!("task `{name}` returned from its function (a FreeRTOS task must delete itself)")
}

/// The trap handler (called by the trap entry on its own stack with the
/// interrupted context's stack pointer; returns the stack pointer of the
/// context to resume).
#[unsafe(no_mangle)]
extern "C" fn rtos_trap(sp: usize) -> usize {
    let cause = port::mcause();
    // SAFETY: a trap masks interrupts and a task only traps outside
    // `kernel`'s borrow: this is the only reference.
    let k = unsafe { &mut *KERNEL.0.get() };
    if cause != port::MCAUSE_ECALL_M && cause != port::MCAUSE_TIMER {
        panic!("trap: mcause {cause:#x} at mepc {:#x}, mtval {:#x}", unsafe { *(sp as *const usize) }, port::mtval());
    }
    if cause == port::MCAUSE_ECALL_M {
        // SAFETY: `sp` is the saved frame; resume after the 4-byte ecall.
        unsafe { *(sp as *mut usize).add(port::FRAME_MEPC) += 4 };
    }
    if !k.started {
        return sp;
    }
    IN_ISR.store(true, Ordering::Relaxed);
    let old = k.current;
    k.cur().sp = sp;
    if !k.dead.contains(&old) {
        k.check_stack(old, sp);
    }
    if cause == port::MCAUSE_TIMER {
        k.on_timer_interrupt();
        // ISR-dispatched esp_timer callbacks run here, in interrupt
        // context, through `kernel` like any caller: no borrow is live.
        esp_timer::dispatch_in_isr();
    }
    // SAFETY: as above; the callbacks' borrows ended.
    let k = unsafe { &mut *KERNEL.0.get() };
    k.program_timer();
    k.switch = false;
    k.current = k.pick();
    IN_ISR.store(false, Ordering::Relaxed);
    k.cur().sp
}

/// Creates the system tasks and `main` (ESP-IDF's names and priorities)
/// and starts scheduling; never returns.
pub fn start(main: fn(), main_stack: usize) -> ! {
    let on = port::irq_save();
    debug_assert!(on, "the scheduler starts once");
    // SAFETY: interrupts are masked and the scheduler has not started: no
    // other reference exists, and none is left when the first task runs.
    let k = unsafe { &mut *KERNEL.0.get() };
    // Room up front, so the lists' capacity does not move with the number
    // of objects (heap use then shows leaks exactly).
    k.tasks.reserve(32);
    k.dead.reserve(32);
    k.queues.reserve(32);
    k.timers.reserve(32);
    k.esp_timers.reserve(32);
    k.pended.reserve(32);
    k.create(run_rust_task, b"main", main_stack, main as *mut c_void, MAIN_TASK_PRIORITY);
    k.create(idle_task, b"IDLE", 2048, core::ptr::null_mut(), 0);
    k.timer_task =
        k.create(timer::service_task, b"Tmr Svc", TIMER_TASK_STACK, core::ptr::null_mut(), TIMER_TASK_PRIORITY);
    k.esp_timer_task = k.create(
        esp_timer::dispatch_task,
        b"esp_timer",
        ESP_TIMER_TASK_STACK,
        core::ptr::null_mut(),
        ESP_TIMER_TASK_PRIORITY,
    );
    k.started = true;
    k.switch = false;
    k.next_tick_at = port::mtime() + TICK_MTIME;
    k.current = k.pick();
    k.program_timer();
    port::enable_timer_interrupt();
    let sp = k.cur().sp;
    // SAFETY: interrupts are masked; `sp` is the picked task's initial frame.
    unsafe { port::start_first(sp) }
}

extern "C" fn run_rust_task(f: *mut c_void) {
    // SAFETY: `start` passes a `fn()` as the parameter.
    let f: fn() = unsafe { core::mem::transmute::<*mut c_void, fn()>(f) };
    f();
    // SAFETY: deleting the caller.
    unsafe { vTaskDelete(core::ptr::null_mut()) };
}

/// The idle task: frees deleted tasks, then sleeps until an interrupt.
extern "C" fn idle_task(_: *mut c_void) {
    loop {
        while let Some(h) = kernel(|k| k.dead.pop()) {
            // SAFETY: a deleted task is not running (this one is) and left
            // every kernel list: this is the last reference.
            drop(unsafe { Box::from_raw(h) });
        }
        port::wait_for_interrupt();
    }
}

// ---- FreeRTOS task functions (freertos/task.h) --------------------------

/// # Safety
/// `name` must be NULL or NUL-terminated; `created` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xTaskCreatePinnedToCore(
    code: Option<TaskFunction>,
    name: *const c_char,
    stack_depth: u32,
    param: *mut c_void,
    priority: UBaseType,
    created: *mut TaskHandle,
    core_id: BaseType,
) -> BaseType {
    // An existing core or "any" (ESP-IDF's single-core chips refuse others).
    let core_ok = u32::try_from(core_id).is_ok_and(|c| c < NUMBER_OF_CORES) || core_id == NO_AFFINITY;
    let Some(code) = code.filter(|_| core_ok) else {
        return PD_FAIL;
    };
    // SAFETY: caller's contract.
    let name = if name.is_null() { &[][..] } else { unsafe { CStr::from_ptr(name) }.to_bytes() };
    let h = kernel(|k| k.create(code, name, stack_depth as usize, param, priority));
    if !created.is_null() {
        // SAFETY: caller's contract.
        unsafe { created.write(h) };
    }
    PD_PASS
}

/// # Safety
/// `task` must be NULL (the caller) or a live task.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vTaskDelete(task: TaskHandle) {
    kernel(|k| {
        let h = k.task(task, "vTaskDelete");
        k.delete(h);
    });
}

#[unsafe(no_mangle)]
pub extern "C" fn vTaskDelay(ticks: TickType) {
    kernel(|k| {
        if ticks == 0 {
            k.rotate_current();
        } else {
            let wake = k.tick.wrapping_add(ticks);
            k.block_current(None, Some(wake));
        }
    });
}

/// # Safety
/// `previous` must be valid for reads and writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xTaskDelayUntil(previous: *mut TickType, increment: TickType) -> BaseType {
    kernel(|k| {
        // SAFETY: caller's contract.
        let prev = unsafe { previous.read() };
        let next = prev.wrapping_add(increment);
        // SAFETY: caller's contract.
        unsafe { previous.write(next) };
        if k.tick.wrapping_sub(prev) < increment {
            k.block_current(None, Some(next));
            PD_TRUE
        } else {
            PD_FALSE
        }
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn xTaskGetTickCount() -> TickType {
    kernel(|k| k.tick)
}

#[unsafe(no_mangle)]
pub extern "C" fn xTaskGetTickCountFromISR() -> TickType {
    xTaskGetTickCount()
}

#[unsafe(no_mangle)]
pub extern "C" fn xTaskGetCurrentTaskHandle() -> TaskHandle {
    kernel(|k| k.current)
}

/// # Safety
/// `task` must be NULL (the caller) or a live task.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pcTaskGetName(task: TaskHandle) -> *mut c_char {
    kernel(|k| {
        let h = k.task(task, "pcTaskGetName");
        k.tcb(h).name.as_mut_ptr().cast()
    })
}

/// The least stack task `task` (NULL: the caller) has had left, in bytes
/// as ESP-IDF counts (to a 16-byte granule: the part still holding the
/// fill pattern).
///
/// # Safety
/// `task` must be NULL (the caller) or a live task.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uxTaskGetStackHighWaterMark(task: TaskHandle) -> UBaseType {
    kernel(|k| {
        let h = k.task(task, "uxTaskGetStackHighWaterMark");
        let untouched = k.tcb(h).stack.iter().take_while(|&&w| w == STACK_FILL).count();
        (untouched * 16) as UBaseType
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn uxTaskGetNumberOfTasks() -> UBaseType {
    kernel(|k| k.number_of_tasks() as UBaseType)
}

/// portYIELD / taskYIELD: lets the other ready tasks of the caller's
/// priority run first.
#[unsafe(no_mangle)]
pub extern "C" fn vPortYield() {
    kernel(Kernel::rotate_current);
}

#[unsafe(no_mangle)]
pub extern "C" fn xPortInIsrContext() -> BaseType {
    BaseType::from(IN_ISR.load(Ordering::Relaxed))
}

#[unsafe(no_mangle)]
pub extern "C" fn xTaskGetSchedulerState() -> BaseType {
    // taskSCHEDULER_NOT_STARTED / taskSCHEDULER_RUNNING.
    kernel(|k| if k.started { 2 } else { 1 })
}
