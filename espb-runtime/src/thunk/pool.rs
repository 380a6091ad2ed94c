//! The slots and their bookkeeping, shared by the device and the synthetic
//! pool.
//!
//! Every slot's owner is behind the pool's lock (an [`Os`] mutex, held for
//! a lookup or an update only, never while module code runs). A slot holds a
//! counted reference to its app's core, so a thunk that found its owner can
//! use it even while another task unloads the app: the core outlives every
//! call in flight, and says "unloaded" once its memory is gone.

use super::{CallbackError, Deferred, SYNTHETIC_BASE, SYNTHETIC_STRIDE};
use crate::native::Abi;
use crate::native::Lowered;
use crate::os::{Os, TaskId};
use crate::sync::{Arc, AtomicU8, AtomicU32, AtomicUsize};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::sync::atomic::Ordering;

/// A callback's arguments as they arrive.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Args<'a> {
    /// One raw value per parameter (the PC: [`ThunkPool::call`]).
    Values(&'a [u64]),
    /// A device thunk's native words, placed by the callee (which knows the
    /// function's type) with [`super::place`].
    Native(&'a Lowered),
}

/// What a slot calls: a loaded app.
pub(crate) trait Callee: Send + Sync {
    /// Runs function `func` (of the app's module) with `args` on the calling
    /// task; `slot` is for messages.
    fn invoke(&self, slot: u16, func: u16, args: Args<'_>) -> Invoked;
}

/// How a callback went, and whether its task must end now (a module task
/// whose entry returned, that deleted itself, or that stopped its app):
/// the pool ends it ([`Os::exit_task`]) once it let go of the app.
pub(crate) struct Invoked {
    pub(crate) result: Result<u64, CallbackError>,
    pub(crate) exit_task: bool,
}

struct Entry {
    callee: Arc<dyn Callee>,
    func: u16,
}

pub(super) struct Slot {
    /// Bumped at every release: a deferred call of an older owner is dropped.
    generation: AtomicU32,
    /// Under the pool's lock.
    entry: UnsafeCell<Option<Entry>>,
}

impl Slot {
    pub(super) const fn empty() -> Slot {
        Slot { generation: AtomicU32::new(0), entry: UnsafeCell::new(None) }
    }
}

/// Where the device's real thunks are: given by the table's owner
/// (`thunk/device.rs`), so the pool need not know it.
#[cfg(espb_thunks)]
#[derive(Debug)]
pub(super) struct DeviceTable {
    /// The native address of a slot's thunk.
    pub address: fn(u16) -> Option<u32>,
    /// The slot whose thunk is at a native address.
    pub slot_of: fn(u32) -> Option<u16>,
    /// The last this many slots are float-returning thunks (ilp32f).
    pub float_slots: usize,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Addresses `SYNTHETIC_BASE + SYNTHETIC_STRIDE * slot`, called with
    /// [`ThunkPool::call`].
    Synthetic,
    /// The static table of real thunks.
    #[cfg(espb_thunks)]
    Device(&'static DeviceTable),
}

/// Too few free slots of a kind for a module ([`ThunkPool::acquire`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shortage {
    /// Of the float-returning kind.
    pub float: bool,
    pub needed: usize,
    pub free: usize,
    /// Slots of that kind in the pool.
    pub size: usize,
}

/// Calls in flight (and references of deleted tasks) the pool has room
/// for without allocating: tasks inside callbacks at the same time.
const BOOK_RESERVE: usize = 8;

const UNBOUND: u8 = 0;
const BINDING: u8 = 1;
const BOUND: u8 = 2;

/// A pool of callback slots (see the [module docs](super)).
pub struct ThunkPool {
    slots: &'static [Slot],
    kind: Kind,
    /// UNBOUND -> BINDING -> BOUND, once: `os` and `lock` are written only
    /// in BINDING by the one binder, and read only in BOUND.
    state: AtomicU8,
    os: UnsafeCell<Option<&'static dyn Os>>,
    lock: UnsafeCell<usize>,
    /// Where the next search for a free slot starts, among the plain and
    /// among the float-returning slots (under the lock): slots are reused as
    /// late as possible, so a stale pointer a native kept is more likely to
    /// find its slot free than owned by another function.
    next: UnsafeCell<[usize; 2]>,
    used: AtomicUsize,
    /// The owners of the calls in flight, by task (under the lock): a call
    /// holds its app through this list, not on its own stack, so a task that
    /// unload deletes mid-call leaves nothing behind ([`ThunkPool::forget_task`]).
    inflight: UnsafeCell<Vec<(TaskId, Arc<dyn Callee>)>>,
    /// In-flight references of tasks that were deleted, with the epoch they
    /// were buried in (under the lock). A deleted task may still finish the
    /// instructions it is running on another core (FreeRTOS SMP deletes a
    /// running task at its next switch), so its app's core is kept until
    /// the next load or unload on this pool ([`ThunkPool::sweep`]).
    graveyard: UnsafeCell<Vec<(u32, Arc<dyn Callee>)>>,
    epoch: UnsafeCell<u32>,
}

impl core::fmt::Debug for ThunkPool {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ThunkPool")
            .field("kind", &self.kind)
            .field("size", &self.size())
            .field("float_size", &self.float_size())
            .field("in_use", &self.in_use())
            .finish_non_exhaustive()
    }
}

// SAFETY: `entry` and `next` are only touched under the pool's lock (an Os
// mutex: see `Os`'s contract); `os` and `lock` are written once before
// `state` is BOUND (release) and only read after seeing BOUND (acquire).
unsafe impl Sync for ThunkPool {}
// SAFETY: as for Sync; nothing in it is tied to a thread.
unsafe impl Send for ThunkPool {}
// SAFETY: the entry is only touched under the pool's lock.
unsafe impl Sync for Slot {}

/// Why [`ThunkPool::bind`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BindError {
    /// The Os could not create the pool's lock.
    NoLock,
    /// The pool already serves another Os.
    OtherOs,
}

impl ThunkPool {
    const fn new_static(slots: &'static [Slot], kind: Kind) -> ThunkPool {
        ThunkPool {
            slots,
            kind,
            state: AtomicU8::new(UNBOUND),
            os: UnsafeCell::new(None),
            lock: UnsafeCell::new(0),
            next: UnsafeCell::new([0; 2]),
            used: AtomicUsize::new(0),
            inflight: UnsafeCell::new(Vec::new()),
            graveyard: UnsafeCell::new(Vec::new()),
            epoch: UnsafeCell::new(0),
        }
    }

    /// A pool of `size` slots with synthetic addresses, for the PC (the
    /// simulator, tests): one per simulation, so parallel tests do not share
    /// slots. Lives for the rest of the program (a few words per slot).
    pub fn synthetic(size: usize) -> &'static ThunkPool {
        let size = size.min(usize::from(u16::MAX));
        let slots: Vec<Slot> = (0..size).map(|_| Slot::empty()).collect();
        let slots: &'static [Slot] = Box::leak(slots.into_boxed_slice());
        Box::leak(Box::new(ThunkPool::new_static(slots, Kind::Synthetic)))
    }

    /// The pool of the device's real thunks (`thunk/device.rs` owns it).
    #[cfg(espb_thunks)]
    pub(super) const fn new_device(slots: &'static [Slot], table: &'static DeviceTable) -> ThunkPool {
        ThunkPool::new_static(slots, Kind::Device(table))
    }

    /// The device pool where this target has real thunks, else `None`
    /// (the PC: use [`ThunkPool::synthetic`]). With thunks, `thunk/device.rs`
    /// defines it.
    #[cfg(not(espb_thunks))]
    pub fn device_pool() -> Option<&'static ThunkPool> {
        None
    }

    /// Number of plain slots (`ESPB_THUNKS` on a device); an ilp32f pool
    /// has [`ThunkPool::float_size`] more.
    pub fn size(&self) -> usize {
        self.slots.len() - self.float_size()
    }

    /// Slots whose thunk returns a `float` in a float register (ilp32f's
    /// `ESPB_FLOAT_THUNKS`; 0 elsewhere): the last ones.
    pub fn float_size(&self) -> usize {
        match self.kind {
            Kind::Synthetic => 0,
            #[cfg(espb_thunks)]
            Kind::Device(t) => t.float_slots.min(self.slots.len()),
        }
    }

    /// Slots owned by loaded apps.
    pub fn in_use(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The native address of `slot` (what the module sees as the function's
    /// address); `None` past the end.
    pub fn address(&self, slot: u16) -> Option<u32> {
        if usize::from(slot) >= self.slots.len() {
            return None;
        }
        match self.kind {
            Kind::Synthetic => Some(SYNTHETIC_BASE + SYNTHETIC_STRIDE * u32::from(slot)),
            #[cfg(espb_thunks)]
            Kind::Device(t) => (t.address)(slot),
        }
    }

    /// The slot at native address `addr`.
    pub fn slot_of(&self, addr: u32) -> Option<u16> {
        let slot = match self.kind {
            Kind::Synthetic => {
                let off = addr.wrapping_sub(SYNTHETIC_BASE);
                if !off.is_multiple_of(SYNTHETIC_STRIDE) {
                    return None;
                }
                u16::try_from(off / SYNTHETIC_STRIDE).ok()?
            }
            #[cfg(espb_thunks)]
            Kind::Device(t) => (t.slot_of)(addr)?,
        };
        (usize::from(slot) < self.slots.len()).then_some(slot)
    }

    /// Whether `addr` is one of this pool's slots (owned or free).
    pub fn is_thunk(&self, addr: u32) -> bool {
        self.slot_of(addr).is_some()
    }

    /// Calls the callback at `addr` with one raw value per parameter
    /// (i32/f32 in the low 32 bits), as a native calling the function
    /// pointer would: on the calling task, through the app's lock. Returns
    /// the raw result (0 for void). In interrupt context ([`Os::in_isr`])
    /// the call is deferred ([`Os::defer`]) and returns `Ok(0)`.
    pub fn call(&'static self, addr: u32, args: &[u64]) -> Result<u64, CallbackError> {
        let slot = self.slot_of(addr).ok_or(CallbackError::NotAThunk { addr })?;
        self.invoke(slot, Args::Values(args))
    }

    /// The Os this pool was bound to by the first app loaded on it.
    pub fn os(&self) -> Option<&'static dyn Os> {
        if self.state.load(Ordering::Acquire) == BOUND {
            // SAFETY: written once before BOUND was published (see Sync).
            unsafe { *self.os.get() }
        } else {
            None
        }
    }

    /// Binds the pool to `os` (its lock comes from it), once; later binds
    /// must name the same Os.
    pub(crate) fn bind(&self, os: &'static dyn Os) -> Result<(), BindError> {
        loop {
            match self.state.compare_exchange(UNBOUND, BINDING, Ordering::Acquire, Ordering::Acquire) {
                Ok(_) => {
                    let Some(lock) = os.lock_create() else {
                        self.state.store(UNBOUND, Ordering::Release);
                        return Err(BindError::NoLock);
                    };
                    // SAFETY: we moved the state to BINDING: nobody else
                    // writes, nobody reads before BOUND.
                    unsafe {
                        *self.os.get() = Some(os);
                        *self.lock.get() = lock;
                        // Room up front: a callback then allocates nothing,
                        // and the pool's memory is all made here (a
                        // firmware's heap check after unload sees only what
                        // an app left).
                        (*self.inflight.get()).reserve(BOOK_RESERVE);
                        (*self.graveyard.get()).reserve(BOOK_RESERVE);
                    }
                    self.state.store(BOUND, Ordering::Release);
                    return Ok(());
                }
                Err(BOUND) => {
                    let mine = self.os().is_some_and(|o| core::ptr::addr_eq(o, os));
                    return if mine { Ok(()) } else { Err(BindError::OtherOs) };
                }
                // Another task is binding right now: a few stores away.
                Err(_) => os.yield_now(),
            }
        }
    }

    /// Runs `f` under the pool's lock. Only for a bound pool, never in
    /// interrupt context.
    fn locked<R>(&self, os: &dyn Os, f: impl FnOnce() -> R) -> R {
        // SAFETY: only called once bound: `lock` is written.
        let l = unsafe { *self.lock.get() };
        os.lock(l);
        let r = f();
        os.unlock(l);
        r
    }

    /// Gives each function of `funcs` a slot owned by `callee`: the slots,
    /// in `funcs`' order. A function whose flag is set gets a
    /// float-returning slot ([`ThunkPool::float_size`]), the others a plain
    /// one. When too few of a kind are free nothing is taken.
    pub(crate) fn acquire(&self, callee: &Arc<dyn Callee>, funcs: &[(u16, bool)]) -> Result<Vec<u16>, Shortage> {
        if funcs.is_empty() {
            return Ok(Vec::new());
        }
        let plain = self.size();
        // The slots of each kind: plain, float-returning.
        let range = |float: bool| if float { plain..self.slots.len() } else { 0..plain };
        let need = |float: bool| funcs.iter().filter(|f| f.1 == float).count();
        let Some(os) = self.os() else {
            let float = need(true) > 0;
            return Err(Shortage { float, needed: need(float), free: 0, size: range(float).len() });
        };
        self.locked(os, || {
            // SAFETY (entry, next): under the pool's lock.
            let is_free = |i: usize| unsafe { (*self.slots[i].entry.get()).is_none() };
            for float in [false, true] {
                let (r, needed) = (range(float), need(float));
                let free = r.clone().filter(|&i| is_free(i)).count();
                if free < needed {
                    return Err(Shortage { float, needed, free, size: r.len() });
                }
            }
            let next = unsafe { &mut *self.next.get() };
            let mut taken = Vec::with_capacity(funcs.len());
            for &(func, float) in funcs {
                let r = range(float);
                let cursor = &mut next[usize::from(float)];
                // There is a free one (counted above).
                let mut i = *cursor;
                while !is_free(r.start + i % r.len()) {
                    i += 1;
                }
                let s = r.start + i % r.len();
                unsafe { *self.slots[s].entry.get() = Some(Entry { callee: callee.clone(), func }) };
                taken.push(s as u16);
                *cursor = (i + 1) % r.len();
            }
            self.used.store(self.used.load(Ordering::Relaxed) + funcs.len(), Ordering::Relaxed);
            Ok(taken)
        })
    }

    /// Frees `slots` (taken by [`ThunkPool::acquire`]): later calls through
    /// them return "unloaded". The owners' references are dropped after the
    /// lock is released (dropping the last one frees an app's core).
    pub(crate) fn release(&self, slots: &[u16]) {
        let Some(os) = self.os() else { return };
        let old: Vec<Entry> = self.locked(os, || {
            let mut old = Vec::with_capacity(slots.len());
            for &s in slots {
                let Some(slot) = self.slots.get(usize::from(s)) else { continue };
                // SAFETY: under the pool's lock.
                if let Some(e) = unsafe { (*slot.entry.get()).take() } {
                    slot.generation.store(slot.generation.load(Ordering::Relaxed).wrapping_add(1), Ordering::Release);
                    old.push(e);
                }
            }
            self.used.store(self.used.load(Ordering::Relaxed) - old.len(), Ordering::Relaxed);
            old
        });
        drop(old);
    }

    /// The ABI a thunk's native words are in: this target's for the device
    /// pool, none for synthetic addresses (called with values).
    pub(crate) fn native_abi(&self) -> Option<Abi> {
        match self.kind {
            Kind::Synthetic => None,
            #[cfg(espb_thunks)]
            Kind::Device(_) => Abi::NATIVE,
        }
    }

    /// Calls `f` with the owner of `slot` (and its function) on the calling
    /// task, keeping the owner alive through the in-flight list meanwhile.
    /// `None` when the slot is free (or of another generation).
    fn with_owner(
        &self,
        os: &dyn Os,
        slot: u16,
        generation: Option<u32>,
        f: impl FnOnce(&dyn Callee, u16) -> Invoked,
    ) -> Option<Result<u64, CallbackError>> {
        let s = self.slots.get(usize::from(slot))?;
        let me = os.current_task();
        let found = self.locked(os, || {
            if generation.is_some_and(|g| g != s.generation.load(Ordering::Relaxed)) {
                return None;
            }
            // SAFETY: under the pool's lock.
            let e = unsafe { (*s.entry.get()).as_ref() }?;
            let ptr: *const dyn Callee = &*e.callee;
            // SAFETY: under the pool's lock.
            unsafe { (*self.inflight.get()).push((me, e.callee.clone())) };
            Some((ptr, e.func))
        });
        let (ptr, func) = found?;
        // SAFETY: the in-flight entry just pushed holds a reference to the
        // callee until `done` below (or until the task is deleted, after
        // which it never runs again).
        let r = f(unsafe { &*ptr }, func);
        // May drop the app's last reference: `ptr` is not used again.
        self.done(os, me);
        if !r.exit_task {
            return Some(r.result);
        }
        // On an RTOS exit_task does not return: what the result owns must
        // go first (a trap's text is the app's `last_trap` anyway).
        let result = r.result.map_err(|e| match e {
            CallbackError::Trapped(_) => CallbackError::Trapped(alloc::string::String::new()),
            e => e,
        });
        os.exit_task();
        Some(result)
    }

    /// The calling task's innermost call in flight ended.
    fn done(&self, os: &dyn Os, me: TaskId) {
        let gone = self.locked(os, || {
            // SAFETY: under the pool's lock.
            let list = unsafe { &mut *self.inflight.get() };
            list.iter().rposition(|e| e.0 == me).map(|i| list.swap_remove(i))
        });
        // Possibly the app's last reference: dropped without the lock.
        drop(gone);
    }

    /// Moves the calls in flight of `task`, which is being deleted (it
    /// never calls back again), to the graveyard.
    pub(crate) fn forget_task(&self, task: TaskId) {
        let Some(os) = self.os() else { return };
        self.locked(os, || {
            // SAFETY (inflight, graveyard, epoch): under the pool's lock.
            let list = unsafe { &mut *self.inflight.get() };
            let graves = unsafe { &mut *self.graveyard.get() };
            let epoch = unsafe { *self.epoch.get() };
            let mut i = 0;
            while i < list.len() {
                if list[i].0 == task {
                    graves.push((epoch, list.swap_remove(i).1));
                } else {
                    i += 1;
                }
            }
        });
    }

    /// Drops the graveyard's references from before the previous sweep (a
    /// load or unload ago), and starts a new epoch.
    pub(crate) fn sweep(&self) {
        let Some(os) = self.os() else { return };
        let gone: Vec<Arc<dyn Callee>> = self.locked(os, || {
            // SAFETY (graveyard, epoch): under the pool's lock.
            let graves = unsafe { &mut *self.graveyard.get() };
            let epoch = unsafe { &mut *self.epoch.get() };
            let mut gone = Vec::new();
            let mut i = 0;
            while i < graves.len() {
                if graves[i].0 != *epoch {
                    gone.push(graves.swap_remove(i).1);
                } else {
                    i += 1;
                }
            }
            *epoch = epoch.wrapping_add(1);
            gone
        });
        // Possibly apps' last references: dropped without the lock.
        drop(gone);
    }

    /// A call through `slot`: deferred in interrupt context, else run.
    pub(crate) fn invoke(&'static self, slot: u16, args: Args<'_>) -> Result<u64, CallbackError> {
        let Some(os) = self.os() else {
            // Never bound: no slot was ever given out.
            return Err(CallbackError::Unloaded { slot });
        };
        if os.in_isr() {
            return self.defer(os, slot, args);
        }
        self.with_owner(os, slot, None, |callee, func| callee.invoke(slot, func, args)).unwrap_or_else(|| {
            os.log(format_args!("callback into unloaded module (slot {slot})"));
            Err(CallbackError::Unloaded { slot })
        })
    }

    fn defer(&'static self, os: &dyn Os, slot: u16, args: Args<'_>) -> Result<u64, CallbackError> {
        let Some(s) = self.slots.get(usize::from(slot)) else { return Err(CallbackError::Unloaded { slot }) };
        let words = match args {
            Args::Native(w) => *w,
            Args::Values(v) => {
                // The PC: low halves travel as stack words, high halves as
                // registers (`run_deferred` reads them back the same way).
                let mut w = Lowered::EMPTY;
                if v.len() > w.regs.len() {
                    return Err(CallbackError::NotDeferred { slot });
                }
                for (d, &x) in w.stack.iter_mut().zip(v) {
                    *d = x as u32;
                }
                for (d, &x) in w.regs.iter_mut().zip(v) {
                    *d = (x >> 32) as u32;
                }
                w.stack_words = v.len();
                w
            }
        };
        let job = Deferred {
            pool: self,
            slot,
            generation: s.generation.load(Ordering::Acquire),
            words,
            values: matches!(args, Args::Values(_)),
        };
        if os.defer(job) {
            Ok(0)
        } else {
            os.log(format_args!("callback (slot {slot}) called in interrupt context could not be deferred: dropped"));
            Err(CallbackError::NotDeferred { slot })
        }
    }

    /// Runs a deferred call, if its slot still has the owner it had.
    pub(crate) fn run_deferred(&'static self, job: &Deferred) -> Result<u64, CallbackError> {
        let slot = job.slot;
        let Some(os) = self.os() else { return Err(CallbackError::Unloaded { slot }) };
        let run = |callee: &dyn Callee, func| {
            if job.values {
                let w = &job.words;
                let mut vals = [0u64; super::MAX_CALLBACK_PARAMS];
                let n = w.stack_words.min(w.regs.len());
                for (i, v) in vals.iter_mut().enumerate().take(n) {
                    *v = u64::from(w.stack[i]) | (u64::from(w.regs[i]) << 32);
                }
                callee.invoke(slot, func, Args::Values(&vals[..n]))
            } else {
                callee.invoke(slot, func, Args::Native(&job.words))
            }
        };
        self.with_owner(os, slot, Some(job.generation), run).unwrap_or_else(|| {
            os.log(format_args!("callback into unloaded module (slot {slot})"));
            Err(CallbackError::Unloaded { slot })
        })
    }
}
