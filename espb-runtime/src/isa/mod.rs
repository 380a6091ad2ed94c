//! The instruction set: the single source of truth for every instruction.
//!
//! `for_each_op!` lists each instruction once: its name, its byte, its
//! mnemonic, its operands and how it changes control flow. Everything else
//! is generated from that list: the [`Opcode`] enum with its operand list
//! ([`Opcode::operands`]), flow ([`Opcode::flow`]) and inverse branch
//! ([`Opcode::inverse`]); the [`Instr`] enum with its encoder and decoder;
//! and the [`verified`] per-opcode readers of the interpreter's hot path.
//! Every operand is written and read by the one codec in [`operand`].
//!
//! Adding an instruction means one line here (with a new, never reused
//! byte), one arm in the interpreter (`vm/exec.rs`, whose `match` over
//! [`Opcode`] is exhaustive) and its use in the translator. The verifier,
//! the disassembler and the translator's encoder, register roles and branch
//! inversion follow from the line.
//!
//! Operands: one opcode byte, then the operands in the order listed; the
//! kinds and their encodings are in [`operand`]. `Def` operands are
//! registers the instruction writes, `Use` and `Args` registers it reads.
//! Registers are untyped 64-bit slots; the opcode says how the bits are
//! read. 32-bit results are stored zero-extended. Pointers are 32-bit values.
//!
//! Flow, after the operands (left out: the instruction falls through):
//!
//! | flow                    | meaning                                                  |
//! |-------------------------|----------------------------------------------------------|
//! | `branch`                | conditional: jumps to its target or falls through        |
//! | `branch(Inv)`           | the same, and `Inv` with the same operands is its inverse |
//! | `branch(Inv, swap)`     | the inverse takes the two register operands swapped      |
//! | `branch(Inv, v - 1, signed)` | the inverse takes immediate `v` one lower (`+ 1`: higher), as a signed (or `unsigned`) 32-bit value; none where that overflows |
//! | `jump`                  | always jumps: nothing after it runs                      |
//! | `exit`                  | leaves the function (return, trap)                       |
//!
//! `jump` and `exit` end a basic block: a function's code must end with one.

pub mod aligned;
pub mod operand;
pub mod select;

pub use operand::{OperandKind, Regs, Role, Targets, encode_targets};
pub use select::{ComplexF128Op, ComplexOp, Conv, DivRem128, F128_CMP_BASE, F128Op, FBinary, FUnary};

use operand::{Checked, Kind, Trusted, TrustedKind, kind};

/// How an instruction changes control flow (the table's flow attribute).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Falls through to the next instruction.
    Next,
    /// Jumps to its target or falls through.
    Branch,
    /// Always jumps.
    Jump,
    /// Leaves the function.
    Exit,
}

impl Flow {
    /// Nothing after the instruction runs: it ends a basic block, and a
    /// function must end with one.
    pub const fn ends_block(self) -> bool {
        matches!(self, Flow::Jump | Flow::Exit)
    }
}

/// The branch taken exactly when another is not, to the same target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inverse {
    pub op: Opcode,
    pub operands: InverseOperands,
}

/// How the inverse branch's operands come from the original's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InverseOperands {
    /// Unchanged: `br.eq` / `br.ne`.
    Same,
    /// The two register operands swapped: `!(a < b)` is `b <= a`.
    Swap,
    /// Immediate operand `name` moved by `delta`: `!(a < v)` is `a > v - 1`.
    Step { name: &'static str, delta: i32, signed: bool },
}

impl InverseOperands {
    /// For [`InverseOperands::Step`]: the new value of immediate `v`, a
    /// 32-bit value as the translator holds it (unsigned ones sign-extended
    /// from their bits); `None` where the step leaves the 32-bit range.
    pub fn step(self, v: i64) -> Option<i64> {
        match self {
            InverseOperands::Step { delta, signed: true, .. } => {
                (v as i32).checked_add(delta).map(|_| v + i64::from(delta))
            }
            InverseOperands::Step { delta, signed: false, .. } => {
                (v as u32).checked_add_signed(delta).map(|u| i64::from(u as i32))
            }
            _ => Some(v),
        }
    }
}

/// The table. Each line: `Name = byte, "mnemonic", { operand: Kind, ... } flow;`
/// with the flow left out for instructions that fall through (see the
/// module documentation). Bytes are part of the file format: never
/// renumber or reuse one.
#[macro_export]
macro_rules! for_each_op {
    ($m:ident) => {
        $m! {
            // --- moves and constants ---
            Nop = 0x00, "nop", {};
            Mov = 0x01, "mov", { d: Def, s: Use };
            ConstI32 = 0x02, "const.i32", { d: Def, v: I32 };
            ConstI8 = 0x03, "const.i8", { d: Def, v: I8 };
            ConstI64 = 0x04, "const.i64", { d: Def, v: I64 };
            DataAddr = 0x05, "data.addr", { d: Def, off: U32 };
            FuncAddr = 0x06, "func.addr", { d: Def, f: U16 };
            ImportAddr = 0x07, "import.addr", { d: Def, i: U16 };
            StackAddr = 0x08, "stack.addr", { d: Def, off: U32 };
            Select = 0x09, "select", { d: Def, c: Use, a: Use, b: Use };
            Mov2 = 0x0A, "mov2", { d0: Def, s0: Use, d1: Def, s1: Use };

            // --- i32 arithmetic, register operands ---
            AddI32 = 0x10, "add.i32", { d: Def, a: Use, b: Use };
            SubI32 = 0x11, "sub.i32", { d: Def, a: Use, b: Use };
            MulI32 = 0x12, "mul.i32", { d: Def, a: Use, b: Use };
            DivSI32 = 0x13, "div.s.i32", { d: Def, a: Use, b: Use };
            DivUI32 = 0x14, "div.u.i32", { d: Def, a: Use, b: Use };
            RemSI32 = 0x15, "rem.s.i32", { d: Def, a: Use, b: Use };
            RemUI32 = 0x16, "rem.u.i32", { d: Def, a: Use, b: Use };
            AndI32 = 0x17, "and.i32", { d: Def, a: Use, b: Use };
            OrI32 = 0x18, "or.i32", { d: Def, a: Use, b: Use };
            XorI32 = 0x19, "xor.i32", { d: Def, a: Use, b: Use };
            ShlI32 = 0x1A, "shl.i32", { d: Def, a: Use, b: Use };
            ShrSI32 = 0x1B, "shr.s.i32", { d: Def, a: Use, b: Use };
            ShrUI32 = 0x1C, "shr.u.i32", { d: Def, a: Use, b: Use };
            RotlI32 = 0x1D, "rotl.i32", { d: Def, a: Use, b: Use };
            RotrI32 = 0x1E, "rotr.i32", { d: Def, a: Use, b: Use };

            // --- i32 arithmetic with an immediate right operand ---
            AddImmI32 = 0x20, "add.i32.imm", { d: Def, a: Use, v: I32 };
            MulImmI32 = 0x21, "mul.i32.imm", { d: Def, a: Use, v: I32 };
            AndImmI32 = 0x22, "and.i32.imm", { d: Def, a: Use, v: I32 };
            OrImmI32 = 0x23, "or.i32.imm", { d: Def, a: Use, v: I32 };
            XorImmI32 = 0x24, "xor.i32.imm", { d: Def, a: Use, v: I32 };
            ShlImmI32 = 0x25, "shl.i32.imm", { d: Def, a: Use, v: U8 };
            ShrSImmI32 = 0x26, "shr.s.i32.imm", { d: Def, a: Use, v: U8 };
            ShrUImmI32 = 0x27, "shr.u.i32.imm", { d: Def, a: Use, v: U8 };
            AddImm8I32 = 0x28, "add.i32.imm8", { d: Def, a: Use, v: I8 };
            SubFromImmI32 = 0x29, "subfrom.i32.imm", { d: Def, a: Use, v: I32 };

            // --- i32 comparisons: d = (a op b) as 0/1 ---
            EqI32 = 0x30, "eq.i32", { d: Def, a: Use, b: Use };
            NeI32 = 0x31, "ne.i32", { d: Def, a: Use, b: Use };
            LtSI32 = 0x32, "lt.s.i32", { d: Def, a: Use, b: Use };
            LtUI32 = 0x33, "lt.u.i32", { d: Def, a: Use, b: Use };
            LeSI32 = 0x34, "le.s.i32", { d: Def, a: Use, b: Use };
            LeUI32 = 0x35, "le.u.i32", { d: Def, a: Use, b: Use };
            EqImmI32 = 0x36, "eq.i32.imm", { d: Def, a: Use, v: I32 };
            NeImmI32 = 0x37, "ne.i32.imm", { d: Def, a: Use, v: I32 };
            LtSImmI32 = 0x38, "lt.s.i32.imm", { d: Def, a: Use, v: I32 };
            LtUImmI32 = 0x39, "lt.u.i32.imm", { d: Def, a: Use, v: I32 };
            GtSImmI32 = 0x3A, "gt.s.i32.imm", { d: Def, a: Use, v: I32 };
            GtUImmI32 = 0x3B, "gt.u.i32.imm", { d: Def, a: Use, v: I32 };

            // --- i64 arithmetic ---
            AddI64 = 0x40, "add.i64", { d: Def, a: Use, b: Use };
            SubI64 = 0x41, "sub.i64", { d: Def, a: Use, b: Use };
            MulI64 = 0x42, "mul.i64", { d: Def, a: Use, b: Use };
            DivSI64 = 0x43, "div.s.i64", { d: Def, a: Use, b: Use };
            DivUI64 = 0x44, "div.u.i64", { d: Def, a: Use, b: Use };
            RemSI64 = 0x45, "rem.s.i64", { d: Def, a: Use, b: Use };
            RemUI64 = 0x46, "rem.u.i64", { d: Def, a: Use, b: Use };
            AndI64 = 0x47, "and.i64", { d: Def, a: Use, b: Use };
            OrI64 = 0x48, "or.i64", { d: Def, a: Use, b: Use };
            XorI64 = 0x49, "xor.i64", { d: Def, a: Use, b: Use };
            ShlI64 = 0x4A, "shl.i64", { d: Def, a: Use, b: Use };
            ShrSI64 = 0x4B, "shr.s.i64", { d: Def, a: Use, b: Use };
            ShrUI64 = 0x4C, "shr.u.i64", { d: Def, a: Use, b: Use };
            RotlI64 = 0x4D, "rotl.i64", { d: Def, a: Use, b: Use };
            RotrI64 = 0x4E, "rotr.i64", { d: Def, a: Use, b: Use };
            AddImmI64 = 0x4F, "add.i64.imm", { d: Def, a: Use, v: I32 };

            // --- i64 comparisons: d = (a op b) as 0/1 (an i32) ---
            EqI64 = 0x50, "eq.i64", { d: Def, a: Use, b: Use };
            NeI64 = 0x51, "ne.i64", { d: Def, a: Use, b: Use };
            LtSI64 = 0x52, "lt.s.i64", { d: Def, a: Use, b: Use };
            LtUI64 = 0x53, "lt.u.i64", { d: Def, a: Use, b: Use };
            LeSI64 = 0x54, "le.s.i64", { d: Def, a: Use, b: Use };
            LeUI64 = 0x55, "le.u.i64", { d: Def, a: Use, b: Use };
            ShlImmI64 = 0x56, "shl.i64.imm", { d: Def, a: Use, v: U8 };
            ShrSImmI64 = 0x57, "shr.s.i64.imm", { d: Def, a: Use, v: U8 };
            ShrUImmI64 = 0x58, "shr.u.i64.imm", { d: Def, a: Use, v: U8 };
            AndImmI64 = 0x59, "and.i64.imm", { d: Def, a: Use, v: I32 };

            // --- integer unary ops and width changes ---
            ClzI32 = 0x60, "clz.i32", { d: Def, s: Use };
            CtzI32 = 0x61, "ctz.i32", { d: Def, s: Use };
            PopcntI32 = 0x62, "popcnt.i32", { d: Def, s: Use };
            BswapI32 = 0x63, "bswap.i32", { d: Def, s: Use };
            ClzI64 = 0x64, "clz.i64", { d: Def, s: Use };
            CtzI64 = 0x65, "ctz.i64", { d: Def, s: Use };
            PopcntI64 = 0x66, "popcnt.i64", { d: Def, s: Use };
            BswapI64 = 0x67, "bswap.i64", { d: Def, s: Use };
            Sext8I32 = 0x68, "sext8.i32", { d: Def, s: Use };
            Sext16I32 = 0x69, "sext16.i32", { d: Def, s: Use };
            Zext8I32 = 0x6A, "zext8.i32", { d: Def, s: Use };
            Zext16I32 = 0x6B, "zext16.i32", { d: Def, s: Use };
            SextI32I64 = 0x6C, "sext.i32.i64", { d: Def, s: Use };
            ZextI32I64 = 0x6D, "zext.i32.i64", { d: Def, s: Use };
            WrapI64I32 = 0x6E, "wrap.i64.i32", { d: Def, s: Use };
            Sext8I64 = 0x6F, "sext8.i64", { d: Def, s: Use };
            Sext16I64 = 0x70, "sext16.i64", { d: Def, s: Use };
            MinSI32 = 0x71, "min.s.i32", { d: Def, a: Use, b: Use };
            MaxSI32 = 0x72, "max.s.i32", { d: Def, a: Use, b: Use };
            MinUI32 = 0x73, "min.u.i32", { d: Def, a: Use, b: Use };
            MaxUI32 = 0x74, "max.u.i32", { d: Def, a: Use, b: Use };
            AbsI32 = 0x75, "abs.i32", { d: Def, s: Use };
            MinSI64 = 0x76, "min.s.i64", { d: Def, a: Use, b: Use };
            MaxSI64 = 0x77, "max.s.i64", { d: Def, a: Use, b: Use };
            MinUI64 = 0x78, "min.u.i64", { d: Def, a: Use, b: Use };
            MaxUI64 = 0x79, "max.u.i64", { d: Def, a: Use, b: Use };
            AbsI64 = 0x7A, "abs.i64", { d: Def, s: Use };
            MulHSI32 = 0x7B, "mulh.s.i32", { d: Def, a: Use, b: Use };
            MulHUI32 = 0x7C, "mulh.u.i32", { d: Def, a: Use, b: Use };
            /// 128-bit division or remainder (`k`, see [`DivRem128`]) of the
            /// pairs (alo, ahi) and (blo, bhi), low word first, into (dlo, dhi).
            DivRem128 = 0x7D, "divrem.i128", { dlo: Def, dhi: Def, alo: Use, ahi: Use, blo: Use, bhi: Use, k: U8 };
            /// (dre + i dim) = (a + ib) `k` (c + id), see [`ComplexOp`]: C's
            /// `_Complex` multiplication and division with Annex G's infinities.
            Complex = 0x7E, "complex", { dre: Def, dim: Def, a: Use, b: Use, c: Use, d: Use, k: U8 };

            // --- floating point: f32 in the low 32 bits, f64 in all 64 ---
            AddF32 = 0x80, "add.f32", { d: Def, a: Use, b: Use };
            SubF32 = 0x81, "sub.f32", { d: Def, a: Use, b: Use };
            MulF32 = 0x82, "mul.f32", { d: Def, a: Use, b: Use };
            DivF32 = 0x83, "div.f32", { d: Def, a: Use, b: Use };
            AddF64 = 0x84, "add.f64", { d: Def, a: Use, b: Use };
            SubF64 = 0x85, "sub.f64", { d: Def, a: Use, b: Use };
            MulF64 = 0x86, "mul.f64", { d: Def, a: Use, b: Use };
            DivF64 = 0x87, "div.f64", { d: Def, a: Use, b: Use };
            /// `p` is an LLVM fcmp predicate number (1 = oeq ... 14 = une).
            CmpF32 = 0x88, "cmp.f32", { d: Def, a: Use, b: Use, p: U8 };
            CmpF64 = 0x89, "cmp.f64", { d: Def, a: Use, b: Use, p: U8 };
            /// `k` selects the conversion, see [`Conv`].
            Convert = 0x8A, "convert", { d: Def, s: Use, k: U8 };
            /// `k` selects the function, see [`FUnary`].
            FUnary = 0x8B, "funary", { d: Def, s: Use, k: U8 };
            /// `k` selects the function, see [`FBinary`].
            FBinary = 0x8C, "fbinary", { d: Def, a: Use, b: Use, k: U8 };

            // --- memory: address = reg a + offset, bounds-checked ---
            LoadI8S = 0x90, "load.i8.s", { d: Def, a: Use, off: I16 };
            LoadI8U = 0x91, "load.i8.u", { d: Def, a: Use, off: I16 };
            LoadI16S = 0x92, "load.i16.s", { d: Def, a: Use, off: I16 };
            LoadI16U = 0x93, "load.i16.u", { d: Def, a: Use, off: I16 };
            LoadI32 = 0x94, "load.i32", { d: Def, a: Use, off: I16 };
            LoadI64 = 0x95, "load.i64", { d: Def, a: Use, off: I16 };
            StoreI8 = 0x96, "store.i8", { s: Use, a: Use, off: I16 };
            StoreI16 = 0x97, "store.i16", { s: Use, a: Use, off: I16 };
            StoreI32 = 0x98, "store.i32", { s: Use, a: Use, off: I16 };
            StoreI64 = 0x99, "store.i64", { s: Use, a: Use, off: I16 };
            /// Indexed load: address = a + (i << shift).
            LoadIdxI32 = 0x9A, "load.idx.i32", { d: Def, a: Use, i: Use, shift: U8 };
            StoreIdxI32 = 0x9B, "store.idx.i32", { s: Use, a: Use, i: Use, shift: U8 };
            LoadI8SIdx = 0x9C, "load.idx.i8.s", { d: Def, a: Use, i: Use };
            LoadI8UIdx = 0x9D, "load.idx.i8.u", { d: Def, a: Use, i: Use };
            MemCpy = 0x9E, "memcpy", { dst: Use, src: Use, len: Use };
            MemMove = 0x9F, "memmove", { dst: Use, src: Use, len: Use };
            MemSet = 0xA0, "memset", { dst: Use, val: Use, len: Use };
            /// Dynamic stack allocation: d = new stack pointer, aligned.
            Alloca = 0xA1, "alloca", { d: Def, size: Use, align: U8 };
            StackSave = 0xA2, "stack.save", { d: Def };
            StackRestore = 0xA3, "stack.restore", { s: Use };

            // --- control flow ---
            Br = 0xB0, "br", { t: Target } jump;
            BrIf = 0xB1, "br.if", { c: Use, t: Target } branch(BrIfNot);
            BrIfNot = 0xB2, "br.ifnot", { c: Use, t: Target } branch(BrIf);
            BrEqI32 = 0xB3, "br.eq.i32", { a: Use, b: Use, t: Target } branch(BrNeI32);
            BrNeI32 = 0xB4, "br.ne.i32", { a: Use, b: Use, t: Target } branch(BrEqI32);
            BrLtSI32 = 0xB5, "br.lt.s.i32", { a: Use, b: Use, t: Target } branch(BrLeSI32, swap);
            BrLtUI32 = 0xB6, "br.lt.u.i32", { a: Use, b: Use, t: Target } branch(BrLeUI32, swap);
            BrLeSI32 = 0xB7, "br.le.s.i32", { a: Use, b: Use, t: Target } branch(BrLtSI32, swap);
            BrLeUI32 = 0xB8, "br.le.u.i32", { a: Use, b: Use, t: Target } branch(BrLtUI32, swap);
            BrEqImmI32 = 0xB9, "br.eq.i32.imm", { a: Use, v: I32, t: Target } branch(BrNeImmI32);
            BrNeImmI32 = 0xBA, "br.ne.i32.imm", { a: Use, v: I32, t: Target } branch(BrEqImmI32);
            BrLtSImmI32 = 0xBB, "br.lt.s.i32.imm", { a: Use, v: I32, t: Target } branch(BrGtSImmI32, v - 1, signed);
            BrLtUImmI32 = 0xBC, "br.lt.u.i32.imm", { a: Use, v: I32, t: Target } branch(BrGtUImmI32, v - 1, unsigned);
            BrGtSImmI32 = 0xBD, "br.gt.s.i32.imm", { a: Use, v: I32, t: Target } branch(BrLtSImmI32, v + 1, signed);
            BrGtUImmI32 = 0xBE, "br.gt.u.i32.imm", { a: Use, v: I32, t: Target } branch(BrLtUImmI32, v + 1, unsigned);
            /// Jumps to `ts[s]`, or to `default` when `s` (unsigned) is out of range.
            BrTable = 0xBF, "br.table", { s: Use, default: Target, ts: Targets } jump;

            // --- calls and returns ---
            /// Calls module function `f`; the result (if any) goes to `d`.
            Call = 0xC0, "call", { f: U16, d: Def, args: Args };
            /// Calls import `i` with the per-call-site signature `ty` (which
            /// carries the types of variadic arguments).
            CallImport = 0xC1, "call.import", { i: U16, ty: U16, d: Def, args: Args };
            /// Calls the function whose address is in `p` (module or native).
            CallIndirect = 0xC2, "call.indirect", { p: Use, ty: U16, d: Def, args: Args };
            Ret = 0xC3, "ret", { s: Use } exit;
            RetVoid = 0xC4, "ret.void", {} exit;
            Unreachable = 0xC5, "unreachable", {} exit;

            // --- loop superinstructions: d = a + v, then a fused compare-branch
            //     on d (the increment and test that close most loops) ---
            IncBrNeI32 = 0xC6, "inc.br.ne.i32", { d: Def, a: Use, v: I8, b: Use, t: Target } branch;
            IncBrLtSI32 = 0xC7, "inc.br.lt.s.i32", { d: Def, a: Use, v: I8, b: Use, t: Target } branch;
            IncBrLtUI32 = 0xC8, "inc.br.lt.u.i32", { d: Def, a: Use, v: I8, b: Use, t: Target } branch;
            IncBrNeImmI32 = 0xC9, "inc.br.ne.i32.imm", { d: Def, a: Use, v: I8, w: I32, t: Target } branch;
            IncBrLtSImmI32 = 0xCA, "inc.br.lt.s.i32.imm", { d: Def, a: Use, v: I8, w: I32, t: Target } branch;
            IncBrLtUImmI32 = 0xCB, "inc.br.lt.u.i32.imm", { d: Def, a: Use, v: I8, w: I32, t: Target } branch;
            /// d = a + b; branch if d <s c (strided loops).
            AddBrLtSI32 = 0xCC, "add.br.lt.s.i32", { d: Def, a: Use, b: Use, c: Use, t: Target } branch;
            AddBrLtUI32 = 0xCD, "add.br.lt.u.i32", { d: Def, a: Use, b: Use, c: Use, t: Target } branch;
            /// Indexed byte store: address = a + i.
            StoreI8Idx = 0xCE, "store.idx.i8", { s: Use, a: Use, i: Use };
            /// Indexed 16-bit loads and store: address = a + (i << 1).
            LoadI16SIdx = 0xCF, "load.idx.i16.s", { d: Def, a: Use, i: Use };
            LoadI16UIdx = 0xD0, "load.idx.i16.u", { d: Def, a: Use, i: Use };
            StoreI16Idx = 0xD1, "store.idx.i16", { s: Use, a: Use, i: Use };
            /// Indexed 64-bit load and store (i64 and double arrays):
            /// address = a + (i << shift).
            LoadIdxI64 = 0xE0, "load.idx.i64", { d: Def, a: Use, i: Use, shift: U8 };
            StoreIdxI64 = 0xE1, "store.idx.i64", { s: Use, a: Use, i: Use, shift: U8 };
            /// d = a * b + c (32-bit, wrapping): a multiply and the add that
            /// consumes it (dot products, matrix and filter loops).
            MulAddI32 = 0xE2, "muladd.i32", { d: Def, a: Use, b: Use, c: Use };
            /// d = a * b + c, rounded after the multiply and after the add
            /// (not a fused multiply-add: the same bits as the two instructions).
            MulAddF32 = 0xE3, "muladd.f32", { d: Def, a: Use, b: Use, c: Use };
            MulAddF64 = 0xE4, "muladd.f64", { d: Def, a: Use, b: Use, c: Use };
            /// d = c + a * b, rounded likewise: the add's operands in the
            /// other order (NaN payloads can follow the order).
            AddMulF32 = 0xE5, "addmul.f32", { d: Def, a: Use, b: Use, c: Use };
            AddMulF64 = 0xE6, "addmul.f64", { d: Def, a: Use, b: Use, c: Use };
            /// d = a * v + c (32-bit, wrapping): scaled indices, filter taps.
            MulImmAddI32 = 0xE7, "muladd.i32.imm", { d: Def, a: Use, v: I32, c: Use };
            /// d = (a << v) + c (32-bit, the shift masked to 31): addresses
            /// of array elements used more than once.
            ShlAddI32 = 0xE8, "shladd.i32", { d: Def, a: Use, v: U8, c: Use };
            /// d = a % b (32-bit, unsigned), then branch if d == 0 (`eqz`) or
            /// d != 0 (`nez`): the divisibility test of trial-division loops.
            /// Traps as `rem.u.i32` does, before the branch.
            RemUBrEqzI32 = 0xF0, "remu.br.eqz.i32", { d: Def, a: Use, b: Use, t: Target } branch;
            RemUBrNezI32 = 0xF1, "remu.br.nez.i32", { d: Def, a: Use, b: Use, t: Target } branch;
            /// d = load.i32(a + off) * b + c (32-bit, wrapping): a loaded
            /// element multiplied into an accumulator (matrix and dot-product
            /// loops). Traps as `load.i32` does.
            LoadMulAddI32 = 0xF2, "load.muladd.i32", { d: Def, a: Use, off: I16, b: Use, c: Use };
            /// d = s, then jump: the copy on a loop's back edge and its branch.
            MovBr = 0xD2, "mov.br", { d: Def, s: Use, t: Target } jump;

            // --- 64-bit multiply high (overflow checks of i64 multiplies) ---
            /// d = high 64 bits of the signed 128-bit product a * b.
            MulHSI64 = 0xD3, "mulh.s.i64", { d: Def, a: Use, b: Use };
            /// d = high 64 bits of the unsigned 128-bit product a * b.
            MulHUI64 = 0xD4, "mulh.u.i64", { d: Def, a: Use, b: Use };

            // --- short forms: the same operations with narrower immediates,
            //     chosen by the translator when the value fits (smaller files) ---
            DataAddr16 = 0xD5, "data.addr16", { d: Def, off: U16 };
            StackAddr16 = 0xD6, "stack.addr16", { d: Def, off: U16 };
            /// d = v sign-extended to 64 bits.
            ConstI64S = 0xD7, "const.i64.i8", { d: Def, v: I8 };
            BrEqImm8I32 = 0xD8, "br.eq.i32.imm8", { a: Use, v: I8, t: Target } branch(BrNeImm8I32);
            BrNeImm8I32 = 0xD9, "br.ne.i32.imm8", { a: Use, v: I8, t: Target } branch(BrEqImm8I32);
            EqImm8I32 = 0xDA, "eq.i32.imm8", { d: Def, a: Use, v: I8 };
            IncBrNeImm8I32 = 0xDB, "inc.br.ne.i32.imm8", { d: Def, a: Use, v: I8, w: I8, t: Target } branch;

            // --- spill moves: a function may have more registers than the
            //     256-slot window one-byte operands reach; these two copy
            //     between the window and any register of the frame ---
            /// d = s, `s` any register of the frame (a spilled value's reload).
            MovLX = 0xDC, "mov.lx", { d: Def, s: Use16 };
            /// d = s, `d` any register of the frame (a spilled value's store).
            MovXL = 0xDD, "mov.xl", { d: Def16, s: Use };

            // --- binary128 (`long double` on riscv32), in software ---
            /// (dlo, dhi) = `k` (see [`F128Op`]) of the binary128 values
            /// (alo, ahi) and (blo, bhi), low word first. A scalar operand is
            /// `alo`, a scalar result `dlo` (with `dhi` = 0).
            F128 = 0xE9, "f128", { dlo: Def, dhi: Def, alo: Use, ahi: Use, blo: Use, bhi: Use, k: U8 };
            /// `_Complex long double` multiplication or division (`k`, see
            /// [`ComplexF128Op`]) as [`Opcode::Complex`] does them: the four
            /// binary128 values a, b, c, d at address `src` (64 bytes), the
            /// result's real and imaginary parts written at `dst` (32 bytes).
            ComplexF128 = 0xEA, "complex.f128", { dst: Use, src: Use, k: U8 };
        }
    };
}

macro_rules! flow_of {
    () => {
        Flow::Next
    };
    (branch $($inv:tt)*) => {
        Flow::Branch
    };
    (jump) => {
        Flow::Jump
    };
    (exit) => {
        Flow::Exit
    };
}

macro_rules! inverse_of {
    () => {
        None
    };
    (jump) => {
        None
    };
    (exit) => {
        None
    };
    (branch) => {
        None
    };
    (branch($inv:ident)) => {
        Some(Inverse { op: Opcode::$inv, operands: InverseOperands::Same })
    };
    (branch($inv:ident, swap)) => {
        Some(Inverse { op: Opcode::$inv, operands: InverseOperands::Swap })
    };
    (branch($inv:ident, $v:ident - 1, $sign:ident)) => {
        Some(Inverse {
            op: Opcode::$inv,
            operands: InverseOperands::Step { name: stringify!($v), delta: -1, signed: signed!($sign) },
        })
    };
    (branch($inv:ident, $v:ident + 1, $sign:ident)) => {
        Some(Inverse {
            op: Opcode::$inv,
            operands: InverseOperands::Step { name: stringify!($v), delta: 1, signed: signed!($sign) },
        })
    };
}

macro_rules! signed {
    (signed) => {
        true
    };
    (unsigned) => {
        false
    };
}

macro_rules! gen_opcodes {
    ($( $(#[$doc:meta])* $name:ident = $byte:literal, $mn:literal, { $($f:ident : $k:ident),* $(,)? } $($flow:ident $(($($fa:tt)*))?)?; )*) => {
        /// Every instruction's opcode byte.
        #[repr(u8)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Opcode {
            $( $(#[$doc])* $name = $byte, )*
        }

        const OPCODE_BY_BYTE: [Option<Opcode>; 256] = {
            let mut t = [None; 256];
            $( t[$byte as usize] = Some(Opcode::$name); )*
            t
        };

        impl Opcode {
            /// Every opcode, in table order.
            pub const ALL: &'static [Opcode] = &[ $(Opcode::$name,)* ];

            /// The opcode for a byte, `None` for a byte no instruction uses.
            #[inline(always)]
            pub const fn from_u8(b: u8) -> Option<Opcode> {
                OPCODE_BY_BYTE[b as usize]
            }

            /// The opcode for a byte known to be one.
            ///
            /// # Safety
            /// `b` must be the byte of an opcode (`from_u8(b)` is `Some`),
            /// as every instruction start of verified code is.
            #[inline(always)]
            pub const unsafe fn from_u8_unchecked(b: u8) -> Opcode {
                debug_assert!(Opcode::from_u8(b).is_some(), "unverified code");
                // SAFETY: `Opcode` is `repr(u8)` and the caller vouches `b`
                // is one of its values.
                unsafe { core::mem::transmute::<u8, Opcode>(b) }
            }

            /// The assembler name shown by the disassembler.
            pub const fn mnemonic(self) -> &'static str {
                match self { $(Opcode::$name => $mn,)* }
            }

            /// The operands in encoding order: (name, kind).
            pub const fn operands(self) -> &'static [(&'static str, OperandKind)] {
                match self { $(Opcode::$name => &[ $((stringify!($f), OperandKind::$k),)* ],)* }
            }

            /// How the instruction changes control flow.
            pub const fn flow(self) -> Flow {
                match self { $(Opcode::$name => flow_of!($($flow $(($($fa)*))?)?),)* }
            }

            /// For a conditional branch: the branch taken exactly when it is not.
            pub const fn inverse(self) -> Option<Inverse> {
                match self { $(Opcode::$name => inverse_of!($($flow $(($($fa)*))?)?),)* }
            }
        }

        /// One decoded instruction. List operands borrow the code they sit in.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(clippy::enum_variant_names)]
        pub enum Instr<'a> {
            $( $(#[$doc])* $name { $($f: <kind::$k as Kind>::Value<'a>,)* }, )*
            #[doc(hidden)]
            _Lifetime(core::marker::PhantomData<&'a ()>),
        }

        impl<'a> Instr<'a> {
            /// The instruction's opcode.
            pub fn opcode(&self) -> Opcode {
                match self {
                    $( Instr::$name { .. } => Opcode::$name, )*
                    Instr::_Lifetime(_) => Opcode::Nop,
                }
            }

            /// Decodes the instruction at `pc`; returns it and the offset of
            /// the next one. `None`: unknown opcode or truncated operands.
            pub fn decode(code: &'a [u8], pc: usize) -> Option<(Instr<'a>, usize)> {
                let op = Opcode::from_u8(*code.get(pc)?)?;
                let mut src = Checked::new(code, pc + 1);
                let i = match op {
                    $( Opcode::$name => {
                        $( let $f = <kind::$k as Kind>::read(&mut src)?; )*
                        Instr::$name { $($f,)* }
                    } )*
                };
                Some((i, src.position()))
            }

            /// Appends the encoding of this instruction.
            pub fn encode(&self, out: &mut alloc::vec::Vec<u8>) {
                match *self {
                    $( Instr::$name { $($f,)* } => {
                        out.push($byte);
                        $( <kind::$k as Kind>::write($f, out); )*
                    } )*
                    Instr::_Lifetime(_) => {}
                }
            }
        }

        /// Per-opcode operand readers for the interpreter's hot path: each
        /// reads the operands of the predecoded ([`aligned`]) instruction
        /// at `ip` through
        /// [`Trusted`] and returns them with the address of the next
        /// instruction.
        ///
        /// # Safety
        /// `ip` must point at the start of an instruction with the function's
        /// opcode, in the predecoded form of a function body that
        /// [`crate::verify::verify`] accepted, which ends at `end` and lives for `'a` (see [`Trusted::new`]). (This is
        /// every function's `# Safety` section.)
        #[allow(non_snake_case, unused_mut, unused_variables, clippy::unused_unit, clippy::needless_lifetimes, clippy::extra_unused_lifetimes, clippy::missing_safety_doc)]
        pub mod verified {
            use super::*;
            $(
                #[inline(always)]
                pub unsafe fn $name<'a>(ip: *const u8, end: *const u8) -> (($(<kind::$k as TrustedKind>::Value<'a>,)*), *const u8) {
                    // SAFETY: the caller's contract is `Trusted::new`'s.
                    let mut src = unsafe { Trusted::new(ip, end) };
                    $( let $f = <kind::$k as TrustedKind>::read_trusted(&mut src); )*
                    (($($f,)*), src.position())
                }
            )*
        }
    };
}

for_each_op!(gen_opcodes);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn bytes_are_unique_and_round_trip() {
        let mut seen = [false; 256];
        for &op in Opcode::ALL {
            assert!(!seen[op as usize], "byte {:#x} used twice", op as u8);
            seen[op as usize] = true;
            assert_eq!(Opcode::from_u8(op as u8), Some(op));
        }
    }

    #[test]
    fn encode_decode_round_trip() {
        let args = [1u8, 2, 3];
        let ts = encode_targets(&[4, 9]);
        let instrs = [
            Instr::AddI32 { d: 1, a: 2, b: 3 },
            Instr::ConstI64 { d: 4, v: -5 },
            Instr::Call { f: 7, d: 0, args: Regs(&args) },
            Instr::BrTable { s: 2, default: 11, ts: Targets(&ts) },
            Instr::LoadI32 { d: 1, a: 2, off: -8 },
        ];
        let mut code = Vec::new();
        for i in &instrs {
            i.encode(&mut code);
        }
        let mut pc = 0;
        for i in &instrs {
            let (got, next) = Instr::decode(&code, pc).expect("decodes");
            assert_eq!(&got, i);
            pc = next;
        }
        assert_eq!(pc, code.len());
        assert!(Instr::decode(&code[..code.len() - 1], pc - 3).is_none());
    }

    #[test]
    fn only_branches_and_jumps_have_targets() {
        for &op in Opcode::ALL {
            let has_target = op.operands().iter().any(|(_, k)| matches!(k, OperandKind::Target | OperandKind::Targets));
            assert_eq!(has_target, matches!(op.flow(), Flow::Branch | Flow::Jump), "{op:?}");
        }
    }

    /// Each inverse is a conditional branch of the same operand layout
    /// whose own inverse leads back, and its operand rewrite fits it.
    #[test]
    fn inverses_pair_up() {
        for &op in Opcode::ALL {
            let Some(inv) = op.inverse() else { continue };
            assert_eq!(op.flow(), Flow::Branch, "{op:?}");
            let kinds = |o: Opcode| o.operands().iter().map(|&(_, k)| k).collect::<Vec<_>>();
            assert_eq!(kinds(op), kinds(inv.op), "{op:?}");
            let back = inv.op.inverse().expect("the inverse has an inverse");
            assert_eq!(back.op, op, "{op:?}");
            match inv.operands {
                InverseOperands::Same => assert_eq!(back.operands, InverseOperands::Same),
                InverseOperands::Swap => {
                    assert_eq!(back.operands, InverseOperands::Swap);
                    assert_eq!(kinds(op).iter().filter(|&&k| k == OperandKind::Use).count(), 2, "{op:?}");
                }
                InverseOperands::Step { name, delta, signed } => {
                    assert_eq!(back.operands, InverseOperands::Step { name, delta: -delta, signed }, "{op:?}");
                    assert!(op.operands().iter().any(|&(n, k)| n == name && k.is_imm()), "{op:?}: no immediate {name}");
                }
            }
        }
    }

    #[test]
    fn steps_stop_at_the_ends_of_the_range() {
        let step = |delta, signed| InverseOperands::Step { name: "v", delta, signed };
        assert_eq!(step(-1, true).step(5), Some(4));
        assert_eq!(step(-1, true).step(i64::from(i32::MIN)), None);
        assert_eq!(step(1, true).step(i64::from(i32::MAX)), None);
        assert_eq!(step(1, true).step(-1), Some(0));
        assert_eq!(step(-1, false).step(0), None);
        // Unsigned values are held sign-extended from their 32 bits.
        assert_eq!(step(-1, false).step(i64::from(i32::MIN)), Some(i64::from(i32::MAX)));
        assert_eq!(step(1, false).step(-1), None);
        assert_eq!(step(1, false).step(i64::from(i32::MAX)), Some(i64::from(i32::MIN)));
    }
}
