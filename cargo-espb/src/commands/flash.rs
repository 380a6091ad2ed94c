//! `cargo espb flash`: the module and/or the firmware onto the device.

use crate::error::CliError;
use crate::flash::FlashArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub flash: FlashArgs,
}

impl Args {
    pub fn exec(&self) -> Result<(), CliError> {
        Ok(crate::flash::run(&self.flash)?)
    }
}
