//! Apps on a std-thread stand-in for FreeRTOS: callbacks through the thunk
//! pool from other threads, tasks that block while callbacks run, time
//! slices, unload (resources stopped, late callbacks refused), traps in a
//! task, auto-unload, ISR deferral. Modules are assembled by hand.

use espb_runtime::VerifiedModule;
use espb_runtime::app::{App, AppStatus};
use espb_runtime::isa::{Instr, Regs};
use espb_runtime::os::{Os, Resource, TaskId};
use espb_runtime::runner::{Outcome, RunError};
use espb_runtime::thunk::{CallbackError, Deferred, ThunkPool};
use espb_runtime::{
    Config, Data, FuncType, Function, Host, HostCtx, Import, ImportRef, InstantiateError, Module, Reloc, RelocKind,
    Trap, ValType,
};
use std::cell::Cell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

// ---- the stand-in RTOS ------------------------------------------------------

thread_local! {
    static TASK: Cell<usize> = const { Cell::new(0) };
    static IN_ISR: Cell<bool> = const { Cell::new(false) };
}

struct Timer {
    cb: u32,
    period_ms: u64,
    running: bool,
    deleted: bool,
}

/// A mutex that one call takes and another releases.
type RawLock = Arc<(Mutex<bool>, Condvar)>;

/// Each FreeRTOS task is a thread; a deleted one parks forever the next
/// time it touches a lock (it never runs module code again, as on FreeRTOS).
#[derive(Default)]
struct World {
    next_id: AtomicUsize,
    locks: Mutex<Vec<RawLock>>,
    killed: Mutex<HashSet<usize>>,
    log: Mutex<Vec<String>>,
    out: Mutex<Vec<String>>,
    stops: Mutex<Vec<Resource>>,
    exits: Mutex<Vec<usize>>,
    timers: Mutex<HashMap<u32, Timer>>,
    deferred: Mutex<VecDeque<Deferred>>,
    can_defer: bool,
    pool: OnceLock<&'static ThunkPool>,
    /// Set while a task sleeps in vTaskDelay.
    delaying: AtomicUsize,
    /// vTaskDelays that ended.
    delays_done: AtomicUsize,
    /// When set, every vTaskDelay lasts this many ms instead of its argument.
    delay_ms: AtomicUsize,
}

impl World {
    fn new(can_defer: bool) -> &'static World {
        let w: &'static World = Box::leak(Box::new(World { can_defer, ..World::default() }));
        w.next_id.store(0x100, Ordering::Relaxed);
        w
    }

    fn new_id(&self) -> usize {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn pool(&self) -> &'static ThunkPool {
        self.pool.get().copied().expect("pool set")
    }

    fn out(&self) -> Vec<String> {
        self.out.lock().unwrap().clone()
    }

    fn logged(&self, what: &str) -> bool {
        self.log.lock().unwrap().iter().any(|l| l.contains(what))
    }

    /// A new task (thread) whose id is `id`, running `f`.
    fn spawn(&'static self, id: usize, f: impl FnOnce() + Send + 'static) {
        std::thread::spawn(move || {
            TASK.with(|t| t.set(id));
            f();
        });
    }

    fn killed(&self) -> bool {
        let me = TASK.with(|t| t.get());
        self.killed.lock().unwrap().contains(&me)
    }

    fn park_forever() -> ! {
        loop {
            std::thread::park();
        }
    }
}

// SAFETY: task ids are per thread and unique; the locks are real mutexes
// (a flag under a std Mutex, waited for with a Condvar).
unsafe impl Os for World {
    fn current_task(&self) -> TaskId {
        TASK.with(|t| {
            if t.get() == 0 {
                t.set(self.new_id());
            }
            t.get()
        })
    }
    fn lock_create(&self) -> Option<usize> {
        let mut locks = self.locks.lock().unwrap();
        locks.push(Arc::new((Mutex::new(false), Condvar::new())));
        Some(locks.len() - 1)
    }
    fn lock(&self, l: usize) {
        if self.killed() {
            World::park_forever();
        }
        let lock = self.locks.lock().unwrap()[l].clone();
        let mut held = lock.0.lock().unwrap();
        while *held {
            held = lock.1.wait(held).unwrap();
        }
        *held = true;
        drop(held);
        // Deleted while waiting: a FreeRTOS task would never get here.
        if self.killed() {
            self.unlock(l);
            World::park_forever();
        }
    }
    fn unlock(&self, l: usize) {
        let lock = self.locks.lock().unwrap()[l].clone();
        *lock.0.lock().unwrap() = false;
        lock.1.notify_one();
    }
    fn lock_delete(&self, _: usize) {}
    fn yield_now(&self) {
        std::thread::yield_now();
    }
    fn sleep_ms(&self, ms: u32) {
        std::thread::sleep(Duration::from_millis(u64::from(ms)));
    }
    fn in_isr(&self) -> bool {
        IN_ISR.with(|i| i.get())
    }
    fn can_defer(&self) -> bool {
        self.can_defer
    }
    fn defer(&self, job: Deferred) -> bool {
        if !self.can_defer {
            return false;
        }
        self.deferred.lock().unwrap().push_back(job);
        true
    }
    fn log(&self, msg: std::fmt::Arguments<'_>) {
        self.log.lock().unwrap().push(msg.to_string());
    }
    fn stop(&self, r: Resource) {
        match r {
            Resource::Task(h) => {
                self.killed.lock().unwrap().insert(h as usize);
            }
            Resource::Timer(h) => {
                if let Some(t) = self.timers.lock().unwrap().get_mut(&h) {
                    t.deleted = true;
                }
            }
            _ => {}
        }
        self.stops.lock().unwrap().push(r);
    }
    fn exit_task(&self) {
        self.exits.lock().unwrap().push(self.current_task());
    }
}

// ---- the natives ------------------------------------------------------------

const NATIVES: &[&str] = &[
    "log_int",
    "vTaskDelay",
    "xTaskCreatePinnedToCore",
    "xTimerCreate",
    "xTimerGenericCommand",
    "vTaskDelete",
    "call_me",
    "gpio_isr_handler_add",
    "esp_timer_create",
    "xQueueGenericCreate",
    "vQueueDelete",
];

struct TestHost(&'static World);

impl Host for TestHost {
    fn resolve(&mut self, import: &Import, _: &FuncType) -> Option<u32> {
        NATIVES.iter().position(|n| Some(*n) == import.name()).map(|i| i as u32)
    }

    fn call(&mut self, id: u32, _: &FuncType, args: &[u64], ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
        let w = self.0;
        let a = |i: usize| args[i] as u32;
        match NATIVES[id as usize] {
            "log_int" => w.out.lock().unwrap().push(format!("{}", a(0) as i32)),
            "vTaskDelay" => ctx.block(|| {
                w.delaying.fetch_add(1, Ordering::SeqCst);
                let ms = match w.delay_ms.load(Ordering::SeqCst) {
                    0 => u64::from(a(0)),
                    ms => ms as u64,
                };
                std::thread::sleep(Duration::from_millis(ms));
                w.delays_done.fetch_add(1, Ordering::SeqCst);
                w.delaying.fetch_sub(1, Ordering::SeqCst);
            }),
            "xTaskCreatePinnedToCore" => {
                let (f, param, out) = (a(0), a(3), a(5));
                let h = w.new_id();
                if out != 0 {
                    ctx.mem.write_u32(out, h as u32)?;
                }
                w.spawn(h, move || {
                    let _ = w.pool().call(f, &[u64::from(param)]);
                });
                return Ok(1);
            }
            "xTimerCreate" => {
                let h = 0x5000_0000 + w.new_id() as u32;
                let t = Timer { cb: a(4), period_ms: u64::from(a(1)), running: false, deleted: false };
                w.timers.lock().unwrap().insert(h, t);
                return Ok(u64::from(h));
            }
            "xTimerGenericCommand" => {
                let (h, cmd) = (a(0), a(1));
                let mut timers = w.timers.lock().unwrap();
                let Some(t) = timers.get_mut(&h) else { return Ok(0) };
                match cmd {
                    1 if !t.running => {
                        t.running = true;
                        let (cb, period) = (t.cb, t.period_ms);
                        // The timer service task.
                        w.spawn(w.new_id(), move || {
                            loop {
                                std::thread::sleep(Duration::from_millis(period));
                                let live = w.timers.lock().unwrap().get(&h).is_some_and(|t| t.running && !t.deleted);
                                if !live {
                                    break;
                                }
                                let _ = w.pool().call(cb, &[u64::from(h)]);
                            }
                        });
                    }
                    5 => t.deleted = true,
                    _ => {}
                }
                return Ok(1);
            }
            "call_me" => {
                return w.pool().call(a(0), &[args[1]]).map_err(|e| Trap::host(e.to_string()));
            }
            "gpio_isr_handler_add" => return Ok(0),
            "esp_timer_create" => {
                ctx.mem.write_u32(a(1), 0x7000_0000 + w.new_id() as u32)?;
                return Ok(0);
            }
            "xQueueGenericCreate" => return Ok(0x6000_0000 + w.new_id() as u64),
            "vQueueDelete" => {}
            // Deleting another task: it never runs again.
            "vTaskDelete" => {
                w.killed.lock().unwrap().insert(a(0) as usize);
            }
            _ => unreachable!(),
        }
        Ok(0)
    }
}

// ---- module building ----------------------------------------------------------

fn ty(params: usize, result: bool) -> FuncType {
    FuncType { params: vec![ValType::I32; params], result: result.then_some(ValType::I32), variadic_fixed: None }
}

/// Types: 0 `() -> i32`, 1 `(i32) -> void`, 2 `(i32 x7) -> i32`, 3 `(i32 x5)
/// -> i32`, 4 `(i32) -> i32`, 5 `(i32, i32) -> i32`, 6 `(i32, i32, i32) -> i32`.
fn types() -> Vec<FuncType> {
    vec![ty(0, true), ty(1, false), ty(7, true), ty(5, true), ty(1, true), ty(2, true), ty(3, true)]
}

/// Imports in NATIVES' order, typed.
fn imports() -> Vec<Import> {
    let tys = [1u16, 1, 2, 3, 3, 1, 5, 6, 5, 6, 1];
    NATIVES.iter().zip(tys).map(|(n, t)| Import::func(ImportRef::Name((*n).into()), t)).collect()
}

/// Assembles `code(labels)`; `labels[i]` is the byte offset of instruction
/// number `marks[i]` (found by a first pass).
fn asm(marks: &[usize], code: impl Fn(&[u16]) -> Vec<Instr<'static>>) -> Vec<u8> {
    let mut offsets = Vec::new();
    let mut out = Vec::new();
    for i in code(&vec![0; marks.len()]) {
        offsets.push(out.len());
        i.encode(&mut out);
    }
    let labels: Vec<u16> = marks.iter().map(|&m| offsets[m] as u16).collect();
    out.clear();
    for i in code(&labels) {
        i.encode(&mut out);
    }
    out
}

fn func(ty: u16, num_regs: u16, code: Vec<u8>) -> Function {
    Function { ty, num_regs, frame_size: 0, code }
}

/// `xTaskCreatePinnedToCore(f, "<name at data 16>", 4096, param, 5, NULL, 0)`
/// into r0 (uses r0..r6).
fn create_task(f: u16, param: i32) -> Vec<Instr<'static>> {
    vec![
        Instr::FuncAddr { d: 0, f },
        Instr::DataAddr { d: 1, off: 16 },
        Instr::ConstI32 { d: 2, v: 4096 },
        Instr::ConstI32 { d: 3, v: param },
        Instr::ConstI32 { d: 4, v: 5 },
        Instr::ConstI32 { d: 5, v: 0 },
        Instr::ConstI32 { d: 6, v: 0 },
        Instr::CallImport { i: 2, ty: 2, d: 0, args: Regs(&[0, 1, 2, 3, 4, 5, 6]) },
    ]
}

/// `t = xTimerCreate("t", period, 1, 0, f)` into r0; started when `start`.
fn create_timer(f: u16, period: i32, start: bool) -> Vec<Instr<'static>> {
    let mut v = vec![
        Instr::DataAddr { d: 0, off: 16 },
        Instr::ConstI32 { d: 1, v: period },
        Instr::ConstI32 { d: 2, v: 1 },
        Instr::ConstI32 { d: 3, v: 0 },
        Instr::FuncAddr { d: 4, f },
        Instr::CallImport { i: 3, ty: 3, d: 0, args: Regs(&[0, 1, 2, 3, 4]) },
    ];
    if start {
        v.extend([
            Instr::ConstI32 { d: 1, v: 1 },
            Instr::ConstI32 { d: 2, v: 0 },
            Instr::CallImport { i: 4, ty: 3, d: 1, args: Regs(&[0, 1, 2, 2, 2]) },
        ]);
    }
    v
}

fn ret0() -> [Instr<'static>; 2] {
    [Instr::ConstI32 { d: 0, v: 0 }, Instr::Ret { s: 0 }]
}

/// Functions: 0 `app_main` (`entry`), 1 `task(p)`: `loop { log_int(p);
/// vTaskDelay(30) }`, 2 `cb(x) = 2x + 1` (address-taken through a data
/// relocation), 3 `bad_task(p) = 10 / p`, 4 `spin(p)`: `loop {}`, 5
/// `tick(t)`: counts in data[0], logs, deletes timer `t` at 3, 6
/// `quitter(p)`: `log_int(p); vTaskDelete(NULL)`.
fn module(entry: Vec<Instr<'static>>) -> Module {
    let mut entry_code = Vec::new();
    for i in entry {
        i.encode(&mut entry_code);
    }
    let task = asm(&[], |_| {
        vec![
            Instr::CallImport { i: 0, ty: 1, d: 1, args: Regs(&[0]) },
            Instr::ConstI32 { d: 1, v: 30 },
            Instr::CallImport { i: 1, ty: 1, d: 1, args: Regs(&[1]) },
            Instr::Br { t: 0 },
        ]
    });
    let cb = asm(&[], |_| {
        vec![Instr::AddI32 { d: 0, a: 0, b: 0 }, Instr::AddImm8I32 { d: 0, a: 0, v: 1 }, Instr::Ret { s: 0 }]
    });
    let bad =
        asm(&[], |_| vec![Instr::ConstI32 { d: 1, v: 10 }, Instr::DivSI32 { d: 1, a: 1, b: 0 }, Instr::RetVoid {}]);
    let spin = asm(&[], |_| vec![Instr::Br { t: 0 }]);
    // `tick` adds 2 to its count (3) for the command: 5 = tmrCOMMAND_DELETE.
    let tick = asm(&[8], |l| {
        vec![
            Instr::DataAddr { d: 1, off: 0 },
            Instr::LoadI32 { d: 2, a: 1, off: 0 },
            Instr::AddImm8I32 { d: 2, a: 2, v: 1 },
            Instr::StoreI32 { s: 2, a: 1, off: 0 },
            Instr::CallImport { i: 0, ty: 1, d: 3, args: Regs(&[2]) },
            Instr::BrNeImmI32 { a: 2, v: 3, t: l[0] },
            Instr::AddImm8I32 { d: 2, a: 2, v: 2 },
            Instr::CallImport { i: 4, ty: 3, d: 3, args: Regs(&[0, 2, 3, 3, 3]) },
            Instr::RetVoid {},
        ]
    });
    let quitter = asm(&[], |_| {
        vec![
            Instr::CallImport { i: 0, ty: 1, d: 1, args: Regs(&[0]) },
            Instr::ConstI32 { d: 1, v: 0 },
            Instr::CallImport { i: 5, ty: 1, d: 1, args: Regs(&[1]) },
            Instr::RetVoid {},
        ]
    });
    let mut init = vec![0u8; 32];
    init[16..24].copy_from_slice(b"dyn_task");
    Module {
        types: types(),
        imports: imports(),
        functions: vec![
            func(0, 16, entry_code),
            func(1, 2, task),
            func(4, 1, cb),
            func(1, 2, bad),
            func(1, 1, spin),
            func(1, 4, tick),
            func(1, 2, quitter),
        ],
        data: Data {
            size: 32,
            align: 16,
            init,
            relocs: vec![Reloc { offset: 4, kind: RelocKind::Func, target: 2, addend: 0 }],
        },
        names: ["app_main", "task", "cb", "bad_task", "spin", "tick", "quitter"].map(String::from).to_vec(),
        ..Module::default()
    }
}

fn load(w: &'static World, m: Module, pool_size: usize, config: Config) -> Result<App<TestHost>, RunError> {
    let pool = ThunkPool::synthetic(pool_size);
    let _ = w.pool.set(pool);
    App::load_module(VerifiedModule::new(m).unwrap(), TestHost(w), config, w, pool)
}

fn until(what: &str, f: impl Fn() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < Duration::from_secs(5), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

// ---- tests ----------------------------------------------------------------------

#[test]
fn a_callback_is_called_from_another_thread_through_the_pool() {
    let w = World::new(true);
    let app = load(w, module(ret0().to_vec()), 8, Config::default()).unwrap();
    let addr = app.function_address("cb").expect("cb has a thunk");
    assert!(w.pool().is_thunk(addr));
    assert_eq!(w.pool().in_use(), 1, "the one address-taken function got a slot");
    assert_eq!(app.function_address("task"), None, "not address-taken");
    let r = std::thread::spawn(move || w.pool().call(addr, &[20])).join().unwrap();
    assert_eq!(r, Ok(41));
    // The function pointer the module stored in its data is the thunk.
    assert_eq!(app.with_host(|_| ()), Some(()));
    assert_eq!(
        w.pool().call(addr, &[1, 2]),
        Err(CallbackError::Arguments { function: "cb".into(), why: "2 arguments for 1 parameters".into() })
    );
    assert_eq!(w.pool().call(0x1234, &[]), Err(CallbackError::NotAThunk { addr: 0x1234 }));
}

#[test]
fn a_task_waiting_in_a_delay_lets_callbacks_run() {
    let w = World::new(true);
    // Long delays: a callback that waited for the task would see one end
    // (no wall-clock bound, which a loaded machine breaks).
    w.delay_ms.store(1000, Ordering::SeqCst);
    let mut entry = create_task(1, 7);
    entry.extend(ret0());
    let app = load(w, module(entry), 8, Config::default()).unwrap();
    assert_eq!(app.start("app_main"), Ok(Outcome::Returned(0)));
    assert_eq!(app.status(), AppStatus::Running, "the task lives on after app_main returned");
    let addr = app.function_address("cb").unwrap();
    until("the task's first line", || !w.out().is_empty());
    for i in 0..5 {
        until("the task to wait", || w.delaying.load(Ordering::SeqCst) > 0);
        let done = w.delays_done.load(Ordering::SeqCst);
        let r = std::thread::spawn(move || w.pool().call(addr, &[i])).join().unwrap();
        assert_eq!(r, Ok(2 * i + 1));
        assert_eq!(w.delays_done.load(Ordering::SeqCst), done, "the callback waited for the task's delay to end");
    }
    assert!(w.out().iter().all(|l| l == "7"), "{:?}", w.out());
    let resources = app.resources();
    assert!(matches!(resources[..], [Resource::Task(_)]), "{resources:?}");
    app.unload();
    assert_eq!(app.status(), AppStatus::Unloaded);
    assert_eq!(*w.stops.lock().unwrap(), resources, "unload deleted the task");
    assert_eq!(w.pool().in_use(), 0, "slots released");
}

#[test]
fn a_task_that_never_blocks_still_lets_callbacks_run_between_time_slices() {
    let w = World::new(true);
    let mut entry = create_task(4, 0);
    entry.extend(ret0());
    let app = load(w, module(entry), 8, Config { time_slice: 1000, ..Config::default() }).unwrap();
    app.start("app_main").unwrap();
    let addr = app.function_address("cb").unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let r = std::thread::spawn(move || w.pool().call(addr, &[3])).join().unwrap();
    assert_eq!(r, Ok(7));
    app.unload();
}

#[test]
fn running_out_of_thunks_names_the_numbers_and_the_setting() {
    let w = World::new(true);
    let mut m = module(ret0().to_vec());
    // Function pointers to all seven functions in the data.
    m.data.size = 64;
    m.data.relocs = (0..7).map(|f| Reloc { offset: 32 + 4 * f, kind: RelocKind::Func, target: f, addend: 0 }).collect();
    let e = load(w, m.clone(), 4, Config::default()).err().unwrap();
    assert_eq!(e, RunError::Instantiate(InstantiateError::ThunkPoolExhausted { needed: 7, free: 4, size: 4 }));
    let msg = e.to_string();
    assert!(msg.starts_with("the module needs 7 callback thunks, but only 4 of the firmware's 4 are free"), "{msg}");
    assert!(msg.contains("ESPB_THUNKS=<count>") && msg.contains("default 32"), "{msg}");
    assert_eq!(w.pool().in_use(), 0, "nothing taken");
    // A firmware's limit per module holds however many the pool has free.
    let e = load(w, m, 64, Config { max_thunks: 6, ..Config::default() }).err().unwrap();
    assert_eq!(e, RunError::Instantiate(InstantiateError::TooManyCallbacks { needed: 7, limit: 6 }));
    assert!(e.to_string().contains("at most 6 (Config::max_thunks)"), "{e}");
    assert_eq!(w.pool().in_use(), 0, "nothing taken");
}

#[test]
fn unload_while_a_timer_keeps_calling_is_logged_and_harmless() {
    let w = World::new(true);
    let app = load(w, module(ret0().to_vec()), 8, Config::default()).unwrap();
    let addr = app.function_address("cb").unwrap();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let timer = std::thread::spawn(move || {
        for i in 0..400 {
            let r = w.pool().call(addr, &[i]);
            seen.lock().unwrap().push(r);
            std::thread::sleep(Duration::from_micros(200));
        }
    });
    until("some calls", || calls.lock().unwrap().len() > 20);
    app.unload();
    drop(app);
    timer.join().unwrap();
    let calls = calls.lock().unwrap();
    let first_gone = calls.iter().position(|r| r.is_err()).expect("calls after unload fail");
    assert!(calls[..first_gone].iter().all(|r| r.is_ok()));
    assert!(calls[first_gone..].iter().all(|r| matches!(r, Err(CallbackError::Unloaded { .. }))), "{calls:?}");
    assert!(w.logged("callback into unloaded module (slot"), "{:?}", w.log.lock().unwrap());
    assert_eq!(w.pool().in_use(), 0);
}

#[test]
fn a_trap_in_a_task_stops_only_that_module_and_names_function_and_task() {
    let w = World::new(true);
    let mut entry = create_task(3, 0);
    entry.extend(ret0());
    let app = load(w, module(entry), 8, Config::default()).unwrap();
    // Another app on the same pool keeps running.
    let other = App::load_module(
        VerifiedModule::new(module(ret0().to_vec())).unwrap(),
        TestHost(w),
        Config::default(),
        w,
        w.pool(),
    )
    .unwrap();
    assert_eq!(app.start("app_main"), Ok(Outcome::Returned(0)));
    assert_eq!(app.wait(), AppStatus::Trapped);
    let t = app.last_trap().unwrap();
    assert_eq!(t, "trap: integer divide by zero in function `bad_task` at code offset 0x6 (task dyn_task)");
    until("the task's end", || !w.exits.lock().unwrap().is_empty());
    let addr = other.function_address("cb").unwrap();
    assert_eq!(w.pool().call(addr, &[1]), Ok(3), "the other module still runs");
    assert_eq!(app.start("app_main"), Err(RunError::Unloaded));
}

#[test]
fn a_module_whose_timer_deleted_itself_unloads_itself() {
    let w = World::new(true);
    let mut entry = create_timer(5, 2, true);
    entry.extend(ret0());
    let app = load(w, module(entry), 8, Config::default()).unwrap();
    assert_eq!(app.start("app_main"), Ok(Outcome::Returned(0)));
    assert_eq!(app.wait(), AppStatus::Finished(Outcome::Returned(0)));
    assert_eq!(w.out(), ["1", "2", "3"]);
    assert_eq!(w.pool().in_use(), 0);
    assert!(w.stops.lock().unwrap().is_empty(), "nothing was left to stop");
}

#[test]
fn a_task_deleting_itself_ends_and_the_module_with_it() {
    let w = World::new(true);
    let mut entry = create_task(6, 42);
    entry.extend(ret0());
    let app = load(w, module(entry), 8, Config::default()).unwrap();
    let finished = Arc::new(Mutex::new(None));
    let f = finished.clone();
    app.on_finish(Box::new(move |s| *f.lock().unwrap() = Some(s)));
    app.start("app_main").unwrap();
    assert_eq!(app.wait(), AppStatus::Finished(Outcome::Returned(0)));
    assert_eq!(w.out(), ["42"]);
    assert_eq!(w.exits.lock().unwrap().len(), 1, "the task was ended by the runtime");
    assert_eq!(*finished.lock().unwrap(), Some(AppStatus::Finished(Outcome::Returned(0))));
}

#[test]
fn unload_stops_tasks_timers_and_handlers_the_module_left() {
    let w = World::new(true);
    let mut entry = create_task(1, 1);
    entry.extend(create_timer(5, 1000, false));
    entry.extend([
        Instr::ConstI32 { d: 1, v: 4 },
        Instr::FuncAddr { d: 2, f: 1 },
        Instr::ConstI32 { d: 3, v: 0 },
        Instr::CallImport { i: 7, ty: 6, d: 1, args: Regs(&[1, 2, 3]) },
    ]);
    entry.extend(ret0());
    let app = load(w, module(entry), 8, Config::default()).unwrap();
    app.start("app_main").unwrap();
    let left = app.resources();
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(matches!(left[1], Resource::Timer(h) if h >= 0x5000_0000));
    assert_eq!(left[2], Resource::GpioIsr(4));
    app.unload();
    assert_eq!(*w.stops.lock().unwrap(), left);
    assert!(app.resources().is_empty());
}

#[test]
fn interrupt_context_callbacks_are_deferred_or_refused_at_load() {
    let w = World::new(true);
    let app = load(w, module(ret0().to_vec()), 8, Config::default()).unwrap();
    let addr = app.function_address("cb").unwrap();
    let r = std::thread::spawn(move || {
        IN_ISR.with(|i| i.set(true));
        w.pool().call(addr, &[5])
    })
    .join()
    .unwrap();
    assert_eq!(r, Ok(0), "deferred, not run in the interrupt");
    let job = w.deferred.lock().unwrap().pop_front().expect("a deferred call");
    job.run();
    app.unload();
    // After unload the deferred call of an old slot does nothing (logged).
    job.run();
    assert!(w.logged("callback into unloaded module"));

    let w = World::new(false);
    let e = load(w, module(ret0().to_vec()), 8, Config::default()).err().unwrap();
    let msg = e.to_string();
    assert!(msg.contains("`gpio_isr_handler_add`") && msg.contains("interrupt context"), "{msg}");
}

#[test]
fn a_native_calling_back_synchronously_nests_on_the_same_task() {
    let w = World::new(true);
    let entry = vec![
        Instr::FuncAddr { d: 0, f: 2 },
        Instr::ConstI32 { d: 1, v: 5 },
        Instr::CallImport { i: 6, ty: 5, d: 0, args: Regs(&[0, 1]) },
        Instr::Ret { s: 0 },
    ];
    let app = load(w, module(entry), 8, Config::default()).unwrap();
    assert_eq!(app.start("app_main"), Ok(Outcome::Returned(11)));
    assert_eq!(app.status(), AppStatus::Finished(Outcome::Returned(11)));
}

#[test]
fn an_indirect_call_to_an_own_thunk_is_a_direct_call() {
    let w = World::new(true);
    let entry = vec![
        Instr::DataAddr { d: 0, off: 0 },
        Instr::LoadI32 { d: 0, a: 0, off: 4 },
        Instr::ConstI32 { d: 1, v: 8 },
        Instr::CallIndirect { p: 0, ty: 4, d: 0, args: Regs(&[1]) },
        Instr::Ret { s: 0 },
    ];
    let app = load(w, module(entry), 8, Config::default()).unwrap();
    assert_eq!(app.start("app_main"), Ok(Outcome::Returned(17)));
}

/// `xQueueGenericCreate(4, 4, 0)` into r0 (uses r0..r2).
fn create_queue() -> Vec<Instr<'static>> {
    vec![
        Instr::ConstI32 { d: 0, v: 4 },
        Instr::ConstI32 { d: 1, v: 4 },
        Instr::ConstI32 { d: 2, v: 0 },
        Instr::CallImport { i: 9, ty: 6, d: 0, args: Regs(&[0, 1, 2]) },
    ]
}

#[test]
fn unload_deletes_the_queues_the_module_left_after_its_tasks() {
    let w = World::new(true);
    let mut entry = create_queue();
    // A second queue, deleted by the module itself: not deleted again.
    entry.extend(create_queue());
    entry.push(Instr::CallImport { i: 10, ty: 1, d: 1, args: Regs(&[0]) });
    entry.extend(create_task(1, 1));
    entry.extend(ret0());
    let app = load(w, module(entry), 8, Config::default()).unwrap();
    app.start("app_main").unwrap();
    let left = app.resources();
    assert!(matches!(left[..], [Resource::Queue(_), Resource::Task(_)]), "{left:?}");
    app.unload();
    // The task first (it may be using the queue), then the queue.
    assert_eq!(*w.stops.lock().unwrap(), [left[1], left[0]]);

    // A queue alone does not keep an app alive: it ends with its entry,
    // and the queue goes with it.
    let w = World::new(true);
    let mut entry = create_queue();
    entry.extend(ret0());
    let app = load(w, module(entry), 8, Config::default()).unwrap();
    app.start("app_main").unwrap();
    assert_eq!(app.status(), AppStatus::Finished(Outcome::Returned(0)));
    assert!(matches!(w.stops.lock().unwrap()[..], [Resource::Queue(h)] if h >= 0x6000_0000));
}

/// A module whose data holds an `esp_timer_create_args_t` at 32 (callback
/// `task`, dispatch method `dispatch`) and whose entry returns what
/// `esp_timer_create(&args, &handle)` did.
fn esp_timer_module(dispatch: u8) -> Module {
    let entry = vec![
        Instr::DataAddr { d: 0, off: 32 },
        Instr::DataAddr { d: 1, off: 48 },
        Instr::CallImport { i: 8, ty: 5, d: 0, args: Regs(&[0, 1]) },
        Instr::Ret { s: 0 },
    ];
    let mut m = module(entry);
    m.data.size = 64;
    m.data.init.resize(64, 0);
    m.data.init[40] = dispatch;
    m.data.relocs.push(Reloc { offset: 32, kind: RelocKind::Func, target: 1, addend: 0 });
    // No GPIO ISR import: a firmware that cannot defer loads it.
    m.imports[7] = Import::func(ImportRef::Name("log_int".into()), 1);
    m
}

#[test]
fn an_isr_dispatched_esp_timer_is_refused_at_create_where_calls_cannot_be_deferred() {
    const ESP_TIMER_ISR: u8 = 1;
    let w = World::new(false);
    let app = load(w, esp_timer_module(ESP_TIMER_ISR), 8, Config::default()).unwrap();
    // ESP_ERR_INVALID_ARG, as ESP-IDF without ISR dispatch, and why.
    assert_eq!(app.start("app_main"), Ok(Outcome::Returned(0x102)));
    assert!(w.logged("esp_timer_create refused") && w.logged("ESP_TIMER_ISR"), "{:?}", w.log.lock().unwrap());
    assert!(app.resources().is_empty());

    // A task-dispatched one is created, and so is an ISR one where calls
    // can be deferred.
    for (can_defer, dispatch) in [(false, 0), (true, ESP_TIMER_ISR)] {
        let w = World::new(can_defer);
        let app = load(w, esp_timer_module(dispatch), 8, Config::default()).unwrap();
        assert_eq!(app.start("app_main"), Ok(Outcome::Returned(0)));
        assert!(matches!(app.resources()[..], [Resource::EspTimer(h)] if h >= 0x7000_0000));
        assert!(!w.logged("refused"));
    }
}
