//! Encoding: physical registers in, redundant moves and jumps to the next
//! block out, branch targets resolved to byte offsets, operands written by
//! the runtime's operand codec in the layout the opcode table declares.

use super::error::TranslateError;
use super::mir::{MFunc, MInst, MOp};
use super::regalloc::Allocation;
use espb_runtime::isa::operand::Operand;
use espb_runtime::isa::{InverseOperands, Opcode, OperandKind, Regs, Targets};

pub struct Emitted {
    pub code: Vec<u8>,
    /// (code offset, file, line), in code order, one per change of line.
    pub lines: Vec<(u32, String, u32)>,
}

/// The inverted form of a conditional branch, to `target`: the opcode
/// table's inverse, with the operands it says.
fn invert(i: &MInst, target: usize) -> Option<MInst> {
    let inv = i.op.inverse()?;
    let kinds = i.op.operands();
    let mut ops = i.ops.clone();
    let t = kinds.iter().position(|&(_, k)| k == OperandKind::Target)?;
    *ops.get_mut(t)? = MOp::Label(target);
    match inv.operands {
        InverseOperands::Same => {}
        InverseOperands::Swap => {
            let mut regs = kinds.iter().enumerate().filter(|(_, (_, k))| *k == OperandKind::Use).map(|(n, _)| n);
            let (a, b) = (regs.next()?, regs.next()?);
            ops.swap(a, b);
        }
        step @ InverseOperands::Step { name, .. } => {
            let k = kinds.iter().position(|&(n, _)| n == name)?;
            let MOp::Imm(v) = ops.get(k)? else { return None };
            let v = step.step(*v)?;
            ops[k] = MOp::Imm(v);
        }
    }
    Some(MInst { op: inv.op, ops, loc: i.loc })
}

fn single_label(i: &MInst) -> Option<usize> {
    match i.ops.last() {
        Some(MOp::Label(l)) => Some(*l),
        _ => None,
    }
}

/// Writes one instruction with the runtime's operand codec; `offsets`
/// gives block starts (None: sizing pass).
fn encode(i: &MInst, slot_base: u32, offsets: Option<&[u32]>, out: &mut Vec<u8>) -> Result<(), String> {
    let kinds = i.op.operands();
    if kinds.len() != i.ops.len() {
        return Err(format!("{} takes {} operands, got {}", i.op.mnemonic(), kinds.len(), i.ops.len()));
    }
    let target = |b: usize| -> Result<u16, String> {
        match offsets {
            None => Ok(0),
            Some(o) => o.get(b).map(|&x| x as u16).ok_or_else(|| format!("branch to unknown block {b}")),
        }
    };
    let reg = |r: u32| -> Result<u8, String> { u8::try_from(r).map_err(|_| format!("register {r} beyond 255")) };
    out.push(i.op as u8);
    let mut list = Vec::new();
    for (&(name, kind), op) in kinds.iter().zip(&i.ops) {
        let range_err = |v: i64| format!("{} operand {name} = {v} out of range", i.op.mnemonic());
        list.clear();
        let o = match (kind, op) {
            (OperandKind::Def | OperandKind::Use, MOp::Reg(r)) => Operand::Reg(reg(*r)?),
            (OperandKind::Def16 | OperandKind::Use16, MOp::Slot(k)) => Operand::Reg16(
                slot_base
                    .checked_add(*k)
                    .and_then(|r| u16::try_from(r).ok())
                    .ok_or_else(|| "spill slot beyond 65535".to_string())?,
            ),
            (k, MOp::Imm(v)) if k.is_imm() => Operand::imm(k, *v).ok_or_else(|| range_err(*v))?,
            (OperandKind::Target, MOp::Label(b)) => Operand::Target(target(*b)?),
            (OperandKind::Args, MOp::Args(rs)) => {
                u8::try_from(rs.len()).map_err(|_| "more than 255 call arguments".to_string())?;
                for r in rs {
                    list.push(reg(*r)?);
                }
                Operand::Regs(Regs(&list))
            }
            (OperandKind::Targets, MOp::Table(bs)) => {
                u16::try_from(bs.len()).map_err(|_| "branch table too long".to_string())?;
                for b in bs {
                    list.extend_from_slice(&target(*b)?.to_le_bytes());
                }
                Operand::Targets(Targets(&list))
            }
            (k, o) => return Err(format!("{} operand {name}: {k:?} does not take {o:?}", i.op.mnemonic())),
        };
        o.write(out);
    }
    Ok(())
}

/// Retargets branches to blocks that only jump elsewhere, then empties
/// blocks nothing reaches any more (edge blocks whose moves coalesced away).
fn thread_jumps(blocks: &mut [Vec<MInst>]) {
    let n = blocks.len();
    let forward = |b: usize, blocks: &[Vec<MInst>]| -> usize {
        let mut cur = b;
        for _ in 0..n {
            match blocks.get(cur).map(|v| v.as_slice()) {
                Some([only]) if only.op == Opcode::Br => match single_label(only) {
                    Some(l) if l != cur => cur = l,
                    _ => break,
                },
                _ => break,
            }
        }
        cur
    };
    let dest: Vec<usize> = (0..n).map(|b| forward(b, blocks)).collect();
    for b in blocks.iter_mut() {
        for i in b.iter_mut() {
            for op in &mut i.ops {
                match op {
                    MOp::Label(l) => *l = dest.get(*l).copied().unwrap_or(*l),
                    MOp::Table(ls) => ls.iter_mut().for_each(|l| *l = dest.get(*l).copied().unwrap_or(*l)),
                    _ => {}
                }
            }
        }
    }
    // Reachability from the entry: labels and fall-through.
    let mut reach = vec![false; n];
    let mut work = vec![0usize];
    while let Some(b) = work.pop() {
        if b >= n || reach[b] {
            continue;
        }
        reach[b] = true;
        for i in &blocks[b] {
            work.extend(i.labels());
        }
        if !blocks[b].last().is_some_and(|i| i.is_barrier()) {
            work.push(b + 1);
        }
    }
    for (b, r) in reach.iter().enumerate() {
        if !r {
            blocks[b].clear();
        }
    }
}

/// Fuses the increment and the compare-branch that close a loop
/// (`i += 1; if i != n goto loop`) into one superinstruction.
fn fuse_loop_branches(insts: &mut Vec<MInst>) {
    use Opcode::*;
    fuse_pairs(insts, |a, b, _| {
        match (a.op, a.ops.as_slice(), b.op, b.ops.as_slice()) {
            // d = x + v8, then a branch testing d against a register.
            (AddImm8I32, [MOp::Reg(d), x, v], br, [MOp::Reg(p), MOp::Reg(q), t]) => {
                let other = if p == d {
                    Some(q)
                } else if q == d && br == BrNeI32 {
                    Some(p)
                } else {
                    None
                };
                let op = match br {
                    BrNeI32 => Some(IncBrNeI32),
                    BrLtSI32 if p == d => Some(IncBrLtSI32),
                    BrLtUI32 if p == d => Some(IncBrLtUI32),
                    _ => None,
                };
                match (op, other) {
                    (Some(op), Some(o)) => Some(MInst {
                        op,
                        ops: vec![MOp::Reg(*d), x.clone(), v.clone(), MOp::Reg(*o), t.clone()],
                        loc: b.loc.or(a.loc),
                    }),
                    _ => None,
                }
            }
            // d = x + v8, then a branch testing d against a constant.
            (AddImm8I32, [MOp::Reg(d), x, v], br, [MOp::Reg(p), w @ MOp::Imm(_), t]) if p == d => {
                let op = match br {
                    BrNeImmI32 => Some(IncBrNeImmI32),
                    BrLtSImmI32 => Some(IncBrLtSImmI32),
                    BrLtUImmI32 => Some(IncBrLtUImmI32),
                    _ => None,
                };
                op.map(|op| MInst {
                    op,
                    ops: vec![MOp::Reg(*d), x.clone(), v.clone(), w.clone(), t.clone()],
                    loc: b.loc.or(a.loc),
                })
            }
            // A copy and a jump (phi moves on a loop's back edge).
            (Mov, [d @ MOp::Reg(_), x @ MOp::Reg(_)], Br, [t]) => {
                Some(MInst { op: MovBr, ops: vec![d.clone(), x.clone(), t.clone()], loc: b.loc.or(a.loc) })
            }
            // d = x + y, then d < c (strided loops).
            (AddI32, [MOp::Reg(d), x, y], BrLtSI32 | BrLtUI32, [MOp::Reg(p), c @ MOp::Reg(_), t]) if p == d => {
                let op = if b.op == BrLtSI32 { AddBrLtSI32 } else { AddBrLtUI32 };
                Some(MInst {
                    op,
                    ops: vec![MOp::Reg(*d), x.clone(), y.clone(), c.clone(), t.clone()],
                    loc: b.loc.or(a.loc),
                })
            }
            _ => None,
        }
    });
}

/// Fuses a multiply and the add that consumes it (`t = a * b; d = t + c`)
/// into `muladd.* d, a, b, c` (`muladd.i32.imm`, `shladd.i32` for a
/// multiply by or a shift of a constant) where `t` is dead after the add: the add
/// overwrites it, or the block writes it again before anything reads it.
/// Floats keep the add's operand order (`muladd` for `t + c`, `addmul` for
/// `c + t`: NaN payloads can follow the order).
fn fuse_mul_add(insts: &mut Vec<MInst>) {
    use Opcode::*;
    fuse_pairs(insts, |i0, i1, rest| {
        match (i0.op, i0.ops.as_slice(), i1.op, i1.ops.as_slice()) {
            (mul @ (MulI32 | MulF32 | MulF64), [MOp::Reg(t), a, b], add, [MOp::Reg(d), MOp::Reg(x), MOp::Reg(y)])
                if matches!((mul, add), (MulI32, AddI32) | (MulF32, AddF32) | (MulF64, AddF64)) =>
            {
                let (c, op) = match (x == t, y == t, mul) {
                    (true, false, MulI32) | (false, true, MulI32) => (Some(if x == t { *y } else { *x }), MulAddI32),
                    (true, false, MulF32) => (Some(*y), MulAddF32),
                    (false, true, MulF32) => (Some(*x), AddMulF32),
                    (true, false, _) => (Some(*y), MulAddF64),
                    (false, true, _) => (Some(*x), AddMulF64),
                    _ => (None, Nop),
                };
                c.filter(|_| d == t || dead_after(rest, *t)).map(|c| MInst {
                    op,
                    ops: vec![MOp::Reg(*d), a.clone(), b.clone(), MOp::Reg(c)],
                    loc: i0.loc.or(i1.loc),
                })
            }
            // The same with an immediate multiplier or a shift.
            (
                first @ (MulImmI32 | ShlImmI32),
                [MOp::Reg(t), a, v @ MOp::Imm(_)],
                AddI32,
                [MOp::Reg(d), MOp::Reg(x), MOp::Reg(y)],
            ) if (x == t) != (y == t) && (d == t || dead_after(rest, *t)) => Some(MInst {
                op: if first == MulImmI32 { MulImmAddI32 } else { ShlAddI32 },
                ops: vec![MOp::Reg(*d), a.clone(), v.clone(), MOp::Reg(if x == t { *y } else { *x })],
                loc: i0.loc.or(i1.loc),
            }),
            _ => None,
        }
    });
}

/// Fuses a 32-bit load into the `muladd.i32` that multiplies it
/// (`x = load p+off; d = x * b + c`) into `load.muladd.i32 d, p, off, b, c`
/// where nothing else reads `x`: the multiply-add overwrites it, or the
/// block writes it again first. `x` must be a multiplier and not `c`
/// (the fused form reads `b` and `c` after the load would have written `x`).
fn fuse_load_mul_add(insts: &mut Vec<MInst>) {
    use Opcode::*;
    fuse_pairs(insts, |i0, i1, rest| match (i0.op, i0.ops.as_slice(), i1.op, i1.ops.as_slice()) {
        (
            LoadI32,
            [MOp::Reg(x), p, off @ MOp::Imm(_)],
            MulAddI32,
            [MOp::Reg(d), MOp::Reg(a), MOp::Reg(b), c @ MOp::Reg(cr)],
        ) if (a == x) != (b == x) && cr != x && (d == x || dead_after(rest, *x)) => Some(MInst {
            op: LoadMulAddI32,
            ops: vec![MOp::Reg(*d), p.clone(), off.clone(), MOp::Reg(if a == x { *b } else { *a }), c.clone()],
            loc: i0.loc.or(i1.loc),
        }),
        _ => None,
    });
}

/// Fuses an unsigned remainder and the branch testing it against zero
/// (`if v % d == 0`) into `remu.br.eqz.i32` / `remu.br.nez.i32`. The fused
/// instruction still writes the remainder, so no liveness is needed; it
/// traps where `rem.u.i32` would, before the branch.
fn fuse_rem_branch(insts: &mut Vec<MInst>) {
    use Opcode::*;
    fuse_pairs(insts, |i0, i1, _| match (i0.op, i0.ops.as_slice(), i1.op, i1.ops.as_slice()) {
        (RemUI32, [d @ MOp::Reg(r), a, b], br, ops) => {
            let op = match (br, ops) {
                (BrEqImmI32 | BrEqImm8I32, [MOp::Reg(p), MOp::Imm(0), t]) if p == r => Some((RemUBrEqzI32, t)),
                (BrNeImmI32 | BrNeImm8I32, [MOp::Reg(p), MOp::Imm(0), t]) if p == r => Some((RemUBrNezI32, t)),
                (BrIfNot, [MOp::Reg(p), t]) if p == r => Some((RemUBrEqzI32, t)),
                (BrIf, [MOp::Reg(p), t]) if p == r => Some((RemUBrNezI32, t)),
                _ => None,
            };
            op.map(|(op, t)| MInst {
                op,
                ops: vec![d.clone(), a.clone(), b.clone(), t.clone()],
                loc: i0.loc.or(i1.loc),
            })
        }
        _ => None,
    });
}

/// Replaces each pair of adjacent instructions `(a, b)` for which `fuse`
/// gives one instruction by it; `rest` is what follows `b` in the block.
fn fuse_pairs(insts: &mut Vec<MInst>, fuse: impl Fn(&MInst, &MInst, &[MInst]) -> Option<MInst>) {
    let mut k = 0;
    while k + 1 < insts.len() {
        if let Some(f) = fuse(&insts[k], &insts[k + 1], &insts[k + 2..]) {
            insts[k] = f;
            insts.remove(k + 1);
        }
        k += 1;
    }
}

/// Whether register `r` is written by `rest` (the block's instructions
/// that follow) before anything reads it. A branch or the block's end
/// counts as a read: what comes after is not looked at.
fn dead_after(rest: &[MInst], r: u32) -> bool {
    for i in rest {
        if i.uses().any(|u| u == r) {
            return false;
        }
        if i.defs().any(|w| w == r) {
            return true;
        }
        if i.op.flow() != espb_runtime::isa::Flow::Next {
            return false;
        }
    }
    false
}

/// Picks the short form of an instruction whose immediate fits it.
fn shorten(insts: &mut [MInst]) {
    use Opcode::*;
    let fits_i8 = |v: i64| i8::try_from(v).is_ok();
    for i in insts.iter_mut() {
        let short = match (i.op, i.ops.as_slice()) {
            (DataAddr, [_, MOp::Imm(v)]) if u16::try_from(*v).is_ok() => DataAddr16,
            (StackAddr, [_, MOp::Imm(v)]) if u16::try_from(*v).is_ok() => StackAddr16,
            (ConstI64, [_, MOp::Imm(v)]) if fits_i8(*v) => ConstI64S,
            (BrEqImmI32, [_, MOp::Imm(v), _]) if fits_i8(*v) => BrEqImm8I32,
            (BrNeImmI32, [_, MOp::Imm(v), _]) if fits_i8(*v) => BrNeImm8I32,
            (EqImmI32, [_, _, MOp::Imm(v)]) if fits_i8(*v) => EqImm8I32,
            (IncBrNeImmI32, [_, _, _, MOp::Imm(w), _]) if fits_i8(*w) => IncBrNeImm8I32,
            _ => continue,
        };
        i.op = short;
    }
}

/// Encodes a register-allocated function.
pub fn emit(f: &MFunc, alloc: &Allocation) -> Result<Emitted, TranslateError> {
    let internal = |msg: String| TranslateError::Internal { function: f.name.clone(), msg };
    let phys = |r: u32| alloc.phys.get(r as usize).copied().map(u32::from).unwrap_or(0);
    // Physical registers; moves onto themselves disappear.
    let mut blocks: Vec<Vec<MInst>> = f
        .blocks
        .iter()
        .map(|b| {
            b.insts
                .iter()
                .map(|i| {
                    let mut i = i.clone();
                    for op in &mut i.ops {
                        match op {
                            MOp::Reg(r) => *r = phys(*r),
                            MOp::Args(rs) => rs.iter_mut().for_each(|r| *r = phys(*r)),
                            _ => {}
                        }
                    }
                    i
                })
                .filter(|i| i.is_mov().is_none_or(|(d, s)| d != s))
                .collect()
        })
        .collect();
    thread_jumps(&mut blocks);
    // Fall through to the next block instead of jumping to it. Work from
    // the end so empty blocks resolve to the block after them.
    let n = blocks.len();
    let mut resolve: Vec<usize> = (0..=n).collect();
    for b in (0..n).rev() {
        let next = resolve.get(b + 1).copied().unwrap_or(n);
        let falls = |l: usize| resolve.get(l).copied() == Some(next) && b + 1 < n;
        let insts = &mut blocks[b];
        if let Some(l) = insts.last().filter(|i| i.op == Opcode::Br).and_then(single_label)
            && falls(l)
        {
            insts.pop();
        } else if insts.len() >= 2
            && insts.last().is_some_and(|i| i.op == Opcode::Br)
            && let (Some(f_l), Some(t_l)) = (insts.last().and_then(single_label), single_label(&insts[insts.len() - 2]))
            && falls(t_l)
            && let Some(inv) = invert(&insts[insts.len() - 2], f_l)
        {
            insts.pop();
            insts.pop();
            insts.push(inv);
        } else if insts.len() >= 2
            && insts.last().is_some_and(|i| i.op == Opcode::Br)
            && let (Some(f_l), Some(t_l)) = (insts.last().and_then(single_label), single_label(&insts[insts.len() - 2]))
            && f_l <= b
            && (t_l > b || f_l == b)
            && let Some(inv) = invert(&insts[insts.len() - 2], f_l)
        {
            // `if c goto exit; goto loop` -> `if !c goto loop; goto exit`:
            // the branch taken on every iteration becomes the conditional one.
            insts.pop();
            insts.pop();
            insts.push(inv);
            insts.push(MInst { op: Opcode::Br, ops: vec![MOp::Label(t_l)], loc: None });
        }
        resolve[b] = if blocks[b].is_empty() { next } else { b };
    }
    for insts in &mut blocks {
        fuse_loop_branches(insts);
        fuse_mul_add(insts);
        fuse_load_mul_add(insts);
        fuse_rem_branch(insts);
        shorten(insts);
    }
    // Sizes, then block offsets.
    let mut offsets = Vec::with_capacity(n);
    let mut pc = 0usize;
    let mut scratch = Vec::new();
    for b in &blocks {
        offsets.push(pc as u32);
        for i in b {
            scratch.clear();
            encode(i, alloc.slot_base, None, &mut scratch).map_err(&internal)?;
            pc += scratch.len();
        }
    }
    if pc > u16::MAX as usize {
        return Err(TranslateError::FunctionTooLarge { function: f.name.clone(), size: pc });
    }
    let mut code = Vec::with_capacity(pc);
    let mut lines: Vec<(u32, String, u32)> = Vec::new();
    for b in &blocks {
        for i in b {
            if let Some((file, line)) = i.loc.and_then(|l| f.locs.get(l as usize))
                && lines.last().is_none_or(|(_, lf, ll)| lf != file || ll != line)
            {
                lines.push((code.len() as u32, file.clone(), *line));
            }
            encode(i, alloc.slot_base, Some(&offsets), &mut code).map_err(&internal)?;
        }
    }
    if !blocks.iter().rev().find(|b| !b.is_empty()).and_then(|b| b.last()).is_some_and(|i| i.is_barrier()) {
        return Err(internal("function does not end with a terminator".into()));
    }
    Ok(Emitted { code, lines })
}
