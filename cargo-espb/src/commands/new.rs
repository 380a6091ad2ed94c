//! `cargo espb new`: a module project, or the firmware that runs modules.

use crate::error::CliError;
use crate::project::{FirmwareKind, NewArgs};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub project: NewArgs,
}

impl Args {
    pub fn exec(&self) -> Result<(), CliError> {
        let a = &self.project;
        let root = crate::project::new_project(a)?;
        let what = match a.firmware {
            None => "module project",
            Some(FirmwareKind::Idf) => "ESP-IDF firmware project",
            Some(FirmwareKind::Rust) => "esp-idf-sys firmware project",
        };
        eprintln!("     Created {what} `{}` for {} in {}", a.name, a.chip, root.display());
        match a.firmware {
            None => eprintln!("        Next cd {} && cargo espb build", root.display()),
            Some(FirmwareKind::Idf) => eprintln!(
                "        Next cd {} && idf.py set-target {} build (README.md says what its cargo step needs)",
                root.display(),
                a.chip
            ),
            Some(FirmwareKind::Rust) => eprintln!("        Next cd {} && cargo build", root.display()),
        }
        Ok(())
    }
}
