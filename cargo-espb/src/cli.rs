//! The command line: the parser of `cargo espb`, and [`main`], which runs
//! a command (see [`crate::commands`]) and prints its error as a miette
//! diagnostic that says what went wrong and what to do.

use crate::commands::{build, flash, inspect, monitor, new, push, run, symbols};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "cargo espb",
    bin_name = "cargo espb",
    version,
    about = "Build, run and inspect .espb modules: ESP-IDF C that runs on every ESP32 chip without reflashing"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Compile C sources (or .bc/.ll) into one .espb module; without files, build the project (espb.toml).
    Build(build::Args),
    /// Create a module project, or with --firmware the firmware that runs modules.
    New(new::Args),
    /// Run a module on the PC with the simulated ESP-IDF.
    Run(run::Args),
    /// Show a module's header, sections, functions, imports and code.
    Inspect(inspect::Args),
    /// Write the module and/or the firmware to the device (espflash).
    Flash(flash::Args),
    /// Send the module to the running firmware over its serial console, without a reset.
    Push(push::Args),
    /// Print the device's serial output, with module traps told by function and source line.
    Monitor(monitor::Args),
    /// Symbol-table manifests: check append-only, lock, generate sources.
    #[command(subcommand)]
    Symbols(symbols::SymbolsCmd),
}

impl Command {
    /// Runs the command; the exit code on success.
    pub fn exec(&self) -> Result<ExitCode, crate::CliError> {
        let done = |()| ExitCode::SUCCESS;
        match self {
            Command::Build(a) => a.exec().map(|_| ExitCode::SUCCESS),
            Command::New(a) => a.exec().map(done),
            Command::Run(a) => a.exec(),
            Command::Inspect(a) => a.exec().map(done),
            Command::Flash(a) => a.exec().map(done),
            Command::Push(a) => a.exec().map(done),
            Command::Monitor(a) => a.exec().map(done),
            Command::Symbols(c) => c.exec().map(done),
        }
    }
}

/// Entry point shared by the binary and the tests: usage errors exit with
/// 2, command errors with 1.
pub fn main(args: Vec<OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match cli.command.exec() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{:?}", miette::Report::new(e));
            ExitCode::FAILURE
        }
    }
}
