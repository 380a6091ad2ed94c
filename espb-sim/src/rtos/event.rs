//! ESP-IDF's default event loop (esp_event.h): handlers registered for a
//! base and id (or any), events posted with a copy of their data, handlers
//! called on the loop's task ("sys_evt", priority 20) in ESP-IDF's order:
//! handlers for any base, then for the base and any id, then for the base
//! and the id, each group in registration order. Loops of the module's own
//! (`esp_event_loop_create`) are not simulated.

use super::{
    ESP_ERR_INVALID_ARG, ESP_ERR_INVALID_STATE, ESP_ERR_NO_MEM, ESP_ERR_NOT_FOUND, ESP_ERR_NOT_SUPPORTED, ESP_OK,
};
use crate::kernel::{Kernel, Service, World};
use crate::{Call, Native, PcHost, n, t};
use espb_runtime::{HostCtx, Trap};
use std::collections::VecDeque;

pub(crate) const NATIVES: &[Native] = &[
    n("esp_event_loop_create_default", create_default),
    n("esp_event_loop_delete_default", delete_default),
    n("esp_event_loop_create", own_loop),
    n("esp_event_loop_delete", own_loop),
    t("esp_event_handler_register", register),
    t("esp_event_handler_unregister", unregister),
    t("esp_event_handler_instance_register", instance_register),
    t("esp_event_handler_instance_unregister", instance_unregister),
    t("esp_event_handler_register_with", own_loop),
    t("esp_event_handler_unregister_with", own_loop),
    t("esp_event_handler_instance_register_with", own_loop),
    t("esp_event_handler_instance_unregister_with", own_loop),
    n("esp_event_post", post),
    n("esp_event_post_to", own_loop),
    n("esp_event_isr_post", post_from_isr),
];

/// `ESP_EVENT_ANY_BASE` (NULL) and `ESP_EVENT_ANY_ID`.
const ANY_BASE: u32 = 0;
const ANY_ID: i32 = -1;

pub(crate) struct Handler {
    pub base: u32,
    pub id: i32,
    pub handler: u32,
    pub arg: u32,
    /// The instance handle (0: registered without one).
    pub instance: u32,
}

impl Handler {
    pub fn is(&self, base: u32, id: i32, handler: u32, instance: u32) -> bool {
        (self.base, self.id, self.handler, self.instance) == (base, id, handler, instance)
    }

    /// ESP-IDF's dispatch group for an event of `base`/`id`: `None` when it
    /// does not apply.
    fn group(&self, base: u32, id: i32) -> Option<u8> {
        match (self.base, self.id) {
            (ANY_BASE, _) => Some(0),
            (b, ANY_ID) if b == base => Some(1),
            (b, i) if b == base && i == id => Some(2),
            _ => None,
        }
    }
}

#[derive(Default)]
pub(crate) struct Events {
    /// `esp_event_loop_create_default` was called.
    created: bool,
    handlers: Vec<(u64, Handler)>,
    posted: VecDeque<(u32, i32, u32)>,
    next_instance: u32,
}

/// The loop task: one event at a time, each of its handlers in order.
pub(crate) fn service(k: &'static Kernel) {
    let next = |w: &mut World| {
        let Some((base, id, data)) = w.rtos.events.posted.pop_front() else { return (None, None) };
        let mut matching: Vec<(u8, u64)> =
            w.rtos.events.handlers.iter().filter_map(|(seq, h)| Some((h.group(base, id)?, *seq))).collect();
        matching.sort_unstable();
        (Some((base, id, data, matching)), None)
    };
    while let Ok((base, id, data, matching)) = k.wait_service(Service::Events, next) {
        for (_, seq) in matching {
            // Unregistered meanwhile (by an earlier handler): skipped.
            let h = k.lock().rtos.events.handlers.iter().find(|(s, _)| *s == seq).map(|(_, h)| (h.handler, h.arg));
            if let Some((f, arg)) = h {
                let args = [u64::from(arg), u64::from(base), id as u32 as u64, u64::from(data)];
                super::callback(k, "event handler", f, &args);
            }
        }
        if data != 0 {
            k.lock().rtos.to_free.push(data);
        }
    }
}

fn create_default(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    h.k.service(Service::Events);
    let mut w = h.k.lock();
    Ok(if std::mem::replace(&mut w.rtos.events.created, true) { ESP_ERR_INVALID_STATE } else { ESP_OK })
}

fn delete_default(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let e = &mut w.rtos.events;
    if !e.created {
        return Ok(ESP_ERR_INVALID_STATE);
    }
    *e = Events { next_instance: e.next_instance, ..Events::default() };
    Ok(ESP_OK)
}

/// Loops of the module's own: refused with a line that says so.
fn own_loop(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    h.sim_log(1, &format!("{}: the simulator has the default event loop only (ESP_ERR_NOT_SUPPORTED)", c.name));
    Ok(ESP_ERR_NOT_SUPPORTED)
}

fn add(h: &PcHost, handler: Handler) -> u64 {
    let mut w = h.k.lock();
    if !w.rtos.events.created {
        return ESP_ERR_INVALID_STATE;
    }
    let seq = w.rtos.next_seq();
    w.rtos.events.handlers.push((seq, handler));
    ESP_OK
}

/// `esp_event_handler_register(base, id, handler, arg)`.
fn register(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (base, id, handler, arg) = (c.u32(0)?, c.i32(1)?, c.u32(2)?, c.u32(3)?);
    if handler == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    Ok(add(h, Handler { base, id, handler, arg, instance: 0 }))
}

/// `esp_event_handler_instance_register(base, id, handler, arg, *instance)`.
fn instance_register(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (base, id, handler, arg, out) = (c.u32(0)?, c.i32(1)?, c.u32(2)?, c.u32(3)?, c.u32(4)?);
    if handler == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    let instance = {
        let mut w = h.k.lock();
        let e = &mut w.rtos.events;
        e.next_instance += 1;
        // Instance handles look like heap addresses too.
        0x3FCE_0000 + 16 * e.next_instance
    };
    let r = add(h, Handler { base, id, handler, arg, instance });
    if r == ESP_OK {
        if out == 0 {
            return Ok(ESP_ERR_INVALID_ARG);
        }
        ctx.mem.write_u32(out, instance)?;
    }
    Ok(r)
}

/// Removes the handlers `which` picks; `ESP_ERR_NOT_FOUND`-free, as
/// ESP-IDF's unregister returns ESP_OK for an unknown handler.
pub(crate) fn remove(k: &Kernel, which: impl Fn(&Handler) -> bool) {
    k.lock().rtos.events.handlers.retain(|(_, h)| !which(h));
}

/// `esp_event_handler_unregister(base, id, handler)`.
fn unregister(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (base, id, handler) = (c.u32(0)?, c.i32(1)?, c.u32(2)?);
    remove(h.k, |e| e.is(base, id, handler, 0));
    Ok(ESP_OK)
}

/// `esp_event_handler_instance_unregister(base, id, instance)`.
fn instance_unregister(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (base, id, instance) = (c.u32(0)?, c.i32(1)?, c.u32(2)?);
    if instance == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    let found =
        h.k.lock().rtos.events.handlers.iter().any(|(_, e)| e.base == base && e.id == id && e.instance == instance);
    remove(h.k, |e| e.base == base && e.id == id && e.instance == instance);
    Ok(if found { ESP_OK } else { ESP_ERR_NOT_FOUND })
}

/// Queues an event with a copy of its data in the module heap (freed after
/// the handlers ran).
fn queue_event(h: &PcHost, ctx: &mut HostCtx<'_>, base: u32, id: i32, data: u32, size: u32) -> Result<u64, Trap> {
    if !h.k.lock().rtos.events.created {
        return Ok(ESP_ERR_INVALID_STATE);
    }
    let copy = if data != 0 && size > 0 {
        let p = ctx.malloc(size);
        if p == 0 {
            return Ok(ESP_ERR_NO_MEM);
        }
        let bytes = ctx.mem.slice(data, size as usize)?.to_vec();
        ctx.mem.slice_mut(p, bytes.len())?.copy_from_slice(&bytes);
        p
    } else {
        0
    };
    let mut w = h.k.lock();
    w.rtos.events.posted.push_back((base, id, copy));
    w.retime_service(Service::Events, Some(0));
    Ok(ESP_OK)
}

/// `esp_event_post(base, id, data, size, ticks)`.
fn post(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    queue_event(h, ctx, c.u32(0)?, c.i32(1)?, c.u32(2)?, c.u32(3)?)
}

/// `esp_event_isr_post(base, id, data, size, *woken)`.
fn post_from_isr(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let r = queue_event(h, ctx, c.u32(0)?, c.i32(1)?, c.u32(2)?, c.u32(3)?)?;
    let woke = h.k.lock().preempt_pending();
    super::write_out(ctx.mem, c.u32(4)?, u32::from(woke))?;
    Ok(r)
}
