//! Running a whole module on the PC: the runtime's runner (its checks,
//! entry rule and outcomes, as on a device) with [`PcHost`] as the host.

use crate::{PcHost, SharedBuf};
use espb_runtime::Config;
use espb_runtime::runner::{self, Outcome, RunError};
use std::io::Write;

/// How [`Sim::run`] runs a module.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The function to call; `None`: the runner's default (`main`, else
    /// `app_main`).
    pub entry: Option<String>,
    /// Stop after this many calls and backward branches.
    pub fuel: Option<u64>,
    /// Stack size in bytes (default: the module's request).
    pub stack_size: Option<u32>,
    /// Heap size in bytes (default: the module's request).
    pub heap_size: Option<u32>,
    /// Delays advance a clock starting at 0 instead of sleeping, so runs
    /// are fast and timestamps deterministic.
    pub virtual_time: bool,
}

/// A simulated ESP32 about to run one module: the options and where its
/// stdout and stderr go.
pub struct Sim {
    options: Options,
    out: Box<dyn Write + Send>,
    err: Box<dyn Write + Send>,
}

impl Sim {
    /// Module output goes to the process's stdout and stderr.
    pub fn new(options: Options) -> Sim {
        Sim::with_output(options, Box::new(std::io::stdout()), Box::new(std::io::stderr()))
    }

    /// Module output goes to `out` and `err`.
    pub fn with_output(options: Options, out: Box<dyn Write + Send>, err: Box<dyn Write + Send>) -> Sim {
        Sim { options, out, err }
    }

    /// Module output is captured in the returned buffers.
    pub fn capture(options: Options) -> (Sim, SharedBuf, SharedBuf) {
        let (out, err) = (SharedBuf::new(), SharedBuf::new());
        (Sim::with_output(options, Box::new(out.clone()), Box::new(err.clone())), out, err)
    }

    /// Loads, verifies and runs the module in `bytes` (no partition header).
    /// Its stdout is flushed when this returns, however the run ended.
    pub fn run(self, bytes: &[u8]) -> Result<Outcome, RunError> {
        let Sim { options: o, out, err } = self;
        let config = Config { fuel: o.fuel, stack_size: o.stack_size, heap_size: o.heap_size, ..Config::default() };
        let mut host = PcHost::with_stderr(out, err);
        host.set_virtual_time(o.virtual_time);
        // PcHost flushes its stdout when dropped, and the instance that owns
        // it is dropped before run_with returns.
        runner::run_with(bytes, o.entry.as_deref(), config, move |_| host)
    }
}

/// The process exit status of a run, as a C program's would be: the
/// entry's return value or `exit`'s status; `None` for the other errors
/// (load, instantiation, trap).
pub fn exit_code(result: &Result<Outcome, RunError>) -> Option<i32> {
    match result {
        Ok(o) => Some(o.value()),
        Err(RunError::Exit(code)) => Some(*code),
        Err(_) => None,
    }
}
