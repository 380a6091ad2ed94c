//! FreeRTOS queues, semaphores and mutexes (queue.h, semphr.h): as in
//! FreeRTOS, a semaphore is a queue of empty items and a mutex a queue of
//! one item that remembers who took it. Waiters are served by priority,
//! then first come first served. A task that blocks on a mutex held by a
//! task of lower priority lends it its priority until the mutex is given
//! (priority inheritance).

use super::{PD_FAIL, PD_PASS, halted, write_out};
use crate::kernel::{Kernel, TaskId, Wait, World};
use crate::{Call, Native, PcHost, n, ret_i32};
use espb_runtime::{HostCtx, Trap};
use std::collections::VecDeque;

pub(crate) const NATIVES: &[Native] = &[
    n("xQueueGenericCreate", create),
    n("xQueueGenericCreateStatic", create),
    n("xQueueCreateMutex", create_mutex),
    n("xQueueCreateMutexStatic", create_mutex),
    n("xQueueCreateCountingSemaphore", create_counting),
    n("xQueueCreateCountingSemaphoreStatic", create_counting),
    n("xQueueGenericSend", send),
    n("xQueueGenericSendFromISR", send_from_isr),
    n("xQueueGiveFromISR", give_from_isr),
    n("xQueueReceive", receive),
    n("xQueuePeek", peek),
    n("xQueueSemaphoreTake", take),
    n("xQueueReceiveFromISR", receive_from_isr),
    n("xQueuePeekFromISR", peek_from_isr),
    n("xQueueTakeMutexRecursive", take_recursive),
    n("xQueueGiveMutexRecursive", give_recursive),
    n("xQueueGetMutexHolder", mutex_holder),
    n("xQueueGetMutexHolderFromISR", mutex_holder),
    n("uxQueueMessagesWaiting", messages_waiting),
    n("uxQueueMessagesWaitingFromISR", messages_waiting),
    n("uxQueueSpacesAvailable", spaces_available),
    n("xQueueGenericReset", reset),
    n("vQueueDelete", delete),
];

/// `queueQUEUE_TYPE_*`.
const TYPE_MUTEX: u8 = 1;
const TYPE_RECURSIVE_MUTEX: u8 = 4;
/// `queueSEND_TO_FRONT`, `queueOVERWRITE`.
const SEND_TO_FRONT: u32 = 1;
const OVERWRITE: u32 = 2;

pub(crate) struct Queue {
    kind: u8,
    len: u32,
    item: u32,
    items: VecDeque<Vec<u8>>,
    /// A mutex's holder (0: free) and how often it took it (recursive).
    holder: TaskId,
    depth: u32,
}

impl Queue {
    fn is_mutex(&self) -> bool {
        matches!(self.kind, TYPE_MUTEX | TYPE_RECURSIVE_MUTEX)
    }
}

fn new_queue(w: &mut World, kind: u8, len: u32, item: u32, full: u32) -> u32 {
    let h = w.handle();
    let items = (0..full).map(|_| Vec::new()).collect();
    w.rtos.queues.insert(h, Queue { kind, len, item, items, holder: 0, depth: 0 });
    h
}

/// `xQueueGenericCreate(len, item_size, type)` (and `...Static(len,
/// item_size, storage, buffer, type)`: the buffers are not used).
fn create(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (len, item) = (c.u32(0)?, c.u32(1)?);
    let kind = c.u32(if c.name.ends_with("Static") { 4 } else { 2 })? as u8;
    if len == 0 {
        return Ok(0);
    }
    Ok(u64::from(new_queue(&mut h.k.lock(), kind, len, item, 0)))
}

/// `xQueueCreateMutex(type)`: created given (free).
fn create_mutex(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let kind = c.u32(0)? as u8;
    Ok(u64::from(new_queue(&mut h.k.lock(), kind, 1, 0, 1)))
}

/// `xQueueCreateCountingSemaphore(max, initial)`.
fn create_counting(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (max, initial) = (c.u32(0)?, c.u32(1)?);
    if max == 0 || initial > max {
        return Ok(0);
    }
    Ok(u64::from(new_queue(&mut h.k.lock(), 2, max, 0, initial)))
}

/// The queue behind handle argument 0, or a trap naming the native.
fn queue_mut<'w>(w: &'w mut World, c: &Call<'_>) -> Result<&'w mut Queue, Trap> {
    let q = c.u32(0)?;
    w.rtos.queues.get_mut(&q).ok_or_else(|| not_a_queue(c.name, q))
}

fn not_a_queue(name: &str, q: u32) -> Trap {
    Trap::host(format!("{name}: {q:#x} is not a queue, semaphore or mutex (deleted, or another kind of handle)"))
}

/// The item a send passes: `item_size` bytes at `p` (none for semaphores).
fn item_bytes(h: &PcHost, c: &Call<'_>, ctx: &HostCtx<'_>, p: u32) -> Result<Vec<u8>, Trap> {
    let size = queue_mut(&mut h.k.lock(), c)?.item;
    if size == 0 || p == 0 {
        return Ok(Vec::new());
    }
    Ok(ctx.mem.slice(p, size as usize)?.to_vec())
}

/// One try of a send by `me`: true when the item went in.
fn try_send(w: &mut World, q: u32, me: TaskId, item: &[u8], pos: u32) -> Option<bool> {
    let queue = w.rtos.queues.get_mut(&q)?;
    if queue.is_mutex() {
        // Giving a mutex: only its holder can (FreeRTOS asserts).
        if queue.holder != me || !queue.items.is_empty() {
            return Some(false);
        }
        queue.holder = 0;
        queue.depth = 0;
        queue.items.push_back(Vec::new());
        disinherit(w, me);
    } else if pos == OVERWRITE {
        queue.items.clear();
        queue.items.push_back(item.to_vec());
    } else if (queue.items.len() as u32) < queue.len {
        if pos == SEND_TO_FRONT {
            queue.items.push_front(item.to_vec());
        } else {
            queue.items.push_back(item.to_vec());
        }
    } else {
        return None;
    }
    w.wake_one(Wait::Recv(q));
    Some(true)
}

/// A task gave a mutex back: it returns to its own priority.
fn disinherit(w: &mut World, me: TaskId) {
    if let Some(base) = w.tasks.get(&me).map(|t| t.base_prio) {
        w.set_priority(me, base, true);
    }
}

/// One try of a receive (or peek) by `me`: the item, if one is there. A
/// task that finds a mutex taken lends the holder its priority.
fn try_receive(w: &mut World, q: u32, me: TaskId, peek: bool) -> Option<Vec<u8>> {
    let queue = w.rtos.queues.get_mut(&q)?;
    let Some(item) = (if peek { queue.items.front().cloned() } else { queue.items.pop_front() }) else {
        if queue.is_mutex() && queue.holder != 0 {
            let holder = queue.holder;
            let mine = w.tasks.get(&me).map_or(0, |t| t.prio);
            if w.tasks.get(&holder).is_some_and(|t| t.prio < mine) {
                w.set_priority(holder, mine, true);
            }
        }
        return None;
    };
    if !peek {
        if queue.is_mutex() {
            queue.holder = me;
            queue.depth = 1;
        }
        w.wake_one(Wait::Send(q));
    }
    Some(item)
}

/// Sends with the FreeRTOS wait rule: waits up to `ticks` for room.
fn send_waiting(k: &Kernel, ctx: &mut HostCtx<'_>, q: u32, item: Vec<u8>, ticks: u32, pos: u32) -> Result<u64, Trap> {
    let r = ctx.block(|| k.wait_for(ticks, Wait::Send(q), |w, me| try_send(w, q, me, &item, pos))).map_err(halted)?;
    Ok(match r {
        Some(true) => PD_PASS,
        _ => PD_FAIL,
    })
}

/// `xQueueGenericSend(queue, item, ticks, position)` (also `xSemaphoreGive`).
fn send(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let item = item_bytes(h, c, ctx, c.u32(1)?)?;
    send_waiting(h.k, ctx, c.u32(0)?, item, c.u32(2)?, c.u32(3)?)
}

/// A send that never waits (interrupt context): `*woken` says whether a
/// task of higher priority became ready.
fn send_now(h: &PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>, item: Vec<u8>, woken: u32, pos: u32) -> Result<u64, Trap> {
    let (r, woke) = {
        let mut w = h.k.lock();
        let q = c.u32(0)?;
        queue_mut(&mut w, c)?;
        let before = w.preempt_pending();
        let me = w.running();
        let r = try_send(&mut w, q, me, &item, pos) == Some(true);
        (r, w.preempt_pending() && !before)
    };
    write_out(ctx.mem, woken, u32::from(woke))?;
    Ok(if r { PD_PASS } else { PD_FAIL })
}

/// `xQueueGenericSendFromISR(queue, item, *woken, position)`.
fn send_from_isr(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let item = item_bytes(h, c, ctx, c.u32(1)?)?;
    send_now(h, c, ctx, item, c.u32(2)?, c.u32(3)?)
}

/// `xQueueGiveFromISR(semaphore, *woken)`.
fn give_from_isr(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    send_now(h, c, ctx, Vec::new(), c.u32(1)?, 0)
}

/// Receives (or peeks) with the FreeRTOS wait rule into `buf`.
fn receive_waiting(
    h: &PcHost,
    c: &Call<'_>,
    ctx: &mut HostCtx<'_>,
    buf: u32,
    ticks: u32,
    peek: bool,
) -> Result<u64, Trap> {
    let (k, q) = (h.k, c.u32(0)?);
    queue_mut(&mut k.lock(), c)?;
    let r = ctx.block(|| k.wait_for(ticks, Wait::Recv(q), |w, me| try_receive(w, q, me, peek))).map_err(halted)?;
    let Some(item) = r else { return Ok(PD_FAIL) };
    if buf != 0 && !item.is_empty() {
        ctx.mem.slice_mut(buf, item.len())?.copy_from_slice(&item);
    }
    Ok(PD_PASS)
}

/// `xQueueReceive(queue, buffer, ticks)`.
fn receive(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    receive_waiting(h, c, ctx, c.u32(1)?, c.u32(2)?, false)
}

/// `xQueuePeek(queue, buffer, ticks)`.
fn peek(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    receive_waiting(h, c, ctx, c.u32(1)?, c.u32(2)?, true)
}

/// `xQueueSemaphoreTake(semaphore, ticks)` (`xSemaphoreTake`).
fn take(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    receive_waiting(h, c, ctx, 0, c.u32(1)?, false)
}

/// `xQueueReceiveFromISR(queue, buffer, *woken)` and `xQueuePeekFromISR`.
fn receive_now(h: &PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>, peek: bool) -> Result<u64, Trap> {
    let item = {
        let mut w = h.k.lock();
        queue_mut(&mut w, c)?;
        let me = w.running();
        try_receive(&mut w, c.u32(0)?, me, peek)
    };
    let Some(item) = item else { return Ok(PD_FAIL) };
    let buf = c.u32(1)?;
    if buf != 0 && !item.is_empty() {
        ctx.mem.slice_mut(buf, item.len())?.copy_from_slice(&item);
    }
    if !peek {
        woken(h, ctx, c.u32(2)?)?;
    }
    Ok(PD_PASS)
}

fn woken(h: &PcHost, ctx: &mut HostCtx<'_>, p: u32) -> Result<(), Trap> {
    let woke = h.k.lock().preempt_pending();
    write_out(ctx.mem, p, u32::from(woke))
}

fn receive_from_isr(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    receive_now(h, c, ctx, false)
}

fn peek_from_isr(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    receive_now(h, c, ctx, true)
}

/// `xQueueTakeMutexRecursive(mutex, ticks)`.
fn take_recursive(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let me = h.k.current();
    {
        let mut w = h.k.lock();
        let m = queue_mut(&mut w, c)?;
        if m.holder == me {
            m.depth += 1;
            return Ok(PD_PASS);
        }
    }
    take(h, c, ctx)
}

/// `xQueueGiveMutexRecursive(mutex)`: pdFAIL unless the caller holds it.
fn give_recursive(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let me = h.k.current();
    let mut w = h.k.lock();
    let m = queue_mut(&mut w, c)?;
    if m.holder != me {
        return Ok(PD_FAIL);
    }
    m.depth -= 1;
    if m.depth == 0 {
        try_send(&mut w, c.u32(0)?, me, &[], 0);
    }
    Ok(PD_PASS)
}

fn mutex_holder(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let m = queue_mut(&mut w, c)?;
    Ok(if m.is_mutex() { m.holder as u64 } else { 0 })
}

fn messages_waiting(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(queue_mut(&mut h.k.lock(), c)?.items.len() as u64)
}

fn spaces_available(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let q = queue_mut(&mut w, c)?;
    Ok(u64::from(q.len.saturating_sub(q.items.len() as u32)))
}

/// `xQueueGenericReset(queue, new)`: empties a queue; a task waiting for
/// room may send again.
fn reset(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let q = queue_mut(&mut w, c)?;
    if !q.is_mutex() {
        q.items.clear();
    }
    w.wake_one(Wait::Send(c.u32(0)?));
    Ok(PD_PASS)
}

fn delete(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let q = c.u32(0)?;
    h.k.lock().rtos.queues.remove(&q).ok_or_else(|| not_a_queue(c.name, q))?;
    Ok(ret_i32(0))
}
