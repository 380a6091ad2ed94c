//! Register spilling, for functions whose allocation needs more registers
//! than the 256 that one-byte operands reach.
//!
//! A function's frame may have up to [`MAX_REGS`] registers; ordinary
//! instructions reach the first 256 (the interpreter's window), and
//! `mov.lx d, s16` / `mov.xl d16, s` copy between the window and any
//! register of the frame. When the allocation of the whole function needs
//! more than 256, values are moved out of the window into *spill slots*,
//! registers after the ones the allocator gave out:
//!
//! 1. choose: a sweep over the positions of the linear order keeps at most
//!    the window's registers live at once, evicting where there are too
//!    many the value of lowest spill weight (its reads and writes, heavier
//!    inside loops, over the length of its live range): the rarely used,
//!    long-lived values go, the busy ones stay;
//! 2. rewrite: each instruction that reads a spilled value first reloads it
//!    into a fresh short-lived register (`mov.lx`), each that writes one
//!    writes a fresh register and stores it (`mov.xl`) after; a `mov` from
//!    or to a spilled value becomes the one spill move. Loads all come
//!    before the instruction and stores after, so parallel moves and calls
//!    (their arguments and result) keep their meaning. Spilled parameters
//!    are stored at entry;
//! 3. allocate the rewritten function again; if the allocator's packing
//!    still needs more than the window, the sweep's limit goes down by the
//!    excess and the next round spills more; once one fits, a few rounds
//!    bisect between it and the last limit that did not, to keep as many
//!    values in the window as fit;
//! 4. slots: spilled values whose live ranges do not overlap share a slot
//!    (greedy, in order of first definition), so the frame stays small.
//!
//! A function that fits the window never comes here and is translated
//! exactly as before: spilling costs nothing where it is not needed.

use super::error::TranslateError;
use super::mir::{MFunc, MInst, MOp, VReg};
use super::regalloc::{self, Allocation, Range};
use espb_runtime::isa::{Flow, Opcode, Role};
use std::collections::{BTreeSet, HashMap};

/// Registers one-byte operands reach.
pub const WINDOW: u32 = 256;
/// Registers a function may have, spill slots included (the verifier's limit).
pub const MAX_REGS: u32 = espb_runtime::verify::MAX_REGS as u32;
/// Allocation rounds before giving up (each spills more).
const ROUNDS: usize = 12;
/// Rounds that then try to keep more in the window.
const BISECT: usize = 3;

/// Allocates `f`'s registers, spilling when the window is not enough.
/// Returns the rewritten function when something spilled.
pub fn allocate(f: &MFunc) -> Result<(Option<MFunc>, Allocation), TranslateError> {
    let first = regalloc::allocate(f);
    if first.num_regs <= WINDOW {
        return Ok((None, first));
    }
    let ranges = regalloc::live_ranges(f);
    let info = Info::new(f, &ranges);
    // Down from the window until the allocation fits it...
    let (mut limit, mut failed) = (WINDOW, WINDOW + 1);
    let mut needed = first.num_regs;
    let mut fit = None;
    for _ in 0..ROUNDS {
        match attempt(f, &info, &ranges, limit)? {
            Ok(done) => {
                fit = Some(done);
                break;
            }
            Err(n) => {
                needed = n;
                failed = limit;
                // Down by the excess, and by a sixteenth at least: few rounds.
                limit = limit.saturating_sub((n - WINDOW).max(limit / 16)).max(1);
            }
        }
    }
    let Some(mut best) = fit else {
        return Err(TranslateError::Internal {
            function: f.name.clone(),
            msg: format!("spilling left {needed} registers in use where one-byte operands reach {WINDOW}"),
        });
    };
    // ...then up again while a higher limit fits too: every value kept in
    // the window is spill moves saved.
    for _ in 0..BISECT {
        if failed - limit <= 4 {
            break;
        }
        let mid = (limit + failed) / 2;
        match attempt(f, &info, &ranges, mid)? {
            Ok(done) => {
                best = done;
                limit = mid;
            }
            Err(_) => failed = mid,
        }
    }
    let (g, a) = best;
    if a.num_regs > MAX_REGS {
        return Err(TranslateError::TooManyRegisters { function: f.name.clone(), needed: a.num_regs as usize });
    }
    Ok((Some(g), a))
}

/// One spilling of `f` with at most `limit` values in the window at once:
/// the rewritten function and its allocation, or the registers the
/// allocation needed when that is more than the window.
fn attempt(
    f: &MFunc,
    info: &Info,
    ranges: &[Vec<Range>],
    limit: u32,
) -> Result<Result<(MFunc, Allocation), u32>, TranslateError> {
    let mut spilled = vec![false; f.nvregs as usize];
    choose(info, ranges, limit, &mut spilled);
    let (slot_of, nslots) = slots(ranges, &spilled);
    let g = rewrite(f, &spilled, &slot_of)?;
    let a = regalloc::allocate(&g);
    if a.num_regs > WINDOW {
        return Ok(Err(a.num_regs));
    }
    let total = a.num_regs + nslots;
    Ok(Ok((g, Allocation { phys: a.phys, num_regs: total, slot_base: a.num_regs })))
}

/// What the choice needs per virtual register and instruction.
struct Info {
    /// Spill weight (higher: keep in the window).
    weight: Vec<u64>,
    /// May live in a slot.
    spillable: Vec<bool>,
    /// The virtual registers each instruction (by linear index) reads and writes.
    refs: Vec<Vec<VReg>>,
}

impl Info {
    fn new(f: &MFunc, ranges: &[Vec<Range>]) -> Info {
        let n = f.nvregs as usize;
        let depth = loop_depths(f);
        let mut uses = vec![0u64; n];
        let mut spillable = vec![true; n];
        let mut refs = Vec::new();
        for (b, blk) in f.blocks.iter().enumerate() {
            let w = 8u64.pow(depth[b].min(5));
            for inst in &blk.insts {
                let mut r: Vec<VReg> = inst.uses().chain(inst.defs()).filter(|&v| (v as usize) < n).collect();
                for &v in &r {
                    uses[v as usize] += w;
                }
                // A store after the instruction would not run on every path.
                if inst.op.flow() != Flow::Next {
                    for d in inst.defs() {
                        if let Some(s) = spillable.get_mut(d as usize) {
                            *s = false;
                        }
                    }
                }
                r.sort_unstable();
                r.dedup();
                refs.push(r);
            }
            // A block with no instructions still takes a position.
            if blk.insts.is_empty() {
                refs.push(Vec::new());
            }
        }
        // Spilled parameters are stored at entry: only if nothing jumps there.
        if f.blocks.iter().any(|b| b.insts.iter().any(|i| i.labels().any(|l| l == 0))) {
            spillable.iter_mut().take(f.nparams as usize).for_each(|s| *s = false);
        }
        let weight = (0..n)
            .map(|v| {
                let len: u64 = ranges[v].iter().map(|&(a, b)| u64::from(b - a) + 1).sum();
                uses[v].saturating_mul(1 << 20) / (len + 1)
            })
            .collect();
        Info { weight, spillable, refs }
    }
}

/// Loop depth of each block, from the back edges of the layout order (a
/// branch to the same or an earlier block closes a loop over the blocks
/// between).
fn loop_depths(f: &MFunc) -> Vec<u32> {
    let mut depth = vec![0u32; f.blocks.len()];
    for (b, blk) in f.blocks.iter().enumerate() {
        for l in blk.insts.iter().flat_map(|i| i.labels()) {
            if l <= b {
                depth[l..=b].iter_mut().for_each(|d| *d += 1);
            }
        }
    }
    depth
}

/// Marks values to spill so that, at every position, the values left in
/// the window plus the reload or store registers of spilled values the
/// instruction there touches are at most `limit` (where the instruction's
/// own operands alone exceed it, as many as can go).
fn choose(info: &Info, ranges: &[Vec<Range>], limit: u32, spilled: &mut [bool]) {
    // (position, starts?, vreg): at a position, ends (b + 1) before starts.
    let mut events: Vec<(u32, bool, VReg)> = Vec::new();
    for (v, rs) in ranges.iter().enumerate() {
        for &(a, b) in rs {
            events.push((a, true, v as VReg));
            events.push((b + 1, false, v as VReg));
        }
    }
    events.sort_unstable_by_key(|&(p, start, v)| (p, start, v));
    // Live spillable values in the window, by weight; the others counted.
    let mut live: BTreeSet<(u64, VReg)> = BTreeSet::new();
    let mut fixed = 0u32;
    let key = |v: VReg| (info.weight[v as usize], v);
    let mut k = 0;
    while k < events.len() {
        let pos = events[k].0;
        while k < events.len() && events[k].0 == pos {
            let (_, start, v) = events[k];
            k += 1;
            if spilled[v as usize] {
                continue;
            }
            let spillable = info.spillable[v as usize];
            match (start, spillable) {
                (true, true) => {
                    live.insert(key(v));
                }
                (false, true) => {
                    live.remove(&key(v));
                }
                (true, false) => fixed += 1,
                (false, false) => fixed -= 1,
            }
        }
        // The instruction at this position: its spilled operands need
        // registers of their own here, and evicting them gains nothing.
        let here = info.refs.get((pos / 2) as usize).map_or(&[][..], |r| r.as_slice());
        let forced = |spilled: &[bool]| here.iter().filter(|&&v| spilled[v as usize]).count() as u32;
        let mut skipped = Vec::new();
        while fixed + live.len() as u32 + forced(spilled) > limit {
            let Some(&(w, v)) = live.iter().next() else { break };
            live.remove(&(w, v));
            if here.binary_search(&v).is_ok() {
                skipped.push((w, v));
            } else {
                spilled[v as usize] = true;
            }
        }
        live.extend(skipped);
    }
}

/// A slot for every spilled value; values whose ranges do not overlap
/// share one. Returns the slot of each value and the number of slots.
fn slots(ranges: &[Vec<Range>], spilled: &[bool]) -> (Vec<u32>, u32) {
    let mut order: Vec<usize> = (0..spilled.len()).filter(|&v| spilled[v] && !ranges[v].is_empty()).collect();
    order.sort_by_key(|&v| (ranges[v][0].0, v));
    let mut slot_of = vec![0u32; spilled.len()];
    let mut occupied: Vec<Vec<Range>> = Vec::new();
    for v in order {
        let s = occupied.iter().position(|o| !regalloc::overlaps(o, &ranges[v])).unwrap_or(occupied.len());
        if s == occupied.len() {
            occupied.push(Vec::new());
        }
        regalloc::merge_into(&mut occupied[s], &ranges[v]);
        slot_of[v] = s as u32;
    }
    (slot_of, occupied.len() as u32)
}

/// The function with every spilled value in its slot: reloads before the
/// instructions that read one, stores after those that write one.
fn rewrite(f: &MFunc, spilled: &[bool], slot_of: &[u32]) -> Result<MFunc, TranslateError> {
    let is_spilled = |v: VReg| spilled.get(v as usize).copied().unwrap_or(false);
    let mut g = MFunc { blocks: Vec::with_capacity(f.blocks.len()), ..f.clone() };
    let mut next = f.nvregs;
    let mut fresh = || {
        next += 1;
        next - 1
    };
    let lx = |d: VReg, v: VReg, loc| MInst {
        op: Opcode::MovLX,
        ops: vec![MOp::Reg(d), MOp::Slot(slot_of[v as usize])],
        loc,
    };
    let xl = |v: VReg, s: VReg, loc| MInst {
        op: Opcode::MovXL,
        ops: vec![MOp::Slot(slot_of[v as usize]), MOp::Reg(s)],
        loc,
    };
    for (b, blk) in f.blocks.iter().enumerate() {
        let mut out = Vec::with_capacity(blk.insts.len());
        if b == 0 {
            for p in (0..f.nparams).filter(|&p| is_spilled(p)) {
                out.push(xl(p, p, None));
            }
        }
        for inst in &blk.insts {
            let loc = inst.loc;
            if let Some((d, s)) = inst.is_mov() {
                match (is_spilled(d), is_spilled(s)) {
                    (false, false) => out.push(inst.clone()),
                    (true, false) => out.push(xl(d, s, loc)),
                    (false, true) => out.push(lx(d, s, loc)),
                    (true, true) if slot_of[d as usize] == slot_of[s as usize] => {}
                    (true, true) => {
                        let t = fresh();
                        out.push(lx(t, s, loc));
                        out.push(xl(d, t, loc));
                    }
                }
                continue;
            }
            let mut use_map: HashMap<VReg, VReg> = HashMap::new();
            let mut def_map: HashMap<VReg, VReg> = HashMap::new();
            for u in inst.uses().filter(|&u| is_spilled(u)) {
                if let std::collections::hash_map::Entry::Vacant(e) = use_map.entry(u) {
                    let t = fresh();
                    e.insert(t);
                    out.push(lx(t, u, loc));
                }
            }
            for d in inst.defs().filter(|&d| is_spilled(d)) {
                def_map.entry(d).or_insert_with(&mut fresh);
            }
            if use_map.is_empty() && def_map.is_empty() {
                out.push(inst.clone());
                continue;
            }
            if !def_map.is_empty() && inst.op.flow() != Flow::Next {
                return Err(TranslateError::Internal {
                    function: f.name.clone(),
                    msg: format!("spilled result of `{}`, which does not fall through", inst.op.mnemonic()),
                });
            }
            let mut new = inst.clone();
            for (&(_, kind), o) in inst.op.operands().iter().zip(new.ops.iter_mut()) {
                let map = match kind.role() {
                    Some(Role::Def) => &def_map,
                    Some(Role::Use) => &use_map,
                    None => continue,
                };
                match o {
                    MOp::Reg(r) => *r = map.get(r).copied().unwrap_or(*r),
                    MOp::Args(rs) => rs.iter_mut().for_each(|r| *r = map.get(r).copied().unwrap_or(*r)),
                    _ => {}
                }
            }
            out.push(new);
            let mut stores: Vec<(VReg, VReg)> = def_map.into_iter().collect();
            stores.sort_unstable();
            out.extend(stores.into_iter().map(|(v, t)| xl(v, t, loc)));
        }
        g.blocks.push(super::mir::MBlock { insts: out });
    }
    g.nvregs = next;
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::super::mir::MBlock;
    use super::*;

    /// A straight-line function that defines `n` constants, then sums them
    /// in definition order: all `n` are live at once.
    fn wide(n: u32) -> MFunc {
        let mut insts: Vec<MInst> =
            (0..n).map(|i| MInst::new(Opcode::ConstI32, vec![MOp::Reg(i), MOp::Imm(i64::from(i) * 3 + 1)])).collect();
        let mut acc = 0;
        for i in 1..n {
            let d = n + i;
            insts.push(MInst::new(Opcode::AddI32, vec![MOp::Reg(d), MOp::Reg(acc), MOp::Reg(i)]));
            acc = d;
        }
        insts.push(MInst::new(Opcode::Ret, vec![MOp::Reg(acc)]));
        MFunc {
            name: "wide".into(),
            nparams: 0,
            nvregs: 2 * n,
            blocks: vec![MBlock { insts }],
            frame_size: 0,
            locs: vec![],
        }
    }

    /// Runs straight-line code on physical registers.
    fn run(f: &MFunc, a: &Allocation) -> u64 {
        let mut regs = vec![0u64; a.num_regs as usize];
        let reg = |o: &MOp| match o {
            MOp::Reg(r) => a.phys[*r as usize] as usize,
            MOp::Slot(k) => (a.slot_base + k) as usize,
            o => panic!("not a register: {o:?}"),
        };
        for i in &f.blocks[0].insts {
            match (i.op, i.ops.as_slice()) {
                (Opcode::ConstI32, [d, MOp::Imm(v)]) => regs[reg(d)] = *v as u64,
                (Opcode::AddI32, [d, x, y]) => regs[reg(d)] = regs[reg(x)] + regs[reg(y)],
                (Opcode::MovLX | Opcode::MovXL | Opcode::Mov, [d, s]) => regs[reg(d)] = regs[reg(s)],
                (Opcode::Ret, [s]) => return regs[reg(s)],
                (op, _) => panic!("unexpected {op:?}"),
            }
        }
        panic!("no ret")
    }

    #[test]
    fn a_function_within_the_window_is_left_alone() {
        let f = wide(200);
        let (g, a) = allocate(&f).expect("allocates");
        assert!(g.is_none());
        assert_eq!(a.num_regs, a.slot_base);
        assert!(a.num_regs <= WINDOW);
    }

    #[test]
    fn values_past_the_window_spill_and_keep_their_values() {
        let n = 600;
        let f = wide(n);
        assert!(regalloc::allocate(&f).num_regs > WINDOW);
        let (g, a) = allocate(&f).expect("spills");
        let g = g.expect("rewritten");
        assert!(a.slot_base <= WINDOW, "{}", a.slot_base);
        assert!(a.num_regs > WINDOW && a.num_regs <= MAX_REGS, "{}", a.num_regs);
        // Every one-byte operand stays in the window.
        for i in &g.blocks[0].insts {
            for o in &i.ops {
                if let MOp::Reg(r) = o {
                    assert!(u32::from(a.phys[*r as usize]) < WINDOW, "{i:?}");
                }
            }
        }
        let want: u64 = (0..u64::from(n)).map(|i| i * 3 + 1).sum();
        assert_eq!(run(&g, &a), want);
    }

    #[test]
    fn more_than_the_maximum_is_refused_with_the_count() {
        let f = wide(MAX_REGS + 10);
        match allocate(&f) {
            Err(TranslateError::TooManyRegisters { needed, .. }) => assert!(needed > MAX_REGS as usize),
            Err(e) => panic!("wrong error {e}"),
            Ok(_) => panic!("allocated"),
        }
    }
}
