//! Machine IR: opcodes from the VM's table with virtual registers and
//! block labels, between instruction selection and encoding.

use espb_runtime::isa::Opcode;

/// A virtual register; parameters are `0..nparams`.
pub type VReg = u32;
/// Index of a block in [`MFunc::blocks`].
pub type BlockId = usize;

/// One operand, in the order of the opcode table's operand list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MOp {
    /// A register the instruction writes.
    Def(VReg),
    /// A register the instruction reads.
    Use(VReg),
    /// Any immediate (range-checked against the operand kind at encoding).
    Imm(i64),
    /// A branch target.
    Label(BlockId),
    /// Call arguments.
    Args(Vec<VReg>),
    /// Branch table targets.
    Table(Vec<BlockId>),
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
    pub fn defs(&self) -> impl Iterator<Item = VReg> + '_ {
        self.ops.iter().filter_map(|o| match o {
            MOp::Def(r) => Some(*r),
            _ => None,
        })
    }
    pub fn uses(&self) -> impl Iterator<Item = VReg> + '_ {
        self.ops.iter().flat_map(|o| match o {
            MOp::Use(r) => vec![*r],
            MOp::Args(rs) => rs.clone(),
            _ => Vec::new(),
        })
    }
    pub fn labels(&self) -> impl Iterator<Item = BlockId> + '_ {
        self.ops.iter().flat_map(|o| match o {
            MOp::Label(b) => vec![*b],
            MOp::Table(bs) => bs.clone(),
            _ => Vec::new(),
        })
    }
    /// Ends the block: nothing after it runs (unconditional control flow).
    pub fn is_barrier(&self) -> bool {
        matches!(
            self.op,
            Opcode::Br | Opcode::MovBr | Opcode::BrTable | Opcode::Ret | Opcode::RetVoid | Opcode::Unreachable
        )
    }
    pub fn is_mov(&self) -> Option<(VReg, VReg)> {
        match (self.op, self.ops.as_slice()) {
            (Opcode::Mov, [MOp::Def(d), MOp::Use(s)]) => Some((*d, *s)),
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
