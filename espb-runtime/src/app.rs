//! A loaded module that lives on: [`App`]. Its entry (`app_main`) may
//! return while tasks, timers and handlers it started keep calling its
//! functions through callback thunks; the app stays until they are gone
//! (it then unloads itself), until [`App::unload`], or until a trap.
//!
//! ```ignore
//! let app = App::load_with(bytes, |m| DeviceHost::new(tables, m), config, &FREERTOS, ThunkPool::device())?;
//! app.start("app_main")?;          // runs on this task; the app lives on
//! if app.wait() == AppStatus::Trapped { log(app.last_trap()) }
//! ```
//!
//! # How it runs
//!
//! * **One lock per app**, recursive by task ([`Os::lock`] underneath):
//!   module code runs only under it. A native hinted `blocking` runs with it
//!   released ([`crate::HostCtx::block`]), and a task that interprets for a
//!   whole time slice ([`Config::time_slice`] backward branches and calls)
//!   releases it and yields, so the app's other tasks and callbacks run.
//! * **One execution context per task** that runs module code (its
//!   registers, frames and stack region; [`crate::vm::context`]): the task
//!   that starts the entry uses the module's stack, every other task a
//!   region of [`Config::task_stack_size`] bytes from the module's heap,
//!   kept until the task ends or the app unloads. A task that re-enters the
//!   module synchronously (a native calling a callback) gets a temporary
//!   context above its live one.
//! * **Resources**: the runtime watches the natives that start and stop
//!   tasks, timers and handlers, and that create and delete queues
//!   (semaphores, mutexes) and event groups (vm/resources.rs); unload stops
//!   and frees what is left through [`Os::stop`].
//! * **Unload** (explicit, by a trap, or when the entry returned and nothing
//!   is left): mark dead (new callbacks return 0, logged), release the thunk
//!   slots, stop every resource (the module's tasks are deleted, the calling
//!   task last), and free the instance once no task is inside it.
//!
//! # Aliasing
//!
//! While a task waits in a blocking native, another task runs the same
//! instance: both hold `&mut` borrows of the instance's memory, heap and
//! host, one of them suspended inside an opaque native call. They never
//! touch it at the same time (the lock orders them, with its memory
//! ordering), the memory block never moves, and the suspended task re-reads
//! shared state after the call; this is the one place the runtime steps
//! outside Rust's exclusive-borrow model, as any interpreter that lets a
//! native block with its lock released must while `Host::call` takes
//! `&mut self`.

use crate::entry::{Outcome, RunError, entry_call};
use crate::module::Module;
use crate::native::Abi;
use crate::os::{Os, Resource, TaskId};
use crate::sync::{Arc, AtomicU8, AtomicU32, AtomicUsize};
use crate::thunk::{Args, BindError, CallbackError, Callee, Invoked, Shortage, ThunkPool, place};
use crate::verify::VerifiedModule;
use crate::vm::context::{ExecCtx, Hooks};
use crate::vm::resources::ISR_CALLBACK_NATIVES;
use crate::vm::{Config, Gate, Host, Instance, InstantiateError, Trap, TrapKind, describe_trap};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::ptr::NonNull;
use core::sync::atomic::Ordering;

/// Where an app is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppStatus {
    /// Loaded, entry not started.
    Loaded,
    /// The entry runs, or returned while tasks, timers or handlers of the
    /// module are left.
    Running,
    /// The entry returned (or called `exit(0)`) and nothing of the module
    /// was left: it unloaded itself.
    Finished(Outcome),
    /// The module called `exit(status)` with a non-zero status.
    Exited(i32),
    /// A task of the module trapped: it was stopped and unloaded
    /// ([`App::last_trap`] says where).
    Trapped,
    /// [`App::unload`] (or dropping the last handle) unloaded it.
    Unloaded,
}

impl AppStatus {
    /// Whether the app is gone (nothing of it runs any more).
    pub fn is_done(self) -> bool {
        !matches!(self, AppStatus::Loaded | AppStatus::Running)
    }

    /// As plain numbers, for an atomic: (kind, value).
    fn encode(self) -> (u8, u32) {
        match self {
            AppStatus::Loaded => (0, 0),
            AppStatus::Running => (1, 0),
            AppStatus::Finished(Outcome::Returned(v)) => (2, v as u32),
            AppStatus::Finished(Outcome::Exited) => (3, 0),
            AppStatus::Exited(c) => (4, c as u32),
            AppStatus::Trapped => (5, 0),
            AppStatus::Unloaded => (6, 0),
        }
    }

    fn decode(kind: u8, v: u32) -> AppStatus {
        match kind {
            0 => AppStatus::Loaded,
            1 => AppStatus::Running,
            2 => AppStatus::Finished(Outcome::Returned(v as i32)),
            3 => AppStatus::Finished(Outcome::Exited),
            4 => AppStatus::Exited(v as i32),
            5 => AppStatus::Trapped,
            _ => AppStatus::Unloaded,
        }
    }
}

/// What [`App::on_finish`] calls.
pub type OnFinish = Box<dyn FnOnce(AppStatus) + Send>;

/// A module instance with its tasks, timers and callbacks (see the
/// [module docs](self)). Clones are handles to the same app; dropping the
/// last one unloads it.
pub struct App<H: Host> {
    core: Arc<Core<H>>,
}

/// A recursive lock over one [`Os`] mutex.
struct RLock {
    os: &'static dyn Os,
    l: usize,
    owner: AtomicUsize,
    /// Only touched by the owner.
    depth: UnsafeCell<u32>,
}

impl RLock {
    fn lock(&self, me: TaskId) {
        if self.owner.load(Ordering::Relaxed) == me {
            // SAFETY: we own the lock.
            unsafe { *self.depth.get() += 1 };
            return;
        }
        self.os.lock(self.l);
        self.owner.store(me, Ordering::Relaxed);
        // SAFETY: we own the lock now.
        unsafe { *self.depth.get() = 1 };
    }

    fn unlock(&self) {
        // SAFETY: only the owner unlocks.
        let d = unsafe { &mut *self.depth.get() };
        *d -= 1;
        if *d == 0 {
            self.owner.store(0, Ordering::Relaxed);
            self.os.unlock(self.l);
        }
    }

    /// Releases every level the owner holds; returns them.
    fn release_all(&self) -> u32 {
        // SAFETY: only the owner releases.
        let d = unsafe { core::mem::replace(&mut *self.depth.get(), 0) };
        self.owner.store(0, Ordering::Relaxed);
        self.os.unlock(self.l);
        d
    }

    fn reacquire(&self, depth: u32) {
        self.os.lock(self.l);
        self.owner.store(self.os.current_task(), Ordering::Relaxed);
        // SAFETY: we own the lock now.
        unsafe { *self.depth.get() = depth };
    }
}

/// A task's context and how many runs use it right now.
struct CtxRec {
    task: TaskId,
    ctx: NonNull<ExecCtx>,
    /// Runs on it in progress (a run suspended in a blocking native counts).
    depth: u32,
    /// Its stack block in the module heap (0: the module's own stack).
    block: u32,
}

/// Everything of an app behind its lock but the instance itself.
struct Book {
    contexts: Vec<CtxRec>,
    /// Temporary contexts of synchronous re-entries (counted as running).
    nested: u32,
    resources: Vec<Resource>,
    task_names: Vec<(u32, String)>,
    slots: Vec<u16>,
    /// A word of module memory for NULL output handles.
    scratch: u32,
    /// The entry's outcome once it returned.
    entry: Option<Outcome>,
    trap: Option<String>,
    on_finish: Option<OnFinish>,
}

struct Core<H: Host> {
    os: &'static dyn Os,
    pool: &'static ThunkPool,
    /// The ABI of native thunk words (device pool), for placing arguments.
    abi: Option<Abi>,
    lock: RLock,
    /// AppStatus::encode, readable without the lock.
    status: AtomicU8,
    status_value: AtomicU32,
    handles: AtomicUsize,
    /// Under `lock`. `None` once freed.
    inst: UnsafeCell<Option<Instance<H>>>,
    /// Under `lock`; borrowed only briefly, never across a run.
    book: UnsafeCell<Book>,
}

// SAFETY: `inst` and `book` are only touched by the holder of `lock` (an Os
// mutex, see `Os`'s contract); the host moves between tasks with them, so
// `H: Send` is required. Everything else is atomic or immutable.
unsafe impl<H: Host + Send> Sync for Core<H> {}
// SAFETY: as above.
unsafe impl<H: Host + Send> Send for Core<H> {}

/// What the thunk pool holds: a reference to an app's core.
struct CoreRef<H: Host>(Arc<Core<H>>);

/// Why a run ended, for its caller.
enum End {
    Value(u64),
    /// The task deleted itself (or, for a module task, its entry returned).
    TaskExit,
    /// The module called `exit(code)`: the app was unloaded.
    Exit(i32),
    /// A trap, with its description: the app was stopped.
    Trap(Trap, String),
    /// The app is (or was meanwhile) unloaded.
    Unloaded,
}

const DEAD_STATUS_MIN: u8 = 2;

impl<H: Host + Send + 'static> App<H> {
    /// Decodes, verifies and instantiates `bytes` (a module, no partition
    /// header) with `host`, giving each address-taken function a slot of
    /// `pool`. The first app loaded on a pool binds it to `os`.
    pub fn load(
        bytes: &[u8],
        host: H,
        config: Config,
        os: &'static dyn Os,
        pool: &'static ThunkPool,
    ) -> Result<App<H>, RunError> {
        Self::load_with(bytes, |_| host, config, os, pool)
    }

    /// [`App::load`] with a host made from the decoded module (a
    /// `DeviceHost` needs its table names and hints).
    pub fn load_with(
        bytes: &[u8],
        host: impl FnOnce(&Module) -> H,
        config: Config,
        os: &'static dyn Os,
        pool: &'static ThunkPool,
    ) -> Result<App<H>, RunError> {
        let m = crate::format::load(bytes)?;
        let host = host(&m);
        Self::load_module(m, host, config, os, pool)
    }

    /// [`App::load`] of a decoded module.
    pub fn load_module(
        m: VerifiedModule,
        host: H,
        config: Config,
        os: &'static dyn Os,
        pool: &'static ThunkPool,
    ) -> Result<App<H>, RunError> {
        pool.bind(os).map_err(|e| {
            InstantiateError::Os(match e {
                BindError::NoLock => "the RTOS could not create a lock for the thunk pool",
                BindError::OtherOs => "the thunk pool is bound to another Os",
            })
        })?;
        let abi = pool.native_abi();
        let taken = m.address_taken_functions();
        if taken.len() > config.max_thunks {
            return Err(InstantiateError::TooManyCallbacks { needed: taken.len(), limit: config.max_thunks }.into());
        }
        check_callbacks(&m, &taken, abi, os)?;
        let l = os.lock_create().ok_or(InstantiateError::Os("the RTOS could not create a lock for the module"))?;
        let core = Arc::new(Core {
            os,
            pool,
            abi,
            lock: RLock { os, l, owner: AtomicUsize::new(0), depth: UnsafeCell::new(0) },
            status: AtomicU8::new(0),
            status_value: AtomicU32::new(0),
            handles: AtomicUsize::new(1),
            inst: UnsafeCell::new(None),
            book: UnsafeCell::new(Book {
                contexts: Vec::new(),
                nested: 0,
                resources: Vec::new(),
                task_names: Vec::new(),
                slots: Vec::new(),
                scratch: 0,
                entry: None,
                trap: None,
                on_finish: None,
            }),
        });
        pool.sweep();
        let callee: Arc<dyn Callee> = Arc::from(Box::new(CoreRef(core.clone())) as Box<dyn Callee>);
        let kinds: Vec<(u16, bool)> = taken
            .iter()
            .map(|&f| {
                let ty = m.functions.get(usize::from(f)).and_then(|func| m.types.get(usize::from(func.ty)));
                (f, abi.zip(ty).is_some_and(|(abi, ty)| place::returns_in_float_register(abi, ty)))
            })
            .collect();
        let slots = pool.acquire(&callee, &kinds).map_err(|s| {
            let Shortage { needed, free, size, .. } = s;
            if s.float {
                InstantiateError::FloatThunksExhausted { needed, free, size }
            } else {
                InstantiateError::ThunkPoolExhausted { needed, free, size }
            }
        })?;
        drop(callee);
        let thunks: Vec<(u16, u32)> =
            taken.iter().zip(&slots).filter_map(|(&f, &s)| Some((f, pool.address(s)?))).collect();
        let inst = match Instance::instantiate(m, host, config, &thunks) {
            Ok(i) => i,
            Err(e) => {
                pool.release(&slots);
                return Err(e.into());
            }
        };
        let me = os.current_task();
        core.lock.lock(me);
        // SAFETY (inst, book): under the app's lock.
        let inst = unsafe { &mut *core.inst.get() }.insert(inst);
        let scratch = inst.heap_mut().malloc(4);
        let book = unsafe { &mut *core.book.get() };
        book.slots = slots;
        book.scratch = scratch;
        core.lock.unlock();
        Ok(App { core })
    }

    /// Runs `entry` (0 parameters, or `main(argc, argv)` given 0 and NULL)
    /// on the calling task. The app lives on after it returns while the
    /// module's tasks, timers or handlers exist, and unloads itself when
    /// nothing is left. A trap or `exit` in the entry unloads it.
    pub fn start(&self, entry: &str) -> Result<Outcome, RunError> {
        let c = &*self.core;
        let me = c.os.current_task();
        c.lock.lock(me);
        let r = c.start_locked(me, entry);
        c.lock.unlock();
        c.after_unlock();
        r
    }

    pub fn status(&self) -> AppStatus {
        self.core.status()
    }

    /// The trap that stopped the module: "trap: integer divide by zero in
    /// function `cb` at main.c:12 (task dyn_task)".
    pub fn last_trap(&self) -> Option<String> {
        let c = &*self.core;
        c.lock.lock(c.os.current_task());
        // SAFETY: under the app's lock.
        let t = unsafe { &*c.book.get() }.trap.clone();
        c.lock.unlock();
        t
    }

    /// Stops everything the module started, releases its thunk slots and
    /// frees its memory (once no task is inside it). Calls of its callbacks
    /// afterwards return 0 (logged).
    pub fn unload(&self) {
        let c = &*self.core;
        c.lock.lock(c.os.current_task());
        c.unload_locked(AppStatus::Unloaded);
        c.lock.unlock();
        c.after_unlock();
    }

    /// Waits until the app is done (polling with [`Os::sleep_ms`]) and
    /// returns how it ended.
    pub fn wait(&self) -> AppStatus {
        loop {
            let s = self.status();
            if s.is_done() {
                return s;
            }
            self.core.os.sleep_ms(10);
        }
    }

    /// Calls `f` once, when the app is done (right away if it is), on the
    /// task that ended it.
    pub fn on_finish(&self, f: OnFinish) {
        let c = &*self.core;
        c.lock.lock(c.os.current_task());
        let f = if c.status().is_done() {
            Some(f)
        } else {
            // SAFETY: under the app's lock.
            unsafe { &mut *c.book.get() }.on_finish = Some(f);
            None
        };
        c.lock.unlock();
        if let Some(f) = f {
            f(c.status());
        }
    }

    /// Runs `f` on the host under the app's lock; `None` once unloaded.
    pub fn with_host<R>(&self, f: impl FnOnce(&mut H) -> R) -> Option<R> {
        let c = &*self.core;
        c.lock.lock(c.os.current_task());
        // SAFETY: under the app's lock.
        let r = unsafe { &mut *c.inst.get() }.as_mut().map(|i| f(i.host_mut()));
        c.lock.unlock();
        r
    }

    /// Resources the module started and has not stopped (for tests and
    /// diagnostics).
    pub fn resources(&self) -> Vec<Resource> {
        let c = &*self.core;
        c.lock.lock(c.os.current_task());
        // SAFETY: under the app's lock.
        let r = unsafe { &*c.book.get() }.resources.clone();
        c.lock.unlock();
        r
    }

    /// The native address of module function `name` (its thunk), as a
    /// native would be handed it; `None` when it has none.
    pub fn function_address(&self, name: &str) -> Option<u32> {
        let c = &*self.core;
        c.lock.lock(c.os.current_task());
        // SAFETY: under the app's lock.
        let a = unsafe { &*c.inst.get() }.as_ref().and_then(|i| {
            let f = i.module().find_function(name)?;
            i.function_address(f).filter(|&a| c.pool.is_thunk(a))
        });
        c.lock.unlock();
        a
    }
}

impl<H: Host> Clone for App<H> {
    fn clone(&self) -> Self {
        self.core.handles.fetch_add(1, Ordering::Relaxed);
        App { core: self.core.clone() }
    }
}

impl<H: Host> Drop for App<H> {
    fn drop(&mut self) {
        if self.core.handles.fetch_sub(1, Ordering::AcqRel) == 1 {
            let c = &*self.core;
            c.lock.lock(c.os.current_task());
            c.unload_locked(AppStatus::Unloaded);
            c.lock.unlock();
            c.after_unlock();
        }
    }
}

impl<H: Host> Drop for Core<H> {
    fn drop(&mut self) {
        let book = self.book.get_mut();
        for rec in book.contexts.drain(..) {
            // SAFETY: made by Box::into_raw, and no run uses it any more
            // (nobody else holds the core).
            drop(unsafe { Box::from_raw(rec.ctx.as_ptr()) });
        }
        self.os.lock_delete(self.lock.l);
    }
}

/// Refuses callbacks this firmware cannot call: signatures the chip's
/// thunks cannot take, and interrupt-context natives without deferral.
fn check_callbacks(m: &Module, taken: &[u16], abi: Option<Abi>, os: &dyn Os) -> Result<(), InstantiateError> {
    if let Some(abi) = abi {
        for &f in taken {
            let Some(ty) = m.functions.get(usize::from(f)).and_then(|func| m.types.get(usize::from(func.ty))) else {
                continue;
            };
            place::check(abi, ty).map_err(|e| InstantiateError::UnsupportedCallback {
                function: m.function_name(usize::from(f)).into_owned(),
                why: alloc::format!("{e}"),
            })?;
        }
    }
    if !os.can_defer()
        && let Some(n) = m.imports.iter().filter_map(|i| i.name()).find(|n| ISR_CALLBACK_NATIVES.contains(n))
    {
        return Err(InstantiateError::UnsupportedCallback {
            function: n.into(),
            why: "its handler runs in interrupt context, and this firmware's Os cannot defer calls to a task \
                  (Os::defer)"
                .into(),
        });
    }
    Ok(())
}

impl<H: Host> Core<H> {
    fn status(&self) -> AppStatus {
        AppStatus::decode(self.status.load(Ordering::Acquire), self.status_value.load(Ordering::Acquire))
    }

    fn set_status(&self, s: AppStatus) {
        let (k, v) = s.encode();
        self.status_value.store(v, Ordering::Release);
        self.status.store(k, Ordering::Release);
    }

    fn is_dead(&self) -> bool {
        self.status.load(Ordering::Acquire) >= DEAD_STATUS_MIN
    }

    /// # Safety
    /// Under the app's lock, with no other borrow of the book alive.
    #[allow(clippy::mut_from_ref)]
    unsafe fn book(&self) -> &mut Book {
        // SAFETY: caller's contract.
        unsafe { &mut *self.book.get() }
    }

    fn start_locked(&self, me: TaskId, entry: &str) -> Result<Outcome, RunError> {
        if self.status() != AppStatus::Loaded {
            return Err(if self.is_dead() { RunError::Unloaded } else { RunError::Started });
        }
        // SAFETY: under the app's lock.
        let Some(inst) = (unsafe { &*self.inst.get() }) else { return Err(RunError::Unloaded) };
        let (func, args) = entry_call(inst.module(), entry)?;
        self.set_status(AppStatus::Running);
        let r = match self.run(me, func, args, true) {
            End::Value(v) => Ok(Outcome::Returned(v as u32 as i32)),
            // vTaskDelete(NULL) in the entry ends the entry, not the
            // firmware's task that runs it.
            End::TaskExit => Ok(Outcome::Returned(0)),
            End::Exit(0) => return Ok(Outcome::Exited),
            End::Exit(c) => return Err(RunError::Exit(c)),
            End::Unloaded => return Err(RunError::Unloaded),
            End::Trap(trap, message) => return Err(RunError::Trap { trap, message }),
        };
        if let Ok(o) = r {
            // SAFETY: under the app's lock.
            unsafe { self.book() }.entry = Some(o);
            self.finish_if_idle();
        }
        r
    }

    /// Runs `func` on `me`'s context under the lock and sorts out how it
    /// ended: traps and exits stop the app (here), task ends are left to the
    /// caller. `entry`: the task starting the app (it uses the module's own
    /// stack).
    fn run(&self, me: TaskId, func: u16, args: &[u64], entry: bool) -> End {
        if self.is_dead() {
            return End::Unloaded;
        }
        // SAFETY: under the app's lock; the book borrow ends before the run.
        let inst: *mut Instance<H> = match unsafe { &mut *self.inst.get() } {
            Some(i) => i,
            None => return End::Unloaded,
        };
        let (ctx, nested) = match self.context(me, entry, inst) {
            Ok(c) => c,
            Err(trap) => return self.trapped(me, trap),
        };
        // SAFETY: `inst` stays allocated while a run is counted (the
        // instance is freed only when no context runs), and `ctx` is this
        // task's own context (or its temporary one).
        let r = unsafe { (*inst).run_in(&mut *ctx.as_ptr(), func, args, self) };
        self.context_done(me, ctx, nested);
        match r {
            Ok(v) => End::Value(v),
            // Unloaded under it (a blocking call, a slice end): whatever it
            // says now is a consequence.
            Err(_) if self.is_dead() => End::Unloaded,
            Err(t) => match t.kind {
                TrapKind::TaskExit => End::TaskExit,
                TrapKind::Unloaded => End::Unloaded,
                TrapKind::Exit(c) => {
                    self.unload_locked(if c == 0 {
                        AppStatus::Finished(Outcome::Exited)
                    } else {
                        AppStatus::Exited(c)
                    });
                    End::Exit(c)
                }
                _ => self.trapped(me, t),
            },
        }
    }

    /// Records a trap (with the task's name) and stops the app.
    fn trapped(&self, me: TaskId, trap: Trap) -> End {
        // SAFETY: under the app's lock.
        let what = match unsafe { &*self.inst.get() } {
            Some(i) => describe_trap(i.module(), &trap),
            None => alloc::format!("{trap}"),
        };
        let book = unsafe { self.book() };
        let task = match book.task_names.iter().find(|t| t.0 as usize == me) {
            Some((_, n)) => alloc::format!("task {n}"),
            None => match self.os.task_name(me) {
                Some(n) => alloc::format!("task {n}"),
                None => alloc::format!("task {me:#x}"),
            },
        };
        let message = alloc::format!("{what} ({task})");
        book.trap = Some(alloc::format!("trap: {message}"));
        self.os.log(format_args!("espb: module stopped: trap: {message}"));
        // For `cargo espb monitor`, which finds the module by its code.
        // SAFETY: under the app's lock.
        if let Some(record) =
            unsafe { &*self.inst.get() }.as_ref().and_then(|i| crate::vm::record::trap_record(i.module(), &trap))
        {
            self.os.log(format_args!("{record}"));
        }
        self.unload_locked(AppStatus::Trapped);
        End::Trap(trap, message)
    }

    /// The context `me` runs on now, and whether it is a temporary one (a
    /// synchronous re-entry while its own is in use).
    fn context(&self, me: TaskId, entry: bool, inst: *mut Instance<H>) -> Result<(NonNull<ExecCtx>, bool), Trap> {
        // SAFETY: under the app's lock; no other borrow of the book or the
        // instance is used meanwhile (the task's runs are suspended).
        let book = unsafe { self.book() };
        if let Some(rec) = book.contexts.iter_mut().find(|r| r.task == me)
            && rec.depth == 0
        {
            rec.depth = 1;
            return Ok((rec.ctx, false));
        }
        let nested = book.contexts.iter().any(|r| r.task == me);
        // SAFETY: as above.
        let inst = unsafe { &mut *inst };
        let (ctx, block) = if entry && !nested {
            let (top, limit) = inst.stack_region();
            (ExecCtx::new(top, limit), 0)
        } else {
            let size = inst.config().task_stack_size.max(256);
            let block = inst.heap_mut().malloc(size);
            if block == 0 {
                return Err(Trap::host(alloc::format!(
                    "out of memory: no room in the module's heap for a {size}-byte stack for this task \
                     (Config::task_stack_size)"
                )));
            }
            (ExecCtx::new(block + size, block), block)
        };
        let ctx = NonNull::from(Box::leak(Box::new(ctx)));
        if nested {
            // Temporary: freed in context_done (its block is its sp_limit).
            book.nested += 1;
        } else {
            book.contexts.push(CtxRec { task: me, ctx, depth: 1, block });
        }
        Ok((ctx, nested))
    }

    fn context_done(&self, me: TaskId, ctx: NonNull<ExecCtx>, nested: bool) {
        // SAFETY: under the app's lock; the run is over.
        let book = unsafe { self.book() };
        if nested {
            book.nested -= 1;
            // SAFETY: made by Box::leak in `context`, used by nobody now.
            let ctx = unsafe { Box::from_raw(ctx.as_ptr()) };
            // SAFETY: the instance is alive while a run is counted.
            if let Some(i) = unsafe { &mut *self.inst.get() }.as_mut() {
                let _ = i.heap_mut().free(ctx.sp_limit);
            }
        } else if let Some(rec) = book.contexts.iter_mut().find(|r| r.task == me) {
            rec.depth -= 1;
        }
        self.free_if_idle();
    }

    /// Frees the instance of a dead app once no task runs inside it.
    fn free_if_idle(&self) {
        if !self.is_dead() {
            return;
        }
        // SAFETY: under the app's lock.
        let book = unsafe { self.book() };
        if book.nested > 0 || book.contexts.iter().any(|r| r.depth > 0) {
            return;
        }
        for rec in book.contexts.drain(..) {
            // SAFETY: made by Box::leak; no run uses it.
            drop(unsafe { Box::from_raw(rec.ctx.as_ptr()) });
        }
        // SAFETY: under the app's lock, nobody runs in it.
        drop(unsafe { &mut *self.inst.get() }.take());
    }

    /// Drops `task`'s context (it never runs again) and, for another task
    /// than the caller (deleted by it), its calls in flight.
    fn drop_task(&self, task: TaskId) {
        // SAFETY: under the app's lock.
        let book = unsafe { self.book() };
        if let Some(i) = book.contexts.iter().position(|r| r.task == task) {
            let rec = book.contexts.swap_remove(i);
            // SAFETY: made by Box::leak; its task is gone or never resumes.
            drop(unsafe { Box::from_raw(rec.ctx.as_ptr()) });
            if rec.block != 0
                && let Some(inst) = unsafe { &mut *self.inst.get() }.as_mut()
            {
                let _ = inst.heap_mut().free(rec.block);
            }
        }
        book.task_names.retain(|t| t.0 as usize != task);
        // Its errno and struct _reent go with it (the interpreter takes a
        // fresh view of the windows after the native that got here).
        // SAFETY: under the app's lock, as for the stack block above.
        if let Some(inst) = unsafe { &mut *self.inst.get() }.as_mut() {
            inst.memory_mut().revoke_task(task);
        }
        if task != self.os.current_task() {
            self.pool.forget_task(task);
        }
    }

    /// Unloads when the entry returned, nothing is left and no task runs
    /// module code.
    fn finish_if_idle(&self) {
        // SAFETY: under the app's lock.
        let book = unsafe { self.book() };
        let idle = book.nested == 0 && book.contexts.iter().all(|r| r.depth == 0);
        let alive = book.resources.iter().any(Resource::keeps_alive);
        if let (Some(o), false, true) = (book.entry, alive, idle) {
            self.unload_locked(AppStatus::Finished(o));
        }
    }

    /// Unload under the lock (see the module docs); `status` says why.
    fn unload_locked(&self, status: AppStatus) {
        if self.is_dead() {
            return;
        }
        self.set_status(status);
        // SAFETY: under the app's lock.
        let book = unsafe { self.book() };
        let slots = core::mem::take(&mut book.slots);
        let mut resources = core::mem::take(&mut book.resources);
        self.pool.release(&slots);
        self.pool.sweep();
        let me = self.os.current_task();
        // Queues and event groups last: a task or timer stopped before may
        // have been using them.
        resources.sort_by_key(|r| !r.keeps_alive());
        for r in resources {
            match r {
                Resource::Task(h) if h as usize == me => continue,
                Resource::Task(h) => {
                    self.drop_task(h as usize);
                    self.os.stop(r);
                }
                _ => self.os.stop(r),
            }
        }
        self.free_if_idle();
    }

    /// After the lock is released: tells whoever asked that the app is done.
    fn after_unlock(&self) {
        if !self.is_dead() {
            return;
        }
        let me = self.os.current_task();
        self.lock.lock(me);
        // SAFETY: under the app's lock.
        let f = unsafe { self.book() }.on_finish.take();
        self.lock.unlock();
        if let Some(f) = f {
            f(self.status());
        }
    }

    /// A callback through a thunk, on the calling task.
    fn callback(&self, slot: u16, func: u16, args: Args<'_>) -> Invoked {
        if self.is_dead() {
            self.os.log(format_args!("callback into unloaded module (slot {slot})"));
            return Invoked { result: Err(CallbackError::Unloaded { slot }), exit_task: false };
        }
        let me = self.os.current_task();
        self.lock.lock(me);
        let (end, module_task) = match self.callback_locked(me, slot, func, args) {
            Ok(e) => e,
            Err(e) => {
                self.lock.unlock();
                return Invoked { result: Err(e), exit_task: false };
            }
        };
        // A module task ends when its entry returned or it deleted itself,
        // and when its app stopped under it (unload leaves the calling task
        // for last: this is where it goes).
        let exit_task = module_task && (matches!(end, End::TaskExit) || self.is_dead());
        if exit_task {
            // SAFETY: under the app's lock.
            unsafe { self.book() }.resources.retain(|r| *r != Resource::Task(me as u32));
            self.drop_task(me);
        }
        self.finish_if_idle();
        self.lock.unlock();
        self.after_unlock();
        let result = match end {
            End::Value(v) => Ok(v),
            End::TaskExit | End::Exit(0) => Ok(0),
            End::Exit(c) => Err(CallbackError::Trapped(alloc::format!("the module called exit({c})"))),
            End::Trap(_, m) => Err(CallbackError::Trapped(m)),
            End::Unloaded => {
                self.os.log(format_args!("callback into unloaded module (slot {slot})"));
                Err(CallbackError::Unloaded { slot })
            }
        };
        Invoked { result, exit_task }
    }

    /// The callback's run under the lock, and whether `me` is a task of the
    /// module.
    fn callback_locked(&self, me: TaskId, slot: u16, func: u16, args: Args<'_>) -> Result<(End, bool), CallbackError> {
        // SAFETY: under the app's lock.
        let Some(inst) = (unsafe { &*self.inst.get() }) else { return Ok((End::Unloaded, false)) };
        let m = inst.module();
        let name = || m.function_name(usize::from(func)).into_owned();
        let Some(ty) = m.functions.get(usize::from(func)).and_then(|f| m.types.get(usize::from(f.ty))) else {
            return Err(CallbackError::Arguments {
                function: name(),
                why: alloc::format!("no function (slot {slot})"),
            });
        };
        let placed;
        let vals: &[u64] = match args {
            Args::Values(v) => v,
            Args::Native(words) => {
                let abi = self.abi.or(Abi::NATIVE).ok_or_else(|| CallbackError::Arguments {
                    function: name(),
                    why: "native words without a native ABI".into(),
                })?;
                placed = place::place(abi, ty, words)
                    .map_err(|e| CallbackError::Arguments { function: name(), why: alloc::format!("{e}") })?;
                placed.as_slice()
            }
        };
        if vals.len() != ty.params.len() {
            return Err(CallbackError::Arguments {
                function: name(),
                why: alloc::format!("{} arguments for {} parameters", vals.len(), ty.params.len()),
            });
        }
        let module_task = self.is_module_task(me);
        // SAFETY: under the app's lock.
        let outer = !unsafe { self.book() }.contexts.iter().any(|r| r.task == me && r.depth > 0);
        let end = match self.run(me, func, vals, false) {
            // A module task's outermost call is its entry: returning ends it.
            End::Value(_) if module_task && outer => End::TaskExit,
            // vTaskDelete(NULL) in a callback on a firmware task (the timer
            // service...) only ends the callback: that task is not the module's.
            End::TaskExit if !module_task => End::Value(0),
            e => e,
        };
        Ok((end, module_task))
    }
}

impl<H: Host> Gate for Core<H> {
    fn release(&self) -> u32 {
        self.lock.release_all()
    }

    fn reacquire(&self, depth: u32) {
        self.lock.reacquire(depth);
    }
}

impl<H: Host> Hooks for Core<H> {
    fn dead(&self) -> bool {
        self.is_dead()
    }

    fn slice_end(&self) -> Result<(), Trap> {
        let d = self.lock.release_all();
        self.os.yield_now();
        self.lock.reacquire(d);
        if self.is_dead() { Err(Trap::new(TrapKind::Unloaded)) } else { Ok(()) }
    }

    fn call_foreign(&self, addr: u32, args: &[u64]) -> Option<Result<u64, Trap>> {
        self.pool.is_thunk(addr).then(|| self.pool.call(addr, args).map_err(|e| Trap::host(alloc::format!("{e}"))))
    }

    fn current_task(&self) -> TaskId {
        self.os.current_task()
    }

    fn is_module_task(&self, task: TaskId) -> bool {
        // SAFETY: under the app's lock.
        unsafe { self.book() }.resources.iter().any(|r| matches!(r, Resource::Task(h) if *h as usize == task))
    }

    fn add_resource(&self, r: Resource, name: Option<String>) {
        // SAFETY: under the app's lock.
        let book = unsafe { self.book() };
        if let (Resource::Task(h), Some(n)) = (r, name) {
            book.task_names.push((h, n));
        }
        book.resources.push(r);
    }

    fn remove_resource(&self, r: Resource) {
        // SAFETY: under the app's lock.
        let book = unsafe { self.book() };
        if let Some(i) = book.resources.iter().position(|x| *x == r) {
            book.resources.remove(i);
        }
    }

    fn forget_task(&self, task: TaskId) {
        self.drop_task(task);
    }

    fn scratch_word(&self) -> u32 {
        // SAFETY: under the app's lock.
        unsafe { self.book() }.scratch
    }

    fn can_defer(&self) -> bool {
        self.os.can_defer()
    }

    fn log(&self, msg: core::fmt::Arguments<'_>) {
        self.os.log(msg);
    }
}

impl<H: Host + Send> Callee for CoreRef<H> {
    fn invoke(&self, slot: u16, func: u16, args: Args<'_>) -> Invoked {
        self.0.callback(slot, func, args)
    }
}
