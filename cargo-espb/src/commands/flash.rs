//! `cargo espb flash`: builds the module, writes it and/or the firmware
//! onto the device, and with --monitor goes on to the monitor.

use crate::error::CliError;
use crate::flash::FlashArgs;
use crate::flash::ports::PortArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub flash: FlashArgs,
}

impl Args {
    pub fn exec(&self) -> Result<(), CliError> {
        let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
        let project_dir = self.flash.project.clone().unwrap_or_else(|| cwd.clone());
        let mut args = self.flash.clone();
        // A module that does not build is never written: the old one would
        // be stale.
        if args.module && args.module_file.is_none() && !args.no_build {
            args.module_file = super::build::build_in(&project_dir, false)?;
        }
        let port = crate::flash::run(&args)?;
        if let (true, Some(port)) = (args.monitor, port) {
            // The port just written to: the chip was reset and runs.
            let ports = PortArgs { port: Some(port), ..args.ports.clone() };
            let baud = if args.monitor_baud == 0 { 115_200 } else { args.monitor_baud };
            super::monitor::monitor(&ports, baud, &project_dir, None)?;
        }
        Ok(())
    }
}
