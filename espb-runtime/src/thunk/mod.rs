//! Callback thunks: how natives call module functions.
//!
//! A native is handed a plain C function pointer. Each address-taken module
//! function of a live [`App`](crate::app::App) gets a slot of a
//! [`ThunkPool`] when the app is loaded; the slot's address is what
//! `func.addr` and function relocations yield. Calling it enters the
//! module's function through the app's lock on the calling task's own
//! execution context.
//!
//! * On a chip (`target_arch` riscv32 with ilp32/ilp32f, or xtensa) the pool
//!   is [`ThunkPool::device`]: a static table of `ESPB_THUNKS` real
//!   `extern "C"` functions (default [`DEFAULT_THUNKS`], set when building:
//!   `ESPB_THUNKS=64 cargo build ...`). No executable RAM, nothing
//!   allocated per call. Each thunk hands its argument registers and stack
//!   words to one common entry, which places them back into module values
//!   ([`place`], the inverse of [`crate::native`]'s lowering).
//! * On the PC the pool is [`ThunkPool::synthetic`]: the same slots with
//!   made-up addresses in a code window ([`SYNTHETIC_BASE`]); a simulating
//!   host calls them with [`ThunkPool::call`] instead of jumping.
//!
//! A slot is released when its app unloads (its generation bumped). A call
//! through a released slot, or into an app being unloaded, touches nothing
//! of the app: it returns 0 and logs "callback into unloaded module (slot
//! N)" through the [`Os`].

#[cfg(espb_thunks)]
mod device;
pub mod place;
mod pool;

pub use place::{MAX_CALLBACK_PARAMS, PlaceError, Placed};
pub use pool::ThunkPool;
pub(crate) use pool::{Args, BindError, Callee, Invoked, Shortage};

use crate::native::Lowered;
use alloc::string::String;

/// Slots of the device pool when `ESPB_THUNKS` is not set at build time.
pub const DEFAULT_THUNKS: usize = 32;
/// Float-returning slots of an ilp32f device pool when `ESPB_FLOAT_THUNKS`
/// is not set at build time (callbacks returning `float` take these).
pub const DEFAULT_FLOAT_THUNKS: usize = 4;
/// Address of synthetic slot 0 (ESP32-C3 IRAM, so it looks like code).
pub const SYNTHETIC_BASE: u32 = 0x4038_0000;
/// Bytes between synthetic slot addresses.
pub const SYNTHETIC_STRIDE: u32 = 16;
/// Most stack words a device thunk forwards (beyond the argument
/// registers); a callback whose arguments need more is refused at load.
pub const THUNK_STACK_WORDS: usize = 8;

/// Why a call through a thunk did not run module code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// The address is no slot of this pool.
    #[error("{addr:#010x} is not a callback of a loaded module")]
    NotAThunk { addr: u32 },
    /// The slot is free, or its app is unloading or unloaded.
    #[error("callback into unloaded module (slot {slot})")]
    Unloaded { slot: u16 },
    /// The arguments do not fit the function's parameters.
    #[error("callback `{function}`: {why}")]
    Arguments { function: String, why: String },
    /// The callback trapped: its module was stopped (`App::last_trap`).
    #[error("{0}")]
    Trapped(String),
    /// Called in interrupt context and the Os could not defer the call.
    #[error("callback (slot {slot}) called in interrupt context and could not be deferred: dropped")]
    NotDeferred { slot: u16 },
}

/// A callback called in interrupt context, to be run on a task
/// ([`Os::defer`](crate::os::Os::defer)). Plain data (no allocation): the slot, the generation
/// it had, and the native argument words.
#[derive(Clone, Copy, Debug)]
pub struct Deferred {
    pub(crate) pool: &'static ThunkPool,
    pub(crate) slot: u16,
    pub(crate) generation: u32,
    pub(crate) words: Lowered,
    /// `words` carry [`ThunkPool::call`]'s values, not native words.
    pub(crate) values: bool,
}

impl Deferred {
    /// Runs the callback now, on the calling task (not in an interrupt).
    /// Nothing happens (a log line) when its app was unloaded meanwhile.
    pub fn run(self) {
        let _ = self.pool.run_deferred(&self);
    }

    /// The slot the callback came through.
    pub fn slot(&self) -> u16 {
        self.slot
    }
}
