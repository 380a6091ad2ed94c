//! Executed instruction pairs, for choosing superinstructions from what
//! modules really run (feature `op-stats`; `espb-bench --op-pairs` prints
//! them). The loop counts, at each dispatch, the instruction before and
//! the one now: an atomic add per instruction, so never in a measured or
//! shipped build. One counter for every thread (a profile, not an exact
//! trace when several run at once); needs 32-bit atomics (a host).

use crate::isa::Opcode;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};

static PAIRS: [AtomicU32; 256 * 256] = [const { AtomicU32::new(0) }; 256 * 256];
static PREV: AtomicUsize = AtomicUsize::new(0);

/// Counts `op` after the instruction counted before it.
#[inline(always)]
pub(super) fn count(op: Opcode) {
    let prev = PREV.swap(op as usize, Relaxed);
    PAIRS[(prev << 8) | op as usize].fetch_add(1, Relaxed);
}

/// Every pair counted since [`reset_op_stats`]: (first, then, times),
/// most frequent first. The first instruction after a reset counts as
/// following `nop`.
pub fn op_pairs() -> Vec<(Opcode, Opcode, u32)> {
    let mut v: Vec<(Opcode, Opcode, u32)> = Opcode::ALL
        .iter()
        .flat_map(|&a| Opcode::ALL.iter().map(move |&b| (a, b)))
        .filter_map(|(a, b)| {
            let n = PAIRS[((a as usize) << 8) | b as usize].load(Relaxed);
            (n > 0).then_some((a, b, n))
        })
        .collect();
    v.sort_by_key(|p| core::cmp::Reverse(p.2));
    v
}

/// Clears the counts.
pub fn reset_op_stats() {
    for c in &PAIRS {
        c.store(0, Relaxed);
    }
    PREV.store(0, Relaxed);
}
