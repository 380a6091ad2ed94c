//! Selector sub-tables: the values of the `k` operand of
//! [`Opcode::Convert`](super::Opcode::Convert),
//! [`Opcode::FUnary`](super::Opcode::FUnary),
//! [`Opcode::FBinary`](super::Opcode::FBinary),
//! [`Opcode::DivRem128`](super::Opcode::DivRem128),
//! [`Opcode::Complex`](super::Opcode::Complex),
//! [`Opcode::F128`](super::Opcode::F128) and
//! [`Opcode::ComplexF128`](super::Opcode::ComplexF128). Values are part of the file
//! format: never renumber or reuse one.

/// Conversions selected by the `k` operand of [`Opcode::Convert`](super::Opcode::Convert).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conv {
    F32ToF64 = 0,
    F64ToF32 = 1,
    I32SToF32 = 2,
    I32UToF32 = 3,
    I64SToF32 = 4,
    I64UToF32 = 5,
    I32SToF64 = 6,
    I32UToF64 = 7,
    I64SToF64 = 8,
    I64UToF64 = 9,
    F32ToI32S = 10,
    F32ToI32U = 11,
    F32ToI64S = 12,
    F32ToI64U = 13,
    F64ToI32S = 14,
    F64ToI32U = 15,
    F64ToI64S = 16,
    F64ToI64U = 17,
}

impl Conv {
    pub const fn from_u8(k: u8) -> Option<Conv> {
        if k <= Conv::F64ToI64U as u8 {
            // SAFETY-free: table lookup keeps this a plain match.
            Some(CONV_ALL[k as usize])
        } else {
            None
        }
    }
}

const CONV_ALL: [Conv; 18] = [
    Conv::F32ToF64,
    Conv::F64ToF32,
    Conv::I32SToF32,
    Conv::I32UToF32,
    Conv::I64SToF32,
    Conv::I64UToF32,
    Conv::I32SToF64,
    Conv::I32UToF64,
    Conv::I64SToF64,
    Conv::I64UToF64,
    Conv::F32ToI32S,
    Conv::F32ToI32U,
    Conv::F32ToI64S,
    Conv::F32ToI64U,
    Conv::F64ToI32S,
    Conv::F64ToI32U,
    Conv::F64ToI64S,
    Conv::F64ToI64U,
];

/// One-operand float functions selected by [`Opcode::FUnary`](super::Opcode::FUnary)'s `k`.
/// Even numbers act on f32, odd on f64.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FUnary {
    NegF32 = 0,
    NegF64 = 1,
    AbsF32 = 2,
    AbsF64 = 3,
    SqrtF32 = 4,
    SqrtF64 = 5,
    FloorF32 = 6,
    FloorF64 = 7,
    CeilF32 = 8,
    CeilF64 = 9,
    TruncF32 = 10,
    TruncF64 = 11,
    RoundF32 = 12,
    RoundF64 = 13,
    /// To the nearest integer, ties to even (`rint`, `nearbyint`,
    /// `roundeven`: the default rounding mode is the only one modules have).
    RintF32 = 14,
    RintF64 = 15,
}

impl FUnary {
    pub const fn from_u8(k: u8) -> Option<FUnary> {
        Some(match k {
            0 => FUnary::NegF32,
            1 => FUnary::NegF64,
            2 => FUnary::AbsF32,
            3 => FUnary::AbsF64,
            4 => FUnary::SqrtF32,
            5 => FUnary::SqrtF64,
            6 => FUnary::FloorF32,
            7 => FUnary::FloorF64,
            8 => FUnary::CeilF32,
            9 => FUnary::CeilF64,
            10 => FUnary::TruncF32,
            11 => FUnary::TruncF64,
            12 => FUnary::RoundF32,
            13 => FUnary::RoundF64,
            14 => FUnary::RintF32,
            15 => FUnary::RintF64,
            _ => return None,
        })
    }
}

/// Two-operand float functions selected by [`Opcode::FBinary`](super::Opcode::FBinary)'s `k`.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FBinary {
    MinF32 = 0,
    MinF64 = 1,
    MaxF32 = 2,
    MaxF64 = 3,
    CopySignF32 = 4,
    CopySignF64 = 5,
    RemF32 = 6,
    RemF64 = 7,
}

impl FBinary {
    pub const fn from_u8(k: u8) -> Option<FBinary> {
        Some(match k {
            0 => FBinary::MinF32,
            1 => FBinary::MinF64,
            2 => FBinary::MaxF32,
            3 => FBinary::MaxF64,
            4 => FBinary::CopySignF32,
            5 => FBinary::CopySignF64,
            6 => FBinary::RemF32,
            7 => FBinary::RemF64,
            _ => return None,
        })
    }
}

/// The operation of [`Opcode::DivRem128`](super::Opcode::DivRem128)'s `k`.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DivRem128 {
    DivU = 0,
    DivS = 1,
    RemU = 2,
    RemS = 3,
}

impl DivRem128 {
    pub const fn from_u8(k: u8) -> Option<DivRem128> {
        Some(match k {
            0 => DivRem128::DivU,
            1 => DivRem128::DivS,
            2 => DivRem128::RemU,
            3 => DivRem128::RemS,
            _ => return None,
        })
    }
}

/// The operation of [`Opcode::Complex`](super::Opcode::Complex)'s `k`.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComplexOp {
    MulF32 = 0,
    MulF64 = 1,
    DivF32 = 2,
    DivF64 = 3,
}

impl ComplexOp {
    pub const fn from_u8(k: u8) -> Option<ComplexOp> {
        Some(match k {
            0 => ComplexOp::MulF32,
            1 => ComplexOp::MulF64,
            2 => ComplexOp::DivF32,
            3 => ComplexOp::DivF64,
            _ => return None,
        })
    }
}

/// The operation of [`Opcode::ComplexF128`](super::Opcode::ComplexF128)'s `k`.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComplexF128Op {
    Mul = 0,
    Div = 1,
}

impl ComplexF128Op {
    pub const fn from_u8(k: u8) -> Option<ComplexF128Op> {
        Some(match k {
            0 => ComplexF128Op::Mul,
            1 => ComplexF128Op::Div,
            _ => return None,
        })
    }
}

/// The operation of [`Opcode::F128`](super::Opcode::F128)'s `k`: binary128
/// (`long double` on riscv32) arithmetic, functions, conversions and
/// compares in software (`vm/f128.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum F128Op {
    Add,
    Sub,
    Mul,
    Div,
    /// `fmod` (LLVM's `frem`).
    Rem,
    Neg,
    Abs,
    CopySign,
    Sqrt,
    Floor,
    Ceil,
    Trunc,
    /// Half away from zero.
    Round,
    /// Half to even (`rint`, `nearbyint`, `roundeven`).
    Rint,
    FromF32,
    FromF64,
    FromI32S,
    FromI32U,
    FromI64S,
    FromI64U,
    FromI128S,
    FromI128U,
    ToF32,
    ToF64,
    ToI32S,
    ToI32U,
    ToI64S,
    ToI64U,
    ToI128S,
    ToI128U,
    /// The class as LLVM's `is.fpclass` numbers it, as one bit: 0 signaling
    /// NaN, 1 quiet NaN, 2 -inf, 3 -normal, 4 -subnormal, 5 -0, 6 +0,
    /// 7 +subnormal, 8 +normal, 9 +inf.
    Class,
    /// `k` = 32 + an LLVM fcmp predicate (0 = false ... 15 = true).
    Cmp(u8),
}

/// The selectors 0..=30 in order; 32..=47 are the compares.
const F128_OPS: [F128Op; 31] = [
    F128Op::Add,
    F128Op::Sub,
    F128Op::Mul,
    F128Op::Div,
    F128Op::Rem,
    F128Op::Neg,
    F128Op::Abs,
    F128Op::CopySign,
    F128Op::Sqrt,
    F128Op::Floor,
    F128Op::Ceil,
    F128Op::Trunc,
    F128Op::Round,
    F128Op::Rint,
    F128Op::FromF32,
    F128Op::FromF64,
    F128Op::FromI32S,
    F128Op::FromI32U,
    F128Op::FromI64S,
    F128Op::FromI64U,
    F128Op::FromI128S,
    F128Op::FromI128U,
    F128Op::ToF32,
    F128Op::ToF64,
    F128Op::ToI32S,
    F128Op::ToI32U,
    F128Op::ToI64S,
    F128Op::ToI64U,
    F128Op::ToI128S,
    F128Op::ToI128U,
    F128Op::Class,
];

/// The first compare selector.
pub const F128_CMP_BASE: u8 = 32;

impl F128Op {
    pub const fn from_u8(k: u8) -> Option<F128Op> {
        if (k as usize) < F128_OPS.len() {
            Some(F128_OPS[k as usize])
        } else if k >= F128_CMP_BASE && k < F128_CMP_BASE + 16 {
            Some(F128Op::Cmp(k - F128_CMP_BASE))
        } else {
            None
        }
    }

    /// The selector byte.
    pub fn to_u8(self) -> u8 {
        match self {
            F128Op::Cmp(p) => F128_CMP_BASE + p,
            op => F128_OPS.iter().position(|&o| o == op).map_or(u8::MAX, |i| i as u8),
        }
    }
}
