//! Real native calls: lowering a call site's [`FuncType`] and raw argument
//! bits onto a chip's C calling convention, and the device [`Host`]
//! ([`device::DeviceHost`]) that calls firmware functions through its
//! symbol tables. See docs/native-calls.md.
//!
//! * [`abi`]: the calling conventions ([`Abi`]) and which one this build
//!   calls natives with ([`Abi::NATIVE`]).
//! * [`riscv32`], [`xtensa`]: where each argument goes under each ABI
//!   ([`Lowered`]). Plain Rust, built and unit-tested on every target.
//! * [`call`]: the call itself, compiled only for the target whose ABI it is.
//!
//! [`FuncType`]: crate::module::FuncType
//! [`Host`]: crate::vm::Host

pub mod abi;
pub mod call;
pub mod device;
pub mod riscv32;
pub mod xtensa;

pub use abi::Abi;
pub use device::{DeviceHost, NATIVE_CALLS_AVAILABLE};

/// Integer argument registers [`Lowered`] has room for: the most any ABI
/// uses (RISC-V a0..a7; Xtensa uses the first six, a2..a7).
pub const INT_REGS: usize = 8;
/// Float argument registers (RISC-V ilp32f fa0..fa7).
pub const FLOAT_REGS: usize = 8;
/// Most 32-bit stack words a native call may take (alignment padding
/// included). The call goes through a function type with this many extra
/// parameters, see [`call::call`].
pub const MAX_STACK_WORDS: usize = 16;

/// A call lowered to 32-bit words: what goes in each argument register and
/// what goes in the outgoing stack area (word `i` at `sp + 4*i` on entry to
/// the callee). Registers and slots an ABI does not use stay 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lowered {
    /// Integer argument registers in order: a0..a7 (RISC-V), a2..a7 as the
    /// callee sees them (Xtensa, `regs[..6]`).
    pub regs: [u32; INT_REGS],
    /// fa0..fa7, as f32 bits (RISC-V ilp32f only).
    pub fregs: [u32; FLOAT_REGS],
    pub stack: [u32; MAX_STACK_WORDS],
    /// Stack words used (`stack[..stack_words]`).
    pub stack_words: usize,
}

impl Lowered {
    /// No words at all.
    pub const EMPTY: Lowered =
        Lowered { regs: [0; INT_REGS], fregs: [0; FLOAT_REGS], stack: [0; MAX_STACK_WORDS], stack_words: 0 };

    /// Stores `w` in stack word `i` (earlier unset words are padding, 0).
    fn set_stack(&mut self, i: usize, w: u32) -> Result<(), LowerError> {
        let slot = self.stack.get_mut(i).ok_or(LowerError::TooManyArguments)?;
        *slot = w;
        self.stack_words = self.stack_words.max(i + 1);
        Ok(())
    }
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
            LowerError::TooManyArguments => write!(
                f,
                "too many arguments for a native call (they need more than {MAX_STACK_WORDS} stack words besides \
                 the argument registers)"
            ),
            LowerError::ArgCount { expected, given } => {
                write!(f, "native call with {given} arguments for a signature of {expected}")
            }
        }
    }
}

impl From<LowerError> for crate::vm::Trap {
    fn from(e: LowerError) -> Self {
        crate::vm::Trap::host(alloc::format!("{e}"))
    }
}

/// Checks that `args` has one value per parameter of `ty`.
fn check_arity(ty: &crate::module::FuncType, args: &[u64]) -> Result<(), LowerError> {
    if ty.params.len() == args.len() {
        Ok(())
    } else {
        Err(LowerError::ArgCount { expected: ty.params.len(), given: args.len() })
    }
}
