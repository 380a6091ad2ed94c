//! Traps: what stops a module, where, and its description for people.
//! A leaf of the VM: memory, hosts and the interpreter all report through it.

use super::heap::InvalidFree;
use crate::module::Module;
use alloc::string::String;

/// What stopped the module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    DivideByZero,
    /// `INT_MIN / -1`.
    IntegerOverflow,
    OutOfBounds {
        addr: u32,
        len: u32,
    },
    /// A store into a firmware window the module may only read.
    ReadOnly {
        addr: u32,
        len: u32,
    },
    Unreachable,
    StackExhausted,
    OutOfFuel,
    /// An indirect call to an address that is no function.
    BadFunctionPointer {
        addr: u32,
    },
    /// An indirect call whose signature differs from the callee's.
    SignatureMismatch,
    /// A native call a checked table refuses: an argument outside the
    /// module's memory, or a native's address called with another type.
    NativeCall(String),
    /// `free`/`realloc` of a pointer the heap never handed out.
    InvalidFree {
        addr: u32,
    },
    /// The module called `exit(code)` (not an error for the runner).
    Exit(i32),
    /// The module called `abort()` or failed an `assert`.
    Abort,
    /// Code the verifier should have refused (never expected).
    BadCode,
    /// A host function failed.
    Host(String),
    /// The task running the module deletes itself (`vTaskDelete(NULL)`):
    /// its run ends here (an app then ends the task).
    TaskExit,
    /// The module was unloaded while this run waited in a blocking call.
    Unloaded,
    /// The firmware's heap could not give the runtime memory it needed on
    /// the module's behalf (`what`: register stack, call frames, qsort's
    /// scratch): the module stops, the firmware goes on.
    OutOfMemory {
        what: &'static str,
        bytes: u64,
    },
}

impl core::fmt::Display for TrapKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TrapKind::DivideByZero => write!(f, "integer divide by zero"),
            TrapKind::IntegerOverflow => write!(f, "integer overflow in division"),
            TrapKind::OutOfBounds { addr, len } => {
                write!(f, "out-of-bounds access of {len} bytes at address {addr:#010x}")
            }
            TrapKind::ReadOnly { addr, len } => {
                write!(f, "store of {len} bytes into read-only firmware memory at address {addr:#010x}")
            }
            TrapKind::Unreachable => write!(f, "unreachable code reached"),
            TrapKind::StackExhausted => write!(f, "stack exhausted (recursion too deep?)"),
            TrapKind::OutOfFuel => write!(f, "out of fuel (instruction limit reached)"),
            TrapKind::BadFunctionPointer { addr } => {
                write!(f, "call through a bad function pointer {addr:#010x}")
            }
            TrapKind::SignatureMismatch => write!(f, "indirect call with the wrong signature"),
            TrapKind::NativeCall(m) => write!(f, "refused native call: {m}"),
            TrapKind::InvalidFree { addr } => {
                write!(f, "free() of a pointer that was not allocated: {addr:#010x}")
            }
            TrapKind::Exit(c) => write!(f, "exit({c})"),
            TrapKind::Abort => write!(f, "abort() called"),
            TrapKind::BadCode => write!(f, "malformed code (module not verified?)"),
            TrapKind::Host(m) => write!(f, "{m}"),
            TrapKind::TaskExit => write!(f, "the task deleted itself (vTaskDelete(NULL))"),
            TrapKind::Unloaded => write!(f, "the module was unloaded"),
            TrapKind::OutOfMemory { what, bytes } => write!(
                f,
                "out of memory: the firmware's heap has no {bytes} bytes for {what}; \
                 give the firmware more free heap or lower the module's limits (Config)"
            ),
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

impl core::fmt::Display for Trap {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.kind)
    }
}

impl From<InvalidFree> for Trap {
    fn from(e: InvalidFree) -> Trap {
        Trap::new(TrapKind::InvalidFree { addr: e.0 })
    }
}

/// "what in function `f` at file.c:12" for a trap.
pub fn describe_trap(module: &Module, trap: &Trap) -> String {
    let Some(fi) = trap.func else {
        return alloc::format!("{}", trap.kind);
    };
    let name = module.function_name(fi as usize);
    match module.source_line(fi as usize, trap.pc) {
        Some((file, line)) => alloc::format!("{} in function `{}` at {}:{}", trap.kind, name, file, line),
        None => alloc::format!("{} in function `{}` at code offset {:#x}", trap.kind, name, trap.pc),
    }
}
