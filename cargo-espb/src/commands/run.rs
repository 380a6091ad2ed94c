//! `cargo espb run`: the module on the PC, with espb-sim's simulated
//! ESP-IDF as its host.

use crate::error::CliError;
use espb_runtime::runner::RunError;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code of `run` when the module traps.
pub const TRAP_EXIT_CODE: u8 = 101;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The module to run.
    pub module: PathBuf,
    /// Function to call (default: `main`, else `app_main`).
    #[arg(long)]
    pub entry: Option<String>,
    /// Stop after this many calls and backward branches.
    #[arg(long)]
    pub fuel: Option<u64>,
    /// Stack size in bytes (default: the module's request).
    #[arg(long)]
    pub stack_size: Option<u32>,
    /// Heap size in bytes (default: the module's request).
    #[arg(long)]
    pub heap_size: Option<u32>,
}

impl Args {
    /// Exits with the module's return value (or `exit` status); a trap
    /// prints what and where and exits with [`TRAP_EXIT_CODE`].
    pub fn exec(&self) -> Result<ExitCode, CliError> {
        let bytes = super::read_module_bytes(&self.module)?;
        let options = espb_sim::Options {
            entry: self.entry.clone(),
            fuel: self.fuel,
            stack_size: self.stack_size,
            heap_size: self.heap_size,
            virtual_time: false,
        };
        let result = espb_sim::Sim::new(options).run(&bytes);
        let _ = std::io::stdout().flush();
        // A C program's status reaches the shell as its low 8 bits.
        let status = |code: i32| Ok(ExitCode::from(code as u8));
        let path = self.module.clone();
        Err(match result {
            Ok(outcome) => return status(outcome.value()),
            Err(RunError::Exit(code)) => return status(code),
            Err(RunError::Trap { message, .. }) => {
                eprintln!("error: trap: {message}");
                return Ok(ExitCode::from(TRAP_EXIT_CODE));
            }
            Err(RunError::Load(error)) => CliError::InvalidModule { path, error },
            Err(RunError::NoEntry { entry }) => CliError::NoEntry { path, entry },
            Err(error @ RunError::BadEntry { .. }) => CliError::BadEntry { path, error },
            Err(RunError::Instantiate(error)) => CliError::instantiate(path, error),
            Err(error @ (RunError::Unloaded | RunError::Started)) => CliError::Run { path, error },
        })
    }
}
