//! The interpreter's form of verified code: the same instructions and
//! operands as the file, laid out so that every operand can be read with one
//! aligned load (32-bit chips without unaligned access spend four byte loads
//! and six shifts and ors on an unaligned 32-bit immediate).
//!
//! Built once per function after verification ([`crate::verify::VerifiedModule`]),
//! never stored in a file. Layout of one instruction:
//!
//! * it starts at a multiple of 4 bytes, with its opcode byte;
//! * each operand follows in table order at the next multiple of its
//!   alignment: `min(size, 4)` for fixed-size kinds (an `I64` is two native
//!   32-bit words, low first), 1 for `Args` (count, then the registers),
//!   2 for `Targets` (count, then the targets, two bytes little-endian each);
//! * `Def` and `Use` registers are 16-bit byte offsets in the register
//!   window (number x 8, [`RegOff`](super::operand::RegOff)); `Def16` and
//!   `Use16` stay 16-bit register numbers;
//! * fixed-size values are stored in the host's byte order;
//! * branch targets (`Target`, `Targets`) are internal offsets in units of
//!   4 bytes (an instruction grows at most 4x, so they fit 16 bits whenever
//!   the file's byte offsets do);
//! * the next instruction starts at the next multiple of 4.
//!
//! [`operand::Trusted`](super::operand::Trusted) reads this layout; [`layout`]
//! writes it, from the same rules.

use super::operand::{Operand, operands};
use alloc::vec::Vec;

/// Where the bytes of one instruction go: counted only, or written.
struct Sink<'v> {
    out: Option<&'v mut Vec<u8>>,
    len: usize,
}

impl Sink<'_> {
    fn pad_to(&mut self, align: usize) {
        while !self.len.is_multiple_of(align) {
            self.raw(&[0]);
        }
    }
    fn raw(&mut self, b: &[u8]) {
        if let Some(out) = self.out.as_mut() {
            out.extend_from_slice(b);
        }
        self.len += b.len();
    }
    /// One fixed-size value given as its little-endian bytes.
    fn put<const N: usize>(&mut self, le: [u8; N]) {
        self.pad_to(N.min(4));
        match N {
            1 => self.raw(&le),
            2 => self.raw(&u16::from_le_bytes([le[0], le[1]]).to_ne_bytes()),
            _ => {
                for w in le.chunks_exact(4) {
                    self.raw(&u32::from_le_bytes([w[0], w[1], w[2], w[3]]).to_ne_bytes());
                }
            }
        }
    }
}

/// Lays out the instruction at file offset `pc` of verified `code`; `target`
/// maps a file branch target to its internal unit. Returns the file offset
/// of the next instruction.
fn layout(code: &[u8], pc: usize, sink: &mut Sink<'_>, target: &dyn Fn(u16) -> u16) -> usize {
    let Some((op, mut ops)) = operands(code, pc) else { return code.len() };
    sink.raw(&[op as u8]);
    for (_, o) in ops.by_ref() {
        match o {
            // Registers as byte offsets in the window (RegOff).
            Operand::Reg(v) => sink.put((u16::from(v) * 8).to_le_bytes()),
            // Frame-wide registers stay numbers: the loop bounds-checks them.
            Operand::Reg16(v) => sink.put(v.to_le_bytes()),
            Operand::U8(v) => sink.put([v]),
            Operand::I8(v) => sink.put(v.to_le_bytes()),
            Operand::I16(v) => sink.put(v.to_le_bytes()),
            Operand::U16(v) => sink.put(v.to_le_bytes()),
            Operand::I32(v) => sink.put(v.to_le_bytes()),
            Operand::U32(v) => sink.put(v.to_le_bytes()),
            Operand::I64(v) => sink.put(v.to_le_bytes()),
            Operand::Target(t) => sink.put(target(t).to_le_bytes()),
            Operand::Regs(rs) => {
                sink.put([rs.len() as u8]);
                sink.raw(rs.0);
            }
            Operand::Targets(ts) => {
                sink.put((ts.len() as u16).to_le_bytes());
                for t in ts.iter() {
                    sink.raw(&target(t).to_le_bytes());
                }
            }
        }
    }
    sink.pad_to(4);
    ops.position()
}

/// The interpreter's form of one verified function body.
pub fn predecode(code: &[u8]) -> Vec<u32> {
    // First the size of each instruction, for the targets' new places.
    let mut unit = alloc::vec![0u16; code.len() + 1];
    let (mut pc, mut at) = (0, 0usize);
    while pc < code.len() {
        unit[pc] = (at / 4) as u16;
        let mut count = Sink { out: None, len: 0 };
        pc = layout(code, pc, &mut count, &|_| 0);
        at += count.len;
    }
    let mut bytes = Vec::with_capacity(at);
    let mut pc = 0;
    let map = |t: u16| unit.get(usize::from(t)).copied().unwrap_or(0);
    while pc < code.len() {
        pc = layout(code, pc, &mut Sink { out: Some(&mut bytes), len: 0 }, &map);
    }
    bytes.chunks_exact(4).map(|w| u32::from_ne_bytes([w[0], w[1], w[2], w[3]])).collect()
}

/// The file offset of the instruction at byte `off` of the predecoded form
/// of `code` (traps name file offsets, which the debug lines use).
pub fn file_offset(code: &[u8], off: usize) -> u32 {
    let (mut pc, mut at) = (0, 0usize);
    while pc < code.len() {
        let mut count = Sink { out: None, len: 0 };
        let next = layout(code, pc, &mut count, &|_| 0);
        if off < at + count.len {
            break;
        }
        at += count.len;
        pc = next;
    }
    pc as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::operand::{OperandKind, Source, Trusted};
    use crate::isa::{Opcode, encode_targets};

    /// For every opcode: the predecoded instruction, read back through the
    /// interpreter's reader, gives the same operands (targets moved to
    /// their internal units), at 4-byte aligned starts.
    #[test]
    fn every_opcode_reads_back_the_same_operands() {
        for &op in Opcode::ALL {
            // The instruction, then a `ret.void` so branch targets have a
            // second instruction start to point at.
            let mut code = alloc::vec![op as u8];
            for (i, &(_, k)) in op.operands().iter().enumerate() {
                let fill = (i as u8).wrapping_mul(37).wrapping_add(5);
                match k {
                    OperandKind::Args => code.extend_from_slice(&[2, fill, fill + 1]),
                    OperandKind::Targets => code.extend_from_slice(&[2, 0, 0, 0, 0, 0]),
                    OperandKind::Target => code.extend_from_slice(&[0, 0]),
                    k => code.extend((0..k.fixed_size().unwrap_or(0)).map(|j| fill.wrapping_add(j as u8 * 3))),
                }
            }
            let second = code.len();
            code.push(Opcode::RetVoid as u8);
            let internal = predecode(&code);
            let bytes: Vec<u8> = internal.iter().flat_map(|w| w.to_ne_bytes()).collect();
            assert_eq!(bytes[0], op as u8);
            let range = bytes.as_ptr_range();
            // SAFETY: `bytes` is the predecoded form of a complete instruction.
            let mut src = unsafe { Trusted::new(range.start, range.end) };
            let (_, want) = operands(&code, 0).expect("known");
            for ((_, w), &(_, kind)) in want.zip(op.operands()) {
                if let Operand::Reg(r) = w {
                    let off = u16::from_le_bytes(src.array().expect("reads"));
                    assert_eq!(off, u16::from(r) * 8, "{op:?}");
                    continue;
                }
                let got = Operand::read(kind, &mut src).expect("reads");
                match (w, got) {
                    (Operand::Target(t), Operand::Target(g)) => assert_eq!((t, g), (0, 0), "{op:?}"),
                    (Operand::Targets(_), Operand::Targets(g)) => {
                        assert_eq!(g.0, encode_targets(&[0, 0]).as_slice(), "{op:?}")
                    }
                    (w, g) => assert_eq!(w, g, "{op:?}"),
                }
            }
            let next = src.position() as usize - range.start as usize;
            assert_eq!(next % 4, 0, "{op:?}");
            assert_eq!(bytes[next], Opcode::RetVoid as u8, "{op:?}");
            assert_eq!(file_offset(&code, next), second as u32, "{op:?}");
            assert_eq!(file_offset(&code, next - 1), 0, "{op:?}");
        }
    }

    #[test]
    fn targets_move_to_internal_units() {
        // const.i64 r0 (10 bytes -> 12), br.if r0 -> ret.void, ret.void
        let mut code = alloc::vec![Opcode::ConstI64 as u8, 0];
        code.extend_from_slice(&7i64.to_le_bytes());
        code.extend_from_slice(&[Opcode::BrIf as u8, 0, 14, 0, Opcode::RetVoid as u8]);
        let internal = predecode(&code);
        let bytes: Vec<u8> = internal.iter().flat_map(|w| w.to_ne_bytes()).collect();
        // const.i64 at 0 (12 bytes), br.if at 12 (c at 14, t at 16), ret at 20.
        assert_eq!(bytes.len(), 24);
        assert_eq!(bytes[12], Opcode::BrIf as u8);
        assert_eq!(u16::from_ne_bytes([bytes[16], bytes[17]]), 5);
        assert_eq!(bytes[20], Opcode::RetVoid as u8);
        assert_eq!(file_offset(&code, 20), 14);
    }
}
