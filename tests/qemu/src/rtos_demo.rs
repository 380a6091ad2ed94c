//! The firmware's `rtos` mode: native Rust tasks exercising the scheduler
//! through the exported C functions, as a module's calls would (the
//! semphr.h / timers.h macros spelled out). Every line it prints is fixed
//! by the scheduling rules, not by how fast QEMU runs: delays start right
//! after a tick, times are printed in ticks or rounded milliseconds, and
//! busy loops report only whether they ran. (riscv32imc has no atomic
//! read-modify-write: each counter has one writer.)

use crate::rtos::esp_timer::*;
use crate::rtos::queue::*;
use crate::rtos::sched::*;
use crate::rtos::timer::*;
use crate::rtos::*;
use core::ffi::{CStr, c_void};
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

const SEND_TO_BACK: BaseType = 0;
const QUEUE_TYPE_MUTEX: u8 = 1;
const QUEUE_TYPE_RECURSIVE_MUTEX: u8 = 4;

/// Where tasks report that they finished: main waits for them here.
static DONE: AtomicUsize = AtomicUsize::new(0);
/// The tick a part started at: tasks print ticks relative to it.
static T0: AtomicU32 = AtomicU32::new(0);

fn name() -> &'static str {
    // SAFETY: the running task's name, NUL-terminated in its TCB.
    unsafe { CStr::from_ptr(pcTaskGetName(core::ptr::null_mut())) }.to_str().unwrap_or("?")
}

fn since_t0() -> TickType {
    xTaskGetTickCount().wrapping_sub(T0.load(Ordering::Relaxed))
}

/// Waits for the next tick, so what follows has a whole tick of time.
fn start_part(title: &str) {
    vTaskDelay(1);
    T0.store(xTaskGetTickCount(), Ordering::Relaxed);
    println!("-- {title}");
}

fn spawn(code: TaskFunction, name: &CStr, prio: u32, param: *mut c_void) {
    // SAFETY: a NUL-terminated name; no handle wanted.
    let ok = unsafe {
        xTaskCreatePinnedToCore(Some(code), name.as_ptr(), 4096, param, prio, core::ptr::null_mut(), NO_AFFINITY)
    };
    assert_eq!(ok, PD_PASS, "xTaskCreatePinnedToCore");
}

fn done_queue() -> QueueHandle {
    DONE.load(Ordering::Relaxed) as QueueHandle
}

/// A task's last act: tells main, then deletes itself.
fn finish() -> ! {
    let me = 1u32;
    // SAFETY: the done queue holds u32 items.
    unsafe { xQueueGenericSend(done_queue(), (&raw const me).cast(), MAX_DELAY, SEND_TO_BACK) };
    // SAFETY: deleting the caller.
    unsafe { vTaskDelete(core::ptr::null_mut()) };
    unreachable!("a deleted task ran on")
}

fn wait_done(n: usize) {
    for _ in 0..n {
        let mut v = 0u32;
        // SAFETY: the done queue holds u32 items.
        let ok = unsafe { xQueueReceive(done_queue(), (&raw mut v).cast(), MAX_DELAY) };
        assert_eq!(ok, PD_PASS, "xQueueReceive without timeout");
    }
}

// ---- two tasks printing with delays -----------------------------------------

extern "C" fn ping(_: *mut c_void) {
    for i in 1..=3 {
        vTaskDelay(3);
        println!("{}: {i} at +{} ticks", name(), since_t0());
    }
    finish()
}

extern "C" fn pong(_: *mut c_void) {
    let mut last = T0.load(Ordering::Relaxed);
    for i in 1..=3 {
        // SAFETY: a local tick count.
        let delayed = unsafe { xTaskDelayUntil(&raw mut last, 5) };
        println!("{}: {i} at +{} ticks (delayed: {delayed})", name(), since_t0());
    }
    finish()
}

// ---- software timers -----------------------------------------------------------

static FIRED: AtomicU32 = AtomicU32::new(0);

fn timer_line(t: TimerHandle) {
    // SAFETY: a live timer, named with a static string.
    let (tname, id) = unsafe { (CStr::from_ptr(pcTimerGetName(t)), pvTimerGetTimerID(t) as usize) };
    println!("timer {} (id {id}) in {} at +{} ticks", tname.to_str().unwrap_or("?"), name(), since_t0());
}

extern "C" fn periodic_cb(t: TimerHandle) {
    timer_line(t);
    let n = FIRED.load(Ordering::Relaxed) + 1;
    FIRED.store(n, Ordering::Relaxed);
    // SAFETY: the timer this callback belongs to.
    unsafe {
        if n == 1 {
            // xTimerChangePeriod(t, 3, 0): the next expiry is 3 ticks from now.
            xTimerGenericCommand(t, 4, 3, core::ptr::null_mut(), 0);
        } else if n == 3 {
            // xTimerStop(t, 0)
            xTimerGenericCommand(t, 3, 0, core::ptr::null_mut(), 0);
            finish_from_callback();
        }
    }
}

extern "C" fn once_cb(t: TimerHandle) {
    timer_line(t);
    finish_from_callback();
}

/// Callbacks must not block or delete their task: only report.
fn finish_from_callback() {
    let me = 1u32;
    // SAFETY: the done queue holds u32 items.
    unsafe { xQueueGenericSend(done_queue(), (&raw const me).cast(), 0, SEND_TO_BACK) };
}

fn software_timers() {
    start_part("software timers");
    // SAFETY: static names; callbacks of the right type.
    unsafe {
        let every = xTimerCreate(c"every2".as_ptr(), 2, PD_TRUE, 7 as *mut c_void, Some(periodic_cb));
        let once = xTimerCreate(c"once5".as_ptr(), 5, PD_FALSE, 9 as *mut c_void, Some(once_cb));
        let none = xTimerCreate(c"zero".as_ptr(), 0, PD_FALSE, core::ptr::null_mut(), Some(once_cb));
        println!("xTimerCreate with period 0: {}", if none.is_null() { "NULL" } else { "a timer" });
        // xTimerStart(t, 0)
        for t in [every, once] {
            assert_eq!(xTimerGenericCommand(t, 1, xTaskGetTickCount(), core::ptr::null_mut(), 0), PD_PASS);
        }
        wait_done(2);
        println!(
            "every2 active after stop: {}, once5 active after firing: {}",
            xTimerIsTimerActive(every),
            xTimerIsTimerActive(once)
        );
        // xTimerDelete(t, 0)
        for t in [every, once] {
            assert_eq!(xTimerGenericCommand(t, 5, 0, core::ptr::null_mut(), 0), PD_PASS);
        }
    }
}

// ---- esp_timer -> queue -> task ---------------------------------------------

static SAMPLES: AtomicU32 = AtomicU32::new(0);
static SAMPLER: AtomicUsize = AtomicUsize::new(0);
/// Low 32 bits of esp_timer_get_time() when a part started.
static START_US: AtomicU32 = AtomicU32::new(0);

fn now_us32() -> u32 {
    esp_timer_get_time() as u32
}

fn ms_since_start() -> u32 {
    (now_us32().wrapping_sub(START_US.load(Ordering::Relaxed)) + 500) / 1000
}

extern "C" fn sample_cb(arg: *mut c_void) {
    let n = SAMPLES.load(Ordering::Relaxed) + 1;
    SAMPLES.store(n, Ordering::Relaxed);
    println!("esp_timer callback {n} in {}", name());
    // xQueueSendToBack(q, &n, 0)
    // SAFETY: `arg` is the u32 queue the timer was created with.
    let sent = unsafe { xQueueGenericSend(arg as QueueHandle, (&raw const n).cast(), 0, SEND_TO_BACK) };
    assert_eq!(sent, PD_PASS);
    if n == 3 {
        let r = esp_timer_stop(SAMPLER.load(Ordering::Relaxed) as EspTimerHandle);
        println!("esp_timer_stop in its callback: {r:#x}");
    }
}

extern "C" fn consumer(q: *mut c_void) {
    for _ in 0..3 {
        let mut v = 0u32;
        // SAFETY: a u32 queue.
        let ok = unsafe { xQueueReceive(q as QueueHandle, (&raw mut v).cast(), MAX_DELAY) };
        println!("{}: received {v} ({ok}) after {} ms", name(), ms_since_start());
    }
    finish()
}

extern "C" fn once_us_cb(_: *mut c_void) {
    println!("one-shot esp_timer after {} ms in {}", ms_since_start(), name());
    finish_from_callback();
}

fn esp_timers() {
    start_part("esp_timer and a queue");
    let q = xQueueGenericCreate(4, 4, 0);
    let args = EspTimerCreateArgs {
        callback: Some(sample_cb),
        arg: q.cast(),
        dispatch_method: 0,
        name: c"sampler".as_ptr(),
        skip_unhandled_events: false,
    };
    let mut t: EspTimerHandle = core::ptr::null_mut();
    // SAFETY: valid arguments and out pointer.
    let r = unsafe { esp_timer_create(&args, &mut t) };
    println!("esp_timer_create: {r:#x}");
    SAMPLER.store(t as usize, Ordering::Relaxed);
    let bad = EspTimerCreateArgs { dispatch_method: 2, ..args };
    let mut t2: EspTimerHandle = core::ptr::null_mut();
    // SAFETY: valid arguments and out pointer.
    let r = unsafe { esp_timer_create(&bad, &mut t2) };
    println!("esp_timer_create with dispatch method 2: {r:#x}");
    spawn(consumer, c"consumer", 6, q.cast());
    START_US.store(now_us32(), Ordering::Relaxed);
    println!("esp_timer_start_periodic 15 ms: {:#x}", esp_timer_start_periodic(t, 15_000));
    println!("again while armed: {:#x}", esp_timer_start_periodic(t, 15_000));
    println!("esp_timer_delete while armed: {:#x}", esp_timer_delete(t));
    wait_done(1);
    println!("esp_timer_stop when stopped: {:#x}", esp_timer_stop(t));

    let once = EspTimerCreateArgs { callback: Some(once_us_cb), ..args };
    // SAFETY: valid arguments and out pointer.
    unsafe { esp_timer_create(&once, &mut t2) };
    START_US.store(now_us32(), Ordering::Relaxed);
    println!("esp_timer_start_once 25 ms: {:#x}", esp_timer_start_once(t2, 25_000));
    wait_done(1);
    println!("esp_timer_is_active after it fired: {}", esp_timer_is_active(t2));
    println!("esp_timer_delete: {:#x} {:#x}", esp_timer_delete(t), esp_timer_delete(t2));
    // SAFETY: no task waits on it any more.
    unsafe { vQueueDelete(q) };
}

// ---- an esp_timer dispatched in the timer interrupt ----------------------

static ISR_TIMER: AtomicUsize = AtomicUsize::new(0);
static ISR_SENT: AtomicU32 = AtomicU32::new(0);
/// xPortInIsrContext() and pxHigherPriorityTaskWoken the callback saw.
static ISR_SEEN: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];

/// Runs in the timer interrupt: only FromISR calls, no printing.
extern "C" fn in_isr_cb(q: *mut c_void) {
    let n = ISR_SENT.load(Ordering::Relaxed) + 1;
    ISR_SENT.store(n, Ordering::Relaxed);
    let mut woken = PD_FALSE;
    // xQueueSendFromISR(q, &n, &woken)
    // SAFETY: a u32 queue; a local flag.
    unsafe { xQueueGenericSendFromISR(q as QueueHandle, (&raw const n).cast(), &mut woken, SEND_TO_BACK) };
    ISR_SEEN[0].store(xPortInIsrContext() as u32, Ordering::Relaxed);
    ISR_SEEN[1].store(woken as u32, Ordering::Relaxed);
    if n == 2 {
        esp_timer_stop(ISR_TIMER.load(Ordering::Relaxed) as EspTimerHandle);
    }
}

extern "C" fn isr_reader(q: *mut c_void) {
    for _ in 0..2 {
        let mut v = 0u32;
        // SAFETY: a u32 queue.
        unsafe { xQueueReceive(q as QueueHandle, (&raw mut v).cast(), MAX_DELAY) };
        let seen = |i: usize| ISR_SEEN[i].load(Ordering::Relaxed);
        println!(
            "{}: received {v} after {} ms (in ISR context: {}, woke a higher-priority task: {}; here: {})",
            name(),
            ms_since_start(),
            seen(0),
            seen(1),
            xPortInIsrContext()
        );
    }
    finish()
}

fn isr_esp_timer() {
    start_part("an esp_timer dispatched in the interrupt");
    let q = xQueueGenericCreate(2, 4, 0);
    let args = EspTimerCreateArgs {
        callback: Some(in_isr_cb),
        arg: q.cast(),
        dispatch_method: 1,
        name: c"in-isr".as_ptr(),
        skip_unhandled_events: false,
    };
    let mut t: EspTimerHandle = core::ptr::null_mut();
    // SAFETY: valid arguments and out pointer.
    let r = unsafe { esp_timer_create(&args, &mut t) };
    println!("esp_timer_create with ESP_TIMER_ISR: {r:#x}");
    ISR_TIMER.store(t as usize, Ordering::Relaxed);
    spawn(isr_reader, c"isr-reader", 3, q.cast());
    START_US.store(now_us32(), Ordering::Relaxed);
    esp_timer_start_periodic(t, 12_000);
    wait_done(1);
    println!("esp_timer_delete: {:#x}", esp_timer_delete(t));
    // SAFETY: no task waits on it any more.
    unsafe { vQueueDelete(q) };
}

// ---- a mutex shared by two tasks ------------------------------------------

static MUTEX: AtomicUsize = AtomicUsize::new(0);
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Reads the counter, waits a tick holding the mutex, writes it back plus
/// one: without the mutex the two tasks would lose updates.
extern "C" fn incrementer(_: *mut c_void) {
    let m = MUTEX.load(Ordering::Relaxed) as QueueHandle;
    for _ in 0..3 {
        // SAFETY: a live mutex.
        unsafe {
            assert_eq!(xQueueSemaphoreTake(m, MAX_DELAY), PD_PASS);
            let v = COUNTER.load(Ordering::Relaxed);
            vTaskDelay(1);
            COUNTER.store(v + 1, Ordering::Relaxed);
            println!("{}: counter {} at +{} ticks", name(), v + 1, since_t0());
            // xSemaphoreGive(m)
            assert_eq!(xQueueGenericSend(m, core::ptr::null(), 0, SEND_TO_BACK), PD_PASS);
        }
        vTaskDelay(1);
    }
    finish()
}

fn mutexes() {
    start_part("a mutex shared by two tasks");
    let m = xQueueCreateMutex(QUEUE_TYPE_MUTEX);
    MUTEX.store(m as usize, Ordering::Relaxed);
    spawn(incrementer, c"inc-a", 4, core::ptr::null_mut());
    spawn(incrementer, c"inc-b", 4, core::ptr::null_mut());
    // xSemaphoreGive by a task that does not hold it.
    // SAFETY: a live mutex.
    let foreign = unsafe { xQueueGenericSend(m, core::ptr::null(), 0, SEND_TO_BACK) };
    // xSemaphoreTake(m, 0) while inc-a holds it.
    // SAFETY: a live mutex.
    let busy = unsafe { xQueueSemaphoreTake(m, 0) };
    println!("main: give by a non-holder {foreign}, take while held {busy}");
    wait_done(2);
    println!("counter {} (expected 6)", COUNTER.load(Ordering::Relaxed));
    // SAFETY: no task waits on it any more.
    unsafe { vQueueDelete(m) };

    let r = xQueueCreateMutex(QUEUE_TYPE_RECURSIVE_MUTEX);
    // SAFETY: a live recursive mutex.
    unsafe {
        let takes = [xQueueTakeMutexRecursive(r, 0), xQueueTakeMutexRecursive(r, 0)];
        let gives = [xQueueGiveMutexRecursive(r), xQueueGiveMutexRecursive(r), xQueueGiveMutexRecursive(r)];
        println!("recursive mutex: takes {takes:?}, gives {gives:?}");
        vQueueDelete(r);
    }
}

// ---- preemption and round robin -----------------------------------------------

static STOP: AtomicBool = AtomicBool::new(false);
static SPINS: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];

#[cfg(qemu_fpu)]
macro_rules! fill_fpu {
    () => {
        r#"
    .option push
    .option arch, +f
    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    addi ra, a0, 100+\r
    fmv.w.x f\r, ra
    .endr
    andi ra, a0, 3
    fsrm ra
    .option pop
"#
    };
}
#[cfg(qemu_fpu)]
macro_rules! check_fpu {
    () => {
        r#"
    .option push
    .option arch, +f
    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fmv.x.w ra, f\r
    addi ra, ra, -(100+\r)
    bne ra, a0, 8f
    .endr
    frrm ra
    xor ra, ra, a0
    andi ra, ra, 3
    bnez ra, 8f
    .option pop
"#
    };
}
#[cfg(not(qemu_fpu))]
macro_rules! fill_fpu {
    () => {
        ""
    };
}
#[cfg(not(qemu_fpu))]
macro_rules! check_fpu {
    () => {
        ""
    };
}

#[cfg(qemu_fpu)]
macro_rules! fpu_frm_reset {
    () => {
        ".option push\n.option arch, +f\nfsrm zero\n.option pop\n"
    };
}
#[cfg(not(qemu_fpu))]
macro_rules! fpu_frm_reset {
    () => {
        ""
    };
}

// rtos_reg_check(seed, stop, spins): fills every integer register but
// sp, gp, tp, a0 (the seed), a1 and a2 (the pointers) with seed + its
// number, and under ilp32f every float register with seed + 100 + its
// number and frm with seed & 3, then checks them all, counting passes in
// *spins, until *stop: returns 1 as soon as one differs (a task switch
// lost it), else 0.
core::arch::global_asm!(concat!(
    r#"
    .section .text.rtos_reg_check, "ax"
    .global rtos_reg_check
rtos_reg_check:
    addi sp, sp, -64
    sw ra, 0(sp)
    .irp r, 8,9,18,19,20,21,22,23,24,25,26,27
    sw x\r, (\r-6)*4(sp)
    .endr
"#,
    fill_fpu!(),
    r#"
    .irp r, 5,6,7,8,9,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    addi x\r, a0, \r
    .endr
1:
    .irp r, 5,6,7,8,9,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    addi ra, a0, \r
    bne ra, x\r, 8f
    .endr
"#,
    check_fpu!(),
    r#"
    lw ra, 0(a2)
    addi ra, ra, 1
    sw ra, 0(a2)
    lbu ra, 0(a1)
    beqz ra, 1b
    li a0, 0
    j 9f
8:  li a0, 1
9:
"#,
    fpu_frm_reset!(),
    r#"
    lw ra, 0(sp)
    .irp r, 8,9,18,19,20,21,22,23,24,25,26,27
    lw x\r, (\r-6)*4(sp)
    .endr
    addi sp, sp, 64
    ret
"#
));

unsafe extern "C" {
    fn rtos_reg_check(seed: u32, stop: *const bool, spins: *mut u32) -> u32;
}

/// Never blocks: only the tick can take the processor from it. Spins with
/// its own values in every register, checking them.
extern "C" fn busy(i: *mut c_void) {
    let i = i as usize;
    // SAFETY: the flag and counter outlive the call; the function keeps
    // the calling convention's callee-saved registers.
    let bad = unsafe { rtos_reg_check(0x1000 * (i as u32 + 1), STOP.as_ptr(), SPINS[i].as_ptr()) };
    println!("{}: stopped, registers {}", name(), if bad == 0 { "intact" } else { "CORRUPTED" });
    finish()
}

extern "C" fn high(_: *mut c_void) {
    spawn(busy, c"busy-1", 2, core::ptr::without_provenance_mut(0));
    spawn(busy, c"busy-2", 2, core::ptr::without_provenance_mut(1));
    vTaskDelay(5);
    let ran = |i: usize| if SPINS[i].load(Ordering::Relaxed) > 0 { "ran" } else { "did not run" };
    println!("{}: woke at +{} ticks over busy loops; busy-1 {}, busy-2 {}", name(), since_t0(), ran(0), ran(1));
    STOP.store(true, Ordering::Relaxed);
    finish()
}

fn preemption() {
    start_part("preemption and round robin");
    spawn(high, c"high", 8, core::ptr::null_mut());
    wait_done(3);
}

fn main_task() {
    println!(
        "rtos: {TICK_RATE_HZ} Hz tick, {} tasks at start, scheduler state {}",
        uxTaskGetNumberOfTasks(),
        xTaskGetSchedulerState()
    );
    DONE.store(xQueueGenericCreate(8, 4, 0) as usize, Ordering::Relaxed);
    let heap_before = crate::HEAP.in_use();

    start_part("two tasks with delays");
    spawn(ping, c"ping", 5, core::ptr::null_mut());
    spawn(pong, c"pong", 5, core::ptr::null_mut());
    wait_done(2);

    software_timers();
    esp_timers();
    isr_esp_timer();
    mutexes();
    preemption();

    vTaskDelay(1); // the idle task frees the deleted tasks
    let leaked = crate::HEAP.in_use() as isize - heap_before as isize;
    println!(
        "rtos demo done: {} tasks left, {leaked} bytes of heap more than before the parts",
        uxTaskGetNumberOfTasks()
    );
    crate::exit(0)
}

pub fn run() -> ! {
    start(main_task, 16 << 10)
}
