//! Queues, and the semaphores and mutexes FreeRTOS builds on them
//! (freertos/queue.h, semphr.h): a ring buffer of fixed-size items, or a
//! count when the item size is 0. A mutex remembers its holder, lends the
//! holder the priority of a higher-priority task waiting for it, and
//! counts recursive takes.

use super::sched::{Dir, Kernel, TaskHandle, Wait, kernel, live, reached};
use super::*;
use alloc::boxed::Box;
use alloc::vec;
use core::ffi::c_void;

const QUEUE_TYPE_MUTEX: u8 = 1;
const QUEUE_TYPE_RECURSIVE_MUTEX: u8 = 4;
const SEND_TO_FRONT: BaseType = 1;
const OVERWRITE: BaseType = 2;

pub struct Queue {
    kind: u8,
    item_size: usize,
    length: usize,
    buf: Box<[u8]>,
    head: usize,
    count: usize,
    holder: TaskHandle,
    recursion: u32,
}

pub type QueueHandle = *mut Queue;

/// The holder of a mutex whose holder was deleted: it stays taken, as in
/// FreeRTOS, by nobody that can give it.
pub const DELETED_HOLDER: TaskHandle = core::ptr::dangling_mut();

/// Marks the mutexes task `h` holds as held by a deleted task.
pub fn forget_holder(k: &mut Kernel, h: TaskHandle) {
    for &q in &k.queues {
        // SAFETY: live queues, reached under the kernel.
        let q = unsafe { &mut *q };
        if q.holder == h {
            q.holder = DELETED_HOLDER;
        }
    }
}

impl Queue {
    fn is_mutex(&self) -> bool {
        self.kind == QUEUE_TYPE_MUTEX || self.kind == QUEUE_TYPE_RECURSIVE_MUTEX
    }

    fn slot(&mut self, i: usize) -> &mut [u8] {
        let at = (i % self.length) * self.item_size;
        &mut self.buf[at..at + self.item_size]
    }
}

fn create(k: &mut Kernel, length: usize, item_size: usize, kind: u8, count: usize) -> QueueHandle {
    let q = Box::into_raw(Box::new(Queue {
        kind,
        item_size,
        length,
        buf: vec![0; length * item_size].into_boxed_slice(),
        head: 0,
        count,
        holder: core::ptr::null_mut(),
        recursion: 0,
    }));
    k.queues.push(q);
    q
}

fn queue<'a>(k: &Kernel, q: QueueHandle, what: &str) -> &'a mut Queue {
    // SAFETY: a live queue (checked) is only reached under the kernel.
    unsafe { &mut *live(&k.queues, q, what) }
}

enum Attempt {
    Done(BaseType),
    Wait(Dir),
}

/// Runs `attempt` until it is done, blocking the caller on the queue's
/// `Dir` side in between, for at most `ticks` (MAX_DELAY: forever); then
/// `timeout`. As FreeRTOS, a woken task tries again and may block again
/// (another task may have been first), against the same deadline.
fn blocking(
    q: QueueHandle,
    ticks: TickType,
    timeout: BaseType,
    mut attempt: impl FnMut(&mut Kernel) -> Attempt,
) -> BaseType {
    let mut deadline: Option<Option<TickType>> = None;
    loop {
        let done = kernel(|k| match attempt(k) {
            Attempt::Done(r) => Some(r),
            Attempt::Wait(dir) => {
                let at = *deadline.get_or_insert((ticks != MAX_DELAY).then(|| k.tick.wrapping_add(ticks)));
                if ticks == 0 || at.is_some_and(|at| reached(k.tick, at)) {
                    return Some(timeout);
                }
                k.block_current(Some(Wait { obj: q as usize, dir }), at);
                None
            }
        });
        if let Some(r) = done {
            return r;
        }
    }
}

/// One send without blocking: Done, or Wait(Send) when full.
fn try_send(k: &mut Kernel, q: QueueHandle, item: *const c_void, position: BaseType, what: &str) -> Attempt {
    let qu = queue(k, q, what);
    if qu.is_mutex() {
        // A give: only by the holder.
        if qu.holder != k.current || qu.count != 0 {
            return Attempt::Done(PD_FAIL);
        }
        qu.holder = core::ptr::null_mut();
        qu.count = 1;
        let t = k.cur();
        t.mutexes_held -= 1;
        if t.mutexes_held == 0 && t.prio != t.base_prio {
            t.prio = t.base_prio;
            k.switch = true;
        }
        k.wake_one(q as usize, Dir::Receive);
        return Attempt::Done(PD_PASS);
    }
    if qu.count == qu.length && position != OVERWRITE {
        return Attempt::Wait(Dir::Send);
    }
    let at = if position == OVERWRITE {
        qu.count = 0;
        qu.head
    } else if position == SEND_TO_FRONT {
        qu.head = (qu.head + qu.length - 1) % qu.length;
        qu.head
    } else {
        qu.head + qu.count
    };
    if qu.item_size > 0 {
        // SAFETY: the caller's item has the queue's item size.
        let src = unsafe { core::slice::from_raw_parts(item.cast::<u8>(), qu.item_size) };
        qu.slot(at).copy_from_slice(src);
    }
    qu.count += 1;
    k.wake_one(q as usize, Dir::Receive);
    Attempt::Done(PD_PASS)
}

/// One receive (or take) without blocking: Done, or Wait(Receive) when empty.
fn try_receive(k: &mut Kernel, q: QueueHandle, out: *mut c_void, what: &str) -> Attempt {
    let qu = queue(k, q, what);
    if qu.count == 0 {
        if qu.is_mutex() && k.is_live(qu.holder) {
            // Lend the holder the waiter's priority until it gives the
            // mutex back.
            let prio = k.cur().prio;
            // SAFETY: a live task, reached under the kernel.
            let holder = unsafe { &mut *qu.holder };
            holder.prio = holder.prio.max(prio);
        }
        return Attempt::Wait(Dir::Receive);
    }
    if qu.item_size > 0 && !out.is_null() {
        let head = qu.head;
        // SAFETY: the caller's buffer has the queue's item size.
        let dst = unsafe { core::slice::from_raw_parts_mut(out.cast::<u8>(), qu.item_size) };
        dst.copy_from_slice(qu.slot(head));
    }
    qu.head = (qu.head + 1) % qu.length;
    qu.count -= 1;
    if qu.is_mutex() {
        qu.holder = k.current;
        k.cur().mutexes_held += 1;
    }
    k.wake_one(q as usize, Dir::Send);
    Attempt::Done(PD_PASS)
}

#[unsafe(no_mangle)]
pub extern "C" fn xQueueGenericCreate(length: UBaseType, item_size: UBaseType, kind: u8) -> QueueHandle {
    if length == 0 {
        return core::ptr::null_mut();
    }
    kernel(|k| create(k, length as usize, item_size as usize, kind, 0))
}

#[unsafe(no_mangle)]
pub extern "C" fn xQueueCreateMutex(kind: u8) -> QueueHandle {
    kernel(|k| create(k, 1, 0, kind, 1))
}

#[unsafe(no_mangle)]
pub extern "C" fn xQueueCreateCountingSemaphore(max: UBaseType, initial: UBaseType) -> QueueHandle {
    if max == 0 || initial > max {
        return core::ptr::null_mut();
    }
    kernel(|k| create(k, max as usize, 0, 2, initial as usize))
}

/// # Safety
/// `q` must be a live queue and `item` hold one item (NULL for semaphores).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xQueueGenericSend(
    q: QueueHandle,
    item: *const c_void,
    ticks: TickType,
    position: BaseType,
) -> BaseType {
    blocking(q, ticks, PD_FAIL, |k| try_send(k, q, item, position, "xQueueGenericSend"))
}

/// # Safety
/// As [`xQueueGenericSend`]; `woken` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xQueueGenericSendFromISR(
    q: QueueHandle,
    item: *const c_void,
    woken: *mut BaseType,
    position: BaseType,
) -> BaseType {
    from_isr(woken, |k| match try_send(k, q, item, position, "xQueueGenericSendFromISR") {
        Attempt::Done(r) => r,
        Attempt::Wait(_) => PD_FAIL,
    })
}

/// Runs a FromISR operation: it never blocks or switches; `woken` says
/// whether it readied a task that outranks the caller.
fn from_isr(woken: *mut BaseType, f: impl FnOnce(&mut Kernel) -> BaseType) -> BaseType {
    kernel(|k| {
        let r = f(k);
        k.report_woken(woken);
        r
    })
}

/// # Safety
/// `q` must be a live queue and `out` have room for one item.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xQueueReceive(q: QueueHandle, out: *mut c_void, ticks: TickType) -> BaseType {
    blocking(q, ticks, PD_FAIL, |k| try_receive(k, q, out, "xQueueReceive"))
}

/// # Safety
/// `q` must be a live semaphore or mutex.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xQueueSemaphoreTake(q: QueueHandle, ticks: TickType) -> BaseType {
    blocking(q, ticks, PD_FAIL, |k| try_receive(k, q, core::ptr::null_mut(), "xQueueSemaphoreTake"))
}

/// # Safety
/// `m` must be a live recursive mutex.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xQueueTakeMutexRecursive(m: QueueHandle, ticks: TickType) -> BaseType {
    blocking(m, ticks, PD_FAIL, |k| {
        let mu = queue(k, m, "xQueueTakeMutexRecursive");
        if !mu.holder.is_null() && mu.holder == k.current {
            mu.recursion += 1;
            return Attempt::Done(PD_PASS);
        }
        let r = try_receive(k, m, core::ptr::null_mut(), "xQueueTakeMutexRecursive");
        if let Attempt::Done(PD_PASS) = r {
            queue(k, m, "xQueueTakeMutexRecursive").recursion = 1;
        }
        r
    })
}

/// # Safety
/// `m` must be a live recursive mutex.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn xQueueGiveMutexRecursive(m: QueueHandle) -> BaseType {
    kernel(|k| {
        let mu = queue(k, m, "xQueueGiveMutexRecursive");
        if mu.holder.is_null() || mu.holder != k.current {
            return PD_FAIL;
        }
        mu.recursion -= 1;
        if mu.recursion == 0 {
            let _ = try_send(k, m, core::ptr::null(), 0, "xQueueGiveMutexRecursive");
        }
        PD_PASS
    })
}

/// # Safety
/// `q` must be a live queue.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uxQueueMessagesWaiting(q: QueueHandle) -> UBaseType {
    kernel(|k| queue(k, q, "uxQueueMessagesWaiting").count as UBaseType)
}

/// # Safety
/// `q` must be a live queue no task waits on.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vQueueDelete(q: QueueHandle) {
    kernel(|k| {
        live(&k.queues, q, "vQueueDelete");
        assert!(!k.has_waiters(q as usize), "vQueueDelete: tasks still wait on queue {q:p}");
        k.queues.retain(|&x| x != q);
        // SAFETY: it left the list: the last reference.
        drop(unsafe { Box::from_raw(q) });
    });
}
