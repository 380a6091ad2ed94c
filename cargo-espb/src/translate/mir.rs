//! Machine IR: opcodes from the VM's table with virtual registers and
//! block labels, between instruction selection and encoding.

use espb_runtime::isa::{Opcode, Role};

/// A virtual register; parameters are `0..nparams`.
pub type VReg = u32;
/// Index of a block in [`MFunc::blocks`].
pub type BlockId = usize;

/// One operand, in the order of the opcode table's operand list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MOp {
    /// A register; the table's operand kind says whether the instruction
    /// reads or writes it.
    Reg(VReg),
    /// Any immediate (range-checked against the operand kind at encoding).
    Imm(i64),
    /// A branch target.
    Label(BlockId),
    /// Call arguments (read).
    Args(Vec<VReg>),
    /// Branch table targets.
    Table(Vec<BlockId>),
    /// Spill slot `k` (a register past the allocated ones, reached by the
    /// 16-bit operands of `mov.lx` / `mov.xl`; see `spill.rs`).
    Slot(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MInst {
    pub op: Opcode,
    pub ops: Vec<MOp>,
    /// Index into the function's source locations (for debug lines).
    pub loc: Option<u32>,
}

impl MInst {
    #[cfg(test)]
    pub fn new(op: Opcode, ops: Vec<MOp>) -> MInst {
        MInst { op, ops, loc: None }
    }
    /// Registers written, in operand order (the table's `Def` operands).
    pub fn defs(&self) -> impl Iterator<Item = VReg> + '_ {
        self.regs().filter(|&(role, _)| role == Role::Def).map(|(_, r)| r)
    }
    /// Registers read, in operand order (`Use` operands and call arguments).
    pub fn uses(&self) -> impl Iterator<Item = VReg> + '_ {
        self.regs().filter(|&(role, _)| role == Role::Use).map(|(_, r)| r)
    }
    /// Every register operand with its role from the opcode table.
    fn regs(&self) -> impl Iterator<Item = (Role, VReg)> + '_ {
        self.op.operands().iter().zip(&self.ops).flat_map(|(&(_, kind), o)| {
            let regs = match o {
                MOp::Reg(r) => core::slice::from_ref(r),
                MOp::Args(rs) => rs.as_slice(),
                _ => &[],
            };
            kind.role().into_iter().flat_map(move |role| regs.iter().map(move |&r| (role, r)))
        })
    }
    pub fn labels(&self) -> impl Iterator<Item = BlockId> + '_ {
        self.ops.iter().flat_map(|o| match o {
            MOp::Label(b) => vec![*b],
            MOp::Table(bs) => bs.clone(),
            _ => Vec::new(),
        })
    }
    /// Ends the block: nothing after it runs (the table's `jump` and `exit`).
    pub fn is_barrier(&self) -> bool {
        self.op.flow().ends_block()
    }
    pub fn is_mov(&self) -> Option<(VReg, VReg)> {
        match (self.op, self.ops.as_slice()) {
            (Opcode::Mov, [MOp::Reg(d), MOp::Reg(s)]) => Some((*d, *s)),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct MBlock {
    pub insts: Vec<MInst>,
}

impl MBlock {
    /// Successors: every label in the block, plus the next block when the
    /// last instruction does not end control flow.
    pub fn successors(&self, id: BlockId, nblocks: usize) -> Vec<BlockId> {
        let mut s: Vec<BlockId> = self.insts.iter().flat_map(|i| i.labels().collect::<Vec<_>>()).collect();
        if !self.insts.last().is_some_and(|i| i.is_barrier()) && id + 1 < nblocks {
            s.push(id + 1);
        }
        s.sort_unstable();
        s.dedup();
        s
    }
}

/// A function in machine IR. Blocks are in layout order.
#[derive(Clone, Debug, Default)]
pub struct MFunc {
    pub name: String,
    pub nparams: u32,
    pub nvregs: u32,
    pub blocks: Vec<MBlock>,
    pub frame_size: u32,
    /// Source locations referenced by [`MInst::loc`]: (file, line).
    pub locs: Vec<(String, u32)>,
}
