//! Real native calls: lowering a call site's [`FuncType`] and raw argument
//! bits onto a chip's C calling convention, and the device [`Host`]
//! ([`device::DeviceHost`]) that calls firmware functions through its
//! symbol tables. See docs/native-calls.md.
//!
//! The argument placement ([`riscv32::lower`]) is plain Rust, built and
//! unit-tested on every target; only the call itself
//! ([`riscv32::call`]) exists on `target_arch = "riscv32"`.
//!
//! [`FuncType`]: crate::module::FuncType
//! [`Host`]: crate::interp::Host

pub mod device;
pub mod riscv32;

pub use device::DeviceHost;

/// Argument registers of the integer calling convention (a0..a7).
pub const REG_WORDS: usize = 8;
/// Most 32-bit stack words a native call may take (alignment padding
/// included). The call goes through a function type with this many extra
/// parameters, see [`riscv32::call`].
pub const MAX_STACK_WORDS: usize = 16;

/// A call lowered to 32-bit words: what goes in a0..a7 and what goes in
/// the outgoing stack area (word `i` at `sp + 4*i` on entry to the callee).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lowered {
    pub regs: [u32; REG_WORDS],
    pub stack: [u32; MAX_STACK_WORDS],
    /// Stack words used (`stack[..stack_words]`).
    pub stack_words: usize,
}

/// Why a call cannot be lowered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LowerError {
    /// The arguments need more stack words than [`MAX_STACK_WORDS`].
    TooManyArguments,
    /// `args` does not have one value per parameter of the call's type.
    ArgCount { expected: usize, given: usize },
}

impl core::fmt::Display for LowerError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LowerError::TooManyArguments => {
                write!(f, "too many arguments for a native call (at most 8 register and {MAX_STACK_WORDS} stack words)")
            }
            LowerError::ArgCount { expected, given } => {
                write!(f, "native call with {given} arguments for a signature of {expected}")
            }
        }
    }
}

impl From<LowerError> for crate::interp::Trap {
    fn from(e: LowerError) -> Self {
        crate::interp::Trap::host(alloc::format!("{e}"))
    }
}
