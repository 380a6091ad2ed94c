//! Instances and the interpreter. (Interface first; the body is filled in.)

use crate::memory::Memory;
use crate::module::{FuncType, Import, Module};
use alloc::string::String;

/// What stopped the module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    DivideByZero,
    /// `INT_MIN / -1`.
    IntegerOverflow,
    OutOfBounds { addr: u32, len: u32 },
    Unreachable,
    StackExhausted,
    OutOfFuel,
    /// An indirect call to an address that is no function.
    BadFunctionPointer { addr: u32 },
    /// An indirect call whose signature differs from the callee's.
    SignatureMismatch,
    /// The module called `exit(code)` (not an error for the runner).
    Exit(i32),
    /// The module called `abort()` or failed an `assert`.
    Abort,
    /// A host function failed.
    Host(String),
}

impl core::fmt::Display for TrapKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TrapKind::DivideByZero => write!(f, "integer divide by zero"),
            TrapKind::IntegerOverflow => write!(f, "integer overflow in division"),
            TrapKind::OutOfBounds { addr, len } => {
                write!(f, "out-of-bounds access of {len} bytes at address {addr:#010x}")
            }
            TrapKind::Unreachable => write!(f, "unreachable code reached"),
            TrapKind::StackExhausted => write!(f, "stack exhausted (recursion too deep?)"),
            TrapKind::OutOfFuel => write!(f, "out of fuel (instruction limit reached)"),
            TrapKind::BadFunctionPointer { addr } => {
                write!(f, "call through a bad function pointer {addr:#010x}")
            }
            TrapKind::SignatureMismatch => write!(f, "indirect call with the wrong signature"),
            TrapKind::Exit(c) => write!(f, "exit({c})"),
            TrapKind::Abort => write!(f, "abort() called"),
            TrapKind::Host(m) => write!(f, "{m}"),
        }
    }
}

/// A trap with the place it happened: function index and code offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    pub kind: TrapKind,
    /// Innermost module function running when it happened.
    pub func: Option<u16>,
    pub pc: u32,
}

impl Trap {
    pub fn new(kind: TrapKind) -> Trap {
        Trap { kind, func: None, pc: 0 }
    }
    pub fn host(msg: impl Into<String>) -> Trap {
        Trap::new(TrapKind::Host(msg.into()))
    }
}

/// What a host function may touch: the instance's memory and heap.
pub struct HostCtx<'a> {
    pub mem: &'a mut Memory,
}

/// Native functions as the firmware (or the PC simulator) provides them.
pub trait Host {
    /// Finds the native for an import at instantiation. Returns an id that
    /// [`Host::call`] receives, or `None` when the firmware lacks it.
    fn resolve(&mut self, import: &Import, ty: &FuncType) -> Option<u32>;

    /// Calls native `id`. `ty` is the call site's signature (variadic
    /// arguments included); `args` hold raw register bits: i32 and f32 in the
    /// low 32 bits, i64 and f64 in all 64. Returns the raw result bits.
    fn call(&mut self, id: u32, ty: &FuncType, args: &[u64], ctx: &mut HostCtx<'_>) -> Result<u64, Trap>;
}

/// A module ready to run, with its memory.
pub struct Instance<H: Host> {
    pub module: Module,
    pub host: H,
    pub mem: Memory,
}
