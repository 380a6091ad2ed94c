//! The entry rule and the outcome of running a module's entry, shared by
//! the runner (one run) and the app (a module that lives on): which
//! function a run calls, with which arguments, and how it ended.

use crate::format::LoadError;
use crate::module::Module;
use crate::vm::{Host, Instance, InstantiateError, Trap, TrapKind};
use alloc::string::String;

/// How a run ended well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The entry returned this value (its low 32 bits; 0 for `void`).
    Returned(i32),
    /// The module called `exit(0)`.
    Exited,
}

impl Outcome {
    /// The entry's result as C sees it: the returned value, or 0 for `exit(0)`.
    pub fn value(self) -> i32 {
        match self {
            Outcome::Returned(v) => v,
            Outcome::Exited => 0,
        }
    }
}

/// Why a run failed: what, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The bytes are no well-formed module, or it failed verification.
    #[error("{0}; build it again with `cargo espb build` and flash it with `cargo espb flash --module`")]
    Load(#[from] LoadError),
    /// No function of that name.
    #[error(
        "the module has no function `{entry}`; define it (non-static) in the module's source, or run another entry"
    )]
    NoEntry { entry: String },
    /// The entry's parameters are not `()` or `(int argc, char **argv)`.
    #[error("`{entry}` takes {params} parameters; an entry takes 0, or 2 (argc, argv: both get 0)")]
    BadEntry { entry: String, params: usize },
    /// Tables, imports or memory did not fit this firmware.
    #[error(transparent)]
    Instantiate(#[from] InstantiateError),
    /// The module trapped; `message` says what and where (function, source line).
    #[error("trap: {message}")]
    Trap { trap: Trap, message: String },
    /// The module called `exit(status)` with a non-zero status.
    #[error("the module called exit({0})")]
    Exit(i32),
    /// The app was unloaded (or stopped by a trap) before this call.
    #[error("the module is not loaded any more (unloaded, or stopped by a trap)")]
    Unloaded,
    /// `App::start` of an app whose entry already started.
    #[error("the module was already started")]
    Started,
}

/// Calls `entry` of `inst` with the entry rules and outcomes of [`run_with`].
pub(crate) fn call_entry<H: Host>(inst: &mut Instance<H>, entry: &str) -> Result<Outcome, RunError> {
    let (func, args) = entry_call(inst.module(), entry)?;
    match inst.call(func, args) {
        Ok(v) => Ok(Outcome::Returned(v.unwrap_or(0) as u32 as i32)),
        Err(t) => match t.kind {
            TrapKind::Exit(0) => Ok(Outcome::Exited),
            TrapKind::Exit(c) => Err(RunError::Exit(c)),
            _ => Err(RunError::Trap { message: inst.describe(&t), trap: t }),
        },
    }
}

/// The entry of a run that names none: `main` when the module defines it
/// (a portable C program), else ESP-IDF's `app_main`.
pub fn default_entry(m: &Module) -> &'static str {
    if m.find_function("main").is_some() { "main" } else { "app_main" }
}

/// The entry function and its arguments: `main(argc, argv)` gets 0 and
/// NULL, as there is no command line on a device.
pub(crate) fn entry_call(m: &Module, entry: &str) -> Result<(u16, &'static [u64]), RunError> {
    let no_entry = || RunError::NoEntry { entry: entry.into() };
    let func = m.find_function(entry).ok_or_else(no_entry)?;
    let ty = m.functions.get(usize::from(func)).and_then(|f| m.types.get(f.ty as usize)).ok_or_else(no_entry)?;
    match ty.params.len() {
        0 => Ok((func, &[])),
        2 => Ok((func, &[0, 0])),
        params => Err(RunError::BadEntry { entry: entry.into(), params }),
    }
}
