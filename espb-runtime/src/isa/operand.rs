//! The one operand codec: how each operand kind of the opcode table is
//! written and read. Everything that touches encoded instructions goes
//! through it: [`Instr::encode`](super::Instr::encode) and
//! [`Instr::decode`](super::Instr::decode) (translator, tests, verifier),
//! the generic [`operands`] walker (verifier, disassembler), [`Operand::write`]
//! (the translator's encoder) and the interpreter's per-opcode readers in
//! [`super::verified`], which read through [`Trusted`].
//!
//! Encoding: each operand little-endian and unaligned, in table order:
//!
//! | kind      | bytes  | meaning                                                 |
//! |-----------|--------|---------------------------------------------------------|
//! | `Def`     | 1      | register the instruction writes (< `num_regs`)          |
//! | `Use`     | 1      | register the instruction reads (< `num_regs`)           |
//! | `Def16`   | 2      | register written, any of the frame's (< `num_regs`)     |
//! | `Use16`   | 2      | register read, any of the frame's (< `num_regs`)        |
//! | `U8`      | 1      | small unsigned immediate (alignment, predicate)         |
//! | `I8`      | 1      | small signed immediate                                  |
//! | `I16`     | 2      | signed immediate (load/store offsets)                   |
//! | `U16`     | 2      | index: function, import, type                           |
//! | `I32`     | 4      | signed immediate                                        |
//! | `U32`     | 4      | unsigned immediate (data/stack offsets)                 |
//! | `I64`     | 8      | 64-bit immediate                                        |
//! | `Target`  | 2      | absolute byte offset of an instruction in the same body |
//! | `Args`    | 1 + n  | count n, then n registers, all read (call arguments)    |
//! | `Targets` | 2 + 2n | count n, then n targets (branch tables)                 |

use super::Opcode;
use alloc::vec::Vec;

/// Operand kinds, as listed in the table. The kind fixes the encoding and,
/// for registers, whether the instruction reads or writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandKind {
    Def,
    Use,
    /// A register of the whole frame, past the 256-slot window too (the
    /// spill moves `mov.lx` / `mov.xl`).
    Def16,
    Use16,
    U8,
    I8,
    I16,
    U16,
    I32,
    U32,
    I64,
    Target,
    Args,
    Targets,
}

/// What an instruction does with a register operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Written.
    Def,
    /// Read.
    Use,
}

impl OperandKind {
    /// Encoded size in bytes for fixed-size kinds, `None` for lists.
    pub const fn fixed_size(self) -> Option<usize> {
        match self {
            OperandKind::Def | OperandKind::Use | OperandKind::U8 | OperandKind::I8 => Some(1),
            OperandKind::I16 | OperandKind::U16 | OperandKind::Target | OperandKind::Def16 | OperandKind::Use16 => {
                Some(2)
            }
            OperandKind::I32 | OperandKind::U32 => Some(4),
            OperandKind::I64 => Some(8),
            OperandKind::Args | OperandKind::Targets => None,
        }
    }

    /// An immediate value (not a register, target or list).
    pub const fn is_imm(self) -> bool {
        matches!(
            self,
            OperandKind::U8
                | OperandKind::I8
                | OperandKind::I16
                | OperandKind::U16
                | OperandKind::I32
                | OperandKind::U32
                | OperandKind::I64
        )
    }

    /// The role of the register(s) in this operand; `None` for the rest.
    pub const fn role(self) -> Option<Role> {
        match self {
            OperandKind::Def | OperandKind::Def16 => Some(Role::Def),
            OperandKind::Use | OperandKind::Use16 | OperandKind::Args => Some(Role::Use),
            _ => None,
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
pub fn encode_targets(targets: &[u16]) -> Vec<u8> {
    targets.iter().flat_map(|t| t.to_le_bytes()).collect()
}

/// Where operands are read from, front to back.
pub trait Source<'a> {
    /// The next `N` bytes; `None` when the code ends first.
    fn array<const N: usize>(&mut self) -> Option<[u8; N]>;
    /// The next `n` bytes, borrowed from the code.
    fn take(&mut self, n: usize) -> Option<&'a [u8]>;
}

/// Reads any bytes: every read is bounds checked.
#[derive(Clone, Debug)]
pub struct Checked<'a> {
    code: &'a [u8],
    at: usize,
}

impl<'a> Checked<'a> {
    pub fn new(code: &'a [u8], at: usize) -> Checked<'a> {
        Checked { code, at }
    }
    /// Offset of the next byte to read.
    pub fn position(&self) -> usize {
        self.at
    }
}

impl<'a> Source<'a> for Checked<'a> {
    #[inline(always)]
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let s = self.take(N)?;
        s.try_into().ok()
    }
    #[inline(always)]
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.code.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
}

/// Reads the interpreter's predecoded form of verified code
/// ([`super::aligned`]) without bounds checks: the hot path. Each operand
/// sits at the next multiple of its alignment after the one before, so with
/// the instruction's start 4-byte aligned every read is one aligned load
/// (the offsets are constants once the per-opcode reader is inlined).
/// Reads never fail.
#[derive(Clone, Debug)]
pub struct Trusted<'a> {
    /// The instruction's start.
    ip: *const u8,
    /// Offset of the next operand byte from `ip`.
    off: usize,
    /// One past the body: only debug builds check reads against it.
    end: *const u8,
    code: core::marker::PhantomData<&'a [u8]>,
}

impl<'a> Trusted<'a> {
    /// # Safety
    /// `ip` must point at the (4-byte aligned) start of an instruction of
    /// the predecoded form of a function body that [`crate::verify::verify`]
    /// accepted, the form must live for `'a` and end at `end`, and only that
    /// instruction's operands may be read: the verifier guarantees they,
    /// lists included, lie inside the body.
    #[inline(always)]
    pub unsafe fn new(ip: *const u8, end: *const u8) -> Trusted<'a> {
        debug_assert!((ip as usize).is_multiple_of(4), "unaligned instruction");
        Trusted { ip, off: 1, end, code: core::marker::PhantomData }
    }
    /// The start of the next instruction.
    #[inline(always)]
    pub fn position(&self) -> *const u8 {
        // SAFETY: within the form or one past its end (it ends with padding
        // to 4 bytes).
        unsafe { self.ip.add(self.off.next_multiple_of(4)) }
    }
    #[inline(always)]
    fn check(&self, n: usize) {
        debug_assert!(self.end as usize - self.ip as usize >= self.off + n, "unverified code");
    }
}

impl<'a> Source<'a> for Trusted<'a> {
    #[inline(always)]
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.off = self.off.next_multiple_of(N.min(4));
        self.check(N);
        // SAFETY: `Trusted::new`'s contract: the operand lies inside the
        // form, at an offset aligned for its size from an aligned start.
        let p = unsafe { self.ip.add(self.off) };
        let mut v = [0u8; N];
        // The predecoded form holds values in the host's byte order.
        // SAFETY (each read): as above.
        match N {
            1 => v[0] = unsafe { *p },
            2 => v.copy_from_slice(&unsafe { p.cast::<u16>().read() }.to_le_bytes()),
            4 => v.copy_from_slice(&unsafe { p.cast::<u32>().read() }.to_le_bytes()),
            _ => {
                for (i, w) in v.chunks_exact_mut(4).enumerate() {
                    w.copy_from_slice(&unsafe { p.cast::<u32>().add(i).read() }.to_le_bytes());
                }
            }
        }
        self.off += N;
        Some(v)
    }
    #[inline(always)]
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        self.check(n);
        // SAFETY: as for `array`; the form lives for `'a`.
        let s = unsafe { core::slice::from_raw_parts(self.ip.add(self.off), n) };
        self.off += n;
        Some(s)
    }
}

/// One operand kind's codec: its Rust type, its reader and its writer.
/// [`kind`] has one implementation per [`OperandKind`]; the table names
/// them, so the generated code of every instruction uses these.
pub trait Kind {
    type Value<'a>: Copy;
    fn read<'a, S: Source<'a>>(s: &mut S) -> Option<Self::Value<'a>>;
    /// Appends the encoding. Lists longer than their count field holds
    /// (255 arguments, 65535 targets) are the caller's error to prevent.
    fn write(v: Self::Value<'_>, out: &mut Vec<u8>);
}

/// A register operand as the interpreter reads it from the aligned form: its
/// byte offset in the 256-slot register window (number x 8), so a chip
/// without scaled addressing needs no shift per operand. Only
/// [`TrustedKind`] makes one, from a register number of the form
/// [`super::aligned`] wrote, so it is always below 2048 and a multiple of 8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegOff(u16);

impl RegOff {
    /// The byte offset (register number x 8).
    #[inline(always)]
    pub fn offset(self) -> usize {
        usize::from(self.0)
    }
    /// The register number.
    #[inline(always)]
    pub fn index(self) -> usize {
        usize::from(self.0 >> 3)
    }
}

/// One operand kind as the interpreter's [`Trusted`] reader gives it:
/// registers as [`RegOff`], everything else as [`Kind`] reads it.
pub trait TrustedKind {
    type Value<'a>: Copy;
    fn read_trusted<'a>(s: &mut Trusted<'a>) -> Self::Value<'a>;
}

/// A [`Trusted`] read's value: such reads never fail.
#[inline(always)]
fn trusted<T>(v: Option<T>) -> T {
    match v {
        Some(v) => v,
        // SAFETY: `Trusted`'s reads always return `Some`.
        None => unsafe { core::hint::unreachable_unchecked() },
    }
}

macro_rules! trusted_kinds {
    (regs: $($r:ident),*; rest: $($k:ident),*) => {
        $(impl TrustedKind for kind::$r {
            type Value<'a> = RegOff;
            #[inline(always)]
            fn read_trusted<'a>(s: &mut Trusted<'a>) -> RegOff {
                RegOff(u16::from_le_bytes(trusted(s.array())))
            }
        })*
        $(impl TrustedKind for kind::$k {
            type Value<'a> = <kind::$k as Kind>::Value<'a>;
            #[inline(always)]
            fn read_trusted<'a>(s: &mut Trusted<'a>) -> Self::Value<'a> {
                trusted(<kind::$k as Kind>::read(s))
            }
        })*
    };
}
trusted_kinds!(regs: Def, Use; rest: Def16, Use16, U8, I8, I16, U16, I32, U32, I64, Target, Args, Targets);

/// The operand kinds as types, named as the table names them.
pub mod kind {
    use super::{Kind, Regs, Source};
    use alloc::vec::Vec;

    macro_rules! fixed {
        ($($name:ident: $t:ty),* $(,)?) => {$(
            pub struct $name;
            impl Kind for $name {
                type Value<'a> = $t;
                #[inline(always)]
                fn read<'a, S: Source<'a>>(s: &mut S) -> Option<$t> {
                    Some(<$t>::from_le_bytes(s.array()?))
                }
                fn write(v: $t, out: &mut Vec<u8>) {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
        )*};
    }
    fixed!(
        Def: u8,
        Use: u8,
        Def16: u16,
        Use16: u16,
        U8: u8,
        I8: i8,
        I16: i16,
        U16: u16,
        I32: i32,
        U32: u32,
        I64: i64,
        Target: u16,
    );

    pub struct Args;
    impl Kind for Args {
        type Value<'a> = Regs<'a>;
        #[inline(always)]
        fn read<'a, S: Source<'a>>(s: &mut S) -> Option<Regs<'a>> {
            let [n] = s.array()?;
            Some(Regs(s.take(usize::from(n))?))
        }
        fn write(v: Regs<'_>, out: &mut Vec<u8>) {
            out.push(v.0.len() as u8);
            out.extend_from_slice(v.0);
        }
    }

    /// The kind; the list it reads is [`super::Targets`].
    pub struct Targets;
    impl Kind for Targets {
        type Value<'a> = super::Targets<'a>;
        #[inline(always)]
        fn read<'a, S: Source<'a>>(s: &mut S) -> Option<super::Targets<'a>> {
            let n = u16::from_le_bytes(s.array()?);
            Some(super::Targets(s.take(usize::from(n) * 2)?))
        }
        fn write(v: super::Targets<'_>, out: &mut Vec<u8>) {
            out.extend_from_slice(&((v.0.len() / 2) as u16).to_le_bytes());
            out.extend_from_slice(v.0);
        }
    }
}

/// One operand's value, tagged with its encoding (`Reg` serves `Def` and
/// `Use`, `Reg16` serves `Def16` and `Use16`, `Regs` serves `Args`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand<'a> {
    Reg(u8),
    Reg16(u16),
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

impl<'a> Operand<'a> {
    /// Reads one operand of `kind`.
    pub fn read<S: Source<'a>>(kind: OperandKind, s: &mut S) -> Option<Operand<'a>> {
        Some(match kind {
            OperandKind::Def => Operand::Reg(kind::Def::read(s)?),
            OperandKind::Use => Operand::Reg(kind::Use::read(s)?),
            OperandKind::Def16 => Operand::Reg16(kind::Def16::read(s)?),
            OperandKind::Use16 => Operand::Reg16(kind::Use16::read(s)?),
            OperandKind::U8 => Operand::U8(kind::U8::read(s)?),
            OperandKind::I8 => Operand::I8(kind::I8::read(s)?),
            OperandKind::I16 => Operand::I16(kind::I16::read(s)?),
            OperandKind::U16 => Operand::U16(kind::U16::read(s)?),
            OperandKind::I32 => Operand::I32(kind::I32::read(s)?),
            OperandKind::U32 => Operand::U32(kind::U32::read(s)?),
            OperandKind::I64 => Operand::I64(kind::I64::read(s)?),
            OperandKind::Target => Operand::Target(kind::Target::read(s)?),
            OperandKind::Args => Operand::Regs(kind::Args::read(s)?),
            OperandKind::Targets => Operand::Targets(kind::Targets::read(s)?),
        })
    }

    /// Appends the encoding.
    pub fn write(self, out: &mut Vec<u8>) {
        match self {
            Operand::Reg(v) => kind::Def::write(v, out),
            Operand::Reg16(v) => kind::Def16::write(v, out),
            Operand::U8(v) => kind::U8::write(v, out),
            Operand::I8(v) => kind::I8::write(v, out),
            Operand::I16(v) => kind::I16::write(v, out),
            Operand::U16(v) => kind::U16::write(v, out),
            Operand::I32(v) => kind::I32::write(v, out),
            Operand::U32(v) => kind::U32::write(v, out),
            Operand::I64(v) => kind::I64::write(v, out),
            Operand::Target(v) => kind::Target::write(v, out),
            Operand::Regs(v) => kind::Args::write(v, out),
            Operand::Targets(v) => kind::Targets::write(v, out),
        }
    }

    /// The immediate `v` as an operand of `kind`; `None` when `kind` is no
    /// immediate or `v` does not fit it.
    pub fn imm(kind: OperandKind, v: i64) -> Option<Operand<'static>> {
        Some(match kind {
            OperandKind::U8 => Operand::U8(u8::try_from(v).ok()?),
            OperandKind::I8 => Operand::I8(i8::try_from(v).ok()?),
            OperandKind::I16 => Operand::I16(i16::try_from(v).ok()?),
            OperandKind::U16 => Operand::U16(u16::try_from(v).ok()?),
            OperandKind::I32 => Operand::I32(i32::try_from(v).ok()?),
            OperandKind::U32 => Operand::U32(u32::try_from(v).ok()?),
            OperandKind::I64 => Operand::I64(v),
            _ => return None,
        })
    }
}

/// The operands of one instruction, read lazily. Iteration stops early if
/// the code ends inside an operand; use [`super::Instr::decode`]
/// to tell a complete instruction from a truncated one.
#[derive(Clone, Debug)]
pub struct Operands<'a> {
    src: Checked<'a>,
    kinds: core::slice::Iter<'static, (&'static str, OperandKind)>,
}

impl Operands<'_> {
    /// Offset just after the operands read so far.
    pub fn position(&self) -> usize {
        self.src.position()
    }
}

impl<'a> Iterator for Operands<'a> {
    type Item = (&'static str, Operand<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let &(name, kind) = self.kinds.next()?;
        let v = Operand::read(kind, &mut self.src)?;
        Some((name, v))
    }
}

/// The opcode at `pc` and an iterator over its operands; `None` when `pc`
/// is past the end or the byte is no opcode.
pub fn operands(code: &[u8], pc: usize) -> Option<(Opcode, Operands<'_>)> {
    let op = Opcode::from_u8(*code.get(pc)?)?;
    Some((op, Operands { src: Checked::new(code, pc + 1), kinds: op.operands().iter() }))
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
                    OperandKind::Args => code.extend_from_slice(&[2, fill, fill + 1]),
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
