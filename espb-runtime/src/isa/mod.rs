//! The opcode table: the single source of truth for every instruction.
//!
//! `for_each_op!` lists each instruction once: its name, its byte, its
//! mnemonic and its operands. Everything else is generated from that list:
//! the [`Opcode`] enum, the operand layouts, the [`Instr`] enum used by the
//! encoder, verifier and disassembler, and the `decode` module of per-opcode
//! readers the interpreter uses on its hot path. Adding an instruction means
//! adding one line here (with a new, never reused byte) and one arm in the
//! interpreter.
//!
//! Encoding: one opcode byte, then the operands in the order listed, each
//! little-endian and unaligned:
//!
//! | kind     | bytes        | meaning                                         |
//! |----------|--------------|-------------------------------------------------|
//! | `Reg`    | 1            | register of the current frame (< `num_regs`)    |
//! | `U8`     | 1            | small unsigned immediate (alignment, predicate) |
//! | `I8`     | 1            | small signed immediate                          |
//! | `I16`    | 2            | signed immediate (load/store offsets)           |
//! | `U16`    | 2            | index: function, import, type                   |
//! | `I32`    | 4            | signed immediate                                |
//! | `U32`    | 4            | unsigned immediate (data/stack offsets)         |
//! | `I64`    | 8            | 64-bit immediate                                |
//! | `Target` | 2            | absolute byte offset of an instruction in the   |
//! |          |              | same function body                              |
//! | `Regs`   | 1 + n        | count n, then n registers (call arguments)      |
//! | `Targets`| 2 + 2n       | count n, then n targets (branch tables)         |
//!
//! Registers are untyped 64-bit slots; the opcode says how the bits are read.
//! 32-bit results are stored zero-extended. Pointers are 32-bit values.

pub mod operand;
pub mod select;

pub use select::{Conv, FBinary, FUnary};

/// Operand kinds, as listed in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandKind {
    Reg,
    U8,
    I8,
    I16,
    U16,
    I32,
    U32,
    I64,
    Target,
    Regs,
    Targets,
}

impl OperandKind {
    /// Encoded size in bytes for fixed-size kinds, `None` for lists.
    pub const fn fixed_size(self) -> Option<usize> {
        match self {
            OperandKind::Reg | OperandKind::U8 | OperandKind::I8 => Some(1),
            OperandKind::I16 | OperandKind::U16 | OperandKind::Target => Some(2),
            OperandKind::I32 | OperandKind::U32 => Some(4),
            OperandKind::I64 => Some(8),
            OperandKind::Regs | OperandKind::Targets => None,
        }
    }
}

/// A list of registers as it sits in the code: one byte per register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Regs<'a>(pub &'a [u8]);

impl<'a> Regs<'a> {
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = u8> + 'a {
        self.0.iter().copied()
    }
}

/// A list of branch targets as it sits in the code: two bytes LE per target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets<'a>(pub &'a [u8]);

impl<'a> Targets<'a> {
    pub fn len(&self) -> usize {
        self.0.len() / 2
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<u16> {
        let b = self.0.get(i * 2..i * 2 + 2)?;
        Some(u16::from_le_bytes([b[0], b[1]]))
    }
    pub fn iter(&self) -> impl Iterator<Item = u16> + 'a {
        self.0.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]))
    }
}

/// Encodes a list of targets for [`Targets`]: the caller keeps the buffer.
pub fn encode_targets(targets: &[u16]) -> alloc::vec::Vec<u8> {
    targets.iter().flat_map(|t| t.to_le_bytes()).collect()
}

/// The table. Each line: `Name = byte, "mnemonic", { operand: Kind, ... };`
/// Bytes are part of the file format: never renumber or reuse one.
#[macro_export]
macro_rules! for_each_op {
    ($m:ident) => {
        $m! {
            // --- moves and constants ---
            Nop = 0x00, "nop", {};
            Mov = 0x01, "mov", { d: Reg, s: Reg };
            ConstI32 = 0x02, "const.i32", { d: Reg, v: I32 };
            ConstI8 = 0x03, "const.i8", { d: Reg, v: I8 };
            ConstI64 = 0x04, "const.i64", { d: Reg, v: I64 };
            DataAddr = 0x05, "data.addr", { d: Reg, off: U32 };
            FuncAddr = 0x06, "func.addr", { d: Reg, f: U16 };
            ImportAddr = 0x07, "import.addr", { d: Reg, i: U16 };
            StackAddr = 0x08, "stack.addr", { d: Reg, off: U32 };
            Select = 0x09, "select", { d: Reg, c: Reg, a: Reg, b: Reg };
            Mov2 = 0x0A, "mov2", { d0: Reg, s0: Reg, d1: Reg, s1: Reg };

            // --- i32 arithmetic, register operands ---
            AddI32 = 0x10, "add.i32", { d: Reg, a: Reg, b: Reg };
            SubI32 = 0x11, "sub.i32", { d: Reg, a: Reg, b: Reg };
            MulI32 = 0x12, "mul.i32", { d: Reg, a: Reg, b: Reg };
            DivSI32 = 0x13, "div.s.i32", { d: Reg, a: Reg, b: Reg };
            DivUI32 = 0x14, "div.u.i32", { d: Reg, a: Reg, b: Reg };
            RemSI32 = 0x15, "rem.s.i32", { d: Reg, a: Reg, b: Reg };
            RemUI32 = 0x16, "rem.u.i32", { d: Reg, a: Reg, b: Reg };
            AndI32 = 0x17, "and.i32", { d: Reg, a: Reg, b: Reg };
            OrI32 = 0x18, "or.i32", { d: Reg, a: Reg, b: Reg };
            XorI32 = 0x19, "xor.i32", { d: Reg, a: Reg, b: Reg };
            ShlI32 = 0x1A, "shl.i32", { d: Reg, a: Reg, b: Reg };
            ShrSI32 = 0x1B, "shr.s.i32", { d: Reg, a: Reg, b: Reg };
            ShrUI32 = 0x1C, "shr.u.i32", { d: Reg, a: Reg, b: Reg };
            RotlI32 = 0x1D, "rotl.i32", { d: Reg, a: Reg, b: Reg };
            RotrI32 = 0x1E, "rotr.i32", { d: Reg, a: Reg, b: Reg };

            // --- i32 arithmetic with an immediate right operand ---
            AddImmI32 = 0x20, "add.i32.imm", { d: Reg, a: Reg, v: I32 };
            MulImmI32 = 0x21, "mul.i32.imm", { d: Reg, a: Reg, v: I32 };
            AndImmI32 = 0x22, "and.i32.imm", { d: Reg, a: Reg, v: I32 };
            OrImmI32 = 0x23, "or.i32.imm", { d: Reg, a: Reg, v: I32 };
            XorImmI32 = 0x24, "xor.i32.imm", { d: Reg, a: Reg, v: I32 };
            ShlImmI32 = 0x25, "shl.i32.imm", { d: Reg, a: Reg, v: U8 };
            ShrSImmI32 = 0x26, "shr.s.i32.imm", { d: Reg, a: Reg, v: U8 };
            ShrUImmI32 = 0x27, "shr.u.i32.imm", { d: Reg, a: Reg, v: U8 };
            AddImm8I32 = 0x28, "add.i32.imm8", { d: Reg, a: Reg, v: I8 };
            SubFromImmI32 = 0x29, "subfrom.i32.imm", { d: Reg, a: Reg, v: I32 };

            // --- i32 comparisons: d = (a op b) as 0/1 ---
            EqI32 = 0x30, "eq.i32", { d: Reg, a: Reg, b: Reg };
            NeI32 = 0x31, "ne.i32", { d: Reg, a: Reg, b: Reg };
            LtSI32 = 0x32, "lt.s.i32", { d: Reg, a: Reg, b: Reg };
            LtUI32 = 0x33, "lt.u.i32", { d: Reg, a: Reg, b: Reg };
            LeSI32 = 0x34, "le.s.i32", { d: Reg, a: Reg, b: Reg };
            LeUI32 = 0x35, "le.u.i32", { d: Reg, a: Reg, b: Reg };
            EqImmI32 = 0x36, "eq.i32.imm", { d: Reg, a: Reg, v: I32 };
            NeImmI32 = 0x37, "ne.i32.imm", { d: Reg, a: Reg, v: I32 };
            LtSImmI32 = 0x38, "lt.s.i32.imm", { d: Reg, a: Reg, v: I32 };
            LtUImmI32 = 0x39, "lt.u.i32.imm", { d: Reg, a: Reg, v: I32 };
            GtSImmI32 = 0x3A, "gt.s.i32.imm", { d: Reg, a: Reg, v: I32 };
            GtUImmI32 = 0x3B, "gt.u.i32.imm", { d: Reg, a: Reg, v: I32 };

            // --- i64 arithmetic ---
            AddI64 = 0x40, "add.i64", { d: Reg, a: Reg, b: Reg };
            SubI64 = 0x41, "sub.i64", { d: Reg, a: Reg, b: Reg };
            MulI64 = 0x42, "mul.i64", { d: Reg, a: Reg, b: Reg };
            DivSI64 = 0x43, "div.s.i64", { d: Reg, a: Reg, b: Reg };
            DivUI64 = 0x44, "div.u.i64", { d: Reg, a: Reg, b: Reg };
            RemSI64 = 0x45, "rem.s.i64", { d: Reg, a: Reg, b: Reg };
            RemUI64 = 0x46, "rem.u.i64", { d: Reg, a: Reg, b: Reg };
            AndI64 = 0x47, "and.i64", { d: Reg, a: Reg, b: Reg };
            OrI64 = 0x48, "or.i64", { d: Reg, a: Reg, b: Reg };
            XorI64 = 0x49, "xor.i64", { d: Reg, a: Reg, b: Reg };
            ShlI64 = 0x4A, "shl.i64", { d: Reg, a: Reg, b: Reg };
            ShrSI64 = 0x4B, "shr.s.i64", { d: Reg, a: Reg, b: Reg };
            ShrUI64 = 0x4C, "shr.u.i64", { d: Reg, a: Reg, b: Reg };
            RotlI64 = 0x4D, "rotl.i64", { d: Reg, a: Reg, b: Reg };
            RotrI64 = 0x4E, "rotr.i64", { d: Reg, a: Reg, b: Reg };
            AddImmI64 = 0x4F, "add.i64.imm", { d: Reg, a: Reg, v: I32 };

            // --- i64 comparisons: d = (a op b) as 0/1 (an i32) ---
            EqI64 = 0x50, "eq.i64", { d: Reg, a: Reg, b: Reg };
            NeI64 = 0x51, "ne.i64", { d: Reg, a: Reg, b: Reg };
            LtSI64 = 0x52, "lt.s.i64", { d: Reg, a: Reg, b: Reg };
            LtUI64 = 0x53, "lt.u.i64", { d: Reg, a: Reg, b: Reg };
            LeSI64 = 0x54, "le.s.i64", { d: Reg, a: Reg, b: Reg };
            LeUI64 = 0x55, "le.u.i64", { d: Reg, a: Reg, b: Reg };
            ShlImmI64 = 0x56, "shl.i64.imm", { d: Reg, a: Reg, v: U8 };
            ShrSImmI64 = 0x57, "shr.s.i64.imm", { d: Reg, a: Reg, v: U8 };
            ShrUImmI64 = 0x58, "shr.u.i64.imm", { d: Reg, a: Reg, v: U8 };
            AndImmI64 = 0x59, "and.i64.imm", { d: Reg, a: Reg, v: I32 };

            // --- integer unary ops and width changes ---
            ClzI32 = 0x60, "clz.i32", { d: Reg, s: Reg };
            CtzI32 = 0x61, "ctz.i32", { d: Reg, s: Reg };
            PopcntI32 = 0x62, "popcnt.i32", { d: Reg, s: Reg };
            BswapI32 = 0x63, "bswap.i32", { d: Reg, s: Reg };
            ClzI64 = 0x64, "clz.i64", { d: Reg, s: Reg };
            CtzI64 = 0x65, "ctz.i64", { d: Reg, s: Reg };
            PopcntI64 = 0x66, "popcnt.i64", { d: Reg, s: Reg };
            BswapI64 = 0x67, "bswap.i64", { d: Reg, s: Reg };
            Sext8I32 = 0x68, "sext8.i32", { d: Reg, s: Reg };
            Sext16I32 = 0x69, "sext16.i32", { d: Reg, s: Reg };
            Zext8I32 = 0x6A, "zext8.i32", { d: Reg, s: Reg };
            Zext16I32 = 0x6B, "zext16.i32", { d: Reg, s: Reg };
            SextI32I64 = 0x6C, "sext.i32.i64", { d: Reg, s: Reg };
            ZextI32I64 = 0x6D, "zext.i32.i64", { d: Reg, s: Reg };
            WrapI64I32 = 0x6E, "wrap.i64.i32", { d: Reg, s: Reg };
            Sext8I64 = 0x6F, "sext8.i64", { d: Reg, s: Reg };
            Sext16I64 = 0x70, "sext16.i64", { d: Reg, s: Reg };
            MinSI32 = 0x71, "min.s.i32", { d: Reg, a: Reg, b: Reg };
            MaxSI32 = 0x72, "max.s.i32", { d: Reg, a: Reg, b: Reg };
            MinUI32 = 0x73, "min.u.i32", { d: Reg, a: Reg, b: Reg };
            MaxUI32 = 0x74, "max.u.i32", { d: Reg, a: Reg, b: Reg };
            AbsI32 = 0x75, "abs.i32", { d: Reg, s: Reg };
            MinSI64 = 0x76, "min.s.i64", { d: Reg, a: Reg, b: Reg };
            MaxSI64 = 0x77, "max.s.i64", { d: Reg, a: Reg, b: Reg };
            MinUI64 = 0x78, "min.u.i64", { d: Reg, a: Reg, b: Reg };
            MaxUI64 = 0x79, "max.u.i64", { d: Reg, a: Reg, b: Reg };
            AbsI64 = 0x7A, "abs.i64", { d: Reg, s: Reg };
            MulHSI32 = 0x7B, "mulh.s.i32", { d: Reg, a: Reg, b: Reg };
            MulHUI32 = 0x7C, "mulh.u.i32", { d: Reg, a: Reg, b: Reg };

            // --- floating point: f32 in the low 32 bits, f64 in all 64 ---
            AddF32 = 0x80, "add.f32", { d: Reg, a: Reg, b: Reg };
            SubF32 = 0x81, "sub.f32", { d: Reg, a: Reg, b: Reg };
            MulF32 = 0x82, "mul.f32", { d: Reg, a: Reg, b: Reg };
            DivF32 = 0x83, "div.f32", { d: Reg, a: Reg, b: Reg };
            AddF64 = 0x84, "add.f64", { d: Reg, a: Reg, b: Reg };
            SubF64 = 0x85, "sub.f64", { d: Reg, a: Reg, b: Reg };
            MulF64 = 0x86, "mul.f64", { d: Reg, a: Reg, b: Reg };
            DivF64 = 0x87, "div.f64", { d: Reg, a: Reg, b: Reg };
            /// `p` is an LLVM fcmp predicate number (1 = oeq ... 14 = une).
            CmpF32 = 0x88, "cmp.f32", { d: Reg, a: Reg, b: Reg, p: U8 };
            CmpF64 = 0x89, "cmp.f64", { d: Reg, a: Reg, b: Reg, p: U8 };
            /// `k` selects the conversion, see [`Conv`].
            Convert = 0x8A, "convert", { d: Reg, s: Reg, k: U8 };
            /// `k` selects the function, see [`FUnary`].
            FUnary = 0x8B, "funary", { d: Reg, s: Reg, k: U8 };
            /// `k` selects the function, see [`FBinary`].
            FBinary = 0x8C, "fbinary", { d: Reg, a: Reg, b: Reg, k: U8 };

            // --- memory: address = reg a + offset, bounds-checked ---
            LoadI8S = 0x90, "load.i8.s", { d: Reg, a: Reg, off: I16 };
            LoadI8U = 0x91, "load.i8.u", { d: Reg, a: Reg, off: I16 };
            LoadI16S = 0x92, "load.i16.s", { d: Reg, a: Reg, off: I16 };
            LoadI16U = 0x93, "load.i16.u", { d: Reg, a: Reg, off: I16 };
            LoadI32 = 0x94, "load.i32", { d: Reg, a: Reg, off: I16 };
            LoadI64 = 0x95, "load.i64", { d: Reg, a: Reg, off: I16 };
            StoreI8 = 0x96, "store.i8", { s: Reg, a: Reg, off: I16 };
            StoreI16 = 0x97, "store.i16", { s: Reg, a: Reg, off: I16 };
            StoreI32 = 0x98, "store.i32", { s: Reg, a: Reg, off: I16 };
            StoreI64 = 0x99, "store.i64", { s: Reg, a: Reg, off: I16 };
            /// Indexed load: address = a + (i << shift).
            LoadIdxI32 = 0x9A, "load.idx.i32", { d: Reg, a: Reg, i: Reg, shift: U8 };
            StoreIdxI32 = 0x9B, "store.idx.i32", { s: Reg, a: Reg, i: Reg, shift: U8 };
            LoadI8SIdx = 0x9C, "load.idx.i8.s", { d: Reg, a: Reg, i: Reg };
            LoadI8UIdx = 0x9D, "load.idx.i8.u", { d: Reg, a: Reg, i: Reg };
            MemCpy = 0x9E, "memcpy", { dst: Reg, src: Reg, len: Reg };
            MemMove = 0x9F, "memmove", { dst: Reg, src: Reg, len: Reg };
            MemSet = 0xA0, "memset", { dst: Reg, val: Reg, len: Reg };
            /// Dynamic stack allocation: d = new stack pointer, aligned.
            Alloca = 0xA1, "alloca", { d: Reg, size: Reg, align: U8 };
            StackSave = 0xA2, "stack.save", { d: Reg };
            StackRestore = 0xA3, "stack.restore", { s: Reg };

            // --- control flow ---
            Br = 0xB0, "br", { t: Target };
            BrIf = 0xB1, "br.if", { c: Reg, t: Target };
            BrIfNot = 0xB2, "br.ifnot", { c: Reg, t: Target };
            BrEqI32 = 0xB3, "br.eq.i32", { a: Reg, b: Reg, t: Target };
            BrNeI32 = 0xB4, "br.ne.i32", { a: Reg, b: Reg, t: Target };
            BrLtSI32 = 0xB5, "br.lt.s.i32", { a: Reg, b: Reg, t: Target };
            BrLtUI32 = 0xB6, "br.lt.u.i32", { a: Reg, b: Reg, t: Target };
            BrLeSI32 = 0xB7, "br.le.s.i32", { a: Reg, b: Reg, t: Target };
            BrLeUI32 = 0xB8, "br.le.u.i32", { a: Reg, b: Reg, t: Target };
            BrEqImmI32 = 0xB9, "br.eq.i32.imm", { a: Reg, v: I32, t: Target };
            BrNeImmI32 = 0xBA, "br.ne.i32.imm", { a: Reg, v: I32, t: Target };
            BrLtSImmI32 = 0xBB, "br.lt.s.i32.imm", { a: Reg, v: I32, t: Target };
            BrLtUImmI32 = 0xBC, "br.lt.u.i32.imm", { a: Reg, v: I32, t: Target };
            BrGtSImmI32 = 0xBD, "br.gt.s.i32.imm", { a: Reg, v: I32, t: Target };
            BrGtUImmI32 = 0xBE, "br.gt.u.i32.imm", { a: Reg, v: I32, t: Target };
            /// Jumps to `ts[s]`, or to `default` when `s` (unsigned) is out of range.
            BrTable = 0xBF, "br.table", { s: Reg, default: Target, ts: Targets };

            // --- calls and returns ---
            /// Calls module function `f`; the result (if any) goes to `d`.
            Call = 0xC0, "call", { f: U16, d: Reg, args: Regs };
            /// Calls import `i` with the per-call-site signature `ty` (which
            /// carries the types of variadic arguments).
            CallImport = 0xC1, "call.import", { i: U16, ty: U16, d: Reg, args: Regs };
            /// Calls the function whose address is in `p` (module or native).
            CallIndirect = 0xC2, "call.indirect", { p: Reg, ty: U16, d: Reg, args: Regs };
            Ret = 0xC3, "ret", { s: Reg };
            RetVoid = 0xC4, "ret.void", {};
            Unreachable = 0xC5, "unreachable", {};

            // --- loop superinstructions: d = a + v, then a fused compare-branch
            //     on d (the increment and test that close most loops) ---
            IncBrNeI32 = 0xC6, "inc.br.ne.i32", { d: Reg, a: Reg, v: I8, b: Reg, t: Target };
            IncBrLtSI32 = 0xC7, "inc.br.lt.s.i32", { d: Reg, a: Reg, v: I8, b: Reg, t: Target };
            IncBrLtUI32 = 0xC8, "inc.br.lt.u.i32", { d: Reg, a: Reg, v: I8, b: Reg, t: Target };
            IncBrNeImmI32 = 0xC9, "inc.br.ne.i32.imm", { d: Reg, a: Reg, v: I8, w: I32, t: Target };
            IncBrLtSImmI32 = 0xCA, "inc.br.lt.s.i32.imm", { d: Reg, a: Reg, v: I8, w: I32, t: Target };
            IncBrLtUImmI32 = 0xCB, "inc.br.lt.u.i32.imm", { d: Reg, a: Reg, v: I8, w: I32, t: Target };
            /// d = a + b; branch if d <s c (strided loops).
            AddBrLtSI32 = 0xCC, "add.br.lt.s.i32", { d: Reg, a: Reg, b: Reg, c: Reg, t: Target };
            AddBrLtUI32 = 0xCD, "add.br.lt.u.i32", { d: Reg, a: Reg, b: Reg, c: Reg, t: Target };
            /// Indexed byte store: address = a + i.
            StoreI8Idx = 0xCE, "store.idx.i8", { s: Reg, a: Reg, i: Reg };
            /// Indexed 16-bit loads and store: address = a + (i << 1).
            LoadI16SIdx = 0xCF, "load.idx.i16.s", { d: Reg, a: Reg, i: Reg };
            LoadI16UIdx = 0xD0, "load.idx.i16.u", { d: Reg, a: Reg, i: Reg };
            StoreI16Idx = 0xD1, "store.idx.i16", { s: Reg, a: Reg, i: Reg };
            /// d = s, then jump: the copy on a loop's back edge and its branch.
            MovBr = 0xD2, "mov.br", { d: Reg, s: Reg, t: Target };

            // --- 64-bit multiply high (overflow checks of i64 multiplies) ---
            /// d = high 64 bits of the signed 128-bit product a * b.
            MulHSI64 = 0xD3, "mulh.s.i64", { d: Reg, a: Reg, b: Reg };
            /// d = high 64 bits of the unsigned 128-bit product a * b.
            MulHUI64 = 0xD4, "mulh.u.i64", { d: Reg, a: Reg, b: Reg };

            // --- short forms: the same operations with narrower immediates,
            //     chosen by the translator when the value fits (smaller files) ---
            DataAddr16 = 0xD5, "data.addr16", { d: Reg, off: U16 };
            StackAddr16 = 0xD6, "stack.addr16", { d: Reg, off: U16 };
            /// d = v sign-extended to 64 bits.
            ConstI64S = 0xD7, "const.i64.i8", { d: Reg, v: I8 };
            BrEqImm8I32 = 0xD8, "br.eq.i32.imm8", { a: Reg, v: I8, t: Target };
            BrNeImm8I32 = 0xD9, "br.ne.i32.imm8", { a: Reg, v: I8, t: Target };
            EqImm8I32 = 0xDA, "eq.i32.imm8", { d: Reg, a: Reg, v: I8 };
            IncBrNeImm8I32 = 0xDB, "inc.br.ne.i32.imm8", { d: Reg, a: Reg, v: I8, w: I8, t: Target };
        }
    };
}

macro_rules! kind_ty {
    (Reg) => { u8 };
    (U8) => { u8 };
    (I8) => { i8 };
    (I16) => { i16 };
    (U16) => { u16 };
    (I32) => { i32 };
    (U32) => { u32 };
    (I64) => { i64 };
    (Target) => { u16 };
    (Regs) => { Regs<'a> };
    (Targets) => { Targets<'a> };
}

/// Reads one operand at `*at`, advancing it. `None` when the code ends early.
macro_rules! kind_read {
    (Reg, $c:expr, $at:expr) => {
        read_u8($c, $at)
    };
    (U8, $c:expr, $at:expr) => {
        read_u8($c, $at)
    };
    (I8, $c:expr, $at:expr) => {
        read_u8($c, $at).map(|v| v as i8)
    };
    (I16, $c:expr, $at:expr) => {
        read_u16($c, $at).map(|v| v as i16)
    };
    (U16, $c:expr, $at:expr) => {
        read_u16($c, $at)
    };
    (I32, $c:expr, $at:expr) => {
        read_u32($c, $at).map(|v| v as i32)
    };
    (U32, $c:expr, $at:expr) => {
        read_u32($c, $at)
    };
    (I64, $c:expr, $at:expr) => {
        read_u64($c, $at).map(|v| v as i64)
    };
    (Target, $c:expr, $at:expr) => {
        read_u16($c, $at)
    };
    (Regs, $c:expr, $at:expr) => {
        read_regs($c, $at)
    };
    (Targets, $c:expr, $at:expr) => {
        read_targets($c, $at)
    };
}

macro_rules! kind_write {
    (Reg, $out:expr, $v:expr) => {
        $out.push(*$v)
    };
    (U8, $out:expr, $v:expr) => {
        $out.push(*$v)
    };
    (I8, $out:expr, $v:expr) => {
        $out.push(*$v as u8)
    };
    (I16, $out:expr, $v:expr) => {
        $out.extend_from_slice(&$v.to_le_bytes())
    };
    (U16, $out:expr, $v:expr) => {
        $out.extend_from_slice(&$v.to_le_bytes())
    };
    (I32, $out:expr, $v:expr) => {
        $out.extend_from_slice(&$v.to_le_bytes())
    };
    (U32, $out:expr, $v:expr) => {
        $out.extend_from_slice(&$v.to_le_bytes())
    };
    (I64, $out:expr, $v:expr) => {
        $out.extend_from_slice(&$v.to_le_bytes())
    };
    (Target, $out:expr, $v:expr) => {
        $out.extend_from_slice(&$v.to_le_bytes())
    };
    (Regs, $out:expr, $v:expr) => {{
        $out.push($v.0.len() as u8);
        $out.extend_from_slice($v.0);
    }};
    (Targets, $out:expr, $v:expr) => {{
        $out.extend_from_slice(&(($v.0.len() / 2) as u16).to_le_bytes());
        $out.extend_from_slice($v.0);
    }};
}

/// Bytes an operand takes in the fixed-size head of an instruction (lists
/// contribute their count field; their elements follow the head).
macro_rules! kind_head {
    (Reg) => {
        1
    };
    (U8) => {
        1
    };
    (I8) => {
        1
    };
    (I16) => {
        2
    };
    (U16) => {
        2
    };
    (I32) => {
        4
    };
    (U32) => {
        4
    };
    (I64) => {
        8
    };
    (Target) => {
        2
    };
    (Regs) => {
        1
    };
    (Targets) => {
        2
    };
}

/// Reads an operand from the head array at the constant offset `$at`;
/// list elements are taken from `$code` at `$tail`, which advances.
macro_rules! kind_read_head {
    (Reg, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let v = $h[$at];
        $at += 1;
        v
    }};
    (U8, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let v = $h[$at];
        $at += 1;
        v
    }};
    (I8, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let v = $h[$at] as i8;
        $at += 1;
        v
    }};
    (I16, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let v = i16::from_le_bytes([$h[$at], $h[$at + 1]]);
        $at += 2;
        v
    }};
    (U16, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let v = u16::from_le_bytes([$h[$at], $h[$at + 1]]);
        $at += 2;
        v
    }};
    (Target, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let v = u16::from_le_bytes([$h[$at], $h[$at + 1]]);
        $at += 2;
        v
    }};
    (I32, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let v = i32::from_le_bytes([$h[$at], $h[$at + 1], $h[$at + 2], $h[$at + 3]]);
        $at += 4;
        v
    }};
    (U32, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let v = u32::from_le_bytes([$h[$at], $h[$at + 1], $h[$at + 2], $h[$at + 3]]);
        $at += 4;
        v
    }};
    (I64, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let mut b = [0u8; 8];
        b.copy_from_slice(&$h[$at..$at + 8]);
        $at += 8;
        i64::from_le_bytes(b)
    }};
    (Regs, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let n = $h[$at] as usize;
        $at += 1;
        let r = $c.get($t..$t + n)?;
        $t += n;
        Regs(r)
    }};
    (Targets, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let n = u16::from_le_bytes([$h[$at], $h[$at + 1]]) as usize * 2;
        $at += 2;
        let r = $c.get($t..$t + n)?;
        $t += n;
        Targets(r)
    }};
}

/// [`kind_read_head`] for verified code: list elements without checks.
macro_rules! kind_read_verified {
    (Regs, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let n = $h[$at] as usize;
        $at += 1;
        debug_assert!($t + n <= $c.len(), "unverified code");
        // SAFETY: the verifier checked the list lies inside the code.
        let r = unsafe { $c.get_unchecked($t..$t + n) };
        $t += n;
        Regs(r)
    }};
    (Targets, $h:ident, $at:ident, $c:ident, $t:ident) => {{
        let n = u16::from_le_bytes([$h[$at], $h[$at + 1]]) as usize * 2;
        $at += 2;
        debug_assert!($t + n <= $c.len(), "unverified code");
        // SAFETY: the verifier checked the list lies inside the code.
        let r = unsafe { $c.get_unchecked($t..$t + n) };
        $t += n;
        Targets(r)
    }};
    ($k:ident, $h:ident, $at:ident, $c:ident, $t:ident) => {
        kind_read_head!($k, $h, $at, $c, $t)
    };
}

#[inline(always)]
fn read_u8(c: &[u8], at: &mut usize) -> Option<u8> {
    let v = *c.get(*at)?;
    *at += 1;
    Some(v)
}
#[inline(always)]
fn read_u16(c: &[u8], at: &mut usize) -> Option<u16> {
    let b = c.get(*at..*at + 2)?;
    *at += 2;
    Some(u16::from_le_bytes([b[0], b[1]]))
}
#[inline(always)]
fn read_u32(c: &[u8], at: &mut usize) -> Option<u32> {
    let b = c.get(*at..*at + 4)?;
    *at += 4;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}
#[inline(always)]
fn read_u64(c: &[u8], at: &mut usize) -> Option<u64> {
    let b = c.get(*at..*at + 8)?;
    *at += 8;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(u64::from_le_bytes(a))
}
#[inline(always)]
fn read_regs<'a>(c: &'a [u8], at: &mut usize) -> Option<Regs<'a>> {
    let n = read_u8(c, at)? as usize;
    let r = c.get(*at..*at + n)?;
    *at += n;
    Some(Regs(r))
}
#[inline(always)]
fn read_targets<'a>(c: &'a [u8], at: &mut usize) -> Option<Targets<'a>> {
    let n = read_u16(c, at)? as usize;
    let r = c.get(*at..*at + n * 2)?;
    *at += n * 2;
    Some(Targets(r))
}

macro_rules! gen_opcodes {
    ($( $(#[$doc:meta])* $name:ident = $byte:literal, $mn:literal, { $($f:ident : $k:ident),* $(,)? }; )*) => {
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

            /// The assembler name shown by the disassembler.
            pub const fn mnemonic(self) -> &'static str {
                match self { $(Opcode::$name => $mn,)* }
            }

            /// The operands in encoding order: (name, kind).
            pub const fn operands(self) -> &'static [(&'static str, OperandKind)] {
                match self { $(Opcode::$name => &[ $((stringify!($f), OperandKind::$k),)* ],)* }
            }
        }

        /// One decoded instruction. List operands borrow the code they sit in.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(clippy::enum_variant_names)]
        pub enum Instr<'a> {
            $( $(#[$doc])* $name { $($f: kind_ty!($k),)* }, )*
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
                let mut at = pc;
                let op = Opcode::from_u8(read_u8(code, &mut at)?)?;
                let i = match op {
                    $( Opcode::$name => {
                        $( let $f = kind_read!($k, code, &mut at)?; )*
                        Instr::$name { $($f,)* }
                    } )*
                };
                Some((i, at))
            }

            /// Appends the encoding of this instruction.
            pub fn encode(&self, out: &mut alloc::vec::Vec<u8>) {
                match self {
                    $( Instr::$name { $($f,)* } => {
                        out.push($byte);
                        $( kind_write!($k, out, $f); )*
                    } )*
                    Instr::_Lifetime(_) => {}
                }
            }
        }

        /// Per-opcode operand readers for the interpreter's hot path: each
        /// reads the operands after the opcode byte at `pc` and returns them
        /// with the next pc. The fixed-size part is taken as one array so a
        /// single bounds check covers every operand. They return `None` only
        /// on truncated code, which the verifier has already excluded.
        #[allow(non_snake_case, unused_mut, unused_variables, unused_assignments, clippy::unused_unit, clippy::needless_lifetimes)]
        pub mod decode {
            use super::*;
            $(
                #[inline(always)]
                pub fn $name<'a>(code: &'a [u8], pc: usize) -> Option<(($(kind_ty!($k),)*), usize)> {
                    const HEAD: usize = 1 $(+ kind_head!($k))*;
                    let head: &[u8; HEAD] = code.get(pc..pc + HEAD)?.try_into().ok()?;
                    let mut at = 1;
                    let mut tail = pc + HEAD;
                    $( let $f = kind_read_head!($k, head, at, code, tail); )*
                    Some((($($f,)*), tail))
                }
            )*
        }

        /// Operand readers for code the verifier has accepted: like
        /// [`decode`], without bounds checks.
        ///
        /// # Safety
        /// `pc` must be the start of an instruction of a function body that
        /// [`crate::verify::verify`] accepted: the verifier guarantees every
        /// such instruction, its operand lists included, lies inside `code`.
        /// (This is every function's `# Safety` section.)
        #[allow(non_snake_case, unused_mut, unused_variables, unused_assignments, clippy::unused_unit, clippy::needless_lifetimes, clippy::missing_safety_doc)]
        pub mod verified {
            use super::*;
            $(
                #[inline(always)]
                pub unsafe fn $name<'a>(code: &'a [u8], pc: usize) -> (($(kind_ty!($k),)*), usize) {
                    const HEAD: usize = 1 $(+ kind_head!($k))*;
                    debug_assert!(pc + HEAD <= code.len(), "unverified code");
                    // SAFETY: the caller guarantees HEAD bytes at pc (see above).
                    let head: &[u8; HEAD] = unsafe { &*(code.as_ptr().add(pc) as *const [u8; HEAD]) };
                    let mut at = 1;
                    let mut tail = pc + HEAD;
                    $( let $f = kind_read_verified!($k, head, at, code, tail); )*
                    (($($f,)*), tail)
                }
            )*
        }

        /// Opcode bytes as constants, for matching on the raw byte.
        #[allow(non_upper_case_globals)]
        pub mod byte {
            $( pub const $name: u8 = $byte; )*
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
}
