//! Register allocation: liveness over the block graph, live ranges with
//! holes over the linear block order, then greedy assignment in order of
//! first definition with move hints (coalescing `mov`s from phis and
//! casts). Parameters are precoloured to registers `0..n`.
//!
//! Positions: instruction `i` (counting over the whole function in layout
//! order) reads its operands at `2i` and writes its results at `2i + 1`,
//! so a value whose last use is an instruction may share its register with
//! that instruction's result.

use super::mir::{MFunc, VReg};

/// Dense bit set over virtual registers.
#[derive(Clone, PartialEq, Eq)]
struct BitSet(Vec<u64>);

impl BitSet {
    fn new(n: usize) -> BitSet {
        BitSet(vec![0; n.div_ceil(64)])
    }
    fn insert(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    fn remove(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }
    fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn union_with(&mut self, o: &BitSet) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0
            .iter()
            .enumerate()
            .flat_map(|(wi, &w)| (0..64).filter(move |b| w & (1u64 << b) != 0).map(move |b| wi * 64 + b))
    }
}

/// Inclusive position range.
pub(super) type Range = (u32, u32);

/// Result: the physical register of every virtual register.
pub struct Allocation {
    pub phys: Vec<u16>,
    /// The frame's registers, spill slots included.
    pub num_regs: u32,
    /// Where spill slots start ([`super::mir::MOp::Slot`] `k` is register
    /// `slot_base + k`): `num_regs` when nothing spilled.
    pub slot_base: u32,
}

/// Computes live-in sets per block by backward dataflow.
fn live_sets(f: &MFunc) -> (Vec<BitSet>, Vec<BitSet>) {
    let n = f.nvregs as usize;
    let nb = f.blocks.len();
    let mut gen_ = vec![BitSet::new(n); nb];
    let mut kill = vec![BitSet::new(n); nb];
    for (b, blk) in f.blocks.iter().enumerate() {
        for inst in &blk.insts {
            for u in inst.uses() {
                if !kill[b].contains(u as usize) {
                    gen_[b].insert(u as usize);
                }
            }
            for d in inst.defs() {
                kill[b].insert(d as usize);
            }
        }
    }
    let succs: Vec<Vec<usize>> = f.blocks.iter().enumerate().map(|(i, b)| b.successors(i, nb)).collect();
    let mut live_in = vec![BitSet::new(n); nb];
    let mut live_out = vec![BitSet::new(n); nb];
    let mut changed = true;
    while changed {
        changed = false;
        for b in (0..nb).rev() {
            let mut out = BitSet::new(n);
            for &s in &succs[b] {
                if let Some(li) = live_in.get(s) {
                    out.union_with(li);
                }
            }
            let mut inn = out.clone();
            for (w, (k, g)) in inn.0.iter_mut().zip(kill[b].0.iter().zip(&gen_[b].0)) {
                *w = (*w & !k) | g;
            }
            if inn != live_in[b] {
                live_in[b] = inn;
                changed = true;
            }
            live_out[b] = out;
        }
    }
    (live_in, live_out)
}

/// Live ranges of every virtual register (sorted, merged).
pub(super) fn live_ranges(f: &MFunc) -> Vec<Vec<Range>> {
    let n = f.nvregs as usize;
    let (_live_in, live_out) = live_sets(f);
    let mut ranges: Vec<Vec<Range>> = vec![Vec::new(); n];
    // Position of the first instruction of each block.
    let mut starts = Vec::with_capacity(f.blocks.len());
    let mut idx = 0u32;
    for b in &f.blocks {
        starts.push(idx);
        idx += b.insts.len().max(1) as u32;
    }
    for (b, blk) in f.blocks.iter().enumerate().rev() {
        let from = 2 * starts[b];
        let to = 2 * (starts[b] + blk.insts.len().max(1) as u32) - 1;
        // Per vreg, the range currently open in this block (index into its list).
        let mut open: Vec<Option<usize>> = vec![None; 0];
        open.resize(n, None);
        let mut live = live_out[b].clone();
        for v in live.iter().collect::<Vec<_>>() {
            ranges[v].push((from, to));
            open[v] = Some(ranges[v].len() - 1);
        }
        for (k, inst) in blk.insts.iter().enumerate().rev() {
            let pos = 2 * (starts[b] + k as u32);
            for d in inst.defs() {
                let d = d as usize;
                match open.get(d).copied().flatten() {
                    Some(ri) if live.contains(d) => ranges[d][ri].0 = pos + 1,
                    _ => ranges[d].push((pos + 1, pos + 1)),
                }
                live.remove(d);
                open[d] = None;
            }
            for u in inst.uses() {
                let u = u as usize;
                if u >= n {
                    continue;
                }
                if !live.contains(u) {
                    ranges[u].push((from, pos));
                    open[u] = Some(ranges[u].len() - 1);
                    live.insert(u);
                }
            }
        }
    }
    // Parameters are defined before the first instruction.
    for r in ranges.iter_mut().take(f.nparams as usize) {
        r.push((0, 0));
    }
    for r in &mut ranges {
        r.sort_unstable();
        let mut merged: Vec<Range> = Vec::with_capacity(r.len());
        for &(a, b) in r.iter() {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        *r = merged;
    }
    ranges
}

pub(super) fn overlaps(a: &[Range], b: &[Range]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x.1 < y.0 {
            i += 1;
        } else if y.1 < x.0 {
            j += 1;
        } else {
            return true;
        }
    }
    false
}

/// Merges `add` into the sorted range list `into`.
pub(super) fn merge_into(into: &mut Vec<Range>, add: &[Range]) {
    into.extend_from_slice(add);
    into.sort_unstable();
}

/// Allocates registers; `num_regs` may exceed 256 (the caller reports it).
pub fn allocate(f: &MFunc) -> Allocation {
    let n = f.nvregs as usize;
    let ranges = live_ranges(f);
    // Move hints both ways.
    let mut hints: Vec<Vec<VReg>> = vec![Vec::new(); n];
    for b in &f.blocks {
        for i in &b.insts {
            if let Some((d, s)) = i.is_mov()
                && (d as usize) < n
                && (s as usize) < n
            {
                hints[d as usize].push(s);
                hints[s as usize].push(d);
            }
        }
    }
    let mut order: Vec<usize> = (0..n).filter(|&v| !ranges[v].is_empty()).collect();
    order.sort_by_key(|&v| (v >= f.nparams as usize, ranges[v][0].0, v));
    let mut phys: Vec<u16> = vec![0; n];
    let mut assigned = vec![false; n];
    let mut occupied: Vec<Vec<Range>> = Vec::new();
    for v in order {
        let r = &ranges[v];
        let fits = |p: usize, occ: &Vec<Vec<Range>>| occ.get(p).is_none_or(|o| !overlaps(o, r));
        let mut choice = None;
        if v < f.nparams as usize {
            choice = Some(v);
        } else {
            for &h in &hints[v] {
                if assigned[h as usize] && fits(phys[h as usize] as usize, &occupied) {
                    choice = Some(phys[h as usize] as usize);
                    break;
                }
            }
        }
        let p = match choice {
            Some(p) => p,
            None => (0..=occupied.len()).find(|&p| fits(p, &occupied)).unwrap_or(occupied.len()),
        };
        while occupied.len() <= p {
            occupied.push(Vec::new());
        }
        merge_into(&mut occupied[p], r);
        phys[v] = p.min(u16::MAX as usize) as u16;
        assigned[v] = true;
    }
    let num_regs = (occupied.len() as u32).max(f.nparams).max(1);
    Allocation { phys, num_regs, slot_base: num_regs }
}

#[cfg(test)]
mod tests {
    use super::super::mir::{MBlock, MInst, MOp};
    use super::*;
    use espb_runtime::isa::Opcode;

    fn inst(op: Opcode, ops: Vec<MOp>) -> MInst {
        MInst::new(op, ops)
    }

    #[test]
    fn loop_variable_coalesces_with_its_phi() {
        // b0: v1 = 0 ; br b1
        // b1: v2 = v1 + 1 ; mov v1, v2 ; br.lt v1, v0 -> b1 ; ret v1
        let f = MFunc {
            name: "t".into(),
            nparams: 1,
            nvregs: 3,
            blocks: vec![
                MBlock { insts: vec![inst(Opcode::ConstI8, vec![MOp::Reg(1), MOp::Imm(0)])] },
                MBlock {
                    insts: vec![
                        inst(Opcode::AddImm8I32, vec![MOp::Reg(2), MOp::Reg(1), MOp::Imm(1)]),
                        inst(Opcode::Mov, vec![MOp::Reg(1), MOp::Reg(2)]),
                        inst(Opcode::BrLtSI32, vec![MOp::Reg(1), MOp::Reg(0), MOp::Label(1)]),
                        inst(Opcode::Ret, vec![MOp::Reg(1)]),
                    ],
                },
            ],
            frame_size: 0,
            locs: vec![],
        };
        let a = allocate(&f);
        assert_eq!(a.phys[0], 0);
        assert_ne!(a.phys[1], 0);
        assert_eq!(a.phys[1], a.phys[2]);
        assert_eq!(a.num_regs, 2);
    }
}
