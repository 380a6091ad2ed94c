//! Modes 2 and 3: a module QEMU's loader put in RAM runs as an app that
//! lives on, as in an ESP-IDF firmware: loaded with the runtime's FreeRTOS
//! `Os` and the chip's static thunk pool, its entry started in the `main`
//! task, its tasks, timers and callbacks going on after the entry returned.
//! Mode 2 uses the Rust API ([`App`]), mode 3 the C API (capi_app.c:
//! `espb_load`, `espb_start`, `espb_status`, `espb_last_trap`,
//! `espb_unload`); both print the same lines, so one expected text serves
//! both.
//!
//! A watcher task (priority [`WATCHER_PRIORITY`], above every module task)
//! looks at the app once per tick. When the app ends by itself it says so;
//! when the time the test asked for has passed it unloads the app. Then,
//! once the entry's task is out of the module too, it checks that the
//! firmware's heap holds what it held before the load and that no thunk is
//! in use, lets the firmware run on for [`RUN_ON_MS`] (an unloaded module's
//! timers must not fire; the firmware's own fire in the tasks that ran the
//! module's callbacks), and ends QEMU.
//!
//! The heap is counted from after one load and unload of the module (the
//! thunk pool makes its lock and lists at the first load and keeps them),
//! and compared after one more: the runtime keeps the references of tasks
//! it deleted in the middle of a callback until the next load or unload
//! (on a dual-core chip such a task may still be finishing an instruction
//! on the other core).

use crate::rtos::esp_timer::{
    ESP_OK, EspTimerCreateArgs, EspTimerHandle, esp_timer_create, esp_timer_delete, esp_timer_start_once,
};
use crate::rtos::sched::{
    pcTaskGetName, uxTaskGetNumberOfTasks, vTaskDelay, xTaskCreatePinnedToCore, xTaskGetTickCount,
};
use crate::rtos::timer::{TimerHandle, xTimerCreate, xTimerGenericCommand};
use crate::rtos::{NO_AFFINITY, PD_FALSE, PD_PASS, TICK_RATE_HZ};
use crate::{HEAP, exit};
use core::cell::UnsafeCell;
use core::ffi::{c_char, c_void};
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use espb_runtime::app::{App, AppStatus};
use espb_runtime::native::DeviceHost;
use espb_runtime::os::FREERTOS;
use espb_runtime::runner::Outcome;
use espb_runtime::thunk::ThunkPool;

/// The watcher's priority: it sees and stops the app before any module
/// task of the same tick runs.
const WATCHER_PRIORITY: u32 = 10;
/// The deferral task (ISR callbacks): above module tasks, below esp_timer's;
/// its stack carries the interpreter.
const DEFER_PRIORITY: u32 = 15;
const DEFER_STACK: u32 = 4096;
/// How long the firmware runs on after the app is gone.
const RUN_ON_MS: u32 = 1000;
const MS_PER_TICK: u32 = 1000 / TICK_RATE_HZ;
/// tmrCOMMAND_START and tmrCOMMAND_DELETE (xTimerStart, xTimerDelete).
const TMR_COMMAND_START: i32 = 1;
const TMR_COMMAND_DELETE: i32 = 5;

/// The tick the app was loaded at (right after a tick).
static T0: AtomicU32 = AtomicU32::new(0);
/// Heap in use before the load (the watcher's own task included).
static HEAP0: AtomicUsize = AtomicUsize::new(0);
/// Set when the entry's task is out of the module for good.
static ENTRY_DONE: AtomicBool = AtomicBool::new(false);
/// Set when the watcher may start watching (the app is loaded).
static LOADED: AtomicBool = AtomicBool::new(false);
/// Set (with ENTRY_DONE) when the load was refused.
static REFUSED: AtomicBool = AtomicBool::new(false);

fn ms_since_load() -> u32 {
    xTaskGetTickCount().wrapping_sub(T0.load(Ordering::Relaxed)) * MS_PER_TICK
}

/// What the watcher watches and unloads; one API or the other.
trait Watched: Sized {
    /// The app, once loaded.
    fn take() -> Self;
    fn status(&self) -> AppStatus;
    /// The trap that stopped it, if one did.
    fn last_trap(&self) -> Option<alloc::string::String>;
    fn unload(&self);
}

/// The Rust API's app, shared by the entry's task and the watcher.
struct Shared(UnsafeCell<Option<App<DeviceHost<'static>>>>);
// SAFETY: written by the `main` task before LOADED is set, taken by the
// watcher after it saw LOADED; `App` itself is Send + Sync.
unsafe impl Sync for Shared {}
static RUST_APP: Shared = Shared(UnsafeCell::new(None));

impl Watched for App<DeviceHost<'static>> {
    fn take() -> Self {
        // SAFETY: see `Shared`: after LOADED; nobody writes it again.
        unsafe { (*RUST_APP.0.get()).take() }.expect("the app was published")
    }
    fn status(&self) -> AppStatus {
        App::status(self)
    }
    fn last_trap(&self) -> Option<alloc::string::String> {
        App::last_trap(self)
    }
    fn unload(&self) {
        App::unload(self)
    }
}

/// The C API's handle, as the watcher sees it (capi_app.c keeps it).
struct CApp;

unsafe extern "C" {
    /// capi_app.c: espb_init (tick rate, deferral task); 0 when it worked.
    fn capi_app_init(defer_priority: u32, defer_stack: u32) -> i32;
    /// capi_app.c: loads and starts the module through the C API.
    fn capi_app_run(module: *const u8, len: u32) -> i32;
    fn capi_app_status() -> u32;
    fn capi_app_last_trap(buf: *mut c_char, len: usize) -> usize;
    fn capi_app_unload();
}

impl Watched for CApp {
    fn take() -> Self {
        CApp
    }
    fn status(&self) -> AppStatus {
        // SAFETY: reads the handle capi_app.c keeps (NULL after unload).
        match unsafe { capi_app_status() } {
            0 => AppStatus::Loaded,
            1 => AppStatus::Running,
            2 => AppStatus::Finished(Outcome::Returned(0)),
            3 => AppStatus::Exited(1),
            4 => AppStatus::Trapped,
            _ => AppStatus::Unloaded,
        }
    }
    fn last_trap(&self) -> Option<alloc::string::String> {
        let mut buf = [0u8; 256];
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { capi_app_last_trap(buf.as_mut_ptr().cast(), buf.len()) }.min(buf.len() - 1);
        (n > 0).then(|| alloc::string::String::from_utf8_lossy(&buf[..n]).into_owned())
    }
    fn unload(&self) {
        // SAFETY: the handle capi_app.c keeps; it forgets it.
        unsafe { capi_app_unload() }
    }
}

/// The status as the lines say it.
fn status_word(s: AppStatus) -> &'static str {
    match s {
        AppStatus::Loaded => "loaded",
        AppStatus::Running => "running",
        AppStatus::Finished(_) => "finished",
        AppStatus::Exited(_) => "exited",
        AppStatus::Trapped => "trapped",
        AppStatus::Unloaded => "unloaded",
    }
}

/// The `main` task of modes 2 (`c_api` false) and 3: starts the watcher,
/// loads the module and runs its entry, then stays out of the way.
pub fn run(bytes: &'static [u8], run_for_ms: u32, c_api: bool) {
    // The task that runs callbacks called in interrupt context: made before
    // the heap is counted, it stays.
    let deferral = if c_api {
        // SAFETY: plain C call.
        unsafe { capi_app_init(DEFER_PRIORITY, DEFER_STACK) == 0 }
    } else {
        FREERTOS.start_deferral(DEFER_PRIORITY, DEFER_STACK)
    };
    assert!(deferral, "starting the deferral task");
    vTaskDelay(1); // start right after a tick
    let watcher: extern "C" fn(*mut c_void) = if c_api { watch::<CApp> } else { watch::<App<DeviceHost<'static>>> };
    // SAFETY: a NUL-terminated name; the parameter is the time to run for.
    let ok = unsafe {
        xTaskCreatePinnedToCore(
            Some(watcher),
            c"watcher".as_ptr(),
            8192,
            run_for_ms as usize as *mut c_void,
            WATCHER_PRIORITY,
            core::ptr::null_mut(),
            NO_AFFINITY,
        )
    };
    assert_eq!(ok, PD_PASS, "creating the watcher");
    let loaded = if c_api {
        // SAFETY: the module's bytes, which stay in place.
        unsafe { capi_app_run(bytes.as_ptr(), bytes.len() as u32) == 0 }
    } else {
        run_rust(bytes)
    };
    REFUSED.store(!loaded, Ordering::Release);
    ENTRY_DONE.store(true, Ordering::Release);
    // The task stays (its memory counts in the heap before the load).
    loop {
        vTaskDelay(crate::rtos::MAX_DELAY);
    }
}

/// Loads `bytes` as the firmware does (Rust API).
pub fn load(bytes: &[u8]) -> Result<App<DeviceHost<'static>>, espb_runtime::runner::RunError> {
    App::load_with(
        bytes,
        |m| DeviceHost::new(crate::registry(), m),
        crate::app_config(),
        &FREERTOS,
        ThunkPool::device(),
    )
}

/// Mode 2's load and entry; whether the load went through.
fn run_rust(bytes: &[u8]) -> bool {
    let pool = ThunkPool::device();
    let app = match load(bytes) {
        Ok(a) => a,
        Err(e) => {
            println!("load refused: {e}");
            return false;
        }
    };
    println!("loaded: {} of {} thunks in use", pool.in_use(), pool.size());
    // SAFETY: see `Shared`: before LOADED.
    unsafe { *RUST_APP.0.get() = Some(app.clone()) };
    LOADED.store(true, Ordering::Release);
    let entry = "app_main";
    match app.start(entry) {
        Ok(o) => println!("{entry} returned {}", o.value()),
        Err(e) => println!("{entry} ended: {e}"),
    }
    true
}

/// The app's watcher (see the module docs); `param` is how long to let it
/// run, in ms (0: until it ends by itself).
extern "C" fn watch<W: Watched>(param: *mut c_void) {
    let run_for_ms = param as usize as u32;
    let (bytes, _) = crate::loaded_module();
    drop(load(bytes));
    T0.store(xTaskGetTickCount(), Ordering::Relaxed);
    HEAP0.store(HEAP.in_use(), Ordering::Relaxed);
    while !LOADED.load(Ordering::Acquire) && !REFUSED.load(Ordering::Acquire) {
        vTaskDelay(1);
    }
    if LOADED.load(Ordering::Acquire) {
        watch_app(W::take(), run_for_ms);
    }
    drop(load(bytes));
    let more = HEAP.in_use() as isize - HEAP0.load(Ordering::Relaxed) as isize;
    println!(
        "heap: {more} bytes more than before the load; thunks in use: {}; tasks: {}",
        ThunkPool::device().in_use(),
        uxTaskGetNumberOfTasks()
    );
    let esp_timer = firmware_timers();
    let until = ms_since_load() + RUN_ON_MS;
    while ms_since_load() < until {
        vTaskDelay(1);
    }
    println!("firmware still running at +{} ms", ms_since_load());
    assert_eq!(esp_timer_delete(esp_timer), ESP_OK, "esp_timer_delete");
    exit(0)
}

/// The firmware's own timers, to show that the timer service and esp_timer
/// tasks that ran the module's callbacks (and maybe its trap) work on: a
/// one-shot software timer in 300 ms and a one-shot esp_timer in 600 ms.
/// Returns the esp_timer (the software timer deletes itself).
fn firmware_timers() -> EspTimerHandle {
    extern "C" fn on_timer(t: TimerHandle) {
        println!("firmware timer fired in {} at +{} ms", task_name(), ms_since_load());
        // SAFETY: xTimerDelete(t, 0) of this live timer, in its callback.
        unsafe { xTimerGenericCommand(t, TMR_COMMAND_DELETE, 0, core::ptr::null_mut(), 0) };
    }
    extern "C" fn on_esp_timer(_: *mut c_void) {
        println!("firmware esp_timer fired in {} at +{} ms", task_name(), ms_since_load());
    }
    // SAFETY: a static name; a callback of the right type.
    let t = unsafe { xTimerCreate(c"fw".as_ptr(), 300 / MS_PER_TICK, PD_FALSE, core::ptr::null_mut(), Some(on_timer)) };
    // SAFETY: a live timer (xTimerStart(t, 0)).
    let started = unsafe { xTimerGenericCommand(t, TMR_COMMAND_START, xTaskGetTickCount(), core::ptr::null_mut(), 0) };
    assert_eq!(started, PD_PASS, "xTimerStart");
    let args = EspTimerCreateArgs {
        callback: Some(on_esp_timer),
        arg: core::ptr::null_mut(),
        dispatch_method: 0,
        name: c"fw".as_ptr(),
        skip_unhandled_events: false,
    };
    let mut et: EspTimerHandle = core::ptr::null_mut();
    // SAFETY: valid arguments and a writable handle.
    assert_eq!(unsafe { esp_timer_create(&args, &mut et) }, ESP_OK, "esp_timer_create");
    assert_eq!(esp_timer_start_once(et, 600_000), ESP_OK, "esp_timer_start_once");
    et
}

fn task_name() -> &'static str {
    // SAFETY: the running task's name, NUL-terminated in its TCB.
    unsafe { core::ffi::CStr::from_ptr(pcTaskGetName(core::ptr::null_mut())) }.to_str().unwrap_or("?")
}

/// Watches `app` until it is done or `run_for_ms` passed (then unloads
/// it), and until the entry's task is out of it.
fn watch_app<W: Watched>(app: W, run_for_ms: u32) {
    loop {
        let s = app.status();
        if s.is_done() {
            println!("app done by +{} ms: {}", ms_since_load(), status_word(s));
            break;
        }
        if run_for_ms > 0 && ms_since_load() >= run_for_ms {
            println!("unloading after {} ms", ms_since_load());
            app.unload();
            println!("status: {}", status_word(app.status()));
            break;
        }
        vTaskDelay(1);
    }
    if let Some(t) = app.last_trap() {
        println!("last trap: {t}");
    }
    while !ENTRY_DONE.load(Ordering::Acquire) {
        vTaskDelay(1);
    }
    // Gone already; this frees the handle (the C API's, or our clone).
    app.unload();
    drop(app);
    // The idle task frees deleted tasks.
    vTaskDelay(1);
}

/// For capi_app.c: the watcher may start (the handle is loaded).
#[unsafe(no_mangle)]
pub extern "C" fn qemu_app_loaded() {
    LOADED.store(true, Ordering::Release);
}

/// For capi_app.c: thunk slots in use.
#[unsafe(no_mangle)]
pub extern "C" fn qemu_thunks_in_use() -> u32 {
    ThunkPool::device().in_use() as u32
}

/// For capi_app.c: the size of the thunk pool.
#[unsafe(no_mangle)]
pub extern "C" fn qemu_thunks_size() -> u32 {
    ThunkPool::device().size() as u32
}

/// Instructions retired so far (`minstret`; under `-icount` every
/// instruction is one tick of virtual time).
fn instret() -> u64 {
    loop {
        let (hi, lo, hi2): (u32, u32, u32);
        // SAFETY: reads counters.
        unsafe {
            core::arch::asm!("csrr {}, minstreth", out(reg) hi);
            core::arch::asm!("csrr {}, minstret", out(reg) lo);
            core::arch::asm!("csrr {}, minstreth", out(reg) hi2);
        }
        if hi == hi2 {
            return (u64::from(hi) << 32) | u64::from(lo);
        }
    }
}

/// Mode 4: what a callback costs. Loads the module (callback_cost.c), calls
/// `add_one` through its thunk as a native would (a plain C function
/// pointer) [`ROUNDS`] times, and prints the instructions per round trip:
/// thunk, pool lookup, the app's lock, the interpreter, and back.
pub fn measure(bytes: &[u8]) {
    const ROUNDS: u32 = 100;
    let app = match load(bytes) {
        Ok(a) => a,
        Err(e) => {
            println!("load refused: {e}");
            exit(1)
        }
    };
    let Some(addr) = app.function_address("add_one") else {
        println!("add_one has no thunk");
        exit(1)
    };
    // SAFETY: a thunk of the device pool, owned by this app's add_one(int).
    let add_one: extern "C" fn(i32) -> i32 = unsafe { core::mem::transmute(addr as usize) };
    let warm = add_one(0);
    let start = instret();
    let mut x = 0;
    for _ in 0..ROUNDS {
        x = add_one(x);
    }
    let per_call = (instret() - start) / u64::from(ROUNDS);
    println!("thunk round trip: {per_call} instructions; add_one(0) = {warm}, {ROUNDS} calls: {x}");
    // A float result: in fa0 under ilp32f (a float-returning thunk), in a0
    // under ilp32.
    let Some(addr) = app.function_address("half") else {
        println!("half has no thunk");
        exit(1)
    };
    // SAFETY: a thunk of the device pool, owned by this app's half(float).
    let half: extern "C" fn(f32) -> f32 = unsafe { core::mem::transmute(addr as usize) };
    println!("half(3) = {}", half(3.0));
    // The share of the RTOS: a round trip takes and gives three mutexes
    // (the pool's lock twice, the app's once).
    use espb_runtime::os::Os;
    let Some(l) = FREERTOS.lock_create() else { exit(1) };
    let start = instret();
    for _ in 0..ROUNDS {
        FREERTOS.lock(l);
        FREERTOS.unlock(l);
    }
    let per_pair = (instret() - start) / u64::from(ROUNDS);
    FREERTOS.lock_delete(l);
    println!("mutex take + give: {per_pair} instructions");
    drop(app);
    exit(0)
}
