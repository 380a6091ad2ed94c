//! The simulated FreeRTOS kernel: tasks that take turns, a clock, and the
//! [`Os`] the runtime runs apps on.
//!
//! Each FreeRTOS task is a std thread, but only the task holding the baton
//! runs; the others wait on their own condition variable. The baton moves
//! only when the running task blocks (a delay, a queue, a lock), yields
//! (the runtime's time slices, `taskYIELD`), ends, or, at the start of its
//! next native call, when it made a task of higher priority ready. The next
//! task is the ready one of highest priority, first come first served
//! among equals, as in FreeRTOS. When no task is ready the clock jumps to
//! the next wake-up (virtual time) or sleeps until it (real time). A run is
//! thus a function of the module and its inputs: identical run to run.
//!
//! Virtual time does not pass while module code computes, except that each
//! runtime time slice (a task interpreting without a blocking call, see
//! `Config::time_slice`) costs [`SLICE_US`], so a busy loop that polls the
//! clock still sees it move.

use crate::Console;
use crate::rtos::Objects;
use espb_runtime::os::{Os, Resource};
use espb_runtime::thunk::{Deferred, ThunkPool};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

pub(crate) type TaskId = usize;

/// The id of the thread that runs a simulation ([`crate::Sim::run`]): not
/// a task, it only waits for the end.
pub(crate) const CONTROLLER: TaskId = 1;
/// Handles (tasks and kernel objects) look like DRAM addresses of an
/// ESP32-C3, one numbering for all, so a handle of the wrong kind is caught.
const HANDLE_BASE: u32 = 0x3FC9_0000;
const HANDLE_STEP: u32 = 0x40;
/// Virtual time a runtime time slice costs (about what a chip needs for
/// `Config::time_slice` interpreted branches and calls).
pub const SLICE_US: u64 = 1000;
/// `configMAX_PRIORITIES - 1`.
pub(crate) const MAX_PRIO: u32 = 24;
/// Native stack of a task's thread (the interpreter and its re-entries).
const TASK_THREAD_STACK: usize = 4 << 20;

thread_local! {
    /// The task the calling thread is: (kernel, task id).
    static ME: Cell<(usize, TaskId)> = const { Cell::new((0, 0)) };
    /// The thread plays an interrupt handler (GPIO input, ISR-dispatched esp_timer).
    static IN_ISR: Cell<bool> = const { Cell::new(false) };
}

/// Why a simulation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The time limit was reached.
    TimeUp,
    /// Every task waits for something that can no longer happen.
    Idle,
    /// The module is done (it finished, exited, trapped or was unloaded).
    Done,
}

/// Why a blocked task runs again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Woke {
    Event,
    Timeout,
}

/// A blocking call that returns because the simulation ended. Only a
/// kernel without a controller (a bare [`crate::PcHost`]) returns it: under
/// [`crate::Sim`] the tasks stay parked at the end, as a halted chip's do.
#[derive(Debug)]
pub(crate) struct Halted;

/// What a blocked task waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    Delay,
    /// An item of a queue, or a semaphore or mutex to take.
    Recv(u32),
    /// Room in a queue.
    Send(u32),
    /// Bits of an event group.
    Bits(u32),
    /// A task notification (index).
    Notify(usize),
    /// An [`Os`] lock.
    Lock(usize),
    /// Work for a service task.
    Service(Service),
    /// `vTaskSuspend`.
    Suspended,
}

/// The firmware's own tasks the simulator starts when first needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Service {
    /// FreeRTOS' timer service task ("Tmr Svc").
    Timers,
    /// ESP-IDF's esp_timer task.
    EspTimers,
    /// The default event loop's task ("sys_evt").
    Events,
    /// GPIO inputs from the script, and their interrupts.
    Gpio,
    /// Callbacks deferred from interrupt context.
    Isr,
}

impl Service {
    /// Name and priority, as in ESP-IDF's defaults.
    fn spec(self) -> (&'static str, u32) {
        match self {
            Service::Timers => ("Tmr Svc", 1),
            Service::EspTimers => ("esp_timer", 22),
            Service::Events => ("sys_evt", 20),
            Service::Gpio => ("gpio_input", MAX_PRIO),
            Service::Isr => ("espb_isr", MAX_PRIO - 1),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    Ready,
    Running,
    Blocked(Wait),
    /// `vTaskSuspend`: runs again after `vTaskResume` only.
    Suspended,
}

/// One task notification slot.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Notify {
    pub value: u32,
    pub pending: bool,
}

/// Entries of the task notification array (ESP-IDF's default is 1; a few
/// more cost nothing here).
pub(crate) const NOTIFY_ENTRIES: usize = 3;

pub(crate) struct Task {
    pub name: String,
    pub prio: u32,
    /// The priority set by the module (`prio` may be raised by a mutex).
    pub base_prio: u32,
    pub state: State,
    wake_at: Option<u64>,
    /// Place in line: among ready tasks of one priority, and among the
    /// waiters of one object.
    order: u64,
    woke: Woke,
    cv: Arc<Condvar>,
    /// Handed over by the task that woke it (event group bits).
    pub value: u32,
    /// What `xEventGroupWaitBits` waits for: (bits, all, clear).
    pub bits_wait: (u32, bool, bool),
    pub notify: [Notify; NOTIFY_ENTRIES],
    /// `pcTaskGetName`'s copy of the name in module memory (0: none yet).
    pub name_addr: u32,
    /// `xTaskAbortDelay` ended its wait: the blocking call gives up.
    pub aborted: bool,
}

/// Everything the kernel knows, behind one lock.
pub(crate) struct World {
    /// Microseconds since boot.
    pub now: u64,
    /// `--for`: the run ends when the clock gets here.
    until: Option<u64>,
    /// Real time: the clock follows the wall clock from this instant.
    realtime: Option<Instant>,
    /// Length of a FreeRTOS tick.
    pub tick_us: u64,
    running: TaskId,
    pub tasks: BTreeMap<TaskId, Task>,
    seq: u64,
    next_handle: u32,
    /// Os locks: their holders (0: free).
    locks: HashMap<usize, TaskId>,
    next_lock: usize,
    pub stop: Option<Stop>,
    stop_requested: bool,
    /// A controller waits for the end (see [`Halted`]).
    controlled: bool,
    /// A task of higher priority than the running one became ready.
    preempt: bool,
    /// Something outside the tasks may still wake one (stdin in real time).
    pub external: bool,
    services: HashMap<Service, TaskId>,
    pub rtos: Objects,
}

impl World {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A fresh handle for a task or an object.
    pub fn handle(&mut self) -> u32 {
        let h = self.next_handle;
        self.next_handle = self.next_handle.wrapping_add(HANDLE_STEP);
        h
    }

    /// The clock (real time: caught up with the wall clock).
    pub fn sync_clock(&mut self) -> u64 {
        if let Some(start) = self.realtime {
            self.now = self.now.max(start.elapsed().as_micros() as u64);
        }
        self.now
    }

    pub fn ticks(&self) -> u32 {
        (self.now / self.tick_us) as u32
    }

    /// When a wait of `ticks` started now ends (FreeRTOS counts from the
    /// current tick); `None` for `portMAX_DELAY`.
    pub fn deadline(&self, ticks: u32) -> Option<u64> {
        (ticks != u32::MAX).then(|| self.after_ticks(ticks))
    }

    /// The start of the tick `ticks` after the current one.
    pub fn after_ticks(&self, ticks: u32) -> u64 {
        (self.now / self.tick_us + u64::from(ticks)).saturating_mul(self.tick_us)
    }

    /// The start of tick `t` (a wrapped tick count is taken as the next lap).
    pub fn tick_time(&self, t: u32) -> u64 {
        let now_tick = self.now / self.tick_us;
        let mut tick = ((now_tick >> 32) << 32) | u64::from(t);
        if tick + (1 << 31) < now_tick {
            tick += 1 << 32;
        }
        tick.saturating_mul(self.tick_us)
    }

    pub fn running(&self) -> TaskId {
        self.running
    }

    /// Whether a task of higher priority than the running one is ready.
    pub fn preempt_pending(&self) -> bool {
        self.preempt
    }

    /// Recomputes [`World::preempt_pending`] after priorities changed.
    fn recheck_preempt(&mut self) {
        let prio = |id: Option<TaskId>| id.and_then(|id| self.tasks.get(&id)).map(|t| t.prio);
        self.preempt = prio(self.pick()) > prio(Some(self.running)).or(Some(0));
    }

    /// Sets a task's priority (raised by a mutex it holds: `inherit`).
    pub fn set_priority(&mut self, id: TaskId, prio: u32, inherit: bool) {
        let Some(t) = self.tasks.get_mut(&id) else { return };
        if !inherit {
            t.base_prio = prio;
        }
        t.prio = prio;
        self.recheck_preempt();
    }

    fn new_task(&mut self, name: &str, prio: u32, state: State) -> TaskId {
        let id = self.handle() as TaskId;
        let order = self.next_seq();
        let prio = prio.min(MAX_PRIO);
        self.note_ready(prio, state);
        self.tasks.insert(
            id,
            Task {
                name: name.to_string(),
                prio,
                base_prio: prio,
                state,
                wake_at: None,
                order,
                woke: Woke::Event,
                cv: Arc::new(Condvar::new()),
                value: 0,
                bits_wait: (0, false, false),
                notify: [Notify::default(); NOTIFY_ENTRIES],
                name_addr: 0,
                aborted: false,
            },
        );
        id
    }

    fn note_ready(&mut self, prio: u32, state: State) {
        if state == State::Ready && self.tasks.get(&self.running).is_some_and(|r| prio > r.prio) {
            self.preempt = true;
        }
    }

    /// Makes task `id` ready (it was blocked or suspended).
    pub fn make_ready(&mut self, id: TaskId, woke: Woke) {
        let order = self.next_seq();
        let Some(t) = self.tasks.get_mut(&id) else { return };
        if matches!(t.state, State::Ready | State::Running) {
            return;
        }
        t.state = State::Ready;
        t.wake_at = None;
        t.order = order;
        t.woke = woke;
        let prio = t.prio;
        self.note_ready(prio, State::Ready);
    }

    /// The tasks waiting for `wait`, first in line first (priority, then
    /// arrival, as FreeRTOS' event lists).
    pub fn waiters(&self, wait: Wait) -> Vec<TaskId> {
        let mut v: Vec<(&TaskId, &Task)> = self.tasks.iter().filter(|(_, t)| t.state == State::Blocked(wait)).collect();
        v.sort_by_key(|(_, t)| (std::cmp::Reverse(t.prio), t.order));
        v.into_iter().map(|(&id, _)| id).collect()
    }

    /// Wakes the first task waiting for `wait`; false when none waits.
    pub fn wake_one(&mut self, wait: Wait) -> bool {
        match self.waiters(wait).first() {
            Some(&id) => {
                self.make_ready(id, Woke::Event);
                true
            }
            None => false,
        }
    }

    pub fn wake_all(&mut self, wait: Wait) {
        for id in self.waiters(wait) {
            self.make_ready(id, Woke::Event);
        }
    }

    /// The ready task to run next.
    fn pick(&self) -> Option<TaskId> {
        self.tasks
            .iter()
            .filter(|(_, t)| t.state == State::Ready)
            .min_by_key(|(_, t)| (std::cmp::Reverse(t.prio), t.order))
            .map(|(&id, _)| id)
    }

    /// The earliest time a blocked task wakes by itself.
    fn next_wake(&self) -> Option<u64> {
        self.tasks.values().filter_map(|t| t.wake_at).min()
    }

    /// Wakes the tasks whose time came, earliest deadline first.
    fn wake_due(&mut self) {
        let now = self.now;
        let mut due: Vec<(u64, u64, TaskId)> = self
            .tasks
            .iter()
            .filter_map(|(&id, t)| t.wake_at.filter(|&w| w <= now).map(|w| (w, t.order, id)))
            .collect();
        due.sort_unstable();
        for (_, _, id) in due {
            self.make_ready(id, Woke::Timeout);
        }
    }

    /// Sets when a service task waiting for work wakes by itself (its next
    /// timer), or wakes it now.
    pub fn retime_service(&mut self, s: Service, at: Option<u64>) {
        let Some(&id) = self.services.get(&s) else { return };
        let now = self.now;
        let Some(t) = self.tasks.get_mut(&id) else { return };
        if t.state != State::Blocked(Wait::Service(s)) {
            return;
        }
        match at {
            Some(at) if at <= now => self.make_ready(id, Woke::Event),
            at => t.wake_at = at,
        }
    }

    /// Removes task `id` (deleted, or its body ended). Its thread, if it
    /// is parked, never runs again.
    pub fn remove_task(&mut self, id: TaskId) -> bool {
        let Some(t) = self.tasks.remove(&id) else { return false };
        self.services.retain(|_, &mut s| s != id);
        self.rtos.task_removed(id);
        // A deleted task's notification cannot be waited for any more, but a
        // task blocked on a lock the deleted one held stays blocked, as in
        // FreeRTOS.
        let _ = t;
        true
    }

    pub fn task_state(&self, id: TaskId) -> Option<State> {
        self.tasks.get(&id).map(|t| t.state)
    }
}

/// The kernel: the world, and the condition variables the controller and
/// real-time idling wait on.
pub struct Kernel {
    w: Mutex<World>,
    /// The controller waits here for the end.
    end: Condvar,
    /// Idle real time, and threads outside the simulation waiting for an
    /// Os lock, wait here.
    ext: Condvar,
    pub(crate) console: Console,
    pub(crate) pool: &'static ThunkPool,
}

/// How a kernel keeps time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    pub tick_hz: u32,
    pub realtime: bool,
    pub until: Option<u64>,
}

impl Kernel {
    /// A kernel for one simulation; it lives for the rest of the program
    /// (the [`Os`] of an app must be `'static`).
    pub(crate) fn new(console: Console, pool: &'static ThunkPool, clock: Clock) -> &'static Kernel {
        let w = World {
            now: 0,
            until: clock.until,
            realtime: clock.realtime.then(Instant::now),
            tick_us: tick_us(clock.tick_hz),
            running: 0,
            tasks: BTreeMap::new(),
            seq: 0,
            next_handle: HANDLE_BASE,
            locks: HashMap::new(),
            next_lock: 1,
            stop: None,
            stop_requested: false,
            controlled: false,
            preempt: false,
            external: false,
            services: HashMap::new(),
            rtos: Objects::default(),
        };
        Box::leak(Box::new(Kernel { w: Mutex::new(w), end: Condvar::new(), ext: Condvar::new(), console, pool }))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, World> {
        self.w.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn key(&self) -> usize {
        self as *const Kernel as usize
    }

    /// Changes the clock before anything ran.
    pub(crate) fn set_clock(&self, clock: Clock) {
        let mut w = self.lock();
        w.tick_us = tick_us(clock.tick_hz);
        w.realtime = clock.realtime.then(Instant::now);
        w.until = clock.until;
    }

    pub(crate) fn tick_hz(&self) -> u32 {
        (1_000_000 / self.lock().tick_us) as u32
    }

    /// Microseconds since boot.
    pub(crate) fn now(&self) -> u64 {
        self.lock().sync_clock()
    }

    /// The calling task. A thread the kernel does not know becomes the
    /// running task "main" when no task runs (a bare [`crate::PcHost`]
    /// whose natives are called directly), else it is an outsider.
    pub(crate) fn current(&self) -> TaskId {
        let (k, id) = ME.get();
        if k == self.key() && id != 0 {
            return id;
        }
        let mut w = self.lock();
        let id = if w.running == 0 && w.stop.is_none() && !w.controlled {
            let id = w.new_task("main", 1, State::Running);
            w.running = id;
            id
        } else {
            CONTROLLER
        };
        ME.set((self.key(), id));
        id
    }

    /// The calling thread runs the simulation: it starts the tasks and
    /// waits for the end ([`Kernel::run`]).
    pub(crate) fn enter_as_controller(&self) {
        ME.set((self.key(), CONTROLLER));
        self.lock().controlled = true;
    }

    /// Starts a task: a thread that waits for its turn, runs `body`, and
    /// ends the task. `None` when no thread could be made.
    pub(crate) fn spawn(&'static self, name: &str, prio: u32, body: Box<dyn FnOnce() + Send>) -> Option<TaskId> {
        let id = self.lock().new_task(name, prio, State::Ready);
        let key = self.key();
        let thread =
            std::thread::Builder::new().name(name.to_string()).stack_size(TASK_THREAD_STACK).spawn(move || {
                ME.set((key, id));
                let (w, turn) = self.wait_turn(self.lock(), id);
                drop(w);
                if turn.is_ok() {
                    body();
                }
                self.task_ended(id);
            });
        if thread.is_err() {
            self.lock().remove_task(id);
            return None;
        }
        Some(id)
    }

    /// The service task `s`, started if needed.
    pub(crate) fn service(&'static self, s: Service) -> TaskId {
        if let Some(&id) = self.lock().services.get(&s) {
            return id;
        }
        let (name, prio) = s.spec();
        let body: Box<dyn FnOnce() + Send> = Box::new(move || crate::rtos::service_body(self, s));
        match self.spawn(name, prio, body) {
            Some(id) => {
                self.lock().services.insert(s, id);
                id
            }
            None => 0,
        }
    }

    /// Runs the simulation from the controller: hands the baton to the
    /// first task and waits until the run ends.
    pub(crate) fn run(&self) -> Stop {
        let mut w = self.lock();
        if w.running == 0 && w.stop.is_none() {
            w = self.switch(w);
        }
        loop {
            if let Some(s) = w.stop {
                return s;
            }
            w = self.end.wait(w).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Ends the run at the next switch (the module is done).
    pub(crate) fn request_stop(&self) {
        let mut w = self.lock();
        w.stop_requested = true;
        if w.running == 0 {
            self.finish(&mut w, Stop::Done);
        }
    }

    fn finish(&self, w: &mut World, stop: Stop) {
        if w.stop.is_none() {
            w.stop = Some(stop);
        }
        w.running = 0;
        self.end.notify_all();
        self.ext.notify_all();
    }

    /// Hands the baton on: the running task stopped running (it blocked,
    /// yielded or ended). Moves the clock when no task is ready.
    fn switch<'a>(&'a self, mut w: MutexGuard<'a, World>) -> MutexGuard<'a, World> {
        loop {
            if w.stop.is_some() {
                w.running = 0;
                return w;
            }
            if w.stop_requested {
                self.finish(&mut w, Stop::Done);
                continue;
            }
            if let Some(next) = w.pick() {
                w.running = next;
                w.preempt = false;
                if let Some(t) = w.tasks.get_mut(&next) {
                    t.state = State::Running;
                    t.cv.notify_one();
                }
                return w;
            }
            w = self.idle(w);
        }
    }

    /// Nothing is ready: moves the clock to the next wake-up, or ends the run.
    fn idle<'a>(&'a self, mut w: MutexGuard<'a, World>) -> MutexGuard<'a, World> {
        let next = w.next_wake();
        let Some(start) = w.realtime else {
            let before_limit = next.filter(|&t| w.until.is_none_or(|u| t < u));
            match (before_limit, w.until) {
                (Some(t), _) => {
                    w.now = w.now.max(t);
                    w.wake_due();
                }
                // Nothing can happen before the limit (or ever): the run
                // lasts as long as it was asked to all the same.
                (None, Some(u)) => {
                    w.now = w.now.max(u);
                    self.finish(&mut w, Stop::TimeUp);
                }
                (None, None) => self.finish(&mut w, Stop::Idle),
            }
            return w;
        };
        let target = match (next, w.until) {
            (Some(t), Some(u)) => Some(t.min(u)),
            (t, u) => t.or(u),
        };
        if target.is_none() && !w.external {
            self.finish(&mut w, Stop::Idle);
            return w;
        }
        let wall = start.elapsed().as_micros() as u64;
        match target {
            Some(t) if t > wall => {
                let wait = Duration::from_micros(t - wall);
                w = self.ext.wait_timeout(w, wait).unwrap_or_else(PoisonError::into_inner).0;
            }
            None => w = self.ext.wait(w).unwrap_or_else(PoisonError::into_inner),
            Some(_) => {}
        }
        w.sync_clock();
        if let Some(u) = w.until
            && w.now >= u
        {
            w.now = u;
            self.finish(&mut w, Stop::TimeUp);
            return w;
        }
        w.wake_due();
        w
    }

    /// Waits until task `me` holds the baton again. `Err(Halted)` when the
    /// run ended and nobody controls it; under a controller a task whose
    /// run ended stays here for good.
    fn wait_turn<'a>(
        &'a self,
        mut w: MutexGuard<'a, World>,
        me: TaskId,
    ) -> (MutexGuard<'a, World>, Result<Woke, Halted>) {
        let Some(cv) = w.tasks.get(&me).map(|t| t.cv.clone()) else { return (w, Err(Halted)) };
        loop {
            if w.running == me {
                let woke = w.tasks.get(&me).map_or(Woke::Event, |t| t.woke);
                return (w, Ok(woke));
            }
            if w.stop.is_some() && !w.controlled {
                return (w, Err(Halted));
            }
            w = cv.wait(w).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Blocks the running task `me` on `wait` until woken or until
    /// `wake_at`, and returns once it runs again.
    pub(crate) fn block<'a>(
        &'a self,
        mut w: MutexGuard<'a, World>,
        me: TaskId,
        wait: Wait,
        wake_at: Option<u64>,
    ) -> (MutexGuard<'a, World>, Result<Woke, Halted>) {
        let order = w.next_seq();
        let Some(t) = w.tasks.get_mut(&me) else { return (w, Err(Halted)) };
        t.state = if wait == Wait::Suspended { State::Suspended } else { State::Blocked(wait) };
        t.wake_at = wake_at;
        t.order = order;
        if w.running == me {
            w = self.switch(w);
        }
        self.wait_turn(w, me)
    }

    /// FreeRTOS' blocking pattern: tries `attempt`; while it fails and
    /// `ticks` have not passed, waits on `wait` and tries again. `Ok(None)`:
    /// timed out.
    pub(crate) fn wait_for<R>(
        &self,
        ticks: u32,
        wait: Wait,
        mut attempt: impl FnMut(&mut World, TaskId) -> Option<R>,
    ) -> Result<Option<R>, Halted> {
        let me = self.current();
        let mut w = self.lock();
        w.sync_clock();
        let deadline = w.deadline(ticks);
        loop {
            if let Some(r) = attempt(&mut w, me) {
                return Ok(Some(r));
            }
            if ticks == 0 || deadline.is_some_and(|d| w.now >= d) || !w.tasks.contains_key(&me) {
                return Ok(None);
            }
            let (g, r) = self.block(w, me, wait, deadline);
            w = g;
            r?;
            if w.tasks.get_mut(&me).is_some_and(|t| std::mem::take(&mut t.aborted)) {
                return Ok(None);
            }
        }
    }

    /// Suspends the calling task until another resumes it.
    pub(crate) fn suspend_forever(&self) -> Result<(), Halted> {
        let me = self.current();
        let w = self.lock();
        self.block(w, me, Wait::Suspended, None).1.map(|_| ())
    }

    /// Suspends another task (whatever it waited for is forgotten).
    pub(crate) fn suspend(&self, id: TaskId) {
        let mut w = self.lock();
        if let Some(t) = w.tasks.get_mut(&id) {
            t.state = State::Suspended;
            t.wake_at = None;
        }
    }

    pub(crate) fn set_priority(&self, id: TaskId, prio: u32) {
        self.lock().set_priority(id, prio, false);
    }

    /// A service task's wait for work: `next` returns the work due now, or
    /// when to look again (`None`: when woken).
    pub(crate) fn wait_service<R>(
        &self,
        s: Service,
        mut next: impl FnMut(&mut World) -> (Option<R>, Option<u64>),
    ) -> Result<R, Halted> {
        let me = self.current();
        let mut w = self.lock();
        loop {
            w.sync_clock();
            let (job, at) = next(&mut w);
            if let Some(job) = job {
                return Ok(job);
            }
            let (g, r) = self.block(w, me, Wait::Service(s), at);
            w = g;
            r?;
        }
    }

    /// A busy wait of `us` (`esp_rom_delay_us`): the clock moves on, but the
    /// caller keeps running.
    pub(crate) fn busy_wait(&self, us: u64) {
        let mut w = self.lock();
        if w.realtime.is_some() {
            drop(w);
            std::thread::sleep(Duration::from_micros(us));
            return;
        }
        w.now += us;
        w.wake_due();
    }

    /// Sleeps the calling task until `at` (microseconds since boot).
    pub(crate) fn sleep_until(&self, at: u64) -> Result<(), Halted> {
        let me = self.current();
        let mut w = self.lock();
        while w.sync_clock() < at {
            let (g, r) = self.block(w, me, Wait::Delay, Some(at));
            w = g;
            r?;
            if w.tasks.get_mut(&me).is_some_and(|t| std::mem::take(&mut t.aborted)) {
                break;
            }
        }
        Ok(())
    }

    /// Ends the running task's turn: it goes behind the other ready tasks of
    /// its priority. `slice`: the runtime's time slice halted, which costs
    /// virtual time.
    pub(crate) fn yield_now(&self, slice: bool) {
        let me = self.current();
        let mut w = self.lock();
        if w.running != me {
            return;
        }
        if slice && w.realtime.is_none() {
            w.now += SLICE_US;
        }
        w.sync_clock();
        if let Some(u) = w.until
            && w.now >= u
        {
            w.now = u;
            self.finish(&mut w, Stop::TimeUp);
        } else {
            w.wake_due();
        }
        let order = w.next_seq();
        if let Some(t) = w.tasks.get_mut(&me) {
            t.state = State::Ready;
            t.order = order;
        }
        let w = self.switch(w);
        let _ = self.wait_turn(w, me);
    }

    /// Lets a ready task of higher priority run first; the caller keeps its
    /// place in line.
    pub(crate) fn preempt(&self) {
        let me = self.current();
        let mut w = self.lock();
        if w.running != me || !w.preempt {
            return;
        }
        if let Some(t) = w.tasks.get_mut(&me) {
            t.state = State::Ready;
        }
        let w = self.switch(w);
        let _ = self.wait_turn(w, me);
    }

    /// Task `me`'s body ended: the baton moves on and the thread ends.
    fn task_ended(&self, me: TaskId) {
        let mut w = self.lock();
        w.remove_task(me);
        if w.running == me {
            drop(self.switch(w));
        }
    }

    /// Deletes task `id` (another task than the caller); false if unknown.
    pub(crate) fn delete_task(&self, id: TaskId) -> bool {
        let mut w = self.lock();
        if w.running == id {
            // Deleting itself: the task body ends it (see Os::exit_task).
            return w.tasks.contains_key(&id);
        }
        w.remove_task(id)
    }

    /// Whether the calling thread plays an interrupt handler.
    pub(crate) fn set_in_isr(on: bool) {
        IN_ISR.set(on);
    }

    /// Wakes a real-time idle wait (input arrived from outside).
    pub(crate) fn poke(&self) {
        self.ext.notify_all();
    }
}

fn tick_us(hz: u32) -> u64 {
    (1_000_000 / u64::from(hz.clamp(1, 1_000_000))).max(1)
}

// SAFETY: task ids are per thread (thread-local, set once per thread), never
// shared by two threads that run at the same time; locks are held by one
// task at a time and waited for through the scheduler (with the memory
// ordering of the world's mutex); `in_isr` is true exactly on the threads
// that play an interrupt handler, which never take an Os lock.
unsafe impl Os for Kernel {
    fn current_task(&self) -> TaskId {
        self.current()
    }

    fn lock_create(&self) -> Option<usize> {
        let mut w = self.lock();
        let l = w.next_lock;
        w.next_lock += 1;
        w.locks.insert(l, 0);
        Some(l)
    }

    fn lock(&self, l: usize) {
        let me = self.current();
        let mut w = self.lock();
        loop {
            let Some(holder) = w.locks.get_mut(&l) else { return };
            if *holder == 0 {
                *holder = me;
                return;
            }
            if w.running == me && w.tasks.contains_key(&me) {
                let (g, r) = self.block(w, me, Wait::Lock(l), None);
                w = g;
                if r.is_ok() {
                    continue;
                }
            }
            // Not a running task (the controller, after the end): the holder
            // releases it without the scheduler's help.
            w = self.ext.wait(w).unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn unlock(&self, l: usize) {
        let mut w = self.lock();
        if let Some(holder) = w.locks.get_mut(&l) {
            *holder = 0;
        }
        w.wake_one(Wait::Lock(l));
        self.ext.notify_all();
    }

    fn lock_delete(&self, l: usize) {
        self.lock().locks.remove(&l);
    }

    fn yield_now(&self) {
        self.yield_now(true);
    }

    fn sleep_ms(&self, ms: u32) {
        let at = self.now() + u64::from(ms) * 1000;
        let _ = self.sleep_until(at);
    }

    fn in_isr(&self) -> bool {
        IN_ISR.get()
    }

    fn can_defer(&self) -> bool {
        true
    }

    fn task_name(&self, task: TaskId) -> Option<String> {
        self.lock().tasks.get(&task).map(|t| t.name.clone())
    }

    fn defer(&self, job: Deferred) -> bool {
        let mut w = self.lock();
        w.rtos.deferred.push_back(job);
        // The ISR service task was started by whoever plays the interrupt.
        w.retime_service(Service::Isr, Some(0));
        true
    }

    /// The runtime's lines, as the firmware's log shows them (`E (300)
    /// espb: module stopped: trap: ...`), on stderr.
    fn log(&self, msg: std::fmt::Arguments<'_>) {
        let text = format!("{msg}");
        let text = text.strip_prefix("espb: ").unwrap_or(&text);
        let level = if text.contains("trap") { 1 } else { 2 };
        self.console.err_line(&crate::esp::log_line(level, self.now() / 1000, "espb", text, false));
    }

    fn stop(&self, r: Resource) {
        crate::rtos::stop(self, r);
    }

    /// The task's body returns right after (the thread then ends).
    fn exit_task(&self) {}
}
