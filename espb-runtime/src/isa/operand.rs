//! Generic, table-driven reading of encoded instructions: each operand as a
//! kind-tagged value, in the order [`Opcode::operands`] lists them. The
//! verifier uses it to check every register and branch target of every
//! opcode, and the disassembler to print any instruction, without code per
//! opcode: a new line in the opcode table is covered automatically.

use super::{Opcode, OperandKind, Regs, Targets};

/// One operand's value, tagged with its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand<'a> {
    Reg(u8),
    U8(u8),
    I8(i8),
    I16(i16),
    U16(u16),
    I32(i32),
    U32(u32),
    I64(i64),
    Target(u16),
    Regs(Regs<'a>),
    Targets(Targets<'a>),
}

/// The operands of one instruction, read lazily. Iteration stops early if
/// the code ends inside an operand; use [`super::Instr::decode`]
/// to tell a complete instruction from a truncated one.
#[derive(Clone, Debug)]
pub struct Operands<'a> {
    code: &'a [u8],
    at: usize,
    kinds: core::slice::Iter<'static, (&'static str, OperandKind)>,
}

impl<'a> Operands<'a> {
    /// Offset just after the operands read so far.
    pub fn position(&self) -> usize {
        self.at
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.code.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Some(a)
    }
}

impl<'a> Iterator for Operands<'a> {
    type Item = (&'static str, Operand<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let &(name, kind) = self.kinds.next()?;
        let v = match kind {
            OperandKind::Reg => Operand::Reg(self.array::<1>()?[0]),
            OperandKind::U8 => Operand::U8(self.array::<1>()?[0]),
            OperandKind::I8 => Operand::I8(i8::from_le_bytes(self.array()?)),
            OperandKind::I16 => Operand::I16(i16::from_le_bytes(self.array()?)),
            OperandKind::U16 => Operand::U16(u16::from_le_bytes(self.array()?)),
            OperandKind::I32 => Operand::I32(i32::from_le_bytes(self.array()?)),
            OperandKind::U32 => Operand::U32(u32::from_le_bytes(self.array()?)),
            OperandKind::I64 => Operand::I64(i64::from_le_bytes(self.array()?)),
            OperandKind::Target => Operand::Target(u16::from_le_bytes(self.array()?)),
            OperandKind::Regs => {
                let n = self.array::<1>()?[0];
                Operand::Regs(Regs(self.take(usize::from(n))?))
            }
            OperandKind::Targets => {
                let n = u16::from_le_bytes(self.array()?);
                Operand::Targets(Targets(self.take(usize::from(n) * 2)?))
            }
        };
        Some((name, v))
    }
}

/// The opcode at `pc` and an iterator over its operands; `None` when `pc`
/// is past the end or the byte is no opcode.
pub fn operands(code: &[u8], pc: usize) -> Option<(Opcode, Operands<'_>)> {
    let op = Opcode::from_u8(*code.get(pc)?)?;
    Some((op, Operands { code, at: pc + 1, kinds: op.operands().iter() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Instr;
    use alloc::vec::Vec;

    /// For every opcode: bytes built from its operand kinds decode with
    /// `Instr::decode` to the same length as the generic walker reads, and
    /// re-encode to the same bytes.
    #[test]
    fn generic_walker_agrees_with_instr_for_every_opcode() {
        for &op in Opcode::ALL {
            let mut code = alloc::vec![op as u8];
            for (i, &(_, k)) in op.operands().iter().enumerate() {
                let fill = (i as u8).wrapping_mul(37).wrapping_add(5);
                match k {
                    OperandKind::Regs => code.extend_from_slice(&[2, fill, fill + 1]),
                    OperandKind::Targets => code.extend_from_slice(&[2, 0, fill, 0, fill, 1]),
                    k => code.extend(core::iter::repeat_n(fill, k.fixed_size().unwrap_or(0))),
                }
            }
            let (instr, next) = Instr::decode(&code, 0).expect("decodes");
            assert_eq!(next, code.len(), "{op:?}");
            let (got_op, mut it) = operands(&code, 0).expect("known");
            assert_eq!(got_op, op);
            let n = it.by_ref().count();
            assert_eq!(n, op.operands().len());
            assert_eq!(it.position(), code.len(), "{op:?}");
            let mut re = Vec::new();
            instr.encode(&mut re);
            assert_eq!(re, code, "{op:?}");
            // Truncated: the walker stops early instead of panicking.
            for cut in 0..code.len() {
                let mut it = match operands(&code[..cut], 0) {
                    Some((_, it)) => it,
                    None => continue,
                };
                let _ = it.by_ref().count();
                assert!(it.position() <= cut);
            }
        }
    }
}
