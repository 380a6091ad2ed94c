//! FreeRTOS event groups (event_groups.h). As in FreeRTOS, setting bits
//! checks every waiter in line, wakes those whose condition holds (handing
//! them the bits as they were then), and clears the bits they asked to
//! clear only after all were checked.

use super::{PD_PASS, halted};
use crate::kernel::{Wait, Woke, World};
use crate::{Call, Native, PcHost, n};
use espb_runtime::{HostCtx, Trap};

pub(crate) const NATIVES: &[Native] = &[
    n("xEventGroupCreate", create),
    n("xEventGroupCreateStatic", create),
    n("xEventGroupWaitBits", wait_bits),
    n("xEventGroupSetBits", set_bits),
    n("xEventGroupClearBits", clear_bits),
    n("xEventGroupGetBitsFromISR", get_bits),
    n("xEventGroupSync", sync),
    n("vEventGroupDelete", delete),
    n("vEventGroupSetBitsCallback", set_bits),
    n("vEventGroupClearBitsCallback", clear_bits),
];

/// The bits an event group can hold (the top byte is FreeRTOS' own).
const BITS: u32 = 0x00FF_FFFF;

fn create(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let g = w.handle();
    w.rtos.groups.insert(g, 0);
    Ok(u64::from(g))
}

fn group(w: &World, c: &Call<'_>) -> Result<u32, Trap> {
    let g = c.u32(0)?;
    if w.rtos.groups.contains_key(&g) {
        Ok(g)
    } else {
        Err(Trap::host(format!("{}: {g:#x} is not an event group (deleted, or another kind of handle)", c.name)))
    }
}

fn met(bits: u32, want: u32, all: bool) -> bool {
    if all { bits & want == want } else { bits & want != 0 }
}

/// Sets `set` in group `g`, wakes the waiters whose condition now holds;
/// returns the bits after the waiters' clearing.
fn set_in(w: &mut World, g: u32, set: u32) -> u32 {
    let Some(bits) = w.rtos.groups.get_mut(&g) else { return 0 };
    *bits |= set & BITS;
    let now = *bits;
    let mut clear = 0;
    for id in w.waiters(Wait::Bits(g)) {
        let Some(t) = w.tasks.get_mut(&id) else { continue };
        let (want, all, clear_on_exit) = t.bits_wait;
        if met(now, want, all) {
            t.value = now;
            if clear_on_exit {
                clear |= want;
            }
            w.make_ready(id, Woke::Event);
        }
    }
    w.rtos.groups.get_mut(&g).map_or(0, |b| {
        *b &= !clear;
        *b
    })
}

/// Waits (as the calling task) for `want` in group `g`; returns the bits
/// when the condition held, or at the timeout.
fn wait_in(
    h: &PcHost,
    ctx: &mut HostCtx<'_>,
    g: u32,
    want: u32,
    all: bool,
    clear: bool,
    ticks: u32,
) -> Result<u64, Trap> {
    let k = h.k;
    let bits = ctx.block(|| {
        let me = k.current();
        let mut w = k.lock();
        w.sync_clock();
        let bits = w.rtos.groups.get(&g).copied().unwrap_or(0);
        if met(bits, want, all) {
            if clear && let Some(b) = w.rtos.groups.get_mut(&g) {
                *b &= !want;
            }
            return Ok(bits);
        }
        if ticks == 0 {
            return Ok(bits);
        }
        let deadline = w.deadline(ticks);
        if let Some(t) = w.tasks.get_mut(&me) {
            t.bits_wait = (want, all, clear);
        }
        let (mut w, r) = k.block(w, me, Wait::Bits(g), deadline);
        let woke = r?;
        let handed = w.tasks.get_mut(&me).and_then(|t| (!std::mem::take(&mut t.aborted)).then_some(t.value));
        Ok(match (woke, handed) {
            (Woke::Event, Some(v)) => v,
            _ => w.rtos.groups.get(&g).copied().unwrap_or(0),
        })
    });
    bits.map(u64::from).map_err(halted)
}

/// `xEventGroupWaitBits(group, bits, clear_on_exit, wait_for_all, ticks)`.
fn wait_bits(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let g = group(&h.k.lock(), c)?;
    let (want, clear, all, ticks) = (c.u32(1)? & BITS, c.u32(2)? != 0, c.u32(3)? != 0, c.u32(4)?);
    wait_in(h, ctx, g, want, all, clear, ticks)
}

/// `xEventGroupSetBits(group, bits)`.
fn set_bits(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let g = group(&w, c)?;
    Ok(u64::from(set_in(&mut w, g, c.u32(1)?)))
}

/// `xEventGroupClearBits(group, bits)`: the bits before.
fn clear_bits(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let g = group(&w, c)?;
    let clear = c.u32(1)?;
    let b = w.rtos.groups.get_mut(&g).map_or(0, |b| std::mem::replace(b, *b & !clear));
    Ok(u64::from(b))
}

fn get_bits(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let w = h.k.lock();
    let g = group(&w, c)?;
    Ok(u64::from(w.rtos.groups.get(&g).copied().unwrap_or(0)))
}

/// `xEventGroupSync(group, set, wait_for, ticks)`: sets bits, then waits
/// for all of `wait_for` and clears them (a rendezvous).
fn sync(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let g = group(&h.k.lock(), c)?;
    let (set, want, ticks) = (c.u32(1)?, c.u32(2)? & BITS, c.u32(3)?);
    set_in(&mut h.k.lock(), g, set);
    wait_in(h, ctx, g, want, true, true, ticks)
}

fn delete(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let g = group(&w, c)?;
    w.rtos.groups.remove(&g);
    // Waiters return with the bits they had, as FreeRTOS unblocks them.
    w.wake_all(Wait::Bits(g));
    Ok(PD_PASS)
}
