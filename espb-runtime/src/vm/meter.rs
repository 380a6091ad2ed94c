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

/// The next time slice once `fuel` ran out: `None` when the budget is
/// spent (an out-of-fuel trap). In an app the slice's end lets the app's
/// other tasks run first.
#[cold]
#[inline(never)]
pub(super) fn refuel(budget: &mut u64, slice: u64, app: Option<&dyn Hooks>) -> Result<u64, TrapKind> {
    if *budget == 0 {
        return Err(TrapKind::OutOfFuel);
    }
    if let Some(app) = app {
        app.slice_end().map_err(|t| t.kind)?;
    }
    let next = (*budget).min(slice.max(1));
    *budget -= next;
    Ok(next)
}

/// Spends `n` units from the slice `fuel`, taking further slices from
/// `budget` as needed; out of fuel when both together hold less.
#[cold]
#[inline(never)]
pub(super) fn charge(
    fuel: &mut u64,
    budget: &mut u64,
    slice: u32,
    app: Option<&dyn Hooks>,
    mut n: u64,
) -> Result<(), TrapKind> {
    loop {
        if *fuel >= n {
            *fuel -= n;
            return Ok(());
        }
        n -= *fuel;
        *fuel = 0;
        if *budget < n {
            // Not enough in all: spend nothing more (no slice ends to wait for).
            *budget = 0;
            return Err(TrapKind::OutOfFuel);
        }
        *fuel = refuel(budget, u64::from(slice), app)?;
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
