//! Fuel: what a run may still spend. The interpreter counts calls and
//! backward branches in a local; everything else that does work (code
//! re-entered from a builtin, bulk memory instructions, builtins and
//! natives whose work grows with a length) pays here, in proportion to the
//! work, so that fuel bounds the whole run (docs/architecture.md, "Fuel").

use super::context::Hooks;
use super::trap::TrapKind;

/// Bytes of bulk work (memset, memcpy, a native's copying or formatting)
/// that cost one unit of fuel, as much as one call or backward branch.
pub const BYTES_PER_FUEL: u32 = 64;

/// The next time slice once `fuel` ran out: 0 when the run must stop, with
/// the reason in `why` (out of fuel, or the trap that ended the app's
/// slice). In an app the slice's end lets the app's other tasks run first.
/// A plain `u64` comes back in registers; a `Result` would be returned
/// through memory, and every call site in the loop would keep its own
/// stack slot for it (about 1 KiB of native stack on rv32).
#[cold]
#[inline(never)]
pub(super) fn refuel(budget: &mut u64, slice: u32, app: Option<&dyn Hooks>, why: &mut TrapKind) -> u32 {
    if *budget == 0 {
        *why = TrapKind::OutOfFuel;
        return 0;
    }
    if let Some(app) = app
        && let Err(t) = app.slice_end()
    {
        *why = t.kind;
        return 0;
    }
    let next = (*budget).min(u64::from(slice.max(1)));
    *budget -= next;
    next as u32
}

/// Spends `n` units from the slice `fuel`, taking further slices from
/// `budget` as needed; out of fuel when both together hold less.
pub(super) fn charge(
    fuel: &mut u64,
    budget: &mut u64,
    slice: u32,
    app: Option<&dyn Hooks>,
    n: u64,
) -> Result<(), TrapKind> {
    let mut why = TrapKind::OutOfFuel;
    if spend(fuel, budget, slice, app, n, &mut why) { Ok(()) } else { Err(why) }
}

/// [`charge`] for the interpreter loop: `false` when the run must stop,
/// with the reason in `why` (a `bool` comes back in a register; see
/// [`refuel`]).
#[cold]
#[inline(never)]
pub(super) fn spend(
    fuel: &mut u64,
    budget: &mut u64,
    slice: u32,
    app: Option<&dyn Hooks>,
    mut n: u64,
    why: &mut TrapKind,
) -> bool {
    loop {
        if *fuel >= n {
            *fuel -= n;
            return true;
        }
        n -= *fuel;
        *fuel = 0;
        if *budget < n {
            // Not enough in all: spend nothing more (no slice ends to wait for).
            *budget = 0;
            *why = TrapKind::OutOfFuel;
            return false;
        }
        *fuel = u64::from(refuel(budget, slice, app, why));
        if *fuel == 0 {
            return false;
        }
    }
}

/// What a builtin or native may spend, and what it spent (in fuel units);
/// the interpreter charges `spent` when the call returns.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Meter {
    /// Fuel left to the run when the call started.
    pub(crate) left: u64,
    /// Bytes of work reported so far.
    pub(crate) bytes: u64,
}

impl Meter {
    pub(crate) fn new(fuel: u64, budget: u64) -> Meter {
        Meter { left: fuel.saturating_add(budget), bytes: 0 }
    }

    /// Nothing to charge to (instantiation, a host's own use of a context).
    pub(crate) fn unlimited() -> Meter {
        Meter { left: u64::MAX, bytes: 0 }
    }

    /// Fuel units the work reported so far costs.
    pub(crate) fn spent(&self) -> u64 {
        self.bytes / u64::from(BYTES_PER_FUEL)
    }

    /// Bytes of work still payable.
    pub(crate) fn work_left(&self) -> u64 {
        self.left.saturating_mul(u64::from(BYTES_PER_FUEL)).saturating_sub(self.bytes)
    }

    /// Records `bytes` of work; out of fuel when the run cannot pay for it
    /// (checked before the work is done, so a huge length stops at once).
    pub(crate) fn bytes(&mut self, bytes: u64) -> Result<(), TrapKind> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.spent() > self.left { Err(TrapKind::OutOfFuel) } else { Ok(()) }
    }
}
