//! `cargo espb monitor`: the device's serial output, with module trap
//! records told as `trap: ... in function f at src/main.c:42`.

use crate::error::CliError;
use crate::flash::ports::PortArgs;
use crate::flash::{FlashError, device};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Print what the device prints; module traps are decoded with the
/// project's .espb files.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub ports: PortArgs,
    /// The console's baud rate.
    #[arg(short = 'B', long, default_value_t = 115_200)]
    pub baud: u32,
    /// Where to look for the modules' .espb files [default: .].
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Stop after this many seconds [default: run until interrupted].
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
}

impl Args {
    pub fn exec(&self) -> Result<(), CliError> {
        let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
        monitor(&self.ports, self.baud, self.project.as_deref().unwrap_or(&cwd), self.duration)
    }
}

/// Opens the console and prints it, decoding the trap records of the
/// modules under `project`; also `flash --monitor`'s last step.
pub fn monitor(ports: &PortArgs, baud: u32, project: &Path, duration: Option<f64>) -> Result<(), CliError> {
    let modules = crate::monitor::find_modules(project);
    let (name, mut port) = device::open_console(ports, baud, Duration::from_millis(50))?;
    eprintln!("Monitoring {name} ({} modules of the project known); Ctrl-C ends", modules.len());
    let until = duration.map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
    crate::monitor::run(&mut port, &modules, until, &mut std::io::stdout())
        .map_err(|e| FlashError::Device { port: name, message: format!("the port failed: {e}") }.into())
}
